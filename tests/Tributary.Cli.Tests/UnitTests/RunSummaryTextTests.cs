using Tributary.Cli.Commands;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Cli.Tests.UnitTests;

public sealed class RunSummaryTextTests
{
    private static readonly BlobReference Input = new(BlobContainers.Incoming, "taxi/trips.csv", "0x1", 2_048_000);

    [Fact]
    public void The_summary_shows_the_funnel_the_slowest_chunk_the_table_version_and_the_engine_link()
    {
        var started = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
        var manifest = new RunManifest(
            "taxi-abc", "taxi", RunStatus.Succeeded, null, [Input],
            [
                new ChunkResult(0, Input, 0, 1_000_000, 6_000, 5_900, 100, "curated/a", "rejected/a", 1.25),
                new ChunkResult(1, Input, 1_000_000, 1_048_000, 4_000, 4_000, 0, "curated/b", null, 3.5),
            ],
            [],
            new RunTotals(10_000, 9_900, 100, 0),
            new AggregationOutcome("databricks", "42", "https://adb.example/run/42", 12, ["results/taxi/aggregate"], AggregationState.Succeeded, "done"),
            ["curated/a", "curated/b", "rejected/a", "results/taxi/aggregate"],
            new RunTimings(started, started.AddSeconds(5), started.AddSeconds(9), started.AddSeconds(10)),
            null,
            Table: new TableVersion(7, 2, 0));
        var reasons = new RejectReasons([("payment_type: not one of the allowed values", 60), ("fare_amount: below 0", 40)], 100, Complete: true);

        var text = string.Join('\n', RunSummaryText.Lines(manifest, reasons));

        Assert.StartsWith("Run taxi-abc  Succeeded", text, StringComparison.Ordinal);
        Assert.Contains("10,000 read -> 9,900 curated / 100 rejected (1.0%)", text, StringComparison.Ordinal);
        Assert.Contains("chunks      2, slowest #1 3.50 s (4,000 rows of taxi/trips.csv)", text, StringComparison.Ordinal);
        Assert.Contains("table       version 7 (+2 / -0 files)", text, StringComparison.Ordinal);
        Assert.Contains("aggregation databricks: Succeeded, done", text, StringComparison.Ordinal);
        Assert.Contains("run page https://adb.example/run/42", text, StringComparison.Ordinal);
        Assert.Contains("      60  payment_type: not one of the allowed values", text, StringComparison.Ordinal);
        Assert.Contains("total 10.00 s, processed in 5.00 s, aggregated in 4.00 s", text, StringComparison.Ordinal);
        Assert.Contains("outputs     4", text, StringComparison.Ordinal);
    }
}
