using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace Tributary.Functions.Tests.Fixtures;

/// <summary>Just enough of the worker's HTTP model to call an HTTP function directly, as the worker would.</summary>
public sealed class FakeHttpRequestData(string method, string url, string? body = null)
    : HttpRequestData(new FakeFunctionContext())
{
    public override Stream Body { get; } = new MemoryStream(Encoding.UTF8.GetBytes(body ?? ""));

    public override HttpHeadersCollection Headers { get; } = [];

    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];

    public override Uri Url { get; } = new(url);

    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];

    public override string Method { get; } = method;

    public override HttpResponseData CreateResponse() => new FakeHttpResponseData(FunctionContext);
}

public sealed class FakeHttpResponseData(FunctionContext context) : HttpResponseData(context)
{
    public override HttpStatusCode StatusCode { get; set; }

    public override HttpHeadersCollection Headers { get; set; } = [];

    public override Stream Body { get; set; } = new MemoryStream();

    public override HttpCookies Cookies => throw new NotSupportedException();

    public string ReadBody() => Encoding.UTF8.GetString(((MemoryStream)Body).ToArray());

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}

public sealed class FakeFunctionContext : FunctionContext
{
    public override string InvocationId => "invocation-1";

    public override string FunctionId => "function-1";

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext { get; } = new FakeBindingContext();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = null!;

    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException();

    public override CancellationToken CancellationToken => CancellationToken.None;
}

public sealed class FakeBindingContext : BindingContext
{
    public Dictionary<string, object?> Data { get; } = [];

    public override IReadOnlyDictionary<string, object?> BindingData => Data.ToImmutableDictionary();
}
