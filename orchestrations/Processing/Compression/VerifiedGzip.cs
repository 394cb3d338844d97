using System.Buffers;
using System.IO.Compression;

namespace Tributary.Orchestrations.Processing.Compression;

/// <summary>
/// Decompresses a gzip stream (one or more members) and proves it was whole, within <see cref="GzipLimits"/>.
/// <para>
/// .NET's GZipStream inflates with zlib in gzip mode, which checks each member's trailer (CRC32 and ISIZE of the
/// member's decompressed bytes: "incorrect data check" / "incorrect length check") when it reaches it, and decodes
/// concatenated members. What it does not do is say when the input ends before a member's end: a cut file reads
/// without error (shared/ARCHITECTURE.md). So a small sentinel gzip member is appended after the input: only when
/// every member of the input was complete, trailer verified, does the decoder go on to decode the sentinel, and
/// the output end with its marker. A cut file instead feeds the sentinel's bytes into the unfinished member (a data
/// error, a trailer mismatch, or output without the marker). The marker is held back, never written.
/// </para>
/// </summary>
public static class VerifiedGzip
{
    private const int BufferSize = 1 << 20;

    private static readonly byte[] Marker = "\0tributary:gzip-end\0"u8.ToArray();

    private static readonly byte[] SentinelMember = Compress(Marker);

    /// <summary>
    /// Copies the decompressed <paramref name="compressed"/> to <paramref name="destination"/>; throws
    /// <see cref="UnreadableInputException"/> with the reason when the file is cut, corrupt or exceeds the limits
    /// (having read no further than the limit).
    /// </summary>
    public static async Task CopyAsync(Stream compressed, Stream destination, GzipLimits limits, CancellationToken cancellationToken = default)
    {
        var counted = new CountingStream(compressed);
        await using var gzip = new GZipStream(new ThenStream(counted, SentinelMember), CompressionMode.Decompress);
        var buffer = Storage.LargeBuffers.Pool.Rent(BufferSize + Marker.Length);
        try
        {
            var held = 0;
            long total = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await gzip.ReadAsync(buffer.AsMemory(held, BufferSize), cancellationToken);
                }
                catch (InvalidDataException ex)
                {
                    throw new UnreadableInputException(
                        $"truncated gzip: the compressed data is cut or corrupt after {total:N0} decompressed bytes ({ex.Message.TrimEnd('.')}); the CRC32/length trailer cannot be verified", ex);
                }

                if (read == 0)
                {
                    break;
                }

                total += read;
                CheckLimits(total - Marker.Length, counted.BytesRead, limits);
                var available = held + read;
                var write = Math.Max(0, available - Marker.Length);
                await destination.WriteAsync(buffer.AsMemory(0, write), cancellationToken);
                held = available - write;
                buffer.AsSpan(write, held).CopyTo(buffer);
            }

            if (held != Marker.Length || !buffer.AsSpan(0, held).SequenceEqual(Marker))
            {
                throw new UnreadableInputException(
                    $"truncated gzip: the file ends before the end of its last gzip member (no CRC32/length trailer after {Math.Max(0, total - held):N0} decompressed bytes); the file was cut");
            }
        }
        finally
        {
            Storage.LargeBuffers.Pool.Return(buffer);
        }
    }

    private static void CheckLimits(long decompressed, long compressed, GzipLimits limits)
    {
        if (decompressed > limits.MaxDecompressedBytes)
        {
            throw new UnreadableInputException(
                $"gzip bomb: the file decompresses to more than the limit of {limits.MaxDecompressedBytes:N0} bytes (Tributary:Gzip:MaxDecompressedBytes); reading stopped there");
        }

        if (decompressed > limits.RatioAppliesAboveBytes && decompressed > (double)limits.MaxExpansionRatio * Math.Max(1, compressed))
        {
            throw new UnreadableInputException(
                $"gzip bomb: {compressed:N0} compressed bytes expanded to {decompressed:N0} bytes, more than the limit of {limits.MaxExpansionRatio}:1 (Tributary:Gzip:MaxExpansionRatio); reading stopped there");
        }
    }

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Counts the compressed bytes the decoder has read (the ratio is judged against them).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            BytesRead += read;
            return read;
        }
    }

    /// <summary>The input stream, then a few bytes (never both in one read).</summary>
    private sealed class ThenStream(Stream first, byte[] then) : Stream
    {
        private bool firstDone;
        private int thenOffset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!firstDone)
            {
                var read = first.Read(buffer);
                if (read > 0 || buffer.Length == 0)
                {
                    return read;
                }

                firstDone = true;
            }

            return Then(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!firstDone)
            {
                var read = await first.ReadAsync(buffer, cancellationToken);
                if (read > 0 || buffer.Length == 0)
                {
                    return read;
                }

                firstDone = true;
            }

            return Then(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Then(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, then.Length - thenOffset);
            then.AsSpan(thenOffset, count).CopyTo(buffer);
            thenOffset += count;
            return count;
        }
    }
}
