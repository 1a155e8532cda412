using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Readiness;
using CalendarFederation.Engine.Tests.Relationships;

namespace CalendarFederation.Engine.Tests.Readiness;

/// <summary>
/// Contoso (local) and Fabrikam (partner) as the readiness evaluator sees them, built directly: inventories, policies and
/// lookups, no network. Dates: "now" is 2026-12-03, after the EWS switch began and before the retirement.
/// </summary>
internal static class ReadinessWorld
{
    public const string ContosoId = "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11";
    public const string FabrikamId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    public const string LitwareId = "2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44";
    public const string CloudEpr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";

    public static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTime Retired = new(2027, 4, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime Switch = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    public static readonly string[] ContosoDomains = { "contoso.com", "contoso.onmicrosoft.com" };
    public static readonly string[] FabrikamDomains = { "fabrikam.com", "fabrikam.onmicrosoft.com" };

    public static LegacyRelationship Relationship(string name = "Fabrikam", string[]? domains = null, bool enabled = true, bool freeBusy = true,
        FreeBusyAccessLevel level = FreeBusyAccessLevel.AvailabilityOnly, bool mailTips = false, MailTipsAccessLevel mailTipsLevel = MailTipsAccessLevel.None,
        PartnerKind kind = PartnerKind.Microsoft365, string? scope = null, params string[] otherFeatures) => new()
        {
            Name = name,
            Domains = domains ?? FabrikamDomains,
            Enabled = enabled,
            FreeBusyEnabled = freeBusy,
            FreeBusyLevel = level,
            FreeBusyScope = scope,
            MailTipsEnabled = mailTips,
            MailTipsLevel = mailTipsLevel,
            Kind = kind,
            OtherFeatures = otherFeatures,
        };

    public static TenantInventory Contoso(EwsSetting ews = EwsSetting.True, XtapInventory? xtap = null, IEnumerable<LegacyRelationship>? relationships = null,
        IEnumerable<LegacyAddressSpace>? addressSpaces = null, IEnumerable<LegacySharingPolicy>? policies = null) => new()
        {
            Organization = "contoso.onmicrosoft.com",
            TenantId = ContosoId,
            Domains = ContosoDomains,
            PrimaryDomain = "contoso.com",
            EwsEnabled = ews,
            Relationships = (relationships ?? Array.Empty<LegacyRelationship>()).ToArray(),
            AddressSpaces = (addressSpaces ?? Array.Empty<LegacyAddressSpace>()).ToArray(),
            SharingPolicies = (policies ?? Array.Empty<LegacySharingPolicy>()).ToArray(),
            Xtap = xtap ?? Policy("contoso.onmicrosoft.com"),
        };

    public static TenantInventory Fabrikam(EwsSetting ews = EwsSetting.True, XtapInventory? xtap = null, IEnumerable<LegacyRelationship>? relationships = null) => new()
    {
        Organization = "fabrikam.onmicrosoft.com",
        TenantId = FabrikamId,
        Domains = FabrikamDomains,
        PrimaryDomain = "fabrikam.com",
        EwsEnabled = ews,
        Relationships = (relationships ?? Array.Empty<LegacyRelationship>()).ToArray(),
        Xtap = xtap ?? Policy("fabrikam.onmicrosoft.com"),
    };

    /// <summary>A readable policy: the default's trust (blocked unless given), its capabilities, and partners with their capabilities.</summary>
    public static XtapInventory Policy(string organization, CollaborationTrust? defaultTrust = null, IEnumerable<M365Capability>? defaults = null,
        params (string TenantId, CollaborationTrust Trust, M365Capability[] Capabilities)[] partners)
    {
        var inventory = new XtapInventory
        {
            Organization = organization,
            Availability = XtapStatus.Available,
            DefaultTrust = defaultTrust ?? Blocked,
            DefaultCapabilities = (defaults ?? Array.Empty<M365Capability>()).ToArray(),
            Partners = partners.ToDictionary(p => p.TenantId, p => new PartnerConfiguration(p.TenantId, p.Trust), StringComparer.OrdinalIgnoreCase),
        };
        foreach (var p in partners) inventory.SetCapabilities(p.TenantId, p.Capabilities);
        return inventory;
    }

    public static readonly CollaborationTrust Blocked = new(TrustState.Blocked, "blocked", new[] { new AccessTarget("AllUsers", "user") });

    public static M365Capability Capability(string name, bool allowed = true, string? group = null) =>
        new(name, "#microsoft.graph." + name, new InboundAccess(allowed, group == null ? ResourceScopes.Everyone("user") : ResourceScopes.Groups(new[] { group })),
            new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero));

