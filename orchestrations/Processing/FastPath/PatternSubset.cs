using System.Text.RegularExpressions;

namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>
/// A schema pattern that .NET and DuckDB's RE2 read alike, checked on printable ASCII values only. Full-match of
/// a regular language is the same question for both engines; they differ in syntax at the edges (class
/// subtraction, POSIX classes, inline flags, Unicode classes, back-references), so a pattern using any of that
/// is not accepted here and its values are checked by DuckDB.
/// </summary>
public static class PatternSubset
{
    /// <summary>A .NET regex that full-matches exactly what <c>regexp_full_match(value, pattern)</c> does on printable ASCII, or null.</summary>
    public static Regex? TryCreate(string pattern) => Compiled.GetOrAdd(pattern, p =>
    {
        if (!IsPortable(p))
        {
            return null;
        }

        try
        {
            return new Regex($@"\A(?:{p})\z", RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException)
        {
            return null;
        }
    });

    /// <summary>Compiling costs milliseconds and every chunk of a dataset asks for the same patterns.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex?> Compiled = new(StringComparer.Ordinal);

    /// <summary>True when every byte is printable ASCII, where both engines' classes (\d, \w, \s, '.') agree.</summary>
    public static bool IsPrintableAscii(ReadOnlySpan<byte> value) => value.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0;

    private static bool IsPortable(string pattern)
    {
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var ch = pattern[i];
            var next = i + 1 < pattern.Length ? pattern[i + 1] : '\0';
            if (ch is < ' ' or > '~')
            {
                return false;
            }

            if (ch == '\\')
            {
                // Escaped punctuation is literal in both; of the letter escapes only the ASCII-equivalent classes pass.
                if (!(char.IsAsciiLetterOrDigit(next) ? "dDwWsS".Contains(next, StringComparison.Ordinal) : next is >= ' ' and <= '~'))
                {
                    return false;
                }

                i++;
                continue;
            }

            if (inClass)
            {
                if (ch == '[' || (ch == '-' && next == '['))
                {
                    return false;
                }

                inClass = ch != ']';
                continue;
            }

            switch (ch)
            {
                case '[':
                    inClass = true;
                    if (next == '^')
                    {
                        i++;
                    }

                    // A ']' right after '[' or '[^' is a literal in both engines.
                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        i++;
                    }

                    break;
                case '(' when next == '?' && (i + 2 >= pattern.Length || pattern[i + 2] != ':'):
                case '{' when !char.IsAsciiDigit(next):
                    return false;
            }
        }

        return !inClass;
    }
}
