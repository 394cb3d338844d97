using Tributary.Cli.Runtime;
using Tributary.Cli.Tests.Fixtures;
using Xunit.Abstractions;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// `tributary` as a .NET tool: packed, installed into a temporary tool path, run from an empty folder far from the
/// checkout (init, then demo), with Azurite installed by `npm ci` from the lock file shipped in the tool.
/// </summary>
[Collection(HeavyTests.Name)]
[Trait("Category", "Slow")]
public sealed class ToolPackageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("tributary-tool-").FullName;

    [Fact]
    public async Task The_packed_tool_installs_and_runs_init_then_demo_from_an_empty_folder()
    {
        var checkout = ToolsLocator.FindCheckout() ?? throw new InvalidOperationException("tests run from the checkout");

        // Pack a copy of the sources: packing the checkout's cli would share its obj/ and bin/ with a build running
        // at the same time (the test project's own build, an IDE), and global properties that move obj/ apply to the
        // referenced project too and make both share one folder.
        var source = Path.Combine(root, "src");
        foreach (var folder in new[] { "cli", "orchestrations", "datasets" })
        {
            CopyTree(Path.Combine(checkout, folder), Path.Combine(source, folder));
        }

        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "package.json", "package-lock.json", "azurite-preload.js", "README.md", ".editorconfig" })
        {
            File.Copy(Path.Combine(checkout, file), Path.Combine(source, file));
        }

        var packages = Path.Combine(root, "packages");
        await RunAsync("dotnet", ["pack", Path.Combine(source, "cli"), "-c", "Release", "-o", packages], source, TimeSpan.FromMinutes(8));
        Assert.Single(Directory.GetFiles(packages, "tributary.*.nupkg"));

        var tools = Path.Combine(root, "tool");
        await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packages, "tributary"], root, TimeSpan.FromMinutes(3));
        var tributary = Path.Combine(tools, "tributary");

        var project = Path.Combine(root, "project");
        Directory.CreateDirectory(project);
        var environment = new Dictionary<string, string>
        {
            // A private tools folder: npm ci from the shipped lock file, not the developer's ~/.tributary/tools.
            [TributaryHome.ToolsEnvironmentVariable] = Path.Combine(root, "node-tools"),
            ["TRIBUTARY_HOME"] = "",
            ["TRIBUTARY_STATE"] = "",
        };
        try
        {
            var init = await CliResult.RunAsync(["init"], environment, project, TimeSpan.FromMinutes(1), tributary);
            Assert.True(init.ExitCode == 0, init.ToString());
            Assert.True(File.Exists(Path.Combine(project, "datasets", "taxi.json")));
            Assert.Equal(2, (await CliResult.RunAsync(["init"], environment, project, TimeSpan.FromMinutes(1), tributary)).ExitCode);

            var demo = await CliResult.RunAsync(["demo", "--rows", "2000"], environment, project, TimeSpan.FromMinutes(8), tributary);
            output.WriteLine(demo.ToString());
            Assert.True(demo.ExitCode == 0, demo.ToString());
            Assert.Contains("All runs succeeded", demo.Stdout, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(project, ".tributary", "storage.json")), "the state is beside the work, in ./.tributary");
            Assert.True(File.Exists(Path.Combine(root, "node-tools", "node_modules", "azurite", "dist", "src", "azurite.js")));

            // The installed tool's Azurite runs with the shipped preload (its deletes and lookups scale with one blob).
            using var record = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(project, ".tributary", "storage.json")));
            var commandLine = await File.ReadAllTextAsync($"/proc/{record.RootElement.GetProperty("pid").GetInt32()}/cmdline");
            Assert.Contains(Path.Combine("tools", "azurite-preload.js"), commandLine, StringComparison.Ordinal);
            Assert.StartsWith(tools, commandLine.Split('\0')[2], StringComparison.Ordinal);
        }
        finally
        {
            var stop = await CliResult.RunAsync(["storage", "stop"], environment, project, TimeSpan.FromMinutes(1), tributary);
            output.WriteLine(stop.ToString());
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task RunAsync(string executable, string[] args, string workingDirectory, TimeSpan timeout)
    {
        var result = await CliResult.RunAsync(args, new Dictionary<string, string>(), workingDirectory, timeout, executable);
        Assert.True(result.ExitCode == 0, $"{executable} {string.Join(' ', args)}: {result}");
        output.WriteLine(result.Stdout);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var first = relative.Split(Path.DirectorySeparatorChar)[0];
            if (first is "bin" or "obj")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
