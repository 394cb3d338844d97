using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;

namespace Tributary.Cli.Web;

/// <summary>
/// The web UI of `tributary serve`: server-rendered pages over the core's runs API and tables, behind
/// <see cref="UiAuthentication"/>. Pages answer HTML (errors too); downloads and chart data answer Problem Details.
/// </summary>
public static class UiEndpoints
{
    public static void MapUi(this IEndpointRouteBuilder app)
    {
        var ui = app.MapGroup("/ui").ExcludeFromDescription();
        app.MapGet("/", () => Results.Redirect("/ui")).ExcludeFromDescription();

        ui.MapGet("/login", (string? next) => LoginPage.Show(next));
        ui.MapPost("/login", LoginPage.SignInAsync);
        ui.MapPost("/logout", LoginPage.SignOut);
        ui.MapGet("/static/{name}", UiAssets.Serve);

        ui.MapGet("/", (string? dataset, string? status, IRunsApi api, DatasetCatalog datasets, CancellationToken ct) =>
            RunsPage.ShowAsync(dataset, status, api, datasets, ct));
        ui.MapGet("/runs/{runId}", (string runId, IRunsApi api, BlobStore store, CancellationToken ct) =>
            RunPage.ShowAsync(runId, api, store, ct));
        ui.MapGet("/runs/{runId}/download", (string runId, string? path, RunCatalog catalog, BlobStore store, CancellationToken ct) =>
            RunDownloads.DownloadAsync(runId, path, catalog, store, ct));
        ui.MapGet("/datasets/{dataset}", (string dataset, string? measure, IRunsApi api, DatasetCatalog catalog, DatasetTables tables, DatasetQuery query, CancellationToken ct) =>
            DatasetPage.ShowAsync(dataset, measure, api, catalog, tables, query, ct));
        ui.MapGet("/datasets/{dataset}/chart", (string dataset, string? measure, DatasetCatalog catalog, DatasetQuery query, CancellationToken ct) =>
            DatasetPage.ChartAsync(dataset, measure, catalog, query, ct));
    }

    /// <summary>True for the URLs of pages (a browser is sent to sign in); false for data (a download, chart points).</summary>
    public static bool IsPage(PathString path) =>
        !path.Value!.EndsWith("/download", StringComparison.OrdinalIgnoreCase) && !path.Value.EndsWith("/chart", StringComparison.OrdinalIgnoreCase);
}
