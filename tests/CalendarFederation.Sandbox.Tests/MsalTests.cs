using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Tests.Support;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;
using Microsoft.Identity.Client.Extensibility;
using Xunit;
using Xunit.Abstractions;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>The real client, MSAL.NET 4.92, against the sandbox's Entra ID, then the admin API with what it got.</summary>
public sealed class MsalTests : IClassFixture<AuthSandbox>
{
    private readonly AuthSandbox _sandbox;
    private readonly ITestOutputHelper _output;

    public MsalTests(AuthSandbox sandbox, ITestOutputHelper output)
    {
        _sandbox = sandbox;
        _output = output;
    }

    private string[] Scopes => new[] { _sandbox.Origin + "/.default" };

    private string Authority(string tenant) => $"{_sandbox.Origin}/{tenant}";

    private void Log(Microsoft.Identity.Client.LogLevel level, string message, bool pii)
    {
        if (level <= Microsoft.Identity.Client.LogLevel.Warning) _output.WriteLine($"MSAL {level}: {message}");
    }

    /// <summary>Prints what MSAL sent (paths, form field names, a client assertion's header and claim names) for the record.</summary>
    private async Task DumpAsync(MsalHttp http, long since)
    {
        foreach (string s in http.Sent) _output.WriteLine("sent: " + s);
        foreach (Dictionary<string, string> form in http.Handler.Forms)
        {
            _output.WriteLine("form: " + string.Join(", ", form.Select(kv => kv.Key + (kv.Key is "grant_type" or "scope" or "client_info" or "client_assertion_type" or "client_id" ? "=" + kv.Value : ""))));
            if (form.TryGetValue("client_assertion", out string? assertion))
            {
                JwtParts jwt = Jwt.Parse(assertion)!;
                _output.WriteLine("assertion header: " + jwt.Header.GetRawText());
                _output.WriteLine("assertion claims: " + string.Join(", ", jwt.Payload.EnumerateObject().Select(p => p.Name + (p.Name is "aud" or "iss" ? "=" + p.Value : ""))));
            }
        }
        foreach (JsonObject r in await _sandbox.SignInsAsync(since))
        {
            _output.WriteLine($"signin: {r["endpoint"]} {r["method"]} {r["path"]} grant={r["grantType"]} auth={r["clientAuthentication"]} status={r["status"]} error={r["error"]} fields={r["fields"]!.ToJsonString()} headers={r["headers"]!.ToJsonString()}");
        }
    }

    private async Task<(X509Certificate2 Cert, string AppId)> RegisterCertificateAppAsync(string tenant, string roles = "[\"Exchange.ManageAsApp\"]")
    {
        X509Certificate2 cert = AuthSandbox.NewClientCertificate();
        string appId = Guid.NewGuid().ToString();
        await _sandbox.ControlAsync(HttpMethod.Post, $"/_sandbox/tenants/{tenant}/apps",
            new StringContent($"{{\"appId\":\"{appId}\",\"displayName\":\"MSAL cert app\",\"roles\":{roles},\"directoryRoles\":[\"Exchange Administrator\"]}}", Encoding.UTF8, "application/json"));
        await _sandbox.ControlAsync(HttpMethod.Post, $"/_sandbox/tenants/{tenant}/apps/{appId}/certificates",
            new StringContent(cert.ExportCertificatePem(), Encoding.UTF8, "text/plain"));
        return (cert, appId);
    }

