using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CalendarFederation.Engine.Federation;
using static CalendarFederation.Engine.Readiness.ReadinessText;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>The tenant's EWS state: one OrganizationConfig row, summing up the rows that depend on EWS.</summary>
    internal static class OrganizationConfigReadiness
    {
        // --- the tenant's EWS state -------------------------------------------------------------------------------

        public static ReadinessRow Evaluate(ReadinessSide side, List<ReadinessRow> rows)
        {
            ReadinessRow row = side.NewRow(LegacyObjectType.OrganizationConfig, "EwsEnabled: " + TenantInventory.Describe(side.Self.EwsEnabled), "", PartnerKind.Unknown);
            row.CrossTenantAccess = side.Self.Xtap.Availability;
            row.PartnerTenantId = null;
            if (side.Other != null) row.PartnerEwsEnabled = side.Other.EwsEnabled;
            List<ReadinessRow> dependents = rows.Where(r => r.DependsOnEws).ToList();
            var why = new List<string> { side.EwsMeaning(side.Self) };
            why.Add(side.Self.Xtap.Availability switch
            {
                XtapStatus.Available => "the cross-tenant access policy is available here (its Microsoft 365 capabilities answer)",
                XtapStatus.NotAvailable => "the cross-tenant access policy is not available here yet: " + side.Self.Xtap.AvailabilityProblem,
                _ => "whether the cross-tenant access policy is available here is unknown: " + side.Self.Xtap.Problem,
            });
            if (dependents.Count == 0)
            {
                row.Verdict = Verdict.Migrated;
                why.Insert(1, side.Narrowed ? "none of the objects shown depends on EWS" : "no object here depends on EWS for cross-tenant sharing");
                row.NextStep = "None: nothing here depends on EWS for cross-tenant sharing" +
                    (side.Self.EwsEnabled == EwsSetting.True ? " (EwsEnabled True is not needed for it any more; check other EWS applications before changing it)" : "");
                row.Reason = Sentence(why);
                return row;
            }
            row.DependsOnEws = true;
            row.Verdict = dependents.Min(r => r.Verdict);
            side.SetDeadline(row, null, partnerUnread: false);
            why.Insert(1, TenantInventory.Count(dependents.Count, "object", "objects") + (side.Narrowed ? " shown" : "") + (dependents.Count == 1 ? " depends" : " depend") + " on EWS: " + string.Join(", ",
                dependents.GroupBy(r => r.Verdict).OrderBy(g => g.Key).Select(g => g.Count().ToString(CultureInfo.InvariantCulture) + " " + g.Key)));
            const string rest = "work through the rows below";
            if (side.Now.UtcDateTime >= ReadinessDecisions.EwsRetired) row.NextStep = "EWS is retired: only the cross-tenant access policy works; " + rest;
            else if (side.Self.EwsEnabled == EwsSetting.True) row.NextStep = "Work through the rows below before 2027-04-01";
            else row.NextStep = Steps(side.EwsStopGap(null), "then " + rest);
            if (side.Self.Xtap.Availability == XtapStatus.NotAvailable) row.NextStep += " (once the cross-tenant access policy reaches this tenant)";
            row.Reason = Sentence(why);
            return row;
        }
    }
}
