using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Text.Json;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Infrastructure;
using Xunit;

namespace CalendarFederation.Tests.SignIn;

/// <summary>
/// Delegated Microsoft Graph sign-in end to end against the sandbox's Entra ID: a public client of its own (Microsoft Graph
/// Command Line Tools by default), at the first Graph call, through the same browser seam as the connection; and the
/// failures an admin meets: no consent, a scope left out of the token, the role the signed-in account lacks.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class GraphSignInTests : IDisposable
{
    private const string GraphCli = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
    private const string FabrikamId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    private readonly SignInFixture _fixture;
    private readonly Runspace _runspace;
    private readonly CountingBrowser _browser;

    public GraphSignInTests(SignInFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(new TestPSHost());
        _browser = new CountingBrowser(_fixture.CreateTrustingHandler());
        TestHooks.Browser = _browser;
    }

    public void Dispose()
    {
        TestHooks.Browser = null;
        foreach (PowerShell ps in _invocations) ps.Dispose();
        _runspace.Dispose();
    }

    private readonly List<PowerShell> _invocations = new();

    private (Collection<PSObject> Output, PSDataStreams Streams) Run(string script)
    {
        // Kept until the test ends: disposing a PowerShell clears its streams, and the caller reads them after this returns.
        PowerShell ps = PowerShell.Create();
        _invocations.Add(ps);
        ps.Runspace = _runspace;
        ps.AddScript(script);
        Collection<PSObject> output = ps.Invoke();
        return (output, ps.Streams);
    }

    private void ConnectAs(string upn, string extra = "")
    {
        _fixture.PutAsync($"/_sandbox/authorize?mode=auto&upn={upn}").GetAwaiter().GetResult();
        var (_, streams) = Run($"Connect-CalendarFederation -UserPrincipalName {upn} -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName {SignInFixture.EnvironmentName} {extra}");
        Assert.True(streams.Error.Count == 0, string.Join("; ", streams.Error.Select(e => e.ToString())));
    }

    private string[] GraphSignInClients() =>
        _fixture.GetAsync<JsonElement[]>("/_sandbox/signins").GetAwaiter().GetResult()
            .Where(s => s.TryGetProperty("clientId", out JsonElement c) && c.GetString() == GraphCli)
            .Select(s => s.GetProperty("clientId").GetString()!).ToArray();

    [Fact]
    public void A_global_administrator_signs_in_to_Graph_at_the_first_Graph_call_with_the_Graph_client_and_grants()
    {
        ConnectAs("globaladmin@contoso.onmicrosoft.com");
        Assert.Equal(1, _browser.Calls);   // the Exchange sign-in
        Assert.Empty(GraphSignInClients());

        var (access, streams) = Run("Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false");
        Assert.True(streams.Error.Count == 0, string.Join("; ", streams.Error.Select(e => e.ToString())));
        Assert.Equal(FabrikamId, ((CrossTenantCalendarAccess)Assert.Single(access).BaseObject).PartnerTenantId);
        Assert.Equal(2, _browser.Calls);   // Graph has a sign-in of its own, with its own client
        Assert.NotEmpty(GraphSignInClients());

        // The Graph sign-in is kept for the connection: the next call needs no prompt.
        var (rows, again) = Run("Get-CrossTenantCalendarAccess");
        Assert.Empty(again.Error);
        Assert.Equal(2, rows.Count);
        Assert.Equal(2, _browser.Calls);
    }

    [Fact]
    public void No_consent_for_the_Graph_client_is_GraphConsentRequired_naming_the_app_and_the_permissions()
    {
        _fixture.PutAsync("/_sandbox/consent-mode?mode=error").GetAwaiter().GetResult();
        PutConsent(GraphCli, "[]");
        ConnectAs("globaladmin@contoso.onmicrosoft.com");
        var (_, streams) = Run("Get-CrossTenantCalendarAccess");
        ErrorRecord error = Assert.Single(streams.Error);
        Assert.Equal("GraphConsentRequired,CalendarFederation.Commands.GetCrossTenantCalendarAccessCommand", error.FullyQualifiedErrorId);
        Assert.Contains(GraphCli, error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Policy.Read.All", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("-GraphAppId", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scope_left_out_of_the_token_is_GraphPermissionMissing_naming_it()
    {
        // Consent for reading only: the token carries Policy.Read.All, and writing the trust is refused by Graph.
        PutConsent(GraphCli, "[\"Policy.Read.All\"]");
        ConnectAs("globaladmin@contoso.onmicrosoft.com");
        var (_, streams) = Run("Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -Confirm:$false");
        ErrorRecord error = Assert.Single(streams.Error);
        Assert.Equal("GraphPermissionMissing,CalendarFederation.Commands.GrantCrossTenantCalendarAccessCommand", error.FullyQualifiedErrorId);
        Assert.Contains("Policy.ReadWrite.CrossTenantAccess", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
    }

    [Fact]
    public void The_roles_are_split_a_security_administrator_writes_the_trust_but_not_the_capability()
    {
        // Security Administrator may set the trust, not the capabilities (Exchange Administrator or Global Administrator).
        ConnectAs("secadmin@contoso.onmicrosoft.com", "-SkipConnectionCheck");   // no Exchange role: the admin API is not used here
        var (_, streams) = Run("Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -Confirm:$false");
        ErrorRecord error = Assert.Single(streams.Error);
        Assert.Equal("GraphRoleMissing,CalendarFederation.Commands.GrantCrossTenantCalendarAccessCommand", error.FullyQualifiedErrorId);
        Assert.Contains("Exchange Administrator or Global Administrator", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("crossTenantCalendarAvailabilityBasic", error.Exception.Message, StringComparison.Ordinal);
        // The trust was written before the capability was refused: a re-run by an Exchange administrator adds only the capability.
        JsonElement policy = _fixture.GetAsync<JsonElement>("/_sandbox/tenants/contoso/cross-tenant-access").GetAwaiter().GetResult();
        JsonElement partner = policy.GetProperty("partners").EnumerateArray().Single();
        Assert.Equal("allowed", partner.GetProperty("m365CollaborationInbound").GetProperty("users").GetProperty("accessType").GetString());
    }

    [Fact]
    public void An_Exchange_administrator_alone_cannot_read_the_policy_GraphRoleMissing_names_the_roles_that_can()
    {
        ConnectAs("admin@contoso.onmicrosoft.com");   // Exchange Administrator only: no role that may read the partner configurations
        var (_, streams) = Run("Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -Confirm:$false");
        ErrorRecord error = Assert.Single(streams.Error);
        Assert.Equal("GraphRoleMissing,CalendarFederation.Commands.GrantCrossTenantCalendarAccessCommand", error.FullyQualifiedErrorId);
        Assert.Contains("Security Administrator", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Global Administrator", error.Exception.Message, StringComparison.Ordinal);
    }

    private void PutConsent(string clientId, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        _fixture.Control.PutAsync($"/_sandbox/tenants/contoso/consents/{clientId}", content).GetAwaiter().GetResult().EnsureSuccessStatusCode();
    }

    private sealed class CountingBrowser : IBrowser
    {
        private readonly HttpMessageHandler _handler;

        public CountingBrowser(HttpMessageHandler handler) => _handler = handler;

        public int Calls;

        public async Task<Uri> AuthorizeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            using var http = new HttpClient(_handler, disposeHandler: false);
            using HttpResponseMessage response = await http.GetAsync(authorizationUri, cancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
            return response.Headers.Location!;
        }
    }
}
