using System.Globalization;
using System.Numerics;

namespace Tributary.Bench;

/// <summary>
/// The bench's command-line options: `--name value` pairs and flags after the mode word (args[0], e.g. `hostile`).
/// An option given as the last argument, with no value after it, counts as absent.
/// </summary>
internal static class BenchArgs
{
    /// <summary>The value after the first <paramref name="name"/>, or null.</summary>
    public static string? Value(string[] args, string name)
    {
        // Index 0 is the mode word, never an option.
        var at = Array.IndexOf(args, name);
        return at > 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>The number after the first <paramref name="name"/> (invariant culture), or <paramref name="fallback"/>.</summary>
    public static T Number<T>(string[] args, string name, T fallback)
        where T : INumber<T> =>
        Value(args, name) is { } value ? T.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The value after every <paramref name="name"/>, in order (a repeatable option such as `--set K=V`).</summary>
    public static List<string> Values(string[] args, string name)
    {
        var values = new List<string>();
        for (var i = 1; i + 1 < args.Length; i++)
        {
            if (args[i] == name)
            {
                values.Add(args[i + 1]);
            }
        }

        return values;
    }

    /// <summary>Whether the flag <paramref name="name"/> is given (it takes no value).</summary>
    public static bool Flag(string[] args, string name) => args.Contains(name);
}
