namespace Tributary.Orchestrations.Processing;

/// <summary>
/// How many chunks one host processes with DuckDB at once, whatever the engine's activity concurrency: each chunk's
/// DuckDB (buffer pool, CSV and Parquet buffers) costs memory that follows its size, so peak RSS follows the slots, not
/// the number of chunks the engine hands out. A full-size chunk takes a whole slot and all its cores; a small one (at
/// most half the dataset's chunk size) takes half a slot and one core, so two small chunks run side by side where one
/// large one would: the cores stay busy through each chunk's single-threaded steps (pre-pass, Parquet write) at the
/// memory of one large chunk. Waiting activities hold only their staged file on disk. Slots are granted in arrival
/// order, so a large chunk is never starved by small ones.
/// </summary>
public sealed class ChunkSlots(int slots)
{
    private readonly Lock gate = new();
    private readonly LinkedList<(int Halves, TaskCompletionSource<IDisposable> Granted)> waiting = new();
    /// <summary>Halves of slots: a small chunk takes one, a large chunk two.</summary>
    private int freeHalves = Math.Max(1, slots) * 2;

    /// <summary>One slot per core pair: on 2 cores one large chunk with both cores, or two small ones with one core each.</summary>
    public static int Default => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>DuckDB threads a chunk gets in its slot: the slot's cores, or one for a small chunk's half slot.</summary>
    public static int ThreadsFor(bool small) => small ? 1 : Math.Max(1, Environment.ProcessorCount / Default);

    /// <summary>Waits for a slot (half a slot when <paramref name="small"/>); disposing the result frees it.</summary>
    public Task<IDisposable> TakeAsync(bool small = false)
    {
        var halves = small ? 1 : 2;
        lock (gate)
        {
            if (waiting.Count == 0 && freeHalves >= halves)
            {
                freeHalves -= halves;
                return Task.FromResult<IDisposable>(new Slot(this, halves));
            }

            var granted = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting.AddLast((halves, granted));
            return granted.Task;
        }
    }

    private void Free(int halves)
    {
        lock (gate)
        {
            freeHalves += halves;
            while (waiting.First is { } next && next.Value.Halves <= freeHalves)
            {
                waiting.RemoveFirst();
                freeHalves -= next.Value.Halves;
                next.Value.Granted.SetResult(new Slot(this, next.Value.Halves));
            }
        }
    }

    private sealed class Slot(ChunkSlots owner, int halves) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                owner.Free(halves);
            }
        }
    }
}
