using System;
using System.Collections.Generic;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>
    /// Turns what was read into rows: one per legacy object, and one OrganizationConfig row per tenant. Pure: no I/O, the
    /// time comes in. Every rule it applies is a ReadinessDecisions entry (R-numbers in the comments).
    /// </summary>
    public static class ReadinessEvaluator
    {
        public static List<ReadinessRow> Evaluate(ReadinessInput input)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            var rows = new List<ReadinessRow>();
            rows.AddRange(Rows(new ReadinessSide(input.Local, input.Partner, input)));
            if (input.Partner != null) rows.AddRange(Rows(new ReadinessSide(input.Partner, input.Local, input)));
            return rows;
        }

        // One tenant's rows: each legacy object by its type's rules, then the tenant's OrganizationConfig row first.
        private static List<ReadinessRow> Rows(ReadinessSide side)
        {
            var rows = new List<ReadinessRow>();
            foreach (LegacyRelationship r in side.Self.Relationships)
            {
                ReadinessRow? row = RelationshipReadiness.Evaluate(side, r);
                if (row != null) rows.Add(row);
            }
            foreach (LegacyAddressSpace a in side.Self.AddressSpaces)
            {
                ReadinessRow? row = AddressSpaceReadiness.Evaluate(side, a);
                if (row != null) rows.Add(row);
            }
            foreach (LegacySharingPolicy p in side.Self.SharingPolicies) rows.AddRange(SharingPolicyReadiness.Evaluate(side, p));
            rows.Insert(0, OrganizationConfigReadiness.Evaluate(side, rows));
            return rows;
        }
    }
}
