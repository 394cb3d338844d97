using Tributary.Orchestrations.Datasets;


namespace Tributary.Orchestrations.Tests.UnitTests;

public sealed class DatasetDefinitionTests : IDisposable
{
    private const string ValidYaml = """
        name: trips
        input:
          format: csv
          csv: { delimiter: ";", header: true, nullStrings: ["", "NA"] }
        schema:
          columns:
            - { name: id, type: long, required: true, min: 1 }
            - name: at
              type: timestamp
              format: "%Y-%m-%d %H:%M:%S"
              timeZone: Europe/Paris
            - { name: fare, type: "decimal(10,2)", max: 500 }
            - { name: kind, type: string, allowed: [a, b] }
          unknownColumns: reject
        failureTolerance: 0.1
        aggregation:
          groupBy:
            - { name: day, column: at, dateTrunc: day }
          measures:
            - { name: trips, function: count }
            - { name: p90, function: quantile, column: fare, p: 0.9 }
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("tributary-datasets-").FullName;

    [Fact]
    public void The_shipped_taxi_definition_is_valid()
    {
        var taxi = DatasetDefinitionLoader.LoadFile(Path.Combine(RepositoryRoot(), "datasets", "taxi.json"));

        Assert.Equal("taxi", taxi.Name);
        Assert.Equal(10, taxi.Schema.Columns.Count);
        Assert.Equal(0.05, taxi.FailureTolerance);
    }

    [Fact]
    public void A_YAML_definition_loads_with_its_types()
    {
        var trips = DatasetDefinitionLoader.LoadFile(Write("trips.yaml", ValidYaml));

        Assert.Equal(";", trips.Input.Csv.Delimiter);
        Assert.Equal(["", "NA"], trips.Input.Csv.NullStrings);
        Assert.True(trips.Schema.Columns[0].Required);
        Assert.Equal(1, trips.Schema.Columns[0].Min);
        Assert.Equal("%Y-%m-%d %H:%M:%S", trips.Schema.Columns[1].Format);
        Assert.Equal(UnknownColumnPolicy.Reject, trips.Schema.UnknownColumns);
        Assert.Equal(0.9, trips.Aggregation.Measures[1].P);
    }

    [Fact]
    public void Input_afterCommit_defaults_to_archive_and_accepts_only_archive_delete_or_keep()
    {
        Assert.Equal(InputLifecycle.Archive, DatasetDefinitionLoader.LoadFile(Write("trips.yaml", ValidYaml)).Input.AfterCommit);
        var keep = ValidYaml.Replace("  format: csv\n", "  format: csv\n  afterCommit: keep\n", StringComparison.Ordinal);
        Assert.Equal(InputLifecycle.Keep, DatasetDefinitionLoader.LoadFile(Write("keep.yaml", keep)).Input.AfterCommit);

        var file = Write("move.yaml", keep.Replace("afterCommit: keep", "afterCommit: move", StringComparison.Ordinal));
        var error = Assert.Throws<DatasetDefinitionException>(() => DatasetDefinitionLoader.LoadFile(file));
        Assert.Contains("line 4, input.afterCommit: 'move' is not one of archive, delete, keep", error.Message);
    }

    [Fact]
    public void A_YAML_error_names_the_file_the_line_and_the_path()
    {
        var file = Write("trips.yaml", ValidYaml.Replace("type: \"decimal(10,2)\"", "type: money", StringComparison.Ordinal));

        var error = Assert.Throws<DatasetDefinitionException>(() => DatasetDefinitionLoader.LoadFile(file));

        Assert.Contains(file, error.Message);
        Assert.Contains("line 12, schema.columns[2].type: 'money' is not a column type", error.Message);
    }

    [Fact]
    public void A_JSON_type_error_names_the_line_and_the_path()
    {
        var file = Write("bad.json", """
            {
              "name": "bad",
              "schema": { "columns": [ { "name": "id", "type": "long" } ] },
              "failureTolerance": "lots",
              "aggregation": { "groupBy": [], "measures": [ { "name": "n", "function": "count" } ] }
            }
            """);

        var error = Assert.Throws<DatasetDefinitionException>(() => DatasetDefinitionLoader.LoadFile(file));

        Assert.Contains($"{file}: line 4, failureTolerance:", error.Message);
    }

    [Fact]
    public void A_misspelt_property_is_an_error_not_silently_ignored()
    {
        var file = Write("typo.json", """
            {
              "name": "typo",
              "schema": { "columns": [ { "name": "id", "type": "long", "requried": true } ] },
              "aggregation": { "groupBy": [], "measures": [ { "name": "n", "function": "count" } ] }
            }
            """);

        var error = Assert.Throws<DatasetDefinitionException>(() => DatasetDefinitionLoader.LoadFile(file));

        Assert.Contains("requried", error.Message);
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void Semantic_errors_are_all_reported_with_their_lines()
    {
        var file = Write("semantic.yaml", ValidYaml
            .Replace("column: at, dateTrunc: day", "column: kind, dateTrunc: day", StringComparison.Ordinal)
            .Replace("column: fare, p: 0.9", "column: tip, p: 0.9", StringComparison.Ordinal));

        var error = Assert.Throws<DatasetDefinitionException>(() => DatasetDefinitionLoader.LoadFile(file));

        Assert.Contains("line 18, aggregation.groupBy[0].dateTrunc: 'kind' is not a date or timestamp", error.Message);
        Assert.Contains("line 21, aggregation.measures[1].column: 'tip' is not a schema column", error.Message);
    }

    [Fact]
    public void The_catalog_picks_up_a_new_or_changed_definition_without_a_restart()
    {
        var catalog = new DatasetCatalog(folder);
        Assert.Null(catalog.Find("trips"));

        Write("trips.yaml", ValidYaml);
        Assert.Equal(0.1, catalog.Get("trips").FailureTolerance);

        File.WriteAllText(Path.Combine(folder, "trips.yaml"), ValidYaml.Replace("failureTolerance: 0.1", "failureTolerance: 0.2", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(Path.Combine(folder, "trips.yaml"), DateTime.UtcNow.AddSeconds(5));
        Assert.Equal(0.2, catalog.Get("trips").FailureTolerance);
    }

    [Fact]
    public void A_definition_must_be_named_like_its_file()
    {
        Write("other.yaml", ValidYaml);

        var error = Assert.Throws<DatasetDefinitionException>(() => new DatasetCatalog(folder).Get("other"));

        Assert.Contains("must equal the file name 'other'", error.Message);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
