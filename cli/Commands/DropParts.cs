namespace Tributary.Cli.Commands;

/// <summary>
/// Cuts a folder's uploads into drops of one run each, as the uploads start: a drop takes files until it holds
/// <c>maxFiles</c> or its first upload began <c>maxAge</c> ago, then the next opens. A drop's manifest can be written
/// once it is closed and its last upload is acknowledged. Cutting by age bounds how long a file waits for the files
/// that run with it (with a count alone, the first of 500 files waited for the other 499 to upload).
/// </summary>
public sealed class DropParts(int files, int maxFiles, TimeSpan maxAge, Func<TimeSpan> clock)
{
    private readonly Lock gate = new();
    private int assigned;
    private DropPart? open;

    /// <summary>
    /// The drop the next file joins, and a drop this closed whose uploads were all acknowledged already (its manifest
    /// is then the caller's to write), or null.
    /// </summary>
    public (DropPart Part, DropPart? Sealable) Join(int index)
    {
        lock (gate)
        {
            DropPart? sealable = null;
            if (open is not null && (open.Files.Count >= maxFiles || clock() - open.OpenedAt >= maxAge))
            {
                sealable = Close(open);
                open = null;
            }

            open ??= new DropPart(Guid.CreateVersion7().ToString("N"), clock());
            var part = open;
            part.Files.Add(index);
            part.Pending++;
            if (++assigned == files)
            {
                // The folder's last file: no later file will close this drop.
                open = null;
                part.Closed = true;
            }

            return (part, sealable);
        }
    }

    /// <summary>Records one of the drop's uploads as acknowledged: true when that makes the drop ready for its manifest.</summary>
    public bool Uploaded(DropPart part)
    {
        lock (gate)
        {
            part.Pending--;
            return part.Closed && part.Pending == 0;
        }
    }

    private static DropPart? Close(DropPart part)
    {
        part.Closed = true;
        return part.Pending == 0 ? part : null;
    }
}
