using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>
/// One Exchange cmdlet served by InvokeCommand. Put each in its own file under AdminApi/Cmdlets: every public
/// non-abstract class implementing this with a parameterless constructor is registered at start-up.
/// </summary>
public interface IAdminCmdlet
{
    /// <summary>The cmdlet name, e.g. "Get-AcceptedDomain" (matched case-insensitively).</summary>
    string Name { get; }

    /// <summary>The parameters it binds; any other (bar PowerShell's common parameters) fails as Exchange does.</summary>
    IReadOnlyCollection<string> Parameters { get; }

    /// <summary>
    /// Runs the cmdlet. Return the output objects (an empty list answers "value":[]), or null for no output at all
    /// (204 unless there are warnings). Throw <see cref="ExchangeErrorException"/> to fail in Exchange's shape.
    /// </summary>
    Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken);
}

/// <summary>Who called: a user (delegated) or an application (app-only), as the token says.</summary>
public sealed record AdminCaller(bool IsApp, Guid TenantId, Guid ObjectId, string? Upn, string? AppId, UserConfig? User);

/// <summary>What a handler gets: the tenant, its mutable Exchange state, the caller, the parameters and a warnings list.</summary>
public sealed class CmdletContext
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable",
        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "ProgressAction",
    };

    public required string CmdletName { get; init; }
    public required TenantConfig Tenant { get; init; }
    public required ExchangeTenantState Exchange { get; init; }
    public required AdminCaller Caller { get; init; }
    public required IReadOnlyDictionary<string, JsonElement> Parameters { get; init; }
    public required SandboxState State { get; init; }

    /// <summary>Texts returned in "@adminapi.warnings".</summary>
    public List<string> Warnings { get; } = new();

    public static bool IsCommonParameter(string name) => Common.Contains(name);

    public bool Has(string name) => Parameters.ContainsKey(name);

    public string? GetString(string name) =>
        Parameters.TryGetValue(name, out JsonElement v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Null ? null : v.GetRawText()) : null;

    public bool? GetBool(string name)
    {
        if (!Parameters.TryGetValue(name, out JsonElement v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(v.GetString(), out bool b) => b,
            _ => null,
        };
    }

    public IReadOnlyList<string> GetStrings(string name)
    {
        if (!Parameters.TryGetValue(name, out JsonElement v)) return Array.Empty<string>();
        if (v.ValueKind == JsonValueKind.Array) return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray();
        if (v.ValueKind == JsonValueKind.String) return new[] { v.GetString()! };
        return new[] { v.GetRawText() };
    }
}

/// <summary>The cmdletName → handler dictionary InvokeCommand dispatches on.</summary>
public sealed class CmdletRegistry
{
    private readonly ConcurrentDictionary<string, IAdminCmdlet> _cmdlets = new(StringComparer.OrdinalIgnoreCase);

    public CmdletRegistry()
    {
        foreach (Type type in typeof(CmdletRegistry).Assembly.GetTypes())
        {
            if (type.IsAbstract || type.IsInterface || !typeof(IAdminCmdlet).IsAssignableFrom(type)) continue;
            if (type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) == null) continue;
            Register((IAdminCmdlet)Activator.CreateInstance(type)!);
        }
    }

    /// <summary>Adds or replaces a handler (tests may add their own).</summary>
    public void Register(IAdminCmdlet cmdlet) => _cmdlets[cmdlet.Name] = cmdlet;

    public IAdminCmdlet? Find(string name) => _cmdlets.GetValueOrDefault(name);

    public IReadOnlyCollection<string> Names => _cmdlets.Keys.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
}

/// <summary>Enable-OrganizationCustomization's outcome.</summary>
public enum CustomizationResult
{
    /// <summary>Hydration started (or, with no hydration time, finished at once).</summary>
    Started,
    /// <summary>The tenant is not dehydrated.</summary>
    NotRequired,
    /// <summary>A hydration is still running.</summary>
    Hydrating,
    /// <summary>The tenant's plan can't be customized (the customizationUnavailable knob).</summary>
    Unavailable,
}

/// <summary>How New-/Set-OrganizationRelationship count domains against <see cref="ExchangeTenantState.DomainCap"/>.</summary>
public enum DomainCapMode
{
    /// <summary>The domains named in one request (a replacement list, or Add plus Remove): the documented 238 per request.</summary>
    Request,
    /// <summary>
    /// The relationship's resulting domain list, as Exchange 2013's Set-OrganizationRelationship builds its duplicate-domain
    /// query (one subfilter per domain of the whole object), so adding in chunks does not get past the cap.
    /// </summary>
    Total,
}

