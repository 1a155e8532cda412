using System.Management.Automation;
using CalendarFederation.Sandbox.Faults;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>
/// PowerShell.Stop() (Ctrl+C) and a terminating error during a bulk discovery. The sandbox holds the answers at a gate
/// (FaultRule.Hold) that never opens, so only cancellation can end a request; the tests wait for every request to be
/// held before they stop, so none can arrive later and the request counts are exact.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CancellationTests : IDisposable
{
    // Generous hang guards: a stop that did not cancel its requests would wait for answers that never come.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly SandboxFixture _sandbox;
    private readonly CmdletHost _host = new();

    public CancellationTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        _sandbox.Reset();
    }

    public void Dispose()
    {
        _sandbox.Reset();
        _host.Dispose();
    }

    [Fact]
    public void StopEndsASlowDiscoveryPromptlyAndCancelsItsRequests()
    {
        _sandbox.AddFault(new FaultRule { Domain = "fabrikam.com", Hold = "never" });
        var parameters = new Dictionary<string, object?>
        {
            ["DomainName"] = Enumerable.Repeat("fabrikam.com", 50).ToArray(),
            ["AutodiscoverUri"] = _sandbox.AutodiscoverUri,
            ["ThrottleLimit"] = 8,
        };
        using PowerShell ps = _host.Command(parameters);
        IAsyncResult handle = ps.BeginInvoke();

        // -ThrottleLimit 8: eight requests held, and no slot free for a ninth.
        Assert.True(_sandbox.WaitUntil(() => _sandbox.State.Gates.Held("never") == 8, Guard), $"{_sandbox.State.Gates.Held("never")} requests reached the sandbox.");
        Assert.Equal(PSInvocationState.Running, ps.InvocationStateInfo.State);

        Assert.True(Task.Run(ps.Stop).Wait(Guard), "Stop() did not return although nothing will ever answer.");

        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.True(handle.IsCompleted);
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(handle));
        Assert.True(_sandbox.WaitUntil(() => _sandbox.State.InFlight == 0, Guard), $"{_sandbox.State.InFlight} requests are still in flight after Stop.");
        Assert.Equal(8, _sandbox.State.MaxInFlight);
        // Nothing was answered, so no slot freed up: only the first 8 domains were ever sent.
        Assert.Equal(8, _sandbox.State.RequestCount);
    }

    // A terminating error ends the pipeline; Dispose cancels the requests still in flight.
    [Fact]
    public void ErrorActionStopCancelsTheRequestsInFlight()
    {
        _sandbox.AddFault(new FaultRule { Domain = "fabrikam.com", Hold = "never" });
        _sandbox.AddFault(new FaultRule { Domain = "tailspintoys.com", Hold = "tailspintoys" });
        var parameters = new Dictionary<string, object?>
        {
            ["DomainName"] = Enumerable.Repeat("fabrikam.com", 10).Append("tailspintoys.com").ToArray(),
            ["AutodiscoverUri"] = _sandbox.AutodiscoverUri,
            ["ErrorAction"] = ActionPreference.Stop,
        };
        using PowerShell ps = _host.Command(parameters);
        IAsyncResult handle = ps.BeginInvoke();
        // All eleven requests are at the sandbox (the default -ThrottleLimit is 16) before the error is let through.
        Assert.True(_sandbox.WaitUntil(() => _sandbox.State.Gates.Held("never") == 10 && _sandbox.State.Gates.Held("tailspintoys") == 1, Guard),
            $"{_sandbox.State.InFlight} requests reached the sandbox.");

        _sandbox.State.Gates.Open("tailspintoys");

        Assert.True(handle.AsyncWaitHandle.WaitOne(Guard), "The pipeline did not end after the error although nothing else will ever answer.");
        Assert.Throws<ActionPreferenceStopException>(() => ps.EndInvoke(handle));
        Assert.True(_sandbox.WaitUntil(() => _sandbox.State.InFlight == 0, Guard), $"{_sandbox.State.InFlight} requests are still in flight after the pipeline failed.");
        Assert.Equal(11, _sandbox.State.RequestCount);
    }
}
