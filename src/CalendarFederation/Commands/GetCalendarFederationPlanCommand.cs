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
    /// Reads every tenant of a fleet file side by side and returns one row per change per tenant (docs/fleet.md §2).
    /// Read-only. A tenant that cannot be read is one FleetTenantUnreadable error and makes its pairs' rows Unknown:
    /// nothing is planned against either side. -Strict ends with FleetPlanIncomplete instead of returning an incomplete plan.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "CalendarFederationPlan")]
    [OutputType(typeof(CalendarFederationPlanChange))]
    public sealed class GetCalendarFederationPlanCommand : FleetPlanCommandBase
    {
        [Parameter(HelpMessage = "Stop with a terminating error, returning no rows, when any tenant could not be read.")]
        public SwitchParameter Strict { get; set; }

        [Parameter(HelpMessage = "How many tenants are read at once. Default: 8.")]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = FleetStateReader.DefaultConcurrency;

        protected override int Concurrency => ThrottleLimit;

        protected override void EndProcessing()
        {
            FleetPlan plan = ReadPlan(keepSessions: true);
            IReadOnlyList<FleetTenantState> unreadable = Unreadable(plan);
            foreach (FleetTenantState state in unreadable) WriteError(UnreadableError(state));
            if (Strict && unreadable.Count > 0)
            {
                ReleaseSessions(plan);
                var error = new EngineException(ErrorIds.FleetPlanIncomplete, ErrorKind.InvalidResult,
                    Text.Format(FleetMessages.ErrorPlanIncomplete, unreadable.Count, plan.Definition.Tenants.Count, string.Join(", ", unreadable.Select(s => s.Name))));
                ThrowTerminatingError(ErrorRecords.From(error, Path, FleetMessages.ActionPlanIncomplete));
            }
            foreach (FleetPlanChange change in plan.Changes) WriteObject(new CalendarFederationPlanChange(change, plan));
        }
    }
}
