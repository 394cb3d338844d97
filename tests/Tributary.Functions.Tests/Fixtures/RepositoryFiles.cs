using System.Reflection;
using System.Text.Json.Nodes;

namespace Tributary.Functions.Tests.Fixtures;

/// <summary>Files of the repository and of the functions project's build output, located at build time.</summary>
public static class RepositoryFiles
{
    public static string Root => Metadata("RepositoryRoot");

    /// <summary>functions/bin/{Configuration}/net10.0/: building this test project builds the app first.</summary>
    public static string FunctionsOutput => Metadata("FunctionsOutput");

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static JsonNode ReadJson(string path) =>
        JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;

    private static string Metadata(string key) =>
        typeof(RepositoryFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
