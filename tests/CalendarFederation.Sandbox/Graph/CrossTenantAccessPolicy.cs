using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Graph;

/// <summary>Every tenant's Microsoft 365 cross-tenant access policy, created from sandbox.json on first use; reset forgets changes.</summary>
public sealed class GraphState
{
    private readonly ConcurrentDictionary<Guid, CrossTenantAccessPolicy> _policies = new();
    private readonly TimeProvider _clock;

    public GraphState(TimeProvider clock) => _clock = clock;

    public CrossTenantAccessPolicy Policy(TenantConfig tenant) => _policies.GetOrAdd(tenant.Id, _ => CrossTenantAccessPolicy.FromConfig(tenant));

    /// <summary>Replaces a tenant's policy (PUT /_sandbox/tenants/{t}/cross-tenant-access).</summary>
    public void Seed(TenantConfig tenant, CrossTenantAccessPolicy policy) => _policies[tenant.Id] = policy;

    private readonly ConcurrentDictionary<Guid, AdminApi.TenantThrottle> _throttles = new();

    /// <summary>
    /// The tenant's Graph request budget for the cross-tenant access policy calls (PUT /_sandbox/tenants/{t}/graph-budget):
    /// the admin API's token bucket, kept apart from it, so one knob throttles Graph and the other Exchange.
    /// </summary>
    public AdminApi.TenantThrottle Throttle(TenantConfig tenant) => _throttles.GetOrAdd(tenant.Id, _ => new AdminApi.TenantThrottle(tenant.Name, _clock));

    public void Reset()
    {
        _policies.Clear();
        _throttles.Clear();
    }
}

/// <summary>The capability types (m365CapabilityBase's derived types; the name is the type name, case-sensitive; docs/cross-tenant-access.md §2.5).</summary>
public static class M365CapabilityNames
{
    public const string AvailabilityBasic = "crossTenantCalendarAvailabilityBasic";
    public const string AvailabilityLimitedDetails = "crossTenantCalendarAvailabilityLimitedDetails";

    public static readonly string[] All =
    {
        AvailabilityBasic, AvailabilityLimitedDetails,
        "crossTenantMailTipsAll", "crossTenantMailTipsLimited",
        "crossTenantCalendarSharingFreeBusySimple", "crossTenantCalendarSharingFreeBusyDetail", "crossTenantCalendarSharingFreeBusyReviewer",
        "anonymousCalendarSharingFreeBusySimple", "anonymousCalendarSharingFreeBusyDetail", "anonymousCalendarSharingFreeBusyReviewer",
        "crossTenantMigration", "crossTenantOpenProfileCard", "crossTenantPlacesDeskBooking", "crossTenantPlacesRoomBooking",
    };

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);

    public static readonly string[] ResourceTypes = { "none", "group", "user", "unknownFutureValue" };
}

/// <summary>One resourceScopes entry: resourceId "All" or an object id, resourceType user|group|none. An entry {} (no resourceId) is kept and matches nothing.</summary>
public sealed record ResourceScope(string? ResourceId, string? ResourceType)
{
    public JsonObject ToJson() => new() { ["resourceId"] = ResourceId, ["resourceType"] = ResourceType };
}

/// <summary>A Microsoft 365 capability (m365CapabilityBase): name, lastModifiedDateTime, inboundAccess {isAllowed, resourceScopes}.</summary>
public sealed class M365Capability
{
    public string Name { get; set; } = "";
    public DateTimeOffset LastModified { get; set; }
    public bool IsAllowed { get; set; }
    /// <summary>Null when resourceScopes was never given (nobody is in scope then).</summary>
    public List<ResourceScope>? Included { get; set; }
    public List<ResourceScope>? Excluded { get; set; }
    public bool HasScopes { get; set; }

    public M365Capability Clone()
    {
        var copy = (M365Capability)MemberwiseClone();
        copy.Included = Included?.ToList();
        copy.Excluded = Excluded?.ToList();
        return copy;
    }

