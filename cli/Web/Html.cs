using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Tributary.Cli.Web;

/// <summary>
/// The UI's only templating: pages are strings built here, and every value that comes from data goes through
/// <see cref="E"/> (HTML-encoded, invariant culture). Scripts and styles are files of the binary, so the
/// Content-Security-Policy can forbid inline code.
/// </summary>
public static class Html
{
    public const string ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    /// <summary>HTML-encodes a value (attribute-safe too: quotes are encoded).</summary>
    public static string E(object? value) => HtmlEncoder.Default.Encode(Text(value));

    /// <summary>A value as text: invariant numbers, ISO-like UTC times.</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        DateTime time => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z",
        DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z",
        double number => number.ToString("0.###", CultureInfo.InvariantCulture),
        float number => number.ToString("0.###", CultureInfo.InvariantCulture),
        decimal number => number.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A query-string value, URL-encoded (then HTML-encode the whole URL where it goes into an attribute).</summary>
    public static string U(string value) => Uri.EscapeDataString(value);

    public static string Seconds(double seconds) => seconds < 120
        ? seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : TimeSpan.FromSeconds(seconds).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    /// <summary>The page around <paramref name="body"/> (already safe HTML); <paramref name="refreshSeconds"/> reloads it while a run is live.</summary>
    public static IResult Page(string title, string body, int statusCode = StatusCodes.Status200OK, int? refreshSeconds = null, bool signedIn = true)
    {
        var page = new StringBuilder();
        page.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        if (refreshSeconds is { } seconds)
        {
            page.Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{seconds}\">");
        }

        page.Append(CultureInfo.InvariantCulture, $"<title>{E(title)} · Tributary</title>");
        page.Append("<link rel=\"stylesheet\" href=\"/ui/static/ui.css\"><link rel=\"stylesheet\" href=\"/ui/static/uPlot.min.css\"></head><body>");
        page.Append("<header><a class=\"brand\" href=\"/ui\">Tributary</a>");
        if (signedIn)
        {
            page.Append("<nav><a href=\"/ui\">Runs</a></nav><form method=\"post\" action=\"/ui/logout\"><button type=\"submit\">Sign out</button></form>");
        }

        page.Append("</header><main>");
        page.Append(CultureInfo.InvariantCulture, $"<h1>{E(title)}</h1>");
        page.Append(body);
        page.Append("</main></body></html>");
        return new HtmlResult(page.ToString(), statusCode);
    }

    /// <summary>A page that says what was wrong with the request (the HTML face of a Problem Details answer).</summary>
    public static IResult Problem(int statusCode, string title, string detail) =>
        Page(title, $"<p class=\"problem\" data-status=\"{statusCode}\">{E(detail)}</p><p><a href=\"/ui\">Back to the runs</a></p>", statusCode);

    private sealed class HtmlResult(string html, int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            httpContext.Response.Headers.CacheControl = "no-store";
            return httpContext.Response.WriteAsync(html);
        }
    }
}
