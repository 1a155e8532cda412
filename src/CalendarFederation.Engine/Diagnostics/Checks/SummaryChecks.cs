using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.CrossTenantAccess;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>Checks that read what the others found; they always run last (<see cref="DiagnosticChecks.Compose"/>).</summary>
    internal static class SummaryChecks
    {
        public static IReadOnlyList<DiagnosticCheck> All { get; } = new[]
        {
            DiagnosticCheck.OfAsync(nameof(EffectiveLevelExplained), EffectiveLevelExplained, CheckIds.EffectiveLevel),
            DiagnosticCheck.Of(nameof(NothingWrong), NothingWrong, CheckIds.NoProblemsFound),
        };

        // Explained only when nothing blocks: otherwise it would describe a level that does not apply.
        // On the cross-tenant access policy, the partner's capability takes the relationship's place.
        private static async Task EffectiveLevelExplained(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            if (findings.HasBlocking) return;
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            string? granted;
            if (path.ServedByPolicy)
            {
                if (path.Remote?.Grants != true) return;
                granted = $"{context.PartnerOrganization}'s cross-tenant access policy's " +
                    string.Join(" or ", path.Remote.FreeBusy.Select(c => $"{M365CapabilityNames.FreeBusyLevelOf(c.Name)} ({c.Name})"));
            }
            else
            {
                if (context.PartnerRelationship == null || path.ViaCrossTenantAccess) return;
                granted = $"the relationship's {context.PartnerRelationship.GetString("FreeBusyAccessLevel")}";
            }
            string? permission = await context.GetAsync(ProbeChecks.CalendarPermission, cancellationToken).ConfigureAwait(false);
            if (permission == null || string.Equals(permission, "None", StringComparison.OrdinalIgnoreCase)) return;
            findings.Add(FindingSeverity.Info, context.PartnerOrganization, CheckIds.EffectiveLevel,
                $"Effective level for {context.Request.Mailbox}: the lower of {granted} and the calendar's Default {permission}.");
        }

        private static void NothingWrong(DiagnosticsContext context, FindingSink findings)
        {
            if (findings.HasProblems) return;
            findings.Add(FindingSeverity.Pass, context.LocalOrganization, CheckIds.NoProblemsFound,
                $"No problem found between {context.LocalOrganization} and {context.PartnerOrganization}.");
        }
    }
}
