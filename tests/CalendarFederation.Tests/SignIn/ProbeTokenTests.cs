using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Infrastructure;
using Xunit;

namespace CalendarFederation.Tests.SignIn;

/// <summary>
/// Issue 13, item 7: Test-OrganizationRelationship's free/busy probe on a delegated connection through Exchange Online
/// PowerShell's client (fb78d390-…), which the sandbox, like anything known of Entra ID, gives no Microsoft Graph calendar
/// consent. The probe asks exactly Calendars.ReadBasic and, without it, says it could not run (Info) and what to grant to
/// which app, never that free/busy failed.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class ProbeTokenTests : IDisposable
{
    private const string ExchangeClient = "fb78d390-0c51-40cd-8e17-fdbfab77341b";
    private const string Admin = "admin@contoso.onmicrosoft.com";
    private readonly SignInFixture _fixture;
    private readonly Runspace _runspace;
    private readonly List<PowerShell> _invocations = new();

    public ProbeTokenTests(SignInFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(new TestPSHost());
        TestHooks.Browser = new SandboxBrowser(_fixture.CreateTrustingHandler());
    }

    public void Dispose()
    {
        TestHooks.Browser = null;
        foreach (PowerShell ps in _invocations) ps.Dispose();
        _runspace.Dispose();
    }

    private (Collection<PSObject> Output, PSDataStreams Streams) Run(string script)
    {
        PowerShell ps = PowerShell.Create();
        _invocations.Add(ps);
        ps.Runspace = _runspace;
        ps.AddScript(script);
        Collection<PSObject> output = ps.Invoke();
        Assert.True(ps.Streams.Error.Count == 0, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        return (output, ps.Streams);
    }

    private List<PSObject> ProbeAsTheSignedInAdmin()
    {
        string env = SignInFixture.EnvironmentName;
        _fixture.PutAsync($"/_sandbox/authorize?mode=auto&upn={Admin}").GetAwaiter().GetResult();
        Run($"Connect-CalendarFederation -UserPrincipalName {Admin} -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName {env} -WarningAction SilentlyContinue");
        Run($"$partner = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com " +
            $"-ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName {env} -PassThru -NotDefault -WarningAction SilentlyContinue; " +
            $"Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName {env} | " +
            "New-OrganizationRelationship -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -WarningAction SilentlyContinue | Out-Null");
        _fixture.Server.State.Identity.ClearSignIns();
        return Run("Test-OrganizationRelationship -Identity Fabrikam -PartnerConnection $partner -Mailbox lee@fabrikam.com -WarningAction SilentlyContinue").Output.ToList();
    }

    private static string Prop(PSObject finding, string name) => finding.Properties[name].Value?.ToString() ?? "";

    private static PSObject NotRun(List<PSObject> findings)
    {
        string[] checks = findings.Select(f => Prop(f, "Check")).ToArray();
        PSObject notRun = Assert.Single(findings, f => Prop(f, "Check") == "FreeBusyProbeNotRun");
        Assert.Equal("Info", Prop(notRun, "Severity"));
        Assert.Equal("Probe", Prop(notRun, "Side"));
        Assert.EndsWith($"; grant Calendars.ReadBasic to {ExchangeClient}. The other findings stand; only the live question was not asked.", Prop(notRun, "Message"));
        Assert.StartsWith($"Grant app {ExchangeClient} the Microsoft Graph delegated permission Calendars.ReadBasic", Prop(notRun, "Recommendation"));
        Assert.DoesNotContain("FreeBusyNotVisible", checks);
        Assert.DoesNotContain("FreeBusyProbeFailed", checks);
        Assert.DoesNotContain(checks, c => c.StartsWith("FreeBusyVisible", StringComparison.Ordinal));
        return notRun;
    }

    [Fact]
    public void Without_calendar_consent_the_token_carries_none_getSchedule_refuses_and_the_probe_did_not_run()
    {
        List<PSObject> findings = ProbeAsTheSignedInAdmin();

        PSObject notRun = NotRun(findings);
        Assert.StartsWith("The free/busy probe could not run: Microsoft Graph refused getSchedule (HTTP 403: Access is denied. Check credentials and try again.)",
            Prop(notRun, "Message"));
        // The probe's token was asked for Calendars.ReadBasic alone, with the connection's own client. (In the sandbox the
        // admin API and Graph share one origin, so the admin API's own {origin}/.default refreshes are there too.)
        SignInRecord asked = Assert.Single(_fixture.Server.State.Identity.SignIns,
            s => s.Endpoint == "token" && s.Scope?.Contains("Calendars", StringComparison.Ordinal) == true);
        Assert.Equal(ExchangeClient, asked.ClientId);
        Assert.Equal("refresh_token", asked.GrantType);
        string[] resourceScopes = asked.Scope!.Split(' ').Where(p => p.Contains("://", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { _fixture.Https.GetLeftPart(UriPartial.Authority) + "/Calendars.ReadBasic" }, resourceScopes);
    }

    [Fact]
    public void When_Entra_refuses_the_token_for_want_of_consent_the_probe_did_not_run_and_says_why()
    {
        _fixture.PutAsync("/_sandbox/consent-mode?mode=error").GetAwaiter().GetResult();
        List<PSObject> findings = ProbeAsTheSignedInAdmin();

        PSObject notRun = NotRun(findings);
        Assert.StartsWith("The free/busy probe could not run: no Microsoft Graph token for ", Prop(notRun, "Message"));
        Assert.Contains("/Calendars.ReadBasic (AADSTS65001: The user or administrator has not consented to use the application with ID '" + ExchangeClient + "'",
            Prop(notRun, "Message"));
        Assert.Contains(_fixture.Server.State.Identity.SignIns, s => s.Endpoint == "token" && s.ErrorCode == 65001);
        // The admin API still answered: the relationship checks ran as usual.
        Assert.Contains(findings, f => Prop(f, "Check") == "PartnerRelationshipMissing");
    }

    private sealed class SandboxBrowser : IBrowser
    {
        private readonly HttpMessageHandler _handler;

        public SandboxBrowser(HttpMessageHandler handler) => _handler = handler;

        public async Task<Uri> AuthorizeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            using var http = new HttpClient(_handler, disposeHandler: false);
            using HttpResponseMessage response = await http.GetAsync(authorizationUri, cancellationToken);
            return response.Headers.Location!;
        }
    }
}
