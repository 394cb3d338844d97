using Azure;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Cli.Hosting;

/// <summary>Samples the intake queues' backlog for the <c>tributary.queue.backlog</c> gauge while the host serves.</summary>
public sealed class QueueBacklogSampler(QueueBacklog backlog, ILogger<QueueBacklogSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await backlog.RefreshAsync(stoppingToken);
            }
            catch (RequestFailedException ex)
            {
                // A missed sample only leaves the gauge at its last value; storage may be restarting.
                logger.LogDebug(ex, "Queue backlog sample failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        backlog.Dispose();
        base.Dispose();
    }
}
