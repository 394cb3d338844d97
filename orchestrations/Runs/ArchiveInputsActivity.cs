using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Tributary.Orchestrations.Runs;

/// <summary>What to do with a committed run's inputs (decided before its manifest, which records it).</summary>
public sealed record ArchiveInputsRequest(string RunId, string Dataset, IReadOnlyList<InputAfterCommit> Inputs);

/// <summary>
/// Carries out <c>input.afterCommit</c> for a run whose manifest is written: each input is archived, deleted or kept by
/// <see cref="InputArchiver"/>. Idempotent: called again after a crash, it finishes what the last attempt left.
/// </summary>
public sealed class ArchiveInputsActivity(InputArchiver archiver, ILogger<ArchiveInputsActivity> logger) : TaskActivity<ArchiveInputsRequest, IReadOnlyList<InputMove>>
{
    public override async Task<IReadOnlyList<InputMove>> RunAsync(TaskActivityContext context, ArchiveInputsRequest request)
    {
        var moves = new List<InputMove>(request.Inputs.Count);
        foreach (var input in request.Inputs)
        {
            moves.Add(await archiver.MoveAsync(input));
        }

        logger.LogInformation(
            "Run {RunId}: inputs after commit: {Moves}",
            request.RunId,
            string.Join(", ", moves.GroupBy(m => m).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")));
        return moves;
    }
}
