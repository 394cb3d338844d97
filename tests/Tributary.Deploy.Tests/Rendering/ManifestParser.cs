using System.Text.RegularExpressions;
using k8s;
using Tributary.Deploy.Tests.Keda;
using YamlDotNet.RepresentationModel;

namespace Tributary.Deploy.Tests.Rendering;

/// <summary>Splits a multi-document YAML render and parses each object strictly by its kind.</summary>
public static partial class ManifestParser
{
    public static RenderedManifests Parse(string yaml) =>
        new(SplitDocuments(yaml).Select(ParseDocument).ToList());

    public static object ParseDocument(string document)
    {
        var (apiVersion, kind) = ReadTypeHeader(document);
        if (apiVersion.StartsWith("keda.sh/", StringComparison.Ordinal))
        {
            return kind switch
            {
                "ScaledObject" => KedaYaml.Deserialize<ScaledObject>(document),
                "TriggerAuthentication" => KedaYaml.Deserialize<TriggerAuthentication>(document),
                _ => throw new InvalidDataException($"KEDA kind {kind} has no typed record"),
            };
        }
        // strict: a field the Kubernetes model does not have is an error, as the API server would report it.
        var objects = KubernetesYaml.LoadAllFromString(document, typeMap: null, strict: true);
        return objects.Single();
    }

    private static (string ApiVersion, string Kind) ReadTypeHeader(string document)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(document));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        string Read(string key) =>
            root.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value ?? ""
                : throw new InvalidDataException($"object without {key}:\n{document}");
        return (Read("apiVersion"), Read("kind"));
    }

    private static IEnumerable<string> SplitDocuments(string yaml) =>
        DocumentSeparator().Split(yaml).Where(doc => !string.IsNullOrWhiteSpace(doc) && !IsCommentOnly(doc));

    private static bool IsCommentOnly(string doc) =>
        doc.Split('\n').All(line => string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'));

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}