    public JsonObject ToJson() => new()
    {
        ["@odata.type"] = "#microsoft.graph." + Name,
        ["name"] = Name,
        ["lastModifiedDateTime"] = LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        ["inboundAccess"] = new JsonObject
        {
            ["isAllowed"] = IsAllowed,
            ["resourceScopes"] = HasScopes
                ? new JsonObject
                {
                    ["included"] = new JsonArray((Included ?? new()).Select(s => (JsonNode?)s.ToJson()).ToArray()),
                    ["excluded"] = new JsonArray((Excluded ?? new()).Select(s => (JsonNode?)s.ToJson()).ToArray()),
                }
                : null,
        },
    };

    /// <summary>
    /// A capability from a POST body: "@odata.type" (#microsoft.graph.{name}) and "inboundAccess" are required; "name", when
    /// sent, must match the type. Object ids in resourceScopes must name users or groups of <paramref name="tenant"/>.
    /// </summary>
    public static M365Capability FromCreate(JsonObject body, TenantConfig tenant)
    {
        string? type = body["@odata.type"] is JsonValue tv && tv.TryGetValue(out string? t) ? t : null;
        if (type == null) throw GraphException.BadRequest("The '@odata.type' property is required: name the capability type, for example '#microsoft.graph.crossTenantCalendarAvailabilityBasic'.");
        string name = type.StartsWith('#') ? type.Substring(1) : type;
        if (!name.StartsWith("microsoft.graph.", StringComparison.Ordinal) || !M365CapabilityNames.IsKnown(name.Substring("microsoft.graph.".Length)))
        {
            throw GraphException.OData($"A type named '{name}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.");
        }
        name = name.Substring("microsoft.graph.".Length);
        foreach ((string key, JsonNode? value) in body)
        {
            if (key is "@odata.type" or "inboundAccess") continue;
            if (key == "name")
            {
                if (value is not JsonValue nv || !nv.TryGetValue(out string? n) || n != name)
                {
                    throw GraphException.BadRequest($"The name '{value?.ToJsonString()}' does not match the capability type '{name}'.");
                }
                continue;
            }
            if (key == "lastModifiedDateTime") continue;
            throw UnknownProperty(key, "m365CapabilityBase");
        }
        if (body["inboundAccess"] is not JsonObject access) throw GraphException.BadRequest("The 'inboundAccess' property is required.");
        var capability = new M365Capability { Name = name, LastModified = DateTimeOffset.UtcNow };
        capability.ApplyInboundAccess(access, tenant, create: true);
        return capability;
    }

    /// <summary>A PATCH: only inboundAccess can change; isAllowed kept when absent, resourceScopes replaced when present and kept when absent.</summary>
    public void ApplyUpdate(JsonObject body, TenantConfig tenant)
    {
        foreach ((string key, JsonNode? value) in body)
        {
            if (key == "inboundAccess") continue;
            if (key == "@odata.type" && value is JsonValue tv && tv.TryGetValue(out string? t) && t.TrimStart('#') == "microsoft.graph." + Name) continue;
            if (key == "name" && value is JsonValue nv && nv.TryGetValue(out string? n) && n == Name) continue;
            throw GraphException.BadRequest($"Only 'inboundAccess' can be updated on a Microsoft 365 capability; '{key}' can't.");
        }
        if (body["inboundAccess"] is JsonObject access)
        {
            ApplyInboundAccess(access, tenant, create: false);
        }
        else if (body.ContainsKey("inboundAccess"))
        {
            throw GraphException.BadRequest("'inboundAccess' must be an object.");
        }
        LastModified = DateTimeOffset.UtcNow;
    }

    private void ApplyInboundAccess(JsonObject access, TenantConfig tenant, bool create)
    {
        foreach ((string key, _) in access)
        {
            if (key is not ("isAllowed" or "resourceScopes")) throw UnknownProperty(key, "m365CapabilityInboundAccess");
        }
        if (access["isAllowed"] is JsonValue allowed && allowed.TryGetValue(out bool a)) IsAllowed = a;
        else if (access.ContainsKey("isAllowed") || create) throw GraphException.BadRequest("inboundAccess.isAllowed must be true or false.");
        if (!access.ContainsKey("resourceScopes")) return;
        if (access["resourceScopes"] is null)
        {
            HasScopes = false;
            Included = null;
            Excluded = null;
            return;
        }
        if (access["resourceScopes"] is not JsonObject scopes) throw GraphException.BadRequest("inboundAccess.resourceScopes must be an object with 'included' and 'excluded'.");
        foreach ((string key, _) in scopes)
        {
            if (key is not ("included" or "excluded")) throw UnknownProperty(key, "m365CapabilityResourceScopes");
        }
        Included = ReadScopes(scopes["included"], "included", tenant);
        Excluded = ReadScopes(scopes["excluded"], "excluded", tenant);
        HasScopes = true;
    }

