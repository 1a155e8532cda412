using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>What a partner's Microsoft 365 collaboration trust (m365CollaborationInbound) allows.</summary>
    public enum TrustState
    {
        /// <summary>null: the partner inherits the default policy's trust, which may be blocked (docs/cross-tenant-access.md §1.1).</summary>
        Inherited,
        /// <summary>allowed for AllUsers.</summary>
        AllUsers,
        /// <summary>allowed or blocked for particular users or groups, or anything not recognised: restricted.</summary>
        Scoped,
        /// <summary>blocked for AllUsers.</summary>
        Blocked,
    }

    /// <summary>One crossTenantAccessPolicyTarget: {target, targetType}.</summary>
    public sealed class AccessTarget
    {
        public AccessTarget(string? target, string? targetType)
        {
            Target = target;
            TargetType = targetType;
        }

        public string? Target { get; }
        public string? TargetType { get; }

        public override string ToString() => Target == XtapDecisions.AllUsersTarget ? "all users" : $"{TargetType ?? "?"} {Target ?? "?"}";
    }

    /// <summary>A partner's (or the default's) m365CollaborationInbound, classified, with the raw access type and targets kept.</summary>
    public sealed class CollaborationTrust
    {
        public CollaborationTrust(TrustState state, string? accessType, IReadOnlyList<AccessTarget> targets)
        {
            State = state;
            AccessType = accessType;
            Targets = targets ?? Array.Empty<AccessTarget>();
        }

        public TrustState State { get; }

        /// <summary>As Graph sent it: allowed, blocked, or a value added later (unknownFutureValue).</summary>
        public string? AccessType { get; }

        public IReadOnlyList<AccessTarget> Targets { get; }

        public static CollaborationTrust Inherited { get; } = new CollaborationTrust(TrustState.Inherited, null, Array.Empty<AccessTarget>());

        /// <summary>What this module writes: allowed for AllUsers (docs/cross-tenant-access.md §2.2).</summary>
        public static CollaborationTrust AllUsersAllowed { get; } = new CollaborationTrust(TrustState.AllUsers, "allowed",
            new[] { new AccessTarget(XtapDecisions.AllUsersTarget, XtapDecisions.AllUsersTargetType) });

        /// <summary>"inherited from the default policy", "allowed for all users", "blocked for all users", "allowed for group 3f…, user 9a…".</summary>
        public string Describe() => State switch
        {
            TrustState.Inherited => "inherited from the default policy",
            TrustState.AllUsers => "allowed for all users",
            TrustState.Blocked => "blocked for all users",
            _ => (AccessType ?? "set") + (Targets.Count == 0 ? " with no targets" : " for " + string.Join(", ", Targets)),
        };

        public override string ToString() => Describe();
    }

    /// <summary>One m365CapabilityResourceScope. An entry without a resourceId (the guide's "excluded":[{}]) is empty and means nothing.</summary>
    public sealed class ResourceScope
    {
        public ResourceScope(string? resourceId, string? resourceType)
        {
            ResourceId = resourceId;
            ResourceType = resourceType;
        }

        public string? ResourceId { get; }
        public string? ResourceType { get; }

        public bool IsEmpty => string.IsNullOrEmpty(ResourceId);

        /// <summary>resourceId "All": every user (or group) of the resource type (G-SCOPE).</summary>
        public bool IsEveryone => string.Equals(ResourceId, XtapDecisions.EveryoneResourceId, StringComparison.OrdinalIgnoreCase);

        public override string ToString() => IsEmpty ? "(empty)" : IsEveryone ? "all " + (ResourceType ?? "?") + "s" : (ResourceType ?? "?") + " " + ResourceId;
    }

    /// <summary>m365CapabilityResourceScopes: who in this tenant is exposed. Excluded wins over included (G-SCOPES).</summary>
    public sealed class ResourceScopes
    {
        public ResourceScopes(IReadOnlyList<ResourceScope> included, IReadOnlyList<ResourceScope> excluded)
        {
            Included = included ?? Array.Empty<ResourceScope>();
            Excluded = excluded ?? Array.Empty<ResourceScope>();
        }

        /// <summary>As Graph sent them, empty entries included.</summary>
        public IReadOnlyList<ResourceScope> Included { get; }
        public IReadOnlyList<ResourceScope> Excluded { get; }

        /// <summary>{"resourceId":"All","resourceType":type} included, nothing excluded.</summary>
        public static ResourceScopes Everyone(string resourceType) =>
            new ResourceScopes(new[] { new ResourceScope(XtapDecisions.EveryoneResourceId, resourceType) }, Array.Empty<ResourceScope>());

        /// <summary>These groups (Entra object ids) included, nothing excluded.</summary>
        public static ResourceScopes Groups(IEnumerable<string> objectIds) =>
            new ResourceScopes(objectIds.Select(id => new ResourceScope(id, XtapDecisions.GroupResourceType)).ToArray(), Array.Empty<ResourceScope>());

        /// <summary>The same people exposed: the non-empty entries, as sets (ids and types compared case-insensitively, order ignored).</summary>
        public bool SameAs(ResourceScopes other) => SetEquals(Included, other.Included) && SetEquals(Excluded, other.Excluded);

        /// <summary>True when no entry of either list says anything.</summary>
        public bool IsUnset => Included.All(s => s.IsEmpty) && Excluded.All(s => s.IsEmpty);

        private static bool SetEquals(IReadOnlyList<ResourceScope> a, IReadOnlyList<ResourceScope> b)
        {
            var left = new HashSet<string>(a.Where(s => !s.IsEmpty).Select(Key), StringComparer.OrdinalIgnoreCase);
            var right = new HashSet<string>(b.Where(s => !s.IsEmpty).Select(Key), StringComparer.OrdinalIgnoreCase);
            return left.SetEquals(right);
        }

        private static string Key(ResourceScope s) => s.ResourceId + "|" + (s.ResourceType ?? "");

        public string Describe()
        {
            string included = string.Join(", ", Included.Where(s => !s.IsEmpty));
            string excluded = string.Join(", ", Excluded.Where(s => !s.IsEmpty));
            return (included.Length == 0 ? "nobody" : included) + (excluded.Length == 0 ? "" : " except " + excluded);
        }

        public override string ToString() => Describe();
    }

    /// <summary>m365CapabilityInboundAccess: allowed or denied, and for whom.</summary>
    public sealed class InboundAccess
    {
        public InboundAccess(bool isAllowed, ResourceScopes scopes)
        {
            IsAllowed = isAllowed;
            Scopes = scopes ?? throw new ArgumentNullException(nameof(scopes));
        }

        public bool IsAllowed { get; }
        public ResourceScopes Scopes { get; }

        public bool SameAs(InboundAccess other) => IsAllowed == other.IsAllowed && Scopes.SameAs(other.Scopes);

        public override string ToString() => (IsAllowed ? "allowed for " : "denied for ") + Scopes.Describe();
    }

    /// <summary>One Microsoft 365 capability (m365CapabilityBase), as read: unknown names and types are kept.</summary>
    public sealed class M365Capability
    {
        public M365Capability(string name, string? odataType, InboundAccess inboundAccess, DateTimeOffset? lastModifiedDateTime)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            ODataType = odataType;
            InboundAccess = inboundAccess ?? throw new ArgumentNullException(nameof(inboundAccess));
            LastModifiedDateTime = lastModifiedDateTime;
        }

        /// <summary>The key (case-sensitive), e.g. crossTenantCalendarAvailabilityBasic.</summary>
        public string Name { get; }

        /// <summary>@odata.type as sent, e.g. #microsoft.graph.crossTenantCalendarAvailabilityBasic.</summary>
        public string? ODataType { get; }

        public InboundAccess InboundAccess { get; }

        public bool IsAllowed => InboundAccess.IsAllowed;

        public DateTimeOffset? LastModifiedDateTime { get; }

        public bool IsKnown => M365CapabilityNames.IsKnown(Name);

        public CapabilityFamily Family => M365CapabilityNames.FamilyOf(Name);

        public override string ToString() => Name + ": " + InboundAccess;
    }

    /// <summary>One partner configuration (crossTenantAccessPolicyConfigurationPartner): the parts this module reads.</summary>
    public sealed class PartnerConfiguration
    {
        public PartnerConfiguration(string tenantId, CollaborationTrust inboundTrust, bool? isServiceProvider = null, bool? isInMultiTenantOrganization = null)
        {
            TenantId = tenantId ?? throw new ArgumentNullException(nameof(tenantId));
            InboundTrust = inboundTrust ?? CollaborationTrust.Inherited;
            IsServiceProvider = isServiceProvider;
            IsInMultiTenantOrganization = isInMultiTenantOrganization;
        }

        public string TenantId { get; }

        /// <summary>m365CollaborationInbound.</summary>
        public CollaborationTrust InboundTrust { get; }

        public bool? IsServiceProvider { get; }
        public bool? IsInMultiTenantOrganization { get; }
    }

    /// <summary>The default policy: its Microsoft 365 collaboration trust and its capabilities (what tenants without a setting of their own get).</summary>
    public sealed class CrossTenantDefaultPolicy
    {
        public CrossTenantDefaultPolicy(CollaborationTrust inboundTrust, IReadOnlyList<M365Capability> capabilities)
        {
            InboundTrust = inboundTrust ?? CollaborationTrust.Inherited;
            Capabilities = capabilities ?? Array.Empty<M365Capability>();
        }

        public CollaborationTrust InboundTrust { get; }
        public IReadOnlyList<M365Capability> Capabilities { get; }

        public M365Capability? Find(string name) => Capabilities.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

        /// <summary>True when the default policy allows this capability.</summary>
        public bool Grants(string name) => Find(name)?.IsAllowed == true;
    }

    /// <summary>Everything one resource tenant says about one partner: its configuration (null when it has none) and its capabilities.</summary>
    public sealed class PartnerAccessState
    {
        public PartnerAccessState(string partnerTenantId, PartnerConfiguration? partner, IReadOnlyList<M365Capability> capabilities)
        {
            PartnerTenantId = partnerTenantId ?? throw new ArgumentNullException(nameof(partnerTenantId));
            Partner = partner;
            Capabilities = capabilities ?? Array.Empty<M365Capability>();
        }

        public string PartnerTenantId { get; }

        /// <summary>Null when the tenant has no partner configuration for this partner (it gets the default policy).</summary>
        public PartnerConfiguration? Partner { get; }

        public IReadOnlyList<M365Capability> Capabilities { get; }

        public bool Exists => Partner != null;

        public CollaborationTrust Trust => Partner?.InboundTrust ?? CollaborationTrust.Inherited;

        public M365Capability? Find(string name) => Capabilities.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

        /// <summary>The allowed capabilities of one family on this partner (more than one is the undocumented two-levels case).</summary>
        public IReadOnlyList<M365Capability> Allowed(CapabilityFamily family) =>
            Capabilities.Where(c => c.Family == family && c.IsAllowed).ToArray();

        /// <summary>The highest allowed free/busy level on the partner; None when none is.</summary>
        public FreeBusyAccessLevel FreeBusy => Allowed(CapabilityFamily.FreeBusy).Select(c => M365CapabilityNames.FreeBusyLevelOf(c.Name)).DefaultIfEmpty().Max();

        public MailTipsAccessLevel MailTips => Allowed(CapabilityFamily.MailTips).Select(c => M365CapabilityNames.MailTipsLevelOf(c.Name)).DefaultIfEmpty().Max();

        public CalendarSharingAccessLevel CalendarSharing =>
            Allowed(CapabilityFamily.CalendarSharing).Select(c => M365CapabilityNames.CalendarSharingLevelOf(c.Name)).DefaultIfEmpty().Max();

        public bool RoomBooking => Allowed(CapabilityFamily.RoomBooking).Count > 0;
    }

    /// <summary>
    /// The X-TAP JSON, both ways. Parsing is tolerant: missing or null parts are empty, "excluded":[{}] is an empty entry,
    /// unknown capability types are kept, and a capability's name comes from "name" or else from @odata.type.
    /// </summary>
    public static class CrossTenantAccessJson
    {
        public static PartnerConfiguration ParsePartner(JsonElement partner, string? fallbackTenantId = null)
        {
            string? tenantId = GetString(partner, "tenantId") ?? fallbackTenantId;
            if (tenantId == null) throw new JsonException("a partner configuration without tenantId");
            return new PartnerConfiguration(tenantId, ParseTrust(Get(partner, "m365CollaborationInbound")), GetBool(partner, "isServiceProvider"),
                GetBool(partner, "isInMultiTenantOrganization"));
        }

        /// <summary>m365CollaborationInbound: null or users null → Inherited; allowed+AllUsers → AllUsers; blocked+AllUsers → Blocked; otherwise Scoped.</summary>
        public static CollaborationTrust ParseTrust(JsonElement? inbound)
        {
            if (inbound is not JsonElement setting || setting.ValueKind != JsonValueKind.Object) return CollaborationTrust.Inherited;
            if (Get(setting, "users") is not JsonElement users || users.ValueKind != JsonValueKind.Object) return CollaborationTrust.Inherited;
            string? accessType = GetString(users, "accessType");
            var targets = new List<AccessTarget>();
            if (Get(users, "targets") is JsonElement list && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement t in list.EnumerateArray())
                {
                    if (t.ValueKind == JsonValueKind.Object) targets.Add(new AccessTarget(GetString(t, "target"), GetString(t, "targetType")));
                }
            }
            if (accessType == null && targets.Count == 0) return CollaborationTrust.Inherited;
            bool allUsers = targets.Any(t => string.Equals(t.Target, XtapDecisions.AllUsersTarget, StringComparison.OrdinalIgnoreCase));
            TrustState state =
                allUsers && string.Equals(accessType, "allowed", StringComparison.OrdinalIgnoreCase) ? TrustState.AllUsers
                : allUsers && targets.Count == 1 && string.Equals(accessType, "blocked", StringComparison.OrdinalIgnoreCase) ? TrustState.Blocked
                : TrustState.Scoped;
            return new CollaborationTrust(state, accessType, targets);
        }

        public static M365Capability? ParseCapability(JsonElement capability)
        {
            if (capability.ValueKind != JsonValueKind.Object) return null;
            string? odataType = GetString(capability, "@odata.type");
            string? name = GetString(capability, "name") ?? M365CapabilityNames.NameFromODataType(odataType);
            if (string.IsNullOrEmpty(name)) return null;
            DateTimeOffset? modified = null;
            if (GetString(capability, "lastModifiedDateTime") is string text
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed))
            {
                modified = parsed;
            }
            return new M365Capability(name!, odataType, ParseInboundAccess(Get(capability, "inboundAccess")), modified);
        }

        public static InboundAccess ParseInboundAccess(JsonElement? inbound)
        {
            if (inbound is not JsonElement access || access.ValueKind != JsonValueKind.Object)
            {
                return new InboundAccess(false, new ResourceScopes(Array.Empty<ResourceScope>(), Array.Empty<ResourceScope>()));
            }
            bool allowed = GetBool(access, "isAllowed") == true;
            JsonElement? scopes = Get(access, "resourceScopes");
            return new InboundAccess(allowed, new ResourceScopes(ParseScopes(scopes, "included"), ParseScopes(scopes, "excluded")));
        }

        private static IReadOnlyList<ResourceScope> ParseScopes(JsonElement? scopes, string name)
        {
            if (scopes is not JsonElement s || s.ValueKind != JsonValueKind.Object || Get(s, name) is not JsonElement list || list.ValueKind != JsonValueKind.Array)
            {
                return Array.Empty<ResourceScope>();
            }
            var result = new List<ResourceScope>();
            foreach (JsonElement item in list.EnumerateArray())
            {
                result.Add(item.ValueKind == JsonValueKind.Object
                    ? new ResourceScope(GetString(item, "resourceId"), GetString(item, "resourceType"))
                    : new ResourceScope(null, null));
            }
            return result;
        }

        /// <summary>{"tenantId":"…"}: the documented create (L-PPOST); the trust is written by a PATCH after it.</summary>
        public static JsonObject CreatePartnerBody(string tenantId) => new JsonObject { ["tenantId"] = tenantId };

        /// <summary>{"m365CollaborationInbound":{"users":{"accessType":…,"targets":[{"target":…,"targetType":…}]}}} (L-PUPD example 4).</summary>
        public static JsonObject TrustBody(CollaborationTrust trust)
        {
            var targets = new JsonArray();
            foreach (AccessTarget t in trust.Targets) targets.Add(new JsonObject { ["target"] = t.Target, ["targetType"] = t.TargetType });
            return new JsonObject
            {
                ["m365CollaborationInbound"] = new JsonObject
                {
                    ["users"] = new JsonObject { ["accessType"] = trust.AccessType ?? "allowed", ["targets"] = targets },
                },
            };
        }

        /// <summary>{"@odata.type":"#microsoft.graph.&lt;name&gt;","inboundAccess":{…}} (G-V1POST).</summary>
        public static JsonObject CreateCapabilityBody(string name, InboundAccess access) => new JsonObject
        {
            ["@odata.type"] = M365CapabilityNames.ODataTypeOf(name),
            ["inboundAccess"] = InboundAccessJson(access),
        };

        /// <summary>{"inboundAccess":{…}}: the only updatable property (G-V1UPD); resourceScopes are always sent whole.</summary>
        public static JsonObject UpdateCapabilityBody(InboundAccess access) => new JsonObject { ["inboundAccess"] = InboundAccessJson(access) };

        /// <summary>{"isAllowed":…,"resourceScopes":{"included":[…],"excluded":[…]}}: empty entries are dropped, so "excluded" is [] (XtapDecisions).</summary>
        public static JsonObject InboundAccessJson(InboundAccess access) => new JsonObject
        {
            ["isAllowed"] = access.IsAllowed,
            ["resourceScopes"] = new JsonObject
            {
                ["included"] = ScopesJson(access.Scopes.Included),
                ["excluded"] = ScopesJson(access.Scopes.Excluded),
            },
        };

        private static JsonArray ScopesJson(IEnumerable<ResourceScope> scopes)
        {
            var array = new JsonArray();
            foreach (ResourceScope s in scopes.Where(s => !s.IsEmpty)) array.Add(new JsonObject { ["resourceId"] = s.ResourceId, ["resourceType"] = s.ResourceType });
            return array;
        }

        private static JsonElement? Get(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : (JsonElement?)null;

        private static string? GetString(JsonElement element, string name) =>
            Get(element, name) is JsonElement v && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static bool? GetBool(JsonElement element, string name) =>
            Get(element, name) is JsonElement v && (v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.False) ? v.GetBoolean() : (bool?)null;
    }
}
