namespace Tributary.Cli.Runtime;

/// <summary>Finds the folder with the project's package.json (which pins Azurite) and its local state folder.</summary>
public static class ToolsLocator
{
    /// <summary>The repository root: the nearest folder above the app or the working directory with Functions.sln and package.json.</summary>
    public static string FindToolsRoot()
    {
        var configured = Environment.GetEnvironmentVariable("TRIBUTARY_HOME");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }

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

        throw new InvalidOperationException("Cannot find the Tributary folder (with package.json and Functions.sln); set TRIBUTARY_HOME.");
    }

    /// <summary>Local state (Azurite data, demo output): .tributary/ under the tools root, ignored by git.</summary>
    public static string StateFolder(string toolsRoot) =>
        Environment.GetEnvironmentVariable("TRIBUTARY_STATE") is { Length: > 0 } state ? Path.GetFullPath(state) : Path.Combine(toolsRoot, ".tributary");
}
