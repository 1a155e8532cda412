using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Faults;
using System.Text.Json.Serialization;

namespace CalendarFederation.Sandbox.Model;

/// <summary>The JSON description of the sandbox's world: tenants, virtual hosts and standing faults.</summary>
public sealed class SandboxConfig
{
    public List<TenantConfig> Tenants { get; set; } = new();

    /// <summary>
    /// Virtual hosts, keyed by the Host header's name (no port). A loopback host that is not listed acts as
    /// the cloud's Microsoft-hosted Autodiscover endpoint and answers for every tenant.
    /// </summary>
    public Dictionary<string, HostConfig> Hosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public List<FaultRule> Faults { get; set; } = new();

    /// <summary>Latency added to every request (the benchmark's knob).</summary>
    public int LatencyMs { get; set; }

    /// <summary>Lifetime of the access tokens the Entra ID stand-in issues; PUT /_sandbox/token-lifetime changes it at run time.</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>The Azure App Service managed identity endpoint (GET /msi/token); null answers 404.</summary>
    public ManagedIdentityConfig? ManagedIdentity { get; set; }

    /// <summary>
    /// Resources (token audiences) the sign-in service knows besides its own origins. Any http(s) URL on a loopback
    /// host is known too, so a client can ask for "https://localhost:&lt;port&gt;/.default".
    /// </summary>
    public List<string> Resources { get; set; } = new()
    {
        "https://outlook.office365.com", "https://outlook.office.com", "https://outlook.office365.us",
        "https://outlook-dod.office365.us", "https://partner.outlook.cn", "https://graph.microsoft.com",
        "https://graph.microsoft.us", "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn",
    };

    /// <summary>
    /// Consumer (Microsoft account) domains: their OpenID configuration is the Microsoft account tenant's
    /// (9188040d-6c67-4c5b-b112-36a304b66dad), as login.microsoftonline.com answers for outlook.com.
    /// </summary>
    public List<string> ConsumerDomains { get; set; } = new() { "outlook.com", "hotmail.com", "live.com", "msn.com", "passport.com" };

    /// <summary>
    /// After 2027-04-01: EWS is off for good, so free/busy through organization relationships (and sharing policies)
    /// fails for every tenant, whatever EwsEnabled says. PUT /_sandbox/ews-retired changes it at run time.
    /// </summary>
    public bool EwsRetired { get; set; }

    /// <summary>
    /// A generated fleet of tenants added at load (Fleet/FleetSeed.cs): {"tenants": 50, "seed": 1}. The command line's
    /// --fleet N does the same.
    /// </summary>
    public Fleet.FleetOptions? Fleet { get; set; }

    /// <summary>The fleet <see cref="AddFleet"/> generated (GET /_sandbox/fleet shows it); null when none was.</summary>
    [JsonIgnore]
    public Fleet.FleetWorld? GeneratedFleet { get; private set; }

    /// <summary>Generates the fleet and adds its tenants and standing faults; call before the server starts.</summary>
    public Fleet.FleetWorld AddFleet(Fleet.FleetOptions options)
    {
        if (GeneratedFleet != null) throw new InvalidOperationException("A fleet was already generated for this configuration.");
        Fleet.FleetWorld world = CalendarFederation.Sandbox.Fleet.FleetSeed.Generate(options);
        Tenants.AddRange(world.Tenants);
        Faults.AddRange(world.Faults);
        GeneratedFleet = world;
        return world;
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static SandboxConfig Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        SandboxConfig config = JsonSerializer.Deserialize<SandboxConfig>(stream, Json)
            ?? throw new InvalidDataException($"{path} holds no sandbox configuration.");
        config.Hosts = new Dictionary<string, HostConfig>(config.Hosts, StringComparer.OrdinalIgnoreCase);
        foreach (TenantConfig t in config.Tenants) t.Consents = new Dictionary<string, List<string>>(t.Consents, StringComparer.OrdinalIgnoreCase);
        if (config.Fleet != null) config.AddFleet(config.Fleet);
        config.Validate();
        return config;
    }

