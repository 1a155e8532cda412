using System.Collections.Concurrent;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>The admin API's memory: the cmdlet dispatcher, each tenant's Exchange state, budgets and load.</summary>
public sealed class AdminApiState
{
    private readonly ConcurrentDictionary<Guid, ExchangeTenantState> _exchange = new();
    private readonly ConcurrentDictionary<Guid, TenantThrottle> _throttles = new();

    public AdminApiState(SandboxState state) => State = state;

    public SandboxState State { get; }

    public CmdletRegistry Cmdlets { get; } = new();

    public ExchangeTenantState Exchange(TenantConfig tenant) => _exchange.GetOrAdd(tenant.Id, _ => new ExchangeTenantState(tenant, State.Clock));

    public TenantThrottle Throttle(TenantConfig tenant) => _throttles.GetOrAdd(tenant.Id, _ => new TenantThrottle(tenant.Name, State.Clock));

    public IEnumerable<TenantThrottle> Throttles => _throttles.Values;

    /// <summary>Forgets budgets, pending Retry-After and Exchange changes (back to the configuration).</summary>
    public void Reset()
    {
        _throttles.Clear();
        _exchange.Clear();
    }

    public void ResetMaxInFlight()
    {
        foreach (TenantThrottle t in _throttles.Values) t.ResetMaxInFlight();
    }
}

/// <summary>
/// One tenant's throttling: a token bucket (requestsPerSecond, burst of the same size, at least 1), an optional
/// concurrency cap, in-flight counts, and the Retry-After it last sent so an early request is caught.
/// </summary>
public sealed class TenantThrottle
{
    /// <summary>
    /// How early a request may come and still count as on time: a client that waits exactly the Retry-After on a coarse
    /// timer (.NET's timers tick with the coarse monotonic clock, some milliseconds apart) is not early.
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private double? _rate;
    private double _tokens;
    private long _last;
    private long _retryUntil;
    private long _retryIssued;
    private int _retrySeconds;
    private int _inFlight;
    private int _maxInFlight;

    private readonly TimeProvider _clock;

    /// <param name="clock">The sandbox's clock (<see cref="SandboxClock"/>): budgets and Retry-After follow it.</param>
    public TenantThrottle(string tenant, TimeProvider clock)
    {
        Tenant = tenant;
        _clock = clock;
    }

    public string Tenant { get; }

    public double? RequestsPerSecond { get { lock (_gate) return _rate; } }

    /// <summary>More concurrent requests than this get the "maximum number of concurrent requests" answer.</summary>
    public int? MaxConcurrent { get; private set; }

    public int InFlight { get { lock (_gate) return _inFlight; } }

    public int MaxInFlight { get { lock (_gate) return _maxInFlight; } }

    public int Throttled { get; private set; }

    public void SetBudget(double? requestsPerSecond, int? maxConcurrent)
    {
        lock (_gate)
        {
            _rate = requestsPerSecond is > 0 ? requestsPerSecond : null;
            _tokens = Capacity;
            _last = _clock.GetTimestamp();
            MaxConcurrent = maxConcurrent is > 0 ? maxConcurrent : null;
        }
    }

    private double Capacity => Math.Max(1.0, _rate ?? 1.0);

    /// <summary>Takes a token; false with the whole seconds until one is available (at least 1) when over budget.</summary>
    public bool TryTake(out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        lock (_gate)
        {
            if (_rate == null) return true;
            long now = _clock.GetTimestamp();
            _tokens = Math.Min(Capacity, _tokens + _clock.GetElapsedTime(_last, now).TotalSeconds * _rate.Value);
            _last = now;
            if (_tokens + Tolerance.TotalSeconds * _rate.Value >= 1.0)
            {
                // A request within the tolerance borrows from the next token (the balance may go slightly negative), so
                // the long-run rate stays the budget's.
                _tokens -= 1.0;
                return true;
            }
            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((1.0 - _tokens) / _rate.Value));
            Throttled++;
            return false;
        }
    }

    /// <summary>Remembers a Retry-After just sent for this tenant.</summary>
    public void NoteRetryAfter(int seconds)
    {
        lock (_gate)
        {
            long now = _clock.GetTimestamp();
            long until = now + (long)(seconds * (double)_clock.TimestampFrequency);
            if (until > _retryUntil)
            {
                _retryUntil = until;
                _retryIssued = now;
                _retrySeconds = seconds;
            }
        }
    }

    /// <summary>A violation text when a request arrives before the last Retry-After has run out; else null.</summary>
    public string? CheckEarly(string what)
    {
        lock (_gate)
        {
            long now = _clock.GetTimestamp();
            if (_retryUntil == 0 || now + (long)(Tolerance.TotalSeconds * _clock.TimestampFrequency) >= _retryUntil) return null;
            double early = (_retryUntil - now) * 1000.0 / _clock.TimestampFrequency;
            double since = (now - _retryIssued) * 1000.0 / _clock.TimestampFrequency;
            return $"{what} for tenant {Tenant} arrived {early:0} ms before its Retry-After of {_retrySeconds} s ran out ({since:0} ms after it was sent).";
        }
    }

    /// <summary>Counts a request in; the in-flight count including it.</summary>
    public int Enter()
    {
        lock (_gate)
        {
            _inFlight++;
            if (_inFlight > _maxInFlight) _maxInFlight = _inFlight;
            return _inFlight;
        }
    }

    public void Leave()
    {
        lock (_gate) _inFlight--;
    }

    public void ResetMaxInFlight()
    {
        lock (_gate) _maxInFlight = _inFlight;
    }
}
