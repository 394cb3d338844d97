using System.Diagnostics;
using Microsoft.DurableTask;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// Processes several small chunks in one activity: staged, then processed under one slot by
/// <see cref="CsvPackProcessor"/> (which decides which chunks share one DuckDB pass and gives the others the single
/// path), their parts' stats read by one query, then each chunk published and traced as its own (same deterministic
/// outputs, so a retried pack overwrites what it wrote before). With <see cref="PipelineOptions.SharedPackPass"/> off,
/// each chunk exactly as <see cref="ProcessChunkActivity"/> does it.
/// </summary>
public sealed class ProcessChunkPackActivity(
    ProcessChunkActivity single,
    CsvPackProcessor packProcessor,
    FrozenDefinitions definitions,
    ChunkSlots slots,
    PipelineOptions options) : TaskActivity<IReadOnlyList<ChunkSpec>, IReadOnlyList<ChunkResult>>
{
    public override async Task<IReadOnlyList<ChunkResult>> RunAsync(TaskActivityContext context, IReadOnlyList<ChunkSpec> pack)
    {
        if (!options.SharedPackPass || pack.Count < 2)
        {
            var results = new List<ChunkResult>(pack.Count);
            foreach (var chunk in pack)
            {
                results.Add(await single.RunAsync(context, chunk));
            }

            return results;
        }

        return await ProcessTogetherAsync(pack);
    }

    private async Task<IReadOnlyList<ChunkResult>> ProcessTogetherAsync(IReadOnlyList<ChunkSpec> pack)
    {
        var dataset = await definitions.GetAsync(pack[0].Dataset, pack[0].DefinitionHash);
        var clocks = pack.Select(_ => new StageClock()).ToList();
        var works = new List<WorkDirectory>(pack.Count);
        try
        {
            var outcomes = new ChunkOutcome?[pack.Count];
            var members = new List<(int Index, PackMember Member)>();
            for (var i = 0; i < pack.Count; i++)
            {
                var chunk = pack[i];
                works.Add(new WorkDirectory(options.WorkDirectory, $"chunk-{chunk.Index}"));
                clocks[i].BeginLaps();
                var (local, unreadable) = await single.StageAsync(chunk, works[i]);
                clocks[i].Lap(ref clocks[i].Staging);
                clocks[i].SharesWork();
                outcomes[i] = unreadable;
                if (unreadable is null)
                {
                    members.Add((i, new PackMember(LocalChunk.Of(chunk, local), works[i].File("curated.parquet"), works[i].File("rejected.jsonl"), works[i].Path)));
                }
            }

            var waited = Stopwatch.StartNew();
            var sizes = members.Select(m => new FileInfo(m.Member.Chunk.LocalPath).Length).ToList();
            var bytes = sizes.Sum();
            var small = bytes <= dataset.Input.ChunkSizeBytes / 2;
            using (await slots.TakeAsync(small))
            {
                var slotWait = waited.Elapsed;
                var processed = packProcessor.Process(members.Select(m => m.Member).ToList(), dataset, works[0].Path, options.DuckDbChunkMemoryLimit, ChunkSlots.ThreadsFor(small));
                var duckDb = waited.Elapsed - slotWait;
                for (var m = 0; m < members.Count; m++)
                {
                    var clock = clocks[members[m].Index];
                    outcomes[members[m].Index] = processed[m];
                    clock.SlotWait = StageClock.Share(slotWait, sizes[m], bytes, members.Count);
                    clock.DuckDb = StageClock.Share(duckDb, sizes[m], bytes, members.Count);
                }
            }

            // The curated parts' Delta stats, read by one query for the pack (each part's alone costs its planning).
            var stats = new DeltaFileStats?[pack.Count];
            var parts = Enumerable.Range(0, pack.Count).Where(i => outcomes[i]!.FileProblem is null).ToList();
            var read = Stopwatch.StartNew();
            var partSizes = parts.Select(i => new FileInfo(works[i].File("curated.parquet")).Length).ToList();
            var partBytes = partSizes.Sum();
            using (var loan = DuckDbDatabases.Shared.Borrow(threads: 1, inputBytes: partBytes))
            {
                var computed = await DeltaFileStats.ComputeManyAsync(parts.Select(i => works[i].File("curated.parquet")).ToList(), loan.Connection);
                for (var p = 0; p < parts.Count; p++)
                {
                    (stats[parts[p]], clocks[parts[p]].Stats) = (computed[p], StageClock.Share(read.Elapsed, partSizes[p], partBytes, parts.Count));
                }
            }

            var results = new List<ChunkResult>(pack.Count);
            for (var i = 0; i < pack.Count; i++)
            {
                var (chunk, work, clock, outcome, partStats) = (pack[i], works[i], clocks[i], outcomes[i]!, stats[i]);
                clock.BeginLaps();
                results.Add(await single.TraceAsync(chunk, () => single.PublishAsync(chunk, dataset, work, outcome, clock, partStats)));
            }

            return results;
        }
        finally
        {
            foreach (var work in works)
            {
                work.Dispose();
            }
        }
    }
}
