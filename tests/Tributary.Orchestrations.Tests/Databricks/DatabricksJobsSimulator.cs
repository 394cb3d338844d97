using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Orchestrations.Aggregation.Databricks;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Tributary.Orchestrations.Tests.Databricks;

/// <summary>
/// A stateful local stand-in for the Databricks Jobs API 2.2 and the workspace OAuth token endpoint, on WireMock.Net.
/// <list type="bullet">
/// <item><c>POST /api/2.2/jobs/run-now</c>: creates a run (run_id, number_in_job); the same idempotency_token returns the same run.</item>
/// <item><c>GET /api/2.2/jobs/runs/get?run_id=</c>: QUEUED (with <c>queue_details</c>) for <see cref="QueuedPolls"/> polls,
/// PENDING for <see cref="PendingPolls"/>, RUNNING for <see cref="RunningPolls"/>, then <see cref="TerminalLifeCycleState"/>
/// with <see cref="ResultState"/> (never, with <see cref="NeverFinish"/>). <see cref="Shape"/> chooses the objects answered:
/// the 2.2 <c>status</c> and the deprecated <c>state</c> (default), only one of them, or both disagreeing (the classic one
/// lagging a poll behind, as a stale projection would).</item>
/// <item><c>POST /api/2.2/jobs/runs/cancel</c>: the run becomes TERMINATED/CANCELED.</item>
/// <item><c>POST /oidc/v1/token</c>: client-credentials grant with HTTP Basic; issues tokens living <see cref="TokenLifetimeSeconds"/>.</item>
/// <item><see cref="OnSucceeded"/>: the job's work, run once when a run first reaches TERMINATED/SUCCESS (before that poll is answered);
/// an exception from it turns the run into TERMINATED/FAILED with the exception's message, as a failing task would.</item>
/// <item>Faults: <see cref="InjectFaults"/> (status, Retry-After, delay, and "lost response" after the request took effect).</item>
/// </list>
/// API calls need <c>Authorization: Bearer</c> with <see cref="Pat"/> or an issued OAuth token, else 401.
/// </summary>
public sealed class DatabricksJobsSimulator : IDisposable
{
    public const string RunNow = "/api/2.2/jobs/run-now";
    public const string RunsGet = "/api/2.2/jobs/runs/get";
    public const string RunsCancel = "/api/2.2/jobs/runs/cancel";
    public const string Token = "/oidc/v1/token";

    private readonly ConcurrentDictionary<long, SimRun> _runs = new();
    private readonly ConcurrentDictionary<string, long> _runsByToken = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _faults = new();
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private readonly ConcurrentDictionary<string, bool> _issuedTokens = new();
    private readonly object _gate = new();
    private long _nextRunId = 900_000_000_001;
    private long _numberInJob;
    private int _tokenRequests;

    public DatabricksJobsSimulator()
    {
        Server = WireMockServer.Start();
        Map(RunNow, "POST", m => Task.FromResult(HandleRunNow(m)));
        Map(RunsGet, "GET", HandleRunsGetAsync);
        Map(RunsCancel, "POST", m => Task.FromResult(HandleRunsCancel(m)));
        Map(Token, "POST", m => Task.FromResult(HandleToken(m)));
    }

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public long JobId { get; set; } = 4242;

    public string Pat { get; set; } = "dapi-sim-0123456789abcdef";

    public string ClientId { get; set; } = "5f1c7f3e-sim-client";

    public string ClientSecret { get; set; } = "dose-sim-secret-value";

    public int TokenLifetimeSeconds { get; set; } = 3600;

    public int PendingPolls { get; set; } = 1;

    public int RunningPolls { get; set; } = 1;

    public string TerminalLifeCycleState { get; set; } = "TERMINATED";

    public string? ResultState { get; set; } = "SUCCESS";

    public string? TerminalMessage { get; set; }

    public bool NeverFinish { get; set; }

    /// <summary>Polls answered QUEUED (with <c>status.queue_details</c>) before PENDING.</summary>
    public int QueuedPolls { get; set; }

    public string QueueCode { get; set; } = "MAX_CONCURRENT_RUNS_REACHED";

    /// <summary>Which state objects runs/get answers.</summary>
    public RunsGetShape Shape { get; set; } = RunsGetShape.Both;

