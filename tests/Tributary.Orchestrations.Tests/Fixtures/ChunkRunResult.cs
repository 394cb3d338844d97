using System.Text.Json;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.Fixtures;

/// <summary>Runs the processing path over a local file and reads back what it wrote.</summary>
public sealed class ChunkRunResult
{
    public required IReadOnlyList<LocalFileRunner.ChunkRun> Chunks { get; init; }
    public required List<JsonElement> Rejected { get; init; }
    public required List<string> CuratedIds { get; init; }

    public long Read => Chunks.Sum(c => c.Outcome.RowsRead);
    public long Curated => Chunks.Sum(c => c.Outcome.RowsCurated);
    public long RejectedCount => Chunks.Sum(c => c.Outcome.RowsRejected);

    public static async Task<ChunkRunResult> RunAsync(string path, DatasetDefinition dataset, string work, long? targetBytes = null)
    {
        var chunks = await LocalFileRunner.RunAsync(path, dataset, Path.Combine(work, "out-" + Guid.NewGuid().ToString("N")), targetBytes);
        var rejected = chunks.Where(c => c.RejectedPath is not null)
            .SelectMany(c => File.ReadAllLines(c.RejectedPath!))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
        var ids = new List<string>();
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        foreach (var chunk in chunks.Where(c => c.Outcome.FileProblem is null))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT CAST(id AS VARCHAR) FROM read_parquet('{chunk.CuratedPath}')";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
        }

        return new ChunkRunResult { Chunks = chunks, Rejected = rejected, CuratedIds = ids };
    }
}
