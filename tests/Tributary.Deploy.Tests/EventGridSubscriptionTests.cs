using System.Diagnostics;

namespace Tributary.Deploy.Tests;

/// <summary>The Event Grid subscription as code (k8s/eventgrid/subscribe.sh): what it subscribes, where it delivers, and that it parses.</summary>
public class EventGridSubscriptionTests
{
    private static readonly string Script = Path.Combine(RepositoryPaths.K8s, "eventgrid", "subscribe.sh");

    [Fact]
    public void BlobCreated_events_of_incoming_go_to_the_blob_created_queue()
    {
        var text = File.ReadAllText(Script);

        Assert.Contains("QUEUE=\"blob-created\"", text);
        Assert.Contains("POISON_QUEUE=\"blob-created-poison\"", text);
        Assert.Contains("CONTAINER=\"incoming\"", text);
        Assert.Contains("--included-event-types Microsoft.Storage.BlobCreated", text);
        Assert.Contains("--subject-begins-with \"/blobServices/default/containers/$CONTAINER/\"", text);
        Assert.Contains("--endpoint-type storagequeue", text);
        Assert.Contains("--endpoint \"$account_id/queueservices/default/queues/$QUEUE\"", text);
        Assert.Contains("--event-delivery-schema eventgridschema", text);
    }

    [Fact]
    public void The_script_parses()
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", Script]) { RedirectStandardError = true })!;
        var errors = bash.StandardError.ReadToEnd();
        bash.WaitForExit();

        Assert.True(bash.ExitCode == 0, errors);
    }
}
