using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>
/// Ctrl+C while New-CalendarFederation writes one side (issue 14, item 8): nothing more reaches the pipeline, and the
/// host is told which side is done, which may be partly done and which was not changed, and that a re-run finishes.
/// The write is held at a sandbox gate, so the stop lands exactly while it is in flight.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class FederationStopTests : IDisposable
{
    private const string Connect =
        "$c = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com " +
        "-ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) " +
        "-ExchangeEnvironmentName " + SignInFixture.EnvironmentName + " -PassThru -NotDefault -WarningAction SilentlyContinue; " +
        "$f = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com " +
        "-ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) " +
        "-ExchangeEnvironmentName " + SignInFixture.EnvironmentName + " -PassThru -NotDefault -WarningAction SilentlyContinue";

    private const string Federate =
        "New-CalendarFederation -Connection $c -PartnerConnection $f -Method OrganizationRelationship -FreeBusyAccessLevel AvailabilityOnly " +
        "-Confirm:$false -WarningAction SilentlyContinue -InformationAction SilentlyContinue";

    private readonly SignInFixture _fixture;
    // Nothing here may ask: a question would be an error, as a host that answers none makes it.
    private readonly ChoiceHost _host = new() { Answer = (_, _) => throw new PSInvalidOperationException("Nobody answers.") };
    private readonly Runspace _runspace;

    public FederationStopTests(SignInFixture fixture)
    {
        _fixture = fixture;
        fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(_host);
        Run(Connect);
    }

    public void Dispose()
    {
        _runspace.Dispose();
        _fixture.Reset();
    }

    [Fact]
    public void A_stop_during_the_partners_write_says_the_first_side_is_done_and_the_partner_may_be_partly_done()
    {
        string told = StopDuring("fabrikam");

        Assert.Single(Relationships("contoso"));
        Assert.Empty(Relationships("fabrikam"));
        Assert.Matches(@"^Stopped: contoso\.onmicrosoft\.com is created \(relationship '[^']+'\); fabrikam\.onmicrosoft\.com was being changed when stopped and may be partly done\.", told);
        Assert.Contains("Run New-CalendarFederation again to finish", told, StringComparison.Ordinal);

        // What the warning promises: the re-run completes the pair and leaves the finished side as it is.
        _host.Warnings.Clear();
        Collection<PSObject> sides = Run(Federate);
        Assert.Equal(new[] { "Unchanged", "Created" }, sides.Select(s => (string)s.Properties["Action"].Value).ToArray());
        Assert.Single(Relationships("contoso"));
        Assert.Single(Relationships("fabrikam"));
    }

    [Fact]
    public void A_stop_during_the_first_write_says_the_partner_was_not_changed()
    {
        string told = StopDuring("contoso");

        Assert.Empty(Relationships("contoso"));
        Assert.Empty(Relationships("fabrikam"));
        Assert.StartsWith("Stopped: contoso.onmicrosoft.com was being changed when stopped and may be partly done; fabrikam.onmicrosoft.com was not changed.", told, StringComparison.Ordinal);
    }

    // Holds the tenant's New-OrganizationRelationship at a gate, stops the pipeline once it waits there, and returns the
    // one warning the host was told.
    private string StopDuring(string tenant)
    {
        _fixture.PostAsync("/_sandbox/faults", "{\"service\":\"adminapi\",\"tenant\":\"" + tenant + "\",\"cmdlet\":\"New-OrganizationRelationship\",\"hold\":\"" + tenant
            + "-create\",\"remaining\":1}", "application/json").GetAwaiter().GetResult();
        _host.Warnings.Clear();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(Federate);
        var output = new PSDataCollection<PSObject>();
        IAsyncResult handle = ps.BeginInvoke<PSObject, PSObject>(null, output);
        Assert.True(_fixture.Server.State.WaitUntilAsync(() => _fixture.Server.State.Gates.Held(tenant + "-create") > 0, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult(),
            $"{tenant}'s create never arrived.");
        ps.Stop();

        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Empty(output);
        Assert.Empty(ps.Streams.Error);
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(handle));
        return Assert.Single(_host.Warnings, w => w.StartsWith("Stopped:", StringComparison.Ordinal));
    }

    private Collection<PSObject> Run(string script)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        Collection<PSObject> output = ps.Invoke();
        Assert.True(ps.Streams.Error.Count == 0, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        return output;
    }

    private List<string> Relationships(string tenant)
    {
        using JsonDocument doc = JsonDocument.Parse(_fixture.Control.GetStringAsync($"/_sandbox/tenants/{tenant}/relationships").GetAwaiter().GetResult());
        return doc.RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
    }
}
