using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations;

namespace Tributary.Functions.Tests.UnitTests;

/// <summary>
/// host.json, the app's settings and the functions agree: task hub, queue behaviour, connections, and
/// every function named in a setting exists. (The Kubernetes tests check the manifests against host.json.)
/// </summary>
public sealed partial class HostSettingsTests
{
    private static readonly JsonNode Host = RepositoryFiles.ReadJson(RepositoryFiles.Path("host.json"));
    private static readonly JsonArray Metadata = (JsonArray)RepositoryFiles.ReadJson(System.IO.Path.Combine(RepositoryFiles.FunctionsOutput, "functions.metadata"));
    private static readonly JsonObject LocalSettings = RepositoryFiles.ReadJson(RepositoryFiles.Path("functions/local.settings.json.example"))["Values"]!.AsObject();

    [Fact]
    public void The_app_ships_the_repository_host_json()
    {
        Assert.Equal(
            File.ReadAllText(RepositoryFiles.Path("host.json")),
            File.ReadAllText(System.IO.Path.Combine(RepositoryFiles.FunctionsOutput, "host.json")));
    }

    [Fact]
    public void Task_hub_is_the_one_the_core_and_the_manifests_use()
    {
        Assert.Equal("Tributary", (string?)Host["extensions"]!["durableTask"]!["hubName"]);
        Assert.Equal(new PipelineOptions().TaskHub, (string?)Host["extensions"]!["durableTask"]!["hubName"]);
    }

    [Fact]
    public void Durable_storage_provider_and_concurrency_are_set()
    {
        var durable = Host["extensions"]!["durableTask"]!;
        var provider = durable["storageProvider"]!;

        Assert.Equal("AzureStorage", (string?)provider["type"]);
        Assert.InRange((int)provider["partitionCount"]!, 1, 16);
        Assert.True(TimeSpan.Parse((string)provider["controlQueueVisibilityTimeout"]!, System.Globalization.CultureInfo.InvariantCulture) > TimeSpan.Zero);
        Assert.True(TimeSpan.Parse((string)provider["workItemQueueVisibilityTimeout"]!, System.Globalization.CultureInfo.InvariantCulture) > TimeSpan.Zero);
        Assert.True((int)durable["maxConcurrentActivityFunctions"]! > 0);
        Assert.True((int)durable["maxConcurrentOrchestratorFunctions"]! > 0);
    }

    [Fact]
    public void Queue_and_blob_extensions_bound_retries_and_batches()
    {
        var queues = Host["extensions"]!["queues"]!;
        var blobs = Host["extensions"]!["blobs"]!;

        Assert.InRange((int)queues["maxDequeueCount"]!, 2, 10);
        Assert.Equal(Backfill.BackfillRequestFunction.MaxDequeueCount, (int)queues["maxDequeueCount"]!);
        Assert.InRange((int)queues["batchSize"]!, 1, 32);
        Assert.True((int)queues["newBatchThreshold"]! < (int)queues["batchSize"]!);

        // Producers of backfill-requests and readers of run-completions rely on this encoding.
        Assert.Equal("base64", (string?)queues["messageEncoding"]);
        Assert.InRange((int)blobs["poisonBlobThreshold"]!, 1, 10);
        Assert.True((int)blobs["maxDegreeOfParallelism"]! > 0);
    }

    [Fact]
    public void Logging_quiets_the_engine_and_keeps_the_app()
    {
        var levels = Host["logging"]!["logLevel"]!;

        Assert.Equal("Information", (string?)levels["default"]);
        Assert.Equal("Warning", (string?)levels["DurableTask.AzureStorage"]);
    }