    [Fact]
    public async Task ClientCredentials_with_a_certificate_registered_at_run_time()
    {
        (X509Certificate2 cert, string appId) = await RegisterCertificateAppAsync(Known.ContosoDomain);
        using (cert)
        {
            long since = await _sandbox.LastSignInAsync();
            using MsalHttp http = _sandbox.NewMsalHttp();
            IConfidentialClientApplication app = ConfidentialClientApplicationBuilder.Create(appId)
                .WithCertificate(cert)
                .WithAuthority(Authority(Known.ContosoDomain), validateAuthority: false)
                .WithInstanceDiscovery(false)
                .WithHttpClientFactory(http)
                .WithLogging(Log, Microsoft.Identity.Client.LogLevel.Info, enablePiiLogging: false)
                .Build();

            AuthenticationResult result = await app.AcquireTokenForClient(Scopes).ExecuteAsync();
            await DumpAsync(http, since);

            JwtParts jwt = Jwt.Parse(result.AccessToken)!;
            Assert.Equal(_sandbox.Origin, jwt.Claim("aud"));
            Assert.Equal(Known.ContosoId, jwt.Claim("tid"));
            Assert.Equal(appId, jwt.Claim("appid"));
            Assert.Equal("app", jwt.Claim("idtyp"));
            Assert.Equal("2", jwt.Claim("appidacr"));
            Assert.Contains("Exchange.ManageAsApp", jwt.Claims("roles"));
            Assert.Equal(TokenSource.IdentityProvider, result.AuthenticationResultMetadata.TokenSource);
            Assert.Equal(new[] { $"POST {_sandbox.Origin}/{Known.ContosoDomain}/oauth2/v2.0/token" }, http.Sent);
            JsonObject signIn = (await _sandbox.SignInsAsync(since)).Single(r => (string?)r["endpoint"] == "token");
            Assert.Equal("client_credentials", (string?)signIn["grantType"]);
            Assert.Equal("assertion PS256", (string?)signIn["clientAuthentication"]);
            Assert.Equal(200, (int)signIn["status"]!);

            // The second call comes from MSAL's cache: the sandbox sees nothing.
            AuthenticationResult cached = await app.AcquireTokenForClient(Scopes).ExecuteAsync();
            Assert.Equal(TokenSource.Cache, cached.AuthenticationResultMetadata.TokenSource);

            AdminResponse org = await _sandbox.InvokeAsync(Known.ContosoDomain, result.AccessToken, "Get-OrganizationConfig");
            Assert.Equal(HttpStatusCode.OK, org.Status);
            Assert.Equal(Known.ContosoDomain, (string?)org.Value[0]!["Name"]);
        }
    }

    [Fact]
    public async Task ClientCredentials_with_a_certificate_the_app_does_not_have_fails_with_700027()
    {
        (X509Certificate2 registered, string appId) = await RegisterCertificateAppAsync("contoso");
        registered.Dispose();
        using X509Certificate2 other = AuthSandbox.NewClientCertificate("CN=Not registered");
        using MsalHttp http = _sandbox.NewMsalHttp();
        IConfidentialClientApplication app = ConfidentialClientApplicationBuilder.Create(appId)
            .WithCertificate(other)
            .WithAuthority(Authority(Known.ContosoId), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .Build();
        MsalServiceException ex = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient(Scopes).ExecuteAsync());
        Assert.Equal("invalid_client", ex.ErrorCode);
        Assert.Equal(401, ex.StatusCode);
        Assert.Contains("AADSTS700027", ex.Message);
    }

