using System.Diagnostics;

namespace CalendarFederation.Sandbox.Faults;

/// <summary>The sandbox's latency knobs, held for at least the time asked as a Stopwatch measures it.</summary>
public static class SandboxDelay
{
    /// <summary>
    /// Waits at least <paramref name="milliseconds"/> of Stopwatch time. Task.Delay alone can end early: timers run on
    /// a coarse tick (Environment.TickCount64, CLOCK_MONOTONIC_COARSE on Linux: 4 ms at HZ=250), so a 100 ms delay that
    /// starts between ticks ends after as little as 96 ms, and a client that measures with a Stopwatch sees an answer
    /// held for less than the latency it was promised (tests/CalendarFederation.Tests/OutputTests.cs).
    /// </summary>
    public static async Task AtLeastAsync(int milliseconds, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            double left = milliseconds - Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (left <= 0) return;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left)), cancellationToken);
        }
    }
}
