using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Applies a fleet plan's rows (Get-CalendarFederationPlan; docs/fleet.md §3): each change is confirmed on its own, then
    /// every pair runs in the migration's safe order (grants, read-back, legacy cut-over, removals) through
    /// src/CalendarFederation.Engine/Fleet/FleetExecutor.cs, with a checkpoint so a re-run after a stop writes nothing twice.
    /// Rows are collected from the pipeline and applied at the end: a pair's order needs all of its rows.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "CalendarFederationPlan", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PlanSet)]
    [OutputType(typeof(CalendarFederationPlanResult))]
    public sealed class InvokeCalendarFederationPlanCommand : TenantCommandBase
    {
        private const string PlanSet = "Plan";
        private const string PathSet = "Path";
        private readonly List<CalendarFederationPlanChange> _rows = new List<CalendarFederationPlanChange>();
        private readonly HashSet<CalendarFederationPlanChange> _seen = new HashSet<CalendarFederationPlanChange>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PlanSet,
            HelpMessage = "The plan's rows, as Get-CalendarFederationPlan writes them (pipe them, or filter them first). Each row carries its plan.")]
        [ValidateNotNull]
        public CalendarFederationPlanChange[] Plan { get; set; } = Array.Empty<CalendarFederationPlanChange>();

        [Parameter(Mandatory = true, ParameterSetName = PathSet, HelpMessage = "A fleet file: it is planned first, as Get-CalendarFederationPlan -Path does, and every row is applied.")]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        [Parameter(HelpMessage = "The checkpoint file (JSON lines). By default <plan file name>.checkpoint.jsonl next to the plan file. A re-run with the same file skips what it holds.")]
        [ValidateNotNullOrEmpty]
        public string? CheckpointPath { get; set; }

        protected override int ProgressActivityId => 0x4346_0C00;

        private string? PlanFilePath() => Path == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);

        protected override void ProcessRecord()
        {
            foreach (CalendarFederationPlanChange row in Plan)
            {
                if (row != null && _seen.Add(row)) _rows.Add(row);
            }
        }

        protected override void EndProcessing()
        {
            if (Path != null) _rows.AddRange(FleetPlanByName.Plan(this, Path));
            if (_rows.Count == 0) return;
            new Run(this).ApplyAll(_rows);
        }

        // The engine-typed work of one call, in a class of its own so that reflecting over the cmdlet never loads the engine.
        private sealed class Run
        {
            private readonly InvokeCalendarFederationPlanCommand _cmd;

            public Run(InvokeCalendarFederationPlanCommand cmd) { _cmd = cmd; }

            public void ApplyAll(IReadOnlyList<CalendarFederationPlanChange> rows)
            {
                // Rows of more than one plan (two Get-CalendarFederationPlan calls) are applied one plan after the other.
                foreach (IGrouping<FleetPlan, CalendarFederationPlanChange> plan in rows.GroupBy(r => r.Plan))
                {
                    Apply(plan.Key, plan.ToList());
                }
            }

            private void Apply(FleetPlan plan, IReadOnlyList<CalendarFederationPlanChange> rows)
            {
                var approved = new List<FleetPlanChange>();
                foreach (CalendarFederationPlanChange row in rows.OrderBy(r => r.Change.Order))
                {
                    FleetPlanChange change = row.Change;
                    bool actionable = change.Action != FleetAction.Nothing && change.Action != FleetAction.Unknown;
                    if (!actionable || _cmd.ShouldProcess(Text.Format(FleetApplyMessages.ConfirmTarget, change.Tenant, change.ObjectType, change.Identity),
                        Text.Format(FleetApplyMessages.ConfirmAction, change.Action, change.Before, change.After, change.Reason)))
                    {
                        approved.Add(change);
                    }
                }
                if (IsWhatIf()) return;

                IReadOnlyList<FleetChangeResult> results;
                if (approved.Any(c => c.Action != FleetAction.Nothing && c.Action != FleetAction.Unknown))
                {
                    BorrowSessions(plan);
                    FleetCheckpoint checkpoint = LoadCheckpoint(plan);
                    results = Execute(plan, approved, checkpoint);
                }
                else
                {
                    results = approved.Select(c => new FleetChangeResult(c, FleetOutcome.Skipped, c.Action == FleetAction.Unknown ? ErrorIds.FleetTenantUnreadable : null, c.Reason)).ToArray();
                }
                var byChange = results.ToDictionary(r => r.Change);
                foreach (CalendarFederationPlanChange row in rows)
                {
                    FleetChangeResult result = byChange.TryGetValue(row.Change, out FleetChangeResult? r) ? r
                        : new FleetChangeResult(row.Change, FleetOutcome.Skipped, null, FleetApplyMessages.OutNotConfirmed);
                    var output = new CalendarFederationPlanResult(result);
                    _cmd.WriteObject(output);
                    if (result.Outcome == FleetOutcome.Failed) _cmd.WriteError(Error(result, output));
                }
            }

            private IReadOnlyList<FleetChangeResult> Execute(FleetPlan plan, IReadOnlyList<FleetPlanChange> approved, FleetCheckpoint checkpoint)
            {
                IReadOnlyList<FleetChangeResult>? stopped = null;
                try
                {
                    return _cmd.RunEngine(async (events, token) =>
                    {
                        try
                        {
                            return await FleetExecutor.ApplyAsync(plan, approved, checkpoint, events, token).ConfigureAwait(false);
                        }
                        catch (FleetApplyCanceledException ex)
                        {
                            stopped = ex.Results;
                            throw;
                        }
                    });
                }
                catch (PipelineStoppedException)
                {
                    // After Ctrl+C nothing reaches the pipeline any more; the host can still be told how to finish.
                    int applied = stopped?.Count(r => r.Outcome == FleetOutcome.Applied) ?? 0;
                    try
                    {
                        _cmd.Host.UI.WriteWarningLine(Text.Format(FleetApplyMessages.WarnStopped, applied, checkpoint.Path));
                    }
                    catch (Exception ex) when (ex is System.Management.Automation.Host.HostException || ex is NotImplementedException || ex is PSNotImplementedException)
                    {
                        // A host without a UI: there is nowhere left to say it.
                    }
                    throw;
                }
            }

            // A tenant the plan holds no session for is written through a connection of this session to the same tenant:
            // -Connection first, then any other open one.
            private void BorrowSessions(FleetPlan plan)
            {
                var connections = new List<CalendarFederationConnection>();
                if (_cmd.Connection != null) connections.Add(_cmd.RequireOpen(_cmd.Connection));
                connections.AddRange(ConnectionStore.All.Where(c => !c.IsClosed && !connections.Contains(c)));
                foreach (FleetTenantState state in plan.States.Values.Where(s => s.Session == null))
                {
                    CalendarFederationConnection? match = connections.FirstOrDefault(c => Same(c.TenantId, state.TenantId ?? state.Tenant.TenantId)
                        || Same(c.Organization, state.Organization ?? state.Tenant.Organization));
                    if (match != null) state.Session = match.Session;
                }
            }

            private static bool Same(string? a, string? b) => a != null && b != null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

            private FleetCheckpoint LoadCheckpoint(FleetPlan plan)
            {
                string? path = _cmd.CheckpointPath != null
                    ? _cmd.SessionState.Path.GetUnresolvedProviderPathFromPSPath(_cmd.CheckpointPath)
                    : DefaultCheckpointPath(plan.Definition.SourcePath ?? _cmd.PlanFilePath());
                if (path == null)
                {
                    _cmd.ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(FleetApplyMessages.ErrorNoCheckpointPath),
                        ErrorIds.FleetCheckpointInvalid, ErrorCategory.InvalidArgument, null));
                }
                try
                {
                    return _cmd.RunEngine((events, token) => System.Threading.Tasks.Task.FromResult(FleetCheckpoint.Load(path!, events)));
                }
                catch (EngineException ex)
                {
                    // A checkpoint that cannot be trusted: nothing further can work without writing something twice.
                    _cmd.ThrowTerminatingError(ErrorRecords.From(ex, path));
                    throw;
                }
            }

            internal static string? DefaultCheckpointPath(string? planFile)
            {
                if (string.IsNullOrEmpty(planFile)) return null;
                string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(planFile)) ?? "";
                return System.IO.Path.Combine(directory, System.IO.Path.GetFileNameWithoutExtension(planFile) + ".checkpoint.jsonl");
            }

            private static ErrorRecord Error(FleetChangeResult result, CalendarFederationPlanResult target)
            {
                string? action = result.ErrorId == ErrorIds.FleetChangeStale ? FleetApplyMessages.ActionChangeStale : null;
                if (result.Error != null) return ErrorRecords.From(result.Error, target, action);
                return ErrorRecords.Create(new InvalidOperationException(result.Message ?? result.Change.ToString()), result.ErrorId ?? ErrorIds.FleetChangeFailed,
                    ErrorCategory.InvalidOperation, target, action);
            }

            private bool IsWhatIf()
            {
                if (_cmd.MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? value) && value is SwitchParameter s) return s.IsPresent;
                object? preference = _cmd.SessionState.PSVariable.GetValue("WhatIfPreference");
                return preference is bool b ? b : preference is SwitchParameter p && p.IsPresent;
            }
        }
    }
}
