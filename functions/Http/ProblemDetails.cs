using Tributary.Orchestrations.Api;

namespace Tributary.Functions.Http;

/// <summary>
/// An <see cref="ApiProblem"/> as an RFC 9457 Problem Details body (application/problem+json); the type
/// URIs are the ones ASP.NET Core uses, so both hosts answer the same document.
/// </summary>
public sealed record ProblemDetails(string Type, string Title, int Status, string Detail, IReadOnlyDictionary<string, string[]>? Errors)
{
    public const string ContentType = "application/problem+json";

    public static ProblemDetails From(ApiProblem problem)
    {
        var status = (int)HttpStatusOf.Outcome(problem.Outcome);
        return new(TypeOf(status), problem.Title, status, problem.Detail, problem.Errors);
    }

    private static string TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    };
}
