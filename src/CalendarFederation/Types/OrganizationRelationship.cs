using System;
using System.Collections.Generic;

namespace CalendarFederation
{
    public enum FreeBusyAccessLevel
    {
        None = 0,
        /// <summary>Free/busy times only.</summary>
        AvailabilityOnly = 1,
        /// <summary>Free/busy times, subject and location.</summary>
        LimitedDetails = 2,
    }

    public enum MailTipsAccessLevel
    {
        None,
        Limited,
        All,
    }

    public enum MailboxMoveCapability
    {
        None,
        Inbound,
        Outbound,
        RemoteInbound,
        RemoteOutbound,
    }

    /// <summary>
    /// An organization relationship, with Exchange's property names. The object written to the pipeline also carries,
    /// as note properties, any property the service returns that this type does not name.
    /// </summary>
    public sealed class OrganizationRelationship
    {
        /// <summary>Exchange Online's identity: usually the name.</summary>
        public string? Identity { get; set; }
        public string? Name { get; set; }
        public string[] DomainNames { get; set; } = Array.Empty<string>();
        public bool Enabled { get; set; }
        public bool FreeBusyAccessEnabled { get; set; }
        public FreeBusyAccessLevel? FreeBusyAccessLevel { get; set; }
        public string? FreeBusyAccessScope { get; set; }
        public bool MailTipsAccessEnabled { get; set; }
        public MailTipsAccessLevel? MailTipsAccessLevel { get; set; }
        public string? MailTipsAccessScope { get; set; }
        public bool DeliveryReportEnabled { get; set; }
        public bool ArchiveAccessEnabled { get; set; }
        public bool PhotosEnabled { get; set; }
        public bool MailboxMoveEnabled { get; set; }
        public MailboxMoveCapability? MailboxMoveCapability { get; set; }
        public string[] MailboxMovePublishedScopes { get; set; } = Array.Empty<string>();
        public string? OAuthApplicationId { get; set; }
        public string? OrganizationContact { get; set; }
        public Uri? TargetApplicationUri { get; set; }
        public Uri? TargetAutodiscoverEpr { get; set; }
        public Uri? TargetOwaURL { get; set; }
        public Uri? TargetSharingEpr { get; set; }
        public Guid? Guid { get; set; }
        public DateTime? WhenCreated { get; set; }
        public DateTime? WhenChanged { get; set; }

        /// <summary>The tenant this relationship lives in (the connection's organization).</summary>
        public string? Organization { get; set; }

        public override string ToString() => Name ?? Identity ?? "";
    }
}
