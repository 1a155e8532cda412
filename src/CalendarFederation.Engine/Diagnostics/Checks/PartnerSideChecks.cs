using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>Their side: what the partner lets our users see. Needs the partner's connection.</summary>
    internal static class PartnerSideChecks
    {
        /// <summary>Whether the partner's side was read at all; said on either path (relationship or cross-tenant access policy).</summary>
        public static IReadOnlyList<DiagnosticCheck> Read { get; } = new[]
        {
            DiagnosticCheck.OfAsync(nameof(PartnerSideRead), PartnerSideRead, CheckIds.PartnerSideNotChecked),
        };

        public static IReadOnlyList<DiagnosticCheck> All { get; } = new[]
        {
            DiagnosticCheck.Of(nameof(PartnerRelationshipExists), PartnerRelationshipExists, CheckIds.PartnerRelationshipMissing),
            DiagnosticCheck.Of(nameof(PartnerRelationshipEnabled), PartnerRelationshipEnabled, CheckIds.PartnerRelationshipDisabled),
            DiagnosticCheck.Of(nameof(PartnerSharesFreeBusy), PartnerSharesFreeBusy, CheckIds.PartnerFreeBusyNotShared),
            DiagnosticCheck.Of(nameof(LocalDomainsCoveredByPartner), LocalDomainsCoveredByPartner, CheckIds.LocalDomainsNotCoveredByPartner),
            DiagnosticCheck.Of(nameof(PartnerTargetsSet), PartnerTargetsSet, CheckIds.PartnerTargetsMissing),
        };

        /// <summary>Compares both sides; runs after the partner's scope checks, as the levels are the last thing to tune.</summary>
        public static IReadOnlyList<DiagnosticCheck> Levels { get; } = new[]
        {
            DiagnosticCheck.Of(nameof(FreeBusyLevelsMatch), FreeBusyLevelsMatch, CheckIds.FreeBusyLevelsDiffer),
        };

        private static async Task PartnerSideRead(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            if (context.Partner != null) return;
            string l = context.LocalOrganization, p = context.PartnerOrganization;
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            string needs = path.ViaCrossTenantAccess
                ? $"Through the cross-tenant access policy {l}'s users see {p}'s free/busy only when {p}'s own policy grants {l}: a partner configuration with the " +
                  "Microsoft 365 collaboration trust and a free/busy capability."
                : $"Free/busy needs {p} to have a relationship for {l}'s domains with FreeBusyAccessEnabled" +
                  (context.PartnerKind == Federation.PartnerKind.Microsoft365 ? ", and EWS kept on there (EwsEnabled True) while that relationship serves." : ".");
            findings.Add(FindingSeverity.Info, p, CheckIds.PartnerSideNotChecked, $"{p}'s side was not checked. {needs}",
                "Pass -PartnerConnection, or ask the partner's admin to run Test-OrganizationRelationship.");
        }

        private static void PartnerRelationshipExists(DiagnosticsContext context, FindingSink findings)
        {
            if (context.Partner == null || context.PartnerRelationship != null) return;
            string l = context.LocalOrganization, p = context.PartnerOrganization;
            findings.Add(FindingSeverity.Blocking, p, CheckIds.PartnerRelationshipMissing,
                $"{p} has no organization relationship for {l}: {l}'s users see no free/busy of {p} (hash marks). Relationships are one-way.",
                "Run New-CalendarFederation to create the other side.");
        }

        private static void PartnerRelationshipEnabled(DiagnosticsContext context, FindingSink findings)
        {
            if (context.PartnerRelationship?.GetBool("Enabled") != false) return;
            string name = context.PartnerRelationshipName, p = context.PartnerOrganization;
            findings.Add(FindingSeverity.Blocking, p, CheckIds.PartnerRelationshipDisabled, $"'{name}' in {p} is disabled.",
                $"Set-OrganizationRelationship -Connection <{p}> -Identity '{name}' -Enabled $true -Force");
        }

        private static void PartnerSharesFreeBusy(DiagnosticsContext context, FindingSink findings)
        {
            AdminObject? relationship = context.PartnerRelationship;
            if (relationship == null || FindingText.SharesFreeBusy(relationship)) return;
            string name = context.PartnerRelationshipName, p = context.PartnerOrganization;
            findings.Add(FindingSeverity.Blocking, p, CheckIds.PartnerFreeBusyNotShared, $"'{name}' in {p} shares no free/busy with {context.LocalOrganization}.",
                $"Set-OrganizationRelationship -Connection <{p}> -Identity '{name}' -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly");
        }

        private static void LocalDomainsCoveredByPartner(DiagnosticsContext context, FindingSink findings)
        {
            AdminObject? relationship = context.PartnerRelationship;
            if (relationship == null) return;
            HashSet<string> listed = FindingText.DomainSet(relationship);
            string[] missing = context.Local.Domains.Where(d => !listed.Contains(d)).ToArray();
            if (missing.Length == 0) return;
            bool hitsRequester = context.RequesterDomain != null && missing.Contains(context.RequesterDomain, StringComparer.OrdinalIgnoreCase);
            string name = context.PartnerRelationshipName, p = context.PartnerOrganization;
            findings.Add(hitsRequester ? FindingSeverity.Blocking : FindingSeverity.Warning, p, CheckIds.LocalDomainsNotCoveredByPartner,
                $"'{name}' in {p} does not list {FindingText.Join(missing)}: free/busy requests from users at those domains of {context.LocalOrganization} are refused.",
                $"Set-OrganizationRelationship -Connection <{p}> -Identity '{name}' -DomainNames @{{Add={FindingText.Quoted(missing)}}}");
        }

        private static void PartnerTargetsSet(DiagnosticsContext context, FindingSink findings)
        {
            AdminObject? relationship = context.PartnerRelationship;
            if (relationship == null) return;
            bool reachable = !string.IsNullOrEmpty(relationship.GetString("TargetApplicationUri"))
                && (!string.IsNullOrEmpty(relationship.GetString("TargetAutodiscoverEpr")) || !string.IsNullOrEmpty(relationship.GetString("TargetSharingEpr")));
            if (reachable) return;
            string p = context.PartnerOrganization;
            findings.Add(FindingSeverity.Warning, p, CheckIds.PartnerTargetsMissing,
                $"'{context.PartnerRelationshipName}' in {p} lacks TargetApplicationUri or TargetAutodiscoverEpr, so {p}'s users cannot see {context.LocalOrganization}'s free/busy.",
                "Run New-CalendarFederation, which fills them from discovery.");
        }

        private static void FreeBusyLevelsMatch(DiagnosticsContext context, FindingSink findings)
        {
            AdminObject? ours = context.LocalRelationship, theirs = context.PartnerRelationship;
            if (ours == null || theirs == null) return;
            string? ourLevel = ours.GetString("FreeBusyAccessLevel"), theirLevel = theirs.GetString("FreeBusyAccessLevel");
            if (string.Equals(ourLevel, theirLevel, StringComparison.OrdinalIgnoreCase)) return;
            string l = context.LocalOrganization, p = context.PartnerOrganization;
            findings.Add(FindingSeverity.Info, l, CheckIds.FreeBusyLevelsDiffer, $"The levels differ: {p} sees {ourLevel} of {l}; {l} sees {theirLevel} of {p}.");
        }
    }
}
