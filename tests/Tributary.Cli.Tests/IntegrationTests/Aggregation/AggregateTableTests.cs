using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Blobs;
using Tributary.Cli.Runtime;
using Tributary.Cli.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tables.Delta;
using Tributary.Orchestrations.Tests.Aggregation;

namespace Tributary.Cli.Tests.IntegrationTests.Aggregation;

/// <summary>The dataset aggregate on real blob storage: racing refreshes, and `tributary query` over both tables.</summary>
public sealed class AggregateTableTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-aggregate-").FullName;

    private async Task<(DatasetTables Tables, CuratedTestTable Curated)> NewDatasetAsync(string dataset)
    {
        var store = new BlobStore(new BlobServiceClient(azurite.ConnectionString));
        await store.EnsureContainersAsync();
        var tables = new DatasetTables(store);
        return (tables, new CuratedTestTable(tables.Curated(dataset), work));
    }

    private AggregateRefresher NewRefresher(DatasetTables tables, string name)
    {
        // Its own cache and scratch folder, like a second worker process.
        var options = new PipelineOptions { WorkDirectory = Path.Combine(work, name) };
        return new AggregateRefresher(tables, new TableFileCache(options), options);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Refreshes_racing_for_consecutive_versions_end_equal_to_a_full_recompute_and_never_go_back()
    {
        var (tables, curated) = await NewDatasetAsync("race");
        var first = NewRefresher(tables, "one");
        var second = NewRefresher(tables, "two");
        var version = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 300)));
        await first.RefreshAsync("race", CuratedTestTable.Spec, version);

        for (var round = 0; round < 3; round++)
        {
            var older = await curated.CommitRunAsync(($"new{round}.csv", CuratedTestTable.Rows(10 + round, 100, firstDay: 2 + round, days: 2)));
            var newer = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(20 + round, 200)));
            var results = await Task.WhenAll(
                first.RefreshAsync("race", CuratedTestTable.Spec, older, $"older{round}"),
                second.RefreshAsync("race", CuratedTestTable.Spec, newer, $"newer{round}"),
                first.RefreshAsync("race", CuratedTestTable.Spec, newer, $"newer{round}-again"));

            Assert.All(results, r => Assert.True(r.CuratedVersion >= older));
            Assert.Equal(newer, await AggregateTableLog.ReflectedCuratedVersionAsync(tables.Aggregate("race"), await DeltaLog.ReadSnapshotAsync(tables.Aggregate("race"))));
            Assert.Equal(AggregateOracle.Expected(curated.ActiveRows), await AggregateOracle.ActualAsync(tables.Aggregate("race"), work));
        }

        // Reflected versions only grow, and no curated version was refreshed twice.
        var reflected = (await DeltaLog.ReadHistoryAsync(tables.Aggregate("race"))).Select(h => h.Field(AggregateTableLog.CuratedVersionField)!.Value.GetInt64()).ToList();
        Assert.Equal(reflected.Order().Distinct(), reflected);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Query_reads_the_curated_and_aggregate_views_travels_in_time_and_prints_json_and_csv()
    {
        var (tables, curated) = await NewDatasetAsync("sales");
        var refresher = NewRefresher(tables, "query");
        var v0 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 120)));
        var rowsAtV0 = curated.ActiveRows.Count();
        var groupsAtV0 = AggregateOracle.Expected(curated.ActiveRows).Count;
        await refresher.RefreshAsync("sales", CuratedTestTable.Spec, v0);
        var v1 = await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(2, 80, firstDay: 1, days: 1)), ("b.csv", CuratedTestTable.Rows(3, 50)));
        await refresher.RefreshAsync("sales", CuratedTestTable.Spec, v1);

        var json = await TributaryAsync("query", "sales", "SELECT count(*) AS n, sum(quantity) AS q FROM curated", "--json");
        Assert.Equal(0, json.ExitCode);
        using (var document = JsonDocument.Parse(json.Output))
        {
            Assert.Equal(130, document.RootElement[0].GetProperty("n").GetInt64());
            Assert.Equal(curated.ActiveRows.Sum(r => r.Quantity), document.RootElement[0].GetProperty("q").GetInt64());
        }

        var csv = await TributaryAsync("query", "sales", "SELECT day, category, sales FROM aggregate ORDER BY ALL", "--csv");
        Assert.Equal(0, csv.ExitCode);
        var lines = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("day,category,sales", lines[0]);
        Assert.Equal(AggregateOracle.Expected(curated.ActiveRows).Count, lines.Length - 1);

        var travel = await TributaryAsync("query", "sales", "SELECT (SELECT count(*) FROM curated) AS n, (SELECT count(*) FROM aggregate) AS g", "--version", "0", "--json");
        using (var document = JsonDocument.Parse(travel.Output))
        {
            Assert.Equal(rowsAtV0, document.RootElement[0].GetProperty("n").GetInt64());
            Assert.Equal(groupsAtV0, document.RootElement[0].GetProperty("g").GetInt64());
        }

        var table = await TributaryAsync("query", "sales", "SELECT category, sum(sales) AS sales FROM aggregate GROUP BY ALL ORDER BY ALL");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("category", table.Output);
        Assert.Contains("books", table.Output);

        var badSql = await TributaryAsync("query", "sales", "SELEC nothing FROM curated");
        Assert.NotEqual(0, badSql.ExitCode);
        Assert.Contains("syntax error", badSql.Error, StringComparison.OrdinalIgnoreCase);

        var unknown = await TributaryAsync("query", "no-such-dataset", "SELECT 1", "--json");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("no-such-dataset", unknown.Error);
        Assert.Equal("", unknown.Output.Trim());

        var badVersion = await TributaryAsync("query", "sales", "SELECT 1", "--version", "99");
        Assert.NotEqual(0, badVersion.ExitCode);
        Assert.Contains("not 99", badVersion.Error);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Aggregate_full_recomputes_everything_from_the_current_definition()
    {
        var (tables, curated) = await NewDatasetAsync("shop");
        await curated.CommitRunAsync(("a.csv", CuratedTestTable.Rows(1, 150)));
        await curated.CommitRunAsync(("b.csv", CuratedTestTable.Rows(2, 90)));
        Directory.CreateDirectory(Path.Combine(work, "datasets"));
        await File.WriteAllTextAsync(Path.Combine(work, "datasets", "shop.json"), JsonSerializer.Serialize(new
        {
            name = "shop",
            schema = new
            {
                columns = CuratedTestTable.Schema.Fields.Select(f => new { name = f.Name, type = f.Type switch { "integer" => "int", var t => t } }),
            },
            aggregation = CuratedTestTable.Spec,
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));

        var full = await TributaryAsync("aggregate", "shop", "--full");
        var again = await TributaryAsync("aggregate", "shop", "--full");
        var unknown = await TributaryAsync("aggregate", "nothing-here", "--full");

        Assert.True(full.ExitCode == 0, full.Error);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("reflects curated version 1", again.Output);
        Assert.Equal(AggregateOracle.Expected(curated.ActiveRows), await AggregateOracle.ActualAsync(tables.Aggregate("shop"), work));
        var history = await DeltaLog.ReadHistoryAsync(tables.Aggregate("shop"));
        Assert.Equal(["full", "full"], history.Select(h => h.CommitInfo!.OperationParameters["mode"]));
        Assert.Single((await DeltaLog.ReadSnapshotAsync(tables.Aggregate("shop")))!.ActiveFiles);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("unknown dataset 'nothing-here'", unknown.Error);
    }

    private async Task<(int ExitCode, string Output, string Error)> TributaryAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tributary.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[StorageConnection.EnvironmentVariable] = azurite.ConnectionString;
        start.Environment["Tributary__WorkDirectory"] = Path.Combine(work, "cli");
        start.Environment["Tributary__DatasetsPath"] = Path.Combine(work, "datasets");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);
}
