using System.Globalization;
using System.Text.Json;

namespace Tributary.Deploy.Tests;

/// <summary>The host.json values the manifests must agree with, and the queue names they imply.</summary>
public sealed record HostSettings(
    string HubName,
    int PartitionCount,
    int MaxConcurrentActivityFunctions,
    int MaxConcurrentOrchestratorFunctions,
    TimeSpan FunctionTimeout)
{
    /// <summary>The Azure Storage provider names its queues after the hub, lower-cased.</summary>
    public string WorkItemQueue => $"{HubName.ToLowerInvariant()}-workitems";

    public IReadOnlyList<string> ControlQueues =>
        Enumerable.Range(0, PartitionCount).Select(i => $"{HubName.ToLowerInvariant()}-control-{i:00}").ToList();

    public static HostSettings Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var durable = doc.RootElement.GetProperty("extensions").GetProperty("durableTask");
        var storage = durable.GetProperty("storageProvider");
        return new HostSettings(
            durable.GetProperty("hubName").GetString()!,
            storage.GetProperty("partitionCount").GetInt32(),
            durable.GetProperty("maxConcurrentActivityFunctions").GetInt32(),
            durable.GetProperty("maxConcurrentOrchestratorFunctions").GetInt32(),
            TimeSpan.Parse(doc.RootElement.GetProperty("functionTimeout").GetString()!, CultureInfo.InvariantCulture));
    }
}
