using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Tributary.Cli.Api;

namespace Tributary.Cli.Web;

/// <summary>
/// Who may see the UI: a browser signs in with one of the API's keys or with the one-time token serve prints at start
/// (good for one sign-in), and gets a random session id in an HttpOnly, SameSite=Strict cookie. Sessions live in
/// memory: a restart of serve signs everyone out.
/// </summary>
public sealed class UiSessions
{
    public const string CookieName = "tributary_ui";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly byte[][] keys;
    private readonly ConcurrentDictionary<string, DateTimeOffset> sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider clock;
    private byte[]? oneTimeToken;

    public UiSessions(ApiOptions options, TimeProvider? clock = null)
    {
        keys = options.Keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(Hash).ToArray();
        this.clock = clock ?? TimeProvider.System;
        OneTimeToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        oneTimeToken = Hash(OneTimeToken);
    }

    /// <summary>Printed by serve at start; accepted once in place of an API key.</summary>
    public string OneTimeToken { get; }

    /// <summary>A new session id when <paramref name="secret"/> is an API key or the unused one-time token; else null.</summary>
    public string? SignIn(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        var hash = Hash(secret);
        var known = false;
        foreach (var key in keys)
        {
            known |= CryptographicOperations.FixedTimeEquals(hash, key);
        }

        if (!known && Volatile.Read(ref oneTimeToken) is { } token && CryptographicOperations.FixedTimeEquals(hash, token))
        {
            // Only the first sign-in that swaps it out wins.
            known = Interlocked.CompareExchange(ref oneTimeToken, null, token) == token;
        }

        if (!known)
        {
            return null;
        }

        var session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        sessions[session] = clock.GetUtcNow() + Lifetime;
        return session;
    }

    public bool IsValid(string? session)
    {
        if (session is null || !sessions.TryGetValue(session, out var expires))
        {
            return false;
        }

        if (expires > clock.GetUtcNow())
        {
            return true;
        }

        sessions.TryRemove(session, out _);
        return false;
    }

    public void SignOut(string? session)
    {
        if (session is not null)
        {
            sessions.TryRemove(session, out _);
        }
    }

    public static CookieOptions CookieOptions() => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        MaxAge = Lifetime,
        IsEssential = true,
    };

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
