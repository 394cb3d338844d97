using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Tests.Fixtures;

public static class TestDatasets
{
    /// <summary>A small dataset with one rule of each kind, so each reject reason can be asserted exactly.</summary>
    public static DatasetDefinition Orders(string format = "csv", string unknownColumns = "ignore") => new()
    {
        Name = "orders",
        Input = new InputSpec { Format = format, ChunkSizeBytes = 64 * 1024 },
        Schema = new SchemaSpec
        {
            Columns =
            [
                new ColumnSpec { Name = "id", Type = "long", Required = true, Min = 1 },
                new ColumnSpec { Name = "amount", Type = "decimal(10,2)", Required = true, Max = 100 },
                new ColumnSpec { Name = "kind", Type = "string", Allowed = ["a", "b"] },
                new ColumnSpec { Name = "note", Type = "string" },
            ],
            UnknownColumns = unknownColumns,
        },
        Aggregation = new AggregationSpec { GroupBy = [], Measures = [new MeasureSpec { Name = "n", Function = "count" }] },
    };
}
