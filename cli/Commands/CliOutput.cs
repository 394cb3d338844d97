using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Tributary.Cli.Commands;

/// <summary>
/// Output that people and scripts can both read: JSON documents for --json, and tables that never wrap a run id when
/// stdout is not a terminal (plain tab-separated lines instead of a box drawn for 80 columns).
/// </summary>
public static class CliOutput
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static bool IsTerminal => !Console.IsOutputRedirected;

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>A table: drawn on a terminal, tab-separated (header first, no markup) off one.</summary>
    public static void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<(string Text, string? Markup)>> rows)
    {
        if (!IsTerminal)
        {
            Console.Out.WriteLine(string.Join('\t', headers));
            foreach (var row in rows)
            {
                Console.Out.WriteLine(string.Join('\t', row.Select(c => c.Text.Replace('\t', ' ').Replace('\n', ' '))));
            }

            return;
        }

        var table = new Table();
        foreach (var header in headers)
        {
            table.AddColumn(Markup.Escape(header));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(c => (IRenderable)new Markup(c.Markup ?? Markup.Escape(c.Text))).ToArray());
        }

        AnsiConsole.Write(table);
    }
}
