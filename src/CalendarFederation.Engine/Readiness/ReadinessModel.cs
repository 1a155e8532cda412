using System;
using System.Collections.Generic;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>What to do about one legacy object, most urgent first (so sorting by it puts what is broken on top).</summary>
    public enum Verdict
    {
        /// <summary>EWS is already off on a side that this object still depends on: sharing has stopped.</summary>
        BrokenNow,
        /// <summary>The cross-tenant access policy does not (or not yet provably) replace it.</summary>
        NeedsCrossTenantAccess,
        /// <summary>The cross-tenant access policy replaces it, and the legacy object is still enabled (and still wins).</summary>
        ReadyToCutOver,
        /// <summary>Not part of this migration: an on-premises or hybrid partner, or features X-TAP does not replace.</summary>
        KeepLegacy,
        /// <summary>The legacy object is off and the cross-tenant access policy has taken over (or nothing depends on EWS).</summary>
        Migrated,
    }

    /// <summary>The kind of object a row is about.</summary>
    public enum LegacyObjectType
    {
        OrganizationConfig,
        OrganizationRelationship,
        AvailabilityAddressSpace,
        SharingPolicy,
    }

    /// <summary>(Get-OrganizationConfig).EwsEnabled.</summary>
    public enum EwsSetting
    {
        /// <summary>Blank: Microsoft switches such tenants to False gradually since 2026-10-01.</summary>
        NotSet,
        True,
        False,
        /// <summary>Not read: no connection to that tenant, or the read failed.</summary>
        Unknown,
    }

    /// <summary>What a tenant's cross-tenant access policy shows for an object, or (on an OrganizationConfig row) whether X-TAP is offered at all.</summary>
    public enum XtapStatus
    {
        /// <summary>Nothing to grant on this side (an on-premises partner, or a relationship that exposes nothing).</summary>
        NotApplicable,
        /// <summary>OrganizationConfig row: the Microsoft 365 capabilities endpoint answers.</summary>
        Available,
        /// <summary>The Microsoft 365 capabilities of the policy are not offered in this tenant or cloud yet.</summary>
        NotAvailable,
        Present,
        /// <summary>Some of what the legacy object shares is granted, not all (a lower level, or MailTips missing).</summary>
        Partial,
        Missing,
        /// <summary>Not read: the policy could not be read (the reason names the missing permission or role), or the partner's side was not given.</summary>
        Unknown,
    }

    /// <summary>One line of the report.</summary>
    public sealed class ReadinessRow
    {
        /// <summary>The tenant the object is in.</summary>
        public string Organization { get; internal set; } = "";
        /// <summary>The partner the object is about: a domain, '*', 'Anonymous', an address space's forest; empty on the OrganizationConfig row.</summary>
        public string Partner { get; internal set; } = "";
        public PartnerKind PartnerKind { get; internal set; }
        public LegacyObjectType ObjectType { get; internal set; }
        /// <summary>The object's name (relationship, address space's forest, sharing policy), or "EwsEnabled: ..." on the OrganizationConfig row.</summary>
        public string Identity { get; internal set; } = "";
        public Verdict Verdict { get; internal set; }
        /// <summary>A UTC date (ReadinessDecisions R2), or null when nothing here depends on a deadline.</summary>
        public DateTime? Deadline { get; internal set; }
        public string? DeadlineReason { get; internal set; }
        /// <summary>The command to run next (with where to run it, when it is another tenant).</summary>
        public string NextStep { get; internal set; } = "";
        /// <summary>Why: what was found, what is missing, what was assumed.</summary>
        public string Reason { get; internal set; } = "";
        /// <summary>The partner's tenant id, when known.</summary>
        public string? PartnerTenantId { get; internal set; }
        /// <summary>The row's own tenant's EwsEnabled.</summary>
        public EwsSetting EwsEnabled { get; internal set; }
        /// <summary>The partner tenant's EwsEnabled (Unknown without its connection).</summary>
        public EwsSetting PartnerEwsEnabled { get; internal set; } = EwsSetting.Unknown;
        /// <summary>The X-TAP equivalent in this row's tenant (OrganizationConfig row: whether X-TAP is available).</summary>
        public XtapStatus CrossTenantAccess { get; internal set; }
        /// <summary>The partner's grant back to this tenant, where the legacy object also serves that direction.</summary>
        public XtapStatus PartnerCrossTenantAccess { get; internal set; } = XtapStatus.NotApplicable;
        /// <summary>True when the object breaks once its EWS is off (ReadinessDecisions R4).</summary>
        public bool DependsOnEws { get; internal set; }
        /// <summary>The object's partner domains (a relationship's DomainNames).</summary>
        public IReadOnlyList<string> Domains { get; internal set; } = Array.Empty<string>();

        public override string ToString() => $"{Organization} {ObjectType} {Identity} ({Partner}): {Verdict}";
    }

    /// <summary>How many reads a report made, per kind: what the benchmark and the request-count test check.</summary>
    public sealed class ReadinessStatistics
    {
        /// <summary>Admin API requests (pages) per cmdlet, summed over the tenants read.</summary>
        public Dictionary<string, int> AdminApiPages { get; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Objects read per cmdlet, summed over the tenants read.</summary>
        public Dictionary<string, int> AdminApiObjects { get; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Anonymous partner tenant lookups made (one per distinct domain).</summary>
        public int TenantLookups { get; internal set; }
        /// <summary>The most lookups that were in flight at once.</summary>
        public int MaxLookupsInFlight { get; internal set; }
        /// <summary>Partner capability lists read (one per matching partner configuration).</summary>
        public int CapabilityReads { get; internal set; }

        internal void AddPages(string cmdlet, int pages, int objects)
        {
            lock (AdminApiPages)
            {
                AdminApiPages[cmdlet] = (AdminApiPages.TryGetValue(cmdlet, out int p) ? p : 0) + pages;
                AdminApiObjects[cmdlet] = (AdminApiObjects.TryGetValue(cmdlet, out int o) ? o : 0) + objects;
            }
        }
    }

    /// <summary>The rows, and what it took to make them.</summary>
    public sealed class ReadinessReport
    {
        internal ReadinessReport(IReadOnlyList<ReadinessRow> rows, ReadinessStatistics statistics)
        {
            Rows = rows;
            Statistics = statistics;
        }

        public IReadOnlyList<ReadinessRow> Rows { get; }
        public ReadinessStatistics Statistics { get; }
    }
}
