using System.Text.RegularExpressions;
using Tributary.Functions.Tests.Fixtures;

namespace Tributary.Functions.Tests.UnitTests;

/// <summary>
/// No Docker engine here: the image definition is parsed instead. Two stages, official images, the app
/// published from the functions project with its metadata, host.json and datasets, run as a non-root user.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] Lines = Instructions(File.ReadAllText(RepositoryFiles.Path("k8s/Dockerfile")));

    [Fact]
    public void Builds_on_the_SDK_and_runs_on_the_Functions_isolated_image()
    {
        var stages = Lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        Assert.Equal(["FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", "FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0"], stages);
    }

    [Fact]
    public void Publishes_the_functions_project_into_the_script_root()
    {
        var publish = Assert.Single(Lines, l => l.Contains("dotnet publish", StringComparison.Ordinal));

        Assert.Contains("functions/Tributary.Functions.csproj", publish);
        Assert.Contains("--output /home/site/wwwroot", publish);
        foreach (var required in new[] { "functions.metadata", "host.json", "datasets/taxi.json" })
        {
            Assert.Contains($"test -f /home/site/wwwroot/{required}", publish);
        }

        Assert.Contains("COPY --from=build /home/site/wwwroot /home/site/wwwroot", Lines);
        Assert.Contains(Lines, l => l.StartsWith("ENV AzureWebJobsScriptRoot=/home/site/wwwroot", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_file_the_build_needs_is_copied_into_the_build_stage()
    {
        var copied = Lines.TakeWhile(l => !l.StartsWith("FROM mcr.microsoft.com/azure-functions", StringComparison.Ordinal))
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal))
            .SelectMany(l => l["COPY ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            .ToHashSet();

        // The functions project links ../host.json and ../datasets; it builds on orchestrations and the shared props.
        foreach (var needed in new[] { "Directory.Build.props", "Directory.Packages.props", "host.json", "datasets/", "orchestrations/", "functions/" })
        {
            Assert.Contains(needed, copied);
        }
    }

    [Fact]
    public void Runs_as_a_non_root_user_on_the_manifests_port()
    {
        var user = Assert.Single(Lines, l => l.StartsWith("USER ", StringComparison.Ordinal));
        var uid = user["USER ".Length..].Split(':')[0];

        Assert.NotEqual("root", uid);
        Assert.NotEqual("0", uid);
        Assert.Equal(user, Lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal) || l.StartsWith("FROM ", StringComparison.Ordinal)));
        Assert.Contains("EXPOSE 8080", Lines);
    }

    [Fact]
    public void The_build_context_leaves_out_local_output_and_settings()
    {
        var ignored = File.ReadAllLines(RepositoryFiles.Path(".dockerignore"));

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains("node_modules/", ignored);
        Assert.Contains("**/local.settings.json", ignored);
    }

    /// <summary>The Dockerfile's instructions, one a line: comments dropped, continuation lines joined.</summary>
    private static string[] Instructions(string text) =>
        Continuation().Replace(text, " ")
            .Split('\n')
            .Select(l => Spaces().Replace(l.Trim(), " "))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToArray();

    [GeneratedRegex(@"\\\s*\n(\s*#[^\n]*\n)*")]
    private static partial Regex Continuation();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
