using System.Collections.Concurrent;
using System.Net;
using System.Text;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Http;
using Microsoft.Extensions.Time.Testing;

namespace CalendarFederation.Engine.Tests.Graph;

/// <summary>One request as Graph got it, with the fake clock's time.</summary>
internal sealed record GraphRequest(string Method, string Url, Dictionary<string, string> Headers, string? Body, DateTimeOffset At)
{
    public string PathAndQuery => new Uri(Url).PathAndQuery;
}

/// <summary>One scripted answer.</summary>
internal sealed class GraphAnswer
{
    public int Status { get; init; } = 200;
    public string Body { get; init; } = "";
    public int? RetryAfter { get; init; }
    public bool Hang { get; init; }
    public Exception? Error { get; init; }
    public string? RequestId { get; init; }
}

/// <summary>
/// A Graph stand-in that answers from a script (or a function) and records every request. Tests wait for requests with
/// <see cref="WaitForRequestsAsync"/>, never with sleeps.
/// </summary>
internal sealed class GraphScriptedHandler : HttpMessageHandler
{
    private readonly FakeTimeProvider _time;
    private readonly ConcurrentQueue<GraphAnswer> _script = new();
    private readonly object _gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = new();
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;

    public GraphScriptedHandler(FakeTimeProvider time) => _time = time;

    public List<GraphRequest> Requests { get; } = new();
    public bool Hold { get; set; }
    public int InFlight => Volatile.Read(ref _inFlight);
    public int MaxInFlight { get; private set; }

    /// <summary>Answers every request when set (the script is then ignored).</summary>
    public Func<GraphRequest, GraphAnswer>? Responder { get; set; }

    public GraphScriptedHandler Respond(int status = 200, string body = "", int? retryAfter = null, string? requestId = null)
    {
        _script.Enqueue(new GraphAnswer { Status = status, Body = body, RetryAfter = retryAfter, RequestId = requestId });
        return this;
    }

    public GraphScriptedHandler RespondHang()
    {
        _script.Enqueue(new GraphAnswer { Hang = true });
        return this;
    }

    public GraphScriptedHandler Throw(Exception error)
    {
        _script.Enqueue(new GraphAnswer { Error = error });
        return this;
    }

    public void Release() => _release.TrySetResult();

