using System.CommandLine;
using Tributary.Orchestrations.Api;

namespace Tributary.Cli.Commands;

/// <summary>`tributary rerun RUN`: a new run over the same blob versions, through the serving host's API.</summary>
public static class RerunCommand
{
    public static Command Create()
    {
        var runId = new Argument<string>("run") { Description = "The run to rerun." };
        var api = RunsApiClient.UrlOption();
        var command = new Command("rerun", "Start a new run over the same inputs (same blob versions) as RUN.") { runId, api };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            using var client = RunsApiClient.Create(cli.Configuration, parse.GetValue(api));
            try
            {
                var accepted = await client.SendAsync<RunAccepted>(HttpMethod.Post, $"api/runs/{Uri.EscapeDataString(parse.GetValue(runId)!)}/rerun", null, cli.Shutdown);
                Console.WriteLine($"rerun {accepted.RunId} of {accepted.RerunOf} started ({accepted.Dataset}); `tributary runs show {accepted.RunId}` when done.");
                return 0;
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine($"tributary: {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
