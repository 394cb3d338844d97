namespace Tributary.Orchestrations.Datasets;

/// <summary>A dataset definition that cannot be used; the message names the file, the place and what is wrong.</summary>
public sealed class DatasetDefinitionException(string message, Exception? inner = null) : Exception(message, inner);
