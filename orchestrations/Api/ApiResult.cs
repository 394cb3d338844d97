namespace Tributary.Orchestrations.Api;

/// <summary>What a runs-API handler answers: a value with its HTTP status, or a problem.</summary>
public sealed record ApiResult<T>(int Status, T? Value, ApiProblem? Problem)
{
    public bool IsSuccess => Problem is null;

    public static ApiResult<T> Ok(T value) => new(200, value, null);

    public static ApiResult<T> Accepted(T value) => new(202, value, null);

    public static implicit operator ApiResult<T>(ApiProblem problem) => new(problem.Status, default, problem);
}
