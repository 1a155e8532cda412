using System.Collections.Concurrent;
using CalendarFederation.Sandbox.Faults;
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

    public SandboxState(SandboxConfig config)
    {
        Config = config;
        LatencyMs = config.LatencyMs;
        foreach (FaultRule rule in config.Faults) AddFault(rule);
    }

    public SandboxConfig Config { get; }

    public int LatencyMs { get; set; }

    /// <summary>Request records kept for tests; the oldest are dropped past this many.</summary>
    public int MaxRequestRecords { get; set; } = 20_000;

    public IReadOnlyList<int> Ports { get; internal set; } = Array.Empty<int>();

    public IReadOnlyDictionary<string, int> HttpsPorts { get; internal set; } = new Dictionary<string, int>();

    public string AddFault(FaultRule rule)
    {
        rule.Id ??= Guid.NewGuid().ToString("N")[..8];
        lock (_faultGate) _faults.Add(rule);
        return rule.Id;
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
    public FaultRule? MatchFault(string method, string host, int port, string path, string? domain)
    {
        lock (_faultGate)
        {
            foreach (FaultRule rule in _faults)
            {
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
        record.Sequence = Interlocked.Increment(ref _sequence);
        _requests.Enqueue(record);
        while (_requests.Count > MaxRequestRecords && _requests.TryDequeue(out _)) { }
        return record;
    }

    public IReadOnlyList<RequestRecord> Requests => _requests.ToArray();

    public void ClearRequests() => _requests.Clear();

    /// <summary>Requests being served right now (control calls excluded), and the most seen at once.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public void Enter()
    {
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) { }
    }

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    public void ResetMaxInFlight() => Interlocked.Exchange(ref _maxInFlight, Volatile.Read(ref _inFlight));

    public void AddViolation(string text) => _violations.Enqueue(text);

    public IReadOnlyList<string> Violations => _violations.ToArray();

    public void ClearViolations() => _violations.Clear();
}

/// <summary>One request as the sandbox saw it.</summary>
public sealed class RequestRecord
{
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
    public bool HasAuthorization { get; set; }
    public bool HasCookie { get; set; }
    public bool HasClientCertificate { get; set; }
    public int Status { get; set; }
    public string? Fault { get; set; }
}
