using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Diagnostics;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The map's findings for its broken cells (docs/fleet.md §6): for each broken direction From -> To, the diagnosis
    /// Test-OrganizationRelationship runs (src/CalendarFederation.Engine/Diagnostics/RelationshipDiagnostics.cs), with From
    /// as the local side and To as the partner, on the sessions the plan opened. Only blocking and warning findings are
    /// kept: an informational line on a broken cell does not say what is wrong. A direction whose test cannot run says
    /// so in its findings instead; it never makes the cell look healthier. At most <paramref name="concurrency"/> at once.
    /// </summary>
    public static class FleetCellDiagnosis
    {
        public const int DefaultConcurrency = 4;
        private const string Activity = "Testing the map's broken cells";

        /// <summary>Adds each broken cell's findings to <paramref name="input"/>; returns how many cells were tested.</summary>
        public static async Task<int> AddFindingsAsync(FleetReportInput input, IEngineEvents events, CancellationToken ct, int concurrency = DefaultConcurrency)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency));
            List<FleetReportCell> broken = FleetReport.Build(input).Cells.Where(c => c.Health == FleetCellHealthKind.Broken).ToList();
            if (broken.Count == 0) return 0;
            using var slots = new SemaphoreSlim(concurrency);
            int done = 0;
            events.Progress(new ProgressUpdate(Activity, $"0 of {broken.Count} broken cells tested", 0, ProgressLanes.Main));
            IReadOnlyList<string>[] lines = await Task.WhenAll(broken.Select(async cell =>
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    IReadOnlyList<string> found = await DiagnoseAsync(input.Plan, cell, events, ct).ConfigureAwait(false);
                    int n = Interlocked.Increment(ref done);
                    events.Progress(new ProgressUpdate(Activity, $"{n} of {broken.Count} broken cells tested ({cell.From} -> {cell.To})", n * 100 / broken.Count, ProgressLanes.Main));
                    return found;
                }
                finally
                {
                    slots.Release();
                }
            })).ConfigureAwait(false);
            events.Progress(new ProgressUpdate(Activity, $"{broken.Count} of {broken.Count} broken cells tested", 100, ProgressLanes.Main, completed: true));
            for (int i = 0; i < broken.Count; i++) input.AddFindings(broken[i].From, broken[i].To, lines[i]);
            return broken.Count;
        }

        private static async Task<IReadOnlyList<string>> DiagnoseAsync(FleetPlan plan, FleetReportCell cell, IEngineEvents events, CancellationToken ct)
        {
            FleetTenantState? from = plan.States.TryGetValue(cell.From, out FleetTenantState? f) ? f : null;
            FleetTenantState? to = plan.States.TryGetValue(cell.To, out FleetTenantState? t) ? t : null;
            if (from?.Session == null || to?.Session == null || from.Session.IsClosed || to.Session.IsClosed)
            {
                return new[] { $"Not tested: the plan holds no open connection to {(from?.Session == null || from.Session.IsClosed ? cell.From : cell.To)}." };
            }
            var request = new DiagnosticsRequest
            {
                Local = from.Session,
                Partner = to.Session,
                PartnerDomain = to.Organization ?? to.AcceptedDomains.FirstOrDefault(),
            };
            try
            {
                List<Finding> findings = await RelationshipDiagnostics.RunAsync(request, events, ct).ConfigureAwait(false);
                List<string> lines = findings.Where(x => x.Severity == FindingSeverity.Blocking || x.Severity == FindingSeverity.Warning).Select(Line).ToList();
                return lines.Count > 0 ? lines : new[] { "Test-OrganizationRelationship found nothing blocking; the plan's reasons above say what is not in place." };
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (EngineException ex)
            {
                events.Verbose($"{cell.From} -> {cell.To}: the test could not run ({ex.ErrorId}): {ex.Message}");
                return new[] { $"Not tested ({ex.ErrorId}): {ex.Message}" };
            }
        }

        private static string Line(Finding f) =>
            $"{f.Severity} ({f.Side}) {f.Check}: {f.Message}" + (string.IsNullOrWhiteSpace(f.Recommendation) ? "" : " " + f.Recommendation);
    }
}
