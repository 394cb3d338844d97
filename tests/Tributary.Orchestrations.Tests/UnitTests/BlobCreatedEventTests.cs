using System.Text;
using Tributary.Orchestrations.Intake;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>Event Grid BlobCreated messages as the blob-created queue holds them: what is taken in, and why the rest is poisoned.</summary>
public sealed class BlobCreatedEventTests
{
    private const string EventGridEvent = """
        {
          "topic": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/tributary",
          "subject": "/blobServices/default/containers/incoming/blobs/taxi/2026/01/trips.csv",
          "eventType": "Microsoft.Storage.BlobCreated",
          "id": "1", "dataVersion": "", "metadataVersion": "1", "eventTime": "2026-12-01T12:00:00Z",
          "data": { "api": "PutBlob", "eTag": "0x8DC1234567890AB", "contentType": "text/csv", "contentLength": 524288, "blobType": "BlockBlob",
                    "url": "https://tributary.blob.core.windows.net/incoming/taxi/2026/01/trips.csv" }
        }
        """;

    [Fact]
    public void An_Event_Grid_event_names_the_blob_version_and_its_size()
    {
        var (created, problem) = BlobCreatedEvents.Parse(EventGridEvent);

        Assert.Null(problem);
        Assert.Equal(new BlobCreated("taxi/2026/01/trips.csv", "0x8DC1234567890AB", 524288), created);
    }

    [Fact]
    public void A_base64_message_a_one_event_array_and_a_CloudEvent_are_read_too()
    {
        Assert.NotNull(BlobCreatedEvents.Parse(Convert.ToBase64String(Encoding.UTF8.GetBytes(EventGridEvent))).Created);
        Assert.NotNull(BlobCreatedEvents.Parse($"[{EventGridEvent}]").Created);
        var cloudEvent = EventGridEvent.Replace("\"eventType\"", "\"specversion\": \"1.0\", \"type\"", StringComparison.Ordinal);
        Assert.Equal("taxi/2026/01/trips.csv", BlobCreatedEvents.Parse(cloudEvent).Created?.BlobName);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "expected one event per message")]
    [InlineData("Microsoft.Storage.BlobDeleted", "is not Microsoft.Storage.BlobCreated")]
    [InlineData("containers/curated/", "is not in incoming")]
    [InlineData("\"eTag\": \"0x8DC1234567890AB\"", "data.eTag is missing")]
    [InlineData("\"contentLength\": 524288", "data.contentLength is missing")]
    public void Anything_else_has_a_reason(string change, string reason)
    {
        var body = change switch
        {
            "not json" or "[]" => change,
            "Microsoft.Storage.BlobDeleted" => EventGridEvent.Replace("Microsoft.Storage.BlobCreated", change, StringComparison.Ordinal),
            "containers/curated/" => EventGridEvent.Replace("containers/incoming/", change, StringComparison.Ordinal),
            _ => EventGridEvent.Replace(change, "\"other\": 1", StringComparison.Ordinal),
        };

        var (created, problem) = BlobCreatedEvents.Parse(body);

        Assert.Null(created);
        Assert.Contains(reason, problem);
    }
}
