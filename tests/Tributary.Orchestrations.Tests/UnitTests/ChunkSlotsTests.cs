using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>The host's bound on chunks processed with DuckDB at once: a chunk past it waits until a slot is freed.</summary>
public sealed class ChunkSlotsTests
{
    [Fact]
    public async Task A_chunk_past_the_bound_waits_until_a_slot_is_freed()
    {
        using var slots = new ChunkSlots(2);
        var first = await slots.TakeAsync();
        using var second = await slots.TakeAsync();

        var third = slots.TakeAsync();
        Assert.False(third.IsCompleted);

        first.Dispose();
        first.Dispose(); // freeing twice frees one slot only
        using var taken = await third;
        Assert.False(slots.TakeAsync().IsCompleted);
    }

    [Fact]
    public void The_default_is_one_slot_per_core_pair_and_never_zero() =>
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), ChunkSlots.Default);
}
