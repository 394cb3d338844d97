using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The standalone host's blob trigger: polls incoming/ and hands each new blob version to the core's intake.
/// What has been taken in is recorded in storage by the intake (claims), so a restart neither misses nor
/// repeats a blob; the in-memory set only saves calls. Processed inputs leave incoming (input.afterCommit = archive or
/// delete), so a listing, and the first scan after a restart, cost what the backlog holds, not history; datasets that
/// keep their inputs pay one claim check per kept blob after a restart, as before. The set holds only what the last
/// listing showed, so it is bounded by incoming too. Files of a `drop` (blob metadata names the drop) wait for the drop's
/// manifest and go into its runs together; a drop whose manifest does not come is taken in file by file after
/// <see cref="PipelineOptions.DropManifestWait"/>. A listing costs what incoming holds, so scans are paced by
/// <see cref="PollPacing"/>: every PollInterval while quick, rarer while a large backlog waits; in between, only the drop
/// manifests' folder is listed, every PollInterval, so a drop is sealed at once whatever the backlog.
/// </summary>
public sealed class BlobWatcher(BlobServiceClient blobs, RunIntake intake, WatcherOptions options, PipelineOptions pipeline, ILogger<BlobWatcher> logger) : BackgroundService
{
    private HashSet<(string Name, string ETag)> seen = [];

    /// <summary>Files (name, unquoted ETag) that drops sealed since the last full scan ended: not taken in again by the next one.</summary>
    private readonly HashSet<(string Name, string ETag)> sealedByDrops = [];

    private DateTime nextFullScan = DateTime.MinValue;

    /// <summary>How long the current scan's listing took, once it is done: the part of a scan that grows with incoming.</summary>
    private TimeSpan lastListing;

    /// <summary>Drops sealed at once (see <see cref="SealAllAsync"/>).</summary>
    private const int DropSealParallelism = 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var container = blobs.GetBlobContainerClient(BlobContainers.Incoming);
        await container.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        await PollPacing.RunAsync(options.PollInterval, async token =>
        {
            lastListing = TimeSpan.Zero;
            if (DateTime.UtcNow < nextFullScan)
            {
                // Between full listings, paced by what incoming holds, the few drop manifests are listed by their
                // prefix every interval: a drop is sealed as soon as its manifest lands, however large the backlog.
                await SealDropsAsync(container, token);
                return TimeSpan.Zero;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            await ScanAsync(container, token);
            nextFullScan = DateTime.UtcNow + PollPacing.DelayAfter(options.PollInterval, clock.Elapsed, lastListing) - options.PollInterval;
            return TimeSpan.Zero;
        }, ex =>
        {
            // The host never stops watching because of one bad scan; it rests for the listing, if that got done.
            logger.LogError(ex, "Scan of {Container} failed; retrying", BlobContainers.Incoming);
            return lastListing;
        }, stoppingToken);
    }

