using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The federation map (docs/fleet.md §6): the matrix from a plan (<see cref="Build"/>) and the one self-contained HTML
    /// page that shows it (<see cref="ToHtml"/>, src/CalendarFederation.Engine/Fleet/FleetReportHtml.cs). Pure: no I/O.
    /// </summary>
    public static class FleetReport
    {
        public static FleetReportMatrix Build(FleetReportInput input)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            FleetPlan plan = input.Plan;
            List<string> tenants = plan.Definition.Tenants.Select(t => t.Name).ToList();
            var matrix = new FleetReportMatrix(tenants) { ReadAt = plan.ReadAt, SourcePath = input.Source ?? plan.Definition.SourcePath };
            foreach (string from in tenants)
            {
                foreach (string to in tenants)
                {
                    if (string.Equals(from, to, StringComparison.OrdinalIgnoreCase)) continue;
                    FleetReportCell cell = FleetCellHealth.Evaluate(plan, from, to);
                    // Findings explain what is wrong; on a cell that works they would only add noise.
                    if (cell.Health == FleetCellHealthKind.Broken) cell.Findings.AddRange(input.FindingsFor(from, to));
                    matrix.Add(cell);
                }
                IReadOnlyList<FleetReportReadiness> readiness = input.ReadinessFor(from);
                if (readiness.Count > 0) matrix.Readiness[from] = readiness;
            }
            return matrix;
        }

        /// <summary>The page for a plan, in one string: inline style and script only, no reference to anything outside it.</summary>
        public static string ToHtml(FleetReportInput input) => FleetReportHtml.Write(Build(input));
    }
}
