using System.CommandLine;
using Spectre.Console;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Intake.Backfill;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Commands;

/// <summary>
/// `tributary backfill --dataset D [--prefix P] [--from T --to T] [--force] [--archived]`: reprocesses matching blobs
/// through the serving host's API and follows the backfill with a live progress bar. --archived reads the archived
/// versions (archive/{dataset}/…), for inputs that already left incoming.
/// </summary>
public static class BackfillCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset", "-d") { Description = "Dataset to backfill.", Required = true }.RefusingUnsafeNames();
        var prefix = new Option<string?>("--prefix") { Description = "Only blobs under incoming/{dataset}/{prefix}." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Only blobs last modified at or after this time." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Only blobs last modified before this time." };
        var force = new Option<bool>("--force") { Description = "Reprocess blob versions that were processed already." };
        var archived = new Option<bool>("--archived") { Description = "Read the archived versions (archive/{dataset}/{prefix}…) instead of incoming: reprocess inputs that left incoming (with --force for versions processed already)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Start it and return." };
        var queue = new Option<bool>("--queue") { Description = "Put the request on the backfill-requests queue instead of calling serve's API (no API or key needed; serve starts it when it runs)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Blobs per batch (queue form only)." };
        var maxParallel = new Option<int?>("--max-parallel") { Description = "Batches in flight (queue form only)." };
        var api = RunsApiClient.UrlOption();
        var command = new Command("backfill", "Reprocess a dataset's blobs (optionally by prefix and time range) with live progress.") { dataset, prefix, from, to, force, archived, noWait, queue, batchSize, maxParallel, api };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Warning, cancellationToken);
            if (parse.GetValue(queue))
            {
                return await EnqueueAsync(
                    cli,
                    new BackfillRequest(parse.GetValue(dataset)!, parse.GetValue(prefix), parse.GetValue(from), parse.GetValue(to), parse.GetValue(batchSize), parse.GetValue(maxParallel), parse.GetValue(force), parse.GetValue(archived)));
            }

            using var client = RunsApiClient.Create(cli.Configuration, parse.GetValue(api));
            try
            {
                var request = new ReprocessRequest(parse.GetValue(prefix), parse.GetValue(from), parse.GetValue(to), parse.GetValue(force), parse.GetValue(archived));
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

    /// <summary>The queue-message form (the same message a producer or the Functions app's queue trigger handles).</summary>
    private static async Task<int> EnqueueAsync(CliContext cli, BackfillRequest request)
    {
        if (BackfillMessages.Validate(request) is { } invalid)
        {
            Console.Error.WriteLine($"tributary: {invalid.Detail}");
            return 2;
        }

        await using var storage = await Runtime.StorageConnection.OpenAsync(cli.Configuration, CliContext.Say, cli.Shutdown);
        var queue = new Azure.Storage.Queues.QueueClient(storage.ConnectionString, Orchestrations.Storage.StorageQueues.BackfillRequests);
        await queue.CreateIfNotExistsAsync(cancellationToken: cli.Shutdown);
        var body = System.Text.Json.JsonSerializer.Serialize(request, RunsApiClient.Json);
        var sentAt = DateTime.UtcNow;
        var sent = await queue.SendMessageAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(body)), cli.Shutdown);
        if (storage.Embedded is { } embedded &&
            !await Runtime.AzuriteDurability.WaitUntilMessagePersistedAsync(embedded.DataFolder, queue, sent.Value.MessageId, sentAt, TimeSpan.FromSeconds(30), cli.Shutdown))
        {
            Console.Error.WriteLine("tributary: the embedded storage has not saved the message to disk within 30 s; it is lost if it is killed now.");
            return 1;
        }

        Console.WriteLine($"queued {Orchestrations.Storage.StorageQueues.BackfillRequests} message {sent.Value.MessageId}: {body}");
        Console.Error.WriteLine("serve starts the backfill from the queue; follow it with `tributary runs --kind backfill`.");
        return 0;
    }

    private static async Task<int> FollowAsync(RunsApiClient client, string backfillId, CancellationToken cancellationToken)
    {
        RunStatusResponse status = null!;
        if (!CliOutput.IsTerminal)
        {
            // Off a terminal: no progress lines, only the result.
            do
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                status = await client.SendAsync<RunStatusResponse>(HttpMethod.Get, $"api/runs/{backfillId}", null, cancellationToken);
            }
            while (status.Status is RunStatus.Running or RunStatus.Pending);
        }
        else
        {
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
        }

        var final = status.Backfill;
        Console.WriteLine($"backfill {backfillId}: {status.Status}; listed {final?.Listed:N0}, skipped {final?.Skipped:N0}, done {final?.Done:N0}, failed {final?.Failed:N0} in {final?.Runs} run(s).");
        return status.Status == RunStatus.Succeeded && final?.Failed == 0 ? 0 : 1;
    }
}
