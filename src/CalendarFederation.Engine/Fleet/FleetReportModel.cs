using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>How one cell of the federation map (what its row's tenant shares with its column's) stands (docs/fleet.md §6).</summary>
    public enum FleetCellHealthKind
    {
        /// <summary>The file's sharing is in place on the cross-tenant access policy.</summary>
        Works,
        /// <summary>In place on the legacy path (an organization relationship, carried by EWS): works until 2027-04-01 at the latest.</summary>
        WorksUntil2027,
        /// <summary>Not shared this way, by the file's design (the reverse of a one-way pair).</summary>
        OneWay,
        /// <summary>The file asks for sharing that is not in place (or cannot work).</summary>
        Broken,
        /// <summary>A tenant of the pair could not be read: never reported as absent.</summary>
        Unknown,
        /// <summary>Not shared and not asked for: the file does not list the pair, or excludes it.</summary>
        Empty,
    }

    /// <summary>One readiness line of a tenant (Get-CalendarFederationReadiness's verdict and deadline), as the map shows it.</summary>
    public sealed class FleetReportReadiness
    {
        public string Identity { get; set; } = "";
        public string Partner { get; set; } = "";
        /// <summary>BrokenNow, NeedsCrossTenantAccess, ReadyToCutOver, KeepLegacy or Migrated.</summary>
        public string Verdict { get; set; } = "";
        public DateTime? Deadline { get; set; }
        public string NextStep { get; set; } = "";

        public static FleetReportReadiness From(Readiness.ReadinessRow row)
        {
            if (row == null) throw new ArgumentNullException(nameof(row));
            return new FleetReportReadiness
            {
                Identity = row.Identity,
                Partner = row.Partner,
                Verdict = row.Verdict.ToString(),
                Deadline = row.Deadline,
                NextStep = row.NextStep,
            };
        }
    }

    /// <summary>
    /// What the map is drawn from: the plan (its file, every tenant's state and the rows) plus what the plan does not carry:
    /// configuration findings per direction (Test-OrganizationRelationship's) and readiness lines per tenant. Both optional.
    /// </summary>
    public sealed class FleetReportInput
    {
        private readonly Dictionary<string, List<string>> _findings = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, List<FleetReportReadiness>> _readiness = new Dictionary<string, List<FleetReportReadiness>>(StringComparer.OrdinalIgnoreCase);

        public FleetReportInput(FleetPlan plan) { Plan = plan ?? throw new ArgumentNullException(nameof(plan)); }

        public FleetPlan Plan { get; }

        /// <summary>What the map says it was drawn from; by default the plan's fleet file.</summary>
        public string? Source { get; set; }

        /// <summary>Findings for the direction <paramref name="from"/> shares with <paramref name="to"/>; shown for broken cells.</summary>
        public void AddFindings(string from, string to, IEnumerable<string> findings)
        {
            string key = Key(from, to);
            if (!_findings.TryGetValue(key, out List<string>? list)) _findings[key] = list = new List<string>();
            list.AddRange(findings.Where(f => !string.IsNullOrWhiteSpace(f)));
        }

        public void AddReadiness(string tenant, IEnumerable<FleetReportReadiness> lines)
        {
            if (!_readiness.TryGetValue(tenant, out List<FleetReportReadiness>? list)) _readiness[tenant] = list = new List<FleetReportReadiness>();
            list.AddRange(lines);
        }

        public IReadOnlyList<string> FindingsFor(string from, string to) =>
            _findings.TryGetValue(Key(from, to), out List<string>? list) ? list : (IReadOnlyList<string>)Array.Empty<string>();

        public IReadOnlyList<FleetReportReadiness> ReadinessFor(string tenant) =>
            _readiness.TryGetValue(tenant, out List<FleetReportReadiness>? list) ? list : (IReadOnlyList<FleetReportReadiness>)Array.Empty<FleetReportReadiness>();

        private static string Key(string from, string to) => from + "\u0000" + to;
    }

    /// <summary>One cell: what <see cref="From"/> shares with <see cref="To"/>.</summary>
    public sealed class FleetReportCell
    {
        public FleetReportCell(string from, string to, FleetCellHealthKind health)
        {
            From = from;
            To = to;
            Health = health;
        }

        public string From { get; }
        public string To { get; }
        public FleetCellHealthKind Health { get; }
        /// <summary>The level the file asks for (AvailabilityOnly, LimitedDetails); null when nothing is shared this way.</summary>
        public string? Level { get; set; }
        /// <summary>CrossTenantAccess or OrganizationRelationship: the path that carries (or would carry) it; null for an empty cell.</summary>
        public string? Method { get; set; }
        /// <summary>Why the cell has its health: the rule's own words, then the plan rows' reasons.</summary>
        public List<string> Reasons { get; } = new List<string>();
        /// <summary>Configuration findings given for the direction (shown for broken cells).</summary>
        public List<string> Findings { get; } = new List<string>();
    }

    /// <summary>The tenant × tenant matrix: rows share with columns, in the file's tenant order.</summary>
    public sealed class FleetReportMatrix
    {
        private readonly Dictionary<string, FleetReportCell> _cells = new Dictionary<string, FleetReportCell>(StringComparer.OrdinalIgnoreCase);

        public FleetReportMatrix(IReadOnlyList<string> tenants) { Tenants = tenants; }

        public IReadOnlyList<string> Tenants { get; }
        public DateTimeOffset ReadAt { get; set; }
        public string? SourcePath { get; set; }
        public Dictionary<string, IReadOnlyList<FleetReportReadiness>> Readiness { get; } =
            new Dictionary<string, IReadOnlyList<FleetReportReadiness>>(StringComparer.OrdinalIgnoreCase);

        public IEnumerable<FleetReportCell> Cells => _cells.Values;

        internal void Add(FleetReportCell cell) => _cells[cell.From + "\u0000" + cell.To] = cell;

        /// <summary>The cell for a pair of different tenants; null on the diagonal or for a name not in the file.</summary>
        public FleetReportCell? Cell(string from, string to) => _cells.TryGetValue(from + "\u0000" + to, out FleetReportCell? c) ? c : null;

        /// <summary>Off-diagonal cells per health, every health present (zero when none).</summary>
        public IReadOnlyDictionary<FleetCellHealthKind, int> Counts()
        {
            var counts = ((FleetCellHealthKind[])Enum.GetValues(typeof(FleetCellHealthKind))).ToDictionary(h => h, _ => 0);
            foreach (FleetReportCell c in _cells.Values) counts[c.Health]++;
            return counts;
        }
    }
}
