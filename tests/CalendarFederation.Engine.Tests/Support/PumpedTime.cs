using Microsoft.Extensions.Time.Testing;

namespace CalendarFederation.Engine.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which of its timers are pending, so a test can move fake time exactly
/// to the next one while the code under test waits on it, and wait for "a timer was set" instead of sleeping.
/// </summary>
internal sealed class PumpedTime : FakeTimeProvider
{
    private readonly object _lock = new();
    private readonly List<WatchedTimer> _timers = new();
    private TaskCompletionSource _changed = NewSignal();

    public PumpedTime(DateTimeOffset start) : base(start) { }

    /// <summary>Completes at the next timer creation, change, firing or disposal.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Pending timers, earliest first: when each is due, and the period it was set for.</summary>
    public IReadOnlyList<(DateTimeOffset DueAt, TimeSpan DueTime)> Pending
    {
        get
        {
            lock (_lock) return _timers.Where(t => t.DueAt != null).Select(t => (t.DueAt!.Value, t.DueTime)).OrderBy(t => t.Item1).ToList();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var watched = new WatchedTimer(this);
        lock (_lock) _timers.Add(watched);
        watched.Set(dueTime, period);
        // The base timer may fire at once (a zero due time); the wrapper only needs to know that it fired.
        watched.Inner = base.CreateTimer(s => { watched.Fired(); callback(s); }, state, dueTime, period);
        Notify();
        return watched;
    }

    /// <summary>Waits until a timer is pending that <paramref name="match"/> accepts (e.g. the Retry-After wait).</summary>
    public async Task WaitForTimerAsync(Func<TimeSpan, bool> match, TimeSpan guard)
    {
        using var limit = new CancellationTokenSource(guard);
        while (true)
        {
            Task changed = Changed;
            if (Pending.Any(p => match(p.DueTime))) return;
            await changed.WaitAsync(limit.Token);
        }
    }

    private void Notify() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class WatchedTimer : ITimer
    {
        private readonly PumpedTime _owner;
        private TimeSpan _period;

        public WatchedTimer(PumpedTime owner) => _owner = owner;

        public ITimer? Inner { get; set; }
        public DateTimeOffset? DueAt { get; private set; }
        public TimeSpan DueTime { get; private set; }

        public void Set(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._lock)
            {
                DueTime = dueTime;
                _period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _owner.GetUtcNow() + dueTime;
            }
        }

        public void Fired()
        {
            lock (_owner._lock)
            {
                DueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : _owner.GetUtcNow() + _period;
            }
            _owner.Notify();
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Set(dueTime, period);
            bool changed = Inner?.Change(dueTime, period) ?? false;
            _owner.Notify();
            return changed;
        }

        public void Dispose()
        {
            lock (_owner._lock)
            {
                DueAt = null;
                _owner._timers.Remove(this);
            }
            Inner?.Dispose();
            _owner.Notify();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
