using System.Text.RegularExpressions;

namespace Tributary.Cli.Web;

/// <summary>
/// Splits a reject reason as validation writes it ("column: 'value' is not a number", "column: 12 &gt; max 9",
/// "column: required value is missing") into its column and its rule, the value left out, so rows group by rule.
/// </summary>
public static partial class RejectReason
{
    public const string NoColumn = "(row)";

    public static (string Column, string Rule) Split(string reason)
    {
        var colon = reason.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0)
        {
            return (NoColumn, reason);
        }

        var column = reason[..colon];
        var rest = reason[(colon + 2)..];
        var quoted = QuotedValue().Match(rest);
        if (quoted.Success)
        {
            return (column, quoted.Groups["rule"].Value);
        }

        var bound = Bound().Match(rest);
        return (column, bound.Success ? bound.Groups["rule"].Value : rest);
    }

    [GeneratedRegex(@"^'.*' (?<rule>(is not|does not match) .+)$", RegexOptions.Singleline)]
    private static partial Regex QuotedValue();

    [GeneratedRegex(@"^.* (?<rule>[<>] (min|max) \S+)$", RegexOptions.Singleline)]
    private static partial Regex Bound();
}
