using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>Free/busy a partner's users see: the Exchange FreeBusyAccessLevel values and what replaces them.</summary>
    public enum FreeBusyAccessLevel
    {
        /// <summary>No free/busy (no capability).</summary>
        None,
        /// <summary>Time only: crossTenantCalendarAvailabilityBasic.</summary>
        AvailabilityOnly,
        /// <summary>Time, subject and location: crossTenantCalendarAvailabilityLimitedDetails.</summary>
        LimitedDetails,
    }

    /// <summary>MailTips a partner's users see: the Exchange MailTipsAccessLevel values.</summary>
    public enum MailTipsAccessLevel
    {
        None,
        /// <summary>Only tips that prevent an NDR or an automatic reply: crossTenantMailTipsLimited.</summary>
        Limited,
        /// <summary>All tips, including automatic replies and mailbox full: crossTenantMailTipsAll.</summary>
        All,
    }

    /// <summary>The most a user may share a calendar with a partner's users: the sharing policy's CalendarSharingFreeBusy* actions.</summary>
    public enum CalendarSharingAccessLevel
    {
        None,
        /// <summary>crossTenantCalendarSharingFreeBusySimple (free/busy only).</summary>
        Simple,
        /// <summary>crossTenantCalendarSharingFreeBusyDetail (limited details).</summary>
        Detail,
        /// <summary>crossTenantCalendarSharingFreeBusyReviewer (full details).</summary>
        Reviewer,
    }

    /// <summary>Capabilities that replace one another: a partner is given at most one level of each.</summary>
    public enum CapabilityFamily
    {
        FreeBusy,
        MailTips,
        CalendarSharing,
        RoomBooking,
        /// <summary>Anonymous (published) calendars; default policy only, never planned for a partner.</summary>
        AnonymousCalendarSharing,
        /// <summary>Everything else (profile card, desk booking, migration, and names not known yet): read and kept, never changed.</summary>
        Other,
    }

    /// <summary>
    /// The Microsoft 365 capability names (case-sensitive; the name is the Graph type name without its namespace, and
    /// @odata.type is "#microsoft.graph." + name; docs/cross-tenant-access.md §2.5, G-CAPBASE) and the mapping from
    /// Exchange's levels. The one place these strings live.
    /// </summary>
    public static class M365CapabilityNames
    {
        public const string CalendarAvailabilityBasic = "crossTenantCalendarAvailabilityBasic";
        public const string CalendarAvailabilityLimitedDetails = "crossTenantCalendarAvailabilityLimitedDetails";
        public const string MailTipsLimited = "crossTenantMailTipsLimited";
        public const string MailTipsAll = "crossTenantMailTipsAll";
        public const string CalendarSharingFreeBusySimple = "crossTenantCalendarSharingFreeBusySimple";
        public const string CalendarSharingFreeBusyDetail = "crossTenantCalendarSharingFreeBusyDetail";
        public const string CalendarSharingFreeBusyReviewer = "crossTenantCalendarSharingFreeBusyReviewer";
        public const string PlacesRoomBooking = "crossTenantPlacesRoomBooking";
        public const string PlacesDeskBooking = "crossTenantPlacesDeskBooking";
        public const string OpenProfileCard = "crossTenantOpenProfileCard";
        public const string Migration = "crossTenantMigration";
        public const string AnonymousCalendarSharingFreeBusySimple = "anonymousCalendarSharingFreeBusySimple";
        public const string AnonymousCalendarSharingFreeBusyDetail = "anonymousCalendarSharingFreeBusyDetail";
        public const string AnonymousCalendarSharingFreeBusyReviewer = "anonymousCalendarSharingFreeBusyReviewer";

        public const string ODataTypePrefix = "#microsoft.graph.";

        private static readonly Dictionary<CapabilityFamily, string[]> Families = new Dictionary<CapabilityFamily, string[]>
        {
            [CapabilityFamily.FreeBusy] = new[] { CalendarAvailabilityBasic, CalendarAvailabilityLimitedDetails },
            [CapabilityFamily.MailTips] = new[] { MailTipsLimited, MailTipsAll },
            [CapabilityFamily.CalendarSharing] = new[] { CalendarSharingFreeBusySimple, CalendarSharingFreeBusyDetail, CalendarSharingFreeBusyReviewer },
            [CapabilityFamily.RoomBooking] = new[] { PlacesRoomBooking },
            [CapabilityFamily.AnonymousCalendarSharing] = new[] { AnonymousCalendarSharingFreeBusySimple, AnonymousCalendarSharingFreeBusyDetail, AnonymousCalendarSharingFreeBusyReviewer },
            [CapabilityFamily.Other] = new[] { PlacesDeskBooking, OpenProfileCard, Migration },
        };

        /// <summary>Every name Graph documents (G-CAPBASE), in a stable order.</summary>
        public static IReadOnlyList<string> All { get; } = Families.Values.SelectMany(v => v).ToArray();

        public static string? For(FreeBusyAccessLevel level) => level switch
        {
            FreeBusyAccessLevel.AvailabilityOnly => CalendarAvailabilityBasic,
            FreeBusyAccessLevel.LimitedDetails => CalendarAvailabilityLimitedDetails,
            _ => null,
        };

        public static string? For(MailTipsAccessLevel level) => level switch
        {
            MailTipsAccessLevel.Limited => MailTipsLimited,
            MailTipsAccessLevel.All => MailTipsAll,
            _ => null,
        };

        public static string? For(CalendarSharingAccessLevel level) => level switch
        {
            CalendarSharingAccessLevel.Simple => CalendarSharingFreeBusySimple,
            CalendarSharingAccessLevel.Detail => CalendarSharingFreeBusyDetail,
            CalendarSharingAccessLevel.Reviewer => CalendarSharingFreeBusyReviewer,
            _ => null,
        };

        public static FreeBusyAccessLevel FreeBusyLevelOf(string? name) => name switch
        {
            CalendarAvailabilityBasic => FreeBusyAccessLevel.AvailabilityOnly,
            CalendarAvailabilityLimitedDetails => FreeBusyAccessLevel.LimitedDetails,
            _ => FreeBusyAccessLevel.None,
        };

        public static MailTipsAccessLevel MailTipsLevelOf(string? name) => name switch
        {
            MailTipsLimited => MailTipsAccessLevel.Limited,
            MailTipsAll => MailTipsAccessLevel.All,
            _ => MailTipsAccessLevel.None,
        };

        public static CalendarSharingAccessLevel CalendarSharingLevelOf(string? name) => name switch
        {
            CalendarSharingFreeBusySimple => CalendarSharingAccessLevel.Simple,
            CalendarSharingFreeBusyDetail => CalendarSharingAccessLevel.Detail,
            CalendarSharingFreeBusyReviewer => CalendarSharingAccessLevel.Reviewer,
            _ => CalendarSharingAccessLevel.None,
        };

        /// <summary>The capabilities of one family, lowest level first.</summary>
        public static IReadOnlyList<string> Members(CapabilityFamily family) => Families.TryGetValue(family, out string[]? names) ? names : Array.Empty<string>();

        /// <summary>The family of a name; unknown names are <see cref="CapabilityFamily.Other"/>. Case-sensitive.</summary>
        public static CapabilityFamily FamilyOf(string name)
        {
            foreach (var pair in Families)
            {
                if (Array.IndexOf(pair.Value, name) >= 0) return pair.Key;
            }
            return CapabilityFamily.Other;
        }

        public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);

        public static string ODataTypeOf(string name) => ODataTypePrefix + name;

        /// <summary>"#microsoft.graph.crossTenantMailTipsLimited" → "crossTenantMailTipsLimited"; null for anything else.</summary>
        public static string? NameFromODataType(string? odataType)
        {
            if (odataType == null || !odataType.StartsWith(ODataTypePrefix, StringComparison.Ordinal)) return null;
            string name = odataType.Substring(ODataTypePrefix.Length);
            return name.Length == 0 ? null : name;
        }

        /// <summary>The family in the admin's words, for plan descriptions.</summary>
        public static string Describe(CapabilityFamily family) => family switch
        {
            CapabilityFamily.FreeBusy => "free/busy",
            CapabilityFamily.MailTips => "MailTips",
            CapabilityFamily.CalendarSharing => "calendar sharing",
            CapabilityFamily.RoomBooking => "room booking",
            CapabilityFamily.AnonymousCalendarSharing => "anonymous calendar sharing",
            _ => "other capabilities",
        };
    }
}