    private static List<ResourceScope> ReadScopes(JsonNode? node, string what, TenantConfig tenant)
    {
        if (node is null) return new List<ResourceScope>();
        if (node is not JsonArray array) throw GraphException.BadRequest($"resourceScopes.{what} must be an array.");
        var list = new List<ResourceScope>();
        foreach (JsonNode? item in array)
        {
            if (item is not JsonObject o) throw GraphException.BadRequest($"resourceScopes.{what} must hold objects with resourceId and resourceType.");
            foreach ((string key, _) in o)
            {
                if (key is not ("resourceId" or "resourceType")) throw UnknownProperty(key, "m365CapabilityResourceScope");
            }
            string? id = o["resourceId"] is JsonValue iv && iv.TryGetValue(out string? i) ? i : null;
            string? type = o["resourceType"] is JsonValue rv && rv.TryGetValue(out string? r) ? r : null;
            if (type != null && !M365CapabilityNames.ResourceTypes.Contains(type, StringComparer.Ordinal))
            {
                throw GraphException.OData($"Requested value '{type}' was not found.");
            }
            if (id == null)
            {
                // The migration guide sends "excluded": [{}]; it is accepted, kept, and matches nothing (docs/cross-tenant-access.md §2.6).
                list.Add(new ResourceScope(null, type));
                continue;
            }
            if (id.Equals("All", StringComparison.OrdinalIgnoreCase))
            {
                list.Add(new ResourceScope("All", type ?? "none"));
                continue;
            }
            if (!Guid.TryParse(id, out Guid oid)) throw GraphException.BadRequest($"Invalid resourceId '{id}': use 'All' or the object id of a user or group.");
            bool exists = type == "group" ? TenantDirectory.FindGroupByObjectId(tenant, oid) != null
                : type == "user" ? TenantDirectory.IsUserObject(tenant, oid)
                : TenantDirectory.FindGroupByObjectId(tenant, oid) != null || TenantDirectory.IsUserObject(tenant, oid);
            if (!exists) throw GraphException.BadRequest($"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");
            list.Add(new ResourceScope(oid.ToString(), type));
        }
        return list;
    }

    /// <summary>
    /// Whether a mailbox of the resource tenant is in scope: included names All, the mailbox's user or a group holding it,
    /// and no excluded entry does ("the excluded property takes precedence", G-SCOPES). No resourceScopes: nobody.
    /// </summary>
    public bool Covers(TenantConfig tenant, MailboxConfig mailbox)
    {
        if (!HasScopes) return false;
        Guid user = TenantDirectory.MailboxObjectId(tenant, mailbox);
        bool Matches(ResourceScope s)
        {
            if (s.ResourceId == null) return false;
            if (s.ResourceId == "All") return true;
            Guid id = Guid.Parse(s.ResourceId);
            if (s.ResourceType != "group" && id == user) return true;
            if (s.ResourceType == "user") return false;
            GroupConfig? group = TenantDirectory.FindGroupByObjectId(tenant, id);
            return group != null && TenantDirectory.IsMember(tenant, group, mailbox.Address);
        }
        return (Included ?? new()).Any(Matches) && !(Excluded ?? new()).Any(Matches);
    }

    public static GraphException UnknownProperty(string name, string type) =>
        GraphException.OData($"The property '{name}' does not exist on type 'microsoft.graph.{type}'. Make sure to only use property names that are defined by the type or mark the type as open type.");
}

/// <summary>A partner configuration: its tenant id, its settings (Graph's properties), its capabilities and its replication window.</summary>
public sealed class PartnerPolicy
{
    public Guid TenantId { get; set; }
    /// <summary>Every property but tenantId, in Graph's order.</summary>
    public JsonObject Settings { get; set; } = new();
    public List<M365Capability> Capabilities { get; set; } = new();
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Dependent calls (PATCH partner, POST capability) still to answer 404, as while Entra replicates.</summary>
    public int ReplicationCallsLeft { get; set; }

