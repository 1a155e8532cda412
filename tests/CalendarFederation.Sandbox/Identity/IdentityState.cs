using System.Collections.Concurrent;
using System.Security.Cryptography;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Identity;

public enum DeviceFlowMode
{
    /// <summary>The code is approved after the client's first poll, as the tenant's first user (or the chosen one).</summary>
    Auto,
    /// <summary>Pending until POST /_sandbox/device/approve.</summary>
    Manual,
    /// <summary>Declined after the client's first poll.</summary>
    Deny,
}

/// <summary>What the token endpoint does with a requested scope the tenant has not consented to for the client.</summary>
public enum ConsentMode
{
    /// <summary>The token is issued without it (so the API answers 403): the "missing scope" case.</summary>
    Omit,
    /// <summary>The request fails with invalid_grant AADSTS65001 (suberror consent_required), as Entra ID does.</summary>
    Error,
}

public enum AuthorizeMode
{
    /// <summary>The user signs in at once and the code comes back.</summary>
    Auto,
    /// <summary>The user declines consent: error=access_denied.</summary>
    Deny,
    /// <summary>The user closes the page: error=access_denied with error_subcode=cancel.</summary>
    Cancel,
}

/// <summary>What the Entra ID stand-in remembers: knobs, pending codes, refresh tokens, and the sign-ins it saw.</summary>
public sealed class IdentityState
{
    /// <summary>ExchangeOnlineManagement's public client; every sandbox tenant accepts it.</summary>
    public static readonly Guid DefaultPublicClientId = Guid.Parse("fb78d390-0c51-40cd-8e17-fdbfab77341b");

    /// <summary>Microsoft Graph Command Line Tools (Connect-MgGraph's public client); every sandbox tenant accepts it too.</summary>
    public static readonly Guid GraphCommandLineToolsId = Guid.Parse("14d82eec-204b-4c2f-b7e8-296a70dab67e");

    /// <summary>Delegated permissions every tenant consented to for ExchangeOnlineManagement's client, unless sandbox.json says otherwise.</summary>
    public static readonly IReadOnlyList<string> DefaultExchangeClientConsent = new[] { "Exchange.Manage" };

    /// <summary>Delegated permissions every tenant consented to for Graph Command Line Tools, unless sandbox.json says otherwise.</summary>
    public static readonly IReadOnlyList<string> DefaultGraphClientConsent = new[]
    {
        "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess", "Policy.ReadWrite.CrossTenantCapability", "CrossTenantInformation.ReadBasic.All",
        "Calendars.ReadBasic", "User.Read",
    };

    /// <summary>What an app with no consent entry is consented to: Exchange.Manage (what the sandbox always granted).</summary>
    public static readonly IReadOnlyList<string> DefaultAppConsent = new[] { "Exchange.Manage" };

    private readonly ConcurrentDictionary<(Guid Tenant, Guid Client), string[]> _consents = new();

    private readonly SandboxConfig _config;
    private readonly ConcurrentQueue<SignInRecord> _signIns = new();
    private long _sequence;

    public IdentityState(SandboxConfig config, SandboxClock clock)
    {
        _config = config;
        Clock = clock;
        Tokens = new TokenService(clock);
        TokenLifetimeSeconds = config.TokenLifetimeSeconds;
    }

    public TokenService Tokens { get; }

    /// <summary>The sandbox's clock (token times, code expiry); see <see cref="SandboxClock"/>.</summary>
    public SandboxClock Clock { get; }

    public int TokenLifetimeSeconds { get; set; }

    public DeviceFlowMode DeviceFlowMode { get; set; }

    /// <summary>In Auto mode, approve as this user instead of the tenant's first one.</summary>
    public string? DeviceFlowUpn { get; set; }

    public int DeviceCodeLifetimeSeconds { get; set; } = 900;

    public AuthorizeMode AuthorizeMode { get; set; }

    /// <summary>Sign in interactively as this user when the request has no usable login_hint.</summary>
    public string? AuthorizeUpn { get; set; }

