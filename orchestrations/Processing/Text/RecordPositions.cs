namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// Where each record handed to DuckDB came from, in the order DuckDB reads them: its physical line, its record
/// number in the file, its bytes in the staged chunk and its offset in the file DuckDB reads. Columns of
/// primitives, so a 64 MB chunk costs a few MB.
/// </summary>
public sealed class RecordPositions
{
    private long[] lines = new long[1024];
    private long[] records = new long[1024];
    private long[] offsets = new long[1024];
    private long[] readOffsets = new long[1024];
    private int[] lengths = new int[1024];

    public int Count { get; private set; }

    public void Add(long line, long record, long offset, int length, long readOffset)
    {
        if (Count == lines.Length)
        {
            var size = Count * 2;
            Array.Resize(ref lines, size);
            Array.Resize(ref records, size);
            Array.Resize(ref offsets, size);
            Array.Resize(ref readOffsets, size);
            Array.Resize(ref lengths, size);
        }

        lines[Count] = line;
        records[Count] = record;
        offsets[Count] = offset;
        readOffsets[Count] = readOffset;
        lengths[Count] = length;
        Count++;
    }

    public long Line(int index) => lines[index];

    public long Record(int index) => records[index];

    public long Offset(int index) => offsets[index];

    public int Length(int index) => lengths[index];

    /// <summary>The record whose bytes hold <paramref name="readOffset"/> of the file DuckDB read, or -1.</summary>
    public int IndexContainingReadOffset(long readOffset)
    {
        var index = Array.BinarySearch(readOffsets, 0, Count, readOffset);
        if (index < 0)
        {
            index = ~index - 1;
        }

        return index >= 0 && readOffset < readOffsets[index] + lengths[index] ? index : -1;
    }
}
