using System.CommandLine;
using Azure.Storage.Blobs;
using Tributary.Cli.Commands;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.UnitTests;

/// <summary>
/// Path-like inputs on the command line refuse traversal before anything touches storage or the disk: dataset names
/// (every command that takes one) and the CONTAINER/PATH of `tributary get`, whose last segment names the local folder.
/// </summary>
public sealed class CliTraversalTests
{
    public static TheoryData<string> Climbing => ["..", "../taxi", "taxi/../curated", "/etc", "a\\b", "..\\escape", "C:\\data", "."];

    [Theory]
    [MemberData(nameof(Climbing))]
    public void Every_command_taking_a_dataset_refuses_a_climbing_name_while_parsing(string name)
    {
        string[][] lines =
        [
            ["query", name, "SELECT 1"],
            ["table", name],
            ["vacuum", name],
            ["aggregate", name],
            ["drop", "--dataset", name, "file.csv"],
            ["backfill", "--dataset", name],
            ["runs", "--dataset", name],
        ];
        var root = new RootCommand { QueryCommand.Create(), TableCommand.Create(), VacuumCommand.Create(), AggregateCommand.Create(), DropCommand.Create(), BackfillCommand.Create(), RunsCommand.Create() };

        foreach (var line in lines)
        {
            var errors = root.Parse(line).Errors;
            Assert.Contains(errors, e => e.Message.Contains("no '/', '\\', '..' or absolute paths", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_plain_dataset_name_parses()
    {
        var root = new RootCommand { QueryCommand.Create(), RunsCommand.Create() };
        Assert.Empty(root.Parse(["query", "taxi", "SELECT 1"]).Errors);
        Assert.Empty(root.Parse(["runs"]).Errors);
    }

    [Theory]
    [InlineData("../results/taxi")]
    [InlineData("results/..")]
    [InlineData("results/taxi/../../state")]
    [InlineData("/results/taxi")]
    [InlineData("results/taxi\\..\\..")]
    [InlineData("results/./taxi")]
    public async Task Get_refuses_a_climbing_target_before_it_reaches_storage(string target)
    {
        // Nothing listens at this endpoint: a refusal must come before any request.
        var store = new BlobStore(new BlobServiceClient("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;"));

        var refused = await Assert.ThrowsAsync<GetCommand.GetRefusedException>(() => GetCommand.PlanAsync(store, target, null, CancellationToken.None));

        Assert.Equal(2, refused.ExitCode);
    }
}
