using System;

namespace CalendarFederation
{
    /// <summary>The most a user may share a calendar with a partner's users (the sharing policy's CalendarSharingFreeBusy* actions).</summary>
    public enum CalendarSharingAccessLevel
    {
        None,
        /// <summary>Free/busy only.</summary>
        Simple,
        /// <summary>Free/busy with limited details.</summary>
        Detail,
        /// <summary>Full details.</summary>
        Reviewer,
    }

    /// <summary>The partner's Microsoft 365 collaboration trust in the cross-tenant access policy.</summary>
    public enum CrossTenantTrust
    {
        /// <summary>Not set on the partner: the default policy's trust applies, which may be blocked.</summary>
        Inherited,
        /// <summary>Allowed for all the partner's users.</summary>
        Allowed,
        /// <summary>Allowed or blocked for some users or groups only.</summary>
        Scoped,
        /// <summary>Blocked for all the partner's users.</summary>
        Blocked,
    }

    /// <summary>
    /// What one tenant lets one partner tenant's users see of its calendars through the Microsoft 365 cross-tenant access
    /// policy (the tenant that holds the mailboxes grants: inbound only). Property names are Grant-CrossTenantCalendarAccess's
    /// parameter names. The default policy is a row of its own, PartnerTenantId 'default'.
    /// </summary>
    public sealed class CrossTenantCalendarAccess
    {
        /// <summary>The tenant whose policy this is, and whose calendars are read.</summary>
        public string Organization { get; set; } = "";
        /// <summary>The partner tenant's id, or 'default' for the default policy.</summary>
        public string PartnerTenantId { get; set; } = "";
        /// <summary>The partner's domains where known (its default domain, and domains of relationships or lookups for it).</summary>
        public string[] PartnerDomains { get; set; } = Array.Empty<string>();
        public CrossTenantTrust Trust { get; set; }
        public FreeBusyAccessLevel FreeBusyAccessLevel { get; set; }
        /// <summary>Whose free/busy is exposed: 'All', or groups as 'name (object id)'.</summary>
        public string[] FreeBusyAccessScope { get; set; } = Array.Empty<string>();
        public MailTipsAccessLevel MailTipsAccessLevel { get; set; }
        public string[] MailTipsAccessScope { get; set; } = Array.Empty<string>();
        public CalendarSharingAccessLevel CalendarSharingAccessLevel { get; set; }
        /// <summary>Places room booking (crossTenantPlacesRoomBooking).</summary>
        public bool RoomBookingEnabled { get; set; }
        /// <summary>The newest lastModifiedDateTime of the partner's calendar capabilities.</summary>
        public DateTimeOffset? LastModified { get; set; }
        /// <summary>Every capability the policy holds for the partner, as 'name' or 'name (denied)'.</summary>
        public string[] Capabilities { get; set; } = Array.Empty<string>();

        public bool IsDefault => string.Equals(PartnerTenantId, "default", StringComparison.OrdinalIgnoreCase);

        public override string ToString() => $"{Organization} -> {PartnerTenantId}: {FreeBusyAccessLevel}";
    }
}
