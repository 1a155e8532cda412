using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using static CalendarFederation.Engine.Readiness.ReadinessText;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>Availability address spaces: an OrgWideFBToken one is replaced by the partner's grant; the others are kept.</summary>
    internal static class AddressSpaceReadiness
    {
        // --- availability address spaces ------------------------------------------------------------------------

        public static ReadinessRow? Evaluate(ReadinessSide side, LegacyAddressSpace a)
        {
            var domains = new[] { a.ForestName };
            var tenants = new List<string>();
            if (a.TargetTenantId != null && Guid.TryParse(a.TargetTenantId, out Guid target)) tenants.Add(target.ToString("D"));
            else if (side.Other != null && side.Other.OwnsDomain(a.ForestName) && side.Other.TenantId != null) tenants.Add(side.Other.TenantId);
            if (!side.Matches(domains, tenants)) return null;
            ReadinessRow row = side.NewRow(LegacyObjectType.AvailabilityAddressSpace, a.ForestName, a.ForestName, a.IsToken ? PartnerKind.Microsoft365 : PartnerKind.Unknown);
            row.Domains = domains;
            row.PartnerTenantId = tenants.FirstOrDefault();
            if (!a.IsToken)
            {
                return side.Keep(row, new List<string>(), $"its access method is {a.AccessMethod}, which is not part of this change (cross-forest, public folder and " +
                    "Google Workspace address spaces are unaffected)", "None: keep it");
            }
            // R8: the safe reading of OrgWideFBToken.
            row.CrossTenantAccess = XtapStatus.NotApplicable;
            row.Deadline = ReadinessDecisions.AddressSpaceDeadline;
            row.DeadlineReason = "Microsoft says an OrgWideFBToken address space does not depend on EWS, yet lists it as legacy to migrate (UNCONFIRMED): treated as due by 2027-04-01";
            var why = new List<string>
            {
                "this tenant's users read the partner's free/busy with an organization-wide token; its replacement is the partner granting this tenant free/busy in the partner's own policy",
                "Microsoft's FAQ says it does not depend on EWS and migrating it is optional, while the same post lists it among the legacy configurations (UNCONFIRMED): treated as legacy to migrate, never as broken by EWS",
            };
            GrantCheck back;
            bool matchedOther = side.Other != null && (tenants.Contains(side.Other.TenantId ?? "", StringComparer.OrdinalIgnoreCase) || side.Other.OwnsDomain(a.ForestName));
            if (matchedOther)
            {
                back = side.Other!.Xtap.Check(side.Self.TenantId ?? side.Self.Organization, new CapabilityNeeds { FreeBusy = FreeBusyAccessLevel.AvailabilityOnly });
                row.PartnerEwsEnabled = side.Other.EwsEnabled;
                why.Add($"{side.Other.Organization}'s policy: " + back.Detail);
            }
            else
            {
                back = new GrantCheck(XtapStatus.Unknown, "the partner's policy was not read");
                why.Add("the partner's policy was not read (pass -PartnerConnection to check it)");
            }
            row.PartnerCrossTenantAccess = back.Status;
            string where = matchedOther ? side.Other!.Organization : $"{a.ForestName}'s tenant";
            if (back.Status == XtapStatus.Present)
            {
                row.Verdict = Verdict.ReadyToCutOver;
                why.Add("the address space still wins while it exists (it has no enable switch)");
                row.NextStep = $"Remove-AvailabilityAddressSpace -Identity {Q(a.ForestName)} (Exchange Online PowerShell; keep a copy first: Get-AvailabilityAddressSpace {Q(a.ForestName)} | Export-Clixml)";
            }
            else
            {
                row.Verdict = Verdict.NeedsCrossTenantAccess;
                row.NextStep = $"in {where}: " + Grant(side.Self.PrimaryDomain ?? side.Self.Organization, new CapabilityNeeds { FreeBusy = FreeBusyAccessLevel.AvailabilityOnly });
            }
            row.Reason = Sentence(why);
            return row;
        }
    }
}
