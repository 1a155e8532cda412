using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using static CalendarFederation.Engine.Readiness.ReadinessText;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>Sharing policies: one row per calendar sharing rule of a policy that applies to mailboxes.</summary>
    internal static class SharingPolicyReadiness
    {
        // --- sharing policies -----------------------------------------------------------------------------------

        public static IEnumerable<ReadinessRow> Evaluate(ReadinessSide side, LegacySharingPolicy p)
        {
            // R4: a disabled policy, or one no mailbox has, depends on nothing (JP-XTAP FAQ).
            if (!p.IsCandidate || p.Mailboxes == 0) yield break;
            string applies = p.Mailboxes is int n
                ? "it applies to " + TenantInventory.Count(n, "mailbox", "mailboxes")
                : side.Self.MailboxProblem != null ? "the mailboxes could not be counted, so it is assumed to apply (" + side.Self.MailboxProblem + ")"
                : "it is the default policy, so it applies to every mailbox without a policy of its own (not counted)";
            foreach (SharingRule rule in p.CalendarRules)
            {
                bool everyone = rule.IsAnyOrganization || rule.IsAnonymous;
                if (everyone && side.Narrowed) continue;
                var domains = everyone ? Array.Empty<string>() : new[] { rule.Domain };
                List<string> tenants = everyone ? new List<string>() : side.TenantsOf(domains);
                if (!everyone && !side.Matches(domains, tenants)) continue;
                DomainLookup? lookup = everyone ? null : side.LookupsOf(domains).FirstOrDefault();
                PartnerKind kind = everyone ? PartnerKind.Unknown
                    : tenants.Count > 0 ? PartnerKind.Microsoft365
                    : lookup != null && lookup.NoTenant ? PartnerKind.OnPremises : PartnerKind.Unknown;
                ReadinessRow row = side.NewRow(LegacyObjectType.SharingPolicy, p.Name, rule.Domain, kind);
                row.Domains = domains;
                row.PartnerTenantId = tenants.FirstOrDefault();
                CalendarSharingAccessLevel level = rule.CalendarLevel;
                string remove = $"Set-SharingPolicy -Identity {Q(p.Name)} -Domains @{{Remove={Q(rule.Text)}}}"
                    + (rule.OtherActions.Count > 0 ? $"; Set-SharingPolicy -Identity {Q(p.Name)} -Domains @{{Add={Q(rule.Domain + ":" + string.Join(", ", rule.OtherActions))}}}" : "")
                    + " (Exchange Online PowerShell)";
                if (kind == PartnerKind.OnPremises)
                {
                    yield return side.Keep(row, new List<string>(), $"the rule {rule.Text} names a domain no Microsoft Entra organization has ({lookup!.Problem}), so it is not a " +
                        "Microsoft 365 partner", "None: keep it");
                    continue;
                }
                row.DependsOnEws = true;
                side.SetDeadline(row, null, partnerUnread: false);
                CapabilityNeeds needs = rule.IsAnonymous ? new CapabilityNeeds { AnonymousSharing = level } : new CapabilityNeeds { CalendarSharing = level };
                GrantCheck ours = everyone ? side.Self.Xtap.Check(null, needs) : side.CheckAll(side.Self.Xtap, tenants, needs);
                row.CrossTenantAccess = ours.Status;
                var why = new List<string>
                {
                    $"enabled with the rule {rule.Text}" + (rule.IsAnonymous ? " (calendars published to anonymous users)" : rule.IsAnyOrganization ? " (every organization)" : "") + "; " + applies,
                    "this tenant's policy: " + ours.Detail,
                };
                foreach (DomainLookup failed in side.LookupsOf(domains).Where(l => !l.Resolved)) why.Add($"{failed.Domain} did not resolve to a tenant: {failed.Problem}");
                string capability = rule.IsAnonymous ? "anonymousCalendarSharingFreeBusy" + level : M365CapabilityNames.For(level) ?? "";
                if (everyone) why.Add($"its equivalent is {capability} on the default policy (Microsoft Graph: POST /policies/crossTenantAccessPolicy/default/m365Capabilities)");
                string grant = everyone
                    ? $"allow {capability} on the default cross-tenant access policy (in Microsoft Graph; this module never changes the default policy), or remove the rule: " + remove
                    : Grant(rule.Domain, needs);
                if (ReadinessDecisions.EwsIsOff(side.Self.EwsEnabled, side.Now))
                {
                    row.Verdict = Verdict.BrokenNow;
                    why.Insert(0, $"EWS is off in {side.Self.Organization}, so this calendar sharing has stopped");
                    row.NextStep = ours.Status == XtapStatus.Present ? remove : Steps(side.EwsStopGap(null), grant);
                }
                else if (ours.Status == XtapStatus.Present)
                {
                    row.Verdict = Verdict.ReadyToCutOver;
                    why.Add("the rule still wins while it is in the policy");
                    row.NextStep = remove;
                }
                else
                {
                    row.Verdict = Verdict.NeedsCrossTenantAccess;
                    row.NextStep = ours.Status == XtapStatus.NotAvailable
                        ? Steps($"wait for the cross-tenant access policy to reach {side.Self.Organization}", Meanwhile(side.EwsStopGap(null))) : grant;
                }
                row.Reason = Sentence(why);
                yield return row;
            }
        }
    }
}
