using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The cross-tenant access rows of a fleet plan: whether From's policy grants To's tenant what the file asks, decided by
    /// PartnerAccessPlanner (the same rules Grant-CrossTenantCalendarAccess applies), so "equal" means "granting would
    /// write nothing".
    /// </summary>
    internal static class FleetPlannerAccess
    {
        public static FleetPlanChange Shared(FleetDirection d, FleetTenantState from, FleetTenantState to)
        {
            string? partnerId = PartnerId(to);
            FleetPlanChange row = FleetPlanner.Row(d, d.From, d.To, FederationMethod.CrossTenantAccess, FleetObjectType.CrossTenantAccess, partnerId ?? to.Name);
            row.After = FleetDesiredState.DescribeAccess(d.Settings);
            row.Order = FleetOrder.Grant;
            if (partnerId == null)
            {
                row.Action = FleetAction.Unknown;
                row.Before = "(unknown)";
                row.Reason = $"{to.Name}'s tenant id is not known (its sign-in did not name it, nor does the file), and the cross-tenant access policy is keyed by tenant id.";
                return row;
            }
            CrossTenantAccessInventory policy = from.CrossTenantAccess!;
            PartnerAccessState current = Find(policy, partnerId) ?? new PartnerAccessState(partnerId, null, Array.Empty<M365Capability>());
            row.Before = FleetDesiredState.DescribeAccess(current, policy.GroupNames, d.Settings);
            row.BeforeState = FleetStateFingerprint.Access(current);

            string? scope = FleetDesiredState.Scope(d.Settings);
            ScopeGroup? group = scope != null && from.ScopeGroups.TryGetValue(scope, out ScopeGroup? g) ? g : null;
            row.AccessRequest = Request(partnerId, d.Settings, group?.ObjectId ?? scope);
            var differences = Differences(d, from, current, policy, scope, group);

            bool grantsNow = current.Exists && current.FreeBusy != FreeBusyAccessLevel.None;
            if (scope != null && group == null)
            {
                // The scope cannot be compared by object id; applying resolves it again and fails with the same id if it is still unknown.
                row.Action = grantsNow ? FleetAction.Update : FleetAction.Create;
                EngineException? why = from.ScopeErrors.TryGetValue(scope, out EngineException? e) ? e : null;
                differences.Add($"the scope group '{scope}' was not found in {from.Name}" + (why != null ? $" ({why.ErrorId}: {why.Message})" : ""));
                row.Reason = Sentence(differences);
                return row;
            }

            PartnerAccessPlan plan;
            try
            {
                plan = PartnerAccessPlanner.Plan(current, row.AccessRequest, policy.Default, policy.GroupNames);
            }
            catch (EngineException ex)
            {
                // A restricted trust: the grant would stop there; the row says why, and applying fails with the same id.
                row.Action = grantsNow ? FleetAction.Update : FleetAction.Create;
                differences.Add(ex.Message);
                row.Reason = Sentence(differences);
                return row;
            }
            if (plan.IsEmpty)
            {
                row.Action = FleetAction.Nothing;
                row.Reason = "matches the file.";
                return row;
            }
            row.Action = grantsNow ? FleetAction.Update : FleetAction.Create;
            if (differences.Count == 0) differences.AddRange(plan.Steps.Select(s => s.Description.ToLowerInvariant()));
            row.Reason = Sentence(differences);
            return row;
        }

        /// <summary>
        /// A direction the file does not share: a grant From's policy gives To's tenant is taken away (Remove, Cleanup).
        /// Null when there is nothing to remove and <paramref name="quiet"/> is set; otherwise a Nothing row.
        /// </summary>
        public static FleetPlanChange? NotShared(FleetDirection d, FleetTenantState from, FleetTenantState to, bool quiet = false)
        {
            string? partnerId = PartnerId(to);
            if (partnerId == null) return quiet ? null : Nothing(d, to.Name, FleetDesiredState.None, $"not shared by the file; {to.Name}'s tenant id is not known, so no grant can be looked up.");
            CrossTenantAccessInventory policy = from.CrossTenantAccess!;
            PartnerAccessState? current = Find(policy, partnerId);
            bool grants = current != null && current.Exists && (current.FreeBusy != FreeBusyAccessLevel.None || current.MailTips != MailTipsAccessLevel.None
                || current.CalendarSharing != CalendarSharingAccessLevel.None || current.RoomBooking);
            if (!grants)
            {
                return quiet ? null : Nothing(d, partnerId, FleetDesiredState.None, $"not shared by the file's design, and {d.From} grants {d.To} nothing.");
            }
            FleetPlanChange row = FleetPlanner.Row(d, d.From, d.To, FederationMethod.CrossTenantAccess, FleetObjectType.CrossTenantAccess, partnerId);
            row.Action = FleetAction.Remove;
            row.Order = FleetOrder.Cleanup;
            row.Before = FleetDesiredState.DescribeAccess(current, policy.GroupNames, null);
            row.BeforeState = FleetStateFingerprint.Access(current);
            row.After = FleetDesiredState.None;
            row.AccessRequest = PartnerAccessRequest.Revoke(partnerId, AccessFeatures.All);
            row.Reason = $"the file shares nothing from {d.From} with {d.To} (one way, {d.To} -> {d.From}); {d.From}'s cross-tenant access policy grants {d.To} {row.Before}.";
            return row;
        }

        private static FleetPlanChange Nothing(FleetDirection d, string identity, string after, string reason)
        {
            FleetPlanChange row = FleetPlanner.Row(d, d.From, d.To, FederationMethod.CrossTenantAccess, FleetObjectType.CrossTenantAccess, identity);
            row.Action = FleetAction.Nothing;
            row.Order = FleetOrder.Grant;
            row.Before = FleetDesiredState.None;
            row.After = after;
            row.Reason = reason;
            return row;
        }

        private static PartnerAccessRequest Request(string partnerId, FleetShareSettings s, string? scope) => new PartnerAccessRequest(partnerId)
        {
            FreeBusy = FleetDesiredState.FreeBusy(s),
            FreeBusyScope = scope != null ? new[] { scope } : null,
            MailTips = FleetDesiredState.MailTips(s),
            CalendarSharing = FleetDesiredState.CalendarSharing(s),
            RoomBooking = s.RoomBooking,
        };

        // What differs, in the admin's words: "the file asks for LimitedDetails; the tenant grants AvailabilityOnly".
        private static List<string> Differences(FleetDirection d, FleetTenantState from, PartnerAccessState current, CrossTenantAccessInventory policy,
            string? scope, ScopeGroup? group)
        {
            var list = new List<string>();
            FleetShareSettings s = d.Settings;
            FreeBusyAccessLevel wanted = FleetDesiredState.FreeBusy(s);
            if (!current.Exists) list.Add($"{d.From}'s cross-tenant access policy has no partner configuration for {d.To}; the file asks for {wanted}");
            else if (current.FreeBusy == FreeBusyAccessLevel.None) list.Add($"the file asks for {wanted}; {d.From} grants {d.To} no free/busy");
            else if (current.FreeBusy != wanted) list.Add($"the file asks for {wanted}; the tenant grants {current.FreeBusy}");
            if (current.Exists && current.FreeBusy != FreeBusyAccessLevel.None)
            {
                string[] ids = FleetDesiredState.ScopeIds(current);
                string now = FleetDesiredState.ScopeText(current, policy.GroupNames) ?? "all users";
                if (scope == null && ids.Length > 0) list.Add($"the file shares with all users; the tenant grants only {now}");
                else if (scope != null && group != null && !(ids.Length == 1 && string.Equals(ids[0], group.ObjectId, StringComparison.OrdinalIgnoreCase)))
                {
                    list.Add($"the file asks for scope {scope}; the tenant grants {now}");
                }
            }
            if (current.Exists && FleetDesiredState.MailTips(s) is MailTipsAccessLevel m && m != current.MailTips) list.Add($"the file asks for MailTips {m}; the tenant grants {current.MailTips}");
            if (current.Exists && FleetDesiredState.CalendarSharing(s) is CalendarSharingAccessLevel c && c != current.CalendarSharing)
            {
                list.Add($"the file asks for calendar sharing {c}; the tenant grants {current.CalendarSharing}");
            }
            if (current.Exists && s.RoomBooking is bool r && r != current.RoomBooking) list.Add(r ? "the file asks for room booking; the tenant grants none" : "the file asks for no room booking; the tenant grants it");
            return list;
        }

        private static string Sentence(List<string> parts) => string.Join("; ", parts.Distinct()) + ".";

        internal static string? PartnerId(FleetTenantState to)
        {
            string? id = to.TenantId ?? to.Tenant.TenantId;
            if (id == null || !Guid.TryParse(id, out Guid g)) return null;
            return g.ToString("D");
        }

        private static PartnerAccessState? Find(CrossTenantAccessInventory policy, string partnerId) =>
            policy.Partners.FirstOrDefault(p => Guid.TryParse(p.PartnerTenantId, out Guid g) && g.ToString("D") == partnerId);
    }
}
