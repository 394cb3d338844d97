using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>Uploads in bounded blocks on real blob storage (Azurite): same bytes, headers and conditions as one upload.</summary>
public sealed class BlockUploadTests(InMemoryAzuriteFixture azurite) : IClassFixture<InMemoryAzuriteFixture>
{
    [Fact]
    public async Task A_stream_longer_than_a_block_is_committed_whole_in_blocks_with_its_headers_metadata_and_md5()
    {
        var container = await NewContainerAsync();
        var content = RandomBytes((2 * BlockUpload.BlockBytes) + 12_345);
        var target = container.GetBlobClient("long/file.csv");

        await BlockUpload.UploadAsync(target, new ForwardOnlyStream(content), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "text/csv", ContentEncoding = "identity" },
            Metadata = new Dictionary<string, string> { ["source"] = "test" },
        });

        Assert.Equal(content, (await target.DownloadContentAsync()).Value.Content.ToArray());
        var properties = (await target.GetPropertiesAsync()).Value;
        Assert.Equal("text/csv", properties.ContentType);
        Assert.Equal("identity", properties.ContentEncoding);
        Assert.Equal("test", properties.Metadata["source"]);
#pragma warning disable CA5351 // Content-MD5 is the service's integrity check, not a security measure.
        Assert.Equal(MD5.HashData(content), properties.ContentHash);
#pragma warning restore CA5351
        var blocks = (await container.GetBlockBlobClient("long/file.csv").GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.ToList();
        Assert.Equal([BlockUpload.BlockBytes, BlockUpload.BlockBytes, 12_345L], blocks.Select(b => b.SizeLong));
    }

    [Fact]
    public async Task A_stream_within_one_block_is_one_request_and_the_service_records_its_md5()
    {
        var container = await NewContainerAsync();
        var content = RandomBytes(100_000);
        var target = container.GetBlobClient("short.csv");

        await BlockUpload.UploadAsync(target, new ForwardOnlyStream(content));

        var properties = (await target.GetPropertiesAsync()).Value;
        Assert.Equal(content.Length, properties.ContentLength);
#pragma warning disable CA5351 // Content-MD5 is the service's integrity check, not a security measure.
        Assert.Equal(MD5.HashData(content), properties.ContentHash);
#pragma warning restore CA5351
    }

    [Fact]
    public async Task An_exact_multiple_of_the_block_size_and_an_empty_stream_upload_exactly()
    {
        var container = await NewContainerAsync();
        var exact = RandomBytes(BlockUpload.BlockBytes);
        await BlockUpload.UploadAsync(container.GetBlobClient("exact"), new ForwardOnlyStream(exact));
        await BlockUpload.UploadAsync(container.GetBlobClient("empty"), new ForwardOnlyStream([]));

        Assert.Equal(exact, (await container.GetBlobClient("exact").DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(0, (await container.GetBlobClient("empty").GetPropertiesAsync()).Value.ContentLength);
    }

    [Fact]
    public async Task The_commit_carries_the_conditions_so_an_existing_blob_is_not_replaced()
    {
        var container = await NewContainerAsync();
        var target = container.GetBlobClient("kept");
        await target.UploadAsync(BinaryData.FromString("first"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => BlockUpload.UploadAsync(
            target,
            new ForwardOnlyStream(RandomBytes(BlockUpload.BlockBytes + 1)),
            new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }));

        Assert.Equal(409, error.Status);
        Assert.Equal("first", (await target.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task A_source_that_fails_midway_commits_nothing()
    {
        var container = await NewContainerAsync();
        var target = container.GetBlobClient("cut");
        var source = new ForwardOnlyStream(RandomBytes(3 * BlockUpload.BlockBytes), failAfter: (2 * BlockUpload.BlockBytes) + 10);

        await Assert.ThrowsAsync<IOException>(() => BlockUpload.UploadAsync(target, source));

        Assert.False((await target.ExistsAsync()).Value);
    }

    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient($"upload-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return container;
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A stream that cannot seek and hands out odd-sized reads, like a network response; optionally fails at a position.</summary>
    private sealed class ForwardOnlyStream(byte[] content, long failAfter = long.MaxValue) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (position >= failAfter)
            {
                throw new IOException("the source connection was reset");
            }

            var read = Math.Min(Math.Min(count, 700_001), content.Length - position);
            content.AsSpan(position, read).CopyTo(buffer.AsSpan(offset));
            position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
