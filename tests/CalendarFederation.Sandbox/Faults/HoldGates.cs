namespace CalendarFederation.Sandbox.Faults;

/// <summary>
/// Named gates for fault rules with <see cref="FaultRule.Hold"/>: a matching request waits at its gate until a test
/// opens it (POST /_sandbox/gates/{name}/open) or the client gives up, so a test decides when an answer comes instead
/// of guessing with a latency. An open gate lets later requests through at once; reset opens every gate and forgets it.
/// </summary>
public sealed class HoldGates
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.OrdinalIgnoreCase);
    private readonly Action _changed;

    public HoldGates(Action changed) => _changed = changed;

    /// <summary>Requests waiting at the gate right now.</summary>
    public int Held(string name)
    {
        lock (_lock) return _gates.TryGetValue(name, out Gate? g) ? g.Held : 0;
    }

    public IReadOnlyDictionary<string, int> All
    {
        get { lock (_lock) return _gates.ToDictionary(g => g.Key, g => g.Value.Held, StringComparer.OrdinalIgnoreCase); }
    }

    /// <summary>Waits until the gate opens; throws when <paramref name="cancellationToken"/> (the request) is cancelled.</summary>
    public async Task WaitAsync(string name, CancellationToken cancellationToken)
    {
        Gate gate;
        lock (_lock)
        {
            if (!_gates.TryGetValue(name, out gate!)) _gates[name] = gate = new Gate();
            if (gate.Open.Task.IsCompleted) return;
            gate.Held++;
        }
        _changed();
        try
        {
            await gate.Open.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            lock (_lock) gate.Held--;
            _changed();
        }
    }

    public void Open(string name)
    {
        lock (_lock)
        {
            if (!_gates.TryGetValue(name, out Gate? gate)) _gates[name] = gate = new Gate();
            gate.Open.TrySetResult();
        }
        _changed();
    }

    /// <summary>Opens every gate (nothing stays held across a reset) and forgets them all.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            foreach (Gate g in _gates.Values) g.Open.TrySetResult();
            _gates.Clear();
        }
        _changed();
    }

    private sealed class Gate
    {
        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Held;
    }
}
