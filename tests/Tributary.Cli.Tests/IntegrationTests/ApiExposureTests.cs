using System.Net;
using System.Text.RegularExpressions;
using Tributary.Cli.Tests.Fixtures;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// Every route the API maps (enumerated from the server, so a new one is covered without editing this list) refuses
/// anonymous callers, and path-like route values that try to climb out (.., encoded slashes, backslashes) are refused
/// or not found, never served or a server error.
/// </summary>
public sealed partial class ApiExposureTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // Public by design: the OpenAPI description (RunsApiTests reads it anonymously), the Prometheus scrape (counts, no
    // data; serve listens on 127.0.0.1), the UI's sign-in page and its static script and style files.
    private static readonly string[] Public = ["/openapi/{documentName}.json", "/metrics", "/ui/login", "/ui/static/{name}"];

    private static readonly string[] Climbing = ["..", "..%2F..%2Fstate", "%2E%2E", "..%5C..%5Cstate", "taxi%2F..%2F..%2Fx", "a%00b"];

    [Fact]
    public async Task Every_mapped_route_refuses_anonymous_callers_and_route_values_cannot_climb_out()
    {
        await using var api = await ApiTestHost.StartAsync(TestHosts.Configuration(azurite.ConnectionString, TestHosts.NewTaskHub()));
        var routes = api.Api.Routes.Where(r => !Public.Contains(r.Route)).ToList();
        Assert.True(routes.Count >= 6, string.Join(", ", routes));

        foreach (var (method, route) in routes)
        {
            using var anonymous = new HttpRequestMessage(new HttpMethod(method), Parameter().Replace(route, "x"));
            var response = await api.Anonymous.SendAsync(anonymous);
            var signInPage = response.StatusCode == HttpStatusCode.OK && response.RequestMessage?.RequestUri?.AbsolutePath == "/ui/login";
            var refused = response.StatusCode == HttpStatusCode.Unauthorized || (method == "GET" && IsUiPage(route) && signInPage);
            Assert.True(refused, $"{method} {route}: {(int)response.StatusCode} without credentials");

            // Route values reach the API's handlers only with a key; the UI's own traversal checks are in WebUiTests.
            if (!route.StartsWith("/api/", StringComparison.Ordinal) || !Parameter().IsMatch(route))
            {
                continue;
            }

            foreach (var value in Climbing)
            {
                using var climbing = new HttpRequestMessage(new HttpMethod(method), Parameter().Replace(route, value));
                if (method == "POST")
                {
                    climbing.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                var status = (await api.Http.SendAsync(climbing)).StatusCode;
                Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{method} {route} with '{value}': {(int)status}");
            }
        }
    }

    /// <summary>A UI page: an anonymous visitor is sent to the sign-in page instead of a 401.</summary>
    private static bool IsUiPage(string route) => route == "/" || (route.StartsWith("/ui", StringComparison.Ordinal) && !route.EndsWith("/download", StringComparison.Ordinal) && !route.EndsWith("/chart", StringComparison.Ordinal));

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
