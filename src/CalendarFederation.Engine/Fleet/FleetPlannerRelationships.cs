using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Relationships;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The organization relationship rows of a fleet plan. The relationship in From that covers To's accepted domains carries
    /// what From shares with To (Enabled, FreeBusyAccessEnabled, FreeBusyAccessLevel, FreeBusyAccessScope, MailTips) and is
    /// also what From's users look To up with, so a not-shared direction keeps it enabled with free/busy off rather than
    /// disabling it. The SidePlan has FederationPlanner's shape (settings by admin API parameter name, domains to add), so
    /// FederationPlanner.ApplyAsync and Verify carry it out and check it. FederationPlanner.Plan itself is not used: it needs
    /// live sessions and a fresh discovery of the partner, and the fleet plan is pure. A Create leaves discovery to the
    /// executor (<see cref="FleetPlanChange.PartnerDiscoveryDomain"/>).
    /// </summary>
    internal static class FleetPlannerRelationships
    {
        public static FleetPlanChange Direction(FleetDirection d, FleetTenantState from, FleetTenantState to)
        {
            bool share = d.Shared;
            string level = share ? FleetDesiredState.FreeBusy(d.Settings).ToString() : "None";
            string? scope = share ? FleetDesiredState.Scope(d.Settings) : null;
            string? mailTips = share ? d.Settings.MailTipsAccessLevel : null;
            List<AdminObject> covering = FleetDesiredState.Covering(from, to);
            AdminObject? current = covering.Count == 1 ? covering[0] : null;
            string name = current?.GetString("Name") ?? DefaultName(to);

            FleetPlanChange row = FleetPlanner.Row(d, d.From, d.To, FederationMethod.OrganizationRelationship, FleetObjectType.OrganizationRelationship, name);
            row.Order = FleetOrder.Grant;
            row.Before = covering.Count > 1 ? string.Join(" + ", covering.Select(r => "'" + r.GetString("Name") + "' " + FleetDesiredState.DescribeRelationship(r, false)))
                : FleetDesiredState.DescribeRelationship(current, mailTips != null);
            // Several relationships for one partner: no single state to check at write time (null: not checked).
            row.BeforeState = covering.Count > 1 ? null : FleetStateFingerprint.Relationship(current);
            row.After = "enabled, " + (share ? level : "free/busy off") + (scope != null ? "; scope " + scope : "") + (mailTips != null ? "; MailTips " + mailTips : "");

            var plan = new SidePlan
            {
                Organization = from.Organization ?? from.Name,
                Partner = to.Organization ?? to.Name,
                RelationshipName = name,
                FreeBusyAccessLevel = level,
                NeedsHydration = from.IsDehydrated,
            };
            plan.AllPartnerDomains.AddRange(to.AcceptedDomains);
            row.RelationshipPlan = plan;
            var wanted = Wanted(share, level, scope, mailTips);

            if (covering.Count > 1)
            {
                plan.Blocker = $"{to.Name}'s domains are split across the relationships {string.Join(", ", covering.Select(r => "'" + r.GetString("Name") + "'"))} in {d.From}; merge them into one first.";
                row.Action = FleetAction.Update;
                row.Reason = plan.Blocker;
                return row;
            }
            if (current == null) return Create(row, plan, d, from, to, wanted);

            plan.DomainsToAdd.AddRange(to.AcceptedDomains.Where(x => !current.GetStrings("DomainNames").Contains(x, StringComparer.OrdinalIgnoreCase)));
            var reasons = new List<string>();
            if (plan.DomainsToAdd.Count > 0) reasons.Add($"'{name}' lacks {to.Name}'s domains {string.Join(", ", plan.DomainsToAdd)}");
            foreach (var s in wanted)
            {
                if (Matches(current, s.Key, s.Value, scope, from)) continue;
                plan.Settings.Add(s);
                plan.Changes.Add($"{s.Key}: {current.GetString(s.Key) ?? "(empty)"} -> {s.Value}");
                reasons.Add(Describe(s.Key, s.Value, current, share));
            }
            if (plan.DomainsToAdd.Count > 0) plan.Changes.Add("DomainNames: add " + string.Join(", ", plan.DomainsToAdd));
            if (reasons.Count == 0)
            {
                row.Action = FleetAction.Nothing;
                row.Reason = share ? "matches the file." : $"not shared by the file's design: '{name}' shares no free/busy and stays enabled for {d.From}'s lookups of {d.To}.";
                return row;
            }
            plan.Action = SideAction.Update;
            bool turnsOff = !share && FleetDesiredState.SharesFreeBusy(current);
            row.Action = turnsOff ? FleetAction.Disable : FleetAction.Update;
            if (turnsOff) row.Order = FleetOrder.Cleanup;
            row.Reason = string.Join("; ", reasons.Distinct()) + ".";
            return row;
        }

        private static FleetPlanChange Create(FleetPlanChange row, SidePlan plan, FleetDirection d, FleetTenantState from, FleetTenantState to,
            List<KeyValuePair<string, object?>> wanted)
        {
            row.Action = FleetAction.Create;
            plan.Action = SideAction.Create;
            plan.DomainsToAdd.AddRange(to.AcceptedDomains);
            plan.Settings.AddRange(wanted);
            plan.Changes.Add($"Create '{plan.RelationshipName}' for {string.Join(", ", to.AcceptedDomains)}");
            row.PartnerDiscoveryDomain = to.AcceptedDomains.FirstOrDefault(x => x.EndsWith(".onmicrosoft.com", StringComparison.OrdinalIgnoreCase))
                ?? to.Organization ?? to.AcceptedDomains.FirstOrDefault();
            if (from.Relationships.Any(r => OrganizationRelationshipService.IsSame(r, plan.RelationshipName)))
            {
                plan.Blocker = $"{d.From} already has a relationship named '{plan.RelationshipName}' for other domains; rename it or give the partner's domains to it.";
            }
            row.Reason = d.Shared
                ? $"{d.From} has no organization relationship for {d.To}'s domains; the file asks for {plan.FreeBusyAccessLevel}."
                : $"{d.From} has no organization relationship for {d.To}'s domains; its users look {d.To} up through one (the file shares {d.To} -> {d.From}), with free/busy off.";
            if (plan.Blocker != null) row.Reason += " " + plan.Blocker;
            return row;
        }

        /// <summary>
        /// Cross-tenant access pairs: every enabled relationship in <paramref name="tenant"/> for <paramref name="partner"/>'s domains
        /// is disabled in the CutOver phase, after both grants are in place and verified: while it is enabled it wins over the
        /// policy, for both directions (docs/cross-tenant-access.md §1.4, §4.2).
        /// </summary>
        public static IEnumerable<FleetPlanChange> LegacyCutOver(FleetTenantState tenant, FleetTenantState partner)
        {
            var direction = new FleetDirection(tenant.Name, partner.Name, true, new FleetShareSettings());
            foreach (AdminObject r in FleetDesiredState.Covering(tenant, partner).Where(r => r.GetBool("Enabled") != false))
            {
                string name = r.GetString("Name") ?? r.GetString("Identity") ?? "?";
                FleetPlanChange row = FleetPlanner.Row(direction, tenant.Name, partner.Name, FederationMethod.CrossTenantAccess, FleetObjectType.OrganizationRelationship, name);
                row.Action = FleetAction.Disable;
                row.Order = FleetOrder.CutOver;
                row.Before = FleetDesiredState.DescribeRelationship(r, false);
                row.BeforeState = FleetStateFingerprint.Relationship(r);
                row.After = "disabled";
                row.Reason = $"{tenant.Name}'s organization relationship '{name}' for {partner.Name} is enabled, and legacy wins while enabled on either side: " +
                    "the cross-tenant access policy is used once both sides' relationships are disabled, after the grants are verified.";
                var plan = new SidePlan
                {
                    Organization = tenant.Organization ?? tenant.Name,
                    Partner = partner.Organization ?? partner.Name,
                    RelationshipName = name,
                    Action = SideAction.Update,
                };
                plan.Settings.Add(new KeyValuePair<string, object?>("Enabled", false));
                plan.Changes.Add("Enabled: True -> False");
                row.RelationshipPlan = plan;
                yield return row;
            }
        }

        private static List<KeyValuePair<string, object?>> Wanted(bool share, string level, string? scope, string? mailTips)
        {
            var list = new List<KeyValuePair<string, object?>>
            {
                new KeyValuePair<string, object?>("Enabled", true),
                new KeyValuePair<string, object?>("FreeBusyAccessEnabled", share),
            };
            if (share) list.Add(new KeyValuePair<string, object?>("FreeBusyAccessLevel", level));
            if (scope != null) list.Add(new KeyValuePair<string, object?>("FreeBusyAccessScope", scope));
            if (mailTips != null)
            {
                bool on = !string.Equals(mailTips, "None", StringComparison.OrdinalIgnoreCase);
                list.Add(new KeyValuePair<string, object?>("MailTipsAccessEnabled", on));
                list.Add(new KeyValuePair<string, object?>("MailTipsAccessLevel", mailTips));
            }
            return list;
        }

        private static bool Matches(AdminObject current, string key, object? value, string? scope, FleetTenantState from)
        {
            if (key == "FreeBusyAccessScope" && scope != null)
            {
                return FleetDesiredState.SameGroup(current.GetString(key), scope, from.ScopeGroups.TryGetValue(scope, out var g) ? g : null);
            }
            string want = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            string? have = current.GetString(key);
            // Exchange leaves FreeBusyAccessEnabled unset on a relationship that never shared: the same as False.
            if (have == null && want == "False") return true;
            return string.Equals(have ?? "", want, StringComparison.OrdinalIgnoreCase);
        }

        private static string Describe(string key, object? value, AdminObject current, bool share)
        {
            string now = current.GetString(key) ?? "(empty)";
            return key switch
            {
                "Enabled" => $"the relationship '{current.GetString("Name")}' is disabled",
                "FreeBusyAccessEnabled" when share => "the relationship shares no free/busy",
                "FreeBusyAccessEnabled" => $"the file shares nothing this way; the relationship shares {current.GetString("FreeBusyAccessLevel")}",
                "FreeBusyAccessLevel" => $"the file asks for {value}; the tenant grants {now}",
                "FreeBusyAccessScope" => $"the file asks for scope {value}; the relationship's scope is {now}",
                _ => $"the file asks for {key} {value}; the relationship has {now}",
            };
        }

        // The name New-CalendarFederation would give, from the partner's name in the file (at most 64 characters).
        private static string DefaultName(FleetTenantState partner)
        {
            string name = partner.Name;
            return name.Length <= RelationshipRules.MaxNameLength ? name : name.Substring(0, RelationshipRules.MaxNameLength);
        }
    }
}
