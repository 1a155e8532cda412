using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using Microsoft.Extensions.Primitives;

namespace CalendarFederation.Sandbox.Identity;

/// <summary>
/// The Entra ID (Azure AD v2) stand-in: discovery, keys, the token endpoint (client credentials with secret or
/// certificate assertion, device code, authorization code with PKCE, refresh token), device authorization and a
/// UI-less authorize endpoint. Served on every listener; MSAL uses the https "good" one.
/// </summary>
public sealed class EntraEndpoints
{
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    private readonly SandboxState _state;

    public EntraEndpoints(SandboxState state) => _state = state;

    private IdentityState Id => _state.Identity;

    private SandboxConfig Config => _state.Config;

    public void Map(WebApplication app)
    {
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext ctx, string tenant) => OpenIdConfigurationAsync(ctx, tenant, v2: true));
        app.MapGet("/{tenant}/.well-known/openid-configuration", (HttpContext ctx, string tenant) => OpenIdConfigurationAsync(ctx, tenant, v2: false));
        app.MapGet("/{tenant}/discovery/instance", InstanceDiscoveryAsync);
        app.MapGet("/{tenant}/discovery/v2.0/keys", KeysAsync);
        app.MapGet("/{tenant}/discovery/keys", KeysAsync);
        app.MapPost("/{tenant}/oauth2/v2.0/token", TokenAsync);
        app.MapPost("/{tenant}/oauth2/v2.0/devicecode", DeviceCodeAsync);
        app.MapGet("/{tenant}/oauth2/v2.0/authorize", AuthorizeAsync);
        app.MapGet("/{tenant}/oauth2/v2.0/logout", Logout);
        app.MapGet("/devicelogin", DeviceLoginPage);
        app.MapPost("/devicelogin", (Delegate)DeviceLoginSubmitAsync);
    }

    /// <summary>
    /// The origin URLs are built on: the request's scheme://host:port, except that a virtual host (a Host header
    /// that is not loopback, as when a test routes login.microsoftonline.com or outlook.office365.com to the
    /// sandbox over plain http) stands for the real https service.
    /// </summary>
    public static string Origin(HttpContext ctx)
    {
        string host = ctx.Request.Host.Host;
        bool loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out System.Net.IPAddress? ip) && System.Net.IPAddress.IsLoopback(ip));
        return $"{(loopback ? ctx.Request.Scheme : "https")}://{ctx.Request.Host}";
    }

    private static bool IsMultiTenant(string key) =>
        key.Equals("common", StringComparison.OrdinalIgnoreCase) || key.Equals("organizations", StringComparison.OrdinalIgnoreCase);

    /// <summary>The route's tenant: null with multi=true for /common and /organizations; an error for an unknown one.</summary>
    private TenantConfig? ResolveTenant(string key, out bool multi, out AadError? error)
    {
        error = null;
        multi = IsMultiTenant(key);
        if (multi) return null;
        TenantConfig? tenant = Config.FindTenant(key);
        if (tenant == null) error = AadError.TenantNotFound(key);
        return tenant;
    }

    // ---------------------------------------------------------------- discovery

    /// <summary>The Microsoft account (consumer) tenant: what login.microsoftonline.com answers for outlook.com and /consumers.</summary>
    public static readonly Guid MicrosoftAccountTenantId = Guid.Parse("9188040d-6c67-4c5b-b112-36a304b66dad");

    /// <summary>
    /// The OpenID configuration of a tenant (any of its domains, its GUID or name), of /common and /organizations, and of
    /// the Microsoft account tenant (/consumers and consumer domains). v2 (/v2.0/.well-known/...) or v1 (/.well-known/...,
    /// issuer https://sts.windows.net/{tid}/). Anonymous: the log records whether credentials came with it.
    /// </summary>
    private async Task OpenIdConfigurationAsync(HttpContext ctx, string tenant, bool v2)
    {
        SignInRecord record = NewRecord(ctx, "openid-configuration", tenant);
        bool consumer = tenant.Equals("consumers", StringComparison.OrdinalIgnoreCase)
            || Config.ConsumerDomains.Any(d => d.Equals(tenant, StringComparison.OrdinalIgnoreCase))
            || (Guid.TryParse(tenant, out Guid g) && g == MicrosoftAccountTenantId);
        TenantConfig? t = null;
        bool multi = false;
        if (!consumer)
        {
            t = ResolveTenant(tenant, out multi, out AadError? error);
            if (error != null)
            {
                await WriteErrorAsync(ctx, record, error);
                return;
            }
        }
        string origin = Origin(ctx);
        Guid? tid = consumer ? MicrosoftAccountTenantId : t?.Id;
        string seg = multi || tenant.Equals("consumers", StringComparison.OrdinalIgnoreCase) ? tenant.ToLowerInvariant() : tid!.Value.ToString();
        string? regionScope = consumer ? null : t?.TenantRegionScope;
        string cloud = t?.CloudInstanceName ?? "microsoftonline.com";
        string graphHost = t?.MsGraphHost ?? "graph.microsoft.com";
        string aadGraph = t?.CloudGraphHostName ?? "graph.windows.net";
        JsonObject json = v2
            ? new JsonObject
            {
                ["token_endpoint"] = $"{origin}/{seg}/oauth2/v2.0/token",
                ["token_endpoint_auth_methods_supported"] = Array("client_secret_post", "private_key_jwt", "client_secret_basic"),
                ["jwks_uri"] = $"{origin}/{seg}/discovery/v2.0/keys",
                ["response_modes_supported"] = Array("query", "fragment", "form_post"),
                ["subject_types_supported"] = Array("pairwise"),
                ["id_token_signing_alg_values_supported"] = Array("RS256"),
                ["response_types_supported"] = Array("code", "id_token", "code id_token", "id_token token"),
                ["scopes_supported"] = Array("openid", "profile", "email", "offline_access"),
                ["issuer"] = tid == null ? origin + "/{tenantid}/v2.0" : TokenService.Issuer(origin, tid.Value),
                ["request_uri_parameter_supported"] = false,
                ["userinfo_endpoint"] = $"https://{graphHost}/oidc/userinfo",
                ["authorization_endpoint"] = $"{origin}/{seg}/oauth2/v2.0/authorize",
                ["device_authorization_endpoint"] = $"{origin}/{seg}/oauth2/v2.0/devicecode",
                ["http_logout_supported"] = true,
                ["frontchannel_logout_supported"] = true,
                ["end_session_endpoint"] = $"{origin}/{seg}/oauth2/v2.0/logout",
                ["claims_supported"] = Array("sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"),
                ["kerberos_endpoint"] = $"{origin}/{seg}/kerberos",
                ["code_challenge_methods_supported"] = Array("plain", "S256"),
                ["grant_types_supported"] = Array("authorization_code", "client_credentials", "refresh_token", DeviceCodeGrant),
            }
            : new JsonObject
            {
                ["token_endpoint"] = $"{origin}/{seg}/oauth2/token",
                ["token_endpoint_auth_methods_supported"] = Array("client_secret_post", "private_key_jwt", "client_secret_basic"),
                ["jwks_uri"] = $"{origin}/common/discovery/keys",
                ["response_modes_supported"] = Array("query", "fragment", "form_post"),
                ["subject_types_supported"] = Array("pairwise"),
                ["id_token_signing_alg_values_supported"] = Array("RS256"),
                ["response_types_supported"] = Array("code", "id_token", "code id_token", "token id_token", "token"),
                ["scopes_supported"] = Array("openid"),
                ["issuer"] = tid == null ? "https://sts.windows.net/{tenantid}/" : $"https://sts.windows.net/{tid}/",
                ["microsoft_multi_refresh_token"] = true,
                ["authorization_endpoint"] = $"{origin}/{seg}/oauth2/authorize",
                ["device_authorization_endpoint"] = $"{origin}/{seg}/oauth2/devicecode",
                ["http_logout_supported"] = true,
                ["frontchannel_logout_supported"] = true,
                ["end_session_endpoint"] = $"{origin}/{seg}/oauth2/logout",
                ["claims_supported"] = Array("sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"),
                ["check_session_iframe"] = $"{origin}/{seg}/oauth2/checksession",
                ["userinfo_endpoint"] = $"{origin}/{seg}/openid/userinfo",
                ["kerberos_endpoint"] = $"{origin}/{seg}/kerberos",
            };
        json["tenant_region_scope"] = regionScope;
        if (t?.TenantRegionSubScope != null) json["tenant_region_sub_scope"] = t.TenantRegionSubScope;
        json["cloud_instance_name"] = cloud;
        json["cloud_graph_host_name"] = aadGraph;
        json["msgraph_host"] = graphHost;
        json["rbac_url"] = "https://pas.windows.net";
        record.TenantId = tid;
        await WriteJsonAsync(ctx, record, 200, json);
    }

    private async Task InstanceDiscoveryAsync(HttpContext ctx, string tenant)
    {
        SignInRecord record = NewRecord(ctx, "discovery", tenant);
        string origin = Origin(ctx);
        string host = ctx.Request.Host.Value ?? "localhost";
        string tenantSegment = tenant;
        string? authorizationEndpoint = ctx.Request.Query["authorization_endpoint"];
        if (Uri.TryCreate(authorizationEndpoint, UriKind.Absolute, out Uri? authz))
        {
            host = authz.Authority;
            origin = $"{authz.Scheme}://{authz.Authority}";
            string first = authz.AbsolutePath.Trim('/').Split('/')[0];
            if (first.Length > 0) tenantSegment = first;
        }
        var json = new JsonObject
        {
            ["tenant_discovery_endpoint"] = $"{origin}/{tenantSegment}/v2.0/.well-known/openid-configuration",
            ["api-version"] = "1.1",
            ["metadata"] = new JsonArray(new JsonObject
            {
                ["preferred_network"] = host,
                ["preferred_cache"] = host,
                ["aliases"] = Array(host),
            }),
        };
        await WriteJsonAsync(ctx, record, 200, json);
    }

    private async Task KeysAsync(HttpContext ctx, string tenant)
    {
        SignInRecord record = NewRecord(ctx, "keys", tenant);
        ResolveTenant(tenant, out _, out AadError? error);
        if (error != null)
        {
            await WriteErrorAsync(ctx, record, error);
            return;
        }
        await WriteJsonAsync(ctx, record, 200, Id.Tokens.Jwks(Origin(ctx)));
    }

    // ---------------------------------------------------------------- token endpoint

    private async Task TokenAsync(HttpContext ctx, string tenant)
    {
        SignInRecord record = NewRecord(ctx, "token", tenant);
        if (!ctx.Request.HasFormContentType)
        {
            await WriteErrorAsync(ctx, record, AadError.MissingParameter("grant_type"));
            return;
        }
        IFormCollection form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        record.Fields = form.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        string grant = form["grant_type"].ToString();
        record.GrantType = grant;
        record.Scope = form["scope"].ToString();
        record.ClientId = form["client_id"].ToString();
        if (record.ClientId.Length == 0) record.ClientId = null;

        TenantConfig? t = ResolveTenant(tenant, out bool multi, out AadError? error);
        record.TenantId = t?.Id;
        if (error != null)
        {
            await WriteErrorAsync(ctx, record, error);
            return;
        }
        (int, JsonObject) Answer() => grant switch
        {
            "" => Fail(AadError.MissingParameter("grant_type")),
            "client_credentials" => ClientCredentials(ctx, record, form, t, multi),
            "device_code" or DeviceCodeGrant => DeviceCodeRedeem(ctx, record, form, t, multi),
            "authorization_code" => AuthorizationCodeRedeem(ctx, record, form, t, multi),
            "refresh_token" => RefreshTokenRedeem(ctx, record, form, t, multi),
            _ => Fail(AadError.UnsupportedGrant(grant)),
        };
        if (await ApplyFaultAsync(ctx, record, t, () => Answer())) return;
        (int status, JsonObject body) = Answer();
        await WriteJsonAsync(ctx, record, status, body);
    }

    /// <summary>
    /// A fault rule for the "identity" service (or with a matching PathPrefix) replaces or slows the answer. The real
    /// answer is computed only when the fault is built from it (truncated, missing fields, slow body).
    /// </summary>
    private async Task<bool> ApplyFaultAsync(HttpContext ctx, SignInRecord record, TenantConfig? tenant, Func<(int, JsonObject)> answer)
    {
        Faults.FaultRule? fault = _state.MatchFault("identity", ctx.Request.Method, ctx.Request.Host.Host, ctx.Connection.LocalPort, ctx.Request.Path, null, tenant, null);
        if (fault == null) return false;
        record.Error = "fault:" + fault.Id;
        bool handled = await Faults.JsonFaultWriter.ApplyAsync(ctx, fault, () =>
        {
            (int status, JsonObject body) = answer();
            return Task.FromResult((status, body.ToJsonString(Jwt.WireJson)));
        }, null);
        if (!handled)
        {
            record.Error = null;
            return false;
        }
        record.Status = ctx.Response.StatusCode;
        Id.Record(record);
        return true;
    }

    private static (int, JsonObject) Fail(AadError error) => (error.Status, error.ToJson());

    private (int, JsonObject) ClientCredentials(HttpContext ctx, SignInRecord record, IFormCollection form, TenantConfig? tenant, bool multi)
    {
        if (tenant == null) return Fail(AadError.NoTenant());
        ClientAuth? auth = AuthenticateClient(ctx, record, form, tenant, requireCredential: true, out AadError? error);
        if (auth == null) return Fail(error!);
        ScopeRequest? scope = ScopeRequest.Parse(form["scope"], Config, tenant.Name, clientCredentials: true, out error);
        if (scope == null) return Fail(error!);
        var subject = new TokenSubject
        {
            IsApp = true,
            ObjectId = auth.App.ObjectId,
            HomeTenantId = tenant.Id,
            // Application permissions of the resource's API only: Exchange.ManageAsApp for Exchange, Policy.* for Graph.
            Roles = auth.App.Roles.Where(r => ScopeRequest.ServesPermission(scope.Resource, r)).ToArray(),
            ClientAuthentication = auth.Acr,
        };
        string token = Id.Tokens.IssueAccessToken(Origin(ctx), tenant.Id, scope.Resource, auth.App.AppId.ToString(), subject, Id.TokenLifetimeSeconds, out _);
        return (200, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = Id.TokenLifetimeSeconds,
            ["ext_expires_in"] = Id.TokenLifetimeSeconds,
            ["access_token"] = token,
        });
    }

    private (int, JsonObject) DeviceCodeRedeem(HttpContext ctx, SignInRecord record, IFormCollection form, TenantConfig? tenant, bool multi)
    {
        string code = form["device_code"].ToString();
        if (code.Length == 0) code = form["code"].ToString();
        if (code.Length == 0) return Fail(AadError.MissingParameter("device_code"));
        if (!Id.DeviceCodes.TryGetValue(code, out DeviceCodeEntry? entry))
        {
            return Fail(new AadError(400, "invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid."));
        }
        if (!string.Equals(entry.ClientId, record.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(new AadError(400, "invalid_grant", 70000, "The device code was issued to a different client."));
        }
        if (!multi && entry.Tenant != null && tenant!.Id != entry.Tenant.Id)
        {
            return Fail(new AadError(400, "invalid_grant", 70000, "The device code was issued for a different tenant."));
        }
        ClientAuth? auth = AuthenticateClient(ctx, record, form, entry.Tenant ?? tenant ?? DefaultTenant(), requireCredential: false, out AadError? error);
        if (auth == null) return Fail(error!);

        lock (entry)
        {
            if (entry.Status == "redeemed")
            {
                return Fail(new AadError(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."));
            }
            if (Id.Clock.GetUtcNow() >= entry.ExpiresAt)
            {
                return Fail(new AadError(400, "expired_token", 70019, "Verification code expired."));
            }
            entry.Polls++;
            if (entry.Status == "pending" && entry.Polls >= 2)
            {
                if (Id.DeviceFlowMode == DeviceFlowMode.Auto)
                {
                    (UserConfig, TenantConfig)? user = Id.ResolveUser(entry.Tenant, entry.LoginHint ?? Id.DeviceFlowUpn) ?? Id.DefaultUser(entry.Tenant);
                    if (user == null) return Fail(AadError.NoUsers(entry.Tenant?.Name ?? "common"));
                    entry.ApprovedUser = user;
                    entry.Status = "approved";
                }
                else if (Id.DeviceFlowMode == DeviceFlowMode.Deny)
                {
                    entry.Status = "declined";
                }
            }
            if (entry.Status == "declined")
            {
                return Fail(new AadError(400, "authorization_declined", 70000, "The end user denied the authorization request."));
            }
            if (entry.Status == "pending")
            {
                return Fail(new AadError(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling."));
            }
            entry.Status = "redeemed";
        }
        (UserConfig u, TenantConfig home) = entry.ApprovedUser!.Value;
        TenantConfig tokenTenant = entry.Tenant ?? home;
        record.Upn = u.Upn;
        return DelegatedResponse(ctx, form, tokenTenant, IdentityState.UserSubject(u, home), auth.App.AppId.ToString(), entry.Scope, nonce: null);
    }

    private (int, JsonObject) AuthorizationCodeRedeem(HttpContext ctx, SignInRecord record, IFormCollection form, TenantConfig? tenant, bool multi)
    {
        string code = form["code"].ToString();
        if (code.Length == 0) return Fail(AadError.MissingParameter("code"));
        if (!Id.AuthorizationCodes.TryGetValue(code, out AuthorizationCodeEntry? entry))
        {
            return Fail(new AadError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."));
        }
        if (!multi && tenant!.Id != entry.Tenant.Id)
        {
            return Fail(new AadError(400, "invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant, thus rejected."));
        }
        if (!string.Equals(entry.ClientId, record.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(new AadError(400, "invalid_grant", 70000, "The provided authorization code was issued to a different client."));
        }
        ClientAuth? auth = AuthenticateClient(ctx, record, form, entry.Tenant, requireCredential: false, out AadError? error);
        if (auth == null) return Fail(error!);
        if (Interlocked.Exchange(ref entry.Redeemed, 1) == 1)
        {
            return Fail(new AadError(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."));
        }
        if (Id.Clock.GetUtcNow() >= entry.ExpiresAt)
        {
            return Fail(new AadError(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."));
        }
        if (!string.Equals(form["redirect_uri"].ToString(), entry.RedirectUri, StringComparison.Ordinal))
        {
            return Fail(new AadError(400, "invalid_grant", 50011, $"The redirect URI '{form["redirect_uri"]}' specified in the request does not match the redirect URI used in the authorization request."));
        }
        if (entry.CodeChallenge != null)
        {
            string verifier = form["code_verifier"].ToString();
            string computed = entry.CodeChallengeMethod == "plain" ? verifier : Jwt.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            if (verifier.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(entry.CodeChallenge)))
            {
                return Fail(new AadError(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."));
            }
        }
        record.Upn = entry.User.Upn;
        ScopeRequest scope = entry.Scope;
        if (!StringValues.IsNullOrEmpty(form["scope"]))
        {
            ScopeRequest? asked = ScopeRequest.Parse(form["scope"], Config, entry.Tenant.Name, clientCredentials: false, out error);
            if (asked == null) return Fail(error!);
            scope = asked;
        }
        return DelegatedResponse(ctx, form, entry.Tenant, IdentityState.UserSubject(entry.User, entry.Home), entry.ClientId, scope, entry.Nonce);
    }

    private (int, JsonObject) RefreshTokenRedeem(HttpContext ctx, SignInRecord record, IFormCollection form, TenantConfig? tenant, bool multi)
    {
        string rt = form["refresh_token"].ToString();
        if (rt.Length == 0) return Fail(AadError.MissingParameter("refresh_token"));
        if (!Id.RefreshTokens.TryGetValue(rt, out RefreshTokenEntry? entry))
        {
            return Fail(new AadError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."));
        }
        if (entry.Revoked)
        {
            return Fail(new AadError(400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."));
        }
        if (!multi && tenant!.Id != entry.Tenant.Id)
        {
            return Fail(new AadError(400, "invalid_grant", 700005, "Provided refresh token is intended to use against other tenant, thus rejected."));
        }
        if (!string.Equals(entry.ClientId, record.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(new AadError(400, "invalid_grant", 70000, "The refresh token was issued to a different client."));
        }
        ClientAuth? auth = AuthenticateClient(ctx, record, form, entry.Tenant, requireCredential: false, out AadError? error);
        if (auth == null) return Fail(error!);
        // The user must still exist; roles are read again so a role change shows in the next token.
        TenantConfig? home = Config.Tenants.FirstOrDefault(x => x.Id == entry.Subject.HomeTenantId);
        UserConfig? user = home == null ? null : IdentityState.FindUser(home, entry.Subject.ObjectId);
        if (user == null) return Fail(AadError.NoUsers(entry.Tenant.Name));
        ScopeRequest? scope = ScopeRequest.Parse(form["scope"], Config, entry.Tenant.Name, clientCredentials: false, out error);
        if (scope == null) return Fail(error!);
        record.Upn = user.Upn;
        return DelegatedResponse(ctx, form, entry.Tenant, IdentityState.UserSubject(user, home!), entry.ClientId, scope, nonce: null);
    }

    private (int, JsonObject) DelegatedResponse(HttpContext ctx, IFormCollection form, TenantConfig tokenTenant, TokenSubject subject, string clientId, ScopeRequest scope, string? nonce)
    {
        // Consent: the scopes the tenant consented to for this client; the others are left out, or fail the request.
        ScopeGrant grant = scope.Grant(Id.Consented(tokenTenant, clientId));
        if (grant.Missing.Count > 0 && Id.ConsentMode == ConsentMode.Error)
        {
            AppConfig? app = IdentityState.FindApp(tokenTenant, clientId);
            return Fail(AadError.ConsentRequired(clientId, app?.DisplayName));
        }
        string origin = Origin(ctx);
        int lifetime = Id.TokenLifetimeSeconds;
        string accessToken = Id.Tokens.IssueAccessToken(origin, tokenTenant.Id, scope.Resource, clientId, subject, lifetime, out _, grant.Scp);
        var json = new JsonObject
        {
            ["token_type"] = "Bearer",
            ["scope"] = grant.ResponseScope,
            ["expires_in"] = lifetime,
            ["ext_expires_in"] = lifetime,
            ["access_token"] = accessToken,
        };
        // As in Entra ID: a refresh token only with offline_access, an id token only with openid.
        if (scope.OidcScopes.Contains("offline_access"))
        {
            string rt = "1.ASandbox" + IdentityState.NewOpaque(48);
            Id.RefreshTokens[rt] = new RefreshTokenEntry { ClientId = clientId, Tenant = tokenTenant, Subject = subject };
            json["refresh_token"] = rt;
        }
        if (scope.OidcScopes.Contains("openid"))
        {
            json["id_token"] = Id.Tokens.IssueIdToken(origin, tokenTenant.Id, clientId, subject, nonce, lifetime);
        }
        if (form["client_info"] == "1")
        {
            json["client_info"] = Jwt.Base64UrlEncode(new JsonObject { ["uid"] = subject.ObjectId.ToString(), ["utid"] = subject.HomeTenantId.ToString() }.ToJsonString(CalendarFederation.Sandbox.Identity.Jwt.WireJson));
        }
        return (200, json);
    }

    private TenantConfig DefaultTenant() => Config.Tenants.FirstOrDefault(t => t.Users.Count > 0) ?? Config.Tenants.First();

    // ---------------------------------------------------------------- client authentication

    private sealed record ClientAuth(AppConfig App, string Acr);

    /// <summary>
    /// Finds the app and checks its credential: client_secret (post or basic) or a certificate-signed client
    /// assertion. Public clients (and the default public client) may present none unless <paramref name="requireCredential"/>.
    /// </summary>
    private ClientAuth? AuthenticateClient(HttpContext ctx, SignInRecord record, IFormCollection form, TenantConfig tenant, bool requireCredential, out AadError? error)
    {
        error = null;
        string? clientId = record.ClientId;
        string? secret = form["client_secret"];
        if (string.IsNullOrEmpty(secret)) secret = null;
        string authHeader = ctx.Request.Headers.Authorization.ToString();
        if (authHeader.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authHeader.Substring(6).Trim()));
                int colon = decoded.IndexOf(':');
                if (colon > 0)
                {
                    clientId ??= Uri.UnescapeDataString(decoded.Substring(0, colon));
                    secret ??= Uri.UnescapeDataString(decoded.Substring(colon + 1));
                    record.ClientId = clientId;
                }
            }
            catch (FormatException)
            {
                error = new AadError(401, "invalid_client", 7000215, "The Authorization header is not valid Basic credentials.");
                return null;
            }
        }
        string assertion = form["client_assertion"].ToString();
        string assertionType = form["client_assertion_type"].ToString();
        JwtParts? jwt = assertion.Length > 0 ? Jwt.Parse(assertion) : null;
        if (clientId == null && jwt != null) clientId = record.ClientId = jwt.Claim("iss");
        if (string.IsNullOrEmpty(clientId))
        {
            error = AadError.MissingParameter("client_id");
            return null;
        }
        AppConfig? app = IdentityState.FindApp(tenant, clientId);
        if (app == null)
        {
            error = AadError.UnknownApp(clientId, tenant.Name);
            return null;
        }
        if (secret != null && assertion.Length > 0)
        {
            error = new AadError(400, "invalid_request", 7000216, "Only one of 'client_assertion' and 'client_secret' may be presented.");
            return null;
        }
        if (secret != null)
        {
            record.ClientAuthentication = "secret";
            if (app.Secret == null && app.PublicClient)
            {
                error = AadError.PublicClientWithCredential();
                return null;
            }
            if (app.Secret == null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(app.Secret)))
            {
                error = AadError.InvalidSecret(clientId);
                return null;
            }
            return new ClientAuth(app, "1");
        }
        if (assertion.Length > 0)
        {
            record.ClientAuthentication = "assertion " + (jwt?.Alg ?? "?");
            if (assertionType != JwtBearerAssertionType)
            {
                error = new AadError(400, "invalid_request", 90014, "The request body must contain the following parameter: 'client_assertion_type'.");
                return null;
            }
            if (jwt == null)
            {
                error = AadError.InvalidJwt("The client assertion is not a JWT.");
                return null;
            }
            return CheckAssertion(ctx, jwt, app, tenant, clientId, out error) ? new ClientAuth(app, "2") : null;
        }
        record.ClientAuthentication = "none";
        if (requireCredential || !app.PublicClient)
        {
            error = AadError.CredentialRequired();
            return null;
        }
        return new ClientAuth(app, "0");
    }

    private bool CheckAssertion(HttpContext ctx, JwtParts jwt, AppConfig app, TenantConfig tenant, string clientId, out AadError? error)
    {
        error = null;
        if (jwt.Alg != "RS256" && jwt.Alg != "PS256")
        {
            error = AadError.InvalidJwt($"The signing algorithm '{jwt.Alg}' is not supported.");
            return false;
        }
        string? x5t = jwt.HeaderString("x5t");
        string? x5tS256 = jwt.HeaderString("x5t#S256");
        string? kid = jwt.HeaderString("kid");
        var candidates = new List<X509Certificate2>();
        try
        {
            foreach (string b64 in IdentityState.AppCertificates(app))
            {
                X509Certificate2 cert;
                try
                {
                    cert = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(b64));
                }
                catch (Exception ex) when (ex is FormatException || ex is CryptographicException)
                {
                    continue;
                }
                byte[] der = cert.RawData;
                string sha1 = Jwt.Base64UrlEncode(SHA1.HashData(der));
                string sha256 = Jwt.Base64UrlEncode(SHA256.HashData(der));
                string sha1Hex = Convert.ToHexString(SHA1.HashData(der));
                bool identified = x5t != null || x5tS256 != null || kid != null;
                bool matches = (x5t != null && x5t == sha1)
                    || (x5tS256 != null && x5tS256 == sha256)
                    || (kid != null && (kid == sha1 || kid == sha256 || string.Equals(kid, sha1Hex, StringComparison.OrdinalIgnoreCase)));
                if (!identified || matches) candidates.Add(cert);
                else cert.Dispose();
            }
            if (candidates.Count == 0)
            {
                string? shown = null;
                try
                {
                    shown = x5t != null ? Convert.ToHexString(Jwt.Base64UrlDecode(x5t)) : x5tS256 != null ? Convert.ToHexString(Jwt.Base64UrlDecode(x5tS256)) : kid;
                }
                catch (FormatException)
                {
                    shown = x5t ?? x5tS256 ?? kid;
                }
                error = AadError.UnknownCertificate(shown);
                return false;
            }
            bool verified = false;
            foreach (X509Certificate2 cert in candidates)
            {
                using RSA? key = cert.GetRSAPublicKey();
                if (key != null && Jwt.Verify(jwt, key))
                {
                    verified = true;
                    break;
                }
            }
            if (!verified)
            {
                error = AadError.BadAssertionSignature();
                return false;
            }
        }
        finally
        {
            foreach (X509Certificate2 c in candidates) c.Dispose();
        }

        if (!string.Equals(jwt.Claim("iss"), clientId, StringComparison.OrdinalIgnoreCase) || !string.Equals(jwt.Claim("sub"), clientId, StringComparison.OrdinalIgnoreCase))
        {
            error = AadError.AssertionSubject();
            return false;
        }
        long now = Jwt.Now();
        long? exp = jwt.NumericClaim("exp");
        long? nbf = jwt.NumericClaim("nbf");
        if (exp == null || exp < now - 300 || (nbf != null && nbf > now + 300))
        {
            error = AadError.AssertionTime();
            return false;
        }
        if (string.IsNullOrEmpty(jwt.Claim("jti")))
        {
            error = AadError.InvalidJwt("The 'jti' claim is missing.");
            return false;
        }
        IReadOnlyList<string> audiences = jwt.Claims("aud");
        if (!audiences.Any(a => IsOwnTokenAudience(ctx, a, tenant)))
        {
            error = AadError.InvalidJwt($"The audience '{string.Join(", ", audiences)}' is not this token endpoint.");
            return false;
        }
        return true;
    }

    /// <summary>
    /// A client assertion's aud: the token endpoint (or the v2 issuer, or the authority) on this host, for any
    /// spelling of this tenant (GUID, domain, name) or common/organizations.
    /// </summary>
    private bool IsOwnTokenAudience(HttpContext ctx, string aud, TenantConfig tenant)
    {
        if (!Uri.TryCreate(aud, UriKind.Absolute, out Uri? uri)) return false;
        if (!string.Equals(uri.Authority, ctx.Request.Host.Value, StringComparison.OrdinalIgnoreCase)) return false;
        string[] seg = uri.AbsolutePath.Trim('/').Split('/');
        if (seg.Length == 0) return false;
        bool tenantOk = IsMultiTenant(seg[0]) || Config.FindTenant(seg[0])?.Id == tenant.Id;
        if (!tenantOk) return false;
        string rest = string.Join('/', seg.Skip(1));
        return rest is "oauth2/v2.0/token" or "oauth2/token" or "v2.0" or "";
    }

    // ---------------------------------------------------------------- device authorization

    private async Task DeviceCodeAsync(HttpContext ctx, string tenant)
    {
        SignInRecord record = NewRecord(ctx, "devicecode", tenant);
        if (!ctx.Request.HasFormContentType)
        {
            await WriteErrorAsync(ctx, record, AadError.MissingParameter("client_id"));
            return;
        }
        IFormCollection form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        record.Fields = form.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        record.ClientId = form["client_id"].ToString();
        record.Scope = form["scope"].ToString();
        TenantConfig? t = ResolveTenant(tenant, out bool multi, out AadError? error);
        record.TenantId = t?.Id;
        if (error != null)
        {
            await WriteErrorAsync(ctx, record, error);
            return;
        }
        if (record.ClientId.Length == 0)
        {
            await WriteErrorAsync(ctx, record, AadError.MissingParameter("client_id"));
            return;
        }
        TenantConfig lookup = t ?? DefaultTenant();
        AppConfig? app = IdentityState.FindApp(lookup, record.ClientId);
        if (app == null)
        {
            await WriteErrorAsync(ctx, record, AadError.UnknownApp(record.ClientId, lookup.Name));
            return;
        }
        if (!app.PublicClient)
        {
            await WriteErrorAsync(ctx, record, AadError.CredentialRequired());
            return;
        }
        if (await ApplyFaultAsync(ctx, record, t, () => (500, new JsonObject()))) return;
        ScopeRequest? scope = ScopeRequest.Parse(form["scope"], Config, lookup.Name, clientCredentials: false, out error);
        if (scope == null)
        {
            await WriteErrorAsync(ctx, record, error!);
            return;
        }
        string userCode = NewUserCode();
        string deviceCode = "DAQABAAEAAAD" + IdentityState.NewOpaque(96);
        int expiresIn = Id.DeviceCodeLifetimeSeconds;
        string loginHint = form["login_hint"].ToString();
        Id.DeviceCodes[deviceCode] = new DeviceCodeEntry
        {
            DeviceCode = deviceCode,
            UserCode = userCode,
            ClientId = app.AppId.ToString(),
            Tenant = t,
            Scope = scope,
            LoginHint = loginHint.Length > 0 ? loginHint : null,
            ExpiresAt = Id.Clock.GetUtcNow().AddSeconds(expiresIn),
        };
        string verification = Origin(ctx) + "/devicelogin";
        await WriteJsonAsync(ctx, record, 200, new JsonObject
        {
            ["user_code"] = userCode,
            ["device_code"] = deviceCode,
            ["verification_uri"] = verification,
            ["expires_in"] = expiresIn,
            ["interval"] = 1,
            ["message"] = $"To sign in, use a web browser to open the page {verification} and enter the code {userCode} to authenticate.",
        });
    }

    private static string NewUserCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = new char[8];
        for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return new string(chars);
    }

    /// <summary>Approves (or declines) a pending device code as a user; the answer is an error text, or null on success.</summary>
    public string? DecideDeviceCode(string userCode, string? upn, bool approve)
    {
        DeviceCodeEntry? entry = Id.DeviceCodes.Values.FirstOrDefault(e => string.Equals(e.UserCode, userCode, StringComparison.OrdinalIgnoreCase));
        if (entry == null) return $"No device code with user code '{userCode}'.";
        lock (entry)
        {
            if (entry.Status != "pending") return $"The code is already {entry.Status}.";
            if (!approve)
            {
                entry.Status = "declined";
                return null;
            }
            (UserConfig, TenantConfig)? user = upn == null ? Id.DefaultUser(entry.Tenant) : Id.ResolveUser(entry.Tenant, upn);
            if (user == null) return $"User '{upn}' cannot sign in to {entry.Tenant?.Name ?? "this tenant"}.";
            entry.ApprovedUser = user;
            entry.Status = "approved";
        }
        return null;
    }

    private static IResult DeviceLoginPage() => Results.Content(
        "<html><head><title>Enter code</title></head><body><h1>Enter code</h1><form method=\"post\" action=\"/devicelogin\">" +
        "<input name=\"otc\" placeholder=\"Code\"/><input name=\"upn\" placeholder=\"someone@example.com\"/><button>Next</button></form></body></html>",
        "text/html; charset=utf-8");

    private async Task<IResult> DeviceLoginSubmitAsync(HttpContext ctx)
    {
        if (!ctx.Request.HasFormContentType) return Results.BadRequest();
        IFormCollection form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
        string upn = form["upn"].ToString();
        string? problem = DecideDeviceCode(form["otc"].ToString(), upn.Length > 0 ? upn : null, approve: true);
        return problem == null
            ? Results.Content("<html><body><p>You have signed in. You may now close this window.</p></body></html>", "text/html; charset=utf-8")
            : Results.Content($"<html><body><p>{System.Net.WebUtility.HtmlEncode(problem)}</p></body></html>", "text/html; charset=utf-8", statusCode: 400);
    }

    // ---------------------------------------------------------------- authorize (no UI)

    private async Task AuthorizeAsync(HttpContext ctx, string tenant)
    {
        SignInRecord record = NewRecord(ctx, "authorize", tenant);
        IQueryCollection q = ctx.Request.Query;
        record.Fields = q.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        record.ClientId = q["client_id"].ToString();
        record.Scope = q["scope"].ToString();
        record.GrantType = q["response_type"].ToString();
        TenantConfig? t = ResolveTenant(tenant, out bool multi, out AadError? error);
        record.TenantId = t?.Id;
        if (error != null)
        {
            await WriteErrorAsync(ctx, record, error);
            return;
        }
        string loginHint = q["login_hint"].ToString();
        (UserConfig User, TenantConfig Home)? hinted = loginHint.Length > 0 ? Id.ResolveUser(t, loginHint) : null;
        TenantConfig? lookup = t ?? (hinted?.Home) ?? (Id.AuthorizeUpn != null ? Id.ResolveUser(null, Id.AuthorizeUpn)?.Home : null) ?? DefaultTenant();
        AppConfig? app = IdentityState.FindApp(lookup, record.ClientId);
        if (app == null)
        {
            // No redirect: the redirect URI cannot be trusted for an unknown app.
            await WriteErrorAsync(ctx, record, record.ClientId.Length == 0 ? AadError.MissingParameter("client_id") : AadError.UnknownApp(record.ClientId, lookup.Name));
            return;
        }
        string redirectUri = q["redirect_uri"].ToString();
        if (!RedirectAllowed(ctx, app, redirectUri))
        {
            await WriteErrorAsync(ctx, record, new AadError(400, "invalid_request", 50011,
                $"The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{app.AppId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal."));
            return;
        }
        string state = q["state"].ToString();
        string responseMode = q["response_mode"].ToString();
        if (q["response_type"] != "code")
        {
            await RedirectAsync(ctx, record, redirectUri, responseMode, ErrorParams(new AadError(400, "unsupported_response_type", 700054, $"response_type '{q["response_type"]}' is not enabled for the application."), state));
            return;
        }
        ScopeRequest? scope = ScopeRequest.Parse(q["scope"], Config, lookup.Name, clientCredentials: false, out error);
        if (scope == null)
        {
            await RedirectAsync(ctx, record, redirectUri, responseMode, ErrorParams(error!, state));
            return;
        }
        string challenge = q["code_challenge"].ToString();
        string method = q["code_challenge_method"].ToString();
        if (challenge.Length > 0 && method.Length > 0 && method != "S256" && method != "plain")
        {
            await RedirectAsync(ctx, record, redirectUri, responseMode, ErrorParams(new AadError(400, "invalid_request", 50148, $"The code_challenge_method '{method}' is not supported; use S256."), state));
            return;
        }
        if (Id.AuthorizeMode == AuthorizeMode.Deny)
        {
            await RedirectAsync(ctx, record, redirectUri, responseMode, ErrorParams(new AadError(400, "access_denied", 65004, "User declined to consent to access the app."), state));
            return;
        }
        if (Id.AuthorizeMode == AuthorizeMode.Cancel)
        {
            var cancel = ErrorParams(new AadError(400, "access_denied", 50058, "The user has cancelled the sign-in."), state);
            cancel.Insert(1, ("error_subcode", "cancel"));
            await RedirectAsync(ctx, record, redirectUri, responseMode, cancel);
            return;
        }
        (UserConfig User, TenantConfig Home)? user = hinted
            ?? (Id.AuthorizeUpn != null ? Id.ResolveUser(t, Id.AuthorizeUpn) : null)
            ?? Id.DefaultUser(t);
        if (user == null)
        {
            await RedirectAsync(ctx, record, redirectUri, responseMode, ErrorParams(AadError.NoUsers(lookup.Name), state));
            return;
        }
        TenantConfig tokenTenant = t ?? user.Value.Home;
        string code = "1.ASandboxCode" + IdentityState.NewOpaque(48);
        Id.AuthorizationCodes[code] = new AuthorizationCodeEntry
        {
            ClientId = app.AppId.ToString(),
            RedirectUri = redirectUri,
            Tenant = tokenTenant,
            User = user.Value.User,
            Home = user.Value.Home,
            Scope = scope,
            CodeChallenge = challenge.Length > 0 ? challenge : null,
            CodeChallengeMethod = challenge.Length > 0 ? (method.Length > 0 ? method : "plain") : null,
            Nonce = q["nonce"].ToString() is { Length: > 0 } n ? n : null,
            ExpiresAt = Id.Clock.GetUtcNow().AddMinutes(10),
        };
        record.Upn = user.Value.User.Upn;
        var parameters = new List<(string, string)> { ("code", code) };
        if (state.Length > 0) parameters.Add(("state", state));
        parameters.Add(("session_state", Guid.NewGuid().ToString()));
        await RedirectAsync(ctx, record, redirectUri, responseMode, parameters);
    }

    private static List<(string, string)> ErrorParams(AadError error, string state)
    {
        var list = new List<(string, string)> { ("error", error.Error), ("error_description", error.Description) };
        if (state.Length > 0) list.Add(("state", state));
        return list;
    }

    private async Task RedirectAsync(HttpContext ctx, SignInRecord record, string redirectUri, string responseMode, List<(string Name, string Value)> parameters)
    {
        record.Error = parameters.FirstOrDefault(p => p.Name == "error").Value;
        string encoded = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value)));
        if (responseMode == "form_post")
        {
            var html = new StringBuilder($"<html><body onload=\"document.forms[0].submit()\"><form method=\"POST\" action=\"{System.Net.WebUtility.HtmlEncode(redirectUri)}\">");
            foreach ((string name, string value) in parameters)
            {
                html.Append($"<input type=\"hidden\" name=\"{System.Net.WebUtility.HtmlEncode(name)}\" value=\"{System.Net.WebUtility.HtmlEncode(value)}\"/>");
            }
            html.Append("</form></body></html>");
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "text/html; charset=utf-8";
            record.Status = 200;
            Id.Record(record);
            await ctx.Response.WriteAsync(html.ToString(), ctx.RequestAborted);
            return;
        }
        char separator = responseMode == "fragment" ? '#' : (redirectUri.Contains('?', StringComparison.Ordinal) ? '&' : '?');
        ctx.Response.StatusCode = 302;
        ctx.Response.Headers.Location = redirectUri + separator + encoded;
        ctx.Response.Headers.CacheControl = "no-store, no-cache";
        record.Status = 302;
        Id.Record(record);
    }

    private static bool RedirectAllowed(HttpContext ctx, AppConfig app, string redirectUri)
    {
        if (redirectUri.Length == 0) return false;
        if (app.RedirectUris.Any(r => string.Equals(r, redirectUri, StringComparison.Ordinal))) return true;
        if (!app.PublicClient) return false;
        if (Uri.TryCreate(redirectUri, UriKind.Absolute, out Uri? uri))
        {
            // Entra ID lets native clients use http://localhost on any port and path.
            if (uri.Scheme == "http" && (uri.Host == "localhost" || uri.Host == "127.0.0.1")) return true;
            if (app.AppId == IdentityState.DefaultPublicClientId)
            {
                if (redirectUri == "urn:ietf:wg:oauth:2.0:oob") return true;
                if (uri.AbsolutePath.Equals("/common/oauth2/nativeclient", StringComparison.OrdinalIgnoreCase)
                    && (uri.Authority == ctx.Request.Host.Value || uri.Host == "login.microsoftonline.com")) return true;
                if (redirectUri.StartsWith("ms-appx-web://microsoft.aad.brokerplugin/", StringComparison.OrdinalIgnoreCase)) return true;
            }
        }
        return false;
    }

    private static IResult Logout(HttpContext ctx, string tenant)
    {
        string post = ctx.Request.Query["post_logout_redirect_uri"].ToString();
        if (Uri.TryCreate(post, UriKind.Absolute, out _)) return Results.Redirect(post);
        return Results.Content("<html><body><p>You signed out of your account.</p></body></html>", "text/html; charset=utf-8");
    }

    // ---------------------------------------------------------------- plumbing

    private static JsonArray Array(params string[] values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static readonly string[] InterestingHeaders = { "x-client-SKU", "x-client-Ver", "x-client-OS", "x-client-current-telemetry", "x-app-name", "x-app-ver", "client-request-id", "return-client-request-id", "x-ms-lib-capability", "User-Agent" };

    private SignInRecord NewRecord(HttpContext ctx, string endpoint, string tenant)
    {
        var record = new SignInRecord
        {
            Endpoint = endpoint,
            Method = ctx.Request.Method,
            Path = ctx.Request.Path,
            Scheme = ctx.Request.Scheme,
            Port = ctx.Connection.LocalPort,
            Tenant = tenant,
            HasAuthorization = ctx.Request.Headers.ContainsKey("Authorization"),
            HasCookie = ctx.Request.Headers.ContainsKey("Cookie"),
        };
        if (endpoint is "discovery" or "openid-configuration" or "keys") record.Fields = ctx.Request.Query.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        foreach (string h in InterestingHeaders)
        {
            if (ctx.Request.Headers.TryGetValue(h, out StringValues v)) record.Headers[h] = v.ToString();
        }
        return record;
    }

    private Task WriteErrorAsync(HttpContext ctx, SignInRecord record, AadError error) => WriteJsonAsync(ctx, record, error.Status, error.ToJson());

    private async Task WriteJsonAsync(HttpContext ctx, SignInRecord record, int status, JsonObject body)
    {
        record.Status = status;
        if (body["error"] is JsonValue err)
        {
            record.Error = err.GetValue<string>();
            if (body["error_codes"] is JsonArray codes && codes.Count > 0) record.ErrorCode = codes[0]!.GetValue<long>();
        }
        Id.Record(record);
        await WriteJsonResponseAsync(ctx, status, body);
    }

    public static async Task WriteJsonResponseAsync(HttpContext ctx, int status, JsonNode body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store, no-cache";
        ctx.Response.Headers.Pragma = "no-cache";
        ctx.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        string? crid = ctx.Request.Headers["client-request-id"];
        if (!string.IsNullOrEmpty(crid)) ctx.Response.Headers["client-request-id"] = crid;
        byte[] bytes = Encoding.UTF8.GetBytes(body.ToJsonString(CalendarFederation.Sandbox.Identity.Jwt.WireJson));
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }
}
