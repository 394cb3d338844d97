using Tributary.Orchestrations.Processing.Text;

namespace Tributary.Orchestrations.Tests.UnitTests.Hostile;

/// <summary>
/// A file whose first line is longer than the dataset's line limit (the hostile corpus's 500 MB single line) is measured
/// by the planner's streaming scan and quarantined for its length, not read as a header and called "no data records".
/// </summary>
public sealed class LongHeaderLineTests
{
    private static readonly TextDialect Csv = new((byte)',', (byte)'"');

    [Fact]
    public async Task A_single_line_over_the_maximum_is_quarantined_for_its_length()
    {
        // 64 MB generated as it is read: the planner sees a header that never ends.
        await using var stream = new RepeatedByteStream((byte)'y', 64L << 20);

        var layout = await TextChunkPlanner.PlanAsync(stream, Csv, hasHeader: true, targetBytes: 16 << 20);

        Assert.Equal(64L << 20, layout.HeaderBytes);
        Assert.Null(layout.Header);
        Assert.Equal(
            "the header line is 67,108,864 bytes, longer than the dataset's maximum of 8,388,608 bytes per line (input.maxLineBytes); it was measured while streaming, not read into memory",
            layout.ProblemOf(8 << 20));
    }

    [Fact]
    public async Task A_header_within_the_maximum_and_no_rows_is_still_no_data_records()
    {
        await using var stream = new MemoryStream("id,amount\n"u8.ToArray());

        var layout = await TextChunkPlanner.PlanAsync(stream, Csv, hasHeader: true, targetBytes: 1 << 20);

        Assert.Equal(10, layout.HeaderBytes);
        Assert.Equal("the file has no data records", layout.ProblemOf(1024));
    }

    [Fact]
    public async Task A_normal_file_has_no_problem()
    {
        await using var stream = new MemoryStream("id,amount\n1,2\n"u8.ToArray());

        var layout = await TextChunkPlanner.PlanAsync(stream, Csv, hasHeader: true, targetBytes: 1 << 20);

        Assert.Null(layout.ProblemOf(1024));
    }

    /// <summary>A read-only stream of one byte repeated: large inputs without a file or an array of their size.</summary>
    private sealed class RepeatedByteStream(byte value, long length) : Stream
    {
        private long position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - position);
            buffer.AsSpan(offset, n).Fill(value);
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
