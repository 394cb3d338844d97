using System.Diagnostics;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>
/// A fact that needs `unshare -rm` (a user + mount namespace, where a tmpfs can be mounted without privileges on the
/// host): skipped, with the reason, where the kernel or the container forbids it.
/// </summary>
public sealed class MountNamespaceFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public MountNamespaceFactAttribute()
    {
        if (Unavailable.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Why a tmpfs cannot be mounted in a new mount namespace here, or null when it can.</summary>
    private static string? Probe()
    {
        var folder = Directory.CreateTempSubdirectory("tributary-mountns-").FullName;
        try
        {
            var start = new ProcessStartInfo("unshare") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\"", folder })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"mount namespaces are not allowed here (unshare -rm + mount tmpfs exited {process.ExitCode}: {error.Trim()})";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"unshare is not available: {e.Message}";
        }
        finally
        {
            Directory.Delete(folder);
        }
    }
}