    /// <summary><c>status.termination_details.code</c> of a terminal run; null: derived from <see cref="ResultState"/>.</summary>
    public string? TerminationCode { get; set; }

    /// <summary>Fault: the first N terminal polls answer <c>status.state</c> TERMINATED without <c>termination_details</c>.</summary>
    public int TerminatedWithoutDetailsPolls { get; set; }

    /// <summary>What the job does when it succeeds (e.g. write results from its parameters); null: nothing.</summary>
    public Func<SimRun, Task>? OnSucceeded { get; set; }

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public int RunsCreated => _runs.Count;

    public IReadOnlyCollection<string> IssuedTokens => _issuedTokens.Keys.ToList();

    public int Requests(string path) => _requests.TryGetValue(path, out var n) ? n : 0;

    public SimRun Run(long runId) => _runs[runId];

    /// <summary>The next <paramref name="count"/> calls of <paramref name="path"/> fail this way.</summary>
    public void InjectFaults(string path, int count, HttpStatusCode status, int? retryAfterSeconds = null, TimeSpan? delay = null, bool afterProcessing = false)
    {
        var queue = _faults.GetOrAdd(path, _ => new ConcurrentQueue<Fault>());
        for (var i = 0; i < count; i++)
        {
            queue.Enqueue(new Fault(status, retryAfterSeconds, delay, afterProcessing));
        }
    }

    /// <summary>The next <paramref name="count"/> calls of <paramref name="path"/> answer normally but only after <paramref name="delay"/>.</summary>
    public void InjectDelay(string path, int count, TimeSpan delay)
    {
        var queue = _faults.GetOrAdd(path, _ => new ConcurrentQueue<Fault>());
        for (var i = 0; i < count; i++)
        {
            queue.Enqueue(new Fault(null, null, delay, false));
        }
    }

    public void Dispose() => Server.Stop();

    private void Map(string path, string method, Func<IRequestMessage, Task<IResponseMessage>> handler)
    {
        var request = Request.Create().WithPath(path);
        request = method == "GET" ? request.UsingGet() : request.UsingPost();
        Server.Given(request).RespondWith(Response.Create().WithCallback(async message =>
        {
            _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            Fault? fault = null;
            if (_faults.TryGetValue(path, out var queue) && queue.TryDequeue(out var f))
            {
                fault = f;
            }

            if (fault?.Delay is { } delay)
            {
                await Task.Delay(delay).ConfigureAwait(false);
            }

            if (fault?.Status is { } status && !fault.AfterProcessing)
            {
                return Error(status, "TEMPORARILY_UNAVAILABLE", "injected fault", fault.RetryAfterSeconds);
            }

            if (path != Token && !Authorized(message))
            {
                return Error(HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "invalid access token", null);
            }

            var response = await handler(message).ConfigureAwait(false);
            return fault?.Status is { } lost ? Error(lost, "INTERNAL_ERROR", "response lost after processing", fault.RetryAfterSeconds) : response;
        }));
    }