    /// <summary>Completes when at least <paramref name="count"/> requests have arrived.</summary>
    public Task WaitForRequestsAsync(int count)
    {
        lock (_gate)
        {
            if (Requests.Count >= count) return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        if (request.Content != null)
        {
            foreach (var h in request.Content.Headers) headers[h.Key] = string.Join(",", h.Value);
        }
        string? body = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new GraphRequest(request.Method.Method, request.RequestUri!.ToString(), headers, body, _time.GetUtcNow());
        lock (_gate)
        {
            Requests.Add(recorded);
            _inFlight++;
            MaxInFlight = Math.Max(MaxInFlight, _inFlight);
            foreach (var w in _waiters.Where(w => Requests.Count >= w.Count).ToArray())
            {
                w.Signal.TrySetResult();
                _waiters.Remove(w);
            }
        }
        try
        {
            if (Hold) await _release.Task.WaitAsync(cancellationToken);
            GraphAnswer answer = Responder?.Invoke(recorded)
                ?? (_script.TryDequeue(out GraphAnswer? next) ? next : new GraphAnswer { Status = 500, Body = "{\"error\":{\"code\":\"ScriptExhausted\",\"message\":\"script exhausted\"}}" });
            if (answer.Hang) await Task.Delay(Timeout.Infinite, cancellationToken);
            if (answer.Error != null) throw answer.Error;
            var response = new HttpResponseMessage((HttpStatusCode)answer.Status);
            if (answer.Body.Length > 0 || answer.Status != 204) response.Content = new StringContent(answer.Body, Encoding.UTF8, "application/json");
            if (answer.RetryAfter != null) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(answer.RetryAfter.Value));
            if (answer.RequestId != null) response.Headers.TryAddWithoutValidation("request-id", answer.RequestId);
            return response;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

/// <summary>A Graph token provider that counts its calls and hands out token-1, token-2, … (new on each forced refresh).</summary>
internal sealed class FakeGraphTokens : IGraphTokenProvider
{
    private int _generation = 1;

    public ConcurrentQueue<bool> Calls { get; } = new();
    public Func<int, string>? TokenFor { get; set; }
    public EngineException? Fail { get; set; }
    public GraphTokenKind Kind { get; set; } = GraphTokenKind.AppOnly;
    public string? ClientId { get; set; } = "11111111-2222-4333-8444-555555555555";
    public IReadOnlyList<string> Scopes { get; set; } = new[] { "https://graph.microsoft.com/.default" };
    public bool MayPrompt { get; set; }

    public Task<AccessTokenResult> GetTokenAsync(bool forceRefresh, IEngineEvents events, CancellationToken cancellationToken)
    {
        if (Fail != null) throw Fail;
        Calls.Enqueue(forceRefresh);
        int n = forceRefresh ? Interlocked.Increment(ref _generation) : Volatile.Read(ref _generation);
        string token = TokenFor?.Invoke(n) ?? "token-" + n;
        return Task.FromResult(new AccessTokenResult(token, DateTimeOffset.UtcNow.AddHours(1), Jwts.TenantId, null));
    }
}

internal static class Jwts
{
    public const string TenantId = "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11";

    public static string Make(string payloadJson)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return B64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + B64(payloadJson) + ".c2lnbmF0dXJl";
    }

    /// <summary>An app-only Graph token with these application permissions.</summary>
    public static string AppOnly(params string[] roles) =>
        Make("{\"aud\":\"https://graph.microsoft.com\",\"tid\":\"" + TenantId + "\",\"appid\":\"11111111-2222-4333-8444-555555555555\",\"idtyp\":\"app\",\"roles\":["
            + string.Join(",", roles.Select(r => "\"" + r + "\"")) + "],\"exp\":4102444800}");

    /// <summary>A delegated Graph token with these scopes and, when given, these role template ids (wids).</summary>
    public static string Delegated(string scopes, string[]? wids, string aud = "https://graph.microsoft.com", string tid = TenantId, long exp = 4102444800) =>
        Make("{\"aud\":\"" + aud + "\",\"tid\":\"" + tid + "\",\"appid\":\"14d82eec-204b-4c2f-b7e8-296a70dab67e\",\"upn\":\"admin@contoso.com\",\"scp\":\"" + scopes + "\""
            + (wids == null ? "" : ",\"wids\":[" + string.Join(",", wids.Select(w => "\"" + w + "\"")) + "]") + ",\"exp\":" + exp + "}");
}

/// <summary>Moves the fake clock on while a task runs: Polly, the gate and the replication waits all wait on it.</summary>
internal static class Clock
{
    public static async Task<T> Run<T>(FakeTimeProvider time, Task<T> task, TimeSpan? step = null)
    {
        TimeSpan advance = step ?? TimeSpan.FromMilliseconds(250);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            if (watch.Elapsed > RealTimeLimit) throw new TimeoutException($"The call did not complete within {RealTimeLimit.TotalSeconds} s of real time ({time.GetUtcNow():u} on the fake clock).");
            // A real-time yield, not a wait for time: the code under test runs until it blocks, then fake time moves on.
            // Jumping straight to the next timer (Support/PumpedTime.cs) is not safe here, because each call's overall
            // timeout (Http/HttpCallScope.cs) is a timer on the same clock and would fire while a request is in flight.
            await Task.Delay(1);
            time.Advance(advance);
        }
        return await task;
    }

    /// <summary>A test that waits longer than this has found a hang: it fails instead of blocking the run.</summary>
    public static readonly TimeSpan RealTimeLimit = TimeSpan.FromSeconds(30);

    /// <summary>Waits (yielding, bounded in real time) until <paramref name="condition"/> holds; fails the test otherwise.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > RealTimeLimit) throw new TimeoutException("Gave up waiting for " + what + ".");
            // A real-time yield while another task gets to the state the test needs; no fake time passes.
            await Task.Delay(1);
        }
    }

    /// <summary>A task that must complete without the clock moving (a cancellation, a release); bounded in real time.</summary>
    public static async Task Within(Task task, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(RealTimeLimit)) != task) throw new TimeoutException("Gave up waiting for " + what + ".");
        await task;
    }

    public static async Task Run(FakeTimeProvider time, Task task, TimeSpan? step = null) =>
        await Run(time, task.ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default), step);
}

internal static class GraphClients
{
    public static GraphClient Create(GraphScriptedHandler handler, IGraphTokenProvider tokens, FakeTimeProvider time, Action<GraphClientOptions>? configure = null,
        TenantGateRegistry? gates = null)
    {
        var options = new GraphClientOptions
        {
            BaseUri = new Uri("https://graph.microsoft.com"),
            Tenant = Jwts.TenantId,
            MaxRetries = 10,
            BaseDelay = TimeSpan.FromSeconds(2),
            MaxDelay = TimeSpan.FromSeconds(60),
        };
        configure?.Invoke(options);
        return new GraphClient(options, tokens, handler, disposeHandler: false, time, gates);
    }
}
