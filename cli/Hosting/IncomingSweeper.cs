using Tributary.Orchestrations;
using Tributary.Orchestrations.Intake;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The standalone host's schedule for the core's <see cref="IncomingSweep"/> (Tributary:SweepInterval, default every
/// 10 minutes; Tributary:SweepGracePeriod): takes in what the watcher missed, e.g. blobs that landed while no host ran
/// (the watcher's first scan takes those in too; the sweep is the safety net the Functions deployment needs most).
/// It sweeps once at start-up, then every interval, as the Functions worker does (a replica KEDA wakes sweeps).
/// </summary>
public sealed class IncomingSweeper(IncomingSweep sweep, PipelineOptions options, ILogger<IncomingSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval);
        do
        {
            try
            {
                await sweep.SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (!ex.IsShutdownOf(stoppingToken))
            {
                // The next sweep tries again; nothing is lost by skipping one.
                logger.LogError(ex, "Sweep of incoming failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
