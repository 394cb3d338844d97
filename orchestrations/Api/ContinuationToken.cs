using System.Text;

namespace Tributary.Orchestrations.Api;

/// <summary>The opaque paging token of the runs listing: where the previous page stopped, base64url-encoded.</summary>
public static class ContinuationToken
{
    private const string Version = "v1:";

    public static string Encode(string lastName) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Version + lastName)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The position a token names; FormatException when it was not made by <see cref="Encode"/>.</summary>
    public static string Decode(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new FormatException("continuation: not a token from a previous page");
        }

        return text.StartsWith(Version, StringComparison.Ordinal) && text.Length > Version.Length
            ? text[Version.Length..]
            : throw new FormatException("continuation: not a token from a previous page");
    }
}
