using System.IO.Compression;
using System.Text;
using Tributary.Orchestrations.Processing.Compression;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.UnitTests.Hostile;

/// <summary>Cut, corrupt and bomb gzip files: each is one clear reason, never a partial Succeeded file.</summary>
public sealed class HostileGzipTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-gzip-").FullName;

    private static byte[] Csv(int rows)
    {
        var text = new StringBuilder("id,amount,kind,note\n");
        for (var i = 1; i <= rows; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},1.{i % 100:D2},a,note {i * 7919 % 10007}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Gzip(params byte[][] members)
    {
        using var output = new MemoryStream();
        foreach (var member in members)
        {
            using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            gzip.Write(member);
        }

        return output.ToArray();
    }

    private static async Task<(byte[]? Output, string? Problem)> DecompressAsync(byte[] compressed, GzipLimits? limits = null)
    {
        using var output = new MemoryStream();
        try
        {
            await VerifiedGzip.CopyAsync(new MemoryStream(compressed), output, limits ?? new GzipLimits());
            return (output.ToArray(), null);
        }
        catch (UnreadableInputException ex)
        {
            return (null, ex.Message);
        }
    }

    [Fact]
    public async Task A_whole_file_of_one_or_several_members_decompresses_byte_for_byte()
    {
        var csv = Csv(20_000);
        Assert.Equal(csv, (await DecompressAsync(Gzip(csv))).Output);

        // Several members, cut at uneven places (gzip -c a b > ab.gz), including an empty one.
        var parts = new[] { csv[..1], csv[1..70_001], [], csv[70_001..] };
        Assert.Equal(csv, (await DecompressAsync(Gzip(parts))).Output);
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(0.99)]
    public async Task A_cut_file_is_truncated_gzip(double keep)
    {
        var whole = Gzip(Csv(20_000));
        var (output, problem) = await DecompressAsync(whole[..(int)(whole.Length * keep)]);

        Assert.Null(output);
        Assert.StartsWith("truncated gzip: ", problem);
    }

    [Theory]
    [InlineData(1)] // inside the ISIZE
    [InlineData(4)] // ISIZE gone
    [InlineData(8)] // the whole trailer gone
    [InlineData(9)] // the last byte of deflate data too
    public async Task A_file_cut_in_or_just_before_its_trailer_is_truncated_gzip(int cut)
    {
        var whole = Gzip(Csv(2_000));
        var (_, problem) = await DecompressAsync(whole[..^cut]);

        Assert.StartsWith("truncated gzip: ", problem);
    }

    [Fact]
    public async Task A_cut_second_member_is_truncated_gzip()
    {
        var csv = Csv(5_000);
        var whole = Gzip(csv[..50_000], csv[50_000..]);
        var (_, problem) = await DecompressAsync(whole[..^20]);

        Assert.StartsWith("truncated gzip: ", problem);
    }

    [Theory]
    [InlineData(8)] // CRC32
    [InlineData(3)] // ISIZE
    public async Task A_trailer_that_does_not_match_the_data_is_truncated_gzip(int fromEnd)
    {
        var bytes = Gzip(Csv(2_000));
        bytes[^fromEnd] ^= 0x5A;
        var (_, problem) = await DecompressAsync(bytes);

        Assert.StartsWith("truncated gzip: ", problem);
        Assert.Contains("cut or corrupt", problem);
    }

    [Fact]
    public async Task The_cut_file_of_the_issue_is_quarantined_not_succeeded_through_the_processing_path()
    {
        var whole = Gzip(Csv(10_000));
        var path = Path.Combine(work, "cut.csv.gz");
        await File.WriteAllBytesAsync(path, whole[..(int)(whole.Length * 0.6)]);

        var result = await ChunkRunResult.RunAsync(path, TestDatasets.Orders(), work);

        var chunk = Assert.Single(result.Chunks);
        Assert.StartsWith("truncated gzip: ", chunk.Outcome.FileProblem);
        Assert.Empty(result.CuratedIds);
    }

    [Fact]
    public async Task A_bomb_past_the_ratio_stops_early_with_the_limit_in_its_reason()
    {
        // 256 MiB of zeros: about 250 KB compressed (over 1000:1).
        var path = Path.Combine(work, "zeros.csv.gz");
        await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Optimal))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 256; i++)
            {
                gzip.Write(zeros);
            }
        }

        using var sink = new CountingSink();
        var error = await Assert.ThrowsAsync<UnreadableInputException>(() => VerifiedGzip.CopyAsync(File.OpenRead(path), sink, new GzipLimits()));

        Assert.StartsWith("gzip bomb: ", error.Message);
        Assert.Contains("500:1", error.Message);
        Assert.Contains("MaxExpansionRatio", error.Message);
        Assert.True(sink.Length < 80L << 20, $"wrote {sink.Length:N0} bytes before stopping");
    }

    [Fact]
    public async Task A_file_past_the_absolute_size_stops_with_the_limit_in_its_reason()
    {
        var limits = new GzipLimits { MaxDecompressedBytes = 100_000 };
        var (_, problem) = await DecompressAsync(Gzip(Csv(20_000)), limits);

        Assert.Equal("gzip bomb: the file decompresses to more than the limit of 100,000 bytes (Tributary:Gzip:MaxDecompressedBytes); reading stopped there", problem);
    }

    [Fact]
    public async Task Small_repetitive_files_are_not_judged_by_ratio()
    {
        var zeros = new byte[1 << 20];
        Assert.Equal(zeros.Length, (await DecompressAsync(Gzip(zeros))).Output!.Length);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    private sealed class CountingSink : Stream
    {
        private long length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => length;
        public override long Position { get => length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => length += count;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
