using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// Who may read and write the cross-tenant access policy: delegated tokens need the permission in scp and a directory role
/// (docs/cross-tenant-access.md §3), app-only tokens the permission in roles. A refusal is Graph's 403
/// Authorization_RequestDenied "Insufficient privileges to complete the operation."; the sandbox's request log says
/// what was missing.
/// </summary>
public sealed class GraphPermissionTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private const string Partner = XtapKnown.PartnersPath + "/" + Known.FabrikamId;
    private const string Capabilities = Partner + "/m365Capabilities";

    private readonly AuthSandbox _sandbox;

    public GraphPermissionTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        // Users the shipped sandbox.json lacks: a Global Reader, a Teams Administrator, a Security Reader (added once per fixture).
        foreach ((string upn, string role) in new[] { ("reader@contoso.onmicrosoft.com", "Global Reader"), ("teams@contoso.onmicrosoft.com", "Teams Administrator"), ("secreader@contoso.onmicrosoft.com", "Security Reader") })
        {
            (HttpStatusCode status, string text) = await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/users", new { upn, roles = new[] { role } });
            Assert.True(status is HttpStatusCode.Created or HttpStatusCode.Conflict, text);
        }
        // A partner with a capability to read, written as the automation app.
        string app = await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        Assert.Equal(HttpStatusCode.Created, (await _sandbox.GraphAsync(HttpMethod.Post, XtapKnown.PartnersPath, app, new { tenantId = Known.FabrikamId })).Status);
        Assert.Equal(HttpStatusCode.Created, (await _sandbox.GraphAsync(HttpMethod.Post, Capabilities, app, Basic())).Status);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static JsonObject Basic(string name = "crossTenantCalendarAvailabilityBasic") =>
        GraphHelpers.Capability(name, true, new[] { ("All", "user") });

    /// <summary>The calls a client makes, each as (what, method, path, body).</summary>
    private static readonly (string What, string Method, string Path, Func<JsonObject?> Body)[] Calls =
    {
        ("read default", "GET", XtapKnown.DefaultPath, () => null),
        ("read partners", "GET", XtapKnown.PartnersPath, () => null),
        ("read partner", "GET", Partner, () => null),
        ("write trust", "PATCH", Partner, () => GraphHelpers.Trust()),
        ("read capabilities", "GET", Capabilities, () => null),
        ("write free/busy", "PATCH", Capabilities + "/crossTenantCalendarAvailabilityBasic", () => new JsonObject { ["inboundAccess"] = new JsonObject { ["isAllowed"] = true } }),
        ("create migration", "POST", Capabilities, () => Basic("crossTenantMigration")),
        ("delete migration", "DELETE", Capabilities + "/crossTenantMigration", () => null),
    };

    private async Task<Dictionary<string, HttpStatusCode>> RunAsync(string token)
    {
        var results = new Dictionary<string, HttpStatusCode>();
        foreach ((string what, string method, string path, Func<JsonObject?> body) in Calls)
        {
            GraphCall r = await _sandbox.GraphAsync(new HttpMethod(method), path, token, body());
            if (r.Status == HttpStatusCode.Forbidden) GraphHelpers.GraphError(r, HttpStatusCode.Forbidden, "Authorization_RequestDenied", GraphHelpers.Insufficient);
            results[what] = r.Status;
        }
        return results;
    }

    private static void Expect(Dictionary<string, HttpStatusCode> actual, params (string What, HttpStatusCode Status)[] expected)
    {
        foreach ((string what, HttpStatusCode status) in expected)
        {
            Assert.True(actual[what] == status, $"{what}: expected {(int)status}, got {(int)actual[what]}");
        }
    }

    private const HttpStatusCode Ok = HttpStatusCode.OK;
    private const HttpStatusCode NoContent = HttpStatusCode.NoContent;
    private const HttpStatusCode Created = HttpStatusCode.Created;
    private const HttpStatusCode Forbidden = HttpStatusCode.Forbidden;

    [Fact]
    public async Task A_global_administrator_with_the_three_scopes_may_do_everything()
    {
        Expect(await RunAsync(await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoGlobalAdmin)),
            ("read default", Ok), ("read partners", Ok), ("read partner", Ok), ("write trust", NoContent), ("read capabilities", Ok),
            ("write free/busy", NoContent), ("create migration", Created), ("delete migration", NoContent));
    }

    [Fact]
    public async Task A_security_administrator_sets_the_trust_but_not_capabilities()
    {
        Expect(await RunAsync(await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoSecurityAdmin)),
            ("read default", Ok), ("read partner", Ok), ("write trust", NoContent), ("read capabilities", Ok),
            ("write free/busy", Forbidden), ("create migration", Forbidden));
        JsonObject denied = (await _sandbox.GraphRequestsAsync()).Last(r => (int)r["status"]! == 403);
        Assert.Equal("role Global Administrator", (string?)denied["denied"]);
    }

    [Fact]
    public async Task An_exchange_administrator_writes_free_busy_but_not_the_trust_nor_other_capabilities()
    {
        Expect(await RunAsync(await _sandbox.DelegatedTokenAsync("contoso", Known.ContosoAdmin)),
            ("read default", Forbidden), ("read partner", Forbidden), ("write trust", Forbidden), ("read capabilities", Ok),
            ("write free/busy", NoContent), ("create migration", Forbidden));
        List<JsonObject> log = await _sandbox.GraphRequestsAsync();
        Assert.Contains(log, r => (string?)r["denied"] == "role Security Administrator|Global Administrator|Teams Administrator");
        Assert.Contains(log, r => (string?)r["denied"] == "role Global Administrator" && ((string)r["path"]!).EndsWith("/m365Capabilities", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readers_read_and_the_teams_administrator_sets_the_trust()
    {
        foreach (string reader in new[] { "reader@contoso.onmicrosoft.com", "secreader@contoso.onmicrosoft.com" })
        {
            Expect(await RunAsync(await _sandbox.DelegatedTokenAsync("contoso", reader)),
                ("read default", Ok), ("read partners", Ok), ("read capabilities", Ok), ("write trust", Forbidden), ("write free/busy", Forbidden));
        }
        Expect(await RunAsync(await _sandbox.DelegatedTokenAsync("contoso", "teams@contoso.onmicrosoft.com")),
            ("read partner", Ok), ("write trust", NoContent), ("read capabilities", Forbidden), ("write free/busy", Forbidden));
        // A user without any role is refused everything, even with every scope.
        Expect(await RunAsync(await _sandbox.DelegatedTokenAsync("contoso", Known.ContosoHelpdesk)),
            ("read default", Forbidden), ("read capabilities", Forbidden), ("write trust", Forbidden), ("write free/busy", Forbidden));
    }

    [Fact]
    public async Task Scopes_decide_before_roles_and_a_write_scope_covers_its_reads()
    {
        // No Policy.ReadWrite.CrossTenantCapability: capability writes fail even for a Global Administrator.
        string noCapability = await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoGlobalAdmin, new[] { "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess" });
        Expect(await RunAsync(noCapability), ("read capabilities", Ok), ("write trust", NoContent), ("write free/busy", Forbidden), ("create migration", Forbidden));
        Assert.Equal("permission Policy.ReadWrite.CrossTenantCapability", (string?)(await _sandbox.GraphRequestsAsync()).Last(r => (int)r["status"]! == 403)["denied"]);

        // Only the capability scope: it reads capabilities too, but not the partner.
        string onlyCapability = await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoGlobalAdmin, new[] { "Policy.ReadWrite.CrossTenantCapability" });
        Expect(await RunAsync(onlyCapability), ("read capabilities", Ok), ("write free/busy", NoContent), ("read partner", Forbidden), ("write trust", Forbidden));
        Assert.Contains(await _sandbox.GraphRequestsAsync(), r => (string?)r["denied"] == "permission Policy.Read.All|Policy.ReadWrite.CrossTenantAccess");

        // Only Policy.ReadWrite.CrossTenantAccess: partner reads and writes, no capabilities at all.
        string onlyAccess = await _sandbox.DelegatedTokenAsync("contoso", XtapKnown.ContosoGlobalAdmin, new[] { "Policy.ReadWrite.CrossTenantAccess" });
        Expect(await RunAsync(onlyAccess), ("read partner", Ok), ("write trust", NoContent), ("read capabilities", Forbidden));
        // A role without the scope is still refused, with the scope named first.
        string helpdeskNoScope = await _sandbox.DelegatedTokenAsync("contoso", Known.ContosoHelpdesk, new[] { "User.Read" });
        GraphCall r = await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.DefaultPath, helpdeskNoScope);
        GraphHelpers.GraphError(r, HttpStatusCode.Forbidden, "Authorization_RequestDenied", GraphHelpers.Insufficient);
        Assert.StartsWith("permission ", (string?)(await _sandbox.GraphRequestsAsync()).Last()["denied"]);
    }

    [Fact]
    public async Task App_only_tokens_need_application_permissions_and_no_role()
    {
        string app = await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        Expect(await RunAsync(app), ("read default", Ok), ("write trust", NoContent), ("write free/busy", NoContent), ("create migration", Created), ("delete migration", NoContent));
        Assert.DoesNotContain("Exchange.ManageAsApp", Hand.Claims(app)["roles"]!.AsArray().Select(n => (string?)n));

        // No application permission at all.
        string none = await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoNoPermissionApp, Known.ContosoNoPermissionSecret);
        Expect(await RunAsync(none), ("read default", Forbidden), ("read capabilities", Forbidden), ("write trust", Forbidden));
        Assert.Equal("permission Policy.ReadWrite.CrossTenantAccess", (string?)(await _sandbox.GraphRequestsAsync()).Single(x => (string?)x["method"] == "PATCH" && (string?)x["path"] == "/v1.0" + Partner && (string?)x["caller"] == Known.ContosoNoPermissionApp)["denied"]);

        // Read-only: an app registered with Policy.Read.All alone.
        string appId = Guid.NewGuid().ToString();
        (HttpStatusCode status, string text) = await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/apps", new { appId, secret = "reader-secret", roles = new[] { "Policy.Read.All" } });
        Assert.True(status == HttpStatusCode.Created, text);
        string reader = await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, appId, "reader-secret");
        Expect(await RunAsync(reader), ("read default", Ok), ("read partner", Ok), ("read capabilities", Ok), ("write trust", Forbidden), ("write free/busy", Forbidden));
    }

    [Fact]
    public async Task Tokens_are_validated_as_for_get_schedule()
    {
        GraphCall none = await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.DefaultPath, null);
        GraphHelpers.GraphError(none, HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token is empty.");
        Assert.StartsWith("Bearer ", none.Headers.WwwAuthenticate.ToString());

        string exchange = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret, "https://outlook.office365.com");
        GraphHelpers.GraphError(await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.DefaultPath, exchange), HttpStatusCode.Unauthorized, "InvalidAuthenticationToken",
            "Access token validation failure. Invalid audience.");

        string app = await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        string[] p = app.Split('.');
        string forged = p[0] + "." + Hand.B64Url(Encoding.UTF8.GetBytes(Hand.Claims(app).ToJsonString().Replace(Known.ContosoId, Known.FabrikamId))) + "." + p[2];
        GraphHelpers.GraphError(await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.DefaultPath, forged), HttpStatusCode.Unauthorized, "InvalidAuthenticationToken",
            "Access token validation failure. Invalid signature.");

        // Graph's app id is an accepted audience too, and the sandbox's own origin.
        string byAppId = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret, "00000003-0000-0000-c000-000000000000");
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.DefaultPath, byAppId)).Status);
        string byOrigin = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.DefaultPath, byOrigin)).Status);

        // The policy read and written is the token's tenant's: fabrikam's has no partner.
        string fabrikam = await _sandbox.GraphAppTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret);
        Assert.Empty((await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.PartnersPath, fabrikam)).Value);
        GraphHelpers.GraphError(await _sandbox.GraphAsync(HttpMethod.Get, Partner, fabrikam), HttpStatusCode.NotFound, "Request_ResourceNotFound");
    }
}
