using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalendarFederation.Engine.CrossTenantAccess
{
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
