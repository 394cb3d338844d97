using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>The <c>protocol</c> action. We write (1, 2): no table features, so readers as old as Delta 0.x can read us.</summary>
public sealed record DeltaProtocol(int MinReaderVersion, int MinWriterVersion)
{
    public static DeltaProtocol Default { get; } = new(1, 2);

    /// <summary>Only present on reader version 3 tables; we read them to refuse them, never write them.</summary>
    [JsonPropertyName("readerFeatures")]
    public IReadOnlyList<string>? ReaderFeatures { get; init; }

    /// <summary>Only present on writer version 7 tables.</summary>
    [JsonPropertyName("writerFeatures")]
    public IReadOnlyList<string>? WriterFeatures { get; init; }

    /// <summary>Reader version 1 is all we implement (2 adds column mapping, 3 table features).</summary>
    public bool CanRead => MinReaderVersion <= 1;

    /// <summary>Writer version 2 means: respect delta.appendOnly and column invariants; anything newer has rules we do not follow.</summary>
    public bool CanWrite => CanRead && MinWriterVersion <= 2;
}
