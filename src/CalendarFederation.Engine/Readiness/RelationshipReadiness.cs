using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using static CalendarFederation.Engine.Readiness.ReadinessText;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>Organization relationships: kept, migrated, ready to cut over, in need of a grant, or broken now.</summary>
    internal static class RelationshipReadiness
    {
        // --- organization relationships -------------------------------------------------------------------------

        public static ReadinessRow? Evaluate(ReadinessSide side, LegacyRelationship r)
        {
            List<string> tenants = side.TenantsOf(r.Domains);
            if (!side.Matches(r.Domains, tenants)) return null;
            ReadinessRow row = side.NewRow(LegacyObjectType.OrganizationRelationship, r.Name, r.Domains.FirstOrDefault() ?? "", r.Kind);
            row.Domains = r.Domains;
            row.PartnerTenantId = tenants.FirstOrDefault();
            var reasons = new List<string>();
            if (tenants.Count > 1) reasons.Add($"its domains belong to {tenants.Count} tenants ({string.Join(", ", tenants)}); each needs its own grant");
            foreach (DomainLookup failed in side.LookupsOf(r.Domains).Where(l => !l.Resolved)) reasons.Add($"{failed.Domain} did not resolve to a tenant: {failed.Problem}");

            // R5: partners that keep their relationship.
            if (r.Kind == PartnerKind.Hybrid)
            {
                return side.Keep(row, reasons, "the partner is this tenant's own on-premises organization (hybrid): the cross-tenant access policy does not replace it; " +
                    "hybrid free/busy moves to the dedicated Exchange hybrid app", "None here: keep it (the Hybrid Configuration Wizard moves hybrid free/busy to the Exchange hybrid app)");
            }
            if (r.Kind == PartnerKind.OnPremises)
            {
                return side.Keep(row, reasons, "the partner runs Exchange Server on-premises (the relationship's targets are not Microsoft 365 hosts): no immediate impact, " +
                    "and organization relationships stay for such partners", $"None: keep it (Test-OrganizationRelationship -Identity {Q(r.Name)} checks it)");
            }
            if (r.Kind == PartnerKind.Unknown)
            {
                if (tenants.Count == 0 && side.LookupsOf(r.Domains).Any() && side.LookupsOf(r.Domains).All(l => l.NoTenant))
                {
                    return side.Keep(row, reasons, "its targets do not show where the partner runs, and Microsoft Entra ID knows no organization with its domains, so it is not a " +
                        "Microsoft 365 partner", $"None: keep it (Test-OrganizationRelationship -Identity {Q(r.Name)} checks it)");
                }
                reasons.Insert(0, "its targets do not show where the partner runs; judged as a Microsoft 365 partner because Microsoft Entra ID knows its tenant");
            }
            if (!r.Enabled) return Disabled(side, row, r, tenants, reasons);
            if (!r.InEffect)
            {
                string carries = r.OtherFeatures.Count > 0 ? " (it carries " + string.Join(", ", r.OtherFeatures) + ")" : "";
                return side.Keep(row, reasons, "it shares neither free/busy nor MailTips, so it does not depend on EWS for them" + carries +
                    "; the cross-tenant access policy does not replace its other features", "None: keep it for what it carries");
            }
            return InEffect(side, row, r, tenants, reasons);
        }

        // R7: a disabled relationship depends on nothing; it is Migrated when X-TAP gives what it gave.
        private static ReadinessRow Disabled(ReadinessSide side, ReadinessRow row, LegacyRelationship r, List<string> tenants, List<string> reasons)
        {
            CapabilityNeeds needs = r.Exposure;
            if (needs.IsEmpty)
            {
                row.Verdict = Verdict.Migrated;
                row.CrossTenantAccess = XtapStatus.NotApplicable;
                row.Reason = Sentence(new[] { "disabled, and it shares no free/busy or MailTips: nothing to migrate" }.Concat(reasons));
                row.NextStep = $"None (Remove-OrganizationRelationship -Identity {Q(r.Name)} when it is no longer needed)";
                return row;
            }
            GrantCheck ours = side.CheckAll(side.Self.Xtap, tenants, needs);
            row.CrossTenantAccess = ours.Status;
            if (ours.Status == XtapStatus.Present)
            {
                row.Verdict = Verdict.Migrated;
                row.Reason = Sentence(new[] { "disabled, and the cross-tenant access policy gives what it gave (" + needs + "): " + ours.Detail }.Concat(reasons));
                row.NextStep = $"None: once sharing is confirmed from the partner's side, Remove-OrganizationRelationship -Identity {Q(r.Name)} (keep it meanwhile for a rollback)";
                return row;
            }
            row.Verdict = Verdict.NeedsCrossTenantAccess;
            row.Reason = Sentence(new[]
            {
                "disabled: it shares nothing now and does not depend on EWS, but the cross-tenant access policy does not give what it gave (" + needs + "), so the partner's " +
                "users see none of it: " + ours.Detail,
                $"if that is intended, remove it instead (Remove-OrganizationRelationship -Identity {Q(r.Name)})",
            }.Concat(reasons));
            row.NextStep = side.GrantSteps(ours, r.Domains, tenants, needs);
            return row;
        }

        private static ReadinessRow InEffect(ReadinessSide side, ReadinessRow row, LegacyRelationship r, List<string> tenants, List<string> reasons)
        {
            row.DependsOnEws = true;
            CapabilityNeeds needs = r.Exposure;
            GrantCheck ours = needs.IsEmpty
                ? GrantCheck.NotApplicable("it exposes nothing of this tenant (free/busy level None, no MailTips): it only lets this tenant's users read the partner")
                : side.CheckAll(side.Self.Xtap, tenants, needs);
            row.CrossTenantAccess = ours.Status;

            // The partner's side: its own relationship for this tenant shares back, and its grant back replaces that (R9).
            GrantCheck back;
            CapabilityNeeds backNeeds = CapabilityNeeds.None;
            bool backInEffect = false;
            if (side.Other != null)
            {
                List<LegacyRelationship> theirs = side.Other.Relationships.Where(x => x.InEffect && x.Domains.Any(side.Self.OwnsDomain)).ToList();
                backNeeds = CapabilityNeeds.Combine(theirs.Select(x => x.Exposure));
                backInEffect = !backNeeds.IsEmpty;
                back = backInEffect
                    ? side.Other.Xtap.Check(side.Self.TenantId ?? side.Self.Organization, backNeeds)
                    : GrantCheck.NotApplicable($"{side.Other.Organization} shares nothing back through a relationship of its own");
                row.PartnerEwsEnabled = side.Other.EwsEnabled;
            }
            else
            {
                back = new GrantCheck(XtapStatus.Unknown, "the partner's side was not read (pass -PartnerConnection to check its grant back and its EWS)");
            }
            row.PartnerCrossTenantAccess = back.Status;

            // R3: the target's EWS decides; R2: the deadline of each side the relationship depends on.
            bool exposes = !needs.IsEmpty;
            bool brokenHere = exposes && ReadinessDecisions.EwsIsOff(side.Self.EwsEnabled, side.Now);
            bool brokenThere = backInEffect && ReadinessDecisions.EwsIsOff(side.Other!.EwsEnabled, side.Now);
            side.SetDeadline(row, backInEffect ? side.Other : null, partnerUnread: side.Other == null);

            bool oursReady = ours.Status == XtapStatus.Present || (ours.Status == XtapStatus.NotApplicable && back.Status == XtapStatus.Present);
            bool backReady = back.Status == XtapStatus.Present || back.Status == XtapStatus.NotApplicable || (side.Other == null && back.Status == XtapStatus.Unknown);
            bool ready = oursReady && backReady;

            var why = new List<string> { $"enabled, sharing {needs} with the partner over EWS", "this tenant's policy: " + ours.Detail };
            if (side.Other != null) why.Add($"{side.Other.Organization}'s grant back: " + back.Detail);
            else why.Add(back.Detail);
            if (r.OtherFeatures.Count > 0) why.Add("it also carries " + string.Join(", ", r.OtherFeatures) + ": move those to a relationship of their own before it is disabled");

            var next = new List<string>();
            string convert = $"Convert-OrganizationRelationship -Identity {Q(r.Name)} -PartnerConnection {side.PartnerPlaceholder} -DisableLegacy";
            if (brokenHere || brokenThere)
            {
                row.Verdict = Verdict.BrokenNow;
                why.Insert(0, brokenHere && brokenThere ? "EWS is off on both sides" : brokenHere ? $"EWS is off in {side.Self.Organization}, so the partner's users see nothing of it"
                    : $"EWS is off in {side.Other!.Organization}, so this tenant's users see nothing of the partner");
                if (ready)
                {
                    why.Add("the cross-tenant access policy is in place, but the enabled relationship still wins and fails");
                    next.Add(convert);
                }
                else
                {
                    if (brokenHere) next.Add(side.EwsStopGap(null));
                    if (brokenThere) next.Add(side.EwsStopGap(side.Other!.Organization));
                    AddGrants(side, next, ours, back, r, tenants, needs, backNeeds);
                    next.Add("then " + convert);
                }
            }
            else if (ready)
            {
                row.Verdict = Verdict.ReadyToCutOver;
                why.Add("the legacy relationship still wins while it is enabled on either side");
                next.Add(convert);
            }
            else
            {
                row.Verdict = Verdict.NeedsCrossTenantAccess;
                AddGrants(side, next, ours, back, r, tenants, needs, backNeeds);
            }
            row.Reason = Sentence(why.Concat(reasons));
            row.NextStep = Steps(next.ToArray());
            return row;
        }

        private static void AddGrants(ReadinessSide side, List<string> next, GrantCheck ours, GrantCheck back, LegacyRelationship r, List<string> tenants, CapabilityNeeds needs, CapabilityNeeds backNeeds)
        {
            if (ours.Status == XtapStatus.NotAvailable || back.Status == XtapStatus.NotAvailable)
            {
                bool here = ours.Status == XtapStatus.NotAvailable;
                string where = here ? side.Self.Organization : side.Other!.Organization;
                next.Add(Steps($"wait for the cross-tenant access policy to reach {where}", Meanwhile(side.EwsStopGap(here ? null : where))));
                return;
            }
            if (ours.Status != XtapStatus.Present && ours.Status != XtapStatus.NotApplicable) next.Add(side.GrantSteps(ours, r.Domains, tenants, needs));
            if (side.Other != null && back.Status != XtapStatus.Present && back.Status != XtapStatus.NotApplicable)
            {
                next.Add($"in {side.Other.Organization}: " + Grant(side.Self.PrimaryDomain ?? side.Self.Organization, backNeeds));
            }
            if (side.Other == null && ours.Status == XtapStatus.NotApplicable)
            {
                next.Add($"in the partner's tenant: {Grant(side.Self.PrimaryDomain ?? side.Self.Organization, new CapabilityNeeds { FreeBusy = FreeBusyAccessLevel.AvailabilityOnly })} " +
                    "(or rerun with -PartnerConnection to check what it grants)");
            }
        }
    }
}