/// <summary>
/// How the admin API answers a cmdlet that writes no output (docs/protocol-evidence.md, "empty answers"). The real
/// service's choice is not documented; each shape has been met by a public client.
/// </summary>
public enum EmptyAnswer
{
    /// <summary>204 without a body, or 200 with "value":[] when there are warnings (the default).</summary>
    NoContent,
    /// <summary>Always 200 with "value":[] and the warnings.</summary>
    EmptyArray,
    /// <summary>Always 200 with "value":null and the warnings (the shape CIPP's New-ExoRequest.ps1 guards against).</summary>
    NullValue,
}

/// <summary>
/// A tenant's Exchange Online state that cmdlets change: dehydration and hydration, organization relationships, and a
/// bag for later cmdlets. Thread-safe.
/// </summary>
public sealed class ExchangeTenantState
{
    /// <summary>The most domains one New-/Set-OrganizationRelationship may carry (the docs' 238; Exchange's own limit is 250 subfilters).</summary>
    public const int DefaultDomainCap = 238;

    private readonly object _gate = new();
    private bool _dehydrated;
    private DateTimeOffset? _hydratedAt;
    private readonly TimeProvider _clock;
    private DateTimeOffset _whenChanged;

    /// <param name="clock">The sandbox's clock (<see cref="SandboxClock"/>): hydration and timestamps follow it.</param>
    public ExchangeTenantState(TenantConfig tenant, TimeProvider clock)
    {
        Tenant = tenant;
        _clock = clock;
        _whenChanged = clock.GetUtcNow().AddDays(-3);
        _dehydrated = tenant.IsDehydrated;
        HydrationSeconds = tenant.HydrationSeconds;
        CustomizationUnavailable = tenant.CustomizationUnavailable;
        Legacy = new LegacySharingState(tenant);
        // A stable creation date per tenant, derived from its id.
        WhenCreated = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(Math.Abs(tenant.Id.GetHashCode() % 1_000_000));
        SeedRelationships(tenant);
    }

    public TenantConfig Tenant { get; }

    /// <summary>sandbox.json's organizationRelationships (copies, so a reset starts from the configuration again).</summary>
    private void SeedRelationships(TenantConfig tenant)
    {
        if (tenant.OrganizationRelationships.Count == 0) return;
        DateTimeOffset seeded = new DateTimeOffset(2022, 5, 2, 9, 0, 0, TimeSpan.Zero);
        Relationships.Write(items =>
        {
            foreach (OrganizationRelationship seed in tenant.OrganizationRelationships)
            {
                OrganizationRelationship r = seed.Clone();
                if (r.Guid == Guid.Empty) r.Guid = StableGuid(tenant.Id, "OrganizationRelationship|" + r.Name);
                if (r.WhenCreated == default) r.WhenCreated = seeded;
                if (r.WhenChanged == default) r.WhenChanged = r.WhenCreated;
                items.Add(r);
            }
            return items.Count;
        });
    }

    /// <summary>(Get-OrganizationConfig).IsDehydrated: true until Enable-OrganizationCustomization has run and its hydration has finished.</summary>
    public bool IsDehydrated
    {
        get
        {
            lock (_gate)
            {
                Advance();
                return _dehydrated;
            }
        }
        set
        {
            lock (_gate)
            {
                _dehydrated = value;
                _hydratedAt = null;
            }
        }
    }

    /// <summary>True while a started hydration has not finished.</summary>
    public bool IsHydrating
    {
        get
        {
            lock (_gate)
            {
                Advance();
                return _hydratedAt != null;
            }
        }
    }

    /// <summary>When the running hydration finishes; null when none is running.</summary>
    public DateTimeOffset? HydrationEndsAt
    {
        get
        {
            lock (_gate)
            {
                Advance();
                return _hydratedAt;
            }
        }
    }

    /// <summary>How long the next Enable-OrganizationCustomization hydrates; 0 finishes at once.</summary>
    public int HydrationSeconds { get; set; }

    public bool CustomizationUnavailable { get; set; }

    public DomainCapMode DomainCapMode { get; set; } = DomainCapMode.Request;

    public int DomainCap { get; set; } = DefaultDomainCap;

