using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using Xunit;

namespace CalendarFederation.Tests.SignIn;

/// <summary>Tab completion, as the console asks for it (TabExpansion2's engine), in a hosted runspace.</summary>
[Collection(SignInCollection.Name)]
public sealed class CompletionTests : IDisposable
{
    private readonly SignInFixture _fixture;
    private readonly Runspace _runspace;

    public CompletionTests(SignInFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(new TestPSHost());
    }

    public void Dispose() => _runspace.Dispose();

    private string[] Complete(string input)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        CommandCompletion completion = CommandCompletion.CompleteInput(input, input.Length, null, ps);
        return completion.CompletionMatches.Select(m => m.CompletionText).ToArray();
    }

    private void Run(string script, IDictionary<string, object>? variables = null)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        foreach (var v in variables ?? new Dictionary<string, object>()) _runspace.SessionStateProxy.SetVariable(v.Key, v.Value);
        ps.AddScript(script).Invoke();
        Assert.Empty(ps.Streams.Error);
    }

    private static SecureString Secure(string s)
    {
        var secure = new SecureString();
        foreach (char c in s) secure.AppendChar(c);
        return secure;
    }

    private void Connect() => Run($"Connect-CalendarFederation -AppId c0a5e000-0000-4000-8000-000000000001 -Organization contoso.onmicrosoft.com -ClientSecret $s -ExchangeEnvironmentName {SignInFixture.EnvironmentName} -WarningAction SilentlyContinue",
        new Dictionary<string, object> { ["s"] = Secure("contoso-sandbox-secret") });

    [Fact]
    public void Environment_names_complete_including_custom_ones()
    {
        Assert.Equal(new[] { "O365USGovGCCHigh", "O365USGovDoD" }, Complete("Connect-CalendarFederation -ExchangeEnvironmentName O365US"));
        Assert.Contains(SignInFixture.EnvironmentName, Complete("Get-FederationInformation -ExchangeEnvironmentName SignIn"));
        Assert.Contains("O365China", Complete("Get-CalendarFederationEnvironment -Name O365C"));
    }

    [Fact]
    public void Relationship_names_complete_from_the_current_connection()
    {
        Connect();
        Run("New-OrganizationRelationship -Name 'Fabrikam Partners' -DomainNames fabrikam.com -WarningAction SilentlyContinue | Out-Null; " +
            "New-OrganizationRelationship -Name Litware -DomainNames litware.com -WarningAction SilentlyContinue | Out-Null");
        try
        {
            Assert.Equal(new[] { "'Fabrikam Partners'" }, Complete("Set-OrganizationRelationship -Identity Fab"));
            Assert.Equal(new[] { "'Fabrikam Partners'", "Litware" }, Complete("Remove-OrganizationRelationship -Identity "));
            Assert.Equal(new[] { "Litware" }, Complete("Get-OrganizationRelationship Lit"));
        }
        finally
        {
            Run("Get-OrganizationRelationship | Remove-OrganizationRelationship -Confirm:$false");
        }
    }

    [Fact]
    public void Partner_tenant_ids_complete_from_the_connections_cross_tenant_access_policy()
    {
        const string fabrikam = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
        Connect();
        Run($"Grant-CrossTenantCalendarAccess -PartnerTenantId {fabrikam} -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false | Out-Null");
        Assert.Equal(new[] { fabrikam, "default" }, Complete("Get-CrossTenantCalendarAccess -PartnerTenantId "));
        Assert.Equal(new[] { fabrikam }, Complete("Revoke-CrossTenantCalendarAccess -PartnerTenantId 9a8"));
        Assert.Empty(Complete("Grant-CrossTenantCalendarAccess -PartnerTenantId ffff"));
    }

    [Fact]
    public void Connections_complete_as_an_expression_that_selects_them()
    {
        Connect();
        string match = Assert.Single(Complete("Get-OrganizationConfig -Connection con"));
        Assert.StartsWith("(Get-CalendarFederationConnection -Id '", match);
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        var connection = (CalendarFederationConnection)ps.AddScript(match).Invoke()[0].BaseObject;
        Assert.Equal("contoso.onmicrosoft.com", connection.Organization);
    }

    [Fact]
    public void Enum_parameters_complete_their_values()
    {
        Assert.Equal(new[] { "AvailabilityOnly" }, Complete("New-OrganizationRelationship -FreeBusyAccessLevel Av"));
        Assert.Equal(new[] { "LimitedDetails" }, Complete("New-CalendarFederation -PartnerFreeBusyAccessLevel Li"));
        Assert.Equal(new[] { "RemoteInbound", "RemoteOutbound" }, Complete("Set-OrganizationRelationship -MailboxMoveCapability Remote"));
    }

    [Fact]
    public void Without_a_connection_relationship_completion_offers_nothing_rather_than_failing()
    {
        Assert.Empty(Complete("Set-OrganizationRelationship -Identity Fab"));
    }
}
