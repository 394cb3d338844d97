using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Tributary.Orchestrations.Aggregation;

namespace Tributary.Orchestrations.Datasets;

/// <summary>Reads one dataset definition file (JSON or YAML) and validates it.</summary>
public static partial class DatasetDefinitionLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static bool IsDefinitionFile(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".json" or ".yaml" or ".yml";

    public static DatasetDefinition LoadFile(string path) => Parse(LoadSource(path), path);

    /// <summary>A definition file's text as JSON (YAML is converted), with the line map its errors cite.</summary>
    public static DefinitionSource LoadSource(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new DatasetDefinitionException($"{path}: cannot be read: {ex.Message}", ex);
        }

        var isYaml = Path.GetExtension(path).ToLowerInvariant() is ".yaml" or ".yml";
        return isYaml ? ReadYaml(path, text) : DefinitionSource.FromJson(text);
    }

    public static DatasetDefinition Parse(string json, string source) => Parse(DefinitionSource.FromJson(json), source);

    /// <summary>Deserializes and validates; every error names the source, the line and the path.</summary>
    public static DatasetDefinition Parse(DefinitionSource text, string source)
    {
        DatasetDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize<DatasetDefinition>(text.Json, JsonOptions);
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "(root)" : ex.Path[2..];
            var line = text.LineOf(path) ?? (ex.LineNumber is { } jsonLine ? (int)jsonLine + 1 : null);
            throw new DatasetDefinitionException($"{source}: {(line is null ? "" : $"line {line}, ")}{path}: {FirstSentence(ex.Message)}", ex);
        }

        if (definition is null)
        {
            throw new DatasetDefinitionException($"{source}: the file is empty.");
        }

        definition = definition with { SourceFile = source };
        var errors = Validate(definition).Select(error => WithLine(text, error)).ToList();
        if (errors.Count > 0)
        {
            throw new DatasetDefinitionException($"{source}: {string.Join("; ", errors)}");
        }

        return definition;
    }

    /// <summary>Every problem of a parsed definition, each as "path: what is wrong".</summary>
    public static IEnumerable<string> Validate(DatasetDefinition definition)
    {
        if (DatasetNames.Problem(definition.Name) is { } badName)
        {
            yield return $"name: {badName}";
        }

        if (!DataFormats.All.Contains(definition.Input.Format))
        {
            yield return $"input.format: '{definition.Input.Format}' is not one of {string.Join(", ", DataFormats.All)}";
        }

        if (definition.Input.Csv.Delimiter.Length != 1)
        {
            yield return "input.csv.delimiter: must be one character";
        }

        if (definition.Input.ChunkSizeBytes < 64 * 1024)
        {
            yield return "input.chunkSizeBytes: must be at least 65536";
        }

        if (!InputLifecycle.All.Contains(definition.Input.AfterCommit))
        {
            yield return $"input.afterCommit: '{definition.Input.AfterCommit}' is not one of {string.Join(", ", InputLifecycle.All)}";
        }

        if (definition.Input.MaxLineBytes is < 1024 or > InputSpec.MaxLineBytesCap)
        {
            yield return $"input.maxLineBytes: must be between 1024 and {InputSpec.MaxLineBytesCap}";
        }

        if (definition.FailureTolerance is < 0 or > 1)
        {
            yield return "failureTolerance: must be between 0 and 1";
        }

        foreach (var problem in definition.Batch?.Problems("batch") ?? [])
        {
            yield return problem;
        }

        var columns = new Dictionary<string, ColumnType>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Schema.Columns.Count; i++)
        {
            var column = definition.Schema.Columns[i];
            var path = $"schema.columns[{i}]";
            if (!ColumnType.TryParse(column.Type, out var type))
            {
                yield return $"{path}.type: '{column.Type}' is not a column type ({string.Join(", ", ColumnType.Kinds)}, decimal(p,s))";
                continue;
            }

            if (!columns.TryAdd(column.Name, type))
            {
                yield return $"{path}.name: '{column.Name}' is declared twice";
            }

            if ((column.Min is not null || column.Max is not null) && !type.IsNumeric)
            {
                yield return $"{path}: min/max apply to numeric columns only";
            }

            if (column.Pattern is not null && !IsValidRegex(column.Pattern))
            {
                yield return $"{path}.pattern: '{column.Pattern}' is not a valid regular expression";
            }
        }

        if (definition.Schema.UnknownColumns is not (UnknownColumnPolicy.Ignore or UnknownColumnPolicy.Reject))
        {
            yield return $"schema.unknownColumns: '{definition.Schema.UnknownColumns}' must be ignore or reject";
        }

        var aggregation = definition.Aggregation;
        if (aggregation.Engine is not (AggregationEngines.DuckDb or AggregationEngines.Databricks))
        {
            yield return $"aggregation.engine: '{aggregation.Engine}' must be duckdb or databricks";
        }

        for (var i = 0; i < aggregation.GroupBy.Count; i++)
        {
            var key = aggregation.GroupBy[i];
            if (!columns.TryGetValue(key.Column, out var type))
            {
                yield return $"aggregation.groupBy[{i}].column: '{key.Column}' is not a schema column";
            }
            else if (key.DateTrunc is not null && !type.IsTemporal)
            {
                yield return $"aggregation.groupBy[{i}].dateTrunc: '{key.Column}' is not a date or timestamp";
            }
        }

        for (var i = 0; i < aggregation.Measures.Count; i++)
        {
            var measure = aggregation.Measures[i];
            if (measure.Column is not null && !columns.ContainsKey(measure.Column))
            {
                yield return $"aggregation.measures[{i}].column: '{measure.Column}' is not a schema column";
            }
        }

        string? compileError = null;
        try
        {
            AggregationSqlCompiler.Compile(aggregation, SqlDialect.DuckDb);
        }
        catch (ArgumentException ex)
        {
            compileError = ex.Message;
        }

        if (compileError is not null)
        {
            yield return $"aggregation: {compileError}";
        }
    }

    private static DefinitionSource ReadYaml(string path, string yaml)
    {
        try
        {
            return DefinitionSource.FromYaml(yaml);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new DatasetDefinitionException($"{path}: line {ex.Start.Line}: {ex.Message}", ex);
        }
    }

    /// <summary>"schema.columns[1].type: ..." becomes "line 12, schema.columns[1].type: ...".</summary>
    private static string WithLine(DefinitionSource text, string error)
    {
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        var line = colon > 0 ? text.LineOf(error[..colon]) : null;
        return line is null ? error : $"line {line}, {error}";
    }

    private static bool IsValidRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