    public void Validate()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ids = new HashSet<Guid>();
        var upns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (TenantConfig t in Tenants)
        {
            if (string.IsNullOrWhiteSpace(t.Name)) throw new InvalidDataException("Every tenant needs a name.");
            if (!ids.Add(t.Id)) throw new InvalidDataException($"Tenant id {t.Id} is used twice.");
            foreach (string d in t.Domains)
            {
                if (!seen.Add(d)) throw new InvalidDataException($"Domain {d} belongs to two tenants.");
            }
            foreach (UserConfig u in t.Users)
            {
                if (string.IsNullOrWhiteSpace(u.Upn)) throw new InvalidDataException($"A user of tenant {t.Name} has no upn.");
                if (!upns.Add(u.Upn)) throw new InvalidDataException($"User {u.Upn} is listed twice.");
            }
            foreach (MailboxConfig m in t.Mailboxes)
            {
                m.Validate(t);
                if (!addresses.Add(m.Address)) throw new InvalidDataException($"Mailbox {m.Address} is listed twice.");
            }
            var groupNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (GroupConfig g in t.Groups)
            {
                g.Validate(t);
                if (!groupNames.Add(g.Name)) throw new InvalidDataException($"Group {g.Name} is listed twice in tenant {t.Name}.");
                if (!string.IsNullOrEmpty(g.Address) && !addresses.Add(g.Address)) throw new InvalidDataException($"Address {g.Address} is used twice.");
            }
            var appIds = new HashSet<Guid>();
            foreach (AppConfig a in t.Apps)
            {
                if (!appIds.Add(a.AppId)) throw new InvalidDataException($"App {a.AppId} is registered twice in tenant {t.Name}.");
            }
            foreach (string clientId in t.Consents.Keys)
            {
                if (!Guid.TryParse(clientId, out _)) throw new InvalidDataException($"Tenant {t.Name}: consents key '{clientId}' is not a client id (GUID).");
            }
            var forests = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (AvailabilityAddressSpaceConfig a in t.AvailabilityAddressSpaces)
            {
                if (string.IsNullOrWhiteSpace(a.ForestName) || !forests.Add(a.ForestName)) throw new InvalidDataException($"Tenant {t.Name}: availability address space '{a.ForestName}' is empty or listed twice.");
            }
            ValidateRelationships(t);
            // The legacy objects and the cross-tenant access policy are built as the sandbox will build them, to fail at start.
            _ = new AdminApi.LegacySharingState(t);
            try
            {
                Graph.CrossTenantAccessPolicy.FromConfig(t);
            }
            catch (Graph.GraphException ex)
            {
                throw new InvalidDataException($"Tenant {t.Name}: crossTenantAccess: {ex.Message}", ex);
            }
            if (t.SharingPolicies != null)
            {
                var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (SharingPolicyConfig sp in t.SharingPolicies)
                {
                    if (string.IsNullOrWhiteSpace(sp.Name) || !names.Add(sp.Name)) throw new InvalidDataException($"Tenant {t.Name}: sharing policy '{sp.Name}' is empty or listed twice.");
                }
                if (t.SharingPolicies.Count(sp => sp.Default) > 1) throw new InvalidDataException($"Tenant {t.Name}: only one sharing policy can be the default.");
            }
        }
    }

    private static void ValidateRelationships(TenantConfig t)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var domains = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (AdminApi.OrganizationRelationship r in t.OrganizationRelationships)
        {
            if (string.IsNullOrWhiteSpace(r.Name) || !names.Add(r.Name)) throw new InvalidDataException($"Tenant {t.Name}: organization relationship '{r.Name}' is empty or listed twice.");
            if (r.DomainNames.Count == 0) throw new InvalidDataException($"Tenant {t.Name}: organization relationship '{r.Name}' has no domainNames.");
            // Exchange keeps a domain in one relationship only (DuplicateOrganizationRelationshipDomainException).
            foreach (string d in r.DomainNames)
            {
                if (!domains.Add(d)) throw new InvalidDataException($"Tenant {t.Name}: domain {d} is in two organization relationships.");
            }
        }
    }

    public TenantConfig? FindTenantByDomain(string domain) =>
        Tenants.FirstOrDefault(t => t.Domains.Any(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase)));

    /// <summary>A tenant by its GUID, any of its domains (the initial one included) or its name.</summary>
    public TenantConfig? FindTenant(string? key)
    {
        if (string.IsNullOrWhiteSpace(key)) return null;
        if (Guid.TryParse(key, out Guid id)) return Tenants.FirstOrDefault(t => t.Id == id);
        return FindTenantByDomain(key)
            ?? Tenants.FirstOrDefault(t => string.Equals(t.InitialDomain, key, StringComparison.OrdinalIgnoreCase))
            ?? Tenants.FirstOrDefault(t => string.Equals(t.Name, key, StringComparison.OrdinalIgnoreCase));
    }
}

public sealed class TenantConfig
{
    public string Name { get; set; } = "";
    public Guid Id { get; set; } = Guid.NewGuid();
    /// <summary>The tenant's *.onmicrosoft.com domain.</summary>
    public string? InitialDomain { get; set; }
    public List<string> Domains { get; set; } = new();
    public bool Federated { get; set; } = true;
    public string ApplicationUri { get; set; } = "outlook.com";
    public List<TokenIssuerConfig> TokenIssuers { get; set; } = new()
    {
        new TokenIssuerConfig { Uri = "urn:federation:MicrosoftOnline", Endpoint = "https://login.microsoftonline.com/extSTS.srf" },
    };
    /// <summary>Before Exchange Online's 2025 change every federated domain came back; since then only the queried one.</summary>
    public bool ReturnAllDomains { get; set; }
    /// <summary>Forces this ErrorCode for every query about the tenant's domains.</summary>
    public string? ErrorCode { get; set; }
    public int LatencyMs { get; set; }

