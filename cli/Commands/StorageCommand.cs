using System.CommandLine;
using System.Text.Json;
using Tributary.Cli.Runtime;

namespace Tributary.Cli.Commands;

/// <summary>`tributary storage status|stop [--json]`: the home's shared embedded Azurite.</summary>
public static class StorageCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON document on stdout." };
        var status = new Command("status", "Show the home's shared storage: pid, endpoints, connection string, data folder.") { json };
        status.SetAction(async (parse, cancellationToken) =>
        {
            var home = TributaryHome.Resolve();
            var record = EmbeddedStorage.Read(home);
            var alive = record is not null && await EmbeddedStorage.IsAliveAsync(record, TimeSpan.FromSeconds(3), cancellationToken);
            var state = record is null ? "none" : alive ? "running" : "not responding";
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        home,
                        status = state,
                        pid = record?.Pid,
                        blobEndpoint = record?.BlobEndpoint,
                        queueEndpoint = record?.QueueEndpoint,
                        tableEndpoint = record?.TableEndpoint,
                        connectionString = record?.ConnectionString,
                        dataFolder = record?.DataFolder ?? EmbeddedStorage.DataFolder(home),
                        log = record?.Log,
                        startedAt = record?.StartedAt,
                    },
                    CliOutput.Json));
            }
            else if (record is null)
            {
                Console.WriteLine($"home:        {home}");
                Console.WriteLine("storage:     none started (the first command that needs storage starts it)");
            }
            else
            {
                Console.WriteLine($"home:        {home}");
                Console.WriteLine($"storage:     {state}");
                Console.WriteLine($"pid:         {record.Pid}");
                Console.WriteLine($"blob:        {record.BlobEndpoint}");
                Console.WriteLine($"queue:       {record.QueueEndpoint}");
                Console.WriteLine($"table:       {record.TableEndpoint}");
                Console.WriteLine($"connection:  {record.ConnectionString}");
                Console.WriteLine($"data:        {record.DataFolder}");
                Console.WriteLine($"log:         {record.Log}");
            }

            return record is null || alive ? 0 : 1;
        });

        var stop = new Command("stop", "Stop the home's shared storage (it saves its data first).");
        stop.SetAction(_ =>
        {
            var home = TributaryHome.Resolve();
            Console.WriteLine(EmbeddedStorage.Stop(home, TimeSpan.FromSeconds(15))
                ? $"tributary: stopped the shared storage of {home}."
                : $"tributary: no shared storage running for {home}.");
            return 0;
        });

        return new Command("storage", "The shared embedded storage (Azurite) of this home.") { status, stop };
    }
}