    [Fact]
    public async Task ClientCredentials_with_a_secret_through_msal()
    {
        using MsalHttp http = _sandbox.NewMsalHttp();
        IConfidentialClientApplication app = ConfidentialClientApplicationBuilder.Create(Known.FabrikamApp)
            .WithClientSecret(Known.FabrikamSecret)
            .WithAuthority(Authority("fabrikam"), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .Build();
        AuthenticationResult result = await app.AcquireTokenForClient(Scopes).ExecuteAsync();
        Assert.Equal(Known.FabrikamId, Jwt.Parse(result.AccessToken)!.Claim("tid"));
        AdminResponse domains = await _sandbox.InvokeAsync(Known.FabrikamDomain, result.AccessToken, "Get-AcceptedDomain");
        Assert.Equal(HttpStatusCode.OK, domains.Status);
        Assert.Equal(3, domains.Value.Count);

        IConfidentialClientApplication wrong = ConfidentialClientApplicationBuilder.Create(Known.FabrikamApp)
            .WithClientSecret("not-the-secret")
            .WithAuthority(Authority("fabrikam"), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .Build();
        MsalServiceException ex = await Assert.ThrowsAsync<MsalServiceException>(() => wrong.AcquireTokenForClient(Scopes).ExecuteAsync());
        Assert.Equal("invalid_client", ex.ErrorCode);
        Assert.Contains("AADSTS7000215", ex.Message);
        Assert.DoesNotContain("not-the-secret", ex.Message);
        List<JsonObject> signIns = await _sandbox.SignInsAsync();
        Assert.DoesNotContain(signIns, r => r.ToJsonString().Contains(Known.FabrikamSecret, StringComparison.Ordinal) || r.ToJsonString().Contains("not-the-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Instance_discovery_answered_by_the_sandbox_is_accepted()
    {
        // MSAL asks login.microsoftonline.com about an unknown authority host; the test routes that host to the sandbox.
        long since = await _sandbox.LastSignInAsync();
        using MsalHttp http = _sandbox.NewMsalHttp();
        http.Handler.Reroute["login.microsoftonline.com"] = new Uri(_sandbox.Origin).Authority;
        IConfidentialClientApplication app = ConfidentialClientApplicationBuilder.Create(Known.ContosoApp)
            .WithClientSecret(Known.ContosoSecret)
            .WithAuthority(Authority(Known.ContosoDomain), validateAuthority: false)
            .WithHttpClientFactory(http)
            .Build();
        AuthenticationResult result = await app.AcquireTokenForClient(Scopes).ExecuteAsync();
        await DumpAsync(http, since);
        Assert.False(string.IsNullOrEmpty(result.AccessToken));
        Assert.Equal($"GET https://login.microsoftonline.com/common/discovery/instance?api-version&authorization_endpoint", http.Sent[0]);
        JsonObject discovery = (await _sandbox.SignInsAsync(since)).First(r => (string?)r["endpoint"] == "discovery");
        Assert.Equal(200, (int)discovery["status"]!);
        Assert.Contains("authorization_endpoint", discovery["fields"]!.AsArray().Select(f => (string?)f));
    }

    [Fact]
    public async Task Device_code_through_msal_sees_one_pending_answer_then_a_token()
    {
        long since = await _sandbox.LastSignInAsync();
        using MsalHttp http = _sandbox.NewMsalHttp();
        IPublicClientApplication app = PublicClientApplicationBuilder.Create(Known.DefaultPublicClient)
            .WithAuthority(Authority(Known.ContosoDomain), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .WithLogging(Log, Microsoft.Identity.Client.LogLevel.Info, enablePiiLogging: false)
            .Build();
        DeviceCodeResult? shown = null;
        AuthenticationResult result = await app.AcquireTokenWithDeviceCode(Scopes, code =>
        {
            shown = code;
            return Task.CompletedTask;
        }).ExecuteAsync();
        await DumpAsync(http, since);

        Assert.NotNull(shown);
        Assert.Equal(8, shown!.UserCode.Length);
        Assert.Equal(_sandbox.Origin + "/devicelogin", shown.VerificationUrl);
        Assert.Contains(shown.UserCode, shown.Message);
        Assert.Equal(Known.ContosoAdmin, result.Account.Username);
        Assert.Equal($"{Known.ContosoAdminOid}.{Known.ContosoId}", result.Account.HomeAccountId.Identifier);
        JwtParts jwt = Jwt.Parse(result.AccessToken)!;
        Assert.Equal("Exchange.Manage", jwt.Claim("scp"));
        Assert.Equal(Known.ContosoAdmin, jwt.Claim("upn"));
        Assert.Equal(Known.DefaultPublicClient, jwt.Claim("appid"));

        List<JsonObject> tokenCalls = (await _sandbox.SignInsAsync(since)).Where(r => (string?)r["endpoint"] == "token").ToList();
        Assert.Equal(2, tokenCalls.Count);
        Assert.Equal("authorization_pending", (string?)tokenCalls[0]["error"]);
        Assert.Equal(200, (int)tokenCalls[1]["status"]!);

        AdminResponse org = await _sandbox.InvokeAsync(Known.ContosoId, result.AccessToken, "Get-OrganizationConfig", anchor: "UPN:" + Known.ContosoAdmin);
        Assert.Equal(HttpStatusCode.OK, org.Status);
        JsonObject request = (await _sandbox.RequestsAsync()).Last(r => (string?)r["service"] == "adminapi");
        Assert.Equal("UPN:" + Known.ContosoAdmin, (string?)request["anchorMailbox"]);
        Assert.Equal(Known.ContosoAdmin, (string?)request["caller"]);
    }

    [Fact]
    public async Task Device_code_manual_approval_and_denial()
    {
        using MsalHttp http = _sandbox.NewMsalHttp();
        IPublicClientApplication app = PublicClientApplicationBuilder.Create(Known.ContosoPublicApp)
            .WithAuthority(Authority("contoso"), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .Build();
        try
        {
            // Manual: approved from outside as the helpdesk user, who has no Exchange role.
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/device-flow?mode=manual");
            AuthenticationResult result = await app.AcquireTokenWithDeviceCode(Scopes, async code =>
            {
                await _sandbox.ControlAsync(HttpMethod.Post, $"/_sandbox/device/approve?user_code={code.UserCode}&upn={Known.ContosoHelpdesk}");
            }).ExecuteAsync();
            Assert.Equal(Known.ContosoHelpdesk, result.Account.Username);
            AdminResponse forbidden = await _sandbox.InvokeAsync("contoso", result.AccessToken, "Get-OrganizationConfig");
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
            Assert.Equal("Forbidden", (string?)forbidden.Json["error"]!["code"]);

            // Deny: the user declines.
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/device-flow?mode=deny");
            MsalServiceException ex = await Assert.ThrowsAsync<MsalServiceException>(() =>
                app.AcquireTokenWithDeviceCode(Scopes, _ => Task.CompletedTask).ExecuteAsync());
            Assert.Equal("authorization_declined", ex.ErrorCode);
        }
        finally
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/device-flow?mode=auto");
        }
    }

    /// <summary>An "embedded browser" that GETs the authorize URL without following redirects and hands back the Location.</summary>
    private sealed class HttpGetWebUi : ICustomWebUi
    {
        private readonly HttpClient _http;

        public HttpGetWebUi(HttpClient http) => _http = http;

        public Uri? AuthorizeUri { get; private set; }

        public async Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            AuthorizeUri = authorizationUri;
            using HttpResponseMessage response = await _http.GetAsync(authorizationUri, cancellationToken);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Uri location = response.Headers.Location!;
            Assert.StartsWith(redirectUri.GetLeftPart(UriPartial.Path), location.ToString(), StringComparison.Ordinal);
            return location;
        }
    }

    [Fact]
    public async Task Interactive_with_a_custom_web_ui_then_silent_refresh_after_the_token_expires()
    {
        long since = await _sandbox.LastSignInAsync();
        using MsalHttp http = _sandbox.NewMsalHttp();
        IPublicClientApplication app = PublicClientApplicationBuilder.Create(Known.DefaultPublicClient)
            .WithAuthority(Authority(Known.FabrikamDomain), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithRedirectUri("http://localhost:8400/")
            .WithHttpClientFactory(http)
            .WithLogging(Log, Microsoft.Identity.Client.LogLevel.Info, enablePiiLogging: false)
            .Build();
        var ui = new HttpGetWebUi(_sandbox.Http);
        try
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/token-lifetime?seconds=3");
            AuthenticationResult first = await app.AcquireTokenInteractive(Scopes)
                .WithCustomWebUi(ui)
                .WithLoginHint(Known.FabrikamAdmin)
                .ExecuteAsync();
            Assert.Equal(Known.FabrikamAdmin, first.Account.Username);
            Assert.NotNull(ui.AuthorizeUri);
            var query = System.Web.HttpUtility.ParseQueryString(ui.AuthorizeUri!.Query);
            _output.WriteLine("authorize query keys: " + string.Join(", ", query.AllKeys));
            Assert.Equal("code", query["response_type"]);
            Assert.Equal("S256", query["code_challenge_method"]);
            Assert.Equal(Known.FabrikamAdmin, query["login_hint"]);
            Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync(Known.FabrikamId, first.AccessToken, "Get-OrganizationConfig")).Status);

            // MSAL treats a token this close to expiry as expired and redeems the refresh token.
            IAccount account = (await app.GetAccountsAsync()).Single();
            AuthenticationResult second = await app.AcquireTokenSilent(Scopes, account).ExecuteAsync();
            Assert.Equal(TokenSource.IdentityProvider, second.AuthenticationResultMetadata.TokenSource);
            Assert.NotEqual(first.AccessToken, second.AccessToken);
            await DumpAsync(http, since);
            List<JsonObject> grants = (await _sandbox.SignInsAsync(since)).Where(r => (string?)r["endpoint"] == "token").ToList();
            Assert.Equal(new[] { "authorization_code", "refresh_token" }, grants.Select(g => (string?)g["grantType"]));
            Assert.All(grants, g => Assert.Equal(200, (int)g["status"]!));

            // Once expired, the first token is refused with the Bearer challenge; a fresh silent token works. The
            // sandbox's clock moves past the 3 s lifetime (exp is in whole seconds) instead of the test waiting for it.
            _sandbox.Server.State.Clock.Advance(TimeSpan.FromSeconds(5));
            AdminResponse expired = await _sandbox.InvokeAsync(Known.FabrikamId, first.AccessToken, "Get-OrganizationConfig");
            Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
            Assert.Contains("error=\"invalid_token\"", expired.WwwAuthenticate);
            Assert.Contains("expired", (string?)expired.Json["error"]!["message"]);
            AuthenticationResult third = await app.AcquireTokenSilent(Scopes, account).ExecuteAsync();
            Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync(Known.FabrikamId, third.AccessToken, "Get-OrganizationConfig")).Status);
        }
        finally
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/token-lifetime?seconds=3600");
        }
    }

