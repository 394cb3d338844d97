namespace Tributary.Orchestrations.Api;

/// <summary>What a runs-API handler answers: a value with its outcome, or a problem.</summary>
public sealed record ApiResult<T>(ApiOutcome Outcome, T? Value, ApiProblem? Problem)
{
    public bool IsSuccess => Problem is null;

    public static implicit operator ApiResult<T>(ApiProblem problem) => new(problem.Outcome, default, problem);
}

/// <summary>Successful <see cref="ApiResult{T}"/>s.</summary>
public static class ApiResult
{
    public static ApiResult<T> Ok<T>(T value) => new(ApiOutcome.Ok, value, null);

    public static ApiResult<T> Accepted<T>(T value) => new(ApiOutcome.Accepted, value, null);
}
