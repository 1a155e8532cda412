using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Availability;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>
    /// The Microsoft 365 cross-tenant access policy (X-TAP) between the two tenants, and what still stands in its way: a
    /// legacy object still in effect on either side (it wins, docs/cross-tenant-access.md §1.4), EWS off or about to go on a side whose
    /// relationship still serves (§1.5), the partner's tenant not resolvable, each side's trust and free/busy capability,
    /// the mailbox against the partner's resource scopes, and the probe's 7002 and 5016 explained (§5). X-TAP is inbound
    /// only: a side's policy says what the other side's users see of it, so the partner's policy decides what our users
    /// see (Blocking when it is the path), ours what the partner's users see of us (a Warning, as LocalFreeBusyNotShared).
    /// A policy that could not be read is said (CrossTenantAccessNotChecked), never a failure of the run.
    /// </summary>
    internal static class CrossTenantAccessChecks
    {
        public static IReadOnlyList<DiagnosticCheck> All { get; } = new[]
        {
            DiagnosticCheck.OfAsync(nameof(PartnerTenantResolvable), PartnerTenantResolvable, CheckIds.PartnerTenantNotResolved),
            DiagnosticCheck.OfAsync(nameof(PoliciesReadable), PoliciesReadable, CheckIds.CrossTenantAccessNotChecked),
            DiagnosticCheck.OfAsync(nameof(EwsChecks.EwsServesRelationships), EwsChecks.EwsServesRelationships, CheckIds.EwsBlocked, CheckIds.EwsAtRisk),
            DiagnosticCheck.OfAsync(nameof(LegacyObjectsRetired), LegacyObjectsRetired, CheckIds.LegacyHidesCrossTenantAccess),
            DiagnosticCheck.OfAsync(nameof(CrossTenantGrantChecks.TrustInPlace), CrossTenantGrantChecks.TrustInPlace,
                CheckIds.CrossTenantTrustMissing, CheckIds.CrossTenantTrustBlocked),
            DiagnosticCheck.OfAsync(nameof(CrossTenantGrantChecks.CapabilityInPlace), CrossTenantGrantChecks.CapabilityInPlace,
                CheckIds.CrossTenantCapabilityMissing, CheckIds.CrossTenantTwoFreeBusyLevels),
            DiagnosticCheck.OfAsync(nameof(CrossTenantGrantChecks.ScopeHoldsMailbox), CrossTenantGrantChecks.ScopeHoldsMailbox,
                CheckIds.CrossTenantScopeExcludesMailbox, CheckIds.CrossTenantScopeUnchecked),
        };

        /// <summary>The probe's X-TAP refusals as findings; runs with the probe checks.</summary>
        public static IReadOnlyList<DiagnosticCheck> Probe { get; } = new[]
        {
            DiagnosticCheck.OfAsync(nameof(ProbeRefusalExplained), ProbeRefusalExplained, CheckIds.CrossTenantAccessNotServed, CheckIds.CrossTenantAccessScopeDenied),
        };

        /// <summary>
        /// The relationship checks, standing down when the pair is on the policy (no enabled relationship on a side read, and
        /// the policy set up for the pair or answering the probe): a missing or disabled relationship is then the goal, not a fault.
        /// </summary>
        public static IEnumerable<DiagnosticCheck> ForRelationships(IEnumerable<DiagnosticCheck> checks) =>
            checks.Select(check => new DiagnosticCheck(check.Name, check.Emits, async (context, findings, token) =>
            {
                CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, token).ConfigureAwait(false);
                if (path.ViaCrossTenantAccess) return;
                await check.RunAsync(context, findings, token).ConfigureAwait(false);
            }));

        private static async Task PartnerTenantResolvable(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            if (path.Partner is not TenantLookup partner || !partner.IsNotATenant) return;
            string p = context.PartnerOrganization;
            string what = partner.ErrorId == ErrorIds.PartnerTenantIsConsumer
                ? $"{partner.Domain} belongs to the Microsoft account (consumer) tenant, not to a Microsoft 365 organization"
                : $"Microsoft Entra ID knows no tenant with the domain {partner.Domain}";
            // Without an enabled relationship the policy is the only way, and it names tenants.
            bool only = !path.EnabledRelationship;
            findings.Add(only ? FindingSeverity.Blocking : FindingSeverity.Warning, p, CheckIds.PartnerTenantNotResolved,
                $"{what}, so no cross-tenant access policy can name {p}" + (only ? " and free/busy with it cannot work." : "; only the organization relationship serves it, until EWS ends."),
                partner.ErrorId == ErrorIds.PartnerTenantIsConsumer
                    ? "Check the domain: free/busy is shared with Microsoft 365 organizations, not with personal Microsoft accounts."
                    : "Check the domain (Get-FederationInformation shows what the partner answers); a Microsoft 365 partner's .onmicrosoft.com domain always resolves.");
        }

        private static async Task PoliciesReadable(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            if (!path.Applies) return;
            // With an enabled relationship the policy is not what answers today: what it would do is background.
            FindingSeverity severity = path.EnabledRelationship ? FindingSeverity.Info : FindingSeverity.Warning;
            if (path.Partner is TenantLookup partner && partner.TenantId == null && !partner.IsNotATenant)
            {
                findings.Add(severity, context.PartnerOrganization, CheckIds.CrossTenantAccessNotChecked,
                    $"The cross-tenant access policy was not checked: the tenant of {partner.Domain} could not be looked up. {partner.Failure}",
                    "Run it again; the lookup is anonymous (the partner's OpenID configuration on the sign-in host).");
            }
            foreach (PolicySide side in PolicySide.Sides(context, path).Where(s => !s.Policy.IsRead))
            {
                findings.Add(severity, side.Org, CheckIds.CrossTenantAccessNotChecked,
                    $"{side.Org}'s cross-tenant access policy for {side.Other} could not be checked: {side.Policy.Failure}",
                    side.Policy.FailureRecommendation);
            }
        }

        private static async Task LegacyObjectsRetired(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            if (!path.AnyGrant || !path.LegacyInEffect) return;
            string l = context.LocalOrganization, p = context.PartnerOrganization;
            var grants = new List<string> { path.Local?.DescribeGrant() ?? $"{l}'s policy was not read" };
            grants.Add(path.Remote?.DescribeGrant() ?? $"{p}'s side was not read");
            string missing = path.Remote != null && path.Remote.IsRead && !path.Remote.Grants
                ? $" Before the cut-over {p} must grant {l} too, or {l}'s users lose {p}'s free/busy."
                : path.Local != null && path.Local.IsRead && !path.Local.Grants
                    ? $" Before the cut-over {l} must grant {p} too, or {p}'s users lose {l}'s free/busy."
                    : "";
            findings.Add(FindingSeverity.Warning, l, CheckIds.LegacyHidesCrossTenantAccess,
                $"Ready to cut over: the cross-tenant access policy is in place ({string.Join("; ", grants)}), but {FindingText.Join(path.LegacyObjects)} " +
                (path.LegacyObjects.Count == 1 ? "still takes" : "still take") + " precedence: while a legacy object is enabled on either side, free/busy does not go through the policy, so it is neither used nor tested. " +
                "Both sides must disable their relationships." + missing,
                CutOver(context, path));
        }

        private static string CutOver(DiagnosticsContext context, CrossTenantPath path)
        {
            var steps = new List<string>();
            string p = context.PartnerOrganization;
            AdminObject? ours = context.LocalRelationshipsCoveringPartner.FirstOrDefault(r => r.GetBool("Enabled") != false);
            if (ours != null)
            {
                string partner = context.Partner != null ? $"-PartnerConnection <{p}>" : "-PartnerDisablesLegacy";
                steps.Add($"Convert-OrganizationRelationship -Identity '{ours.GetString("Name")}' {partner} -DisableLegacy");
            }
            else if (context.PartnerRelationship != null && context.PartnerRelationship.GetBool("Enabled") != false)
            {
                steps.Add($"Convert-OrganizationRelationship -Connection <{p}> -Identity '{context.PartnerRelationshipName}' -DisableLegacy");
            }
            else
            {
                steps.Add($"Both sides: Convert-OrganizationRelationship -DisableLegacy for any relationship still enabled");
            }
            if (path.LegacyObjects.Any(o => o.StartsWith("the availability address space", StringComparison.Ordinal))) steps.Add("Remove-AvailabilityAddressSpace for the address space named");
            if (path.LegacyObjects.Any(o => o.StartsWith("the sharing policy", StringComparison.Ordinal))) steps.Add("Set-SharingPolicy -Domains @{Remove='<rule>'} for each rule named");
            return string.Join("; then ", steps);
        }

        private static async Task ProbeRefusalExplained(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            ProbeOutcome? outcome = await context.GetAsync(ProbeChecks.Probe, cancellationToken).ConfigureAwait(false);
            ScheduleResult? result = outcome?.Result;
            if (result == null || !CrossTenantAccessFacts.IsPolicyRefusal(result.ErrorCode)) return;
            string mailbox = context.Request.Mailbox!, l = context.LocalOrganization, p = context.PartnerOrganization;
            string domain = context.MailboxDomain ?? CrossTenantAccessFacts.PartnerDomain(context);
            string answered = $"Asked for {mailbox}'s free/busy, Exchange Online answered {result.ErrorCode} (\"{result.ErrorMessage}\")";
            string look = context.Partner != null ? "The findings above show what its policy holds."
                : $"Get-CrossTenantCalendarAccess -Connection <{p}> -PartnerTenantId <{l}'s tenant id>, or this test with -PartnerConnection, shows it.";
            if (result.ErrorCode == CrossTenantAccessFacts.NotServedCode)
            {
                findings.Add(FindingSeverity.Blocking, "Probe", CheckIds.CrossTenantAccessNotServed,
                    $"{answered}: it does not serve {domain} through the cross-tenant access policy for this pair. No legacy object answered, so the policy was asked, " +
                    $"and it lets {l}'s users see nothing: {p} needs a partner configuration for {l} with the Microsoft 365 collaboration trust and an allowed free/busy " +
                    "capability, the policy must have rolled out in both tenants, and no legacy object may be enabled on either side. Changes take a while to apply.",
                    $"Check {p}'s policy for {l}; wait a while after a change and test again. {look}");
            }
            else
            {
                findings.Add(FindingSeverity.Blocking, "Probe", CheckIds.CrossTenantAccessScopeDenied,
                    $"{answered}: the cross-tenant access policy grants {l} free/busy, but {mailbox} is outside its user or group restrictions (resource scopes), " +
                    "or its group membership could not be evaluated. That is expected for a mailbox left out on purpose.",
                    $"Check the capability's resource scopes in {p} and {mailbox}'s group membership. {look}");
            }
        }
    }
}
