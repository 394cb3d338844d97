using System.Runtime.InteropServices;
using Spectre.Console;
using Tributary.Cli.Hosting;

namespace Tributary.Cli.Commands;

/// <summary>What every command shares: configuration, logging, and a token cancelled on Ctrl+C or SIGTERM.</summary>
public sealed class CliContext : IDisposable
{
    private readonly CancellationTokenSource shutdown;
    private readonly List<PosixSignalRegistration> signals = [];

    public CliContext(LogLevel logLevel, CancellationToken invocation)
    {
        Configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Tributary:DatasetsPath"] = Runtime.TributaryHome.DefaultDatasetsPath() })
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(logLevel)
            .AddFilter("DurableTask", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Grpc", LogLevel.Warning)
            .AddTributaryTelemetry(Configuration));

        // SIGTERM did not stop a host built this way in one run: handle both signals ourselves.
        shutdown = CancellationTokenSource.CreateLinkedTokenSource(invocation);
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            signals.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                shutdown.Cancel();
            }));
        }

        if (int.TryParse(Environment.GetEnvironmentVariable(ParentProcessVariable), out var parent))
        {
            _ = WatchParentAsync(parent, shutdown);
        }
    }

    private static async Task WatchParentAsync(int parentId, CancellationTokenSource shutdown)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (!shutdown.IsCancellationRequested && await timer.WaitForNextTickAsync())
        {
            if (!IsRunning(parentId))
            {
                Console.Error.WriteLine($"tributary: parent process {parentId} is gone; stopping.");
                await shutdown.CancelAsync();
            }
        }
    }

    /// <summary>
    /// When a supervisor sets TRIBUTARY_PARENT_PID, the host stops once that process is gone, so a supervisor
    /// that dies outright (a crashed test host, a killed shell) leaves no orphan worker on the task hub.
    /// </summary>
    public const string ParentProcessVariable = "TRIBUTARY_PARENT_PID";

    public IConfiguration Configuration { get; }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public ILoggerFactory LoggerFactory { get; }

    public CancellationToken Shutdown => shutdown.Token;

    /// <summary>Progress notes go to stderr, so stdout carries only a command's result (a table, JSON) for scripts.</summary>
    public static void Say(string message)
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine(message);
        }
        else
        {
            ErrorConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
        }
    }

    private static readonly IAnsiConsole ErrorConsole = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    public void Dispose()
    {
        foreach (var signal in signals)
        {
            signal.Dispose();
        }

        LoggerFactory.Dispose();
        shutdown.Dispose();
    }
}
