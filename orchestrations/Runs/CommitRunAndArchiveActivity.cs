using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Tributary.Orchestrations.Runs;

/// <summary>
/// The manifest (last of the run's writes), then the inputs leave incoming as the manifest's afterCommit says, in one
/// activity: one engine round trip less per run (<see cref="RunShapeOptions.ArchiveWithManifest"/>). As with the two
/// activities, a failure to move the inputs does not change the committed run: they stay in incoming, claimed, and
/// the failure is logged; a redelivered activity writes the same manifest again and finishes the moves.
/// </summary>
public sealed class CommitRunAndArchiveActivity(CommitRunActivity commit, ArchiveInputsActivity archive, ILogger<CommitRunAndArchiveActivity> logger)
    : TaskActivity<RunManifest, RunManifest>
{
    private const int MoveAttempts = 3;

    public override async Task<RunManifest> RunAsync(TaskActivityContext context, RunManifest draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var manifest = await commit.RunAsync(context, draft);
        var leaving = manifest.InputsAfterCommit ?? [];
        if (leaving.All(a => a.Action == Datasets.InputLifecycle.Keep))
        {
            return manifest;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await archive.RunAsync(context, new ArchiveInputsRequest(manifest.RunId, manifest.Dataset, leaving));
                return manifest;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt < MoveAttempts)
                {
                    continue;
                }

                logger.LogWarning("Run {RunId}: its inputs could not leave incoming ({Error}); they stay there, claimed", manifest.RunId, ex.Message);
                return manifest;
            }
        }
    }
}