    /// <summary>How an answer without output is shaped (PUT /_sandbox/tenants/{t}/empty-answer?shape=).</summary>
    public EmptyAnswer EmptyAnswer { get; set; } = EmptyAnswer.NoContent;

    public DateTimeOffset WhenCreated { get; }

    public DateTimeOffset WhenChanged
    {
        get { lock (_gate) return _whenChanged; }
        set { lock (_gate) _whenChanged = value; }
    }

    /// <summary>The tenant's organization relationships.</summary>
    public RelationshipStore Relationships { get; } = new();

    /// <summary>EwsEnabled and the EWS block, availability address spaces, sharing policies.</summary>
    public LegacySharingState Legacy { get; }

    /// <summary>Enable-OrganizationCustomization: starts hydration when the tenant is dehydrated and nothing stands in the way.</summary>
    public CustomizationResult EnableCustomization()
    {
        lock (_gate)
        {
            Advance();
            if (!_dehydrated) return CustomizationResult.NotRequired;
            if (_hydratedAt != null) return CustomizationResult.Hydrating;
            if (CustomizationUnavailable) return CustomizationResult.Unavailable;
            DateTimeOffset now = _clock.GetUtcNow();
            if (HydrationSeconds <= 0)
            {
                _dehydrated = false;
                _whenChanged = now;
            }
            else
            {
                _hydratedAt = now.AddSeconds(HydrationSeconds);
            }
            return CustomizationResult.Started;
        }
    }

    private void Advance()
    {
        if (_hydratedAt != null && _clock.GetUtcNow() >= _hydratedAt.Value)
        {
            _dehydrated = false;
            _whenChanged = _hydratedAt.Value;
            _hydratedAt = null;
        }
    }

    /// <summary>Free-form state for later cmdlets, keyed by name.</summary>
    public ConcurrentDictionary<string, object> Items { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A stable GUID for a named object of this tenant (the same name always gives the same GUID).</summary>
    public static Guid StableGuid(Guid tenantId, string name)
    {
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tenantId.ToString("N") + "|" + name.ToLowerInvariant()));
        byte[] bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}

/// <summary>Helpers for building output objects the way the REST API serialises them.</summary>
public static class ExchangeObjects
{
    public const string Partition = "EURPR01A001.prod.outlook.com";

    public static string ConfigurationDn(TenantConfig tenant) =>
        $"CN=Configuration,CN={tenant.OrganizationDomain},CN=ConfigurationUnits,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM";

    public static string OrganizationId(TenantConfig tenant) =>
        $"{Partition}/Microsoft Exchange Hosted Organizations/{tenant.OrganizationDomain} - {Partition}/ConfigurationUnits/{tenant.OrganizationDomain}/Configuration";

    public static void Annotate(JsonObject o, string property, string odataType) => o[property + "@odata.type"] = odataType;

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    public static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The properties every Exchange configuration object carries.</summary>
    public static void AddCommon(JsonObject o, ExchangeTenantState exchange, Guid guid, string identity, string dn, string[] objectClass) =>
        AddCommon(o, guid, identity, dn, objectClass, exchange.WhenCreated, exchange.WhenChanged);

    /// <summary>The properties every Exchange object carries, with the object's own dates.</summary>
    public static void AddCommon(JsonObject o, Guid guid, string identity, string dn, string[] objectClass, DateTimeOffset whenCreated, DateTimeOffset whenChanged)
    {
        o["Identity"] = identity;
        o["Id"] = identity;
        o["DistinguishedName"] = dn;
        o["Guid"] = guid.ToString();
        Annotate(o, "Guid", "#Guid");
        o["ExchangeObjectId"] = guid.ToString();
        Annotate(o, "ExchangeObjectId", "#Guid");
        o["ObjectClass"] = Strings(objectClass);
        Annotate(o, "ObjectClass", "#Collection(String)");
        o["WhenChanged"] = Date(whenChanged.ToLocalTime());
        Annotate(o, "WhenChanged", "#DateTime");
        o["WhenCreated"] = Date(whenCreated.ToLocalTime());
        Annotate(o, "WhenCreated", "#DateTime");
        o["WhenChangedUTC"] = Date(whenChanged);
        Annotate(o, "WhenChangedUTC", "#DateTime");
        o["WhenCreatedUTC"] = Date(whenCreated);
        Annotate(o, "WhenCreatedUTC", "#DateTime");
        o["OrganizationId"] = null;
        o["IsValid"] = true;
        o["ObjectState"] = "Unchanged";
    }
}
