using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class IdempotencyTokenTests
{
    [Fact]
    public void Is_deterministic_prefixed_and_at_most_64_chars()
    {
        var runId = "sales-20261125T101500Z-" + new string('x', 500);

        var token = IdempotencyToken.FromRunId(runId);

        Assert.Equal(token, IdempotencyToken.FromRunId(runId));
        Assert.StartsWith("tributary-", token);
        Assert.True(token.Length <= 64);
        Assert.Matches("^tributary-[0-9a-f]{32}$", token);
    }

    [Fact]
    public void Differs_per_run_and_per_attempt()
    {
        var tokens = new[]
        {
            IdempotencyToken.FromRunId("run-a"),
            IdempotencyToken.FromRunId("run-b"),
            IdempotencyToken.FromRunId("run-a", 1),
            IdempotencyToken.FromRunId("run-a", 2),
        };

        Assert.Equal(tokens.Length, tokens.Distinct().Count());
        Assert.Equal(IdempotencyToken.FromRunId("run-a"), IdempotencyToken.FromRunId("run-a", 0));
    }

    [Fact]
    public void Rejects_empty_run_id()
    {
        Assert.ThrowsAny<ArgumentException>(() => IdempotencyToken.FromRunId(" "));
        Assert.ThrowsAny<ArgumentException>(() => IdempotencyToken.FromRunId("r", -1));
    }
}
