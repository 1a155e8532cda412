using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Migration;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>One change of a pair: checkpoint, read, write when the tenant is not already as planned, record; and the cut-over.</summary>
    internal sealed partial class FleetPairRun
    {
        /// <summary>The change's result; null when the run was stopped before or while it was written (it is not in the checkpoint).</summary>
        private async Task<FleetChangeResult?> ApplyChangeAsync(FleetPlanChange change)
        {
            if (_context.Checkpoint.Contains(change.ChangeId))
            {
                return Record(change, FleetOutcome.AlreadyApplied, null, "Done by an earlier run (it is in the checkpoint); nothing was read or written.");
            }
            FleetTenantState? state = _context.State(change.Tenant);
            if (state == null || !state.IsReadable)
            {
                return Record(change, FleetOutcome.Skipped, ErrorIds.FleetTenantUnreadable, $"{change.Tenant} could not be read when the plan was made; nothing is changed there.");
            }
            IFleetTenantBackend? backend = _context.Backend(change.Tenant);
            if (backend == null)
            {
                return Record(change, FleetOutcome.Skipped, ErrorIds.FleetTenantConnectFailed, $"The plan holds no connection to {change.Tenant}; nothing is changed there.");
            }
            if (Token.IsCancellationRequested) return null;
            bool wrote;
            try
            {
                wrote = await WriteAsync(backend, change).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Token.IsCancellationRequested)
            {
                Events.Verbose($"{change.Tenant}: stopped during {Describe(change)}; a re-run reads it first and finishes it.");
                return null;
            }
            catch (EngineException ex)
            {
                return Record(change, FleetOutcome.Failed, ex.ErrorId, ex.Message, ex);
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException) && !(ex is OperationCanceledException))
            {
                string message = $"{Describe(change)} failed unexpectedly: {ex.Message}";
                return Record(change, FleetOutcome.Failed, ErrorIds.FleetChangeFailed, message,
                    new EngineException(ErrorIds.FleetChangeFailed, ErrorKind.NotSpecified, message, change.Identity, inner: ex));
            }
            FleetOutcome outcome = wrote ? FleetOutcome.Applied : FleetOutcome.AlreadyApplied;
            try
            {
                _context.Checkpoint.Append(change.ChangeId, outcome, _context.Time.GetUtcNow());
            }
            catch (EngineException ex)
            {
                return Record(change, FleetOutcome.Failed, ex.ErrorId,
                    $"{Describe(change)} was {(wrote ? "made" : "found made")}, but it could not be recorded ({ex.Message}); a re-run reads it first and does not make it again.", ex);
            }
            return Record(change, outcome, null, wrote ? null : "The tenant already shows it as planned; nothing was written.");
        }

        // Reads first; true when it wrote, false when the tenant already showed the change made (e.g. a crash after the
        // write and before the checkpoint). A tenant that shows neither the plan's Before nor its After is refused (stale).
        private async Task<bool> WriteAsync(IFleetTenantBackend backend, FleetPlanChange change)
        {
            if (change.ObjectType == FleetObjectType.CrossTenantAccess)
            {
                PartnerAccessRequest request = RequireRequest(change);
                IReadOnlyList<string> differences = await backend.AccessDifferencesAsync(request, Events, Token).ConfigureAwait(false);
                if (differences.Count == 0) return false;
                if (IsCheckedForStale(change))
                {
                    RefuseIfStale(change, FleetStateFingerprint.Access(await backend.ReadAccessAsync(request.PartnerTenantId, Events, Token).ConfigureAwait(false)));
                }
                Events.Verbose($"{change.Tenant}: {Describe(change)}: {string.Join("; ", differences)}.");
                Begin(change);
                return await backend.ApplyAccessAsync(request, Events, Token).ConfigureAwait(false);
            }
            string name = RelationshipName(change);
            AdminObject? current = await backend.ReadRelationshipAsync(name, Events, Token).ConfigureAwait(false);
            switch (change.Action)
            {
                case FleetAction.Create:
                case FleetAction.Update:
                    SidePlan plan = RequirePlan(change);
                    if (current != null && FederationPlanner.Verify(current, plan).Count == 0) return false;
                    if (current == null && change.Action == FleetAction.Update) throw Stale(change, "it is not there any more");
                    if (IsCheckedForStale(change)) RefuseIfStale(change, FleetStateFingerprint.Relationship(current));
                    Events.Verbose($"{change.Tenant}: {Describe(change)}: {string.Join("; ", plan.Changes)}.");
                    Begin(change);
                    await backend.WriteRelationshipAsync(plan, current, Events, Token).ConfigureAwait(false);
                    return true;
                case FleetAction.Disable:
                    if (current != null && current.GetBool("Enabled") == false) return false;
                    if (current == null)
                    {
                        if (IsCheckedForStale(change) && change.BeforeState != FleetStateFingerprint.Absent) throw Stale(change, "it is not there any more");
                        return false;
                    }
                    if (IsCheckedForStale(change)) RefuseIfStale(change, FleetStateFingerprint.Relationship(current));
                    Events.Verbose($"{change.Tenant}: disabling the organization relationship '{name}' (Enabled False).");
                    Begin(change);
                    await backend.SetRelationshipEnabledAsync(name, false, Events, Token).ConfigureAwait(false);
                    return true;
                case FleetAction.Remove:
                    if (current == null) return false;
                    if (IsCheckedForStale(change)) RefuseIfStale(change, FleetStateFingerprint.Relationship(current));
                    Events.Verbose($"{change.Tenant}: removing the organization relationship '{name}'.");
                    Begin(change);
                    await backend.RemoveRelationshipAsync(name, Events, Token).ConfigureAwait(false);
                    return true;
                default:
                    throw new EngineException(ErrorIds.FleetChangeFailed, ErrorKind.InvalidData, $"{Describe(change)} is not a change that can be applied.", change.Identity);
            }
        }

        // A change an earlier run began and did not finish may show a half-made state of our own: it is finished, not refused.
        private bool IsCheckedForStale(FleetPlanChange change) => change.BeforeState != null && !_context.Checkpoint.WasStarted(change.ChangeId);

        private static void RefuseIfStale(FleetPlanChange change, string now)
        {
            if (!string.Equals(now, change.BeforeState, StringComparison.Ordinal)) throw Stale(change, "the tenant now shows something else");
        }

        private static EngineException Stale(FleetPlanChange change, string why) => new EngineException(ErrorIds.FleetChangeStale, ErrorKind.InvalidOperation,
            $"{change.Tenant}: {Describe(change)} was planned against '{change.Before}', but {why}: it changed after the plan was read, so nothing was written. Make the plan again.",
            change.Identity);

        private void Begin(FleetPlanChange change) => _context.Checkpoint.Begin(change.ChangeId, _context.Time.GetUtcNow());

        /// <summary>
        /// Disables the pair's legacy relationships, or none: held when a grant is missing; when one side cannot follow,
        /// the ones already disabled are enabled again (a relationship in effect on either side hides the cross-tenant
        /// access policy for both, docs/cross-tenant-access.md §1.4). False when the cut-over did not happen.
        /// </summary>
        private async Task<bool> CutOverAsync(IReadOnlyList<FleetPlanChange> rows)
        {
            if (rows.Count == 0) return true;
            if (_heldReason != null)
            {
                foreach (FleetPlanChange row in rows) Record(row, FleetOutcome.Skipped, ErrorIds.FleetLegacyKept, LegacyKept(row));
                return false;
            }
            var disabled = new List<FleetPlanChange>();
            FleetChangeResult? failed = null;
            foreach (FleetPlanChange row in rows)
            {
                if (!IsActionable(row)) { SkipIfApproved(row); continue; }
                if (failed != null) { Record(row, FleetOutcome.Skipped, ErrorIds.FleetLegacyKept, LegacyKept(row)); continue; }
                FleetChangeResult? result = await ApplyChangeAsync(row).ConfigureAwait(false);
                if (result == null)
                {
                    if (disabled.Count > 0) Events.Warning($"Stopped during the cut-over of {_pair.Replace("|", " and ")}: run it again with the same checkpoint to finish it.");
                    return false;
                }
                if (result.Outcome == FleetOutcome.Failed || result.Outcome == FleetOutcome.Skipped)
                {
                    failed = result;
                    Hold(result.ErrorId ?? ErrorIds.FleetChangeFailed, $"{Describe(row)} failed: {result.Message}");
                }
                else disabled.Add(row);
            }
            if (failed == null) return true;
            foreach (FleetPlanChange row in disabled) await UndoDisableAsync(row, failed.Change).ConfigureAwait(false);
            return false;
        }

        // Enables a relationship again within its own bound (it may run after a stop) and takes it out of the checkpoint.
        private async Task UndoDisableAsync(FleetPlanChange row, FleetPlanChange failed)
        {
            IFleetTenantBackend backend = _context.Backend(row.Tenant)!;
            try
            {
                using var bound = new CancellationTokenSource(MigrationDecisions.CompensationTimeout);
                await backend.SetRelationshipEnabledAsync(RelationshipName(row), true, Events, bound.Token).ConfigureAwait(false);
                _context.Checkpoint.Forget(row.ChangeId, _context.Time.GetUtcNow());
                Record(row, FleetOutcome.Skipped, ErrorIds.FleetLegacyKept,
                    $"{row.Tenant}: '{row.Identity}' was disabled and is enabled again, because {Describe(failed)} failed; both sides are as they were, and {row.Partner} keeps free/busy on the legacy path.");
                Events.Warning($"{row.Tenant}: '{row.Identity}' was disabled and is enabled again, because {failed.Tenant} could not follow.");
            }
            catch (Exception ex) when (ex is EngineException || ex is OperationCanceledException)
            {
                Record(row, FleetOutcome.Failed, (ex as EngineException)?.ErrorId ?? ErrorIds.FleetChangeFailed,
                    $"{row.Tenant}: '{row.Identity}' was disabled, and enabling it again after {Describe(failed)} failed did not work ({ex.Message}): the two sides are unlike, so "
                    + "free/busy fails both ways until the other side is disabled too; run the plan again to finish.");
            }
        }

        private static string RelationshipName(FleetPlanChange change)
        {
            string? planned = change.RelationshipPlan?.RelationshipName;
            return string.IsNullOrEmpty(planned) ? change.Identity : planned!;
        }

        private static PartnerAccessRequest RequireRequest(FleetPlanChange change) => change.AccessRequest
            ?? throw new EngineException(ErrorIds.FleetChangeFailed, ErrorKind.InvalidData, $"The plan row {Describe(change)} carries no cross-tenant access request; make the plan again.", change.Identity);

        private static SidePlan RequirePlan(FleetPlanChange change) => change.RelationshipPlan
            ?? throw new EngineException(ErrorIds.FleetChangeFailed, ErrorKind.InvalidData, $"The plan row {Describe(change)} carries no relationship plan; make the plan again.", change.Identity);
    }
}