    /// <summary>m365CollaborationInbound, or null when the partner inherits the default's.</summary>
    public JsonObject? M365Inbound => Settings["m365CollaborationInbound"] as JsonObject;

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["tenantId"] = TenantId.ToString() };
        foreach ((string key, JsonNode? value) in Settings) o[key] = value?.DeepClone();
        return o;
    }
}

/// <summary>
/// One tenant's Microsoft 365 cross-tenant access policy: the default configuration with its capabilities, the partner
/// configurations, and the knobs (replication window, partner page size). Every access holds <see cref="Gate"/>.
/// </summary>
public sealed class CrossTenantAccessPolicy
{
    public const int DefaultPageSize = 100;

    public static readonly string[] PartnerProperties =
    {
        "inboundTrust", "isInMultiTenantOrganization", "isServiceProvider", "automaticUserConsentSettings", "b2bCollaborationInbound",
        "b2bCollaborationOutbound", "b2bDirectConnectOutbound", "b2bDirectConnectInbound", "tenantRestrictions", "m365CollaborationInbound",
        "m365CollaborationOutbound", "appServiceConnectInbound",
    };

    public static readonly string[] DefaultProperties =
    {
        "inboundTrust", "automaticUserConsentSettings", "b2bCollaborationOutbound", "b2bCollaborationInbound", "b2bDirectConnectOutbound",
        "b2bDirectConnectInbound", "tenantRestrictions", "m365CollaborationInbound", "m365CollaborationOutbound",
    };

    private static readonly string[] ReadOnly = { "isInMultiTenantOrganization" };

    public object Gate { get; } = new();
    public Guid TenantId { get; init; }
    public bool IsServiceDefault { get; set; } = true;
    public JsonObject DefaultSettings { get; set; } = new();
    public List<M365Capability> DefaultCapabilities { get; set; } = new();
    public List<PartnerPolicy> Partners { get; set; } = new();
    /// <summary>After a partner is created, this many dependent calls for it answer 404.</summary>
    public int ReplicationCalls { get; set; }
    /// <summary>After a partner is created, dependent calls for it answer 404 for this many seconds.</summary>
    public int ReplicationSeconds { get; set; }
    /// <summary>Partners per page of GET /partners (without $top).</summary>
    public int PageSize { get; set; } = DefaultPageSize;

    public PartnerPolicy? Partner(Guid tenantId) => Partners.FirstOrDefault(p => p.TenantId == tenantId);

    /// <summary>
    /// True (and one call used up) while <paramref name="partner"/> is still "replicating": the dependent call should
    /// fail with 404 as Entra does right after a create (docs/cross-tenant-access.md §2.7).
    /// </summary>
    public bool Replicating(PartnerPolicy partner)
    {
        if (partner.ReplicationCallsLeft > 0)
        {
            partner.ReplicationCallsLeft--;
            return true;
        }
        return ReplicationSeconds > 0 && DateTimeOffset.UtcNow < partner.CreatedAt.AddSeconds(ReplicationSeconds);
    }

    /// <summary>The default configuration as Graph shows it (id, isServiceDefault, the settings).</summary>
    public JsonObject DefaultJson()
    {
        var o = new JsonObject
        {
            ["id"] = AdminApi.ExchangeTenantState.StableGuid(TenantId, "CrossTenantAccessPolicyDefault").ToString(),
            ["isServiceDefault"] = IsServiceDefault,
        };
        foreach ((string key, JsonNode? value) in DefaultSettings) o[key] = value?.DeepClone();
        return o;
    }

    // ---- building and validating settings ----

    public static JsonObject TargetConfiguration(string accessType, string target, string targetType) => new()
    {
        ["accessType"] = accessType,
        ["targets"] = new JsonArray(new JsonObject { ["target"] = target, ["targetType"] = targetType }),
    };

