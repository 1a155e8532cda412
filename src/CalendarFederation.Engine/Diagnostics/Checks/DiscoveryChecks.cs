using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>
    /// Our relationship's stored targets against a fresh discovery of the partner, asked the way the relationship was
    /// built (<see cref="Rediscovery"/>), and what kind of partner that discovery shows.
    /// </summary>
    internal static class DiscoveryChecks
    {
        public static IReadOnlyList<DiagnosticCheck> All { get; } = new[]
        {
            DiagnosticCheck.OfAsync(nameof(PartnerKindNamed), PartnerKindNamed, CheckIds.PartnerIsHybrid, CheckIds.PartnerIsOnPremises),
            DiagnosticCheck.OfAsync(nameof(PartnerDiscoverable), PartnerDiscoverable, CheckIds.PartnerDiscoveryFailed),
            DiagnosticCheck.OfAsync(nameof(TargetApplicationUriCurrent), TargetApplicationUriCurrent, CheckIds.TargetApplicationUriStale),
            DiagnosticCheck.OfAsync(nameof(TargetAutodiscoverEprCurrent), TargetAutodiscoverEprCurrent, CheckIds.TargetAutodiscoverEprStale),
        };

        // A hybrid or on-premises partner is said as such: its targets were compared with its own endpoint's answer.
        private static async Task PartnerKindNamed(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            if (context.PartnerKind != PartnerKind.Hybrid && context.PartnerKind != PartnerKind.OnPremises) return;
            RediscoveryResult? fresh = await context.GetAsync(Rediscovery.Fact, cancellationToken).ConfigureAwait(false);
            if (fresh == null) return;
            string name = context.LocalRelationshipName, l = context.LocalOrganization, p = context.PartnerOrganization;
            string app = context.LocalRelationship!.GetString("TargetApplicationUri") ?? "";
            string where = fresh.Plan.Endpoint != null ? $"what {fresh.Plan.Endpoint.AbsoluteUri}, its TargetAutodiscoverEpr, answers"
                : $"what {p}'s own Autodiscover answers";
            if (context.PartnerKind == PartnerKind.Hybrid)
            {
                findings.Add(FindingSeverity.Info, l, CheckIds.PartnerIsHybrid,
                    $"'{name}' in {l} is for {l}'s own on-premises Exchange organization (hybrid), so its targets were compared with {where}, not with Microsoft 365's answer.");
            }
            else if (fresh.CloudAlsoServes)
            {
                findings.Add(FindingSeverity.Info, p, CheckIds.PartnerIsHybrid,
                    $"{p} is hybrid: '{name}' reaches its on-premises Exchange ({app}), while Microsoft 365 also answers for {fresh.Plan.Domain}. " +
                    $"The targets were compared with {where}, the way the relationship was built.");
            }
            else
            {
                findings.Add(FindingSeverity.Info, p, CheckIds.PartnerIsOnPremises,
                    $"{p} runs Exchange on-premises ({app}), so the targets of '{name}' were compared with {where}.");
            }
        }

        private static async Task PartnerDiscoverable(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            RediscoveryResult? fresh = await context.GetAsync(Rediscovery.Fact, cancellationToken).ConfigureAwait(false);
            if (fresh == null || fresh.Info != null) return;
            string domain = fresh.Plan.Domain;
            if (fresh.Plan.Endpoint != null)
            {
                string endpoint = fresh.Plan.Endpoint.AbsoluteUri;
                findings.Add(FindingSeverity.Warning, context.PartnerOrganization, CheckIds.PartnerDiscoveryFailed,
                    $"Fresh discovery of {domain} at {endpoint}, the relationship's TargetAutodiscoverEpr, failed: {FindingText.FirstLines(fresh.Failure)}",
                    $"Check that endpoint; Get-FederationInformation -DomainName {domain} -AutodiscoverUri {endpoint} -Verbose shows its answer.");
                return;
            }
            findings.Add(FindingSeverity.Warning, context.PartnerOrganization, CheckIds.PartnerDiscoveryFailed,
                $"Fresh discovery of {domain} failed: {FindingText.FirstLines(fresh.Failure)}",
                "Check the partner's Autodiscover; Get-FederationInformation -Verbose shows each candidate.");
        }

        private static async Task TargetApplicationUriCurrent(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            RediscoveryResult? fresh = await context.GetAsync(Rediscovery.Fact, cancellationToken).ConfigureAwait(false);
            FederationInfo? info = fresh?.Info;
            string? stored = context.LocalRelationship?.GetString("TargetApplicationUri");
            if (info == null || string.IsNullOrEmpty(stored) || string.Equals(stored, info.ApplicationUri, StringComparison.OrdinalIgnoreCase)) return;
            string name = context.LocalRelationshipName;
            string answered = fresh!.Plan.Endpoint != null
                ? $"{fresh.Plan.Endpoint.AbsoluteUri}, its TargetAutodiscoverEpr, now answers {info.ApplicationUri} for {fresh.Plan.Domain}"
                : $"{fresh.Plan.Domain} now answers {info.ApplicationUri} (the partner may have moved, e.g. gone hybrid)";
            findings.Add(FindingSeverity.Blocking, context.LocalOrganization, CheckIds.TargetApplicationUriStale,
                $"'{name}' has TargetApplicationUri {stored}, but {answered}.",
                $"Set-OrganizationRelationship -Identity '{name}' -TargetApplicationUri {info.ApplicationUri}");
        }

        private static async Task TargetAutodiscoverEprCurrent(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            RediscoveryResult? fresh = await context.GetAsync(Rediscovery.Fact, cancellationToken).ConfigureAwait(false);
            FederationInfo? info = fresh?.Info;
            string? stored = context.LocalRelationship?.GetString("TargetAutodiscoverEpr");
            if (info == null || string.IsNullOrEmpty(stored)
                || string.Equals(stored!.TrimEnd('/'), info.TargetAutodiscoverEpr.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
            string name = context.LocalRelationshipName;
            findings.Add(FindingSeverity.Warning, context.LocalOrganization, CheckIds.TargetAutodiscoverEprStale,
                $"'{name}' has TargetAutodiscoverEpr {stored}, but discovery now gives {info.TargetAutodiscoverEpr}.",
                $"Set-OrganizationRelationship -Identity '{name}' -TargetAutodiscoverEpr {info.TargetAutodiscoverEpr}");
        }
    }
}
