namespace CalendarFederation.Sandbox;

/// <summary>
/// The sandbox's clock for expiry and throttling: token times, device and authorization codes, hydration,
/// relationship timestamps and the admin API's budgets and Retry-After. It is the system clock plus an offset that
/// tests move forward (in process with <see cref="Advance"/>, or POST /_sandbox/clock/advance?seconds=N), so
/// "the token has expired" or "the Retry-After has run out" needs no waiting. It never goes back, not even on reset:
/// a token or a Retry-After issued before an advance must stay in the past. Latency and slow answers stay real time.
/// </summary>
public sealed class SandboxClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), by, "The sandbox clock only moves forward.");
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public override long GetTimestamp() =>
        System.GetTimestamp() + (long)(Offset.Ticks * (double)System.TimestampFrequency / TimeSpan.TicksPerSecond);

    public override long TimestampFrequency => System.TimestampFrequency;

    /// <summary>Unix seconds, for JWT claims.</summary>
    public long UnixSeconds() => GetUtcNow().ToUnixTimeSeconds();
}
