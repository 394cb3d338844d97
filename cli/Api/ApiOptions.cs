namespace Tributary.Cli.Api;

/// <summary>The standalone host's HTTP API (section Tributary:Api).</summary>
public sealed class ApiOptions
{
    public const string Section = "Tributary:Api";

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; } = 7080;

    /// <summary>
    /// Accepted keys, sent as X-Api-Key or Authorization: Bearer. serve adds its home's key (<see cref="Runtime.LocalApiKey"/>);
    /// with none at all every call is refused.
    /// </summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// How much of an oversized body is read (and dropped) after its 413 is sent, so the client finishes sending and
    /// reads the answer; past this the connection is closed, and a client still sending may see a reset instead.
    /// </summary>
    public long MaxDrainBytes { get; set; } = 64L * 1024 * 1024;
}
