using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>The Entra ID stand-in by raw HTTP: discovery, keys, each grant and its errors, the authorize redirect, managed identity.</summary>
public sealed class ProtocolTests : IClassFixture<AuthSandbox>
{
    private readonly AuthSandbox _sandbox;

    public ProtocolTests(AuthSandbox sandbox) => _sandbox = sandbox;

    private string Origin => _sandbox.Origin;

    private async Task<(HttpStatusCode, JsonObject)> GetJsonAsync(string url)
    {
        using HttpResponseMessage response = await _sandbox.Http.GetAsync(url);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private Task<(HttpStatusCode Status, JsonObject Body)> TokenAsync(string tenant, Dictionary<string, string> form) =>
        _sandbox.PostFormAsync($"/{tenant}/oauth2/v2.0/token", form);

    [Theory]
    [InlineData(Known.ContosoId)]
    [InlineData(Known.ContosoDomain)]
    [InlineData("contoso.com")]
    [InlineData("contoso")]
    public async Task Openid_configuration_for_any_spelling_of_the_tenant(string tenant)
    {
        // The v1 document (/{tenant}/.well-known/openid-configuration) has its own shape: see OpenIdTests.
        foreach (string path in new[] { $"/{tenant}/v2.0/.well-known/openid-configuration" })
        {
            (HttpStatusCode status, JsonObject meta) = await GetJsonAsync(Origin + path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal($"{Origin}/{Known.ContosoId}/v2.0", (string?)meta["issuer"]);
            Assert.Equal($"{Origin}/{Known.ContosoId}/oauth2/v2.0/token", (string?)meta["token_endpoint"]);
            Assert.Equal($"{Origin}/{Known.ContosoId}/oauth2/v2.0/authorize", (string?)meta["authorization_endpoint"]);
            Assert.Equal($"{Origin}/{Known.ContosoId}/oauth2/v2.0/devicecode", (string?)meta["device_authorization_endpoint"]);
            Assert.Equal($"{Origin}/{Known.ContosoId}/discovery/v2.0/keys", (string?)meta["jwks_uri"]);
            Assert.Equal($"{Origin}/{Known.ContosoId}/oauth2/v2.0/logout", (string?)meta["end_session_endpoint"]);
            Assert.Contains("code", meta["response_types_supported"]!.AsArray().Select(n => (string?)n));
            Assert.Contains("private_key_jwt", meta["token_endpoint_auth_methods_supported"]!.AsArray().Select(n => (string?)n));
        }
    }

    [Fact]
    public async Task Openid_configuration_for_common_unknown_tenants_and_plain_http()
    {
        (HttpStatusCode status, JsonObject common) = await GetJsonAsync(Origin + "/organizations/v2.0/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Origin + "/{tenantid}/v2.0", (string?)common["issuer"]);
        Assert.Equal(Origin + "/organizations/oauth2/v2.0/token", (string?)common["token_endpoint"]);

        (status, JsonObject unknown) = await GetJsonAsync(Origin + "/nowhere.example/v2.0/.well-known/openid-configuration");
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_tenant", 90002, (status, unknown));

        // Every listener serves sign-in; URLs follow the request's own scheme, host and port.
        (status, JsonObject http) = await GetJsonAsync(_sandbox.Control + "/fabrikam/v2.0/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{_sandbox.Control}/{Known.FabrikamId}/oauth2/v2.0/token", (string?)http["token_endpoint"]);
    }

    [Fact]
    public async Task Instance_discovery_names_the_authority_host_with_its_port()
    {
        string authority = new Uri(Origin).Authority;
        (HttpStatusCode status, JsonObject d) = await GetJsonAsync(
            $"{Origin}/common/discovery/instance?api-version=1.1&authorization_endpoint={Uri.EscapeDataString(Origin + "/contoso/oauth2/v2.0/authorize")}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1.1", (string?)d["api-version"]);
        Assert.Equal($"{Origin}/contoso/v2.0/.well-known/openid-configuration", (string?)d["tenant_discovery_endpoint"]);
        JsonObject entry = d["metadata"]![0]!.AsObject();
        Assert.Equal(authority, (string?)entry["preferred_network"]);
        Assert.Equal(authority, (string?)entry["preferred_cache"]);
        Assert.Equal(new[] { authority }, entry["aliases"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public async Task Jwks_verifies_the_tokens_the_sandbox_issues()
    {
        string token = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        (HttpStatusCode status, JsonObject jwks) = await GetJsonAsync($"{Origin}/{Known.ContosoId}/discovery/v2.0/keys");
        Assert.Equal(HttpStatusCode.OK, status);
        JsonObject key = jwks["keys"]![0]!.AsObject();
        Assert.Equal("RSA", (string?)key["kty"]);
        Assert.Equal((string?)Hand.Header(token)["kid"], (string?)key["kid"]);
        Assert.Equal("RS256", (string?)Hand.Header(token)["alg"]);
        using RSA rsa = RSA.Create(new RSAParameters { Modulus = Hand.FromB64Url((string)key["n"]!), Exponent = Hand.FromB64Url((string)key["e"]!) });
        string[] parts = token.Split('.');
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Hand.FromB64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        using X509Certificate2 x5c = X509CertificateLoader.LoadCertificate(Convert.FromBase64String((string)key["x5c"]![0]!));
        Assert.Equal((string?)key["x5t"], Hand.B64Url(SHA1.HashData(x5c.RawData)));
    }

    [Fact]
    public async Task Client_credentials_with_a_secret_issues_an_app_token()
    {
        (HttpStatusCode status, JsonObject body) = await TokenAsync("contoso.com", new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Known.ContosoApp,
            ["client_secret"] = Known.ContosoSecret,
            ["scope"] = Origin + "/.default",
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Bearer", (string?)body["token_type"]);
        Assert.Equal(3600, (int)body["expires_in"]!);
        Assert.Equal(3600, (int)body["ext_expires_in"]!);
        Assert.Null(body["refresh_token"]);
        JsonObject claims = Hand.Claims((string)body["access_token"]!);
        Assert.Equal(Origin, (string?)claims["aud"]);
        Assert.Equal($"{Origin}/{Known.ContosoId}/v2.0", (string?)claims["iss"]);
        Assert.Equal(Known.ContosoId, (string?)claims["tid"]);
        Assert.Equal(Known.ContosoApp, (string?)claims["appid"]);
        Assert.Equal(Known.ContosoApp, (string?)claims["azp"]);
        Assert.Equal("1.0", (string?)claims["ver"]);
        Assert.Equal("app", (string?)claims["idtyp"]);
        Assert.Equal("c0a5e000-0000-4000-8000-0000000000a1", (string?)claims["oid"]);
        Assert.Equal("Exchange.ManageAsApp", (string?)claims["roles"]![0]);
        long exp = (long)claims["exp"]!, iat = (long)claims["iat"]!;
        Assert.InRange(exp - iat, 3599, 3601);
        Assert.True((long)claims["nbf"]! <= iat);

        // Basic authentication (client_secret_basic) works too, and an Exchange audience is accepted.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Origin}/{Known.ContosoId}/oauth2/v2.0/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "https://outlook.office365.com/.default" }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Known.ContosoApp}:{Known.ContosoSecret}")));
        using HttpResponseMessage basic = await _sandbox.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        JsonObject basicBody = JsonNode.Parse(await basic.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("https://outlook.office365.com", (string?)Hand.Claims((string)basicBody["access_token"]!)["aud"]);
    }

    [Fact]
    public async Task Client_credentials_errors_in_entra_shape()
    {
        var good = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Known.ContosoApp,
            ["client_secret"] = Known.ContosoSecret,
            ["scope"] = Origin + "/.default",
        };
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 7000215, await TokenAsync("contoso", new(good) { ["client_secret"] = "wrong" }));
        Hand.AadError(HttpStatusCode.BadRequest, "unauthorized_client", 700016, await TokenAsync("contoso", new(good) { ["client_id"] = Guid.NewGuid().ToString() }));
        // An app of another tenant is unknown here.
        Hand.AadError(HttpStatusCode.BadRequest, "unauthorized_client", 700016, await TokenAsync("fabrikam", good));
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_scope", 1002012, await TokenAsync("contoso", new(good) { ["scope"] = Origin + "/Exchange.Manage" }));
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_resource", 500011, await TokenAsync("contoso", new(good) { ["scope"] = "https://unknown.example/.default" }));
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_request", 50059, await TokenAsync("common", good));
        Hand.AadError(HttpStatusCode.BadRequest, "unsupported_grant_type", 70003, await TokenAsync("contoso", new(good) { ["grant_type"] = "password" }));
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_request", 900144, await TokenAsync("contoso", new(good) { ["grant_type"] = "" }));
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_tenant", 90002, await TokenAsync("nowhere.example", good));
        var noCredential = new Dictionary<string, string>(good);
        noCredential.Remove("client_secret");
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 7000218, await TokenAsync("contoso", noCredential));

        List<JsonObject> signIns = await _sandbox.SignInsAsync();
        Assert.Contains(signIns, r => (long?)r["errorCode"] == 7000215 && (string?)r["clientId"] == Known.ContosoApp && (string?)r["grantType"] == "client_credentials");
        Assert.DoesNotContain(signIns, r => r.ToJsonString().Contains(Known.ContosoSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Client_assertions_built_by_hand_are_verified()
    {
        using X509Certificate2 cert = AuthSandbox.NewClientCertificate();
        using X509Certificate2 other = AuthSandbox.NewClientCertificate("CN=Other");
        string appId = Guid.NewGuid().ToString();
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/tenants/fabrikam.com/apps", new StringContent(
            $"{{\"appId\":\"{appId}\",\"roles\":[\"Exchange.ManageAsApp\"],\"certificates\":[\"{Convert.ToBase64String(cert.RawData)}\"]}}", Encoding.UTF8, "application/json"));
        string endpoint = $"{Origin}/{Known.FabrikamDomain}/oauth2/v2.0/token";
        using RSA key = cert.GetRSAPrivateKey()!;
        using RSA otherKey = other.GetRSAPrivateKey()!;

        Task<(HttpStatusCode Status, JsonObject Body)> Redeem(string assertion, string tenant = Known.FabrikamDomain) => TokenAsync(tenant, new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = appId,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
            ["scope"] = Origin + "/.default",
        });

        var rs256 = await Redeem(Hand.Assertion(key, cert, appId, endpoint, "RS256"));
        Assert.True(rs256.Status == HttpStatusCode.OK, rs256.Body.ToJsonString());
        Assert.Equal("2", (string?)Hand.Claims((string)rs256.Body["access_token"]!)["appidacr"]);
        var ps256 = await Redeem(Hand.Assertion(key, cert, appId, endpoint, "PS256", sha256Thumbprint: true));
        Assert.True(ps256.Status == HttpStatusCode.OK, ps256.Body.ToJsonString());
        // The aud may name the tenant by GUID while the request uses the domain.
        var byGuid = await Redeem(Hand.Assertion(key, cert, appId, $"{Origin}/{Known.FabrikamId}/oauth2/v2.0/token"));
        Assert.Equal(HttpStatusCode.OK, byGuid.Status);

        // Signed by another key while naming the registered certificate.
        var forged = await Redeem(Hand.Assertion(otherKey, cert, appId, endpoint, "PS256", sha256Thumbprint: true));
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 700027, forged);
        Assert.Contains("signature validation", (string?)forged.Body["error_description"]);
        // A certificate the app does not have.
        var unregistered = await Redeem(Hand.Assertion(otherKey, other, appId, endpoint));
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 700027, unregistered);
        Assert.Contains("not registered", (string?)unregistered.Body["error_description"]);
        Assert.Contains(Convert.ToHexString(SHA1.HashData(other.RawData)), (string?)unregistered.Body["error_description"]);
        // Wrong audience, expired, issuer not the client.
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 50027, await Redeem(Hand.Assertion(key, cert, appId, $"{Origin}/contoso/oauth2/v2.0/token")));
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 50027, await Redeem(Hand.Assertion(key, cert, appId, "https://login.microsoftonline.com/fabrikam.onmicrosoft.com/oauth2/v2.0/token")));
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 700024, await Redeem(Hand.Assertion(key, cert, appId, endpoint, exp: DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds())));
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 700021, await Redeem(Hand.Assertion(key, cert, appId, endpoint, issuer: Guid.NewGuid().ToString())));
        // Tampered payload.
        string good = Hand.Assertion(key, cert, appId, endpoint);
        string[] p = good.Split('.');
        string tampered = p[0] + "." + Hand.B64Url(Encoding.UTF8.GetBytes(Hand.Claims(good).ToJsonString().Replace("\"exp\":", "\"x\":1,\"exp\":"))) + "." + p[2];
        Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 700027, await Redeem(tampered));

        List<JsonObject> signIns = await _sandbox.SignInsAsync();
        Assert.DoesNotContain(signIns, r => r.ToJsonString().Contains(p[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Device_code_by_raw_http_pending_expired_denied_manual()
    {
        var start = new Dictionary<string, string> { ["client_id"] = Known.DefaultPublicClient, ["scope"] = Origin + "/.default offline_access openid profile" };
        try
        {
            (HttpStatusCode status, JsonObject dc) = await _sandbox.PostFormAsync("/organizations/oauth2/v2.0/devicecode", start);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(8, ((string)dc["user_code"]!).Length);
            Assert.Equal(Origin + "/devicelogin", (string?)dc["verification_uri"]);
            Assert.Equal(900, (int)dc["expires_in"]!);
            Assert.Equal(1, (int)dc["interval"]!);
            Assert.Equal($"To sign in, use a web browser to open the page {Origin}/devicelogin and enter the code {dc["user_code"]} to authenticate.", (string?)dc["message"]);
            var poll = new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
                ["client_id"] = Known.DefaultPublicClient,
                ["device_code"] = (string)dc["device_code"]!,
                ["client_info"] = "1",
            };
            Hand.AadError(HttpStatusCode.BadRequest, "authorization_pending", 70016, await TokenAsync("organizations", poll));
            (status, JsonObject token) = await TokenAsync("organizations", poll);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.False(string.IsNullOrEmpty((string?)token["refresh_token"]));
            Assert.False(string.IsNullOrEmpty((string?)token["id_token"]));
            JsonObject clientInfo = JsonNode.Parse(Hand.FromB64Url((string)token["client_info"]!))!.AsObject();
            Assert.Equal(Known.ContosoAdminOid, (string?)clientInfo["uid"]);
            Assert.Equal(Known.ContosoId, (string?)clientInfo["utid"]);
            Assert.Contains(Origin + "/Exchange.Manage", ((string)token["scope"]!).Split(' '));
            JsonObject id = Hand.Claims((string)token["id_token"]!);
            Assert.Equal(Known.ContosoAdmin, (string?)id["preferred_username"]);
            Assert.Equal(Known.DefaultPublicClient, (string?)id["aud"]);
            // A redeemed code cannot be used again.
            Assert.Equal("invalid_grant", (string?)(await TokenAsync("organizations", poll)).Body["error"]);

            // Expiry.
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/device-flow?mode=manual&expiresIn=1");
            (_, dc) = await _sandbox.PostFormAsync("/contoso/oauth2/v2.0/devicecode", start);
            poll["device_code"] = (string)dc["device_code"]!;
            Hand.AadError(HttpStatusCode.BadRequest, "authorization_pending", 70016, await TokenAsync("contoso", poll));
            _sandbox.Server.State.Clock.Advance(TimeSpan.FromSeconds(2)); // past the 1 s code, on the sandbox's clock
            Hand.AadError(HttpStatusCode.BadRequest, "expired_token", 70019, await TokenAsync("contoso", poll));

            // Manual approval, as a chosen user, through the control endpoint.
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/device-flow?mode=manual&expiresIn=900");
            (_, dc) = await _sandbox.PostFormAsync("/contoso/oauth2/v2.0/devicecode", start);
            poll["device_code"] = (string)dc["device_code"]!;
            for (int i = 0; i < 3; i++) Hand.AadError(HttpStatusCode.BadRequest, "authorization_pending", 70016, await TokenAsync("contoso", poll));
            JsonArray pending = (await _sandbox.ControlGetAsync("/_sandbox/device/pending")).AsArray();
            Assert.Contains(pending, n => (string?)n!["userCode"] == (string?)dc["user_code"]);
            await _sandbox.ControlAsync(HttpMethod.Post, $"/_sandbox/device/approve?user_code={dc["user_code"]}&upn={Known.ContosoHelpdesk}");
            (status, token) = await TokenAsync("contoso", poll);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(Known.ContosoHelpdesk, (string?)Hand.Claims((string)token["access_token"]!)["upn"]);

            // Denied after the first poll.
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/device-flow?mode=deny");
            (_, dc) = await _sandbox.PostFormAsync("/contoso/oauth2/v2.0/devicecode", start);
            poll["device_code"] = (string)dc["device_code"]!;
            Assert.Equal("authorization_pending", (string?)(await TokenAsync("contoso", poll)).Body["error"]);
            Assert.Equal("authorization_declined", (string?)(await TokenAsync("contoso", poll)).Body["error"]);

            // A confidential app cannot start a device flow without a credential.
            Hand.AadError(HttpStatusCode.Unauthorized, "invalid_client", 7000218,
                await _sandbox.PostFormAsync("/contoso/oauth2/v2.0/devicecode", new Dictionary<string, string>(start) { ["client_id"] = Known.ContosoApp }));
        }
        finally
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/device-flow?mode=auto&expiresIn=900");
        }
    }

    [Fact]
    public async Task Authorize_redirects_with_a_code_and_checks_pkce()
    {
        (string verifier, string challenge) = Hand.Pkce();
        string redirect = "http://localhost:5555/done";
        string scope = Uri.EscapeDataString(Origin + "/.default openid profile offline_access");
        string baseUrl = $"{Origin}/contoso/oauth2/v2.0/authorize?client_id={Known.DefaultPublicClient}&redirect_uri={Uri.EscapeDataString(redirect)}&scope={scope}&state=xyz";
        using HttpResponseMessage ok = await _sandbox.Http.GetAsync($"{baseUrl}&response_type=code&code_challenge={challenge}&code_challenge_method=S256&login_hint={Known.ContosoHelpdesk}");
        Assert.Equal(HttpStatusCode.Found, ok.StatusCode);
        Uri location = ok.Headers.Location!;
        Assert.StartsWith(redirect + "?", location.ToString(), StringComparison.Ordinal);
        var q = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("xyz", q["state"]);
        Assert.True(Guid.TryParse(q["session_state"], out _));
        string code = q["code"]!;

        var redeem = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = Known.DefaultPublicClient,
            ["code"] = code,
            ["redirect_uri"] = redirect,
            ["code_verifier"] = "not-the-verifier-" + verifier,
            ["scope"] = Origin + "/.default openid profile offline_access",
        };
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_grant", 501481, await TokenAsync("contoso", redeem));
        // The code is spent by the failed attempt, as Entra ID does.
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_grant", 54005, await TokenAsync("contoso", new(redeem) { ["code_verifier"] = verifier }));

        JsonObject token = await Hand.DelegatedTokenAsync(_sandbox, "contoso", Known.ContosoHelpdesk);
        JsonObject claims = Hand.Claims((string)token["access_token"]!);
        Assert.Equal(Known.ContosoHelpdesk, (string?)claims["upn"]);
        Assert.Equal("Exchange.Manage", (string?)claims["scp"]);
        Assert.Equal("user", (string?)claims["idtyp"]);
        Assert.Equal(Known.DefaultPublicClient, (string?)claims["azp"]);

        // Refresh: a new access token (and a new refresh token) for the same user.
        (HttpStatusCode status, JsonObject refreshed) = await TokenAsync("contoso", new()
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = Known.DefaultPublicClient,
            ["refresh_token"] = (string)token["refresh_token"]!,
            ["scope"] = Origin + "/.default offline_access",
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Known.ContosoHelpdesk, (string?)Hand.Claims((string)refreshed["access_token"]!)["upn"]);
        Assert.NotEqual((string?)token["refresh_token"], (string?)refreshed["refresh_token"]);
        Assert.Null(refreshed["id_token"]);
        Hand.AadError(HttpStatusCode.BadRequest, "invalid_grant", 70000, await TokenAsync("contoso", new()
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = Known.ContosoPublicApp,
            ["refresh_token"] = (string)token["refresh_token"]!,
            ["scope"] = Origin + "/.default",
        }));

        // Errors that cannot go back to the app are answered in place; the others come back on the redirect.
        using HttpResponseMessage badClient = await _sandbox.Http.GetAsync(baseUrl.Replace(Known.DefaultPublicClient, Guid.NewGuid().ToString()) + "&response_type=code");
        Assert.Equal(HttpStatusCode.BadRequest, badClient.StatusCode);
        Assert.Contains("AADSTS700016", await badClient.Content.ReadAsStringAsync());
        using HttpResponseMessage badRedirect = await _sandbox.Http.GetAsync(baseUrl.Replace(Uri.EscapeDataString(redirect), Uri.EscapeDataString("https://evil.example/cb")) + "&response_type=code");
        Assert.Equal(HttpStatusCode.BadRequest, badRedirect.StatusCode);
        Assert.Contains("AADSTS50011", await badRedirect.Content.ReadAsStringAsync());
        using HttpResponseMessage badType = await _sandbox.Http.GetAsync(baseUrl + "&response_type=token");
        Assert.Equal(HttpStatusCode.Found, badType.StatusCode);
        var err = System.Web.HttpUtility.ParseQueryString(badType.Headers.Location!.Query);
        Assert.Equal("unsupported_response_type", err["error"]);
        Assert.Equal("xyz", err["state"]);
        Assert.StartsWith("AADSTS", err["error_description"]);
    }

    [Fact]
    public async Task Managed_identity_endpoint_by_raw_http()
    {
        async Task<(HttpStatusCode, JsonObject)> Get(string query, string? header)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{_sandbox.Control}/msi/token?{query}");
            if (header != null) request.Headers.Add("X-IDENTITY-HEADER", header);
            using HttpResponseMessage response = await _sandbox.Http.SendAsync(request);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
        }
        string resource = Uri.EscapeDataString("https://outlook.office365.com");
        (HttpStatusCode status, JsonObject body) = await Get($"api-version=2019-08-01&resource={resource}", Known.IdentityHeader);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Bearer", (string?)body["token_type"]);
        Assert.Equal("https://outlook.office365.com", (string?)body["resource"]);
        Assert.Equal(Known.SystemAssignedAppId, (string?)body["client_id"]);
        Assert.True(long.TryParse((string?)body["expires_on"], out long expiresOn));
        Assert.InRange(expiresOn - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3500, 3601);
        Assert.Equal("https://outlook.office365.com", (string?)Hand.Claims((string)body["access_token"]!)["aud"]);

        (status, body) = await Get($"api-version=2019-08-01&resource={resource}&mi_res_id={Uri.EscapeDataString("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/sandbox/providers/Microsoft.ManagedIdentity/userAssignedIdentities/fabrikam-automation")}", Known.IdentityHeader);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Known.UserAssignedClientId, (string?)body["client_id"]);
        (status, body) = await Get($"api-version=2019-08-01&resource={resource}&object_id={Known.UserAssignedPrincipal}", Known.IdentityHeader);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Known.FabrikamId, (string?)Hand.Claims((string)body["access_token"]!)["tid"]);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Get($"api-version=2019-08-01&resource={resource}", null)).Item1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get($"api-version=2019-08-01&resource={resource}", "wrong")).Item1);
        (status, body) = await Get($"api-version=2019-08-01&resource={resource}&client_id={Guid.NewGuid()}", Known.IdentityHeader);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(400, (int)body["statusCode"]!);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get($"api-version=2017-09-01&resource={resource}", Known.IdentityHeader)).Item1);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get("api-version=2019-08-01", Known.IdentityHeader)).Item1);
    }
}
