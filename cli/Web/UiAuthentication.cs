namespace Tributary.Cli.Web;

/// <summary>
/// Guards / and /ui: without a valid session cookie a page request is redirected to the sign-in page and anything else
/// (a download, chart data) gets a 401 Problem Details. Only the sign-in page and the static files are open.
/// </summary>
public sealed class UiAuthentication(RequestDelegate next, UiSessions sessions)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var guarded = path == "/" || path.StartsWithSegments("/ui", StringComparison.OrdinalIgnoreCase);
        var open = path.StartsWithSegments("/ui/login", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/ui/static", StringComparison.OrdinalIgnoreCase);
        if (!guarded || open || sessions.IsValid(context.Request.Cookies[UiSessions.CookieName]))
        {
            context.Response.Headers.ContentSecurityPolicy = Html.ContentSecurityPolicy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await next(context);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && UiEndpoints.IsPage(path))
        {
            var back = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/ui/login?next=" + Uri.EscapeDataString(back));
            return;
        }

        await Results.Problem("sign in at /ui/login first (with an API key or the one-time token serve printed)", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(context);
    }
}
