using System.Buffers;

namespace Tributary.Orchestrations.Storage;

/// <summary>
/// The pool for buffers of a megabyte or more (reads of files and blobs, blocks of uploads). Not
/// <see cref="ArrayPool{T}.Shared"/>: it keeps a returned array in the returning thread's own slot and up to 32 per
/// core for each size, and drops them only under memory pressure, so with thread-pool threads returning 1-4 MiB
/// buffers serve held ~100 MB of them (docs/reliability.md, "Buffers that stayed"). This pool keeps at most
/// <see cref="ArraysPerSize"/> of each size; a rent beyond that allocates, and the array is collected after use.
/// </summary>
public static class LargeBuffers
{
    public const int MaxArrayBytes = 4 << 20;

    public const int ArraysPerSize = 4;

    public static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(MaxArrayBytes, ArraysPerSize);
}
