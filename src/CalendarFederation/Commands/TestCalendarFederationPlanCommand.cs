using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Drift (docs/fleet.md §4): plans the fleet file and compares. $true when every managed direction is as the file says;
    /// otherwise $false and one non-terminating FleetDrift error, so a scheduled pwsh -Command exits 1. A tenant that
    /// cannot be read is drift too: nothing can be said about its pairs. -PassThru returns the drift rows instead of the
    /// boolean (the error is still written).
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "CalendarFederationPlan")]
    [OutputType(typeof(bool), typeof(CalendarFederationPlanChange))]
    public sealed class TestCalendarFederationPlanCommand : FleetPlanCommandBase
    {
        [Parameter(HelpMessage = "Return the drift rows (what Get-CalendarFederationPlan would change, and Unknown rows) instead of $true or $false.")]
        public SwitchParameter PassThru { get; set; }

        [Parameter(HelpMessage = "How many tenants are read at once. Default: 8.")]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = FleetStateReader.DefaultConcurrency;

        protected override int Concurrency => ThrottleLimit;

        protected override void EndProcessing()
        {
            FleetPlan plan = ReadPlan(keepSessions: PassThru);
            List<FleetPlanChange> drift = plan.Changes.Where(c => c.Action != FleetAction.Nothing).ToList();
            IReadOnlyList<FleetTenantState> unreadable = Unreadable(plan);
            if (drift.Count > 0 || unreadable.Count > 0) WriteError(DriftError(drift, unreadable));
            if (PassThru)
            {
                foreach (FleetPlanChange change in drift) WriteObject(new CalendarFederationPlanChange(change, plan));
                return;
            }
            WriteObject(drift.Count == 0 && unreadable.Count == 0);
        }

        private ErrorRecord DriftError(List<FleetPlanChange> drift, IReadOnlyList<FleetTenantState> unreadable)
        {
            int changes = drift.Count(c => c.Action != FleetAction.Unknown);
            string tenants = string.Join(", ", drift.Where(c => c.Action != FleetAction.Unknown).Select(c => c.Tenant).Distinct(System.StringComparer.OrdinalIgnoreCase));
            string message = changes > 0
                ? Text.Format(FleetMessages.ErrorDrift, changes, tenants)
                : FleetMessages.ErrorDriftNoChanges;
            if (unreadable.Count > 0)
            {
                message += " " + Text.Format(FleetMessages.ErrorDriftUnreadable, unreadable.Count,
                    string.Join(", ", unreadable.Select(s => Text.Format(FleetMessages.LabelUnreadableTenant, s.Name, s.ReadError!.ErrorId))),
                    drift.Count(c => c.Action == FleetAction.Unknown));
            }
            var error = new EngineException(ErrorIds.FleetDrift, ErrorKind.InvalidResult, message, Path);
            return ErrorRecords.From(error, Path, FleetMessages.ActionDrift);
        }
    }
}
