namespace Tributary.Cli.Hosting;

/// <summary>
/// When a host loop (a poll, a queue listener, a lock renewal) stops on an exception: only on its own shutdown. Any other
/// exception, a timeout's TaskCanceledException included, is a failure to log and retry; a loop that ended on it would
/// stop its work silently.
/// </summary>
public static class LoopShutdown
{
    /// <summary>True when <paramref name="exception"/> is the cancellation of <paramref name="loop"/> itself.</summary>
    public static bool IsShutdownOf(this Exception exception, CancellationToken loop) =>
        exception is OperationCanceledException && loop.IsCancellationRequested;
}
