using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Availability;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>
    /// The Microsoft 365 cross-tenant access policy (X-TAP) between the two tenants, and what still stands in its way: a
    /// legacy object still in effect on either side (it wins, xtap-notes 1.4), EWS off or about to go on a side whose
    /// relationship still serves (1.5), the partner's tenant not resolvable, each side's trust and free/busy capability,
    /// the mailbox against the partner's resource scopes, and the probe's 7002 and 5016 explained (5). X-TAP is inbound
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
            DiagnosticCheck.OfAsync(nameof(EwsServesRelationships), EwsServesRelationships, CheckIds.EwsBlocked, CheckIds.EwsAtRisk),
            DiagnosticCheck.OfAsync(nameof(LegacyObjectsRetired), LegacyObjectsRetired, CheckIds.LegacyHidesCrossTenantAccess),
            DiagnosticCheck.OfAsync(nameof(TrustInPlace), TrustInPlace, CheckIds.CrossTenantTrustMissing, CheckIds.CrossTenantTrustBlocked),
            DiagnosticCheck.OfAsync(nameof(CapabilityInPlace), CapabilityInPlace, CheckIds.CrossTenantCapabilityMissing, CheckIds.CrossTenantTwoFreeBusyLevels),
            DiagnosticCheck.OfAsync(nameof(ScopeHoldsMailbox), ScopeHoldsMailbox, CheckIds.CrossTenantScopeExcludesMailbox, CheckIds.CrossTenantScopeUnchecked),
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

        /// <summary>One tenant's policy, seen as the side that serves free/busy to the other.</summary>
        private sealed class Side
        {
            public Side(PolicyRead policy, bool isPartner, string otherDomain, string connection)
            {
                Policy = policy;
                IsPartner = isPartner;
                OtherDomain = otherDomain;
                Connection = connection;
            }

            public PolicyRead Policy { get; }
            /// <summary>The partner's policy: what our users see.</summary>
            public bool IsPartner { get; }
            public string Org => Policy.Organization;
            public string Other => Policy.Other;
            public string OtherDomain { get; }
            /// <summary>"" for our tenant, "-Connection &lt;partner&gt; " for the partner's.</summary>
            public string Connection { get; }

            public string Grant(string extra = " -FreeBusyAccessLevel AvailabilityOnly") =>
                $"Grant-CrossTenantCalendarAccess {Connection}-PartnerTenantId {Policy.OtherTenantId}{extra}";
        }

        private static IEnumerable<Side> Sides(DiagnosticsContext context, CrossTenantPath path)
        {
            if (path.Local is PolicyRead local) yield return new Side(local, false, CrossTenantAccessFacts.PartnerDomain(context), "");
            if (path.Remote is PolicyRead remote) yield return new Side(remote, true, CrossTenantAccessFacts.LocalDomain(context), $"-Connection <{context.PartnerOrganization}> ");
        }

        /// <summary>The sides whose configuration is checked: every side read when the pair is on the policy, else those set up for the pair.</summary>
        private static IEnumerable<Side> Checked(DiagnosticsContext context, CrossTenantPath path) =>
            Sides(context, path).Where(s => s.Policy.IsRead && (path.ViaCrossTenantAccess || s.Policy.HasPartner));

        /// <summary>Blocking for the partner's policy when it is what answers; otherwise (ours, or a legacy object still answering) a Warning.</summary>
        private static FindingSeverity Severity(Side side, CrossTenantPath path) =>
            side.IsPartner && path.ServedByPolicy ? FindingSeverity.Blocking : FindingSeverity.Warning;

        private static string Consequence(Side side, CrossTenantPath path) =>
            path.ServedByPolicy || !path.LegacyInEffect
                ? $"{side.Other}'s users see no free/busy of {side.Org} through the policy"
                : $"once the legacy objects are disabled, {side.Other}'s users will see no free/busy of {side.Org}";

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
            foreach (Side side in Sides(context, path).Where(s => !s.Policy.IsRead))
            {
                findings.Add(severity, side.Org, CheckIds.CrossTenantAccessNotChecked,
                    $"{side.Org}'s cross-tenant access policy for {side.Other} could not be checked: {side.Policy.Failure}",
                    side.Policy.FailureRecommendation);
            }
        }

        private static async Task EwsServesRelationships(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            AdminObject? ours = context.LocalRelationship;
            // Our relationship depends on EWS when it serves a Microsoft 365 partner; the partner's always does (we are Exchange Online).
            if (ours != null && context.PartnerKind == PartnerKind.Microsoft365 && Serves(ours))
            {
                EwsState state = await context.GetAsync(CrossTenantAccessFacts.LocalEws, cancellationToken).ConfigureAwait(false);
                Report(context, findings, state, context.LocalOrganization, context.PartnerOrganization, context.LocalRelationshipName, "", path.Local);
            }
            AdminObject? theirs = context.PartnerRelationship;
            if (theirs != null && Serves(theirs))
            {
                EwsState state = await context.GetAsync(CrossTenantAccessFacts.PartnerEws, cancellationToken).ConfigureAwait(false);
                Report(context, findings, state, context.PartnerOrganization, context.LocalOrganization, context.PartnerRelationshipName,
                    $"-Connection <{context.PartnerOrganization}> ", path.Remote);
            }
        }

        private static bool Serves(AdminObject relationship) => relationship.GetBool("Enabled") != false && FindingText.SharesFreeBusy(relationship);

        private static void Report(DiagnosticsContext context, FindingSink findings, EwsState state, string org, string other, string relationship, string connection,
            PolicyRead? policy)
        {
            bool retired = context.Request.Clock.GetUtcNow() >= EwsDates.Retired;
            string granted = policy?.Grants == true
                ? $"{org}'s cross-tenant access policy already grants {other}: cut over, both sides disabling their relationships: " +
                  $"Convert-OrganizationRelationship {connection}-Identity '{relationship}' -DisableLegacy"
                : $"move to the cross-tenant access policy: Convert-OrganizationRelationship {connection}-Identity '{relationship}'";
            if (retired)
            {
                findings.Add(FindingSeverity.Blocking, org, CheckIds.EwsBlocked,
                    $"EWS was retired on 2027-04-01: '{relationship}' in {org} serves no free/busy any more, whatever EwsEnabled says, so {other}'s users see none of {org}'s.",
                    char.ToUpperInvariant(granted[0]) + granted.Substring(1) + ".");
                return;
            }
            if (state == EwsState.False)
            {
                findings.Add(FindingSeverity.Blocking, org, CheckIds.EwsBlocked,
                    $"EWS is off in {org} (EwsEnabled False), so '{relationship}' serves no free/busy: {other}'s users see none of {org}'s calendars.",
                    $"Set-OrganizationConfig -EwsEnabled $true in {org} keeps the relationship working until 2027-04-01; then {granted}.");
            }
            else if (state == EwsState.NotSet)
            {
                findings.Add(FindingSeverity.Warning, org, CheckIds.EwsAtRisk,
                    $"EwsEnabled is not set in {org}: since 2026-10-01 Microsoft switches such tenants to False, tenant by tenant, and then '{relationship}' " +
                    $"serves {other} no free/busy. EWS ends for every tenant on 2027-04-01.",
                    $"Set-OrganizationConfig -EwsEnabled $true in {org} keeps the relationship working until 2027-04-01; {granted}.");
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

        private static async Task TrustInPlace(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            foreach (Side side in Checked(context, path).Where(s => s.Policy.HasPartner))
            {
                CollaborationTrust own = side.Policy.State!.Trust;
                string consequence = Consequence(side, path);
                if (own.State == TrustState.Blocked)
                {
                    findings.Add(Severity(side, path), side.Org, CheckIds.CrossTenantTrustBlocked,
                        $"{side.Org}'s partner configuration for {side.Other} blocks the Microsoft 365 collaboration trust for all users, so no Microsoft 365 capability works: {consequence}.",
                        side.Grant(" -Force"));
                }
                else if (own.State == TrustState.Scoped)
                {
                    findings.Add(FindingSeverity.Warning, side.Org, CheckIds.CrossTenantTrustBlocked,
                        $"{side.Org}'s Microsoft 365 collaboration trust for {side.Other} is restricted ({own.Describe()}): {side.Other}'s other users are refused.",
                        $"Check that the users who ask are let in; {side.Grant(" -Force")} replaces it with all users.");
                }
                else if (own.State == TrustState.Inherited)
                {
                    CollaborationTrust? inherited = side.Policy.DefaultTrust;
                    if (inherited == null)
                    {
                        findings.Add(FindingSeverity.Warning, side.Org, CheckIds.CrossTenantTrustMissing,
                            $"{side.Org}'s partner configuration for {side.Other} has no Microsoft 365 collaboration trust of its own; it inherits the default policy's, " +
                            $"which could not be read: {side.Policy.DefaultFailure}",
                            side.Grant(""));
                    }
                    else if (inherited.State == TrustState.AllUsers)
                    {
                        findings.Add(FindingSeverity.Info, side.Org, CheckIds.CrossTenantTrustMissing,
                            $"{side.Org}'s partner configuration for {side.Other} has no Microsoft 365 collaboration trust of its own; it inherits the default policy's (allowed for all users), " +
                            "which works until someone changes the default.",
                            $"Write the trust on the partner configuration: {side.Grant("")}");
                    }
                    else
                    {
                        findings.Add(inherited.State == TrustState.Blocked ? Severity(side, path) : FindingSeverity.Warning, side.Org, CheckIds.CrossTenantTrustMissing,
                            $"{side.Org}'s partner configuration for {side.Other} has no Microsoft 365 collaboration trust of its own, so it inherits the default policy's, which is " +
                            $"{inherited.Describe()}: " + (inherited.State == TrustState.Blocked ? consequence + "." : $"{side.Other}'s users outside it are refused."),
                            side.Grant(""));
                    }
                }
            }
        }

        private static async Task CapabilityInPlace(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            foreach (Side side in Checked(context, path))
            {
                PolicyRead policy = side.Policy;
                string consequence = Consequence(side, path);
                if (!policy.HasPartner)
                {
                    findings.Add(Severity(side, path), side.Org, CheckIds.CrossTenantCapabilityMissing,
                        $"{side.Org}'s cross-tenant access policy has no partner configuration for {side.Other} (tenant {policy.OtherTenantId}): {consequence}. " +
                        "The policy is inbound only: each tenant grants the other in its own policy.",
                        side.Grant());
                    continue;
                }
                IReadOnlyList<M365Capability> allowed = policy.FreeBusy;
                if (allowed.Count == 0)
                {
                    string[] denied = policy.State!.Capabilities.Where(c => c.Family == CapabilityFamily.FreeBusy).Select(c => c.Name).ToArray();
                    findings.Add(Severity(side, path), side.Org, CheckIds.CrossTenantCapabilityMissing,
                        $"{side.Org}'s partner configuration for {side.Other} allows no free/busy capability ({M365CapabilityNames.CalendarAvailabilityBasic} or " +
                        $"{M365CapabilityNames.CalendarAvailabilityLimitedDetails}" + (denied.Length > 0 ? $"; {FindingText.Join(denied)} is there with isAllowed false" : "") +
                        $"): {consequence}.",
                        side.Grant());
                }
                else if (allowed.Count > 1)
                {
                    findings.Add(FindingSeverity.Warning, side.Org, CheckIds.CrossTenantTwoFreeBusyLevels,
                        $"{side.Org}'s partner configuration for {side.Other} allows both free/busy levels ({FindingText.Join(allowed.Select(c => c.Name))}); " +
                        "which one applies is not documented, so what its users see may differ from what was meant.",
                        side.Grant(" -FreeBusyAccessLevel <AvailabilityOnly|LimitedDetails>") + " (it leaves exactly one level)");
                }
            }
        }

        private static async Task ScopeHoldsMailbox(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            if (path.Remote?.IsRead != true || !path.Remote.HasPartner || context.Request.Mailbox == null) return;
            MailboxScopeRead? scope = await context.GetAsync(CrossTenantAccessFacts.MailboxScope, cancellationToken).ConfigureAwait(false);
            if (scope == null) return;
            string p = context.PartnerOrganization, mailbox = context.Request.Mailbox;
            string scopes = scope.Capability.InboundAccess.Scopes.Describe();
            if (scope.Outcome == ScopeOutcome.OutOfScope)
            {
                var side = new Side(path.Remote, true, CrossTenantAccessFacts.LocalDomain(context), $"-Connection <{p}> ");
                findings.Add(path.ServedByPolicy && path.Remote.TrustLetsIn ? FindingSeverity.Blocking : FindingSeverity.Warning, p, CheckIds.CrossTenantScopeExcludesMailbox,
                    $"{mailbox} is outside the resource scopes of {scope.Capability.Name} in {p}'s policy for {context.LocalOrganization} ({scopes}): {scope.Detail}. " +
                    "The service answers 5016 for it.",
                    $"Add {mailbox} to a group in the scope, or share with everyone: {side.Grant($" -FreeBusyAccessLevel {M365CapabilityNames.FreeBusyLevelOf(scope.Capability.Name)}")}");
            }
            else if (scope.Outcome == ScopeOutcome.Unknown)
            {
                findings.Add(FindingSeverity.Info, p, CheckIds.CrossTenantScopeUnchecked,
                    $"Whether {mailbox} is in the resource scopes of {scope.Capability.Name} in {p} ({scopes}) was not checked: {scope.Detail}. The free/busy probe shows the outcome.");
            }
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

    /// <summary>The EWS dates the checks go by (xtap-notes 1.5, JP-EWS).</summary>
    internal static class EwsDates
    {
        /// <summary>EWS off for every tenant; EwsEnabled True no longer helps.</summary>
        public static readonly DateTimeOffset Retired = new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
