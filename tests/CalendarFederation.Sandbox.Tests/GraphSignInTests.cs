using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using CalendarFederation.Sandbox.Tests.Support;
using Microsoft.Identity.Client;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// Signing in for Graph: Graph Command Line Tools in every tenant, granted scopes that follow what was asked and consented
/// (the missing-scope token, or AADSTS65001), app-only roles of the resource's API, and MSAL with explicit Graph scopes.
/// </summary>
public sealed class GraphSignInTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private static readonly string[] Policy = XtapKnown.PolicyScopes;

    private readonly AuthSandbox _sandbox;

    public GraphSignInTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public Task InitializeAsync() => _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");

    public Task DisposeAsync() => Task.CompletedTask;

    private static string[] Scp(JsonObject claims) => ((string?)claims["scp"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private async Task SetConsentAsync(string tenant, string clientId, params string[] scopes)
    {
        using var content = new StringContent(System.Text.Json.JsonSerializer.Serialize(scopes), Encoding.UTF8, "application/json");
        await _sandbox.ControlAsync(HttpMethod.Put, $"/_sandbox/tenants/{tenant}/consents/{clientId}", content);
    }

    [Fact]
    public async Task Graph_command_line_tools_gets_the_scopes_it_asked_for()
    {
        (HttpStatusCode status, JsonObject token) = await _sandbox.DelegatedAsync("contoso", XtapKnown.ContosoGlobalAdmin, Policy);
        Assert.True(status == HttpStatusCode.OK, token.ToJsonString());
        Assert.Equal(string.Join(' ', Policy.Select(s => XtapKnown.GraphResource + "/" + s)) + " offline_access openid profile", (string?)token["scope"]);
        JsonObject claims = Hand.Claims((string)token["access_token"]!);
        Assert.Equal(Policy, Scp(claims));
        Assert.Equal(XtapKnown.GraphResource, (string?)claims["aud"]);
        Assert.Equal(XtapKnown.GraphCli, (string?)claims["appid"]);
        Assert.Equal(XtapKnown.ContosoGlobalAdmin, (string?)claims["upn"]);
        Assert.Equal("62e90394-69f5-4237-9190-012177145e10", (string?)claims["wids"]![0]);

        // Fewer scopes asked, fewer granted; ".default" gives every consented Graph scope (and never Exchange.Manage).
        JsonObject one = Hand.Claims(await _sandbox.DelegatedTokenAsync("fabrikam", XtapKnown.FabrikamSecurityAdmin, new[] { "Policy.Read.All" }));
        Assert.Equal(new[] { "Policy.Read.All" }, Scp(one));
        Assert.Equal("194ae4cb-b126-40b2-bd5b-6091b380977d", (string?)one["wids"]![0]);
        JsonObject all = Hand.Claims(await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoGlobalAdmin, new[] { ".default" }));
        Assert.Equal(new[] { "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess", "Policy.ReadWrite.CrossTenantCapability", "CrossTenantInformation.ReadBasic.All", "Calendars.ReadBasic", "User.Read" }, Scp(all));
        Assert.Equal(new[] { "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess", "Policy.ReadWrite.CrossTenantCapability", "CrossTenantInformation.ReadBasic.All", "Calendars.ReadBasic", "User.Read" },
            (await _sandbox.ControlGetAsync($"/_sandbox/tenants/contoso/consents/{XtapKnown.GraphCli}")).AsArray().Select(n => (string)n!).ToArray());

        // Graph CLI has no Exchange consent: its Exchange token has no scp, and the admin API refuses it.
        string exchange = await _sandbox.DelegatedTokenAsync("contoso", Known.ContosoAdmin, new[] { ".default" }, resource: "https://outlook.office365.com");
        Assert.Null(Hand.Claims(exchange)["scp"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await _sandbox.InvokeAsync("contoso", exchange, "Get-OrganizationConfig")).Status);
        // The Exchange module's client is still consented to Exchange.Manage only.
        JsonObject manage = Hand.Claims(await _sandbox.DelegatedTokenAsync("contoso", Known.ContosoAdmin, new[] { ".default" }, Known.DefaultPublicClient, _sandbox.Origin));
        Assert.Equal(new[] { "Exchange.Manage" }, Scp(manage));
    }

    [Fact]
    public async Task A_scope_without_consent_is_left_out_so_graph_answers_403()
    {
        await SetConsentAsync("contoso", XtapKnown.GraphCli, "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess");
        (HttpStatusCode status, JsonObject token) = await _sandbox.DelegatedAsync("contoso", XtapKnown.ContosoGlobalAdmin, Policy);
        Assert.Equal(HttpStatusCode.OK, status);
        string access = (string)token["access_token"]!;
        Assert.Equal(new[] { "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess" }, Scp(Hand.Claims(access)));
        Assert.DoesNotContain("CrossTenantCapability", (string?)token["scope"]);

        Assert.Equal(HttpStatusCode.Created, (await _sandbox.GraphAsync(HttpMethod.Post, XtapKnown.PartnersPath, access, new { tenantId = Known.FabrikamId })).Status);
        GraphCall refused = await _sandbox.GraphAsync(HttpMethod.Post, $"{XtapKnown.PartnersPath}/{Known.FabrikamId}/m365Capabilities", access,
            GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { ("All", "user") }));
        GraphHelpers.GraphError(refused, HttpStatusCode.Forbidden, "Authorization_RequestDenied", GraphHelpers.Insufficient);

        // The consent is per tenant: fabrikam still has the default one.
        Assert.Equal(Policy, Scp(Hand.Claims(await _sandbox.DelegatedTokenAsync("fabrikam", XtapKnown.FabrikamGlobalAdmin))));
        // DELETE goes back to the configured consent; a reset too.
        await _sandbox.ControlAsync(HttpMethod.Delete, $"/_sandbox/tenants/contoso/consents/{XtapKnown.GraphCli}");
        Assert.Equal(Policy, Scp(Hand.Claims(await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoGlobalAdmin))));
    }

    [Fact]
    public async Task With_the_error_knob_a_scope_without_consent_fails_the_token_request_with_AADSTS65001()
    {
        await SetConsentAsync("contoso", XtapKnown.GraphCli, "Policy.Read.All");
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/consent-mode?mode=error");
        (HttpStatusCode status, JsonObject error) = await _sandbox.DelegatedAsync("contoso", XtapKnown.ContosoGlobalAdmin, Policy);
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_grant", 65001, (status, error));
        Assert.Equal("consent_required", (string?)error["suberror"]);
        Assert.StartsWith("AADSTS65001: The user or administrator has not consented to use the application with ID '14d82eec-204b-4c2f-b7e8-296a70dab67e' named " +
            "'Microsoft Graph Command Line Tools'. Send an interactive authorization request for this user and resource. Trace ID: ", (string?)error["error_description"]);
        // What was consented still works.
        Assert.Equal(new[] { "Policy.Read.All" }, Scp(Hand.Claims(await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoGlobalAdmin, new[] { "Policy.Read.All" }))));

        // A refresh asking for more fails the same way.
        (_, JsonObject first) = await _sandbox.DelegatedAsync("contoso", XtapKnown.ContosoGlobalAdmin, new[] { "Policy.Read.All" });
        (HttpStatusCode refreshStatus, JsonObject refreshError) = await _sandbox.PostFormAsync("/contoso/oauth2/v2.0/token", new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = XtapKnown.GraphCli,
            ["refresh_token"] = (string)first["refresh_token"]!,
            ["scope"] = XtapKnown.GraphResource + "/Policy.ReadWrite.CrossTenantCapability offline_access",
        });
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_grant", 65001, (refreshStatus, refreshError));
        List<JsonObject> signIns = await _sandbox.SignInsAsync();
        Assert.Contains(signIns, r => (long?)r["errorCode"] == 65001 && (string?)r["grantType"] == "refresh_token");

        // The reset puts the knob back (omit).
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.DelegatedAsync("contoso", XtapKnown.ContosoGlobalAdmin, Policy)).Status);
    }

    [Fact]
    public async Task Sandbox_json_lists_consents_per_client_and_other_apps_get_exchange_manage()
    {
        // A tenant app with no consent entry: Exchange.Manage only, so its Graph scopes are left out.
        JsonObject none = Hand.Claims(await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoGlobalAdmin, Policy, Known.ContosoPublicApp));
        Assert.Null(none["scp"]);

        SandboxConfig config = AuthSandbox.LoadConfig();
        config.Tenants.Single(t => t.Name == "contoso").Consents[Known.ContosoPublicApp] = new List<string> { "Policy.Read.All" };
        config.Validate();
        await using SandboxServer server = await SandboxServer.StartAsync(config, new SandboxServerOptions { HttpListeners = 1 });
        Assert.Equal(new[] { "Policy.Read.All" }, server.State.Identity.Consented(config.Tenants.Single(t => t.Name == "contoso"), Known.ContosoPublicApp));
        config.Tenants.Single(t => t.Name == "contoso").Consents["not-a-guid"] = new List<string>();
        Assert.Throws<InvalidDataException>(config.Validate);
    }

    [Fact]
    public async Task App_only_roles_are_those_of_the_resources_api()
    {
        string[] Roles(string token) => Hand.Claims(token)["roles"]!.AsArray().Select(n => (string)n!).ToArray();
        // The automation apps also hold Calendars.ReadBasic.All, which the free/busy probe's getSchedule needs.
        string[] graph = Policy.Append("Calendars.ReadBasic.All").ToArray();
        Assert.Equal(graph, Roles(await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret)));
        Assert.Equal(new[] { "Exchange.ManageAsApp" }, Roles(await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret, "https://outlook.office365.com")));
        // The sandbox's own origin is both APIs.
        Assert.Equal(new[] { "Exchange.ManageAsApp" }.Concat(graph), Roles(await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret)));
        Assert.Equal(graph, Roles(await _sandbox.GraphAppTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret)));
        Assert.Empty(Roles(await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoNoPermissionApp, Known.ContosoNoPermissionSecret)));
    }

    [Fact]
    public async Task Msal_signs_in_graph_command_line_tools_for_graph_scopes_and_serves_them_from_its_cache()
    {
        string[] scopes = Policy.Select(s => XtapKnown.GraphResource + "/" + s).ToArray();
        using MsalHttp http = _sandbox.NewMsalHttp();
        IPublicClientApplication app = PublicClientApplicationBuilder.Create(XtapKnown.GraphCli)
            .WithAuthority($"{_sandbox.Origin}/contoso", validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .Build();
        try
        {
            await _sandbox.ControlAsync(HttpMethod.Put, $"/_sandbox/device-flow?mode=auto&upn={XtapKnown.ContosoGlobalAdmin}");
            AuthenticationResult result = await app.AcquireTokenWithDeviceCode(scopes, _ => Task.CompletedTask).ExecuteAsync();
            Assert.Equal(XtapKnown.ContosoGlobalAdmin, result.Account.Username);
            Assert.Equal(scopes.OrderBy(s => s), result.Scopes.Where(s => s.StartsWith("https://", StringComparison.Ordinal)).OrderBy(s => s));
            Assert.Equal(HttpStatusCode.OK, (await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.DefaultPath, result.AccessToken)).Status);

            // Silent: from the cache, without asking the token endpoint again.
            long since = await _sandbox.LastSignInAsync();
            AuthenticationResult again = await app.AcquireTokenSilent(new[] { scopes[0] }, result.Account).ExecuteAsync();
            Assert.Equal(TokenSource.Cache, again.AuthenticationResultMetadata.TokenSource);
            Assert.Equal(result.AccessToken, again.AccessToken);
            Assert.DoesNotContain(await _sandbox.SignInsAsync(since), r => (string?)r["endpoint"] == "token");
        }
        finally
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/device-flow?mode=auto");
        }
    }
}
