namespace Tributary.Orchestrations.Processing;

/// <summary>
/// How many chunks one host processes with DuckDB at once, whatever the engine's activity concurrency: each chunk's
/// DuckDB (buffer pool, CSV and Parquet buffers) costs ~100-150 MB, so peak RSS follows this number, not the number of
/// chunks the engine hands out. Waiting activities hold only their staged file on disk.
/// </summary>
public sealed class ChunkSlots(int slots) : IDisposable
{
    private readonly SemaphoreSlim free = new(Math.Max(1, slots), Math.Max(1, slots));

    /// <summary>One chunk per core pair: on 2 cores one chunk at a time, whose DuckDB uses both cores (bench hostile, docs/reliability.md).</summary>
    public static int Default => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Waits for a slot; disposing the result frees it.</summary>
    public async Task<IDisposable> TakeAsync(CancellationToken cancellationToken = default)
    {
        await free.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Slot(free);
    }

    public void Dispose() => free.Dispose();

    private sealed class Slot(SemaphoreSlim free) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                free.Release();
            }
        }
    }
}
