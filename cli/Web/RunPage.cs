using System.Globalization;
using System.Text;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Web;

/// <summary>
/// GET /ui/runs/{runId}: the run as it happens (status, progress; reloads itself) and after (its manifest): chunk
/// timeline, rows funnel, rejects by column and rule, aggregation, table version and outputs.
/// </summary>
public static class RunPage
{
    public static async Task<IResult> ShowAsync(string runId, IRunsApi api, BlobStore store, CancellationToken cancellationToken)
    {
        var result = await api.GetRunAsync(runId, cancellationToken);
        if (result.Problem is { } problem)
        {
            return Html.Problem(problem.Outcome == ApiOutcome.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, problem.Title, problem.Detail);
        }

        var run = result.Value!;
        var body = new StringBuilder();
        body.Append("<dl class=\"facts\">")
            .Append(CultureInfo.InvariantCulture, $"<dt>Status</dt><dd><span id=\"run-status\" class=\"status {Html.E(run.Status.ToString().ToLowerInvariant())}\">{Html.E(run.Status)}</span></dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Dataset</dt><dd><a href=\"/ui/datasets/{Html.E(Html.U(run.Dataset))}\">{Html.E(run.Dataset)}</a></dd>");
        if (run.Progress is { } progress)
        {
            body.Append(CultureInfo.InvariantCulture, $"<dt>Progress</dt><dd>{Html.E(progress.Phase)}: {Html.E(progress.ChunksDone)} of {Html.E(progress.ChunksTotal)} chunks</dd>");
        }

        if (run.Manifest is not { } manifest)
        {
            body.Append("</dl><p class=\"live\">The run has no manifest yet: this page reloads every 2 seconds.</p>");
            return Html.Page($"Run {runId}", body.ToString(), refreshSeconds: run.Status is RunStatus.Running or RunStatus.Pending ? 2 : null);
        }

        var timings = manifest.Timings;
        body.Append(CultureInfo.InvariantCulture, $"<dt>Started</dt><dd>{Html.E(timings.StartedAt)}</dd><dt>Completed</dt><dd>{Html.E(timings.CompletedAt)} ({Html.E(Html.Seconds(timings.TotalSeconds))})</dd>");
        if (manifest.RerunOf is { } rerunOf)
        {
            body.Append(CultureInfo.InvariantCulture, $"<dt>Rerun of</dt><dd><a href=\"/ui/runs/{Html.E(Html.U(rerunOf))}\">{Html.E(rerunOf)}</a></dd>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<dt>Table version</dt><dd id=\"table-version\">{(manifest.Table is { } table ? $"{Html.E(table.Version)} (+{Html.E(table.FilesAdded)} files, −{Html.E(table.FilesRemoved)})" : "none (the run committed nothing)")}</dd>");
        body.Append(CultureInfo.InvariantCulture, $"<dt>Definition</dt><dd><code>{Html.E(manifest.DefinitionHash)}</code></dd></dl>");
        if (manifest.Error is { } error)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"problem\">{Html.E(error)}</p>");
        }

        body.Append("<h2>Rows</h2>").Append(Funnel(manifest.Totals));
        body.Append("<h2>Chunks</h2>").Append(Gantt(manifest));
        body.Append("<h2>Aggregation</h2>").Append(Aggregation(manifest.Aggregation));
        body.Append("<h2>Rejects</h2>").Append(Rejects(await RejectsReport.ReadAsync(store, manifest, cancellationToken), manifest));
        body.Append("<h2>Inputs</h2><ul>");
        foreach (var input in manifest.Inputs)
        {
            body.Append(CultureInfo.InvariantCulture, $"<li><code>{Html.E(input.Container)}/{Html.E(input.Name)}</code> ({Html.E(input.Size)} bytes)</li>");
        }

        body.Append("</ul><h2>Outputs</h2><ul id=\"outputs\">");
        foreach (var path in RunDownloads.Downloadable(manifest))
        {
            // A folder (the dataset aggregate a run refreshed) is listed, not downloadable.
            body.Append(path.EndsWith('/')
                ? $"<li><code>{Html.E(path)}</code></li>"
                : string.Create(CultureInfo.InvariantCulture, $"<li><a href=\"/ui/runs/{Html.E(Html.U(runId))}/download?path={Html.E(Html.U(path))}\">{Html.E(path)}</a></li>"));
        }

