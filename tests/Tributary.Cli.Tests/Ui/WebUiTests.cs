using System.Net;
using DuckDB.NET.Data;
using Microsoft.Playwright;
using Tributary.Cli.Tests.Fixtures;
using Xunit.Abstractions;

namespace Tributary.Cli.Tests.Ui;

/// <summary>
/// The web UI of `tributary serve` in a real headless chromium: anonymous visitors get the sign-in page only; a signed-in
/// user follows the runs list to the run (rejects checked against DuckDB over the rejected output and the raw file) and
/// to the dataset's chart. Each page is saved as a screenshot under TestResults/screenshots.
/// </summary>
[Trait("Category", "Slow")]
public sealed class WebUiTests(UiServeFixture serve, ITestOutputHelper output) : IClassFixture<UiServeFixture>
{
    [Fact]
    public async Task An_anonymous_visitor_sees_only_the_sign_in_page()
    {
        await using var context = await serve.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(Url($"/ui/runs/{serve.RunId}"));

        Assert.NotNull(response);
        Assert.StartsWith(Url("/ui/login"), page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("input[name=key]").CountAsync());
        Assert.DoesNotContain(serve.RunId, await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "login");

        // Data URLs answer 401 Problem Details to anyone without a session, and a made-up cookie is no session.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = serve.BaseAddress };
        foreach (var path in new[] { $"/ui/runs/{serve.RunId}/download?path=x", "/ui/datasets/taxi/chart" })
        {
            using var answer = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }

        using var forged = new HttpRequestMessage(HttpMethod.Get, new Uri("/ui", UriKind.Relative));
        forged.Headers.Add("Cookie", "tributary_ui=0123456789abcdef");
        using var redirected = await http.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.StartsWith("/ui/login", redirected.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_one_time_token_signs_in_once_with_a_strict_http_only_cookie()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = serve.BaseAddress };
        async Task<HttpResponseMessage> SignInAsync(string key) =>
            await http.PostAsync(new Uri("/ui/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key, ["next"] = "https://elsewhere.example/" }));

        using var first = await SignInAsync(serve.OneTimeToken);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/ui", first.Headers.Location?.OriginalString); // never an open redirect
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var second = await SignInAsync(serve.OneTimeToken);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
    }

    [Fact]
    public async Task A_signed_in_user_follows_the_runs_list_to_the_run_its_rejects_and_the_dataset_chart()
    {
        output.WriteLine($"fixture: {serve.Timings}");
        await using var context = await serve.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/ui"));
        await page.FillAsync("input[name=key]", UiServeFixture.ApiKey);
        await page.ClickAsync("button[type=submit]");

        // The runs list.
        await page.WaitForURLAsync(Url("/ui"));
        var runLink = page.Locator($"#runs a[href='/ui/runs/{serve.RunId}']");
        Assert.Equal(1, await runLink.CountAsync());
        await ScreenshotAsync(page, "runs");

        // The run: totals from the raw file, rejects by column from DuckDB over the rejected JSON lines.
        await runLink.ClickAsync();
        await page.WaitForURLAsync(Url($"/ui/runs/{serve.RunId}"));
        Assert.Equal("Succeeded", await page.InnerTextAsync("#run-status"));
        var expectedRejects = TaxiOracle.TotalRows(serve.RawFile) - TaxiOracle.ValidRows(serve.RawFile);
        Assert.True(expectedRejects > 0, "the sample file carries bad rows");
        Assert.Equal(expectedRejects.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.TextContentAsync("#funnel [data-rows=rejected]"));

        var shown = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await page.Locator("#rejects tr.reject-group").AllAsync())
        {
            var column = (await group.GetAttributeAsync("data-column"))!;
            shown[column] = shown.GetValueOrDefault(column) + long.Parse((await group.GetAttributeAsync("data-rows"))!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(await group.Locator(".sample").CountAsync() > 0, $"the {column} group shows sample rows");
        }

        var oracle = await RejectsByColumnAsync();
        Assert.Equal(oracle.OrderBy(p => p.Key, StringComparer.Ordinal), shown.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Contains("trips.csv:", await page.InnerTextAsync("#rejects .sample .where"), StringComparison.Ordinal);
        Assert.Equal(serve.Manifest.Table!.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), (await page.InnerTextAsync("#table-version")).Split(' ')[0]);
        Assert.Equal(serve.Manifest.Chunks.Count, await page.Locator("#gantt rect").CountAsync());
        await ScreenshotAsync(page, "run");

        // An output downloads with the session; a path the manifest does not list does not.
        var rejected = serve.Manifest.Chunks.First(c => c.RejectedPath is not null).RejectedPath!;
        var download = await context.APIRequest.GetAsync(Url($"/ui/runs/{serve.RunId}/download?path={Uri.EscapeDataString(rejected)}"));
        Assert.Equal(200, download.Status);
        Assert.Equal((await serve.Store.BlobAt(rejected).DownloadContentAsync()).Value.Content.ToArray(), await download.BodyAsync());
        var escape = await context.APIRequest.GetAsync(Url($"/ui/runs/{serve.RunId}/download?path={Uri.EscapeDataString("rejected/taxi/../../state/intake/" + serve.RunId + ".json")}"));
        Assert.Equal(404, escape.Status);

        // The dataset: history, and the chart drawn by the embedded uPlot.
        await page.ClickAsync("dd a[href='/ui/datasets/taxi']");
        await page.WaitForURLAsync(Url("/ui/datasets/taxi"));
        await page.WaitForSelectorAsync("#chart[data-points] canvas");
        Assert.True(int.Parse((await page.GetAttributeAsync("#chart", "data-points"))!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.True(await page.Locator("#history tbody tr").CountAsync() >= 1);
        Assert.True(await page.Locator("#top-rows tbody tr").CountAsync() >= 1);
        await ScreenshotAsync(page, "dataset");
    }

    /// <summary>Rejected (row, reason) pairs per column, counted by DuckDB over the run's rejected parts as stored.</summary>
    private async Task<Dictionary<string, long>> RejectsByColumnAsync()
    {
        var folder = Directory.CreateTempSubdirectory("tributary-ui-rejects-").FullName;
        try
        {
            var files = new List<string>();
            foreach (var chunk in serve.Manifest.Chunks.Where(c => c.RejectedPath is not null))
            {
                var file = Path.Combine(folder, $"{chunk.Index}.jsonl");
                await serve.Store.BlobAt(chunk.RejectedPath!).DownloadToAsync(file);
                files.Add(file);
            }

            using var duck = new DuckDBConnection("DataSource=:memory:");
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = $"""
                SELECT CASE WHEN strpos(reason, ': ') > 0 THEN split_part(reason, ': ', 1) ELSE '(row)' END, count(*)
                FROM (SELECT unnest(reasons) AS reason FROM read_json([{string.Join(", ", files.Select(f => $"'{f}'"))}], format = 'newline_delimited', columns = {"{reasons: 'VARCHAR[]'}"}))
                GROUP BY 1
                """;
            using var reader = command.ExecuteReader();
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            while (reader.Read())
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }

            return counts;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private string Url(string path) => new Uri(serve.BaseAddress, path).ToString();

    private async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(UiServeFixture.Screenshots);
        var path = Path.Combine(UiServeFixture.Screenshots, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
