using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Functions.Backfill;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Storage;

namespace Tributary.Functions.Tests.IntegrationTests;

/// <summary>
/// The queue trigger over the core's backfill processor and a real poison queue (Azurite); the runs API is a
/// fake (it is the core's, tested there) so that it can refuse or fail on demand.
/// </summary>
public sealed class BackfillRequestFunctionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime, IAsyncDisposable
{
    private readonly FakeRunsApi api = new();
    private readonly FakeDurableTaskClient client = new();
    private BackfillRequestFunction function = null!;
    private QueueClient poison = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.TributaryStorage] = azurite.ConnectionString })
            .Build();
        var services = new ServiceCollection().AddLogging().AddTributaryFunctions(configuration).BuildServiceProvider();
        function = new BackfillRequestFunction(services, api);
        poison = new QueueServiceClient(azurite.ConnectionString).GetQueueClient(StorageQueues.BackfillRequestsPoison);
        await poison.CreateIfNotExistsAsync();
        await poison.ClearMessagesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    ValueTask IAsyncDisposable.DisposeAsync() => client.DisposeAsync();

    [Fact]
    public async Task A_valid_request_starts_the_backfill_and_poisons_nothing()
    {
        await function.Run(Message("""{"dataset":"taxi","prefix":"2026/","batchSize":50,"maxParallel":4,"force":true}"""), client, default);

        var (method, arguments) = api.Calls.Single();
        Assert.Equal("StartBackfillAsync", method);
        Assert.Equal(new BackfillRequest("taxi", "2026/", null, null, 50, 4, true), arguments[0]);
        Assert.Same(client, api.Client);
        Assert.Empty(await PoisonedAsync());
    }

    [Fact]
    public async Task A_base64_message_as_the_Functions_runtime_stores_it_is_read_too()
    {
        await function.Run(Message(Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"dataset":"taxi"}"""))), client, default);

        Assert.Equal(new BackfillRequest("taxi"), api.Calls.Single().Arguments[0]);
    }

    [Theory]
    [InlineData("{\"dataset\":")]
    [InlineData("{\"dataset\":\"Taxi Trips\"}")]
    [InlineData("{\"dataset\":\"taxi\",\"batchSize\":0}")]
    [InlineData("{\"datset\":\"taxi\"}")]
    public async Task A_malformed_message_goes_to_the_poison_queue_with_its_reason_and_is_not_retried(string text)
    {
        await function.Run(Message(text), client, default);

        var poisoned = Assert.Single(await PoisonedAsync());
        Assert.Equal(text, (string?)poisoned["message"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)poisoned["reason"]));
        Assert.Empty(api.Calls);
    }

    [Fact]
    public async Task A_request_the_api_refuses_goes_to_the_poison_queue_with_the_api_reason()
    {
        api.Accepted = ApiProblem.NotFound("no dataset 'ghost'");

        await function.Run(Message("""{"dataset":"ghost"}"""), client, default);

        Assert.Equal("no dataset 'ghost'", (string?)Assert.Single(await PoisonedAsync())["reason"]);
    }

    [Fact]
    public async Task A_failure_throws_for_a_retry_until_the_last_attempt_which_poisons_with_the_error()
    {
        api.BackfillFailure = new IOException("task hub unreachable");

        await Assert.ThrowsAsync<IOException>(() => function.Run(Message("""{"dataset":"taxi"}""", dequeueCount: 1), client, default));
        Assert.Empty(await PoisonedAsync());

        await function.Run(Message("""{"dataset":"taxi"}""", dequeueCount: BackfillRequestFunction.MaxDequeueCount), client, default);
        var poisoned = Assert.Single(await PoisonedAsync());
        Assert.Equal($"failed {BackfillRequestFunction.MaxDequeueCount} times; last error: task hub unreachable", (string?)poisoned["reason"]);
        Assert.Equal("""{"dataset":"taxi"}""", (string?)poisoned["message"]);
    }

    private static QueueMessage Message(string text, long dequeueCount = 1) =>
        QueuesModelFactory.QueueMessage("message-1", "receipt-1", new BinaryData(text), dequeueCount);

    private async Task<List<JsonNode>> PoisonedAsync()
    {
        var messages = (await poison.PeekMessagesAsync(32)).Value;
        return messages.Select(m => JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString())))!).ToList();
    }
}
