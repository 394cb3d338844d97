using System.Globalization;
using System.Text;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Runs;

namespace Tributary.Cli.Web;

/// <summary>GET /ui?dataset=&amp;status=: every run, newest first, filtered; reloads itself while one is live.</summary>
public static class RunsPage
{
    private const int MaxPages = 5;

    public static async Task<IResult> ShowAsync(string? dataset, string? status, IRunsApi api, DatasetCatalog datasets, CancellationToken cancellationToken)
    {
        dataset = string.IsNullOrEmpty(dataset) ? null : dataset;
        status = string.IsNullOrEmpty(status) ? null : status;
        var runs = new List<RunSummary>();
        string? continuation = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var result = await api.ListRunsAsync(dataset, status, ApiValidation.MaxTop, continuation, cancellationToken);
            if (result.Problem is { } problem)
            {
                return Html.Problem(StatusCodes.Status400BadRequest, problem.Title, problem.Detail);
            }

            runs.AddRange(result.Value!.Runs);
            if ((continuation = result.Value.Continuation) is null)
            {
                break;
            }
        }

        runs.Sort((a, b) => b.ClaimedAt.CompareTo(a.ClaimedAt));
        var live = runs.Any(r => r.Status is RunStatus.Running or RunStatus.Pending);
        var body = new StringBuilder();
        body.Append("<form method=\"get\" action=\"/ui\" class=\"filters\"><label>Dataset <select name=\"dataset\"><option value=\"\">all</option>");
        foreach (var name in DatasetNames(datasets, runs, dataset))
        {
            body.Append(CultureInfo.InvariantCulture, $"<option value=\"{Html.E(name)}\"{(name == dataset ? " selected" : "")}>{Html.E(name)}</option>");
        }

        body.Append("</select></label> <label>Status <select name=\"status\"><option value=\"\">all</option>");
        foreach (var value in Enum.GetNames<RunStatus>())
        {
            body.Append(CultureInfo.InvariantCulture, $"<option value=\"{value}\"{(string.Equals(value, status, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{value}</option>");
        }

        body.Append("</select></label> <button type=\"submit\">Filter</button></form>");
        if (live)
        {
            body.Append("<p class=\"live\">A run is in progress: this page reloads every 3 seconds.</p>");
        }

        body.Append("<table id=\"runs\"><thead><tr><th>Run</th><th>Status</th><th>Dataset</th><th>Inputs</th><th>Rows read</th><th>Curated</th><th>Rejected</th><th>Duration</th><th>Started</th></tr></thead><tbody>");
        foreach (var run in runs)
        {
            var duration = run.CompletedAt is { } done ? Html.Seconds(Math.Max(0, (new DateTimeOffset(DateTime.SpecifyKind(done, DateTimeKind.Utc)) - run.ClaimedAt).TotalSeconds)) : "";
            body.Append("<tr>")
                .Append(CultureInfo.InvariantCulture, $"<td><a href=\"/ui/runs/{Html.E(Html.U(run.RunId))}\">{Html.E(run.RunId)}</a></td>")
                .Append(CultureInfo.InvariantCulture, $"<td><span class=\"status {Html.E(run.Status.ToString().ToLowerInvariant())}\">{Html.E(run.Status)}</span></td>")
                .Append(CultureInfo.InvariantCulture, $"<td><a href=\"/ui/datasets/{Html.E(Html.U(run.Dataset))}\">{Html.E(run.Dataset)}</a></td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{Html.E(run.Kind == RunKinds.Backfill ? "backfill" : Html.Text(run.Inputs))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{Html.E(run.Totals?.RowsRead)}</td><td class=\"n\">{Html.E(run.Totals?.RowsCurated)}</td><td class=\"n\">{Html.E(run.Totals?.RowsRejected)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{Html.E(duration)}</td><td>{Html.E(run.ClaimedAt)}</td></tr>");
        }

        body.Append("</tbody></table>");
        if (runs.Count == 0)
        {
            body.Append("<p>No runs yet: drop a file into incoming/{dataset}/ (<code>tributary drop FILE --dataset NAME</code>).</p>");
        }

        return Html.Page("Runs", body.ToString(), refreshSeconds: live ? 3 : null);
    }

    private static IEnumerable<string> DatasetNames(DatasetCatalog datasets, List<RunSummary> runs, string? selected)
    {
        IEnumerable<string> defined;
        try
        {
            defined = datasets.LoadAll().Select(d => d.Name);
        }
        catch (Exception ex) when (ex is IOException or DatasetDefinitionException)
        {
            defined = [];
        }

        return defined.Concat(runs.Select(r => r.Dataset)).Concat(selected is null ? [] : [selected]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }
}
