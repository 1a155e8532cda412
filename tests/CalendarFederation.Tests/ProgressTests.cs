using System.Management.Automation;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>Write-Progress from the first request: a percentage when the count is known, counts alone when input streams in.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ProgressTests : IDisposable
{
    private readonly SandboxFixture _sandbox;
    private readonly CmdletHost _host = new();

    public ProgressTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        _sandbox.Reset();
    }

    public void Dispose() => _host.Dispose();

    private static List<ProgressRecord> Processing(PowerShell ps) =>
        ps.Streams.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();

    [Fact]
    public void An_array_shows_a_fixed_total_and_a_percentage_from_the_first_request()
    {
        using PowerShell ps = _host.Command(new Dictionary<string, object?>
        {
            ["DomainName"] = new[] { "contoso.com", "fabrikam.com", "tailspintoys.com", "not a domain" },
            ["AutodiscoverUri"] = _sandbox.AutodiscoverUri,
            ["ThrottleLimit"] = 1,
            ["ErrorAction"] = ActionPreference.SilentlyContinue,
        });
        ps.Invoke();

        List<ProgressRecord> records = Processing(ps);
        Assert.NotEmpty(records);
        // Before anything is done: the first domain is in flight and the total is known.
        Assert.Equal("0 of 4 domains done, 1 in flight", records[0].StatusDescription);
        Assert.Equal(0, records[0].PercentComplete);
        Assert.All(records, r => Assert.Contains(" of 4 domains done", r.StatusDescription, StringComparison.Ordinal));
        Assert.Equal(records.Select(r => r.PercentComplete).OrderBy(p => p), records.Select(r => r.PercentComplete));
        Assert.Equal("4 of 4 domains done, 0 in flight", records[^1].StatusDescription);
        Assert.Equal(100, records[^1].PercentComplete);
        Assert.Equal(ProgressRecordType.Completed, ps.Streams.Progress[^1].RecordType);
        Assert.All(ps.Streams.Progress, r => Assert.Equal(ps.Streams.Progress[0].ActivityId, r.ActivityId));
    }

    [Fact]
    public void Pipeline_input_shows_counts_without_a_percentage()
    {
        using PowerShell ps = _host.Command(new Dictionary<string, object?> { ["AutodiscoverUri"] = _sandbox.AutodiscoverUri, ["ThrottleLimit"] = 1 });
        ps.Invoke(new object[] { "contoso.com", "fabrikam.com", "sales.contoso.com" });

        List<ProgressRecord> records = Processing(ps);
        Assert.NotEmpty(records);
        Assert.Equal("0 domains done, 1 in flight", records[0].StatusDescription);
        Assert.All(records, r =>
        {
            Assert.Equal(-1, r.PercentComplete);
            Assert.DoesNotContain(" of ", r.StatusDescription, StringComparison.Ordinal);
        });
        Assert.Equal(ProgressRecordType.Completed, ps.Streams.Progress[^1].RecordType);
    }
}
