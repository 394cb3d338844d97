using System.Reflection;

namespace Tributary.Cli.Web;

/// <summary>GET /ui/static/{name}: the UI's script and style and the pinned uPlot, embedded in the binary (see the csproj).</summary>
public static class UiAssets
{
    private const string Prefix = "Tributary.Cli.Web.static.";
    private static readonly Assembly Assembly = typeof(UiAssets).Assembly;
    private static readonly HashSet<string> Names = Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]).ToHashSet(StringComparer.Ordinal);

    public static IResult Serve(string name, HttpContext context)
    {
        // Only names that are embedded: a lookup, never a path.
        if (!Names.Contains(name))
        {
            return Results.Problem($"no static file '{name}'", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        context.Response.Headers.CacheControl = "public, max-age=3600";
        var type = name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        return Results.Stream(Assembly.GetManifestResourceStream(Prefix + name)!, type);
    }
}
