using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Tributary.Deploy.Tests.Keda;

/// <summary>Strict reader for KEDA objects: any field the records do not declare is an error.</summary>
public static class KedaYaml
{
    private static readonly IDeserializer Strict = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public static T Deserialize<T>(string yaml) => Strict.Deserialize<T>(yaml);
}
