namespace Tributary.Orchestrations.Storage;

/// <summary>A scratch folder for one activity attempt, deleted when disposed.</summary>
public sealed class WorkDirectory : IDisposable
{
    public WorkDirectory(string root, string name)
    {
        Path = System.IO.Path.Combine(root, $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Scratch space only; a leftover folder is harmless.
        }
    }
}