    public ConcurrentDictionary<string, DeviceCodeEntry> DeviceCodes { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, AuthorizationCodeEntry> AuthorizationCodes { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, RefreshTokenEntry> RefreshTokens { get; } = new(StringComparer.Ordinal);

    /// <summary>What the token endpoint does with scopes that were not consented to.</summary>
    public ConsentMode ConsentMode { get; set; }

    /// <summary>The delegated permissions <paramref name="tenant"/> consented to for <paramref name="clientId"/>.</summary>
    public IReadOnlyList<string> Consented(TenantConfig tenant, string clientId)
    {
        if (!Guid.TryParse(clientId, out Guid client)) return Array.Empty<string>();
        if (_consents.TryGetValue((tenant.Id, client), out string[]? set)) return set;
        foreach ((string key, List<string> scopes) in tenant.Consents)
        {
            if (Guid.TryParse(key, out Guid k) && k == client) return scopes;
        }
        if (client == DefaultPublicClientId) return DefaultExchangeClientConsent;
        if (client == GraphCommandLineToolsId) return DefaultGraphClientConsent;
        return DefaultAppConsent;
    }

    /// <summary>Replaces a client's consent in a tenant (until reset); null goes back to the configured one.</summary>
    public void SetConsent(TenantConfig tenant, Guid clientId, IEnumerable<string>? scopes)
    {
        if (scopes == null) _consents.TryRemove((tenant.Id, clientId), out _);
        else _consents[(tenant.Id, clientId)] = scopes.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    public void ResetKnobs()
    {
        ConsentMode = ConsentMode.Omit;
        _consents.Clear();
        TokenLifetimeSeconds = _config.TokenLifetimeSeconds;
        DeviceFlowMode = DeviceFlowMode.Auto;
        DeviceFlowUpn = null;
        DeviceCodeLifetimeSeconds = 900;
        AuthorizeMode = AuthorizeMode.Auto;
        AuthorizeUpn = null;
    }

    public void RevokeRefreshTokens(Guid? userObjectId = null)
    {
        foreach (RefreshTokenEntry entry in RefreshTokens.Values)
        {
            if (userObjectId == null || entry.Subject.ObjectId == userObjectId) entry.Revoked = true;
        }
    }

    public SignInRecord Record(SignInRecord record)
    {
        record.Sequence = Interlocked.Increment(ref _sequence);
        _signIns.Enqueue(record);
        while (_signIns.Count > 5000 && _signIns.TryDequeue(out _)) { }
        return record;
    }

    public IReadOnlyList<SignInRecord> SignIns => _signIns.ToArray();

    public void ClearSignIns() => _signIns.Clear();

    public static string NewOpaque(int bytes = 32) => Jwt.Base64UrlEncode(RandomNumberGenerator.GetBytes(bytes));

    // ---- directory look-ups (apps can be registered at run time, so lists are read under their lock) ----

    public static AppConfig? FindApp(TenantConfig tenant, string? clientId)
    {
        if (!Guid.TryParse(clientId, out Guid id)) return null;
        lock (tenant.Apps)
        {
            AppConfig? app = tenant.Apps.FirstOrDefault(a => a.AppId == id);
            if (app != null) return app;
        }
        if (id == DefaultPublicClientId)
        {
            return new AppConfig { AppId = id, DisplayName = "Microsoft Exchange REST API Based Powershell", PublicClient = true, ObjectId = id };
        }
        if (id == GraphCommandLineToolsId)
        {
            return new AppConfig { AppId = id, DisplayName = "Microsoft Graph Command Line Tools", PublicClient = true, ObjectId = id };
        }
        return null;
    }

    /// <summary>
    /// The Entra directory roles of an app-only caller's service principal in <paramref name="tenant"/>: a registered
    /// app's <c>directoryRoles</c>, or a managed identity's. Read from the directory at call time, as for users.
    /// </summary>
    public IReadOnlyList<string> ServicePrincipalRoles(TenantConfig tenant, string? appId, Guid objectId)
    {
        if (Guid.TryParse(appId, out Guid id))
        {
            lock (tenant.Apps)
            {
                AppConfig? app = tenant.Apps.FirstOrDefault(a => a.AppId == id);
                if (app != null) return app.DirectoryRoles.ToArray();
            }
        }
        ManagedIdentityConfig? mi = _config.ManagedIdentity;
        if (mi != null)
        {
            IEnumerable<ManagedIdentityPrincipal> principals = mi.UserAssigned;
            if (mi.SystemAssigned != null) principals = principals.Prepend(mi.SystemAssigned);
            foreach (ManagedIdentityPrincipal p in principals)
            {
                if (p.PrincipalId == objectId && _config.FindTenant(p.Tenant)?.Id == tenant.Id) return mi.DirectoryRoles.ToArray();
            }
        }
        return Array.Empty<string>();
    }

    public static List<string> AppCertificates(AppConfig app)
    {
        lock (app.Certificates) return app.Certificates.ToList();
    }

    public static UserConfig? FindUser(TenantConfig tenant, string? upn)
    {
        if (string.IsNullOrWhiteSpace(upn)) return null;
        lock (tenant.Users) return tenant.Users.FirstOrDefault(u => string.Equals(u.Upn, upn, StringComparison.OrdinalIgnoreCase));
    }

    public static UserConfig? FindUser(TenantConfig tenant, Guid objectId)
    {
        lock (tenant.Users) return tenant.Users.FirstOrDefault(u => u.ObjectId == objectId);
    }

    public static UserConfig? FirstUser(TenantConfig tenant)
    {
        lock (tenant.Users) return tenant.Users.FirstOrDefault();
    }

    /// <summary>Partner tenants listed in <paramref name="tenant"/>'s delegatedAdmins (GDAP).</summary>
    public IEnumerable<TenantConfig> Partners(TenantConfig tenant) =>
        tenant.DelegatedAdmins.Select(_config.FindTenant).Where(t => t != null && t.Id != tenant.Id).Select(t => t!);

    /// <summary>
    /// A user who may sign in to <paramref name="tenant"/>: one of its own, or (GDAP) a user of a partner tenant
    /// that it lists in delegatedAdmins. Null tenant: any tenant's user.
    /// </summary>
    public (UserConfig User, TenantConfig Home)? ResolveUser(TenantConfig? tenant, string? upn)
    {
        if (string.IsNullOrWhiteSpace(upn)) return null;
        if (tenant == null)
        {
            foreach (TenantConfig t in _config.Tenants)
            {
                UserConfig? u = FindUser(t, upn);
                if (u != null) return (u, t);
            }
            return null;
        }
        UserConfig? own = FindUser(tenant, upn);
        if (own != null) return (own, tenant);
        foreach (TenantConfig partner in Partners(tenant))
        {
            UserConfig? u = FindUser(partner, upn);
            if (u != null) return (u, partner);
        }
        return null;
    }

    /// <summary>The user a sign-in without a usable hint lands on: the tenant's first user, or the first user anywhere.</summary>
    public (UserConfig User, TenantConfig Home)? DefaultUser(TenantConfig? tenant)
    {
        if (tenant != null)
        {
            UserConfig? first = FirstUser(tenant);
            return first == null ? null : (first, tenant);
        }
        foreach (TenantConfig t in _config.Tenants)
        {
            UserConfig? first = FirstUser(t);
            if (first != null) return (first, t);
        }
        return null;
    }

    public static TokenSubject UserSubject(UserConfig user, TenantConfig home) => new()
    {
        IsApp = false,
        ObjectId = user.ObjectId,
        HomeTenantId = home.Id,
        Upn = user.Upn,
        Name = user.DisplayName ?? user.Upn,
        Roles = user.Roles.ToArray(),
    };
}

public sealed class DeviceCodeEntry
{
    public required string DeviceCode { get; init; }
    public required string UserCode { get; init; }
    public required string ClientId { get; init; }
    /// <summary>Null when the flow started at /common or /organizations.</summary>
    public TenantConfig? Tenant { get; init; }
    public required ScopeRequest Scope { get; init; }
    public string? LoginHint { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public int Polls;
    /// <summary>"pending", "approved", "declined", "redeemed".</summary>
    public string Status { get; set; } = "pending";
    public (UserConfig User, TenantConfig Home)? ApprovedUser { get; set; }
}

public sealed class AuthorizationCodeEntry
{
    public required string ClientId { get; init; }
    public required string RedirectUri { get; init; }
    public required TenantConfig Tenant { get; init; }
    public required UserConfig User { get; init; }
    public required TenantConfig Home { get; init; }
    public required ScopeRequest Scope { get; init; }
    public string? CodeChallenge { get; init; }
    public string? CodeChallengeMethod { get; init; }
    public string? Nonce { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public int Redeemed;
}

public sealed class RefreshTokenEntry
{
    public required string ClientId { get; init; }
    public required TenantConfig Tenant { get; init; }
    public required TokenSubject Subject { get; init; }
    public DateTimeOffset IssuedAt { get; init; } = DateTimeOffset.UtcNow;
    public bool Revoked { get; set; }
}

/// <summary>One sign-in request as the sandbox saw it. Never holds a secret, an assertion, a code or a token.</summary>
public sealed class SignInRecord
{
    public long Sequence { get; set; }
    public DateTimeOffset Time { get; set; } = DateTimeOffset.UtcNow;
    /// <summary>"token", "devicecode", "authorize", "msi", "discovery", "openid-configuration", "keys".</summary>
    public string Endpoint { get; set; } = "";
    public string Method { get; set; } = "";
    public string Path { get; set; } = "";
    public string Scheme { get; set; } = "";
    public int Port { get; set; }
    /// <summary>The tenant segment as the client sent it.</summary>
    public string? Tenant { get; set; }
    public Guid? TenantId { get; set; }
    public string? GrantType { get; set; }
    public string? ClientId { get; set; }
    /// <summary>"secret", "assertion RS256", "assertion PS256", "none", "identity-header".</summary>
    public string? ClientAuthentication { get; set; }
    public string? Scope { get; set; }
    public string? Upn { get; set; }
    /// <summary>Names (never values) of the form fields or query parameters sent.</summary>
    public List<string> Fields { get; set; } = new();
    /// <summary>Header names of interest that were present (x-client-SKU etc.), with their values when harmless.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The request carried an Authorization header (anonymous endpoints must not get one).</summary>
    public bool HasAuthorization { get; set; }
    /// <summary>The request carried a Cookie header.</summary>
    public bool HasCookie { get; set; }
    public int Status { get; set; }
    public string? Error { get; set; }
    public long? ErrorCode { get; set; }
}
