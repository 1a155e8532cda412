using System.Collections.Concurrent;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox;

/// <summary>Everything the sandbox knows and remembers: the world, the fault knobs, and what it was asked.</summary>
public sealed class SandboxState
{
    private readonly object _faultGate = new();
    private readonly List<FaultRule> _faults = new();
    private readonly ConcurrentQueue<RequestRecord> _requests = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private long _sequence;
    private int _inFlight;
    private int _maxInFlight;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SandboxState(SandboxConfig config)
    {
        Config = config;
        LatencyMs = config.LatencyMs;
        AddStandingFaults();
        Gates = new HoldGates(NotifyChanged);
        Identity = new IdentityState(config, Clock);
        Graph = new Graph.GraphState(Clock);
        AdminApi = new AdminApiState(this);
        EwsRetired = config.EwsRetired;
    }

    /// <summary>The Microsoft 365 cross-tenant access policies of the tenants (Graph).</summary>
    public Graph.GraphState Graph { get; }

    /// <summary>After 2027-04-01: EWS is gone, so legacy (organization relationship) free/busy fails everywhere.</summary>
    public bool EwsRetired { get; set; }

    public SandboxConfig Config { get; }

    /// <summary>Token, code, hydration and throttling time; tests move it forward instead of waiting.</summary>
    public SandboxClock Clock { get; } = new();

    /// <summary>Where requests matched by a rule with <see cref="FaultRule.Hold"/> wait until a test opens the gate.</summary>
    public HoldGates Gates { get; }

