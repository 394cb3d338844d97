namespace Tributary.Cli.Runtime;

/// <summary>
/// Finds the folder whose node_modules holds (or will hold) the pinned Azurite: TRIBUTARY_TOOLS when set, else the
/// source checkout the binary runs from (its package.json, installed by the repository's `npm ci`), else the
/// user-level tools folder (~/.tributary/tools) seeded with the package.json and package-lock.json shipped in the tool.
/// </summary>
public static class ToolsLocator
{
    /// <summary>The shipped copies of package.json and package-lock.json, beside the binary.</summary>
    public static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "tools");

    public static string FindToolsRoot()
    {
        if (Environment.GetEnvironmentVariable(TributaryHome.ToolsEnvironmentVariable) is { Length: > 0 })
        {
            return Seed(TributaryHome.UserToolsFolder());
        }

        return FindCheckout() ?? Seed(TributaryHome.UserToolsFolder());
    }

    /// <summary>The source checkout (Functions.sln and package.json) above the binary or the working directory, if any.</summary>
    public static string? FindCheckout()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "package.json")) && File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Puts the shipped package.json and package-lock.json into a tools folder. When the shipped lock file differs from
    /// the one there (a newer tool), node_modules is removed so `npm ci` installs the pinned versions again.
    /// </summary>
    private static string Seed(string folder)
    {
        Directory.CreateDirectory(folder);
        var shippedLock = Path.Combine(ShippedFolder, "package-lock.json");
        if (!File.Exists(shippedLock))
        {
            return folder;
        }

        var lockFile = Path.Combine(folder, "package-lock.json");
        if (File.Exists(lockFile) && File.ReadAllText(lockFile) == File.ReadAllText(shippedLock))
        {
            return folder;
        }

        var modules = Path.Combine(folder, "node_modules");
        if (Directory.Exists(modules) && File.Exists(lockFile))
        {
            Directory.Delete(modules, recursive: true);
        }

        File.Copy(Path.Combine(ShippedFolder, "package.json"), Path.Combine(folder, "package.json"), overwrite: true);
        File.Copy(shippedLock, lockFile, overwrite: true);
        return folder;
    }
}
