namespace Tributary.Orchestrations.Processing.Text;

/// <summary>
/// One record of a text file as bytes: where it starts, how long it is (terminator included), the physical
/// line it starts on and how many fields it has. A blank record is an empty line.
/// </summary>
public readonly record struct TextRecord(long Offset, long Length, long Line, int Fields, bool Blank, bool UnclosedQuote)
{
    public long End => Offset + Length;
}