        body.Append("</ul>");
        return Html.Page($"Run {runId}", body.ToString());
    }

    private static string Funnel(RunTotals totals)
    {
        const int Width = 600;
        double Bar(long rows) => totals.RowsRead == 0 ? 0 : Math.Round(Width * (double)rows / totals.RowsRead, 1);
        var svg = new StringBuilder("<svg id=\"funnel\" class=\"funnel\" viewBox=\"0 0 820 96\" role=\"img\" aria-label=\"rows funnel\">");
        var y = 0;
        foreach (var (label, rows, css) in new[] { ("read", totals.RowsRead, "read"), ("curated", totals.RowsCurated, "curated"), ("rejected", totals.RowsRejected, "rejected") })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 20}\">{Html.E(label)}</text><rect class=\"{css}\" x=\"90\" y=\"{y + 6}\" width=\"{Bar(rows)}\" height=\"20\"></rect><text x=\"{Bar(rows) + 98}\" y=\"{y + 20}\" data-rows=\"{Html.E(label)}\">{Html.E(rows)}</text>");
            y += 30;
        }

        svg.Append("</svg>");
        if (totals.FilesQuarantined > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<p>{totals.FilesQuarantined} file(s) quarantined whole (see the outputs).</p>");
        }

        return svg.ToString();
    }

    /// <summary>One bar per chunk from its start to its end, on the run's clock (chunks of older manifests have no start).</summary>
    private static string Gantt(RunManifest manifest)
    {
        var chunks = manifest.Chunks.OrderBy(c => c.Index).ToList();
        if (chunks.Count == 0)
        {
            return "<p>No chunks.</p>";
        }

        var origin = manifest.Timings.StartedAt;
        double Start(ChunkResult c) => c.StartedAt is { } at ? Math.Max(0, (at - origin).TotalSeconds) : 0;
        var span = Math.Max(manifest.Timings.TotalSeconds, chunks.Max(c => Start(c) + c.Seconds));
        span = span <= 0 ? 1 : span;
        const int Left = 70, Width = 700, Row = 18;
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg id=\"gantt\" class=\"gantt\" viewBox=\"0 0 {Left + Width + 10} {(chunks.Count * Row) + 24}\" role=\"img\" aria-label=\"chunk timeline\">");
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            var x = Left + (Width * Start(c) / span);
            var w = Math.Max(1, Width * c.Seconds / span);
            var css = c.IsQuarantined ? "quarantined" : c.RowsRejected > 0 ? "with-rejects" : "clean";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{(i * Row) + 13}\">chunk {c.Index}</text>")
               .Append(CultureInfo.InvariantCulture, $"<rect class=\"{css}\" x=\"{x:0.#}\" y=\"{(i * Row) + 2}\" width=\"{w:0.#}\" height=\"{Row - 4}\"><title>{Html.E($"chunk {c.Index} of {c.Input.Name}: {c.RowsRead} read, {c.RowsCurated} curated, {c.RowsRejected} rejected, {c.Seconds:0.###} s{(c.StartedAt is null ? " (start not recorded)" : "")}")}</title></rect>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{(chunks.Count * Row) + 18}\">0 s</text><text x=\"{Left + Width - 60}\" y=\"{(chunks.Count * Row) + 18}\">{Html.E(Html.Seconds(span))}</text></svg>");
        return svg.ToString();
    }

    private static string Aggregation(AggregationOutcome? aggregation)
    {
        if (aggregation is null)
        {
            return "<p>None (the run did not reach aggregation).</p>";
        }

        var link = aggregation.EngineRunUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? $"<a href=\"{Html.E(uri.AbsoluteUri)}\" rel=\"noreferrer\">{Html.E(aggregation.EngineRunId ?? "engine run")}</a>"
            : Html.E(aggregation.EngineRunId ?? "—");
        return "<dl class=\"facts\">" +
            $"<dt>Engine</dt><dd id=\"engine\">{Html.E(aggregation.Engine)}</dd><dt>Engine run</dt><dd>{link}</dd>" +
            $"<dt>State</dt><dd>{Html.E(aggregation.State)}{(aggregation.Message is { } message ? $": {Html.E(message)}" : "")}</dd>" +
            $"<dt>Groups refreshed</dt><dd>{Html.E(aggregation.ResultRows)}</dd>" +
            $"<dt>Aggregate version</dt><dd>{Html.E(aggregation.AggregateVersion)} (reflects curated version {Html.E(aggregation.CuratedVersion)})</dd></dl>";
    }

    private static string Rejects(RejectsReport report, RunManifest manifest)
    {
        if (report.Groups.Count == 0)
        {
            return "<p>No rejected rows.</p>";
        }

        var html = new StringBuilder();
        if (report.Capped)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Grouped from the first {report.RowsRead} of {manifest.Totals.RowsRejected} rejected rows.</p>");
        }

        html.Append("<table id=\"rejects\"><thead><tr><th>Column</th><th>Rule</th><th>Rows</th><th>Sample rows (file:line)</th></tr></thead><tbody>");
        foreach (var group in report.Groups)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"reject-group\" data-column=\"{Html.E(group.Column)}\" data-rows=\"{Html.E(group.Rows)}\"><td>{Html.E(group.Column)}</td><td>{Html.E(group.Rule)}</td><td class=\"n\">{Html.E(group.Rows)}</td><td>");
            foreach (var sample in group.Samples)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"sample\"><span class=\"where\">{Html.E(sample.File)}:{Html.E(sample.Line ?? sample.Record)}</span> <code>{Html.E(sample.Original)}</code></div>");
            }

            html.Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }
}
