using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>The host's bound on chunks processed with DuckDB at once: a chunk past it waits until a slot is freed.</summary>
public sealed class ChunkSlotsTests
{
    [Fact]
    public async Task A_chunk_past_the_bound_waits_until_a_slot_is_freed()
    {
        var slots = new ChunkSlots(2);
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
    public async Task Two_small_chunks_share_a_slot_and_a_large_one_waits_for_both()
    {
        var slots = new ChunkSlots(1);
        var small1 = await slots.TakeAsync(small: true);
        var small2 = slots.TakeAsync(small: true);
        Assert.True(small2.IsCompleted);

        var large = slots.TakeAsync();
        Assert.False(large.IsCompleted);

        small1.Dispose();
        Assert.False(large.IsCompleted);
        (await small2).Dispose();
        using var taken = await large;
        Assert.False(slots.TakeAsync(small: true).IsCompleted);
    }

    [Fact]
    public async Task Slots_are_granted_in_arrival_order_so_small_chunks_do_not_starve_a_large_one()
    {
        var slots = new ChunkSlots(1);
        var small = await slots.TakeAsync(small: true);
        var large = slots.TakeAsync();
        var later = slots.TakeAsync(small: true);

        // Half a slot is free, but the large chunk came first: the later small one waits behind it.
        Assert.False(later.IsCompleted);
        small.Dispose();
        var granted = await large;
        Assert.False(later.IsCompleted);
        granted.Dispose();
        (await later).Dispose();
    }

    [Fact]
    public void The_default_is_one_slot_per_core_pair_and_never_zero()
    {
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), ChunkSlots.Default);
        Assert.Equal(1, ChunkSlots.ThreadsFor(small: true));
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / ChunkSlots.Default), ChunkSlots.ThreadsFor(small: false));
    }
}
