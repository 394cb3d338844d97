using System.CommandLine;
using Spectre.Console;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Runs;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary backfill --dataset D [--prefix P] [--from T --to T] [--force]`: reprocesses matching blobs through the
/// serving host's API and follows the backfill with a live progress bar.
/// </summary>
public static class BackfillCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset", "-d") { Description = "Dataset to backfill.", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "Only blobs under incoming/{dataset}/{prefix}." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Only blobs last modified at or after this time." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Only blobs last modified before this time." };
        var force = new Option<bool>("--force") { Description = "Reprocess blob versions that were processed already." };
        var noWait = new Option<bool>("--no-wait") { Description = "Start it and return." };
        var api = RunsApiClient.UrlOption();
        var command = new Command("backfill", "Reprocess a dataset's blobs (optionally by prefix and time range) with live progress.") { dataset, prefix, from, to, force, noWait, api };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            using var client = RunsApiClient.Create(cli.Configuration, parse.GetValue(api));
            try
            {
                var request = new ReprocessRequest(parse.GetValue(prefix), parse.GetValue(from), parse.GetValue(to), parse.GetValue(force));
                var accepted = await client.SendAsync<RunAccepted>(HttpMethod.Post, $"api/datasets/{Uri.EscapeDataString(parse.GetValue(dataset)!)}/reprocess", request, cli.Shutdown);
                Console.WriteLine($"backfill {accepted.RunId} started.");
                return parse.GetValue(noWait) ? 0 : await FollowAsync(client, accepted.RunId, cli.Shutdown);
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine($"tributary: {ex.Message}");
                return 1;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("tributary: stopped following; the backfill goes on in the host.");
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> FollowAsync(RunsApiClient client, string backfillId, CancellationToken cancellationToken)
    {
        RunStatusResponse status = null!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var listed = progress.AddTask("listed", maxValue: 1);
                var done = progress.AddTask("processed", maxValue: 1);
                while (true)
                {
                    status = await client.SendAsync<RunStatusResponse>(HttpMethod.Get, $"api/runs/{backfillId}", null, cancellationToken);
                    if (status.Backfill is { } backfill)
                    {
                        listed.Description = $"listed {backfill.Listed:N0} (skipped {backfill.Skipped:N0}), page {backfill.Pages}";
                        listed.MaxValue = Math.Max(1, backfill.Listed);
                        listed.Value = backfill.IsFinished ? listed.MaxValue : backfill.Listed;
                        done.Description = $"done {backfill.Done:N0}, failed {backfill.Failed:N0} of {backfill.Scheduled:N0}";
                        done.MaxValue = Math.Max(1, backfill.Scheduled);
                        done.Value = backfill.IsFinished ? done.MaxValue : backfill.Done + backfill.Failed;
                    }

                    if (status.Status is not (RunStatus.Running or RunStatus.Pending))
                    {
                        return;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                }
            });

        var final = status.Backfill;
        Console.WriteLine($"backfill {backfillId}: {status.Status}; listed {final?.Listed:N0}, skipped {final?.Skipped:N0}, done {final?.Done:N0}, failed {final?.Failed:N0} in {final?.Runs} run(s).");
        return status.Status == RunStatus.Succeeded && final?.Failed == 0 ? 0 : 1;
    }
}