    [Fact]
    public async Task Interactive_denied_and_revoked_refresh_tokens_surface_as_msal_errors()
    {
        using MsalHttp http = _sandbox.NewMsalHttp();
        IPublicClientApplication app = PublicClientApplicationBuilder.Create(Known.ContosoPublicApp)
            .WithAuthority(Authority("contoso"), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithRedirectUri("http://localhost")
            .WithHttpClientFactory(http)
            .Build();
        var ui = new HttpGetWebUi(_sandbox.Http);
        try
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/authorize?mode=deny");
            MsalServiceException denied = await Assert.ThrowsAsync<MsalServiceException>(() =>
                app.AcquireTokenInteractive(Scopes).WithCustomWebUi(ui).ExecuteAsync());
            Assert.Equal("access_denied", denied.ErrorCode);

            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/authorize?mode=auto");
            AuthenticationResult result = await app.AcquireTokenInteractive(Scopes).WithCustomWebUi(ui).ExecuteAsync();
            Assert.Equal(Known.ContosoAdmin, result.Account.Username);
            await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/refresh-tokens?upn=" + Known.ContosoAdmin);
            MsalUiRequiredException revoked = await Assert.ThrowsAsync<MsalUiRequiredException>(() =>
                app.AcquireTokenSilent(Scopes, result.Account).WithForceRefresh(true).ExecuteAsync());
            Assert.Equal("invalid_grant", revoked.ErrorCode);
            Assert.Contains("AADSTS50173", revoked.Message);
        }
        finally
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/authorize?mode=auto");
        }
    }

    [Fact]
    public async Task Managed_identity_app_service_shape()
    {
        string? oldEndpoint = Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT");
        string? oldHeader = Environment.GetEnvironmentVariable("IDENTITY_HEADER");
        long since = await _sandbox.LastSignInAsync();
        try
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", $"{_sandbox.Control}/msi/token");
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", Known.IdentityHeader);
            using MsalHttp http = _sandbox.NewMsalHttp();

            IManagedIdentityApplication system = ManagedIdentityApplicationBuilder.Create(ManagedIdentityId.SystemAssigned)
                .WithHttpClientFactory(http)
                .WithLogging(Log, Microsoft.Identity.Client.LogLevel.Info, enablePiiLogging: false)
                .Build();
            AuthenticationResult sys = await system.AcquireTokenForManagedIdentity(_sandbox.Origin).ExecuteAsync();
            JwtParts jwt = Jwt.Parse(sys.AccessToken)!;
            Assert.Equal(Known.ContosoId, jwt.Claim("tid"));
            Assert.Equal(Known.SystemAssignedPrincipal, jwt.Claim("oid"));
            Assert.Equal(Known.SystemAssignedAppId, jwt.Claim("appid"));
            Assert.Contains("Exchange.ManageAsApp", jwt.Claims("roles"));
            Assert.True(sys.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(50));
            Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync(Known.ContosoDomain, sys.AccessToken, "Get-OrganizationConfig")).Status);

            IManagedIdentityApplication user = ManagedIdentityApplicationBuilder.Create(ManagedIdentityId.WithUserAssignedClientId(Known.UserAssignedClientId))
                .WithHttpClientFactory(http)
                .Build();
            AuthenticationResult ua = await user.AcquireTokenForManagedIdentity(_sandbox.Origin + "/.default").ExecuteAsync();
            Assert.Equal(Known.FabrikamId, Jwt.Parse(ua.AccessToken)!.Claim("tid"));
            Assert.Equal(Known.UserAssignedPrincipal, Jwt.Parse(ua.AccessToken)!.Claim("oid"));
            Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync(Known.FabrikamDomain, ua.AccessToken, "Get-AcceptedDomain")).Status);

            IManagedIdentityApplication unknown = ManagedIdentityApplicationBuilder.Create(ManagedIdentityId.WithUserAssignedClientId(Guid.NewGuid().ToString()))
                .WithHttpClientFactory(http)
                .Build();
            MsalServiceException notFound = await Assert.ThrowsAsync<MsalServiceException>(() => unknown.AcquireTokenForManagedIdentity(_sandbox.Origin).ExecuteAsync());
            Assert.Equal(400, notFound.StatusCode);
            Assert.Contains("No User Assigned", notFound.Message);

            await DumpAsync(http, since);
            List<JsonObject> msi = (await _sandbox.SignInsAsync(since)).Where(r => (string?)r["endpoint"] == "msi").ToList();
            Assert.Contains(msi, r => (int)r["status"]! == 200 && r["fields"]!.AsArray().Select(f => (string?)f).SequenceEqual(new[] { "api-version", "resource" }));
            Assert.Contains(msi, r => r["fields"]!.AsArray().Select(f => (string?)f).Contains("client_id"));

            Environment.SetEnvironmentVariable("IDENTITY_HEADER", "wrong-header");
            IManagedIdentityApplication wrongHeader = ManagedIdentityApplicationBuilder.Create(ManagedIdentityId.WithUserAssignedClientId(Known.UserAssignedClientId))
                .WithHttpClientFactory(http)
                .Build();
            // MSAL shares managed identity tokens across application objects, so only a forced refresh reaches the endpoint.
            AuthenticationResult fromCache = await wrongHeader.AcquireTokenForManagedIdentity(_sandbox.Origin).ExecuteAsync();
            Assert.Equal(TokenSource.Cache, fromCache.AuthenticationResultMetadata.TokenSource);
            MsalServiceException unauthorized = await Assert.ThrowsAsync<MsalServiceException>(() =>
                wrongHeader.AcquireTokenForManagedIdentity(_sandbox.Origin).WithForceRefresh(true).ExecuteAsync());
            Assert.Equal(401, unauthorized.StatusCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", oldEndpoint);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", oldHeader);
        }
    }

    [Fact]
    public async Task A_503_from_the_token_endpoint_surfaces_as_retryable_and_msal_does_not_retry_it()
    {
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/faults", new StringContent(
            $"{{\"service\":\"identity\",\"tenant\":\"{Known.FabrikamId}\",\"pathPrefix\":\"/fabrikam.com/oauth2/v2.0/token\",\"status\":503,\"retryAfterSeconds\":1,\"remaining\":1}}",
            Encoding.UTF8, "application/json"));
        long since = await _sandbox.LastSignInAsync();
        using MsalHttp http = _sandbox.NewMsalHttp();
        IConfidentialClientApplication app = ConfidentialClientApplicationBuilder.Create(Known.FabrikamApp)
            .WithClientSecret(Known.FabrikamSecret)
            .WithAuthority(Authority("fabrikam.com"), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .Build();
        // MSAL 4.92 leaves this retry to its caller: one request, a retryable error carrying Retry-After.
        MsalServiceException ex = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient(Scopes).ExecuteAsync());
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal("service_not_available", ex.ErrorCode);
        Assert.True(ex.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(1), ex.Headers.RetryAfter?.Delta);
        // The fault was for one request. MSAL's throttling cache (process-wide, keyed by client, authority and scopes,
        // on the real clock) would answer the same request from the 503 until Retry-After passes, so ask for another
        // scope of the same app at the same token endpoint: it goes to the sandbox, and the sandbox answers it.
        AuthenticationResult result = await app.AcquireTokenForClient(new[] { "https://outlook.office365.com/.default" }).ExecuteAsync();
        Assert.False(string.IsNullOrEmpty(result.AccessToken));
        await DumpAsync(http, since);
        List<JsonObject> calls = (await _sandbox.SignInsAsync(since)).Where(r => (string?)r["endpoint"] == "token").ToList();
        Assert.Equal(new[] { 503, 200 }, calls.Select(c => (int)c["status"]!));
    }
}
