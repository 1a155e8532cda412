using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// One pair of an apply, in the migration's safe order (docs/cross-tenant-access.md §4.2, as Convert-OrganizationRelationship
    /// does it in src/CalendarFederation.Engine/Migration/RelationshipMigration.cs): the grants in both sharing tenants, a
    /// read-back of every grant, and only when all of them are there the cut-over that disables the legacy relationships;
    /// removals last. A failed or unconfirmed grant keeps the pair's legacy relationships enabled, so the partner keeps
    /// free/busy. A cut-over that one side cannot follow is undone on the other (M4 of
    /// src/CalendarFederation.Engine/Migration/MigrationDecisions.cs), so the two sides never stay unlike.
    /// </summary>
    internal sealed partial class FleetPairRun
    {
        private readonly string _pair;
        private readonly IReadOnlyList<FleetPlanChange> _changes;
        private readonly HashSet<FleetPlanChange> _approved;
        private readonly FleetRunContext _context;
        private readonly int _lane;
        // Why the cut-over must not run; null while every grant is done and verified.
        private string? _heldId;
        private string? _heldReason;

        public FleetPairRun(string pair, IReadOnlyList<FleetPlanChange> changes, HashSet<FleetPlanChange> approved, FleetRunContext context, int lane)
        {
            _pair = pair;
            _changes = changes;
            _approved = approved;
            _context = context;
            _lane = lane;
        }

        private IEngineEvents Events => _context.Events;
        private CancellationToken Token => _context.CancellationToken;

        public async Task RunAsync()
        {
            string label = _pair.Replace("|", " <-> ");
            FleetPlanChange[] grants = _changes.Where(c => c.Order == FleetOrder.Grant || c.Order == FleetOrder.Verify).ToArray();
            FleetPlanChange[] cutOver = _changes.Where(c => c.Order == FleetOrder.CutOver).ToArray();
            FleetPlanChange[] cleanup = _changes.Where(c => c.Order == FleetOrder.Cleanup).ToArray();
            if (_changes.Any(c => c.Action == FleetAction.Unknown)) Hold(ErrorIds.FleetTenantUnreadable, "a tenant of the pair could not be read when the plan was made");

            Phase(label, "granting", 10);
            var done = new List<FleetPlanChange>();
            foreach (FleetPlanChange grant in grants)
            {
                if (Token.IsCancellationRequested) return;
                if (!IsActionable(grant)) { SkipIfApproved(grant); continue; }
                if (!_approved.Contains(grant))
                {
                    if (_context.Checkpoint.Contains(grant.ChangeId)) done.Add(grant);
                    else Hold(ErrorIds.FleetLegacyKept, $"the grant {Describe(grant)} was not confirmed");
                    continue;
                }
                FleetChangeResult? result = await ApplyChangeAsync(grant).ConfigureAwait(false);
                if (result == null) return;
                if (result.Outcome == FleetOutcome.Failed || result.Outcome == FleetOutcome.Skipped) Hold(result.ErrorId ?? ErrorIds.FleetChangeFailed, $"the grant {Describe(grant)} failed: {result.Message}");
                else done.Add(grant);
            }

            if (_heldReason == null && cutOver.Any(_approved.Contains))
            {
                Phase(label, "verifying the grants", 40);
                foreach (FleetPlanChange grant in done)
                {
                    if (Token.IsCancellationRequested) return;
                    if (!await VerifyAsync(grant).ConfigureAwait(false)) break;
                }
            }
            if (Token.IsCancellationRequested) return;

            Phase(label, "disabling the legacy relationships", 60);
            bool cutOverFailed = !await CutOverAsync(cutOver.Where(_approved.Contains).ToArray()).ConfigureAwait(false);
            if (Token.IsCancellationRequested) return;

            Phase(label, "removing what the file no longer shares", 85);
            foreach (FleetPlanChange change in cleanup.Where(_approved.Contains))
            {
                if (Token.IsCancellationRequested) return;
                if (change.ObjectType == FleetObjectType.OrganizationRelationship && (_heldReason != null || cutOverFailed))
                {
                    Record(change, FleetOutcome.Skipped, ErrorIds.FleetLegacyKept, LegacyKept(change));
                    continue;
                }
                if (!IsActionable(change)) { SkipIfApproved(change); continue; }
                if (await ApplyChangeAsync(change).ConfigureAwait(false) == null) return;
            }
            Events.Progress(new ProgressUpdate(FleetExecutor.Activity, label + ": done", 100, _lane, completed: true));
        }

        // The read-back before the cut-over; false (and the cut-over held) when a grant is not what was asked.
        private async Task<bool> VerifyAsync(FleetPlanChange grant)
        {
            IFleetTenantBackend? backend = _context.Backend(grant.Tenant);
            IReadOnlyList<string> problems;
            try
            {
                problems = backend == null ? new[] { "the tenant has no connection" } : await DifferencesAsync(backend, grant).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                problems = new[] { ex.Message };
            }
            catch (OperationCanceledException) when (Token.IsCancellationRequested)
            {
                return false;
            }
            if (problems.Count == 0)
            {
                Events.Verbose($"{grant.Tenant}: read back, {Describe(grant)} is as planned.");
                return true;
            }
            string id = grant.ObjectType == FleetObjectType.CrossTenantAccess ? ErrorIds.CrossTenantAccessNotVerified : ErrorIds.MigrationNotVerified;
            string message = $"{grant.Tenant}: {Describe(grant)}, read back, is not as planned: {string.Join("; ", problems)}.";
            Hold(id, message);
            if (_approved.Contains(grant)) Record(grant, FleetOutcome.Failed, id, message, new EngineException(id, ErrorKind.InvalidResult, message, grant.Identity));
            return false;
        }

        private async Task<IReadOnlyList<string>> DifferencesAsync(IFleetTenantBackend backend, FleetPlanChange grant)
        {
            if (grant.ObjectType == FleetObjectType.CrossTenantAccess)
            {
                return await backend.AccessDifferencesAsync(RequireRequest(grant), Events, Token).ConfigureAwait(false);
            }
            SidePlan plan = RequirePlan(grant);
            return FederationPlanner.Verify(await backend.ReadRelationshipAsync(RelationshipName(grant), Events, Token).ConfigureAwait(false), plan);
        }

        private void Hold(string errorId, string reason)
        {
            if (_heldReason != null) return;
            _heldId = errorId;
            _heldReason = reason;
        }

        private string LegacyKept(FleetPlanChange change) =>
            $"{change.Tenant}: '{change.Identity}' was left enabled, so {change.Partner} keeps free/busy on the legacy path: {_heldReason ?? "the other side's cut-over failed"}.";

        private static bool IsActionable(FleetPlanChange change) => change.Action != FleetAction.Nothing && change.Action != FleetAction.Unknown;

        private void SkipIfApproved(FleetPlanChange change)
        {
            if (!_approved.Contains(change)) return;
            if (change.Action == FleetAction.Unknown) Record(change, FleetOutcome.Skipped, ErrorIds.FleetTenantUnreadable, $"{change.Tenant} or {change.Partner} could not be read when the plan was made; nothing is changed in this pair.");
            else Record(change, FleetOutcome.Skipped, null, "Nothing to change.");
        }

        private void Phase(string label, string status, int percent) =>
            Events.Progress(new ProgressUpdate(FleetExecutor.Activity, label + ": " + status, percent, _lane));

        private static string Describe(FleetPlanChange change) => $"{change.Action} {change.ObjectType} {change.Identity} in {change.Tenant}";

        private FleetChangeResult Record(FleetPlanChange change, FleetOutcome outcome, string? errorId, string? message, EngineException? error = null)
        {
            var result = new FleetChangeResult(change, outcome, errorId, message, error);
            _context.Results[change] = result;
            return result;
        }
    }
}