    [Fact]
    public void Every_connection_a_function_uses_is_in_the_local_settings()
    {
        var connections = Metadata.SelectMany(f => f!["bindings"]!.AsArray()).Select(b => (string?)b!["connection"]).OfType<string>().Distinct();

        Assert.Equal([AppSettings.TributaryStorage], connections);
        Assert.True(LocalSettings.ContainsKey(AppSettings.TributaryStorage));
        Assert.True(LocalSettings.ContainsKey(AppSettings.HostStorage));
        Assert.Equal("dotnet-isolated", (string?)LocalSettings["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public void Local_runs_use_the_polling_trigger_because_Azurite_raises_no_Event_Grid_events()
    {
        Assert.Equal("true", (string?)LocalSettings[$"AzureWebJobs.{FunctionNames.IncomingBlobEventGrid}.Disabled"]);
        Assert.False(LocalSettings.ContainsKey($"AzureWebJobs.{FunctionNames.IncomingBlob}.Disabled"));
    }

    [Fact]
    public void Settings_name_only_functions_that_exist_and_options_that_exist()
    {
        var names = Metadata.Select(f => (string)f!["name"]!).ToHashSet();
        var options = typeof(PipelineOptions).GetProperties().Select(p => p.Name).ToHashSet();

        Assert.Empty(UnknownNames(LocalSettings.Select(s => s.Key), names, options));
        Assert.Equal(
            ["AzureWebJobs.Nope.Disabled names no function", "Tributary__Nope names no PipelineOptions property"],
            UnknownNames(["AzureWebJobs.Nope.Disabled", "Tributary__Nope", "AzureWebJobs.IncomingBlob.Disabled"], names, options));
    }

    [Fact]
    public void Functions_the_Kubernetes_manifests_disable_or_load_exist()
    {
        var names = Metadata.Select(f => (string)f!["name"]!).ToHashSet();
        var manifests = Directory.GetFiles(RepositoryFiles.Path("k8s"), "*.yaml", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        var disabled = manifests.SelectMany(m => DisabledSetting().Matches(m)).Select(m => m.Groups["name"].Value).ToList();
        var loaded = manifests.SelectMany(m => LoadedFunction().Matches(m)).Select(m => m.Groups["name"].Value).ToList();

        Assert.Contains(FunctionNames.IncomingBlob, disabled);
        Assert.Contains(FunctionNames.RerunRun, loaded);
        Assert.All(disabled.Concat(loaded), name => Assert.Contains(name, names));
    }

    [Fact]
    public void Pipeline_options_bind_from_the_local_settings()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(LocalSettings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
            .Build();
        var options = configuration.GetSection(PipelineOptions.Section).Get<PipelineOptions>()!;

        Assert.Equal((string?)LocalSettings["Tributary__DuckDbMemoryLimit"], options.DuckDbMemoryLimit);
        Assert.Equal(int.Parse((string)LocalSettings["Tributary__MaxChunksInFlight"]!, System.Globalization.CultureInfo.InvariantCulture), options.MaxChunksInFlight);
    }

    // AzureWebJobs.{name}.Disabled as a ConfigMap key or an env name.
    [System.Text.RegularExpressions.GeneratedRegex(@"AzureWebJobs\.(?<name>[A-Za-z0-9_]+)\.Disabled")]
    private static partial System.Text.RegularExpressions.Regex DisabledSetting();

    // - name: AzureFunctionsJobHost__functions__N / value: {name}
    [System.Text.RegularExpressions.GeneratedRegex(@"AzureFunctionsJobHost__functions__\d+\s*\n\s*value:\s*(?<name>[A-Za-z0-9_]+)")]
    private static partial System.Text.RegularExpressions.Regex LoadedFunction();

    private static List<string> UnknownNames(IEnumerable<string> keys, ISet<string> functions, ISet<string> options)
    {
        var unknown = new List<string>();
        foreach (var key in keys)
        {
            if (key.StartsWith("AzureWebJobs.", StringComparison.Ordinal) && key.EndsWith(".Disabled", StringComparison.Ordinal)
                && !functions.Contains(key["AzureWebJobs.".Length..^".Disabled".Length]))
            {
                unknown.Add($"{key} names no function");
            }

            if (key.StartsWith(PipelineOptions.Section + "__", StringComparison.Ordinal) && !options.Contains(key[(PipelineOptions.Section.Length + 2)..]))
            {
                unknown.Add($"{key} names no PipelineOptions property");
            }
        }

        return unknown;
    }
}
