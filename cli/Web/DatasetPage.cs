using System.Globalization;
using System.Text;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Tables;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Cli.Web;

/// <summary>
/// GET /ui/datasets/{dataset}?measure=: the curated table's history with its row count at each version, the aggregate's
/// top rows by the chosen measure, and a chart of that measure (drawn by ui.js with the embedded uPlot).
/// </summary>
public static class DatasetPage
{
    public const int TopRows = 20;

    public static async Task<IResult> ShowAsync(string dataset, string? measure, IRunsApi api, DatasetCatalog catalog, DatasetTables tables, DatasetQuery query, CancellationToken cancellationToken)
    {
        var status = await api.GetDatasetAsync(dataset, cancellationToken);
        if (status.Problem is { } problem)
        {
            return Html.Problem(problem.Outcome == ApiOutcome.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, problem.Title, problem.Detail);
        }

        var spec = Spec(catalog, dataset);
        var chosen = spec is null ? null : Measure(spec, measure);
        if (spec is not null && chosen is null)
        {
            return Html.Problem(StatusCodes.Status400BadRequest, "Invalid request", $"measure: '{measure}' is not one of {string.Join(", ", spec.Measures.Select(m => m.Name))}");
        }

        var now = status.Value!;
        var body = new StringBuilder();
        body.Append("<dl class=\"facts\">")
            .Append(CultureInfo.InvariantCulture, $"<dt>Curated version</dt><dd id=\"curated-version\">{Html.E(now.CuratedVersion?.ToString(CultureInfo.InvariantCulture) ?? "none yet")}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Rows</dt><dd id=\"dataset-rows\">{Html.E(now.Rows)}</dd><dt>Files</dt><dd>{Html.E(now.Files)}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Aggregate</dt><dd>{(now.LastRefresh is { } refresh ? $"version {Html.E(refresh.AggregateVersion)} at {Html.E(refresh.At)}, reflects curated version {Html.E(refresh.CuratedVersion)}" : "not refreshed yet")}</dd></dl>")
            .Append(CultureInfo.InvariantCulture, $"<p><a href=\"/ui?dataset={Html.E(Html.U(dataset))}\">Runs of {Html.E(dataset)}</a></p>");

        if (spec is not null && chosen is not null && now.LastRefresh is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<h2>Chart</h2><form method=\"get\" class=\"filters\"><label>Measure <select name=\"measure\" id=\"measure\">");
            foreach (var m in spec.Measures)
            {
                body.Append(CultureInfo.InvariantCulture, $"<option value=\"{Html.E(m.Name)}\"{(m == chosen ? " selected" : "")}>{Html.E(m.Name)}</option>");
            }

            body.Append("</select></label> <button type=\"submit\">Show</button></form>")
                .Append(CultureInfo.InvariantCulture, $"<div id=\"chart\" data-src=\"/ui/datasets/{Html.E(Html.U(dataset))}/chart?measure={Html.E(Html.U(chosen.Name))}\"></div>")
                .Append("<script src=\"/ui/static/uPlot.iife.min.js\"></script><script src=\"/ui/static/ui.js\"></script>");
            body.Append(await TopRowsAsync(query, dataset, chosen, cancellationToken));
        }

