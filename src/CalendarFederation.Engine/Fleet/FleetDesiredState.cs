using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>What the file asks of one direction, in the terms the planner compares, and the short texts rows show.</summary>
    public static class FleetDesiredState
    {
        public const string None = "(none)";

        /// <summary>
        /// The method of a pair: the shared direction's (both directions of a pair use the same; the file reader enforces it).
        /// Auto is the cross-tenant access policy: every fleet tenant is an Exchange Online tenant whose policy was read
        /// through Graph (a tenant whose policy could not be read is Unknown, never planned), which is the condition
        /// New-CalendarFederation's Auto checks (src/CalendarFederation.Engine/Federation/CrossTenantSetup.cs).
        /// </summary>
        public static FederationMethod MethodOf(IEnumerable<FleetDirection> pair)
        {
            FleetDirection[] directions = pair.ToArray();
            FleetDirection? chosen = directions.FirstOrDefault(d => d.Shared) ?? directions.FirstOrDefault();
            FederationMethod method = chosen?.Settings.Method ?? FederationMethod.Auto;
            return method == FederationMethod.Auto ? FederationMethod.CrossTenantAccess : method;
        }

        public static FederationMethod MethodOf(FleetDefinition def, FleetDirection direction) =>
            MethodOf(def.Directions.Where(d => string.Equals(d.PairKey, direction.PairKey, StringComparison.OrdinalIgnoreCase)));

        public static FreeBusyAccessLevel FreeBusy(FleetShareSettings s) =>
            Enum.TryParse(s.FreeBusyAccessLevel, true, out FreeBusyAccessLevel level) ? level : FreeBusyAccessLevel.AvailabilityOnly;

        public static MailTipsAccessLevel? MailTips(FleetShareSettings s) =>
            s.MailTipsAccessLevel != null && Enum.TryParse(s.MailTipsAccessLevel, true, out MailTipsAccessLevel level) ? level : (MailTipsAccessLevel?)null;

        public static CalendarSharingAccessLevel? CalendarSharing(FleetShareSettings s) =>
            s.CalendarSharingAccessLevel != null && Enum.TryParse(s.CalendarSharingAccessLevel, true, out CalendarSharingAccessLevel level) ? level : (CalendarSharingAccessLevel?)null;

        public static string? Scope(FleetShareSettings s) => string.IsNullOrWhiteSpace(s.FreeBusyAccessScope) ? null : s.FreeBusyAccessScope!.Trim();

        /// <summary>"LimitedDetails; scope Sales; MailTips All": what the file asks of a cross-tenant access grant.</summary>
        public static string DescribeAccess(FleetShareSettings s)
        {
            var parts = new List<string> { FreeBusy(s).ToString() };
            if (Scope(s) != null) parts.Add("scope " + Scope(s));
            if (MailTips(s) is MailTipsAccessLevel m) parts.Add("MailTips " + m);
            if (CalendarSharing(s) is CalendarSharingAccessLevel c) parts.Add("calendar sharing " + c);
            if (s.RoomBooking is bool r) parts.Add(r ? "room booking" : "no room booking");
            return string.Join("; ", parts);
        }

        /// <summary>What a partner holds now, for the features <paramref name="s"/> manages (all of them when null).</summary>
        public static string DescribeAccess(PartnerAccessState? current, IReadOnlyDictionary<string, string>? groupNames, FleetShareSettings? s)
        {
            if (current == null || !current.Exists) return None;
            var parts = new List<string>();
            bool all = s == null;
            parts.Add(current.FreeBusy == FreeBusyAccessLevel.None ? "no free/busy" : current.FreeBusy.ToString());
            string? scope = ScopeText(current, groupNames);
            if (scope != null && current.FreeBusy != FreeBusyAccessLevel.None) parts.Add("scope " + scope);
            if ((all && current.MailTips != MailTipsAccessLevel.None) || s?.MailTipsAccessLevel != null) parts.Add("MailTips " + current.MailTips);
            if ((all && current.CalendarSharing != CalendarSharingAccessLevel.None) || s?.CalendarSharingAccessLevel != null) parts.Add("calendar sharing " + current.CalendarSharing);
            if ((all && current.RoomBooking) || s?.RoomBooking != null) parts.Add(current.RoomBooking ? "room booking" : "no room booking");
            if (parts.Count == 1 && current.FreeBusy == FreeBusyAccessLevel.None) return None;
            return string.Join("; ", parts);
        }

        /// <summary>The groups the allowed free/busy capability is scoped to, named where the policy read found names; null for everyone.</summary>
        public static string? ScopeText(PartnerAccessState current, IReadOnlyDictionary<string, string>? groupNames)
        {
            string[] ids = ScopeIds(current);
            if (ids.Length == 0) return null;
            return string.Join(", ", ids.Select(id => groupNames != null && groupNames.TryGetValue(id, out string? n) ? n : id));
        }

        /// <summary>The group object ids the allowed free/busy capability includes; empty when it is for everyone (or there is none).</summary>
        public static string[] ScopeIds(PartnerAccessState current) => current.Allowed(CapabilityFamily.FreeBusy)
            .SelectMany(c => c.InboundAccess.Scopes.Included).Where(x => !x.IsEmpty && !x.IsEveryone).Select(x => x.ResourceId!)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

        /// <summary>"enabled, AvailabilityOnly; scope Sales", "disabled, LimitedDetails", "enabled, free/busy off".</summary>
        public static string DescribeRelationship(AdminObject? r, bool withMailTips)
        {
            if (r == null) return None;
            var parts = new List<string>();
            string state = r.GetBool("Enabled") == false ? "disabled" : "enabled";
            parts.Add(state + ", " + (SharesFreeBusy(r) ? r.GetString("FreeBusyAccessLevel") : "free/busy off"));
            string? scope = r.GetString("FreeBusyAccessScope");
            if (!string.IsNullOrWhiteSpace(scope) && SharesFreeBusy(r)) parts.Add("scope " + scope);
            if (withMailTips) parts.Add("MailTips " + (r.GetBool("MailTipsAccessEnabled") == true ? r.GetString("MailTipsAccessLevel") ?? "None" : "None"));
            return string.Join("; ", parts);
        }

        public static bool SharesFreeBusy(AdminObject r) => r.GetBool("FreeBusyAccessEnabled") == true
            && !string.IsNullOrEmpty(r.GetString("FreeBusyAccessLevel")) && !string.Equals(r.GetString("FreeBusyAccessLevel"), "None", StringComparison.OrdinalIgnoreCase);

        /// <summary>The relationships in <paramref name="tenant"/> that hold any of <paramref name="partner"/>'s accepted domains.</summary>
        public static List<AdminObject> Covering(FleetTenantState tenant, FleetTenantState partner)
        {
            var wanted = new HashSet<string>(partner.AcceptedDomains, StringComparer.OrdinalIgnoreCase);
            if (partner.Organization != null) wanted.Add(partner.Organization);
            return tenant.Relationships.Where(r => r.GetStrings("DomainNames").Any(d => wanted.Contains(Discovery.SmtpDomain.TryNormalize(d, out _) ?? d))).ToList();
        }

        /// <summary>True when a scope stored on a relationship names the group the file gives (as typed, or as resolved).</summary>
        public static bool SameGroup(string? stored, string wanted, ScopeGroup? resolved)
        {
            if (string.IsNullOrWhiteSpace(stored)) return false;
            string s = stored!.Trim();
            return new[] { wanted, resolved?.DisplayName, resolved?.PrimarySmtpAddress, resolved?.ObjectId, resolved?.Identity }
                .Any(c => c != null && string.Equals(c, s, StringComparison.OrdinalIgnoreCase));
        }
    }
}
