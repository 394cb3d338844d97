using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.UnitTests;

public sealed class ChunkPlannerTests
{
    [Theory]
    [InlineData("csv", "orders/a.csv", 1)]
    [InlineData("csv", "orders/b.csv", 64 * 1024)]
    [InlineData("jsonl", "orders/c.jsonl", 12_000)]
    public async Task A_text_file_no_larger_than_one_chunk_is_planned_as_that_chunk_without_reading_it(string format, string name, long size)
    {
        // No store: planning such a file must not download it (the chunk's pre-pass reads it once, and finds its problems).
        // Larger files are scanned for record boundaries (the multi-chunk tests on Azurite).
        var planner = new ChunkPlanner(null!, new PipelineOptions());
        var input = new BlobReference(BlobContainers.Incoming, name, "\"etag\"", size);

        var dataset = TestDatasets.Orders(format);
        Assert.Equal(64 * 1024, dataset.Input.ChunkSizeBytes);
        var plan = await planner.PlanAsync("run-1", dataset, input, firstIndex: 3);

        Assert.Null(plan.Problem);
        var chunk = Assert.Single(plan.Chunks);
        Assert.Equal(new ChunkSpec("run-1", "orders", 3, input, DataFormats.FromFileName(name)!.Value), chunk);
        Assert.Null(chunk.Offset);
    }
}
