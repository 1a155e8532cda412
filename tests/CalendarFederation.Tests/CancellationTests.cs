using System.Diagnostics;
using System.Management.Automation;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>PowerShell.Stop() (Ctrl+C) during a slow bulk discovery.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CancellationTests : IDisposable
{
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
        _sandbox.State.LatencyMs = 5000;
        var parameters = new Dictionary<string, object?>
        {
            ["DomainName"] = Enumerable.Repeat("fabrikam.com", 50).ToArray(),
            ["AutodiscoverUri"] = _sandbox.AutodiscoverUri,
            ["ThrottleLimit"] = 8,
        };
        using PowerShell ps = _host.Command(parameters);
        IAsyncResult handle = ps.BeginInvoke();

        Assert.True(SandboxFixture.WaitUntil(() => _sandbox.State.InFlight > 0, TimeSpan.FromSeconds(15)), "No request reached the sandbox.");
        Assert.Equal(PSInvocationState.Running, ps.InvocationStateInfo.State);

        var stopwatch = Stopwatch.StartNew();
        ps.Stop();
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"Stop took {stopwatch.Elapsed}; the sandbox holds each answer for 5 s.");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.True(handle.IsCompleted);
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(handle));
        Assert.True(SandboxFixture.WaitUntil(() => _sandbox.State.InFlight == 0, TimeSpan.FromSeconds(3)),
            $"{_sandbox.State.InFlight} requests were still in flight 3 s after Stop.");
        Assert.True(_sandbox.State.MaxInFlight <= 8, $"MaxInFlight {_sandbox.State.MaxInFlight} exceeds -ThrottleLimit 8.");
        // Nothing finished within the 5 s latency, so no slot freed up: only the first 8 domains were ever sent.
        Assert.InRange(_sandbox.State.Requests.Count, 1, 8);
    }

    // A terminating error ends the pipeline; Dispose cancels the requests still in flight.
    [Fact]
    public void ErrorActionStopCancelsTheRequestsInFlight()
    {
        _sandbox.AddFault(new Sandbox.Faults.FaultRule { Domain = "fabrikam.com", LatencyMs = 5000 });
        var parameters = new Dictionary<string, object?>
        {
            ["DomainName"] = Enumerable.Repeat("fabrikam.com", 10).Append("tailspintoys.com").ToArray(),
            ["AutodiscoverUri"] = _sandbox.AutodiscoverUri,
            ["ErrorAction"] = ActionPreference.Stop,
        };
        using PowerShell ps = _host.Command(parameters);

        Assert.Throws<ActionPreferenceStopException>(() => ps.Invoke());

        Assert.True(SandboxFixture.WaitUntil(() => _sandbox.State.InFlight == 0, TimeSpan.FromSeconds(2)),
            $"{_sandbox.State.InFlight} requests were still in flight 2 s after the pipeline failed.");
    }
}
