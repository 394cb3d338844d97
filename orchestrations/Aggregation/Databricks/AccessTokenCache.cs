namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// One cached bearer token, fetched on demand by one caller at a time and refreshed shortly before it expires:
/// at <c>expiresOn - min(skew, lifetime / 2)</c>.
/// </summary>
internal sealed class AccessTokenCache : IDisposable
{
    private readonly TimeSpan _skew;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _refreshAt = DateTimeOffset.MinValue;

    public AccessTokenCache(TimeSpan skew, TimeProvider clock)
    {
        _skew = skew < TimeSpan.Zero ? TimeSpan.Zero : skew;
        _clock = clock;
    }

    public async Task<string> GetAsync(
        Func<CancellationToken, Task<(string Token, DateTimeOffset ExpiresOn)>> fetch, CancellationToken cancellationToken)
    {
        var token = _token;
        if (token is not null && _clock.GetUtcNow() < _refreshAt)
        {
            return token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _clock.GetUtcNow();
            if (_token is not null && now < _refreshAt)
            {
                return _token;
            }

            var (fresh, expiresOn) = await fetch(cancellationToken).ConfigureAwait(false);
            var lifetime = expiresOn - now;
            var margin = lifetime <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(_skew.Ticks, lifetime.Ticks / 2));
            _refreshAt = expiresOn - margin;
            _token = fresh;
            return fresh;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets <paramref name="token"/> (e.g. after a 401) so the next call fetches a new one.</summary>
    public void Invalidate(string token)
    {
        if (string.Equals(_token, token, StringComparison.Ordinal))
        {
            _refreshAt = DateTimeOffset.MinValue;
        }
    }

    public void Dispose() => _gate.Dispose();
}
