using System.CommandLine;
using System.CommandLine.Parsing;
using Tributary.Orchestrations.Datasets;

namespace Tributary.Cli.Commands;

/// <summary>
/// Dataset names given on the command line are checked while parsing: a name with '..', '/', '\' or an absolute path
/// never reaches a blob path (where '..' would climb into another container) or a local folder.
/// </summary>
public static class DatasetNameOptions
{
    public static Argument<string> RefusingUnsafeNames(this Argument<string> argument)
    {
        argument.Validators.Add(result => Check(result, result.GetValueOrDefault<string>()));
        return argument;
    }

    public static Option<T> RefusingUnsafeNames<T>(this Option<T> option)
        where T : class?
    {
        option.Validators.Add(result => Check(result, result.GetValueOrDefault<T>() as string));
        return option;
    }

    private static void Check(SymbolResult result, string? name)
    {
        // An absent optional dataset is "every dataset", not a name to check.
        if (name is not null && DatasetNames.Problem(name) is { } problem)
        {
            result.AddError($"dataset {problem}");
        }
    }
}