    public static (string, CollaborationTrust, M365Capability[]) Granted(string tenantId, params string[] capabilities) =>
        (tenantId, CollaborationTrust.AllUsersAllowed, capabilities.Select(c => Capability(c)).ToArray());

    public static Dictionary<string, DomainLookup> Resolved(params (string Domain, string TenantId)[] found)
    {
        var map = new Dictionary<string, DomainLookup>(StringComparer.OrdinalIgnoreCase);
        foreach (var (d, t) in found) map[d] = new DomainLookup(d, t, null, null);
        return map;
    }

    public static Dictionary<string, DomainLookup> FabrikamResolves() => Resolved(("fabrikam.com", FabrikamId), ("fabrikam.onmicrosoft.com", FabrikamId));

    public static List<ReadinessRow> Evaluate(TenantInventory local, TenantInventory? partner = null, IReadOnlyDictionary<string, DomainLookup>? lookups = null,
        DateTimeOffset? now = null, string[]? domains = null, string[]? tenants = null) =>
        ReadinessEvaluator.Evaluate(new ReadinessInput
        {
            Local = local,
            Partner = partner,
            Lookups = lookups ?? FabrikamResolves(),
            Now = now ?? Now,
            DomainFilter = domains ?? Array.Empty<string>(),
            TenantFilter = tenants ?? Array.Empty<string>(),
        });

    public static ReadinessRow Single(IEnumerable<ReadinessRow> rows, LegacyObjectType type, string? organization = null)
    {
        ReadinessRow[] found = rows.Where(r => r.ObjectType == type && (organization == null || r.Organization == organization)).ToArray();
        if (found.Length != 1) throw new InvalidOperationException($"Expected one {type} row, got {found.Length}: " + string.Join(" | ", rows));
        return found[0];
    }

    public static LegacySharingPolicy DefaultPolicy(int? mailboxes = null, bool enabled = true, params string[] extraRules) => new()
    {
        Name = "Default Sharing Policy",
        IsDefault = true,
        Enabled = enabled,
        Mailboxes = mailboxes,
        Rules = new[] { "Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple" }.Concat(extraRules).Select(r => SharingRule.Parse(r)!).ToArray(),
    };
}

/// <summary>
/// The admin API of one tenant, answering each Get- cmdlet from a list of objects, in pages of <see cref="PageSize"/>
/// (followed by @odata.nextLink), and recording every request. A cmdlet may be made to fail.
/// </summary>
internal sealed class FakeExchangeTenant : HttpMessageHandler
{
    private readonly object _gate = new();

    public FakeExchangeTenant(string organization) => Organization = organization;

