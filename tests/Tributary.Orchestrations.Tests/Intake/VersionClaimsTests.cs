using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.Intake;

/// <summary>VersionClaims: the processed-version index that lets a blob version land in one run only.</summary>
public sealed class VersionClaimsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_first_claim_sets_the_owner_and_later_claims_read_it()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("versions");
        var version = new BlobReference(BlobContainers.Incoming, $"{dataset}/a.csv", "0x1", 10);

        Assert.Null(await core.Versions.ReadAsync(dataset, version));
        Assert.Equal("run-a", (await core.Versions.ClaimAsync(dataset, version, "run-a")).Owner);
        Assert.Equal("run-a", (await core.Versions.ClaimAsync(dataset, version, "run-b")).Owner);
        Assert.Equal("run-a", (await core.Versions.ReadAsync(dataset, version))!.Owner);

        // Another ETag is another version.
        Assert.Equal("run-b", (await core.Versions.ClaimAsync(dataset, version with { ETag = "0x2" }, "run-b")).Owner);
    }

    [Fact]
    public async Task A_pending_claim_has_no_owner_and_racing_claims_agree_on_one()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("versions");
        var pending = new BlobReference(BlobContainers.Incoming, $"{dataset}/pending.csv", "0x1", 10);
        Assert.Null((await core.Versions.ClaimAsync(dataset, pending, owner: null)).Owner);

        var raced = new BlobReference(BlobContainers.Incoming, $"{dataset}/raced.csv", "0x1", 10);
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => core.Versions.ClaimAsync(dataset, raced, $"run-{i}"))));
        Assert.Single(claims.Select(c => c.Owner).Distinct());
    }

    [Fact]
    public async Task TryTake_takes_unowned_and_own_versions_but_another_runs_only_with_force()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("take");
        var version = new BlobReference(BlobContainers.Incoming, $"{dataset}/a.csv", "0x1", 10);

        // Unowned (waiting in a window): taken.
        await core.Versions.ClaimAsync(dataset, version, owner: null);
        Assert.True(await core.Versions.TryTakeAsync(dataset, version, "run-a", force: false));
        Assert.True(await core.Versions.TryTakeAsync(dataset, version, "run-a", force: false));

        // Owned by another run: refused, unless forced.
        Assert.False(await core.Versions.TryTakeAsync(dataset, version, "run-b", force: false));
        Assert.Equal("run-a", (await core.Versions.ReadAsync(dataset, version))!.Owner);
        Assert.True(await core.Versions.TryTakeAsync(dataset, version, "run-b", force: true));
        Assert.Equal("run-b", (await core.Versions.ReadAsync(dataset, version))!.Owner);

        // Absent: created with the taker as owner.
        var fresh = version with { ETag = "0x9" };
        Assert.True(await core.Versions.TryTakeAsync(dataset, fresh, "run-c", force: false));
        Assert.Equal("run-c", (await core.Versions.ReadAsync(dataset, fresh))!.Owner);
    }

    [Fact]
    public async Task Racing_takers_of_an_unowned_version_leave_exactly_one_owner()
    {
        await using var core = await CoreHost.StartAsync(azurite);
        var dataset = CoreHost.NewDataset("take");
        var version = new BlobReference(BlobContainers.Incoming, $"{dataset}/a.csv", "0x1", 10);
        await core.Versions.ClaimAsync(dataset, version, owner: null);

        var taken = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => core.Versions.TryTakeAsync(dataset, version, $"run-{i}", force: false))));

        var winner = Assert.Single(Enumerable.Range(0, 6), i => taken[i]);
        Assert.Equal($"run-{winner}", (await core.Versions.ReadAsync(dataset, version))!.Owner);
    }
}
