using System.Security.Cryptography;

namespace Tributary.Cli.Runtime;

/// <summary>
/// The home's API key: how this machine's own commands (rerun, backfill over HTTP) reach the serve of the same home
/// with no key configured, while the API still refuses every caller that cannot read the home. serve makes it on first
/// start; only its owner may read it (0600), as only they can read the home's storage.
/// </summary>
public static class LocalApiKey
{
    public const string FileName = "api-key";

    public static string PathIn(string home) => Path.Combine(home, FileName);

    /// <summary>The home's key, made now if it has none. Two processes racing both end with the one that landed first.</summary>
    public static string Ensure(string home)
    {
        if (Read(home) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(home);
        var path = PathIn(home);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        }

        try
        {
            // Whole or absent: a reader never sees a key half written.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }

        return Read(home) ?? throw new IOException($"the API key at {path} could not be written");
    }

    /// <summary>The home's key, or null when no serve of this home has made one.</summary>
    public static string? Read(string home)
    {
        var path = PathIn(home);
        return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } key ? key : null;
    }
}
