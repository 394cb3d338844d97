using System.Collections.Concurrent;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// One writer at a time per dataset table on this host: callers of <see cref="RunAsync{T}"/> with the same key wait
/// in turn. Only the host's own writers are ordered; other hosts still race through the Delta protocol.
/// </summary>
public sealed class OneWriterPerDataset
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="work"/> once every earlier caller with <paramref name="key"/> on this host is done.</summary>
    public async Task<T> RunAsync<T>(string key, Func<Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);

        // Gates are never removed: one small semaphore per dataset for the life of the process.
        var gate = gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