    /// <summary>The service default (Learn's GET default sample), with m365CollaborationInbound as the tenant configures it (blocked unless told).</summary>
    public static JsonObject ServiceDefault(string m365InboundAccess) => new()
    {
        ["inboundTrust"] = new JsonObject { ["isMfaAccepted"] = false, ["isCompliantDeviceAccepted"] = false, ["isHybridAzureADJoinedDeviceAccepted"] = false },
        ["automaticUserConsentSettings"] = new JsonObject { ["inboundAllowed"] = false, ["outboundAllowed"] = false },
        ["b2bCollaborationOutbound"] = new JsonObject
        {
            ["usersAndGroups"] = TargetConfiguration("allowed", "AllUsers", "user"),
            ["applications"] = TargetConfiguration("allowed", "AllApplications", "application"),
        },
        ["b2bCollaborationInbound"] = new JsonObject
        {
            ["usersAndGroups"] = TargetConfiguration("allowed", "AllUsers", "user"),
            ["applications"] = TargetConfiguration("allowed", "AllApplications", "application"),
        },
        ["b2bDirectConnectOutbound"] = new JsonObject
        {
            ["usersAndGroups"] = TargetConfiguration("blocked", "AllUsers", "user"),
            ["applications"] = TargetConfiguration("blocked", "AllApplications", "application"),
        },
        ["b2bDirectConnectInbound"] = new JsonObject
        {
            ["usersAndGroups"] = TargetConfiguration("blocked", "AllUsers", "user"),
            ["applications"] = TargetConfiguration("blocked", "AllApplications", "application"),
        },
        ["tenantRestrictions"] = new JsonObject
        {
            ["usersAndGroups"] = TargetConfiguration("blocked", "AllUsers", "user"),
            ["applications"] = TargetConfiguration("blocked", "AllApplications", "application"),
        },
        ["m365CollaborationInbound"] = new JsonObject { ["users"] = TargetConfiguration(m365InboundAccess, "AllUsers", "user") },
        ["m365CollaborationOutbound"] = new JsonObject { ["usersAndGroups"] = TargetConfiguration("allowed", "AllUsers", "user") },
    };

    public static JsonObject NewPartnerSettings() => new()
    {
        ["inboundTrust"] = null,
        ["isInMultiTenantOrganization"] = false,
        ["isServiceProvider"] = null,
        ["automaticUserConsentSettings"] = new JsonObject { ["inboundAllowed"] = null, ["outboundAllowed"] = null },
        ["b2bCollaborationInbound"] = null,
        ["b2bCollaborationOutbound"] = null,
        ["b2bDirectConnectOutbound"] = null,
        ["b2bDirectConnectInbound"] = null,
        ["tenantRestrictions"] = null,
        ["m365CollaborationInbound"] = null,
        ["m365CollaborationOutbound"] = null,
        ["appServiceConnectInbound"] = null,
    };

    /// <summary>
    /// Applies a POST or PATCH body's properties to <paramref name="settings"/>: each property present replaces the stored
    /// value whole (so a PATCH of m365CollaborationInbound replaces the block). Unknown or read-only properties fail.
    /// </summary>
    public static void ApplySettings(JsonObject settings, JsonObject body, IReadOnlyList<string> allowed, string type, bool allowNull)
    {
        foreach ((string key, JsonNode? value) in body)
        {
            if (key is "tenantId" or "@odata.type" or "@odata.context" or "id" or "isServiceDefault") continue;
            if (!allowed.Contains(key, StringComparer.Ordinal)) throw M365Capability.UnknownProperty(key, type);
            if (ReadOnly.Contains(key)) throw GraphException.BadRequest($"The property '{key}' is read-only.");
            ValidateSetting(key, value, allowNull);
            settings[key] = value?.DeepClone();
        }
    }

