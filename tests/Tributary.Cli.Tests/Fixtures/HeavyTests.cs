namespace Tributary.Cli.Tests.Fixtures;

/// <summary>
/// The CPU-heavy test classes (thousands of activities or files, a packed tool install): they run one after another,
/// each beside at most one lighter class.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HeavyTests
{
    public const string Name = "Heavy";
}
