using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>
    /// Why free/busy between two tenants does or does not work, ranked by how likely each finding breaks it. Goes beyond
    /// Exchange's Test-OrganizationRelationship, which checks configuration only: both sides, domain coverage, fresh
    /// discovery (asked the way the relationship was built), scope groups, hydration, the calendar's Default permission,
    /// and a real free/busy question. Reads only; never writes.
    /// </summary>
    public static class RelationshipDiagnostics
    {
        public static Task<List<Finding>> RunAsync(DiagnosticsRequest request, IEngineEvents events, CancellationToken cancellationToken) =>
            RunAsync(request, DiagnosticChecks.Default, events, cancellationToken);

        public static async Task<List<Finding>> RunAsync(DiagnosticsRequest request, IReadOnlyList<DiagnosticCheck> checks, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            Task<TenantSnapshot> readLocal = TenantSnapshot.ReadAsync(request.Local, events, cancellationToken);
            Task<TenantSnapshot>? readPartner = request.Partner == null ? null : TenantSnapshot.ReadAsync(request.Partner, events, cancellationToken);
            TenantSnapshot local = await readLocal.ConfigureAwait(false);
            TenantSnapshot? partner = readPartner == null ? null : await readPartner.ConfigureAwait(false);
            DiagnosticsContext context = DiagnosticsContext.Create(request, local, partner, events);
            return await RunAsync(context, checks, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Runs the checks, one after another, over a context already made; the findings come ranked.</summary>
        public static async Task<List<Finding>> RunAsync(DiagnosticsContext context, IReadOnlyList<DiagnosticCheck> checks, CancellationToken cancellationToken)
        {
            var findings = new FindingSink();
            foreach (DiagnosticCheck check in checks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                findings.Begin(check);
                try
                {
                    await check.RunAsync(context, findings, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    findings.End();
                }
            }
            return Rank(findings.All);
        }

        /// <summary>Severity first, then the place of the id in <see cref="CheckIds.Ranking"/>; ranks 1..n in that order.</summary>
        public static List<Finding> Rank(IEnumerable<Finding> findings)
        {
            // Positions are looked up for every finding first: an unranked id fails even where sorting would not need it.
            List<Finding> ranked = findings
                .Select(f => new { Finding = f, Position = CheckIds.PositionOf(f.Check) })
                .ToList()
                .OrderBy(f => f.Finding.Severity)
                .ThenBy(f => f.Position)
                .Select(f => f.Finding)
                .ToList();
            for (int i = 0; i < ranked.Count; i++) ranked[i].Rank = i + 1;
            return ranked;
        }
    }
}