        var history = await DatasetHistory.ReadAsync(tables.Curated(dataset), cancellationToken);
        body.Append("<h2>Rows over versions</h2>").Append(RowsOverVersions(history));
        body.Append("<h2>Table history</h2><table id=\"history\"><thead><tr><th>Version</th><th>When</th><th>Operation</th><th>Run</th><th>Files +/−</th><th>Rows added</th><th>Rows after</th></tr></thead><tbody>");
        foreach (var version in history.AsEnumerable().Reverse())
        {
            var commit = version.Commit;
            var runId = commit.Field("runId") is { ValueKind: System.Text.Json.JsonValueKind.String } id ? id.GetString() : null;
            body.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"n\">{Html.E(commit.Version)}</td><td>{Html.E(commit.Timestamp)}</td><td>{Html.E(commit.Operation)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{(runId is null ? "" : $"<a href=\"/ui/runs/{Html.E(Html.U(runId))}\">{Html.E(runId)}</a>")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">+{Html.E(commit.FilesAdded)} / −{Html.E(commit.FilesRemoved)}</td><td class=\"n\">{Html.E(commit.RowsAdded)}</td><td class=\"n\">{Html.E(version.Rows)}</td></tr>");
        }

        body.Append("</tbody></table>");
        return Html.Page($"Dataset {dataset}", body.ToString());
    }

    public static async Task<IResult> ChartAsync(string dataset, string? measure, DatasetCatalog catalog, DatasetQuery query, CancellationToken cancellationToken)
    {
        if (ApiValidation.DatasetProblem(dataset) is { } invalid)
        {
            return Results.Problem(invalid, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        if (Spec(catalog, dataset) is not { } spec)
        {
            return Results.Problem($"dataset '{dataset}' has no definition with an aggregation", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        if (Measure(spec, measure) is not { } chosen)
        {
            return Results.Problem($"measure: '{measure}' is not one of {string.Join(", ", spec.Measures.Select(m => m.Name))}", statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }

        try
        {
            return Results.Json(await DatasetChart.ReadAsync(query, dataset, spec, chosen, cancellationToken));
        }
        catch (DatasetQueryException ex)
        {
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
    }

    private static AggregationSpec? Spec(DatasetCatalog catalog, string dataset)
    {
        try
        {
            return catalog.Find(dataset)?.Aggregation is { GroupBy.Count: > 0, Measures.Count: > 0 } spec ? spec : null;
        }
        catch (DatasetDefinitionException)
        {
            return null;
        }
    }

    private static MeasureSpec? Measure(AggregationSpec spec, string? name) =>
        string.IsNullOrEmpty(name) ? spec.Measures[0] : spec.Measures.FirstOrDefault(m => m.Name == name);

    private static async Task<string> TopRowsAsync(DatasetQuery query, string dataset, MeasureSpec measure, CancellationToken cancellationToken)
    {
        QueryResult result;
        try
        {
            result = await query.RunAsync(dataset, $"SELECT * FROM aggregate ORDER BY {Identifier(measure.Name)} DESC NULLS LAST LIMIT {TopRows}", cancellationToken: cancellationToken);
        }
        catch (DatasetQueryException ex)
        {
            return $"<p class=\"problem\">{Html.E(ex.Message)}</p>";
        }

        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<h2>Top {TopRows} aggregate rows by {Html.E(measure.Name)}</h2><table id=\"top-rows\"><thead><tr>");
        foreach (var column in result.Columns)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{Html.E(column)}</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in result.Rows)
        {
            html.Append("<tr>");
            foreach (var value in row)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{Html.E(value)}</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>Rows live after each version, as bars (server-drawn SVG: no script needed).</summary>
    private static string RowsOverVersions(IReadOnlyList<DatasetVersion> history)
    {
        if (history.Count == 0)
        {
            return "<p>No commits yet.</p>";
        }

        var max = Math.Max(1, history.Max(v => v.Rows ?? 0));
        const int Height = 100, Width = 800, Left = 60;
        var step = Math.Min(40.0, (double)Width / history.Count);
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg id=\"rows-over-versions\" class=\"small\" viewBox=\"0 0 {Left + Width + 10} {Height + 20}\" role=\"img\" aria-label=\"rows over versions\">")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"10\">{max}</text><text x=\"0\" y=\"{Height}\">0</text>");
        for (var i = 0; i < history.Count; i++)
        {
            var rows = history[i].Rows ?? 0;
            var h = Math.Max(1, Height * (double)rows / max);
            var x = Left + (i * step);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{Height - h:0.#}\" width=\"{step * 0.8:0.#}\" height=\"{h:0.#}\"><title>version {history[i].Commit.Version}: {rows} rows</title></rect>")
               .Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Height + 14}\">v{history[i].Commit.Version}</text>");
        }

        return svg.Append("</svg>").ToString();
    }
}