    private static void ValidateSetting(string key, JsonNode? value, bool allowNull)
    {
        switch (key)
        {
            case "m365CollaborationInbound":
                ValidateCollaboration(key, value, "users", allowNull);
                break;
            case "m365CollaborationOutbound":
                ValidateCollaboration(key, value, "usersAndGroups", allowNull);
                break;
            case "isServiceProvider":
                if (value is not null && (value is not JsonValue v || v.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)))
                {
                    throw GraphException.BadRequest($"'{key}' must be true, false or null.");
                }
                break;
            default:
                if (value is not null and not JsonObject) throw GraphException.BadRequest($"'{key}' must be an object or null.");
                break;
        }
    }

    /// <summary>{"users"|"usersAndGroups": {"accessType": "allowed"|"blocked", "targets": [{"target", "targetType"}]}} (L-TGTCFG).</summary>
    private static void ValidateCollaboration(string key, JsonNode? value, string member, bool allowNull)
    {
        if (value is null)
        {
            if (allowNull) return;
            throw GraphException.BadRequest($"'{key}' can't be null on the default configuration.");
        }
        if (value is not JsonObject o) throw GraphException.BadRequest($"'{key}' must be an object with '{member}'.");
        foreach ((string k, _) in o)
        {
            if (k != member) throw M365Capability.UnknownProperty(k, key == "m365CollaborationInbound" ? "crossTenantAccessPolicyM365CollaborationInboundSetting" : "crossTenantAccessPolicyM365CollaborationOutboundSetting");
        }
        if (o[member] is not JsonObject target) throw GraphException.BadRequest($"'{key}.{member}' is required.");
        string? access = target["accessType"] is JsonValue av && av.TryGetValue(out string? a) ? a : null;
        if (access is not ("allowed" or "blocked")) throw GraphException.OData($"Requested value '{access}' was not found.");
        if (target["targets"] is not JsonArray targets || targets.Count == 0) throw GraphException.BadRequest($"'{key}.{member}.targets' must list at least one target.");
        foreach (JsonNode? t in targets)
        {
            string? name = t?["target"] is JsonValue tv && tv.TryGetValue(out string? n) ? n : null;
            string? kind = t?["targetType"] is JsonValue kv && kv.TryGetValue(out string? k) ? k : null;
            if (string.IsNullOrEmpty(name)) throw GraphException.BadRequest($"Every target of '{key}' needs 'target'.");
            if (kind is not ("user" or "group" or "application")) throw GraphException.OData($"Requested value '{kind}' was not found.");
        }
    }

    /// <summary>
    /// Whether a trust ({"users": {accessType, targets}}) lets <paramref name="userId"/> in: allowed with a target naming
    /// AllUsers, the user or one of <paramref name="groupIds"/>; blocked unless a target names them.
    /// </summary>
    public static bool TrustAllows(JsonObject? trust, Guid? userId, IReadOnlyCollection<Guid> groupIds)
    {
        if (trust?["users"] is not JsonObject users) return false;
        string? access = (string?)users["accessType"];
        bool named = users["targets"] is JsonArray targets && targets.Any(t =>
        {
            string? target = (string?)t?["target"];
            if (target == null) return false;
            if (target.Equals("AllUsers", StringComparison.OrdinalIgnoreCase)) return true;
            return Guid.TryParse(target, out Guid id) && (id == userId || groupIds.Contains(id));
        });
        return access == "allowed" ? named : access == "blocked" && !named;
    }

    // ---- the control view and seeding (GET/PUT /_sandbox/tenants/{t}/cross-tenant-access, sandbox.json) ----

    /// <summary>The whole state: {"tenantId","default":{...,"m365Capabilities":[...]},"partners":[{...,"m365Capabilities":[...]}],"pageSize","replicationCalls","replicationSeconds"}.</summary>
    public JsonObject ToControlJson()
    {
        JsonObject def = DefaultJson();
        def["m365Capabilities"] = new JsonArray(DefaultCapabilities.Select(c => (JsonNode?)c.ToJson()).ToArray());
        return new JsonObject
        {
            ["tenantId"] = TenantId.ToString(),
            ["default"] = def,
            ["partners"] = new JsonArray(Partners.Select(p =>
            {
                JsonObject o = p.ToJson();
                o["m365Capabilities"] = new JsonArray(p.Capabilities.Select(c => (JsonNode?)c.ToJson()).ToArray());
                return (JsonNode?)o;
            }).ToArray()),
            ["pageSize"] = PageSize,
            ["replicationCalls"] = ReplicationCalls,
            ["replicationSeconds"] = ReplicationSeconds,
        };
    }

    public static CrossTenantAccessPolicy FromConfig(TenantConfig tenant) => Parse(tenant, tenant.CrossTenantAccess);

    /// <summary>
    /// A policy from the control shape (all parts optional). default.m365CollaborationInbound may also be just "allowed" or
    /// "blocked" (AllUsers). Throws <see cref="GraphException"/> for what Graph would refuse.
    /// </summary>
    public static CrossTenantAccessPolicy Parse(TenantConfig tenant, JsonObject? seed)
    {
        var policy = new CrossTenantAccessPolicy { TenantId = tenant.Id };
        JsonObject? def = seed?["default"] as JsonObject;
        string access = "blocked";
        if (def?["m365CollaborationInbound"] is JsonValue shorthand && shorthand.TryGetValue(out string? s))
        {
            if (s is not ("allowed" or "blocked")) throw GraphException.BadRequest($"default.m365CollaborationInbound '{s}' must be allowed or blocked.");
            access = s;
            def = (JsonObject)def.DeepClone();
            def.Remove("m365CollaborationInbound");
            policy.IsServiceDefault = false;
        }
        policy.DefaultSettings = ServiceDefault(access);
        if (def != null)
        {
            JsonObject settings = (JsonObject)def.DeepClone();
            settings.Remove("m365Capabilities");
            if (settings["isServiceDefault"] is JsonValue isd && isd.TryGetValue(out bool b)) policy.IsServiceDefault = b;
            else if (settings.Count > 0) policy.IsServiceDefault = false;
            ApplySettings(policy.DefaultSettings, settings, DefaultProperties, "crossTenantAccessPolicyConfigurationDefault", allowNull: false);
            policy.DefaultCapabilities = Capabilities(def["m365Capabilities"], tenant);
        }
        if (seed?["partners"] is JsonArray partners)
        {
            foreach (JsonNode? node in partners)
            {
                if (node is not JsonObject p) throw GraphException.BadRequest("Every partner must be an object with tenantId.");
                Guid id = PartnerTenantId(p, tenant);
                if (policy.Partner(id) != null) throw new GraphException(409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property tenantId already exists.");
                JsonObject body = (JsonObject)p.DeepClone();
                body.Remove("m365Capabilities");
                JsonObject settings = NewPartnerSettings();
                if (body["isInMultiTenantOrganization"] is JsonValue mto && mto.TryGetValue(out bool inMto)) settings["isInMultiTenantOrganization"] = inMto;
                body.Remove("isInMultiTenantOrganization");
                ApplySettings(settings, body, PartnerProperties, "crossTenantAccessPolicyConfigurationPartner", allowNull: true);
                policy.Partners.Add(new PartnerPolicy
                {
                    TenantId = id,
                    Settings = settings,
                    Capabilities = Capabilities(p["m365Capabilities"], tenant),
                    CreatedAt = DateTimeOffset.UtcNow.AddDays(-1),
                });
            }
        }
        if (seed?["pageSize"] is JsonValue ps && ps.TryGetValue(out int size) && size > 0) policy.PageSize = size;
        if (seed?["replicationCalls"] is JsonValue rc && rc.TryGetValue(out int calls) && calls >= 0) policy.ReplicationCalls = calls;
        if (seed?["replicationSeconds"] is JsonValue rs && rs.TryGetValue(out int seconds) && seconds >= 0) policy.ReplicationSeconds = seconds;
        return policy;
    }

    /// <summary>tenantId of a partner body: a GUID, not the policy's own tenant.</summary>
    public static Guid PartnerTenantId(JsonObject body, TenantConfig tenant)
    {
        string? text = body["tenantId"] is JsonValue v && v.TryGetValue(out string? t) ? t : null;
        if (text == null) throw GraphException.BadRequest("The 'tenantId' property is required.");
        if (!Guid.TryParse(text, out Guid id)) throw GraphException.BadRequest($"Invalid value '{text}' for property 'tenantId': it must be a tenant id (GUID).");
        if (id == tenant.Id) throw GraphException.BadRequest("A partner configuration can't be created for the tenant itself.");
        return id;
    }

    private static List<M365Capability> Capabilities(JsonNode? node, TenantConfig tenant)
    {
        var list = new List<M365Capability>();
        if (node is null) return list;
        if (node is not JsonArray array) throw GraphException.BadRequest("m365Capabilities must be an array.");
        foreach (JsonNode? item in array)
        {
            if (item is not JsonObject o) throw GraphException.BadRequest("Every capability must be an object.");
            JsonObject body = (JsonObject)o.DeepClone();
            DateTimeOffset? modified = body["lastModifiedDateTime"] is JsonValue lm && lm.TryGetValue(out string? text)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset d) ? d : null;
            body.Remove("lastModifiedDateTime");
            M365Capability c = M365Capability.FromCreate(body, tenant);
            if (modified != null) c.LastModified = modified.Value;
            if (list.Any(x => x.Name == c.Name)) throw new GraphException(409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property name already exists.");
            list.Add(c);
        }
        return list;
    }
}
