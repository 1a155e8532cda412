using CalendarFederation.Engine.Concurrency;
using Xunit;

namespace CalendarFederation.Engine.Tests;

public class BoundedRunnerTests
{
    [Fact]
    public void Never_runs_more_than_the_limit_and_returns_every_result()
    {
        int running = 0, peak = 0;
        // Each item waits for a permit. The item that finds the runner full hands one out, so an item ends only when
        // four run at once: the runner is kept full, and more than four would show in the peak.
        using var permits = new SemaphoreSlim(0);
        var runner = new BoundedRunner<int>(4, CancellationToken.None);
        var results = new List<int>();
        for (int i = 0; i < 40; i++)
        {
            int n = i;
            results.AddRange(runner.Add(async ct =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                if (now == 4) permits.Release();
                await permits.WaitAsync(ct);
                Interlocked.Decrement(ref running);
                return n;
            }));
            Assert.True(runner.InFlight <= 4);
        }
        permits.Release(4); // the last three or four never see a full runner
        results.AddRange(runner.Drain());
        Assert.Equal(Enumerable.Range(0, 40), results.OrderBy(x => x));
        Assert.Equal(4, peak);
    }

    [Fact]
    public void Streams_results_in_completion_order()
    {
        var runner = new BoundedRunner<string>(2, CancellationToken.None);
        var gate = new TaskCompletionSource();
        var early = new List<string>();
        early.AddRange(runner.Add(async _ => { await gate.Task; return "slow"; }));
        early.AddRange(runner.Add(_ => Task.FromResult("fast")));
        // The runner is full: a third item waits for a free slot, and yields what finished meanwhile.
        early.AddRange(runner.Add(_ => Task.FromResult("third")));
        Assert.Equal(new[] { "fast" }, early);
        gate.SetResult();
        Assert.Equal(new[] { "slow", "third" }, runner.Drain().OrderBy(r => r, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Cancellation_unblocks_a_full_runner_and_in_flight_work_observes_it()
    {
        using var cts = new CancellationTokenSource();
        var runner = new BoundedRunner<int>(1, cts.Token);
        // Work that only cancellation ends, filling the runner; the cancel comes while the next Add waits for a slot
        // (and if it came first, Add would throw at once: the assertion holds either way, it cannot flake).
        runner.Add(ct => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => 1, TaskScheduler.Default)).ToList();
        cts.CancelAfter(100);
        Assert.ThrowsAny<OperationCanceledException>(() => runner.Add(_ => Task.FromResult(2)).ToList());
        Assert.True(runner.WaitForShutdown(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Rejects_a_limit_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedRunner<int>(0, CancellationToken.None));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
