using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// Compares a fleet file with what its tenants hold and lists the changes (docs/fleet.md §2): pure, no I/O. Per pair of
    /// the file (excluded pairs skipped), both directions, each configured in the tenant that shares:
    /// <list type="bullet">
    /// <item>cross-tenant access (Auto, since every fleet tenant is in Exchange Online): the grant in From for To's tenant is
    /// created, updated or left (src/CalendarFederation.Engine/Fleet/FleetPlannerAccess.cs); every enabled organization
    /// relationship between the two, on either side, is disabled in the CutOver phase, because legacy wins while enabled
    /// (docs/cross-tenant-access.md §1.4, §4.2);</item>
    /// <item>organization relationships: From's relationship for To carries the level; a not-shared direction keeps (or
    /// gets) the relationship its users look the partner up with, with free/busy off (FleetPlannerRelationships.cs);</item>
    /// <item>a not-shared direction loses its cross-tenant access grant (Remove, Cleanup).</item>
    /// </list>
    /// A pair with a tenant that could not be read gets Unknown rows and nothing else: a failed read is never "absent".
    /// </summary>
    public static class FleetPlanner
    {
        public static FleetPlan Plan(FleetDefinition def, IReadOnlyDictionary<string, FleetTenantState> states, DateTimeOffset now)
        {
            if (def == null) throw new ArgumentNullException(nameof(def));
            if (states == null) throw new ArgumentNullException(nameof(states));
            var plan = new FleetPlan(def) { ReadAt = now };
            foreach (var s in states) plan.States[s.Key] = s.Value;

            var rows = new List<FleetPlanChange>();
            foreach (IGrouping<string, FleetDirection> pair in def.Directions.GroupBy(d => d.PairKey, StringComparer.OrdinalIgnoreCase))
            {
                if (def.ExcludedPairs.Contains(pair.Key)) continue;
                rows.AddRange(PlanPair(pair.ToArray(), plan.States));
            }
            foreach (FleetPlanChange row in rows) row.ChangeId = FleetChangeIds.For(row);
            plan.Changes.AddRange(rows
                .OrderBy(r => r.Order)
                .ThenBy(r => r.Tenant, StringComparer.OrdinalIgnoreCase)
                .ThenBy(r => r.Partner, StringComparer.OrdinalIgnoreCase)
                .ThenBy(r => r.ObjectType)
                .ThenBy(r => r.Identity, StringComparer.OrdinalIgnoreCase));
            return plan;
        }

        private static IEnumerable<FleetPlanChange> PlanPair(FleetDirection[] directions, IReadOnlyDictionary<string, FleetTenantState> states)
        {
            FederationMethod method = FleetDesiredState.MethodOf(directions);
            FleetTenantState[] unreadable = directions.SelectMany(d => new[] { d.From, d.To }).Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(n => State(states, n)).Where(s => !s.IsReadable).ToArray();
            if (unreadable.Length > 0)
            {
                foreach (FleetDirection d in directions) yield return Unknown(d, method, State(states, d.To), unreadable);
                yield break;
            }

            foreach (FleetDirection d in directions)
            {
                FleetTenantState from = State(states, d.From);
                FleetTenantState to = State(states, d.To);
                if (method == FederationMethod.CrossTenantAccess)
                {
                    FleetPlanChange? row = d.Shared ? FleetPlannerAccess.Shared(d, from, to) : FleetPlannerAccess.NotShared(d, from, to);
                    if (row != null) yield return row;
                }
                else
                {
                    yield return FleetPlannerRelationships.Direction(d, from, to);
                    if (!d.Shared)
                    {
                        FleetPlanChange? remove = FleetPlannerAccess.NotShared(d, from, to, quiet: true);
                        if (remove != null) yield return remove;
                    }
                }
            }
            if (method == FederationMethod.CrossTenantAccess)
            {
                FleetDirection first = directions[0];
                foreach (FleetPlanChange row in FleetPlannerRelationships.LegacyCutOver(State(states, first.From), State(states, first.To))) yield return row;
                foreach (FleetPlanChange row in FleetPlannerRelationships.LegacyCutOver(State(states, first.To), State(states, first.From))) yield return row;
            }
        }

        // A tenant the reader was not given is as unreadable as one whose read failed: never "absent".
        private static FleetTenantState State(IReadOnlyDictionary<string, FleetTenantState> states, string name)
        {
            if (states.TryGetValue(name, out FleetTenantState? s)) return s;
            return new FleetTenantState(new FleetTenant { Name = name })
            {
                ReadError = new EngineException(ErrorIds.FleetTenantUnreadable, ErrorKind.ResourceUnavailable, $"{name} was not read.", name),
            };
        }

        private static FleetPlanChange Unknown(FleetDirection d, FederationMethod method, FleetTenantState to, FleetTenantState[] unreadable)
        {
            string why = string.Join("; ", unreadable.Select(u => $"{u.Name} could not be read ({u.ReadError!.ErrorId}): {u.ReadError.Message}"));
            return new FleetPlanChange
            {
                Tenant = d.From,
                Partner = d.To,
                Direction = d.Name,
                Action = FleetAction.Unknown,
                Method = method,
                ObjectType = method == FederationMethod.CrossTenantAccess ? FleetObjectType.CrossTenantAccess : FleetObjectType.OrganizationRelationship,
                Identity = to.TenantId ?? to.Tenant.TenantId ?? to.Name,
                Before = "(unknown)",
                After = d.Shared ? FleetDesiredState.DescribeAccess(d.Settings) : FleetDesiredState.None,
                Reason = why + ". Nothing is planned for this pair until both tenants can be read.",
                Order = FleetOrder.Grant,
            };
        }

        /// <summary>A row with the parts every row has; the caller sets the rest.</summary>
        internal static FleetPlanChange Row(FleetDirection d, string tenant, string partner, FederationMethod method, FleetObjectType type, string identity) =>
            new FleetPlanChange
            {
                Tenant = tenant,
                Partner = partner,
                Direction = d.Name,
                Method = method,
                ObjectType = type,
                Identity = identity,
            };
    }
}
