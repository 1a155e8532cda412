using CalendarFederation.Engine.Fleet;

namespace CalendarFederation
{
    /// <summary>
    /// One change in one tenant of a fleet plan (Get-CalendarFederationPlan; docs/fleet.md §2). Invoke-CalendarFederationPlan
    /// and Export-CalendarFederationReport take these rows: each carries the plan it belongs to.
    /// </summary>
    public sealed class CalendarFederationPlanChange
    {
        internal CalendarFederationPlanChange(FleetPlanChange change, FleetPlan plan)
        {
            Change = change;
            Plan = plan;
        }

        public string Tenant => Change.Tenant;
        public string Partner => Change.Partner;
        /// <summary>"from -> to": whose free/busy the change is about.</summary>
        public string Direction => Change.Direction;
        /// <summary>Create, Update, Disable, Remove, Nothing, or Unknown (a tenant of the pair could not be read).</summary>
        public string Action => Change.Action.ToString();
        /// <summary>CrossTenantAccess or OrganizationRelationship.</summary>
        public string Method => Change.Method.ToString();
        public string ObjectType => Change.ObjectType.ToString();
        /// <summary>The relationship's name, or the partner's tenant id.</summary>
        public string Identity => Change.Identity;
        public string Before => Change.Before;
        public string After => Change.After;
        public string Reason => Change.Reason;
        /// <summary>Grant, Verify, CutOver or Cleanup: the phase it runs in.</summary>
        public string Order => Change.Order.ToString();
        /// <summary>Stable id of the change: the checkpoint's key.</summary>
        public string ChangeId => Change.ChangeId;

        internal FleetPlanChange Change { get; }
        internal FleetPlan Plan { get; }

        public override string ToString() => Change.ToString();
    }

    /// <summary>What Invoke-CalendarFederationPlan did with one change (docs/fleet.md §3).</summary>
    public sealed class CalendarFederationPlanResult
    {
        internal CalendarFederationPlanResult(FleetChangeResult result) { Result = result; }

        public string Tenant => Result.Change.Tenant;
        public string Partner => Result.Change.Partner;
        public string Direction => Result.Change.Direction;
        public string Action => Result.Change.Action.ToString();
        public string Method => Result.Change.Method.ToString();
        public string ObjectType => Result.Change.ObjectType.ToString();
        public string Identity => Result.Change.Identity;
        public string Before => Result.Change.Before;
        public string After => Result.Change.After;
        public string Reason => Result.Change.Reason;
        public string Order => Result.Change.Order.ToString();
        public string ChangeId => Result.Change.ChangeId;
        /// <summary>Applied, AlreadyApplied, Skipped or Failed.</summary>
        public string Outcome => Result.Outcome.ToString();
        public string? ErrorId => Result.ErrorId;
        public string? Message => Result.Message;

        internal FleetChangeResult Result { get; }

        public override string ToString() => Result.Change + ": " + Outcome;
    }
}
