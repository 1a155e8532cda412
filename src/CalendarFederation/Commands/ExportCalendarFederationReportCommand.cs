using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Writes the federation map of a fleet plan (docs/fleet.md §6) as one self-contained HTML file: the matrix and page come
    /// from src/CalendarFederation.Engine/Fleet/FleetReport.cs, this cmdlet only collects the rows and writes the file. It
    /// reads no tenant itself (the rows carry their plan, states included), so it derives from PSCmdlet, as the environment
    /// cmdlets do. With -FleetPath it maps live state: the file is planned first by Get-CalendarFederationPlan, called by
    /// name as Invoke-CalendarFederationPlan -Path does, and the sessions that plan opened are closed afterwards.
    /// Broken cells get Test-OrganizationRelationship's findings, on the plan's open sessions
    /// (src/CalendarFederation.Engine/Fleet/FleetCellDiagnosis.cs), unless -SkipFindings.
    /// </summary>
    [Cmdlet(VerbsData.Export, "CalendarFederationReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PlanSet)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportCalendarFederationReportCommand : PSCmdlet, IDisposable
    {
        private const int ProgressActivityId = 0x4346_0F00;
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private const string PlanSet = "Plan";
        private const string FleetPathSet = "FleetPath";
        private const string ConnectionSet = "Connection";

        private readonly List<CalendarFederationPlanChange> _rows = new List<CalendarFederationPlanChange>();

        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The HTML file to write (an existing file is replaced).")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PlanSet, HelpMessage = "Rows of a plan, as Get-CalendarFederationPlan writes them. Each row carries its whole plan, so any one row is enough.")]
        [ValidateNotNull]
        public CalendarFederationPlanChange[] Plan { get; set; } = Array.Empty<CalendarFederationPlanChange>();

        [Parameter(Mandatory = true, ParameterSetName = FleetPathSet, HelpMessage = "A fleet file: every tenant is read now (Get-CalendarFederationPlan -Path) and the map shows what they hold.")]
        [ValidateNotNullOrEmpty]
        public string? FleetPath { get; set; }

        [Parameter(ParameterSetName = FleetPathSet, HelpMessage = "Connections to use for their tenants of the fleet file; they win over the file's connect settings.")]
        [Parameter(Mandatory = true, ParameterSetName = ConnectionSet, HelpMessage = "Without -FleetPath: two or more connections, mapped as they are now (what Export-CalendarFederationPlan would write for them).")]
        [ArgumentCompleter(typeof(Completion.ConnectionCompleter))]
        [ValidateNotNull]
        public CalendarFederationConnection[]? Connection { get; set; }

        [Parameter(HelpMessage = "Readiness rows (Get-CalendarFederationReadiness) of the plan's tenants: the map lists each tenant's verdicts and deadlines.")]
        [ValidateNotNull]
        public CalendarFederationReadiness[]? Readiness { get; set; }

        [Parameter(HelpMessage = "Draw the map from the plan alone: broken cells are not tested (Test-OrganizationRelationship), so the map reads nothing more.")]
        public SwitchParameter SkipFindings { get; set; }

        protected override void ProcessRecord()
        {
            foreach (CalendarFederationPlanChange row in Plan)
            {
                if (row != null) _rows.Add(row);
            }
        }

        protected override void EndProcessing()
        {
            bool live = FleetPath != null || ParameterSetName == ConnectionSet;
            // A tenant the planner cannot read is its error, and Unknown on the map.
            if (FleetPath != null) _rows.AddRange(FleetPlanByName.Plan(this, FleetPath, Connection));
            else if (ParameterSetName == ConnectionSet) _rows.AddRange(PlanConnections(Connection!));
            if (_rows.Count == 0) return;
            try
            {
                new Run(this).Write(_rows);
            }
            finally
            {
                if (live) Run.Release(_rows);
            }
        }

        // The connections' own fleet file, planned: what they share now, each pair as it is set up. The file is a
        // temporary one, removed once planned; the connections stay open.
        private CalendarFederationPlanChange[] PlanConnections(CalendarFederationConnection[] connections)
        {
            string file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cf-map-" + Guid.NewGuid().ToString("N") + ".json");
            try
            {
                FleetPlanByName.Export(this, file, connections);
                return FleetPlanByName.Plan(this, file, connections);
            }
            finally
            {
                try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        protected override void StopProcessing() => _cancellation.Cancel();

        public void Dispose() => _cancellation.Dispose();

        // The engine-typed work, in a class of its own so that reflecting over the cmdlet never loads the engine.
        private sealed class Run
        {
            private readonly ExportCalendarFederationReportCommand _cmd;

            public Run(ExportCalendarFederationReportCommand cmd) { _cmd = cmd; }

            /// <summary>Closes the sessions a plan made for this map signed in (never the caller's connections).</summary>
            public static void Release(IEnumerable<CalendarFederationPlanChange> rows)
            {
                foreach (FleetPlan plan in rows.Select(r => r.Plan).Distinct()) FleetPlanCommandBase.ReleaseSessions(plan);
            }

            public void Write(IReadOnlyList<CalendarFederationPlanChange> rows)
            {
                FleetPlan[] plans = rows.Select(r => r.Plan).Distinct().ToArray();
                if (plans.Length > 1) _cmd.WriteWarning(Text.Format(FleetReportMessages.WarnMorePlans, plans.Length));
                FleetPlan plan = plans[0];

                string path = _cmd.GetUnresolvedProviderPathFromPSPath(_cmd.Path);
                if (!_cmd.ShouldProcess(path, Text.Format(FleetReportMessages.ConfirmWriteAction, plan.Definition.Tenants.Count))) return;

                FleetReportInput input = Input(plan);
                if (!_cmd.SkipFindings) Diagnose(input);
                string html = FleetReport.ToHtml(input);
                try
                {
                    File.WriteAllText(path, html, new UTF8Encoding(false));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is System.Security.SecurityException)
                {
                    var failure = new IOException(Text.Format(FleetReportMessages.ErrorWriteFailed, path, ex.Message), ex);
                    _cmd.WriteError(ErrorRecords.Create(failure, ErrorIds.FleetReportWriteFailed, ErrorCategory.WriteError, path, FleetReportMessages.ActionWriteFailed));
                    return;
                }
                _cmd.WriteVerbose(Text.Format(FleetReportMessages.VerboseWritten, plan.Definition.Tenants.Count, html.Length, path));
                _cmd.WriteObject(new FileInfo(path));
            }

            // Broken cells' findings, on the plan's own sessions; a stop ends the command like any other.
            private void Diagnose(FleetReportInput input)
            {
                var queue = new EngineEventQueue(_cmd, ProgressActivityId);
                try
                {
                    int tested = queue.Run((events, token) => FleetCellDiagnosis.AddFindingsAsync(input, events, token), _cmd._cancellation.Token);
                    _cmd.WriteVerbose(Text.Format(FleetReportMessages.VerboseCellsTested, tested));
                }
                catch (OperationCanceledException) when (_cmd._cancellation.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }
            }

            // Readiness rows go to the tenant whose organization, accepted domain or tenant id they name.
            private FleetReportInput Input(FleetPlan plan)
            {
                var input = new FleetReportInput(plan);
                if (_cmd.ParameterSetName == ConnectionSet) input.Source = Text.Format(FleetReportMessages.LabelLiveConnections, plan.Definition.Tenants.Count);
                var unmatched = new List<string>();
                foreach (CalendarFederationReadiness row in _cmd.Readiness ?? Array.Empty<CalendarFederationReadiness>())
                {
                    if (row == null) continue;
                    FleetTenant? tenant = plan.Definition.Tenants.FirstOrDefault(t => Names(plan, t).Contains(row.Organization, StringComparer.OrdinalIgnoreCase));
                    if (tenant == null) { unmatched.Add(row.Organization); continue; }
                    input.AddReadiness(tenant.Name, new[]
                    {
                        new FleetReportReadiness { Identity = row.Identity, Partner = row.Partner, Verdict = row.Verdict.ToString(), Deadline = row.Deadline, NextStep = row.NextStep },
                    });
                }
                if (unmatched.Count > 0)
                    _cmd.WriteWarning(Text.Format(FleetReportMessages.WarnReadinessUnmatched, unmatched.Count, string.Join(", ", unmatched.Distinct(StringComparer.OrdinalIgnoreCase))));
                return input;
            }

            private static IEnumerable<string?> Names(FleetPlan plan, FleetTenant t)
            {
                yield return t.Organization;
                yield return t.TenantId;
                if (!plan.States.TryGetValue(t.Name, out FleetTenantState? s)) yield break;
                yield return s.Organization;
                yield return s.TenantId;
                foreach (string d in s.AcceptedDomains) yield return d;
            }
        }
    }
}
