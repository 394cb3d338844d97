using System.Net;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>A Jobs API call failed after the resilience pipeline gave up (or with a non-retryable status).</summary>
public sealed class DatabricksApiException : Exception
{
    /// <summary>Creates the exception. The message never contains request headers or secrets.</summary>
    public DatabricksApiException(string operation, HttpStatusCode statusCode, string? errorCode, string? apiMessage)
        : base($"Databricks {operation} failed with HTTP {(int)statusCode} {statusCode}" +
               (errorCode is null ? "" : $" ({errorCode})") +
               (string.IsNullOrEmpty(apiMessage) ? "" : $": {apiMessage}"))
    {
        Operation = operation;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        ApiMessage = apiMessage;
    }

    /// <summary>The API operation, e.g. <c>jobs/run-now</c>.</summary>
    public string Operation { get; }

    /// <summary>HTTP status of the last attempt.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Databricks <c>error_code</c>, e.g. <c>INVALID_PARAMETER_VALUE</c>, <c>RESOURCE_DOES_NOT_EXIST</c>.</summary>
    public string? ErrorCode { get; }

    /// <summary>Databricks <c>message</c>.</summary>
    public string? ApiMessage { get; }
}