    public string Organization { get; }
    public int PageSize { get; set; } = 1000;
    public Dictionary<string, List<JsonObject>> Objects { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, (int Status, string Body)> Failures { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<SentCommand> Sent { get; } = new();

    public IReadOnlyDictionary<string, int> RequestsByCmdlet
    {
        get
        {
            lock (_gate) return Sent.GroupBy(s => s.CmdletName).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        }
    }

    public FakeExchangeTenant Add(string cmdlet, params JsonObject[] objects)
    {
        if (!Objects.TryGetValue(cmdlet, out List<JsonObject>? list)) Objects[cmdlet] = list = new List<JsonObject>();
        list.AddRange(objects);
        return this;
    }

    public AdminApiClient Client() => new(
        new AdminApiOptions
        {
            BaseUri = new Uri("https://outlook.office365.com"),
            Tenant = Organization,
            GateKey = "readiness-" + Organization + "-" + Guid.NewGuid(),
            AnchorMailbox = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + Organization,
            MaxRetries = 0,
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(30),
            PageSize = PageSize,
        },
        new StaticTokens(), this, disposeHandler: false, time: TimeProvider.System);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = request.Content == null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var sent = new SentCommand(body);
        lock (_gate) Sent.Add(sent);
        if (Failures.TryGetValue(sent.CmdletName, out var failure))
        {
            return new HttpResponseMessage((HttpStatusCode)failure.Status) { Content = new StringContent(failure.Body, Encoding.UTF8, "application/json") };
        }
        List<JsonObject> all = Objects.TryGetValue(sent.CmdletName, out List<JsonObject>? found) ? found : new List<JsonObject>();
        int skip = 0;
        string query = request.RequestUri!.Query;
        if (query.StartsWith("?$skiptoken=", StringComparison.Ordinal)) skip = int.Parse(query.Substring("?$skiptoken=".Length), CultureInfo.InvariantCulture);
        var page = new JsonArray(all.Skip(skip).Take(PageSize).Select(o => (JsonNode?)o.DeepClone()).ToArray());
        var answer = new JsonObject { ["@odata.context"] = "https://outlook.office365.com/adminapi/beta/$metadata", ["@adminapi.warnings"] = new JsonArray(), ["value"] = page };
        if (skip + PageSize < all.Count)
        {
            answer["@odata.nextLink"] = new UriBuilder(request.RequestUri) { Query = "$skiptoken=" + (skip + PageSize).ToString(CultureInfo.InvariantCulture) }.Uri.ToString();
        }
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json") };
    }

    // --- objects as the admin API returns them ---

    public static JsonObject OrganizationConfig(bool? ewsEnabled) => new() { ["Name"] = "org", ["EwsEnabled"] = ewsEnabled, ["IsDehydrated"] = false };

    public static JsonObject AcceptedDomain(string domain, bool isDefault = false) =>
        new() { ["Name"] = domain, ["DomainName"] = domain, ["Default"] = isDefault, ["InitialDomain"] = domain.EndsWith(".onmicrosoft.com", StringComparison.Ordinal) };

    public static JsonObject Relationship(string name, string[] domains, bool enabled = true, bool freeBusy = true, string level = "AvailabilityOnly",
        string? application = "outlook.com", string? epr = ReadinessWorld.CloudEpr) => new()
        {
            ["Identity"] = name,
            ["Name"] = name,
            ["DomainNames"] = new JsonArray(domains.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["Enabled"] = enabled,
            ["FreeBusyAccessEnabled"] = freeBusy,
            ["FreeBusyAccessLevel"] = level,
            ["FreeBusyAccessScope"] = null,
            ["MailTipsAccessEnabled"] = false,
            ["MailTipsAccessLevel"] = "None",
            ["MailboxMoveEnabled"] = false,
            ["TargetApplicationUri"] = application,
            ["TargetAutodiscoverEpr"] = epr,
        };

    public static JsonObject SharingPolicy(string name, bool isDefault, bool enabled, params string[] domains) => new()
    {
        ["Name"] = name,
        ["Identity"] = name,
        ["Domains"] = new JsonArray(domains.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
        ["Enabled"] = enabled,
        ["Default"] = isDefault,
    };

    public static JsonObject Mailbox(string address, string? sharingPolicy) => new() { ["PrimarySmtpAddress"] = address, ["SharingPolicy"] = sharingPolicy };

    public static JsonObject AddressSpace(string forest, string method, string? tenantId) => new()
    {
        ["ForestName"] = forest,
        ["AccessMethod"] = method,
        ["TargetTenantId"] = tenantId,
        ["TargetServiceEpr"] = "https://outlook.office.com/EWS/Exchange.asmx",
    };
}

/// <summary>A partner tenant lookup from a table, counting calls and how many are in flight; it can hold calls until enough have arrived.</summary>
internal sealed class FakeTenantLookup
{
    private readonly ConcurrentDictionary<string, Guid> _tenants = new(StringComparer.OrdinalIgnoreCase);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>Calls wait until this many are in flight at once (0: never wait); then every call goes through.</summary>
    public int HoldUntil { get; set; }

    public ConcurrentQueue<string> Asked { get; } = new();
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public FakeTenantLookup Add(string domain, string tenantId)
    {
        _tenants[domain] = Guid.Parse(tenantId);
        return this;
    }

    public async Task<Tenants.PartnerTenant> ResolveAsync(string domain, CancellationToken cancellationToken)
    {
        Asked.Enqueue(domain);
        int now = Interlocked.Increment(ref _inFlight);
        lock (_open)
        {
            if (now > _maxInFlight) _maxInFlight = now;
        }
        try
        {
            if (HoldUntil > 0 && now >= HoldUntil) _open.TrySetResult();
            if (HoldUntil > 0) await _open.Task.WaitAsync(cancellationToken);
            await Task.Yield();
            if (!_tenants.TryGetValue(domain, out Guid id))
            {
                throw new EngineException(ErrorIds.PartnerTenantNotFound, ErrorKind.ObjectNotFound, $"Microsoft Entra ID knows no tenant with the domain '{domain}'.", domain);
            }
            return new Tenants.PartnerTenant(domain, id, "https://login.microsoftonline.com/" + id + "/v2.0", new Uri("https://login.microsoftonline.com/" + domain),
                "microsoftonline.com", "NA", null, "graph.microsoft.com");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
