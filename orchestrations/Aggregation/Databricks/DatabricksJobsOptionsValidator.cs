using Microsoft.Extensions.Options;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Rejects incomplete <see cref="DatabricksJobsOptions"/> when they are first used.</summary>
internal sealed class DatabricksJobsOptionsValidator : IValidateOptions<DatabricksJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabricksJobsOptions options)
    {
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
