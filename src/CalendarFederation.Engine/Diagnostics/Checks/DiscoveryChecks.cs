using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Discovery;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>Our relationship's stored targets against a fresh discovery of the partner (<see cref="Rediscovery"/>).</summary>
    internal static class DiscoveryChecks
    {
        public static IReadOnlyList<DiagnosticCheck> All { get; } = new[]
        {
            DiagnosticCheck.OfAsync(nameof(PartnerDiscoverable), PartnerDiscoverable, CheckIds.PartnerDiscoveryFailed),
            DiagnosticCheck.OfAsync(nameof(TargetApplicationUriCurrent), TargetApplicationUriCurrent, CheckIds.TargetApplicationUriStale),
            DiagnosticCheck.OfAsync(nameof(TargetAutodiscoverEprCurrent), TargetAutodiscoverEprCurrent, CheckIds.TargetAutodiscoverEprStale),
        };

        private static async Task PartnerDiscoverable(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            RediscoveryResult? fresh = await context.GetAsync(Rediscovery.Fact, cancellationToken).ConfigureAwait(false);
            if (fresh == null || fresh.Info != null) return;
            findings.Add(FindingSeverity.Warning, context.PartnerOrganization, CheckIds.PartnerDiscoveryFailed,
                $"Fresh discovery of {fresh.Plan.Domain} failed: {FindingText.FirstLines(fresh.Failure)}",
                "Check the partner's Autodiscover; Get-FederationInformation -Verbose shows each candidate.");
        }

        private static async Task TargetApplicationUriCurrent(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            RediscoveryResult? fresh = await context.GetAsync(Rediscovery.Fact, cancellationToken).ConfigureAwait(false);
            FederationInfo? info = fresh?.Info;
            string? stored = context.LocalRelationship?.GetString("TargetApplicationUri");
            if (info == null || string.IsNullOrEmpty(stored) || string.Equals(stored, info.ApplicationUri, StringComparison.OrdinalIgnoreCase)) return;
            string name = context.LocalRelationshipName;
            findings.Add(FindingSeverity.Blocking, context.LocalOrganization, CheckIds.TargetApplicationUriStale,
                $"'{name}' has TargetApplicationUri {stored}, but {fresh!.Plan.Domain} now answers {info.ApplicationUri} (the partner may have moved, e.g. gone hybrid).",
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
