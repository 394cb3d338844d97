using System.Diagnostics.Metrics;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Orchestrations.Telemetry;

namespace Tributary.Orchestrations.Tests.Tables.Delta;

public sealed class DeltaCommitMetricsTests
{
    [Fact]
    public async Task A_lost_race_counts_one_conflict_and_one_retry_for_its_table()
    {
        var table = "curated/metrics-" + Guid.NewGuid().ToString("N");
        var counted = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TributaryTelemetry.Name && instrument.Name.StartsWith("tributary.table.commit.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == TributaryTelemetry.Attributes.Table && Equals(tag.Value, table))
                {
                    lock (counted)
                    {
                        counted[instrument.Name] = counted.GetValueOrDefault(instrument.Name) + value;
                    }
                }
            }
        });
        listener.Start();

        var store = new InMemoryDeltaStore();
        await DeltaTestTables.CommitAsync(store, "create", DeltaTestTables.Add("old.parquet"));
        var planned = 0;
        var result = await DeltaCommitter.CommitAsync(
            store,
            "ours",
            snapshot =>
            {
                if (planned++ == 0)
                {
                    // Another writer commits between our read and our write.
                    DeltaTestTables.CommitAsync(store, "other", DeltaTestTables.Add("other.parquet")).GetAwaiter().GetResult();
                }

                return new DeltaCommitPlan([DeltaTestTables.Add("new.parquet")], []);
            },
            DeltaCommitOptions.Default with { Table = table },
            CancellationToken.None);

        Assert.Equal(1, result.Conflicts);
        Assert.Equal(result.Conflicts, counted.GetValueOrDefault("tributary.table.commit.conflicts"));
        Assert.Equal(result.Attempts - 1, counted.GetValueOrDefault("tributary.table.commit.retries"));
    }
}
