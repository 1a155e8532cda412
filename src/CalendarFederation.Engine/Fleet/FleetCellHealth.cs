using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The map's health rules, all in one place (docs/fleet.md §6). A cell is the direction From -> To: From shares its
    /// free/busy with To's users, configured in From. The rules read only the plan: the file's direction, both tenants'
    /// states, and the plan's rows for the direction (a row still to apply means the file's sharing is not in place).
    /// In order, the first that applies wins:
    /// <list type="number">
    /// <item>No direction in the file, or an excluded pair: Empty. The file does not manage it, so the map claims nothing.</item>
    /// <item>Either tenant unreadable, or a row Unknown: Unknown. A failed read is never "absent" (docs/fleet.md §2).</item>
    /// <item>A direction the file does not share: OneWay, by design; rows that would take leftovers away are listed.</item>
    /// <item>A Create or Update (any row but Nothing, outside the cut-over): Broken. The file's sharing is not in place,
    /// and the map does not guess whether a partial setup carries free/busy.</item>
    /// <item>The legacy path carries it (an organization relationship pair, or an enabled relationship that still wins
    /// over the cross-tenant access policy, docs/cross-tenant-access.md §1.4): WorksUntil2027, unless From's relationship
    /// shares no free/busy with To, EWS is off in either tenant, or the plan was read on or after 2027-04-01: Broken
    /// (src/CalendarFederation.Engine/Readiness/ReadinessDecisions.cs R2, R4).</item>
    /// <item>Otherwise: Works (the cross-tenant access policy grants it and nothing legacy hides it).</item>
    /// </list>
    /// </summary>
    public static class FleetCellHealth
    {
        public static FleetReportCell Evaluate(FleetPlan plan, string from, string to)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            FleetDefinition def = plan.Definition;
            FleetDirection? direction = def.Directions.FirstOrDefault(d => Same(d.From, from) && Same(d.To, to));
            if (direction == null || def.ExcludedPairs.Contains(FleetNames.PairKey(from, to)))
                return new FleetReportCell(from, to, FleetCellHealthKind.Empty);

            string name = direction.Name;
            List<FleetPlanChange> rows = plan.Changes.Where(c => Same(c.Direction, name)).ToList();
            FederationMethod method = PairMethod(def, direction, rows);
            FleetTenantState? fromState = State(plan, from);
            FleetTenantState? toState = State(plan, to);

            FleetReportCell cell;
            if (fromState?.IsReadable != true || toState?.IsReadable != true || rows.Any(r => r.Action == FleetAction.Unknown))
            {
                cell = New(from, to, FleetCellHealthKind.Unknown, direction, method);
                foreach ((string n, FleetTenantState? s) in new[] { (from, fromState), (to, toState) })
                {
                    if (s == null) cell.Reasons.Add(n + " was not read.");
                    else if (!s.IsReadable) cell.Reasons.Add($"{s.Name} could not be read ({s.ReadError!.ErrorId}): {s.ReadError.Message}");
                }
                cell.Reasons.AddRange(rows.Where(r => r.Action == FleetAction.Unknown).Select(r => r.Reason));
                return Distinct(cell);
            }
            if (!direction.Shared)
            {
                cell = New(from, to, FleetCellHealthKind.OneWay, direction, method);
                cell.Level = null;
                cell.Reasons.Add($"Not shared by the file's design: only {to} shares with {from}.");
                cell.Reasons.AddRange(Pending(rows).Select(Describe));
                return cell;
            }

            List<FleetPlanChange> pending = Pending(rows).Where(r => r.Order != FleetOrder.CutOver).ToList();
            if (pending.Count > 0)
            {
                cell = New(from, to, FleetCellHealthKind.Broken, direction, method);
                cell.Reasons.AddRange(pending.Select(Describe));
                return cell;
            }
            return Legacy(plan, direction, method, fromState, toState);
        }

        // Rules 5 and 6: which path carries a direction whose configuration matches the file.
        private static FleetReportCell Legacy(FleetPlan plan, FleetDirection d, FederationMethod method, FleetTenantState from, FleetTenantState to)
        {
            // A cut-over still to do in either tenant means an enabled relationship there, and legacy wins while enabled.
            List<FleetPlanChange> cutOver = plan.Changes.Where(c => c.Order == FleetOrder.CutOver && c.Action == FleetAction.Disable
                && Same(FleetNames.PairKey(c.Tenant, c.Partner), d.PairKey)).ToList();
            if (method != FederationMethod.OrganizationRelationship && cutOver.Count == 0)
            {
                FleetReportCell works = New(d.From, d.To, FleetCellHealthKind.Works, d, FederationMethod.CrossTenantAccess);
                works.Reasons.Add($"{d.From}'s cross-tenant access policy grants {d.To} what the file asks.");
                return works;
            }

            var problems = new List<string>();
            if (method != FederationMethod.OrganizationRelationship)
            {
                if (!Covering(from, to).Any(r => r.GetBool("Enabled") != false && SharesFreeBusy(r)))
                    problems.Add($"An enabled organization relationship between {d.From} and {d.To} hides the cross-tenant access grant, and {d.From}'s shares no free/busy with {d.To}.");
            }
            if (from.EwsEnabled == false) problems.Add($"EWS is off in {d.From}: the legacy path has stopped.");
            if (to.EwsEnabled == false) problems.Add($"EWS is off in {d.To}: the legacy path has stopped.");
            if (plan.ReadAt >= new DateTimeOffset(Readiness.ReadinessDecisions.EwsRetired))
                problems.Add("EWS is retired (2027-04-01): the legacy path has stopped.");

            FleetReportCell cell = New(d.From, d.To, problems.Count > 0 ? FleetCellHealthKind.Broken : FleetCellHealthKind.WorksUntil2027, d,
                FederationMethod.OrganizationRelationship);
            cell.Reasons.AddRange(problems);
            if (problems.Count == 0)
                cell.Reasons.Add($"Carried by {d.From}'s organization relationship (EWS) until 2027-04-01 at the latest.");
            cell.Reasons.AddRange(cutOver.Select(Describe));
            return cell;
        }

        private static FleetReportCell New(string from, string to, FleetCellHealthKind health, FleetDirection d, FederationMethod method) =>
            new FleetReportCell(from, to, health)
            {
                Level = d.Shared ? d.Settings.FreeBusyAccessLevel : null,
                Method = method.ToString(),
            };

        // Auto is the cross-tenant access policy for fleet tenants (all Exchange Online), as the planner decides; a row's own method wins.
        private static FederationMethod PairMethod(FleetDefinition def, FleetDirection d, List<FleetPlanChange> rows)
        {
            FleetPlanChange? row = rows.FirstOrDefault(r => r.Method != FederationMethod.Auto);
            if (row != null) return row.Method;
            FleetDirection chosen = def.Directions.FirstOrDefault(x => x.Shared && Same(x.PairKey, d.PairKey)) ?? d;
            return chosen.Settings.Method == FederationMethod.OrganizationRelationship ? FederationMethod.OrganizationRelationship : FederationMethod.CrossTenantAccess;
        }

        private static IEnumerable<FleetPlanChange> Pending(IEnumerable<FleetPlanChange> rows) =>
            rows.Where(r => r.Action != FleetAction.Nothing && r.Action != FleetAction.Unknown);

        private static string Describe(FleetPlanChange r) =>
            $"{r.Tenant}: {r.Action} {r.ObjectType} '{r.Identity}' ({r.Before} -> {r.After}). {r.Reason}".TrimEnd();

        private static FleetTenantState? State(FleetPlan plan, string name) => plan.States.TryGetValue(name, out FleetTenantState? s) ? s : null;

        private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        private static FleetReportCell Distinct(FleetReportCell cell)
        {
            List<string> reasons = cell.Reasons.Distinct(StringComparer.Ordinal).ToList();
            cell.Reasons.Clear();
            cell.Reasons.AddRange(reasons);
            return cell;
        }

        // The relationships in tenant that hold any of partner's domains (its accepted domains and its organization).
        private static IEnumerable<AdminObject> Covering(FleetTenantState tenant, FleetTenantState partner)
        {
            var wanted = new HashSet<string>(partner.AcceptedDomains, StringComparer.OrdinalIgnoreCase);
            if (partner.Organization != null) wanted.Add(partner.Organization);
            if (partner.Tenant.Organization != null) wanted.Add(partner.Tenant.Organization);
            return tenant.Relationships.Where(r => r.GetStrings("DomainNames").Any(x => wanted.Contains(x.Trim().TrimEnd('.'))));
        }

        private static bool SharesFreeBusy(AdminObject r) => r.GetBool("FreeBusyAccessEnabled") == true
            && !string.IsNullOrEmpty(r.GetString("FreeBusyAccessLevel")) && !Same(r.GetString("FreeBusyAccessLevel")!, "None");
    }
}
