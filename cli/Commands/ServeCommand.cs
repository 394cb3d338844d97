using System.CommandLine;
using Tributary.Cli.Hosting;

namespace Tributary.Cli.Commands;

/// <summary>`tributary serve`: the standalone host (blob watcher + worker) until Ctrl+C or SIGTERM.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the host: watch incoming/ and process every new blob until Ctrl+C.");
        command.SetAction(async (_, cancellationToken) =>
        {
            using var cli = new CliContext(LogLevel.Information, cancellationToken);
            await using var host = await TributaryHost.StartAsync(cli.Configuration, watch: true, cli.LoggerFactory, CliContext.Say, cli.Shutdown);
            Console.WriteLine("tributary: serving; press Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, cli.Shutdown);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("tributary: stopping.");
            }

            return 0;
        });
        return command;
    }
}
