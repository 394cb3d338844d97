using System.Text;

namespace Tributary.Orchestrations.Processing.Text;

/// <summary>Splits a CSV header line into column names (quotes removed, doubled quotes undone).</summary>
public static class CsvHeader
{
    public static List<string> Split(string header, char delimiter, char? quote)
    {
        var names = new List<string>();
        var name = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < header.Length; i++)
        {
            var ch = header[i];
            if (quoted)
            {
                if (ch == quote && i + 1 < header.Length && header[i + 1] == quote)
                {
                    name.Append(ch);
                    i++;
                }
                else if (ch == quote)
                {
                    quoted = false;
                }
                else
                {
                    name.Append(ch);
                }
            }
            else if (ch == quote)
            {
                quoted = true;
            }
            else if (ch == delimiter)
            {
                names.Add(name.ToString().Trim());
                name.Clear();
            }
            else
            {
                name.Append(ch);
            }
        }

        names.Add(name.ToString().Trim());
        return names;
    }
}