    private bool Authorized(IRequestMessage message)
    {
        var auth = Header(message, "Authorization");
        if (auth is null || !auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        var token = auth["Bearer ".Length..];
        return token == Pat || _issuedTokens.ContainsKey(token);
    }

    private IResponseMessage HandleRunNow(IRequestMessage message)
    {
        var body = JsonNode.Parse(message.Body ?? "{}")!.AsObject();
        var jobId = body["job_id"]?.GetValue<long>() ?? 0;
        if (jobId != JobId)
        {
            return Error(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", $"Job {jobId} does not exist.", null);
        }

        var token = body["idempotency_token"]?.GetValue<string>();
        if (token is { Length: > 64 })
        {
            return Error(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "idempotency_token longer than 64 characters", null);
        }

        var parameters = body["job_parameters"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "")
                         ?? new Dictionary<string, string>();
        SimRun run;
        lock (_gate)
        {
            if (token is not null && _runsByToken.TryGetValue(token, out var existing))
            {
                run = _runs[existing];
            }
            else
            {
                var id = _nextRunId++;
                run = new SimRun(id, ++_numberInJob, token, parameters);
                _runs[id] = run;
                if (token is not null)
                {
                    _runsByToken[token] = id;
                }
            }
        }

        return Json(HttpStatusCode.OK, new JsonObject { ["run_id"] = run.RunId, ["number_in_job"] = run.NumberInJob });
    }

    private async Task<IResponseMessage> HandleRunsGetAsync(IRequestMessage message)
    {
        var runIdText = message.Query?.TryGetValue("run_id", out var values) == true ? values.FirstOrDefault() : null;
        if (!long.TryParse(runIdText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var runId) || !_runs.TryGetValue(runId, out var run))
        {
            return Error(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", $"Run {runIdText} does not exist.", null);
        }

        string lifeCycle;
        string? result = null;
        string message2;
        int poll;
        lock (run)
        {
            poll = run.Polls++;
            if (run.Cancelled)
            {
                (lifeCycle, result, message2) = ("TERMINATED", "CANCELED", "Run cancelled by the user.");
            }
            else if (poll < QueuedPolls)
            {
                (lifeCycle, message2) = ("QUEUED", "Queued: the job has reached max_concurrent_runs");
            }
            else if (poll < QueuedPolls + PendingPolls)
            {
                (lifeCycle, message2) = ("PENDING", "Waiting for cluster");
            }
            else if (NeverFinish || poll < QueuedPolls + PendingPolls + RunningPolls)
            {
                (lifeCycle, message2) = ("RUNNING", "In run");
            }
            else
            {
                (lifeCycle, result, message2) = (TerminalLifeCycleState, ResultState, TerminalMessage ?? "");
            }

            var terminalPoll = lifeCycle is "TERMINATED" or "SKIPPED" or "INTERNAL_ERROR";
            if (terminalPoll && !run.Cancelled && run.TerminalPolls++ < TerminatedWithoutDetailsPolls)
            {
                // The status says TERMINATED but its details are not there yet: the client must keep polling.
                run.Observed.Add("TERMINATED-NO-DETAILS");
                return Json(HttpStatusCode.OK, RunJson(run, null, new JsonObject { ["state"] = "TERMINATED" }));
            }

            run.Observed.Add(lifeCycle);
            if (result == "SUCCESS" && OnSucceeded is { } work)
            {
                run.Work ??= Task.Run(() => work(run));
            }
        }

        if (result == "SUCCESS" && run.Work is { } job)
        {
            try
            {
                await job.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                (result, message2) = ("FAILED", $"Task aggregate failed with message: {ex.Message}");
            }
        }

        var state = new JsonObject { ["life_cycle_state"] = lifeCycle, ["state_message"] = message2, ["user_cancelled_or_timedout"] = run.Cancelled };
        if (result is not null)
        {
            state["result_state"] = result;
        }

        var terminal = lifeCycle is "TERMINATED" or "SKIPPED" or "INTERNAL_ERROR";
        var status = new JsonObject { ["state"] = terminal ? "TERMINATED" : lifeCycle };
        if (lifeCycle == "QUEUED")
        {
            status["queue_details"] = new JsonObject { ["code"] = QueueCode, ["message"] = message2 };
        }

        if (terminal)
        {
            status["termination_details"] = new JsonObject
            {
                ["code"] = TerminationCode is not null && result != "SUCCESS" && !run.Cancelled ? TerminationCode : CodeOf(lifeCycle, result),
                ["type"] = result == "SUCCESS" ? "SUCCESS" : lifeCycle == "INTERNAL_ERROR" ? "INTERNAL_ERROR" : "CLIENT_ERROR",
                ["message"] = message2,
            };
        }

        if (Shape == RunsGetShape.Disagreeing)
        {
            // The deprecated object lags one step behind the status (a stale projection): the status must win.
            state = new JsonObject { ["life_cycle_state"] = terminal ? "RUNNING" : lifeCycle == "RUNNING" ? "PENDING" : lifeCycle, ["state_message"] = "stale" };
        }

        return Json(HttpStatusCode.OK, RunJson(
            run,
            Shape == RunsGetShape.StatusOnly ? null : state,
            Shape == RunsGetShape.ClassicOnly ? null : status));
    }

    private static string CodeOf(string lifeCycle, string? result) => (lifeCycle, result) switch
    {
        (_, "SUCCESS") => "SUCCESS",
        (_, "CANCELED") => "USER_CANCELED",
        ("INTERNAL_ERROR", _) => "INTERNAL_ERROR",
        ("SKIPPED", _) => "SKIPPED",
        (_, "MAXIMUM_CONCURRENT_RUNS_REACHED") => "MAX_CONCURRENT_RUNS_EXCEEDED",
        (_, "SUCCESS_WITH_FAILURES") => "SUCCESS_WITH_FAILURES",
        _ => "RUN_EXECUTION_ERROR",
    };

    private JsonObject RunJson(SimRun run, JsonObject? state, JsonObject? status)
    {
        var body = new JsonObject
        {
            ["job_id"] = JobId,
            ["run_id"] = run.RunId,
            ["number_in_job"] = run.NumberInJob,
            ["run_page_url"] = $"{Url}/#job/{JobId}/run/{run.RunId}",
        };
        if (state is not null)
        {
            body["state"] = state;
        }

        if (status is not null)
        {
            body["status"] = status;
        }

        return body;
    }

    private IResponseMessage HandleRunsCancel(IRequestMessage message)
    {
        var body = JsonNode.Parse(message.Body ?? "{}")!.AsObject();
        var runId = body["run_id"]?.GetValue<long>() ?? 0;
        if (!_runs.TryGetValue(runId, out var run))
        {
            return Error(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", $"Run {runId} does not exist.", null);
        }

        lock (run)
        {
            run.Cancelled = true;
        }

        return Json(HttpStatusCode.OK, new JsonObject());
    }

    private IResponseMessage HandleToken(IRequestMessage message)
    {
        Interlocked.Increment(ref _tokenRequests);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
        var form = (message.Body ?? "").Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "");
        if (Header(message, "Authorization") != expected)
        {
            return Json(HttpStatusCode.Unauthorized, new JsonObject { ["error"] = "invalid_client" });
        }

        if (!form.TryGetValue("grant_type", out var grant) || grant != "client_credentials" || !form.TryGetValue("scope", out var scope) || scope != "all-apis")
        {
            return Json(HttpStatusCode.BadRequest, new JsonObject { ["error"] = "invalid_request" });
        }

        var token = "eyJsim." + Guid.NewGuid().ToString("N");
        _issuedTokens[token] = true;
        return Json(HttpStatusCode.OK, new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["scope"] = "all-apis",
            ["expires_in"] = TokenLifetimeSeconds,
        });
    }

    private static string? Header(IRequestMessage message, string name)
    {
        if (message.Headers is null)
        {
            return null;
        }

        foreach (var (key, value) in message.Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value.FirstOrDefault();
            }
        }

        return null;
    }

    private static ResponseMessage Error(HttpStatusCode status, string errorCode, string text, int? retryAfterSeconds)
    {
        var response = Json(status, new JsonObject { ["error_code"] = errorCode, ["message"] = text });
        if (retryAfterSeconds is { } seconds)
        {
            response.AddHeader("Retry-After", seconds.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    private static ResponseMessage Json(HttpStatusCode status, JsonNode body)
    {
        var response = new ResponseMessage
        {
            StatusCode = (int)status,
            BodyData = new BodyData
            {
                BodyAsString = body.ToJsonString(new JsonSerializerOptions()),
                DetectedBodyType = BodyType.String,
                Encoding = Encoding.UTF8,
            },
        };
        response.AddHeader("Content-Type", "application/json");
        return response;
    }

    public enum RunsGetShape
    {
        /// <summary>Both the 2.2 <c>status</c> and the deprecated <c>state</c>, consistent.</summary>
        Both,

        /// <summary>Only <c>status</c> (the deprecated object dropped).</summary>
        StatusOnly,

        /// <summary>Only the deprecated <c>state</c> (an older API or proxy).</summary>
        ClassicOnly,

        /// <summary>Both, the deprecated one a step behind.</summary>
        Disagreeing,
    }

    private sealed record Fault(HttpStatusCode? Status, int? RetryAfterSeconds, TimeSpan? Delay, bool AfterProcessing);

    public sealed class SimRun(long runId, long numberInJob, string? idempotencyToken, IReadOnlyDictionary<string, string> parameters)
    {
        public long RunId { get; } = runId;

        public long NumberInJob { get; } = numberInJob;

        public string? IdempotencyToken { get; } = idempotencyToken;

        public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;

        public int Polls { get; set; }

        public int TerminalPolls { get; set; }

        public bool Cancelled { get; set; }

        public List<string> Observed { get; } = [];

        /// <summary>The job's work (<see cref="OnSucceeded"/>), started once.</summary>
        public Task? Work { get; set; }
    }
}