    // Entra ID and Exchange Online

    /// <summary>Shown as the organization's display name; the tenant name when absent.</summary>
    public string? DisplayName { get; set; }
    /// <summary>The accepted domain marked Default; InitialDomain (or the first domain) when absent.</summary>
    public string? DefaultDomain { get; set; }
    /// <summary>(Get-OrganizationConfig).IsDehydrated: true until Enable-OrganizationCustomization has run.</summary>
    public bool IsDehydrated { get; set; }
    public List<UserConfig> Users { get; set; } = new();
    public List<AppConfig> Apps { get; set; } = new();
    /// <summary>Partner tenants (GUID, domain or name) whose users may administer this tenant (GDAP).</summary>
    public List<string> DelegatedAdmins { get; set; } = new();
    /// <summary>How long Enable-OrganizationCustomization keeps the tenant hydrating (IsDehydrated still true); 0 = done at once.</summary>
    public int HydrationSeconds { get; set; }
    /// <summary>Enable-OrganizationCustomization answers "This operation is not available in current Service Offer".</summary>
    public bool CustomizationUnavailable { get; set; }
    /// <summary>Exchange mailboxes (users and rooms) with their calendars, for the admin API and free/busy.</summary>
    public List<MailboxConfig> Mailboxes { get; set; } = new();
    /// <summary>Mail-enabled groups (FreeBusyAccessScope and the like).</summary>
    public List<GroupConfig> Groups { get; set; } = new();

    // OpenID configuration: the cloud the tenant lives in (AADInternals reads these to tell clouds apart).

    /// <summary>cloud_instance_name: microsoftonline.com (worldwide), microsoftonline.us, partner.microsoftonline.cn.</summary>
    public string CloudInstanceName { get; set; } = "microsoftonline.com";
    /// <summary>tenant_region_scope: NA, EU, AS, OC, WW, USGov, ...</summary>
    public string? TenantRegionScope { get; set; } = "NA";
    /// <summary>tenant_region_sub_scope: GCC, DODCON, DOD; omitted when null (commercial tenants).</summary>
    public string? TenantRegionSubScope { get; set; }
    public string CloudGraphHostName { get; set; } = "graph.windows.net";
    public string MsGraphHost { get; set; } = "graph.microsoft.com";

