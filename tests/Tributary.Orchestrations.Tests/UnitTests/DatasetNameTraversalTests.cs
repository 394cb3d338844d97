using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>
/// A dataset name read from configuration becomes a folder in every container: names that climb ('..'), are absolute,
/// or carry a backslash or a slash are refused when the definition loads, with a reason that names the field.
/// </summary>
public sealed class DatasetNameTraversalTests
{
    public static TheoryData<string> Climbing => ["..", "../taxi", "taxi/..", "/etc", "/taxi", "a/b", "..\\escape", "taxi\\x", "C:\\data", ".", ".hidden", "", "Taxi"];

    [Theory]
    [MemberData(nameof(Climbing))]
    public void A_definition_whose_name_climbs_or_is_absolute_is_refused_with_a_reason(string name)
    {
        // The shipped taxi definition with only its name changed (JSON-escaped, so a backslash is one backslash).
        var json = File.ReadAllText(TaxiDefinition()).Replace("\"name\": \"taxi\"", $"\"name\": {System.Text.Json.JsonSerializer.Serialize(name)}", StringComparison.Ordinal);

        var error = Assert.Throws<DatasetDefinitionException>(() => DatasetDefinitionLoader.Parse(json, "datasets/hostile.json"));

        Assert.Contains("datasets/hostile.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("name:", error.Message, StringComparison.Ordinal);
        Assert.Contains("no '/', '\\', '..' or absolute paths", error.Message, StringComparison.Ordinal);
    }

    private static string TaxiDefinition()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "datasets", "taxi.json")))
            {
                return Path.Combine(dir.FullName, "datasets", "taxi.json");
            }
        }

        throw new InvalidOperationException("datasets/taxi.json not found above the test's folder");
    }

    [Theory]
    [InlineData("taxi")]
    [InlineData("sales-2026_eu")]
    [InlineData("0day")]
    public void Plain_names_are_accepted(string name) => Assert.Null(DatasetNames.Problem(name));

    [Theory]
    [MemberData(nameof(Climbing))]
    public void Every_climbing_name_has_a_problem(string name) => Assert.NotNull(DatasetNames.Problem(name));
}
