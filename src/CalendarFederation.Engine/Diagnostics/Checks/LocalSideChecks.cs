using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>Our side: how our users reach the partner, and what the partner may see of us.</summary>
    internal static class LocalSideChecks
    {
        public static IReadOnlyList<DiagnosticCheck> All { get; } = new[]
        {
            DiagnosticCheck.Of(nameof(LocalRelationshipExists), LocalRelationshipExists, CheckIds.LocalRelationshipMissing),
            DiagnosticCheck.Of(nameof(LocalRelationshipEnabled), LocalRelationshipEnabled, CheckIds.LocalRelationshipDisabled),
            DiagnosticCheck.Of(nameof(TargetApplicationUriSet), TargetApplicationUriSet, CheckIds.TargetApplicationUriMissing),
            DiagnosticCheck.Of(nameof(AutodiscoverTargetSet), AutodiscoverTargetSet, CheckIds.TargetAutodiscoverEprMissing),
            DiagnosticCheck.Of(nameof(PartnerDomainsInOneRelationship), PartnerDomainsInOneRelationship, CheckIds.PartnerDomainsSplit),
            DiagnosticCheck.Of(nameof(PartnerDomainsCovered), PartnerDomainsCovered, CheckIds.PartnerDomainsNotCovered, CheckIds.PartnerDomainsUnknown),
            DiagnosticCheck.Of(nameof(LocalSharesFreeBusy), LocalSharesFreeBusy, CheckIds.LocalFreeBusyNotShared),
        };

        private static void LocalRelationshipExists(DiagnosticsContext context, FindingSink findings)
        {
            if (context.LocalRelationship != null) return;
            string l = context.LocalOrganization, p = context.PartnerOrganization;
            findings.Add(FindingSeverity.Blocking, l, CheckIds.LocalRelationshipMissing,
                $"{l} has no organization relationship for {FindingText.Join(context.PartnerDomains)}: its users cannot ask {p} for free/busy, and {p} sees none of {l}'s.",
                "Run New-CalendarFederation, or Get-FederationInformation -DomainName <partner domain> | New-OrganizationRelationship; between Microsoft 365 tenants, " +
                "grant each other through the cross-tenant access policy instead (Grant-CrossTenantCalendarAccess in each tenant).");
        }

        private static void LocalRelationshipEnabled(DiagnosticsContext context, FindingSink findings)
        {
            if (context.LocalRelationship?.GetBool("Enabled") != false) return;
            string name = context.LocalRelationshipName;
            findings.Add(FindingSeverity.Blocking, context.LocalOrganization, CheckIds.LocalRelationshipDisabled, $"'{name}' in {context.LocalOrganization} is disabled.",
                $"Set-OrganizationRelationship -Identity '{name}' -Enabled $true");
        }

        private static void TargetApplicationUriSet(DiagnosticsContext context, FindingSink findings)
        {
            AdminObject? relationship = context.LocalRelationship;
            if (relationship == null || !string.IsNullOrEmpty(relationship.GetString("TargetApplicationUri"))) return;
            string l = context.LocalOrganization;
            findings.Add(FindingSeverity.Blocking, l, CheckIds.TargetApplicationUriMissing,
                $"'{context.LocalRelationshipName}' in {l} has no TargetApplicationUri, so {l} cannot get a token to ask {context.PartnerOrganization}.",
                "Pipe Get-FederationInformation for the partner into Set-OrganizationRelationship, or set -TargetApplicationUri.");
        }

        private static void AutodiscoverTargetSet(DiagnosticsContext context, FindingSink findings)
        {
            AdminObject? relationship = context.LocalRelationship;
            if (relationship == null || !string.IsNullOrEmpty(relationship.GetString("TargetAutodiscoverEpr"))
                || !string.IsNullOrEmpty(relationship.GetString("TargetSharingEpr")))
            {
                return;
            }
            string l = context.LocalOrganization;
            findings.Add(FindingSeverity.Blocking, l, CheckIds.TargetAutodiscoverEprMissing,
                $"'{context.LocalRelationshipName}' in {l} has neither TargetAutodiscoverEpr nor TargetSharingEpr, so {l} does not know where to ask {context.PartnerOrganization}.",
                "Set -TargetAutodiscoverEpr from Get-FederationInformation's output.");
        }

        // The partner's domains may be spread over several of our relationships: each serves its own domains.
        private static void PartnerDomainsInOneRelationship(DiagnosticsContext context, FindingSink findings)
        {
            IReadOnlyList<AdminObject> covering = context.LocalRelationshipsCoveringPartner;
            if (context.LocalRelationship == null || covering.Count <= 1) return;
            findings.Add(FindingSeverity.Warning, context.LocalOrganization, CheckIds.PartnerDomainsSplit,
                $"{context.PartnerOrganization}'s domains are spread over {covering.Count} relationships in {context.LocalOrganization}: " +
                string.Join("; ", covering.Select(r => $"'{r.GetString("Name")}' ({string.Join(", ", r.GetStrings("DomainNames"))})")) +
                ". Each works for its own domains, but their settings can drift apart.",
                "Merge them into one (Remove- the smaller, then Set- the other with -DomainNames @{Add=...}); New-CalendarFederation refuses to guess.");
        }

        private static void PartnerDomainsCovered(DiagnosticsContext context, FindingSink findings)
        {
            AdminObject? relationship = context.LocalRelationship;
            if (relationship == null) return;
            HashSet<string> listed = FindingText.DomainSet(relationship);
            bool split = context.LocalRelationshipsCoveringPartner.Count > 1;
            if (split)
            {
                foreach (AdminObject other in context.LocalRelationshipsCoveringPartner) listed.UnionWith(FindingText.DomainSet(other));
            }
            string name = context.LocalRelationshipName, p = context.PartnerOrganization;
            if (context.Partner == null)
            {
                // Only Exchange Online answers with the one domain asked for (2025); an on-premises Exchange lists them all.
                bool onPremises = context.PartnerKind == PartnerKind.OnPremises || context.PartnerKind == PartnerKind.Hybrid;
                if (listed.Count > 1 || onPremises) return;
                findings.Add(FindingSeverity.Info, context.LocalOrganization, CheckIds.PartnerDomainsUnknown,
                    $"'{name}' lists {listed.Count} partner domain(s). Since 2025 discovery returns only the domain asked for, so other domains of {p} may be missing.",
                    "Pass -PartnerConnection to compare with the partner's accepted domains.");
                return;
            }
            string[] missing = context.Partner.Domains.Where(d => !listed.Contains(d)).ToArray();
            if (missing.Length == 0) return;
            // Blocking when the very mailbox being asked about is at an uncovered domain.
            bool hitsMailbox = context.MailboxDomain != null && missing.Contains(context.MailboxDomain, StringComparer.OrdinalIgnoreCase);
            findings.Add(hitsMailbox ? FindingSeverity.Blocking : FindingSeverity.Warning, context.LocalOrganization, CheckIds.PartnerDomainsNotCovered,
                $"No relationship in {context.LocalOrganization} lists {FindingText.Join(missing)}: people at those domains of {p} show no free/busy.",
                split ? "Add them to one of the relationships above, after merging."
                    : $"Set-OrganizationRelationship -Identity '{name}' -DomainNames @{{Add={FindingText.Quoted(missing)}}}");
        }

        private static void LocalSharesFreeBusy(DiagnosticsContext context, FindingSink findings)
        {
            AdminObject? relationship = context.LocalRelationship;
            if (relationship == null || FindingText.SharesFreeBusy(relationship)) return;
            string name = context.LocalRelationshipName, l = context.LocalOrganization;
            findings.Add(FindingSeverity.Warning, l, CheckIds.LocalFreeBusyNotShared, $"'{name}' in {l} shares no free/busy, so {context.PartnerOrganization} sees none of {l}'s calendars.",
                $"Set-OrganizationRelationship -Identity '{name}' -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly");
        }
    }
}
