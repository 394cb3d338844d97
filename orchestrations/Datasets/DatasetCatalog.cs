namespace Tributary.Orchestrations.Datasets;

/// <summary>
/// The datasets declared in a folder. Definitions are read from disk on demand so a user adds a dataset
/// without recompiling or restarting; a definition is re-read when its file changes.
/// </summary>
public sealed class DatasetCatalog(string folder)
{
    private readonly Dictionary<string, (DateTime Stamp, DatasetDefinition Definition, string Json)> cache = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>The definition of a dataset, or null when the folder has none by that name.</summary>
    public DatasetDefinition? Find(string dataset) => FindWithText(dataset)?.Definition;

    /// <summary>The definition and its text as JSON (what <see cref="FrozenDefinitions"/> stores and hashes).</summary>
    public (DatasetDefinition Definition, string Json)? FindWithText(string dataset)
    {
        var file = DefinitionFiles().FirstOrDefault(f => string.Equals(Path.GetFileNameWithoutExtension(f), dataset, StringComparison.Ordinal));
        if (file is null)
        {
            return null;
        }

        var stamp = File.GetLastWriteTimeUtc(file);
        lock (gate)
        {
            if (cache.TryGetValue(file, out var cached) && cached.Stamp == stamp)
            {
                return (cached.Definition, cached.Json);
            }
        }

        var source = DatasetDefinitionLoader.LoadSource(file);
        var definition = DatasetDefinitionLoader.Parse(source, file);
        if (definition.Name != dataset)
        {
            throw new DatasetDefinitionException($"{file}: name: '{definition.Name}' must equal the file name '{dataset}'");
        }

        lock (gate)
        {
            cache[file] = (stamp, definition, source.Json);
        }

        return (definition, source.Json);
    }

    public DatasetDefinition Get(string dataset) =>
        Find(dataset) ?? throw new DatasetDefinitionException($"Unknown dataset '{dataset}': no definition in {Folder}.");

    /// <summary>The names of the datasets defined here (their files' names), without reading the definitions.</summary>
    public IReadOnlyList<string> Names() => DefinitionFiles().Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();

    /// <summary>Loads every definition; throws on the first invalid one.</summary>
    public IReadOnlyList<DatasetDefinition> LoadAll() =>
        DefinitionFiles().Select(f => Get(Path.GetFileNameWithoutExtension(f))).ToList();

    private IEnumerable<string> DefinitionFiles() => Directory.Exists(Folder)
        ? Directory.EnumerateFiles(Folder).Where(DatasetDefinitionLoader.IsDefinitionFile).Order(StringComparer.Ordinal)
        : [];
}