    /// <summary>
    /// Waits, without polling, until <paramref name="condition"/> holds: it is checked again whenever a request starts
    /// or ends, is logged, or waits at a gate. False when <paramref name="timeout"/> passes first (a hang guard, not a
    /// measurement). In process: <c>await state.WaitUntilAsync(() => state.InFlight == 0, ...)</c>; over http:
    /// GET /_sandbox/wait.
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            Task changed = Volatile.Read(ref _changed).Task;
            if (condition()) return true;
            try
            {
                await changed.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return condition();
            }
        }
    }

    private void NotifyChanged() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>The Entra ID stand-in: signing key, knobs, codes, refresh tokens, sign-in log.</summary>
    public IdentityState Identity { get; }

    /// <summary>The Exchange admin API: cmdlet registry, per-tenant Exchange state, budgets and load.</summary>
    public AdminApiState AdminApi { get; }

    public int LatencyMs { get; set; }

    /// <summary>Request records kept for tests; the oldest are dropped past this many.</summary>
    public int MaxRequestRecords { get; set; } = 20_000;

    public IReadOnlyList<int> Ports { get; internal set; } = Array.Empty<int>();

    public IReadOnlyDictionary<string, int> HttpsPorts { get; internal set; } = new Dictionary<string, int>();

    /// <summary>The forward proxy, when the sandbox runs one.</summary>
    public Proxy.TestProxy? Proxy { get; internal set; }

    public string AddFault(FaultRule rule)
    {
        rule.Id ??= Guid.NewGuid().ToString("N")[..8];
        lock (_faultGate) _faults.Add(rule);
        return rule.Id;
    }

    /// <summary>The configuration's rules (sandbox.json "faults", a generated fleet's), as copies; POST /_sandbox/reset adds them again.</summary>
    public void AddStandingFaults()
    {
        foreach (FaultRule rule in Config.Faults) AddFault(rule.Clone());
    }

    public IReadOnlyList<FaultRule> Faults
    {
        get { lock (_faultGate) return _faults.ToArray(); }
    }

    public void ClearFaults(string? id = null)
    {
        lock (_faultGate)
        {
            if (id == null) _faults.Clear();
            else _faults.RemoveAll(f => f.Id == id);
        }
    }

    /// <summary>The first rule that matches, with its Remaining count taken down; exhausted rules are removed.</summary>
    public FaultRule? MatchFault(string method, string host, int port, string path, string? domain) =>
        MatchFault("autodiscover", method, host, port, path, domain, null, null);

    /// <summary>The first rule for <paramref name="service"/> that matches; see <see cref="FaultRule.Service"/>.</summary>
    public FaultRule? MatchFault(string service, string method, string host, int port, string path, string? domain, TenantConfig? tenant, string? cmdlet)
    {
        lock (_faultGate)
        {
            foreach (FaultRule rule in _faults)
            {
                if (rule.Service != null)
                {
                    if (!string.Equals(rule.Service, service, StringComparison.OrdinalIgnoreCase)) continue;
                }
                else if (rule.PathPrefix == null && service != "autodiscover")
                {
                    continue;
                }
                if (rule.Tenant != null && (tenant == null || Config.FindTenant(rule.Tenant)?.Id != tenant.Id)) continue;
                if (rule.Cmdlet != null && !string.Equals(rule.Cmdlet, cmdlet, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.Method != null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.Host != null && !string.Equals(rule.Host, host, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.Port != null && rule.Port != port) continue;
                if (rule.PathPrefix != null && !path.StartsWith(rule.PathPrefix, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.Domain != null && !string.Equals(rule.Domain, domain, StringComparison.OrdinalIgnoreCase)) continue;
                if (rule.Remaining != null)
                {
                    rule.Remaining--;
                    if (rule.Remaining <= 0) _faults.Remove(rule);
                }
                return rule;
            }
        }
        return null;
    }

    public RequestRecord Record(RequestRecord record)
    {
        if (Interlocked.Exchange(ref record.Logged, 1) == 1) return record;
        record.Sequence = Interlocked.Increment(ref _sequence);
        _requests.Enqueue(record);
        while (_requests.Count > MaxRequestRecords && _requests.TryDequeue(out _)) { }
        NotifyChanged();
        return record;
    }

    /// <summary>
    /// Logs the request as its answer starts rather than after it ends, so a client that has read the answer never
    /// finds the log without it. The handler's own Record in its finally still logs answers that never start.
    /// </summary>
    public void RecordWhenAnswered(HttpContext ctx, RequestRecord record) =>
        ctx.Response.OnStarting(() =>
        {
            if (record.Status == 0) record.Status = ctx.Response.StatusCode;
            Record(record);
            return Task.CompletedTask;
        });

    public IReadOnlyList<RequestRecord> Requests => _requests.ToArray();

    public int RequestCount => _requests.Count;

    public void ClearRequests() => _requests.Clear();

    /// <summary>Requests being served right now (control calls excluded), and the most seen at once.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public void Enter()
    {
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) { }
        NotifyChanged();
    }

    public void Leave()
    {
        Interlocked.Decrement(ref _inFlight);
        NotifyChanged();
    }

    public void ResetMaxInFlight() => Interlocked.Exchange(ref _maxInFlight, Volatile.Read(ref _inFlight));

    public void AddViolation(string text) => _violations.Enqueue(text);

    public IReadOnlyList<string> Violations => _violations.ToArray();

    public void ClearViolations() => _violations.Clear();
}

/// <summary>One request as the sandbox saw it.</summary>
public sealed class RequestRecord
{
    /// <summary>1 once logged: Record is called both when the answer starts and in the handler's finally.</summary>
    internal int Logged;

    public long Sequence { get; set; }
    public DateTimeOffset Time { get; set; } = DateTimeOffset.UtcNow;
    public string Method { get; set; } = "";
    public string Scheme { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; }
    public string Path { get; set; } = "";
    public string? Domain { get; set; }
    public string? SoapVersion { get; set; }
    public string? UserAgent { get; set; }
    public string? SoapAction { get; set; }
    /// <summary>Autodiscover: the WS-Addressing a:To the request named (accepted whatever it names, as Microsoft's front end does).</summary>
    public string? SoapTo { get; set; }
    public bool HasAuthorization { get; set; }
    public bool HasCookie { get; set; }
    public bool HasClientCertificate { get; set; }
    public int Status { get; set; }
    public string? Fault { get; set; }

    // Admin API requests
    /// <summary>"adminapi" for InvokeCommand; null for Autodiscover.</summary>
    public string? Service { get; set; }
    public string? Tenant { get; set; }
    /// <summary>CmdletName from the body.</summary>
    public string? CmdletName { get; set; }
    /// <summary>The X-CmdletName header.</summary>
    public string? CmdletNameHeader { get; set; }
    public string? AnchorMailbox { get; set; }
    public string? ClientRequestId { get; set; }
    public string? Prefer { get; set; }
    public string? Query { get; set; }
    /// <summary>The caller's UPN (delegated) or app id (app-only).</summary>
    public string? Caller { get; set; }
    /// <summary>Retry-After sent back, in seconds.</summary>
    public int? RetryAfter { get; set; }
    /// <summary>error.code or the auth failure, when the answer was not a success.</summary>
    public string? Error { get; set; }
    /// <summary>Admin API: the names of the parameters sent (never their values).</summary>
    public List<string>? ParameterNames { get; set; }
    /// <summary>Admin API: the cmdlet changes state (any verb but Get and Test), whether or not it succeeded.</summary>
    public bool? IsWrite { get; set; }
    /// <summary>Admin API: the request carried WhatIf=true (so nothing was written).</summary>
    public bool? WhatIf { get; set; }

    // Graph getSchedule requests
    /// <summary>The mailbox the schedule was asked for (the route's user, or the token's upn for /me).</summary>
    public string? Requester { get; set; }
    /// <summary>The addresses in "schedules".</summary>
    public List<string>? Schedules { get; set; }

    // Graph requests
    /// <summary>The request-id Graph sent back (header and innerError).</summary>
    public string? RequestId { get; set; }
    /// <summary>
    /// A 403's reason, which Graph itself never sends ("Insufficient privileges to complete the operation." only):
    /// "scope A|B" when the token lacks every accepted permission, "role A|B" when the user holds none of the roles.
    /// </summary>
    public string? Denied { get; set; }
}
