using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>
/// Ctrl+C in the middle of Convert-OrganizationRelationship's cutover, in a hosted runspace whose host records what it is
/// told: the relationship disabled first is enabled again, nothing more is written to the pipeline, and the host hears
/// where each side stands and that a re-run finishes.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class MigrationStopTests : IDisposable
{
    private readonly SignInFixture _fixture;
    // Nothing here may ask: a question would be an error, as a host that answers none makes it.
    private readonly ChoiceHost _host = new() { Answer = (_, _) => throw new PSInvalidOperationException("Nobody answers.") };
    private readonly Runspace _runspace;

    public MigrationStopTests(SignInFixture fixture)
    {
        _fixture = fixture;
        fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(_host);
    }

    public void Dispose()
    {
        _runspace.Dispose();
        _fixture.Reset();
    }

    private void Run(string script)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        ps.Invoke();
        Assert.True(ps.Streams.Error.Count == 0, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
    }

    private bool? Enabled(string tenant, string name)
    {
        using JsonDocument doc = JsonDocument.Parse(_fixture.Control.GetStringAsync($"/_sandbox/tenants/{tenant}/relationships").GetAwaiter().GetResult());
        foreach (JsonElement r in doc.RootElement.EnumerateArray())
        {
            if (r.GetProperty("name").GetString() == name) return r.GetProperty("enabled").GetBoolean();
        }
        return null;
    }

    [Fact]
    public void A_stop_between_the_two_disables_enables_the_first_again_and_tells_the_host_where_each_side_stands()
    {
        const string epr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";
        Run("$c = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com " +
            "-ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) " +
            $"-ExchangeEnvironmentName {SignInFixture.EnvironmentName} -PassThru -NotDefault -WarningAction SilentlyContinue; " +
            "$f = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com " +
            "-ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) " +
            $"-ExchangeEnvironmentName {SignInFixture.EnvironmentName} -PassThru -NotDefault -WarningAction SilentlyContinue; " +
            $"New-OrganizationRelationship -Connection $c -Name Fabrikam -DomainNames fabrikam.com -FreeBusyAccessEnabled $true -TargetApplicationUri outlook.com -TargetAutodiscoverEpr {epr} -Confirm:$false -WarningAction SilentlyContinue | Out-Null; " +
            $"New-OrganizationRelationship -Connection $f -Name Contoso -DomainNames contoso.com -FreeBusyAccessEnabled $true -TargetApplicationUri outlook.com -TargetAutodiscoverEpr {epr} -Confirm:$false -WarningAction SilentlyContinue | Out-Null");
        // fabrikam's disable is held at a gate until the client gives up on it.
        _fixture.PostAsync("/_sandbox/faults", "{\"service\":\"adminapi\",\"tenant\":\"fabrikam\",\"cmdlet\":\"Set-OrganizationRelationship\",\"hold\":\"fabrikam-disable\",\"remaining\":1}",
            "application/json").GetAwaiter().GetResult();
        _host.Warnings.Clear();

        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript("Convert-OrganizationRelationship -Connection $c -Identity Fabrikam -PartnerConnection $f -DisableLegacy -Confirm:$false");
        var output = new PSDataCollection<PSObject>();
        IAsyncResult handle = ps.BeginInvoke<PSObject, PSObject>(null, output);
        // The condition reads the sandbox's state, not its HTTP API: it is re-checked on every state change.
        Assert.True(_fixture.Server.State.WaitUntilAsync(() => _fixture.Server.State.Gates.Held("fabrikam-disable") > 0, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult(),
            "fabrikam's disable never arrived.");
        Assert.False(Enabled("contoso", "Fabrikam"), "contoso's relationship is disabled before fabrikam's disable is sent");
        ps.Stop();

        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Empty(output);
        Assert.True(Enabled("contoso", "Fabrikam"), "the first relationship is enabled again");
        Assert.True(Enabled("fabrikam", "Contoso"));
        string told = Assert.Single(_host.Warnings, w => w.StartsWith("Stopped:", StringComparison.Ordinal));
        Assert.Contains("contoso.onmicrosoft.com: granted and verified, relationship 'Fabrikam' enabled", told, StringComparison.Ordinal);
        Assert.Contains("fabrikam.onmicrosoft.com: granted and verified, relationship 'Contoso' enabled", told, StringComparison.Ordinal);
        Assert.Contains("Run Convert-OrganizationRelationship again to finish", told, StringComparison.Ordinal);
        Assert.Empty(ps.Streams.Error);
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(handle));
    }
}
