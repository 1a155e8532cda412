using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.CrossTenantAccess
{
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
}