    /// <summary>
    /// Delegated permissions (scope names such as "Policy.Read.All", "Exchange.Manage") the tenant consented to, per
    /// client id. The two default public clients have built-in consents unless listed here; any other app without an
    /// entry is consented to Exchange.Manage only.
    /// </summary>
    public Dictionary<string, List<string>> Consents { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The Microsoft 365 cross-tenant access policy's starting state, in the shape of GET
    /// /_sandbox/tenants/{t}/cross-tenant-access: {"default":{...},"partners":[...]} (see Graph/CrossTenantAccessPolicy).
    /// </summary>
    public JsonObject? CrossTenantAccess { get; set; }

    // Exchange legacy free/busy objects

    /// <summary>(Get-OrganizationConfig).EwsEnabled: true, false or null (not set, the default).</summary>
    public bool? EwsEnabled { get; set; }
    /// <summary>Microsoft's EWS block is in effect for the tenant (since 2026-10-01, tenant by tenant): EWS works only with EwsEnabled true.</summary>
    public bool EwsBlock { get; set; }
    public List<AvailabilityAddressSpaceConfig> AvailabilityAddressSpaces { get; set; } = new();
    /// <summary>Sharing policies; null gives Exchange Online's "Default Sharing Policy" (Anonymous:CalendarSharingFreeBusyReviewer, *:CalendarSharingFreeBusySimple).</summary>
    public List<SharingPolicyConfig>? SharingPolicies { get; set; }
    /// <summary>
    /// Organization relationships the tenant starts with (and POST /_sandbox/reset restores), in Get-OrganizationRelationship's
    /// property names; Guid (derived from the name when absent) and the dates may be left out.
    /// </summary>
    public List<AdminApi.OrganizationRelationship> OrganizationRelationships { get; set; } = new();

    public string OrganizationDomain => InitialDomain ?? Domains.FirstOrDefault() ?? Name;
}

/// <summary>An availability address space (Add-AvailabilityAddressSpace).</summary>
public sealed class AvailabilityAddressSpaceConfig
{
    public string ForestName { get; set; } = "";
    /// <summary>PerUserFB, OrgWideFB, OrgWideFBToken, InternalProxy or PublicFolder.</summary>
    public string AccessMethod { get; set; } = "OrgWideFBToken";
    public string? TargetAutodiscoverEpr { get; set; }
    public string? TargetServiceEpr { get; set; }
    public string? TargetTenantId { get; set; }
    public string? ProxyUrl { get; set; }
    public bool UseServiceAccount { get; set; }
}

/// <summary>A sharing policy (Get-SharingPolicy): Domains are "domain:Action[, Action]" entries.</summary>
public sealed class SharingPolicyConfig
{
    public string Name { get; set; } = "";
    public List<string> Domains { get; set; } = new();
    public bool Enabled { get; set; } = true;
    public bool Default { get; set; }
}

public sealed class UserConfig
{
    public string Upn { get; set; } = "";
    public string? DisplayName { get; set; }
    public Guid ObjectId { get; set; } = Guid.NewGuid();
    /// <summary>Entra roles, e.g. "Exchange Administrator", "Global Administrator".</summary>
    public List<string> Roles { get; set; } = new();
}

public sealed class AppConfig
{
    public Guid AppId { get; set; } = Guid.NewGuid();
    public string? DisplayName { get; set; }
    /// <summary>The service principal's object id in the tenant (the app-only token's oid).</summary>
    public Guid ObjectId { get; set; } = Guid.NewGuid();
    /// <summary>A client secret; never logged nor echoed.</summary>
    public string? Secret { get; set; }
    /// <summary>Public certificates (base64 DER) whose keys may sign client assertions.</summary>
    public List<string> Certificates { get; set; } = new();
    /// <summary>Application permissions with admin consent, e.g. "Exchange.ManageAsApp".</summary>
    public List<string> Roles { get; set; } = new();
    /// <summary>
    /// Entra directory roles assigned to the app's service principal ("Exchange Administrator", ...). App-only access to
    /// the Exchange admin API needs one of them besides Exchange.ManageAsApp (docs/protocol-evidence.md, app-only roles).
    /// </summary>
    public List<string> DirectoryRoles { get; set; } = new();
    /// <summary>"Allow public client flows": device code and interactive sign-in without a credential.</summary>
    public bool PublicClient { get; set; }
    public List<string> RedirectUris { get; set; } = new();
}

/// <summary>The Azure App Service managed identity (IDENTITY_ENDPOINT / IDENTITY_HEADER).</summary>
public sealed class ManagedIdentityConfig
{
    /// <summary>The value the caller must send in X-IDENTITY-HEADER.</summary>
    public string IdentityHeader { get; set; } = "";
    public ManagedIdentityPrincipal? SystemAssigned { get; set; }
    public List<ManagedIdentityPrincipal> UserAssigned { get; set; } = new();
    public List<string> Roles { get; set; } = new() { "Exchange.ManageAsApp" };
    /// <summary>Entra directory roles of the identities' service principals (as for apps, needed by the Exchange admin API).</summary>
    public List<string> DirectoryRoles { get; set; } = new() { "Exchange Administrator" };
}

public sealed class ManagedIdentityPrincipal
{
    /// <summary>The tenant (GUID, domain or name) the identity lives in.</summary>
    public string Tenant { get; set; } = "";
    public Guid PrincipalId { get; set; } = Guid.NewGuid();
    /// <summary>The system-assigned identity's application id.</summary>
    public Guid AppId { get; set; } = Guid.NewGuid();
    /// <summary>The user-assigned identity's client id (its application id).</summary>
    public Guid ClientId { get; set; }
    /// <summary>The user-assigned identity's Azure resource id (mi_res_id).</summary>
    public string? ResourceId { get; set; }

    public Guid EffectiveAppId => ClientId != Guid.Empty ? ClientId : AppId;
}

public sealed class TokenIssuerConfig
{
    public string Uri { get; set; } = "";
    public string Endpoint { get; set; } = "";
}

public sealed class HostConfig
{
    /// <summary>Domains (or tenant names) this host answers for; "*" for all. Empty: answers for none (InvalidDomain).</summary>
    public List<string> Serves { get; set; } = new();
    /// <summary>A POST to the service answers 302 with this Location.</summary>
    public string? Redirect { get; set; }
    /// <summary>The unsecured GET probe answers 302 with this Location.</summary>
    public string? ProbeRedirect { get; set; }
    /// <summary>Every request answers this status with an empty body (e.g. 404 for a web server without Exchange).</summary>
    public int? Status { get; set; }

    public bool ServesDomain(string domain, TenantConfig? tenant) =>
        Serves.Any(s => s == "*"
            || string.Equals(s, domain, StringComparison.OrdinalIgnoreCase)
            || (tenant != null && string.Equals(s, tenant.Name, StringComparison.OrdinalIgnoreCase)));
}
