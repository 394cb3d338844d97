namespace Tributary.Cli.Web;

/// <summary>GET/POST /ui/login and POST /ui/logout: the only page an anonymous visitor sees.</summary>
public static class LoginPage
{
    public static IResult Show(string? next, bool failed = false) => Html.Page(
        "Sign in",
        (failed ? "<p class=\"problem\" role=\"alert\">That key or token is not valid (a one-time token works once).</p>" : "") +
        "<form method=\"post\" action=\"/ui/login\" class=\"login\">" +
        $"<input type=\"hidden\" name=\"next\" value=\"{Html.E(SafeNext(next))}\">" +
        "<label for=\"key\">API key or the one-time token serve printed</label>" +
        "<input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"current-password\" required autofocus>" +
        "<button type=\"submit\">Sign in</button></form>",
        failed ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK,
        signedIn: false);

    public static async Task<IResult> SignInAsync(HttpContext context, UiSessions sessions)
    {
        if (!context.Request.HasFormContentType)
        {
            return Results.Problem("send the sign-in form (application/x-www-form-urlencoded with key)", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var next = form["next"].ToString();
        if (sessions.SignIn(form["key"].ToString()) is not { } session)
        {
            return Show(next, failed: true);
        }

        context.Response.Cookies.Append(UiSessions.CookieName, session, UiSessions.CookieOptions());
        return Results.Redirect(SafeNext(next));
    }

    public static IResult SignOut(HttpContext context, UiSessions sessions)
    {
        sessions.SignOut(context.Request.Cookies[UiSessions.CookieName]);
        context.Response.Cookies.Delete(UiSessions.CookieName, UiSessions.CookieOptions());
        return Results.Redirect("/ui/login");
    }

    /// <summary>Where to go after signing in: a local /ui path only (no open redirect to another site).</summary>
    public static string SafeNext(string? next) =>
        next is { Length: > 0 } && next.StartsWith("/ui", StringComparison.Ordinal) && !next.StartsWith("//", StringComparison.Ordinal) && !next.Contains('\\', StringComparison.Ordinal)
            ? next
            : "/ui";
}
