using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Tests.Tables;

/// <summary>What a coalesced refresh may refresh to: only a newer version made under the same definition.</summary>
public sealed class NewestTableVersionsTests
{
    [Fact]
    public void The_newest_version_is_kept_and_offered_only_to_runs_of_the_same_definition()
    {
        var versions = new NewestTableVersions();
        Assert.Null(versions.Of("taxi", "h1"));

        versions.Saw("taxi", 3, "h1");
        versions.Saw("taxi", 2, "h1");
        Assert.Equal(3, versions.Of("taxi", "h1"));

        // A newer commit under another definition: a refresh with the old spec must not jump to it.
        versions.Saw("taxi", 4, "h2");
        Assert.Null(versions.Of("taxi", "h1"));
        Assert.Equal(4, versions.Of("taxi", "h2"));
        Assert.Null(versions.Of("other", "h2"));
    }
}
