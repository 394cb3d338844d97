namespace Tributary.Deploy.Tests.Scaling;

/// <summary>Blobs arriving at a constant rate for a while; each becomes chunk activities of a fixed duration.</summary>
public sealed record ArrivalProfile(string Name, double BlobsPerSecond, int BurstSeconds, int ChunksPerBlob, int ChunkSeconds)
{
    public long TotalChunks => (long)Math.Round(BlobsPerSecond * BurstSeconds) * ChunksPerBlob;
}
