using System.Globalization;
using System.Text;

namespace Tributary.Testing.Faults;

/// <summary>The parts of an HTTP/1.1 request head the proxy decides on, and its raw bytes to forward unchanged.</summary>
internal sealed record RequestHead(byte[] Bytes, string Method, long ContentLength, bool Chunked, bool Conditional, bool IsTable)
{
    private static readonly string[] WriteMethods = ["PUT", "POST", "DELETE", "MERGE", "PATCH"];

    public bool IsConditionalWrite => Conditional && WriteMethods.Contains(Method, StringComparer.Ordinal);
}

/// <summary>Reads request heads off a client connection and frames their bodies by Content-Length.</summary>
internal sealed class RequestReader(Stream source, bool isTable)
{
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private readonly byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    /// <summary>The next request head, or null when the client closed the connection between requests.</summary>
    public async Task<RequestHead?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = buffer.AsSpan(start, end - start).IndexOf(EndOfHead);
            if (at >= 0)
            {
                var bytes = buffer.AsSpan(start, at + EndOfHead.Length).ToArray();
                start += bytes.Length;
                return Parse(bytes);
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                throw new IOException("Request head larger than the proxy's buffer.");
            }

            var read = await source.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (read == 0)
            {
                return end == 0 ? null : throw new IOException("Connection closed inside a request head.");
            }

            end += read;
        }
    }

    /// <summary>Copies exactly <paramref name="length"/> body bytes (buffered ones first) to <paramref name="target"/>.</summary>
    public async Task CopyBodyAsync(long length, Stream target, CancellationToken cancellationToken)
    {
        while (length > 0)
        {
            if (start == end)
            {
                start = end = 0;
                var read = await source.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    throw new IOException("Connection closed inside a request body.");
                }

                end = read;
            }

            var take = (int)Math.Min(length, end - start);
            await target.WriteAsync(buffer.AsMemory(start, take), cancellationToken);
            start += take;
            length -= take;
        }
    }

    /// <summary>Everything left on the connection, untouched.</summary>
    public async Task CopyRestAsync(Stream target, CancellationToken cancellationToken)
    {
        await target.WriteAsync(buffer.AsMemory(start, end - start), cancellationToken);
        start = end = 0;
        await source.CopyToAsync(target, cancellationToken);
    }

    private RequestHead Parse(byte[] bytes)
    {
        var lines = Encoding.ASCII.GetString(bytes).Split("\r\n");
        var method = lines[0].Split(' ')[0];
        long length = 0;
        var chunked = false;
        var conditional = false;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("If-Match", StringComparison.OrdinalIgnoreCase) || name.Equals("If-None-Match", StringComparison.OrdinalIgnoreCase))
            {
                conditional = true;
            }
        }

        return new RequestHead(bytes, method, length, chunked, conditional, isTable);
    }
}
