using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Models;

namespace Tributary.Orchestrations.Processing;

/// <summary>Splits an input file into chunks. For now a chunk is a whole file.</summary>
public class ChunkPlanner
{
    /// <summary>A reason the whole file cannot be processed, known before reading it; null when it can.</summary>
    public virtual string? ProblemOf(BlobReference input, DatasetDefinition dataset)
    {
        if (input.Size == 0)
        {
            return "the file is empty";
        }

        return DataFormats.FromFileName(input.Name) is null
            ? $"'{Path.GetFileName(input.Name)}' has no known format extension (.csv, .jsonl, .parquet, optionally .gz)"
            : null;
    }

    public virtual Task<IReadOnlyList<ChunkSpec>> PlanAsync(string runId, DatasetDefinition dataset, BlobReference input, int firstIndex)
    {
        var format = DataFormats.FromFileName(input.Name)!;
        IReadOnlyList<ChunkSpec> chunks = [new ChunkSpec(runId, dataset.Name, firstIndex, input, format)];
        return Task.FromResult(chunks);
    }
}
