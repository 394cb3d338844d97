using System.Net;
using Tributary.Cli.Tests.Fixtures;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>An oversized streamed body (chunked, no Content-Length) gets a 413 answer every time, never a connection reset.</summary>
public sealed class OversizedBodyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Twenty_chunked_20_MB_bodies_in_a_row_each_get_a_413_response()
    {
        await using var api = await ApiTestHost.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()));
        var body = new byte[20 * 1024 * 1024];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'{';
        for (var i = 0; i < 20; i++)
        {
            // A stream of unknown length: HttpClient sends it chunked.
            using var content = new StreamContent(new UnknownLengthStream(body));
            content.Headers.ContentType = new("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/datasets/taxi/reprocess") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            using var response = await api.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Contains("larger than", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    /// <summary>A readable stream that does not tell its length.</summary>
    private sealed class UnknownLengthStream(byte[] data) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, data.Length - position);
            Array.Copy(data, position, buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
