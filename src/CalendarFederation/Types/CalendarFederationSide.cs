using System;

namespace CalendarFederation
{
    /// <summary>What New-CalendarFederation did (or would do) on one side.</summary>
    public sealed class CalendarFederationSide
    {
        public string Organization { get; set; } = "";
        /// <summary>The tenant this side shares with.</summary>
        public string Partner { get; set; } = "";
        /// <summary>The relationship's name (organization relationships).</summary>
        public string RelationshipName { get; set; } = "";
        /// <summary>Created, Updated, Unchanged, Planned (with -WhatIf) or Failed.</summary>
        public string Action { get; set; } = "";
        /// <summary>What changed, or would change.</summary>
        public string[] Changes { get; set; } = Array.Empty<string>();
        /// <summary>What the partner sees of this side's calendars.</summary>
        public FreeBusyAccessLevel? FreeBusyAccessLevel { get; set; }
        public string[] DomainNames { get; set; } = Array.Empty<string>();
        /// <summary>True when the relationship was read back and matches the plan.</summary>
        public bool Verified { get; set; }
        public string? Message { get; set; }
        public OrganizationRelationship? Relationship { get; set; }
        /// <summary>CrossTenantAccess or OrganizationRelationship: how this side shares with the partner.</summary>
        public string Method { get; set; } = "";
        /// <summary>The partner's tenant id, for the cross-tenant access policy.</summary>
        public string? PartnerTenantId { get; set; }
        /// <summary>The partner's access in this side's cross-tenant access policy, as read back.</summary>
        public CrossTenantCalendarAccess? CrossTenantAccess { get; set; }

        public override string ToString() => $"{Organization}: {Action} '{RelationshipName}'";
    }
}

namespace CalendarFederation
{
    /// <summary>How New-CalendarFederation sets up free/busy between two tenants.</summary>
    public enum FederationMethod
    {
        /// <summary>The cross-tenant access policy when both tenants can use it, otherwise organization relationships.</summary>
        Auto,
        /// <summary>The Microsoft 365 cross-tenant access policy: each tenant grants the other.</summary>
        CrossTenantAccess,
        /// <summary>Organization relationships.</summary>
        OrganizationRelationship,
    }
}
