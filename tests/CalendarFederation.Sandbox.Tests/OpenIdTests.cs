using System.Net;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// The anonymous OpenID configuration a client reads to find a partner's tenant id and cloud from a domain
/// (docs/cross-tenant-access.md §2.1 A): v2 and v1 shapes per domain, the Microsoft account tenant for consumer
/// domains, AADSTS90002 for unknown ones.
/// </summary>
public sealed class OpenIdTests : IClassFixture<AuthSandbox>
{
    private const string MicrosoftAccountTenant = "9188040d-6c67-4c5b-b112-36a304b66dad";
    private const string NotFound =
        "Tenant 'nowhere.example' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.";

    private readonly AuthSandbox _sandbox;

    public OpenIdTests(AuthSandbox sandbox) => _sandbox = sandbox;

    private string Origin => _sandbox.Origin;

    private async Task<(HttpStatusCode Status, JsonObject Body)> GetAsync(string path, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Origin + path);
        if (cookie != null) request.Headers.TryAddWithoutValidation("Cookie", cookie);
        using HttpResponseMessage response = await _sandbox.Http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Theory]
    [InlineData("contoso.com", Known.ContosoId)]
    [InlineData("sales.contoso.com", Known.ContosoId)]
    [InlineData("CONTOSO.onmicrosoft.com", Known.ContosoId)]
    [InlineData("fabrikam.co.uk", Known.FabrikamId)]
    public async Task The_v2_document_of_any_domain_names_its_tenant_in_the_issuer(string domain, string tenantId)
    {
        (HttpStatusCode status, JsonObject d) = await GetAsync($"/{domain}/v2.0/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{Origin}/{tenantId}/v2.0", (string?)d["issuer"]);
        Assert.Equal($"{Origin}/{tenantId}/oauth2/v2.0/token", (string?)d["token_endpoint"]);
        Assert.Equal($"{Origin}/{tenantId}/oauth2/v2.0/authorize", (string?)d["authorization_endpoint"]);
        Assert.Equal($"{Origin}/{tenantId}/discovery/v2.0/keys", (string?)d["jwks_uri"]);
        Assert.Equal("https://graph.microsoft.com/oidc/userinfo", (string?)d["userinfo_endpoint"]);
        Assert.Equal("NA", (string?)d["tenant_region_scope"]);
        Assert.False(d.ContainsKey("tenant_region_sub_scope"));
        Assert.Equal("microsoftonline.com", (string?)d["cloud_instance_name"]);
        Assert.Equal("graph.windows.net", (string?)d["cloud_graph_host_name"]);
        Assert.Equal("graph.microsoft.com", (string?)d["msgraph_host"]);
        Assert.Equal("https://pas.windows.net", (string?)d["rbac_url"]);
        Assert.Contains("openid", d["scopes_supported"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public async Task The_v1_document_has_the_sts_issuer_and_the_v1_endpoints()
    {
        (HttpStatusCode status, JsonObject d) = await GetAsync("/fabrikam.com/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"https://sts.windows.net/{Known.FabrikamId}/", (string?)d["issuer"]);
        Assert.Equal($"{Origin}/{Known.FabrikamId}/oauth2/token", (string?)d["token_endpoint"]);
        Assert.Equal($"{Origin}/{Known.FabrikamId}/oauth2/authorize", (string?)d["authorization_endpoint"]);
        Assert.Equal($"{Origin}/{Known.FabrikamId}/oauth2/checksession", (string?)d["check_session_iframe"]);
        Assert.Equal($"{Origin}/common/discovery/keys", (string?)d["jwks_uri"]);
        Assert.True((bool)d["microsoft_multi_refresh_token"]!);
        Assert.Equal(new[] { "openid" }, d["scopes_supported"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("microsoftonline.com", (string?)d["cloud_instance_name"]);
        Assert.Equal("graph.microsoft.com", (string?)d["msgraph_host"]);
        // Its key set is served.
        (status, JsonObject keys) = await GetAsync("/common/discovery/keys");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEmpty(keys["keys"]!.AsArray());
        // /common: the tenant placeholder, in the v1 spelling.
        (_, JsonObject common) = await GetAsync("/common/.well-known/openid-configuration");
        Assert.Equal("https://sts.windows.net/{tenantid}/", (string?)common["issuer"]);
        Assert.Null(common["tenant_region_scope"]);
    }

    [Theory]
    [InlineData("outlook.com")]
    [InlineData("Hotmail.com")]
    [InlineData("consumers")]
    public async Task Consumer_domains_give_the_microsoft_account_tenant(string domain)
    {
        (HttpStatusCode status, JsonObject d) = await GetAsync($"/{domain}/v2.0/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{Origin}/{MicrosoftAccountTenant}/v2.0", (string?)d["issuer"]);
        Assert.Null(d["tenant_region_scope"]);
        string segment = domain == "consumers" ? "consumers" : MicrosoftAccountTenant;
        Assert.Equal($"{Origin}/{segment}/oauth2/v2.0/token", (string?)d["token_endpoint"]);
        (_, JsonObject v1) = await GetAsync($"/{domain}/.well-known/openid-configuration");
        Assert.Equal($"https://sts.windows.net/{MicrosoftAccountTenant}/", (string?)v1["issuer"]);
    }

    [Fact]
    public async Task An_unknown_domain_is_AADSTS90002_in_both_shapes()
    {
        foreach (string path in new[] { "/nowhere.example/v2.0/.well-known/openid-configuration", "/nowhere.example/.well-known/openid-configuration" })
        {
            (HttpStatusCode status, JsonObject error) = await GetAsync(path);
            Hand.AadError(HttpStatusCode.BadRequest, "invalid_tenant", 90002, (status, error));
            Assert.StartsWith("AADSTS90002: " + NotFound + " Trace ID: ", (string?)error["error_description"]);
            Assert.Equal("https://login.microsoftonline.com/error?code=90002", (string?)error["error_uri"]);
        }
    }

    [Fact]
    public async Task The_requests_are_logged_with_whether_credentials_came_along()
    {
        long since = await _sandbox.LastSignInAsync();
        await GetAsync("/fabrikam.com/v2.0/.well-known/openid-configuration");
        await GetAsync("/fabrikam.com/.well-known/openid-configuration", cookie: "ESTSAUTH=x");
        List<JsonObject> records = (await _sandbox.SignInsAsync(since)).Where(r => (string?)r["endpoint"] == "openid-configuration").ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal("/fabrikam.com/v2.0/.well-known/openid-configuration", (string?)records[0]["path"]);
        Assert.Equal(Known.FabrikamId, (string?)records[0]["tenantId"]);
        Assert.False((bool)records[0]["hasAuthorization"]!);
        Assert.False((bool)records[0]["hasCookie"]!);
        // The log would show a client that sent one.
        Assert.True((bool)records[1]["hasCookie"]!);
    }

    [Fact]
    public async Task The_cloud_names_are_configured_per_tenant()
    {
        SandboxConfig config = AuthSandbox.LoadConfig();
        TenantConfig fabrikam = config.Tenants.Single(t => t.Name == "fabrikam");
        fabrikam.CloudInstanceName = "microsoftonline.us";
        fabrikam.TenantRegionScope = "USGov";
        fabrikam.TenantRegionSubScope = "DODCON";
        fabrikam.CloudGraphHostName = "graph.microsoftazure.us";
        fabrikam.MsGraphHost = "graph.microsoft.us";
        await using SandboxServer server = await SandboxServer.StartAsync(config, new SandboxServerOptions { HttpListeners = 1 });
        using var http = new HttpClient();
        JsonObject d = JsonNode.Parse(await http.GetStringAsync(server.BaseUri + "fabrikam.com/v2.0/.well-known/openid-configuration"))!.AsObject();
        Assert.Equal("microsoftonline.us", (string?)d["cloud_instance_name"]);
        Assert.Equal("USGov", (string?)d["tenant_region_scope"]);
        Assert.Equal("DODCON", (string?)d["tenant_region_sub_scope"]);
        Assert.Equal("graph.microsoftazure.us", (string?)d["cloud_graph_host_name"]);
        Assert.Equal("graph.microsoft.us", (string?)d["msgraph_host"]);
        Assert.Equal("https://graph.microsoft.us/oidc/userinfo", (string?)d["userinfo_endpoint"]);
        // The other tenants keep the worldwide names.
        JsonObject c = JsonNode.Parse(await http.GetStringAsync(server.BaseUri + "contoso.com/.well-known/openid-configuration"))!.AsObject();
        Assert.Equal("microsoftonline.com", (string?)c["cloud_instance_name"]);
    }
}
