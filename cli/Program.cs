using System.CommandLine;
using Tributary.Cli.Commands;

var root = new RootCommand("Tributary: files land in storage, durable parallel processing, aggregation, trusted results.")
{
    DemoCommand.Create(),
    ServeCommand.Create(),
    DropCommand.Create(),
    RunsCommand.Create(),
    RerunCommand.Create(),
    BackfillCommand.Create(),
    TableCommand.Create(),
    VacuumCommand.Create(),
    QueryCommand.Create(),
    AggregateCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
