using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Runs;

/// <summary>What to do with a committed run's inputs (decided before its manifest, which records it).</summary>
public sealed record ArchiveInputsRequest(string RunId, string Dataset, IReadOnlyList<InputAfterCommit> Inputs);

/// <summary>
/// Carries out <c>input.afterCommit</c> for a run whose manifest is written: each input is archived, deleted or kept by
/// <see cref="InputArchiver"/>. Idempotent: called again after a crash, it finishes what the last attempt left.
/// </summary>
public sealed class ArchiveInputsActivity(InputArchiver archiver, ILogger<ArchiveInputsActivity> logger) : TaskActivity<ArchiveInputsRequest, IReadOnlyList<InputMove>>
{
    public const int MovesInFlight = 16;

    public override Task<IReadOnlyList<InputMove>> RunAsync(TaskActivityContext context, ArchiveInputsRequest request) =>
        TributaryTelemetry.TraceRunAsync(logger, TributaryTelemetry.Spans.Archive, request.RunId, request.Dataset, span =>
        {
            span?.SetTag("tributary.inputs", request.Inputs.Count);
            return MoveAllAsync(request);
        });

    private async Task<IReadOnlyList<InputMove>> MoveAllAsync(ArchiveInputsRequest request)
    {
        // Each move is a few storage round trips; a batch run moves hundreds, so they go 16 at a time to keep the
        // work item well inside the engine's visibility timeout (a longer one is delivered again).
        var moves = new InputMove[request.Inputs.Count];
        await Parallel.ForAsync(0, moves.Length, new ParallelOptions { MaxDegreeOfParallelism = MovesInFlight }, async (i, cancellationToken) =>
            moves[i] = await archiver.MoveAsync(request.Inputs[i], cancellationToken));

        logger.LogInformation(
            "Run {RunId}: inputs after commit: {Moves}",
            request.RunId,
            string.Join(", ", moves.GroupBy(m => m).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")));
        return moves;
    }
}
