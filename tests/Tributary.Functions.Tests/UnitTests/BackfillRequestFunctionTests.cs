using System.Text.Json.Nodes;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Functions.Backfill;
using Tributary.Functions.Tests.Fixtures;
using Tributary.Orchestrations.Api;

namespace Tributary.Functions.Tests.UnitTests;

/// <summary>
/// A valid message starts the backfill and writes nothing to the poison queue; a message that can never
/// succeed is returned for backfill-requests-poison, whole and with its reason; a transient failure throws
/// so the runtime retries it.
/// </summary>
public sealed class BackfillRequestFunctionTests
{
    private readonly FakeRunsApi api = new();
    private readonly FakeDurableTaskClient client = new();
    private readonly BackfillRequestFunction function;

    public BackfillRequestFunctionTests() =>
        function = new BackfillRequestFunction(api, new FixedTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture)), NullLogger<BackfillRequestFunction>.Instance);

    [Fact]
    public async Task A_valid_request_starts_the_backfill_and_poisons_nothing()
    {
        var poison = await function.Run(Message("""{"dataset":"taxi","prefix":"2026/","batchSize":50,"maxParallel":4,"force":true}"""), client, default);

        Assert.Null(poison);
        var (method, arguments) = api.Calls.Single();
        Assert.Equal("StartBackfillAsync", method);
        Assert.Equal(new BackfillRequest("taxi", "2026/", null, null, 50, 4, true), arguments[0]);
        Assert.Same(client, api.Client);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"dataset\":", "not a valid backfill request")]
    [InlineData("{}", "invalid")]
    [InlineData("{\"dataset\":\"Taxi Trips\"}", "invalid")]
    [InlineData("{\"dataset\":\"taxi\",\"batchSize\":0}", "invalid")]
    [InlineData("{\"dataset\":\"taxi\",\"from\":\"2026-11-02T00:00:00Z\",\"to\":\"2026-11-01T00:00:00Z\"}", "invalid")]
    [InlineData("{\"dataset\":\"taxi\",\"batchsize\":\"ten\"}", "not a valid backfill request")]
    [InlineData("{\"datset\":\"taxi\"}", "not a valid backfill request")]
    public async Task A_malformed_message_goes_to_the_poison_queue_whole_with_its_reason(string text, string reason)
    {
        var poison = await function.Run(Message(text), client, default);

        Assert.NotNull(poison);
        var rejected = JsonNode.Parse(poison)!;
        Assert.Equal(text, (string?)rejected["message"]);
        Assert.Contains(reason, (string?)rejected["reason"]);
        Assert.Equal(400, (int?)rejected["status"]);
        Assert.Equal("message-1", (string?)rejected["messageId"]);
        Assert.Equal(1, (long?)rejected["dequeueCount"]);
        Assert.Empty(api.Calls);
    }

    [Fact]
    public async Task Validation_errors_name_the_field()
    {
        var poison = await function.Run(Message("""{"dataset":"taxi","maxParallel":-1}"""), client, default);

        Assert.Equal("must be a positive number", (string?)JsonNode.Parse(poison!)!["errors"]!["maxParallel"]![0]);
    }

    [Fact]
    public async Task A_request_the_api_refuses_goes_to_the_poison_queue_with_the_api_reason()
    {
        api.Accepted = ApiProblem.NotFound("no dataset 'ghost'");

        var poison = await function.Run(Message("""{"dataset":"ghost"}"""), client, default);

        var rejected = JsonNode.Parse(poison!)!;
        Assert.Equal(404, (int?)rejected["status"]);
        Assert.Equal("no dataset 'ghost'", (string?)rejected["reason"]);
    }

    [Fact]
    public async Task A_transient_api_failure_throws_so_the_runtime_retries()
    {
        api.Accepted = new ApiProblem(503, "Unavailable", "task hub not reachable");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => function.Run(Message("""{"dataset":"taxi"}"""), client, default));

        Assert.Contains("task hub not reachable", failure.Message);
    }

    private static QueueMessage Message(string text) =>
        QueuesModelFactory.QueueMessage("message-1", "receipt-1", new BinaryData(text), dequeueCount: 1);
}
