using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.CrossTenantAccess
{
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
}
