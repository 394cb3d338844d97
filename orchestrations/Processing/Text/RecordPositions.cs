namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// Where each record handed to DuckDB came from, in the order DuckDB reads them: its physical line, its record
/// number in the file and its bytes in the staged chunk. Fixed-size blocks of a small struct, so a 64 MB chunk
/// costs a few MB and growing never copies; a block stays under the large object heap's 85,000 bytes, so a chunk's
/// blocks are collected and compacted with the rest of its garbage instead of lingering there. Offsets in the file DuckDB reads are only needed when DuckDB refuses
/// a row (rare), so they are derived on demand.
/// </summary>
public sealed class RecordPositions(long firstRecord)
{
    private const int BlockSize = 1 << 11;

    private readonly List<Entry[]> blocks = [];
    private Func<int, long>? readLength;
    private long readStart;
    private long[]? readOffsets;

    public int Count { get; private set; }

    /// <summary>Adds the next kept record; <paramref name="record"/> grows with each call (records rejected before DuckDB leave gaps).</summary>
    public void Add(long line, long record, long offset, int length)
    {
        if (Count % BlockSize == 0)
        {
            blocks.Add(new Entry[BlockSize]);
        }

        blocks[^1][Count % BlockSize] = new Entry(line, offset, length, checked((int)(record - firstRecord - Count)));
        Count++;
    }

    public long Line(int index) => At(index).Line;

    public long Record(int index) => firstRecord + index + At(index).RecordGap;

    public long Offset(int index) => At(index).Offset;

    public int Length(int index) => At(index).Length;

    /// <summary>DuckDB reads the staged chunk itself: a record's position there is its offset in the file minus the chunk's.</summary>
    public void ReadFromChunk(long chunkOffset)
    {
        readStart = -chunkOffset;
        readLength = null;
    }

    /// <summary>DuckDB reads a copy holding the kept records back to back, each <paramref name="copiedLength"/> bytes long.</summary>
    public void ReadFromCopy(Func<int, long> copiedLength)
    {
        readStart = 0;
        readLength = copiedLength;
    }

    /// <summary>The record whose bytes hold <paramref name="readOffset"/> of the file DuckDB read, or -1.</summary>
    public int IndexContainingReadOffset(long readOffset)
    {
        readOffsets ??= ReadOffsets();
        var index = Array.BinarySearch(readOffsets, 0, Count, readOffset);
        if (index < 0)
        {
            index = ~index - 1;
        }

        return index >= 0 && readOffset < readOffsets[index] + Length(index) ? index : -1;
    }

    private long[] ReadOffsets()
    {
        var offsets = new long[Count];
        var next = readStart;
        for (var i = 0; i < Count; i++)
        {
            offsets[i] = readLength is null ? Offset(i) + readStart : next;
            next += readLength?.Invoke(i) ?? 0;
        }

        return offsets;
    }

    private ref readonly Entry At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count);
        return ref blocks[index / BlockSize][index % BlockSize];
    }

    private readonly record struct Entry(long Line, long Offset, int Length, int RecordGap);
}
