namespace Tributary.Cli.Runtime;

/// <summary>
/// Where the CLI keeps its state (the shared storage's data, its record and log, demo output): the home. Like git or
/// dbt it sits beside the user's work: <c>./.tributary</c> in the current folder, or <c>TRIBUTARY_HOME</c>
/// (set by the global <c>--home</c> option too).
/// </summary>
public static class TributaryHome
{
    public const string EnvironmentVariable = "TRIBUTARY_HOME";

    /// <summary>Where Azurite's pinned npm package is installed when the CLI runs outside a source checkout.</summary>
    public const string ToolsEnvironmentVariable = "TRIBUTARY_TOOLS";

    /// <summary>The home folder (not created here).</summary>
    public static string Resolve()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            // The name used before the home existed; still honoured.
            configured = Environment.GetEnvironmentVariable("TRIBUTARY_STATE");
        }

        return string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(Directory.GetCurrentDirectory(), ".tributary")
            : Path.GetFullPath(configured);
    }

    /// <summary>The user-level tools folder: TRIBUTARY_TOOLS, else ~/.tributary/tools (one Azurite install for every home).</summary>
    public static string UserToolsFolder()
    {
        var configured = Environment.GetEnvironmentVariable(ToolsEnvironmentVariable);
        return string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".tributary", "tools")
            : Path.GetFullPath(configured);
    }

    /// <summary>
    /// The datasets folder when Tributary:DatasetsPath is not configured: ./datasets when it exists (the user's
    /// project), else the datasets shipped beside the binary (so `demo` works anywhere).
    /// </summary>
    public static string DefaultDatasetsPath()
    {
        var local = Path.Combine(Directory.GetCurrentDirectory(), "datasets");
        return Directory.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, "datasets");
    }
}
