using Azure.Storage.Blobs;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The standalone host's blob trigger: polls incoming/ and hands each new blob version to the core's intake.
/// What has been taken in is recorded in storage by the intake (claims), so a restart neither misses nor
/// repeats a blob; the in-memory set only saves calls. Processed inputs leave incoming (input.afterCommit = archive or
/// delete), so a listing, and the first scan after a restart, cost what the backlog holds, not history; datasets that
/// keep their inputs pay one claim check per kept blob after a restart, as before. The set holds only what the last
/// listing showed, so it is bounded by incoming too.
/// </summary>
public sealed class BlobWatcher(BlobServiceClient blobs, RunIntake intake, WatcherOptions options, ILogger<BlobWatcher> logger) : BackgroundService
{
    private HashSet<(string Name, string ETag)> seen = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var container = blobs.GetBlobContainerClient(BlobContainers.Incoming);
        await container.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        using var timer = new PeriodicTimer(options.PollInterval);
        do
        {
            try
            {
                await ScanAsync(container, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The host never stops watching because of one bad scan.
                logger.LogError(ex, "Scan of {Container} failed; retrying", BlobContainers.Incoming);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ScanAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        var listed = new HashSet<(string Name, string ETag)>();
        var fresh = new List<(string Name, string ETag, long Size)>();
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            var key = (blob.Name, blob.Properties.ETag!.Value.ToString());
            if (seen.Contains(key))
            {
                listed.Add(key);
            }
            else
            {
                fresh.Add((key.Name, key.Item2, blob.Properties.ContentLength ?? 0));
            }
        }

        // Each intake is a few storage round trips: a folder dropped at once is taken in several at a time (intake is
        // idempotent per version, and versions of different blobs share nothing but append-only records).
        await Parallel.ForEachAsync(fresh, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.SubmitParallelism), CancellationToken = cancellationToken }, async (blob, token) =>
        {
            var outcome = await intake.SubmitBlobAsync(blob.Name, blob.ETag, blob.Size, token);
            if (outcome.Decision != IntakeDecision.ClaimedElsewhere)
            {
                lock (listed)
                {
                    listed.Add((blob.Name, blob.ETag));
                }
            }
        });

        // Versions that left incoming are forgotten: the set follows the backlog, not history.
        seen = listed;
    }
}

/// <param name="SubmitParallelism">New blobs of one scan handed to intake at once (1: one after another).</param>
public sealed record WatcherOptions(TimeSpan PollInterval, int SubmitParallelism = WatcherOptions.DefaultSubmitParallelism)
{
    public const int DefaultSubmitParallelism = 16;
}
