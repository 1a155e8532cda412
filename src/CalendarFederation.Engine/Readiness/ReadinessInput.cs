using System;
using System.Collections.Generic;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>What the evaluator works on: the tenants as read, the domain lookups, the time, and the narrowing asked for.</summary>
    public sealed class ReadinessInput
    {
        public TenantInventory Local { get; set; } = new TenantInventory();
        /// <summary>The partner tenant, when -PartnerConnection was given: both sides are then reported, each narrowed to the other.</summary>
        public TenantInventory? Partner { get; set; }
        /// <summary>Lookups by domain (as written and normalised).</summary>
        public IReadOnlyDictionary<string, DomainLookup> Lookups { get; set; } = new Dictionary<string, DomainLookup>();
        public DateTimeOffset Now { get; set; }
        /// <summary>-DomainName, normalised.</summary>
        public IReadOnlyCollection<string> DomainFilter { get; set; } = Array.Empty<string>();
        /// <summary>-PartnerTenantId, and the tenants the -DomainName domains resolved to.</summary>
        public IReadOnlyCollection<string> TenantFilter { get; set; } = Array.Empty<string>();
    }
}
