using System;

namespace CalendarFederation
{
    /// <summary>What to do about a legacy object before EWS goes, most urgent first (sorting by it puts what is broken on top).</summary>
    public enum ReadinessVerdict
    {
        /// <summary>EWS is already off on a side the object still depends on: sharing has stopped.</summary>
        BrokenNow,
        /// <summary>The cross-tenant access policy does not (or not provably) replace it yet.</summary>
        NeedsCrossTenantAccess,
        /// <summary>The cross-tenant access policy replaces it, and the legacy object is still enabled (and still wins).</summary>
        ReadyToCutOver,
        /// <summary>Not part of this migration: an on-premises or hybrid partner, or features the policy does not replace.</summary>
        KeepLegacy,
        /// <summary>The legacy object is off and the cross-tenant access policy has taken over, or nothing depends on EWS.</summary>
        Migrated,
    }

    /// <summary>The kind of object a readiness row is about.</summary>
    public enum ReadinessObjectType
    {
        /// <summary>The tenant's EWS state (Get-OrganizationConfig's EwsEnabled), one row per tenant.</summary>
        OrganizationConfig,
        OrganizationRelationship,
        AvailabilityAddressSpace,
        SharingPolicy,
    }

    /// <summary>Where an organization relationship's partner runs (the engine's PartnerClassifier).</summary>
    public enum ReadinessPartnerKind
    {
        Unknown,
        Microsoft365,
        OnPremises,
        Hybrid,
    }

    /// <summary>A tenant's EwsEnabled, as Get-OrganizationConfig shows it.</summary>
    public enum EwsEnabledState
    {
        /// <summary>Blank: since 2026-10-01 Microsoft switches such tenants to False gradually (at risk).</summary>
        NotSet,
        /// <summary>Legacy cross-tenant sharing keeps working until 2027-04-01.</summary>
        True,
        /// <summary>EWS is off: legacy cross-tenant sharing from this tenant has stopped.</summary>
        False,
        /// <summary>Not read (no connection to that tenant, or the read failed).</summary>
        Unknown,
    }

    /// <summary>What the Microsoft 365 cross-tenant access policy shows for an object (or, on an OrganizationConfig row, whether it is offered).</summary>
    public enum CrossTenantAccessStatus
    {
        /// <summary>Nothing to grant on this side.</summary>
        NotApplicable,
        /// <summary>OrganizationConfig row: the policy's Microsoft 365 capabilities answer in this tenant.</summary>
        Available,
        /// <summary>The policy's Microsoft 365 capabilities are not offered in this tenant or cloud yet.</summary>
        NotAvailable,
        Present,
        /// <summary>Part of what the legacy object shares is granted (a lower level, or MailTips missing).</summary>
        Partial,
        Missing,
        /// <summary>Not read: the policy could not be read (Reason names the missing permission or role), or the partner was not connected.</summary>
        Unknown,
    }

    /// <summary>
    /// One line of Get-CalendarFederationReadiness: a legacy cross-tenant sharing object (or a tenant's EWS state), what
    /// the EWS retirement does to it, by when, and the command to run next.
    /// </summary>
    public sealed class CalendarFederationReadiness
    {
        /// <summary>The tenant the object is in.</summary>
        public string Organization { get; set; } = "";
        /// <summary>The partner: a domain, '*' or 'Anonymous' (sharing policy rules), an address space's forest; empty on the OrganizationConfig row.</summary>
        public string Partner { get; set; } = "";
        public ReadinessPartnerKind PartnerKind { get; set; }
        public ReadinessObjectType ObjectType { get; set; }
        /// <summary>The relationship's, address space's or sharing policy's name; "EwsEnabled: ..." on the OrganizationConfig row.</summary>
        public string Identity { get; set; } = "";
        public ReadinessVerdict Verdict { get; set; }
        /// <summary>The UTC date by which NextStep must be done for sharing to go on unbroken; a date already past means now. Null: no deadline.</summary>
        public DateTime? Deadline { get; set; }
        /// <summary>The command to run next, with the tenant to run it in when it is another one.</summary>
        public string NextStep { get; set; } = "";
        /// <summary>What was found, what is missing, what was assumed.</summary>
        public string Reason { get; set; } = "";
        /// <summary>Why the deadline is that date.</summary>
        public string? DeadlineReason { get; set; }
        public string? PartnerTenantId { get; set; }
        /// <summary>The row's tenant's EwsEnabled.</summary>
        public EwsEnabledState EwsEnabled { get; set; }
        /// <summary>The partner tenant's EwsEnabled (Unknown without -PartnerConnection).</summary>
        public EwsEnabledState PartnerEwsEnabled { get; set; }
        /// <summary>The cross-tenant access policy equivalent in the row's tenant (OrganizationConfig row: whether the policy is available).</summary>
        public CrossTenantAccessStatus CrossTenantAccess { get; set; }
        /// <summary>The partner's grant back to this tenant, where the legacy object serves that direction too.</summary>
        public CrossTenantAccessStatus PartnerCrossTenantAccess { get; set; }
        /// <summary>True when the object stops working once its tenant's EWS is off.</summary>
        public bool DependsOnEws { get; set; }
        /// <summary>The object's partner domains (a relationship's DomainNames).</summary>
        public string[] DomainNames { get; set; } = Array.Empty<string>();

        public override string ToString() => $"{Organization} {ObjectType} {Identity}: {Verdict}";
    }
}
