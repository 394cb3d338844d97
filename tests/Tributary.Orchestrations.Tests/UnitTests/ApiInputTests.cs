using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake.Backfill;


namespace Tributary.Orchestrations.Tests.UnitTests;

public sealed class ApiInputTests
{
    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../b")]
    [InlineData("./a")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\b")]
    [InlineData("a//b")]
    [InlineData("a?b")]
    [InlineData("a%2e%2e/b")]
    [InlineData("a\nb")]
    public void Prefixes_that_could_leave_the_dataset_folder_are_refused(string prefix) =>
        Assert.NotNull(ApiValidation.PrefixProblem(prefix));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026/01/")]
    [InlineData("day=2026-01-01/part 1.csv")]
    [InlineData("a..b/")]
    public void Ordinary_prefixes_pass(string? prefix) => Assert.Null(ApiValidation.PrefixProblem(prefix));

    [Theory]
    [InlineData("Taxi")]
    [InlineData("taxi/..")]
    [InlineData("")]
    [InlineData("-taxi")]
    public void Dataset_names_are_checked(string name) => Assert.NotNull(ApiValidation.DatasetProblem(name));

    [Fact]
    public void Backfill_messages_are_parsed_raw_or_base64_and_every_problem_is_named()
    {
        var (request, problem) = BackfillMessages.Parse("""{"dataset":"taxi","prefix":"2026/","batchSize":50,"force":true}""");
        Assert.Null(problem);
        Assert.Equal(new BackfillRequest("taxi", "2026/", BatchSize: 50, Force: true), request);

        var encoded = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("""{"dataset":"taxi"}"""));
        Assert.Equal("taxi", BackfillMessages.Parse(encoded).Request?.Dataset);

        Assert.Contains("not a backfill request", BackfillMessages.Parse("[1,2]").Problem!.Detail, StringComparison.Ordinal);
        Assert.Contains("'x'", BackfillMessages.Parse("""{"dataset":"taxi","x":1}""").Problem!.Detail, StringComparison.Ordinal);
        var many = BackfillMessages.Parse("""{"dataset":"BAD","prefix":"..","maxParallel":99,"from":"2026-02-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}""").Problem!;
        Assert.Equal(ApiOutcome.Invalid, many.Outcome);
        Assert.Equal(["dataset", "maxParallel", "prefix", "to"], many.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Continuation_tokens_round_trip_and_foreign_ones_are_refused()
    {
        var token = ContinuationToken.Encode("intake/taxi-abc.json");
        Assert.DoesNotContain('/', token);
        Assert.Equal("intake/taxi-abc.json", ContinuationToken.Decode(token));
        Assert.Throws<FormatException>(() => ContinuationToken.Decode("garbage!"));
        Assert.Throws<FormatException>(() => ContinuationToken.Decode(Convert.ToBase64String("intake/x"u8.ToArray())));
    }
}
