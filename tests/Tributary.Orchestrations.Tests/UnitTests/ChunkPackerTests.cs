using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Storage;


namespace Tributary.Orchestrations.Tests.UnitTests;

public sealed class ChunkPackerTests
{
    [Fact]
    public void Small_chunks_share_packs_up_to_the_byte_and_count_limits_and_large_ones_go_alone()
    {
        long[] sizes = [100, 200, 5_000, 300, 300, 300, 300, 100];
        var chunks = sizes.Select((size, i) => Chunk(i, size)).ToList();

        var packs = ChunkPacker.Pack(chunks, smallBelowBytes: 1_000, maxChunksPerPack: 3);

        Assert.Equal([[0, 1], [2], [3, 4, 5], [6, 7]], packs.Select(p => p.ToArray()).ToArray());
    }

    [Fact]
    public void Every_chunk_is_in_exactly_one_pack_in_order()
    {
        var random = new Random(3);
        var chunks = Enumerable.Range(0, 500).Select(i => Chunk(i, random.Next(1, 3_000))).ToList();

        var packs = ChunkPacker.Pack(chunks, smallBelowBytes: 2_000, maxChunksPerPack: 7);

        Assert.Equal(Enumerable.Range(0, 500), packs.SelectMany(p => p));
        Assert.All(packs, p => Assert.InRange(p.Count, 1, 7));
    }

    [Theory]
    [InlineData(0, 25)]
    [InlineData(1_000_000, 1)]
    public void Packing_can_be_turned_off(long smallBelowBytes, int maxChunksPerPack)
    {
        var chunks = Enumerable.Range(0, 5).Select(i => Chunk(i, 10)).ToList();

        var packs = ChunkPacker.Pack(chunks, smallBelowBytes, maxChunksPerPack);

        Assert.Equal(5, packs.Count);
    }

    private static ChunkSpec Chunk(int index, long size) =>
        new("run", "taxi", index, new BlobReference("incoming", $"taxi/{index}.csv", "e", size), DataFormat.Csv);
}
