using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// A comparable text for what a tenant holds for one plan row: the planner records it as
    /// <see cref="FleetPlanChange.BeforeState"/>, and the executor renders the live state the same way just before it writes,
    /// so a change made by someone else between plan and apply is refused (FleetChangeStale) rather than overwritten
    /// (docs/fleet.md §3). It holds settings only, never a secret.
    /// </summary>
    public static class FleetStateFingerprint
    {
        public const string Absent = "absent";

        // The relationship settings a fleet plan decides (src/CalendarFederation.Engine/Fleet/FleetPlanModel.cs, SidePlan).
        private static readonly string[] RelationshipSettings =
        {
            "Enabled", "FreeBusyAccessEnabled", "FreeBusyAccessLevel", "FreeBusyAccessScope", "MailTipsAccessEnabled", "MailTipsAccessLevel",
        };

        /// <summary>The partner's grant in one tenant: Absent when it has no partner configuration.</summary>
        public static string Access(PartnerAccessState? state)
        {
            if (state == null || !state.Exists) return Absent;
            M365Capability? freeBusy = state.Allowed(CapabilityFamily.FreeBusy).FirstOrDefault();
            string scope = freeBusy == null ? "" : string.Join(",", freeBusy.InboundAccess.Scopes.Included
                .Select(s => (s.ResourceId ?? "").ToLowerInvariant()).OrderBy(s => s, StringComparer.Ordinal));
            return $"freeBusy={state.FreeBusy};scope={scope};mailTips={state.MailTips};calendarSharing={state.CalendarSharing};roomBooking={state.RoomBooking}";
        }

        /// <summary>An organization relationship: Absent when it is not there.</summary>
        public static string Relationship(AdminObject? relationship)
        {
            if (relationship == null) return Absent;
            IEnumerable<string> settings = RelationshipSettings.Select(name => name + "=" + (relationship.GetString(name) ?? "").ToLowerInvariant());
            string domains = string.Join(",", relationship.GetStrings("DomainNames").Select(d => d.ToLowerInvariant()).Distinct().OrderBy(d => d, StringComparer.Ordinal));
            return string.Join(";", settings) + ";domains=" + domains;
        }
    }
}