    /// <summary>Seals the drops whose manifests are in incoming now (a listing of the manifests' folder only).</summary>
    private async Task SealDropsAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        var manifests = new List<(string Name, string ETag)>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, StorageLayout.DropManifestsFolder, cancellationToken))
        {
            var key = (blob.Name, blob.Properties.ETag!.Value.ToString());
            if (!seen.Contains(key))
            {
                manifests.Add(key);
            }
        }

        await SealAllAsync(manifests, landed: null, seen, cancellationToken);
    }

    /// <summary>
    /// Seals the listed drops, a few at a time: each is a claim per file and a run start, and drops landing a second
    /// apart would otherwise queue behind each other (a 2,000-file drop's parts waited up to 5 s for the seals before
    /// theirs). Drops share nothing but append-only claims, and each seal is idempotent.
    /// </summary>
    private Task SealAllAsync(
        List<(string Name, string ETag)> manifests, IReadOnlyDictionary<(string Name, string ETag), DateTimeOffset>? landed, HashSet<(string Name, string ETag)> done, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(manifests, new ParallelOptions { MaxDegreeOfParallelism = DropSealParallelism, CancellationToken = cancellationToken }, async (manifest, token) =>
        {
            if (await SealAsync(manifest.Name, landed, token))
            {
                lock (done)
                {
                    done.Add(manifest);
                }
            }
        });

    /// <summary>
    /// Seals one drop. True when its manifest is done with: sealed (and deleted), or unreadable (then left for a person,
    /// and not read again every scan); its files are then in <see cref="sealedByDrops"/>, so no scan takes them in alone.
    /// </summary>
    private async Task<bool> SealAsync(string manifest, IReadOnlyDictionary<(string Name, string ETag), DateTimeOffset>? landed, CancellationToken cancellationToken)
    {
        var seal = await intake.SealDropAsync(manifest, landed, cancellationToken);
        if (seal.Outcome.Decision == IntakeDecision.ClaimedElsewhere)
        {
            return false;
        }

        lock (sealedByDrops)
        {
            sealedByDrops.UnionWith(seal.Files.Select(f => (f.Name, f.ETag.Trim('"'))));
        }

        return true;
    }

    /// <summary>One scan; sets <see cref="lastListing"/> once its listing is done (the part that grows with what incoming holds).</summary>
    private async Task ScanAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        var listing = System.Diagnostics.Stopwatch.StartNew();
        var listed = new HashSet<(string Name, string ETag)>();
        var fresh = new List<(string Name, string ETag, long Size, string? Drop, DateTimeOffset Modified)>();
        var manifests = new List<(string Name, string ETag)>();
        var landed = new Dictionary<(string Name, string ETag), DateTimeOffset>();
        // Metadata comes with the listing at no extra round trip: it says which files belong to a drop.
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken))
        {
            var key = (blob.Name, blob.Properties.ETag!.Value.ToString());
            if (seen.Contains(key))
            {
                listed.Add(key);
            }
            else if (StorageLayout.IsDropManifest(blob.Name))
            {
                manifests.Add(key);
            }
            else
            {
                fresh.Add((key.Name, key.Item2, blob.Properties.ContentLength ?? 0, DropMetadata.DropOf(blob.Metadata), blob.Properties.LastModified ?? DateTimeOffset.UtcNow));
                if (blob.Properties.LastModified is { } modified)
                {
                    landed[(key.Name, key.Item2.Trim('"'))] = modified;
                }
            }
        }

        lastListing = listing.Elapsed;

        // Drops first: their files go into the drop's runs, and need no intake of their own afterwards.
        await SealAllAsync(manifests, landed, listed, cancellationToken);

        // Files of a drop still uploading wait for its manifest (no round trip now; the next scan looks again).
        var uploading = DropPlanner.StillUploading(
            fresh.Where(b => b.Drop is not null).Select(b => (b.Drop!, b.Modified)), DateTimeOffset.UtcNow, pipeline.DropManifestWait);
        var submit = new List<(string Name, string ETag, long Size)>();
        foreach (var blob in fresh)
        {
            if (sealedByDrops.Contains((blob.Name, blob.ETag.Trim('"'))))
            {
                listed.Add((blob.Name, blob.ETag));
            }
            else if (blob.Drop is null || !uploading.Contains(blob.Drop))
            {
                submit.Add((blob.Name, blob.ETag, blob.Size));
            }
        }

        // Each intake is a few storage round trips: a folder dropped at once is taken in several at a time (intake is
        // idempotent per version, and versions of different blobs share nothing but append-only records).
        await Parallel.ForEachAsync(submit, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.SubmitParallelism), CancellationToken = cancellationToken }, async (blob, token) =>
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

        // Versions that left incoming are forgotten: the set follows the backlog, not history. What drops sealed and is
        // still in incoming is in it now.
        seen = listed;
        sealedByDrops.Clear();
    }
}

/// <param name="SubmitParallelism">New blobs of one scan handed to intake at once (1: one after another).</param>
public sealed record WatcherOptions(TimeSpan PollInterval, int SubmitParallelism = WatcherOptions.DefaultSubmitParallelism)
{
    public const int DefaultSubmitParallelism = 16;
}
