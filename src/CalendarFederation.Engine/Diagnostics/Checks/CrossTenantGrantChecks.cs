using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.CrossTenantAccess;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>What each side's policy gives the other: the Microsoft 365 collaboration trust, the free/busy capability, and the mailbox in its resource scopes.</summary>
    internal static class CrossTenantGrantChecks
    {
        internal static async Task TrustInPlace(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            foreach (PolicySide side in PolicySide.Checked(context, path).Where(s => s.Policy.HasPartner))
            {
                CollaborationTrust own = side.Policy.State!.Trust;
                string consequence = PolicySide.Consequence(side, path);
                if (own.State == TrustState.Blocked)
                {
                    findings.Add(PolicySide.Severity(side, path), side.Org, CheckIds.CrossTenantTrustBlocked,
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
                        findings.Add(inherited.State == TrustState.Blocked ? PolicySide.Severity(side, path) : FindingSeverity.Warning, side.Org, CheckIds.CrossTenantTrustMissing,
                            $"{side.Org}'s partner configuration for {side.Other} has no Microsoft 365 collaboration trust of its own, so it inherits the default policy's, which is " +
                            $"{inherited.Describe()}: " + (inherited.State == TrustState.Blocked ? consequence + "." : $"{side.Other}'s users outside it are refused."),
                            side.Grant(""));
                    }
                }
            }
        }

        internal static async Task CapabilityInPlace(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            foreach (PolicySide side in PolicySide.Checked(context, path))
            {
                PolicyRead policy = side.Policy;
                string consequence = PolicySide.Consequence(side, path);
                if (!policy.HasPartner)
                {
                    findings.Add(PolicySide.Severity(side, path), side.Org, CheckIds.CrossTenantCapabilityMissing,
                        $"{side.Org}'s cross-tenant access policy has no partner configuration for {side.Other} (tenant {policy.OtherTenantId}): {consequence}. " +
                        "The policy is inbound only: each tenant grants the other in its own policy.",
                        side.Grant());
                    continue;
                }
                IReadOnlyList<M365Capability> allowed = policy.FreeBusy;
                if (allowed.Count == 0)
                {
                    string[] denied = policy.State!.Capabilities.Where(c => c.Family == CapabilityFamily.FreeBusy).Select(c => c.Name).ToArray();
                    findings.Add(PolicySide.Severity(side, path), side.Org, CheckIds.CrossTenantCapabilityMissing,
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

        internal static async Task ScopeHoldsMailbox(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            if (path.Remote?.IsRead != true || !path.Remote.HasPartner || context.Request.Mailbox == null) return;
            MailboxScopeRead? scope = await context.GetAsync(CrossTenantAccessFacts.MailboxScope, cancellationToken).ConfigureAwait(false);
            if (scope == null) return;
            string p = context.PartnerOrganization, mailbox = context.Request.Mailbox;
            string scopes = scope.Capability.InboundAccess.Scopes.Describe();
            if (scope.Outcome == ScopeOutcome.OutOfScope)
            {
                var side = new PolicySide(path.Remote, true, CrossTenantAccessFacts.LocalDomain(context), $"-Connection <{p}> ");
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
    }
}
