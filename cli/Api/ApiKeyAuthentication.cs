using System.Security.Cryptography;
using System.Text;

namespace Tributary.Cli.Api;

/// <summary>
/// Every /api call needs one of the configured keys, as X-Api-Key or Authorization: Bearer. Compared in constant
/// time; a refusal is a 401 Problem Details that says what is missing.
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, ApiOptions options)
{
    public const string HeaderName = "X-Api-Key";

    private readonly byte[][] keys = options.Keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var presented = Presented(context.Request);
        if (keys.Length > 0 && presented is not null && IsKnown(presented))
        {
            await next(context);
            return;
        }

        var detail = keys.Length == 0
            ? "the API has no keys configured (Tributary:Api:Keys); every call is refused"
            : presented is null
                ? $"authentication required: send an API key as {HeaderName} or Authorization: Bearer"
                : "the API key is not valid";
        context.Response.Headers.WWWAuthenticate = "Bearer, ApiKey";
        await Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(context);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var key) && !string.IsNullOrEmpty(key))
        {
            return key.ToString();
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private bool IsKnown(string presented)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var key in keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, key);
        }

        return match;
    }
}
