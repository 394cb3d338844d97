using Tributary.Orchestrations.Intake;

namespace Tributary.Cli.Hosting;

/// <summary>The standalone host's timer for batch windows: asks the core's <see cref="ArrivalBatcher"/> to seal what is due.</summary>
public sealed class BatchSealer(ArrivalBatcher batcher, WatcherOptions options, ILogger<BatchSealer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A pass lists every waiting arrival: paced like the watcher's scans.
        await PollPacing.RunAsync(options.PollInterval, token => batcher.SealDueWindowsAsync(token), ex =>
        {
            // Whatever was not finished is finished on the next pass, an interval later.
            logger.LogError(ex, "Sealing batch windows failed; retrying");
            return TimeSpan.Zero;
        }, stoppingToken);
    }
}
