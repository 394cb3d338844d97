using Azure.Storage.Queues;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Intake;

/// <summary>Seal messages on a real Azurite queue: one delayed message per arrival, one immediate per window's worth.</summary>
public sealed class BatchSealMessagesTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Every_arrival_gets_its_delayed_message_and_a_full_window_one_immediate_message_on_a_queue_created_when_missing()
    {
        var queues = new QueueServiceClient(azurite.ConnectionString);
        var queue = queues.GetQueueClient(StorageQueues.BatchSeal);
        await queue.DeleteIfExistsAsync();
        var seals = new BatchSealMessages(queues);
        var window = new BatchWindow { MaxFiles = 3, MaxSeconds = 3600 };
        var dataset = $"seal-{Guid.NewGuid().ToString("N")[..8]}";

        for (var i = 0; i < 4; i++)
        {
            await seals.ScheduleAsync(dataset, window, size: 10);
        }

        // 4 delayed (invisible for the window's hour) + 1 immediate, sent when the third arrival filled a window.
        Assert.Equal(5, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        var visible = (await queue.ReceiveMessagesAsync(32)).Value;
        Assert.Equal(dataset, BatchSealMessages.DatasetOf(Assert.Single(visible).Body.ToString()));
    }
}
