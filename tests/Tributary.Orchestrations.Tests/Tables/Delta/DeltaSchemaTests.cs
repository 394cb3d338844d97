using System.Text.Json;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Tables.Delta;

/// <summary>schemaString as in the protocol's "Schema Serialization Format", and the evolution rule.</summary>
public sealed class DeltaSchemaTests
{
    [Theory]
    [InlineData("string")]
    [InlineData("integer")]
    [InlineData("long")]
    [InlineData("double")]
    [InlineData("boolean")]
    [InlineData("date")]
    [InlineData("timestamp")]
    [InlineData("decimal(10,2)")]
    [InlineData("decimal(38,0)")]
    public void Each_primitive_type_is_a_struct_field_like_the_spec_example(string type)
    {
        var schemaString = new DeltaSchema(new DeltaField("a", type, Nullable: false), new DeltaField("b", type)).ToSchemaString();

        // The spec's example field, compacted: {"name":"a","type":"integer","nullable":false,"metadata":{}}.
        Assert.Equal(
            "{\"type\":\"struct\",\"fields\":[" +
            $"{{\"name\":\"a\",\"type\":\"{type}\",\"nullable\":false,\"metadata\":{{}}}}," +
            $"{{\"name\":\"b\",\"type\":\"{type}\",\"nullable\":true,\"metadata\":{{}}}}]}}",
            schemaString);
        var parsed = DeltaSchema.Parse(schemaString);
        Assert.Equal([("a", type, false), ("b", type, true)], parsed.Fields.Select(f => (f.Name, f.Type, f.Nullable)));
        Assert.Equal(schemaString, parsed.ToSchemaString());
    }

    [Fact]
    public void The_specs_nested_example_parses_and_round_trips_its_types()
    {
        var example = """
            {"type":"struct","fields":[
              {"name":"a","type":"integer","nullable":false,"metadata":{}},
              {"name":"b","type":{"type":"struct","fields":[{"name":"d","type":"integer","nullable":false,"metadata":{}}]},"nullable":true,"metadata":{}},
              {"name":"c","type":{"type":"array","elementType":"integer","containsNull":false},"nullable":true,"metadata":{}},
              {"name":"f","type":{"type":"map","keyType":"string","valueType":"string","valueContainsNull":true},"nullable":true,"metadata":{"comment":"x"}}]}
            """;
        var schema = DeltaSchema.Parse(example);
        Assert.Equal(["a", "b", "c", "f"], schema.Fields.Select(f => f.Name));
        Assert.False(schema.Fields[1].IsPrimitive);
        var again = JsonDocument.Parse(schema.ToSchemaString()).RootElement.GetProperty("fields");
        Assert.Equal("map", again[3].GetProperty("type").GetProperty("type").GetString());
        Assert.Equal("x", again[3].GetProperty("metadata").GetProperty("comment").GetString());
        Assert.Equal(JsonValueKind.Object, again[1].GetProperty("type").ValueKind);
    }

    [Fact]
    public void Names_must_be_unique_ignoring_case_and_decimals_stay_in_range()
    {
        Assert.Throws<ArgumentException>(() => new DeltaSchema(new DeltaField("Fare", "double"), new DeltaField("fare", "double")).ToSchemaString());
        Assert.Throws<ArgumentOutOfRangeException>(() => DeltaTypes.Decimal(39, 2));
        Assert.Equal("decimal(10,2)", DeltaTypes.FromDuckDb("DECIMAL(10,2)"));
        Assert.Equal("timestamp", DeltaTypes.FromDuckDb("TIMESTAMP WITH TIME ZONE"));
        Assert.Equal("long", DeltaTypes.FromDuckDb("BIGINT"));
    }

    [Fact]
    public void Only_new_nullable_columns_are_an_allowed_evolution()
    {
        var current = new DeltaSchema(new DeltaField("id", "long", false), new DeltaField("fare", "decimal(10,2)"));

        Assert.Equal(DeltaSchemaChange.Same, current.CompareTo(current).Change);

        var evolved = current.CompareTo(new DeltaSchema(new DeltaField("id", "long", false), new DeltaField("fare", "decimal(10,2)"), new DeltaField("tip", "double")));
        Assert.Equal(DeltaSchemaChange.NewNullableColumns, evolved.Change);
        Assert.True(evolved.IsAllowed);
        Assert.Equal(["tip"], evolved.AddedColumns);

        var broken = current.CompareTo(new DeltaSchema(new DeltaField("ID", "long", false), new DeltaField("tip", "double", Nullable: false)));
        Assert.Equal(DeltaSchemaChange.Incompatible, broken.Change);
        Assert.Equal(["id", "fare", "tip"], broken.IncompatibleColumns);
        Assert.Contains("renamed", broken.ToString(), StringComparison.Ordinal);

        var retyped = current.CompareTo(new DeltaSchema(new DeltaField("id", "long", false), new DeltaField("fare", "double")));
        Assert.Equal(["fare"], retyped.IncompatibleColumns);
        Assert.Contains("decimal(10,2) to double", retyped.Reasons.Single(), StringComparison.Ordinal);
    }
}
