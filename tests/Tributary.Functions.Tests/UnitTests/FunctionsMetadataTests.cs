using System.Text.Json.Nodes;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Tests.UnitTests;

/// <summary>
/// The functions.metadata the Worker SDK generated at build time is what the Functions host indexes:
/// every trigger, path, queue, connection and auth level is checked there, not in our source.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly JsonArray Functions = (JsonArray)RepositoryFiles.ReadJson(System.IO.Path.Combine(RepositoryFiles.FunctionsOutput, "functions.metadata"));

    public static TheoryData<string, string, string> HttpFunctions => new()
    {
        { FunctionNames.RerunRun, "post", "runs/{runId}/rerun" },
        { FunctionNames.ReprocessDataset, "post", "datasets/{dataset}/reprocess" },
        { FunctionNames.GetRun, "get", "runs/{runId}" },
        { FunctionNames.ListRuns, "get", "runs" },
        { FunctionNames.CancelRun, "post", "runs/{runId}/cancel" },
        { FunctionNames.GetDataset, "get", "datasets/{dataset}" },
    };

    [Fact]
    public void Metadata_lists_exactly_the_trigger_functions_and_one_wrapper_per_core_task()
    {
        string[] triggers =
        [
            FunctionNames.IncomingBlob, FunctionNames.IncomingBlobEventGrid, FunctionNames.RerunRun, FunctionNames.ReprocessDataset,
            FunctionNames.GetRun, FunctionNames.ListRuns, FunctionNames.CancelRun, FunctionNames.GetDataset, FunctionNames.BackfillRequest,
            FunctionNames.SealBatchWindows, FunctionNames.SweepIncoming, FunctionNames.BatchSeal, FunctionNames.BlobCreated,
        ];
        var expected = triggers.Concat(TributaryTasks.Orchestrators.Concat(TributaryTasks.Activities).Select(t => t.Name)).Order();

        Assert.Equal(expected, Functions.Select(f => (string)f!["name"]!).Order());
    }

    [Theory]
    [InlineData(FunctionNames.IncomingBlob, null)]
    [InlineData(FunctionNames.IncomingBlobEventGrid, "EventGrid")]
    public void Blob_triggers_watch_incoming_per_dataset_on_the_data_account(string name, string? source)
    {
        var trigger = Trigger(name);

        Assert.Equal("blobTrigger", (string?)trigger["type"]);
        Assert.Equal($"{BlobContainers.Incoming}/{{dataset}}/{{name}}", (string?)trigger["path"]);
        Assert.Equal(AppSettings.TributaryStorage, (string?)trigger["connection"]);
        Assert.Equal(source, (string?)trigger["source"]);
        Assert.Contains(Bindings(name), b => (string?)b!["type"] == "durableClient");
    }

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void Http_triggers_need_a_function_key_and_keep_the_standalone_routes(string name, string method, string route)
    {
        var trigger = Trigger(name);

        Assert.Equal("httpTrigger", (string?)trigger["type"]);
        Assert.Equal("Function", (string?)trigger["authLevel"]);
        Assert.Equal([method], trigger["methods"]!.AsArray().Select(m => (string)m!));
        Assert.Equal(route, (string?)trigger["route"]);
        Assert.Contains(Bindings(name), b => (string?)b!["type"] == "http" && (string?)b["direction"] == "Out");
        Assert.Contains(Bindings(name), b => (string?)b!["type"] == "durableClient");
    }

    [Fact]
    public void Backfill_trigger_reads_backfill_requests_on_the_data_account()
    {
        var trigger = Trigger(FunctionNames.BackfillRequest);

        Assert.Equal("queueTrigger", (string?)trigger["type"]);
        Assert.Equal(StorageQueues.BackfillRequests, (string?)trigger["queueName"]);
        Assert.Equal(AppSettings.TributaryStorage, (string?)trigger["connection"]);
        Assert.Contains(Bindings(FunctionNames.BackfillRequest), b => (string?)b!["type"] == "durableClient");

        // The core poisons into backfill-requests-poison, and the runtime into "{queue}-poison": the same queue.
        Assert.Equal(StorageQueues.BackfillRequests + "-poison", StorageQueues.BackfillRequestsPoison);
    }

    [Fact]
    public void Batch_windows_are_sealed_by_a_timer_every_ten_seconds()
    {
        var trigger = Trigger(FunctionNames.SealBatchWindows);

        Assert.Equal("timerTrigger", (string?)trigger["type"]);
        Assert.Equal("*/10 * * * * *", (string?)trigger["schedule"]);
        Assert.Contains(Bindings(FunctionNames.SealBatchWindows), b => (string?)b!["type"] == "durableClient");
    }

    [Theory]
    [InlineData(FunctionNames.BatchSeal, StorageQueues.BatchSeal)]
    [InlineData(FunctionNames.BlobCreated, StorageQueues.BlobCreated)]
    public void Queue_triggers_read_their_queue_on_the_data_account(string name, string queue)
    {
        var trigger = Trigger(name);

        Assert.Equal("queueTrigger", (string?)trigger["type"]);
        Assert.Equal(queue, (string?)trigger["queueName"]);
        Assert.Equal(AppSettings.TributaryStorage, (string?)trigger["connection"]);
        Assert.Contains(Bindings(name), b => (string?)b!["type"] == "durableClient");
    }

    [Fact]
    public void The_reconciliation_sweep_runs_on_a_timer_every_ten_minutes_and_at_start_up()
    {
        var trigger = Trigger(FunctionNames.SweepIncoming);

        Assert.Equal("timerTrigger", (string?)trigger["type"]);
        Assert.Equal("0 */10 * * * *", (string?)trigger["schedule"]);
        // A replica KEDA's sweep window wakes starts after the tick: it sweeps at start-up.
        Assert.True((bool?)trigger["runOnStartup"]);
        Assert.Contains(Bindings(FunctionNames.SweepIncoming), b => (string?)b!["type"] == "durableClient");
    }

    [Fact]
    public void Orchestrator_and_activity_wrappers_have_durable_triggers()
    {
        foreach (var orchestrator in TributaryTasks.Orchestrators)
        {
            Assert.Equal("orchestrationTrigger", (string?)Trigger(orchestrator.Name)["type"]);
        }

        foreach (var activity in TributaryTasks.Activities)
        {
            Assert.Equal("activityTrigger", (string?)Trigger(activity.Name)["type"]);
        }
    }

    private static JsonArray Bindings(string name) =>
        Functions.SingleOrDefault(f => (string?)f!["name"] == name)?["bindings"]?.AsArray()
        ?? throw new Xunit.Sdk.XunitException($"functions.metadata has no function '{name}'");

    private static JsonNode Trigger(string name) =>
        Bindings(name).Single(b => ((string?)b!["type"])!.EndsWith("Trigger", StringComparison.Ordinal))!;
}
