using System.CommandLine;
using Tributary.Cli.Commands;
using Tributary.Cli.Runtime;

var home = new Option<string?>("--home")
{
    Description = "The state folder (shared storage, demo output). Default: TRIBUTARY_HOME, else ./.tributary.",
    Recursive = true,
};

var root = new RootCommand("Tributary: files land in storage, durable parallel processing, aggregation, trusted results.")
{
    home,
    InitCommand.Create(),
    DemoCommand.Create(),
    ServeCommand.Create(),
    DropCommand.Create(),
    RunsCommand.Create(),
    GetCommand.Create(),
    RerunCommand.Create(),
    BackfillCommand.Create(),
    TableCommand.Create(),
    VacuumCommand.Create(),
    QueryCommand.Create(),
    AggregateCommand.Create(),
    StorageCommand.Create(),
};

var parse = root.Parse(args);
if (parse.GetValue(home) is { Length: > 0 } folder)
{
    // Every part of the CLI reads the home from the environment, so the option and the variable are one setting.
    Environment.SetEnvironmentVariable(TributaryHome.EnvironmentVariable, Path.GetFullPath(folder));
}

// Commands handle SIGINT/SIGTERM themselves (CliContext) and stop gracefully: serve releases its partitions, which
// takes longer than System.CommandLine's 2 s before it lets the signal kill the process (exit 143).
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
