using System.Data.Common;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// The host's local work disk ran out of space (ENOSPC): a problem of the machine, not of the input. Such a chunk must
/// fail (and be retried by its activity's policy, or rerun once space is back), never be quarantined as an unreadable
/// file: DuckDB reports it as an I/O error like a bad file, so it is told apart by errno or by the OS's message.
/// </summary>
public sealed class WorkDiskFullException(string workDirectory, Exception inner)
    : IOException($"the work directory {workDirectory} is out of disk space (No space left on device); the chunk fails and is retried, nothing of it is committed: {inner.Message}", inner)
{
    private const int Enospc = 28;

    /// <summary>Whether <paramref name="error"/> (or one it wraps) is the local disk being full.</summary>
    public static bool Is(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is WorkDiskFullException
                || (e is IOException && (e.HResult & 0xFFFF) == Enospc)
                || (e is IOException or DbException && e.Message.Contains("No space left on device", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
