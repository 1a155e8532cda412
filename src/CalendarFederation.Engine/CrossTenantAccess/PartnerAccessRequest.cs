using System;
using System.Collections.Generic;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>What to do about a partner's Microsoft 365 collaboration trust that is scoped or blocked (never widened silently).</summary>
    public enum ExistingTrustHandling
    {
        /// <summary>Stop with CrossTenantTrustRestricted, naming what is there (the default).</summary>
        Refuse,
        /// <summary>Replace it with "allowed for all users" (-Force).</summary>
        Replace,
        /// <summary>Keep a scoped trust as it is: only the partner users it allows get access. A blocked trust still stops.</summary>
        KeepScoped,
    }

    /// <summary>The features a revoke takes away.</summary>
    [Flags]
    public enum AccessFeatures
    {
        None = 0,
        FreeBusy = 1,
        MailTips = 2,
        CalendarSharing = 4,
        RoomBooking = 8,
        All = FreeBusy | MailTips | CalendarSharing | RoomBooking,
    }

    /// <summary>
    /// What one resource tenant should give one partner. A null level leaves that feature as it is; None takes it away.
    /// A scope lists groups (name, address or Entra object id: the service resolves them; the planner takes object ids);
    /// null or empty means everyone.
    /// </summary>
    public sealed class PartnerAccessRequest
    {
        public PartnerAccessRequest(string partnerTenantId)
        {
            PartnerTenantId = partnerTenantId ?? throw new ArgumentNullException(nameof(partnerTenantId));
        }

        public string PartnerTenantId { get; }

        public FreeBusyAccessLevel? FreeBusy { get; set; }
        public IReadOnlyList<string>? FreeBusyScope { get; set; }

        public MailTipsAccessLevel? MailTips { get; set; }
        public IReadOnlyList<string>? MailTipsScope { get; set; }

        public CalendarSharingAccessLevel? CalendarSharing { get; set; }
        public IReadOnlyList<string>? CalendarSharingScope { get; set; }

        public bool? RoomBooking { get; set; }
        public IReadOnlyList<string>? RoomBookingScope { get; set; }

        public ExistingTrustHandling ExistingTrust { get; set; } = ExistingTrustHandling.Refuse;

        /// <summary>A request that takes these features away and leaves the rest alone.</summary>
        public static PartnerAccessRequest Revoke(string partnerTenantId, AccessFeatures features) => new PartnerAccessRequest(partnerTenantId)
        {
            FreeBusy = features.HasFlag(AccessFeatures.FreeBusy) ? FreeBusyAccessLevel.None : (FreeBusyAccessLevel?)null,
            MailTips = features.HasFlag(AccessFeatures.MailTips) ? MailTipsAccessLevel.None : (MailTipsAccessLevel?)null,
            CalendarSharing = features.HasFlag(AccessFeatures.CalendarSharing) ? CalendarSharingAccessLevel.None : (CalendarSharingAccessLevel?)null,
            RoomBooking = features.HasFlag(AccessFeatures.RoomBooking) ? false : (bool?)null,
        };

        /// <summary>The same request with other scopes (the service's copy after resolving group names to object ids).</summary>
        public PartnerAccessRequest WithScopes(IReadOnlyList<string>? freeBusy, IReadOnlyList<string>? mailTips, IReadOnlyList<string>? calendarSharing,
            IReadOnlyList<string>? roomBooking) => new PartnerAccessRequest(PartnerTenantId)
        {
            FreeBusy = FreeBusy,
            FreeBusyScope = freeBusy,
            MailTips = MailTips,
            MailTipsScope = mailTips,
            CalendarSharing = CalendarSharing,
            CalendarSharingScope = calendarSharing,
            RoomBooking = RoomBooking,
            RoomBookingScope = roomBooking,
            ExistingTrust = ExistingTrust,
        };

        /// <summary>The families this request sets: the capability it wants allowed (null: none), and the scope.</summary>
        internal IEnumerable<(CapabilityFamily Family, string? Wanted, IReadOnlyList<string>? Scope)> Targets()
        {
            if (FreeBusy != null) yield return (CapabilityFamily.FreeBusy, M365CapabilityNames.For(FreeBusy.Value), FreeBusyScope);
            if (MailTips != null) yield return (CapabilityFamily.MailTips, M365CapabilityNames.For(MailTips.Value), MailTipsScope);
            if (CalendarSharing != null) yield return (CapabilityFamily.CalendarSharing, M365CapabilityNames.For(CalendarSharing.Value), CalendarSharingScope);
            if (RoomBooking != null) yield return (CapabilityFamily.RoomBooking, RoomBooking.Value ? M365CapabilityNames.PlacesRoomBooking : null, RoomBookingScope);
        }

        internal IEnumerable<(CapabilityFamily Family, IReadOnlyList<string>? Scope, bool LevelSet)> Scopes()
        {
            yield return (CapabilityFamily.FreeBusy, FreeBusyScope, FreeBusy != null);
            yield return (CapabilityFamily.MailTips, MailTipsScope, MailTips != null);
            yield return (CapabilityFamily.CalendarSharing, CalendarSharingScope, CalendarSharing != null);
            yield return (CapabilityFamily.RoomBooking, RoomBookingScope, RoomBooking != null);
        }
    }
}
