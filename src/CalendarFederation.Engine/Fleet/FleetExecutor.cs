using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// Applies the approved changes of a fleet plan (docs/fleet.md §3): grouped by pair, pairs concurrently (each tenant's
    /// session keeps its own throttling gate), each pair in the safe order of docs/cross-tenant-access.md §4.2
    /// (<see cref="FleetPairRun"/>). Every change is read before it is written, and recorded in the checkpoint once done,
    /// so a re-run after a stop or a crash finishes the work without writing anything twice.
    /// </summary>
    public static class FleetExecutor
    {
        public const string Activity = "Applying the fleet plan";

        public static Task<IReadOnlyList<FleetChangeResult>> ApplyAsync(FleetPlan plan, IReadOnlyList<FleetPlanChange> approved, FleetCheckpoint checkpoint,
            IEngineEvents events, CancellationToken cancellationToken, int maxConcurrentPairs = 4) =>
            ApplyAsync(plan, approved, checkpoint, events, cancellationToken, maxConcurrentPairs,
                state => state.Session == null ? null : new SessionFleetBackend(state.Session), TimeProvider.System);

        /// <param name="backends">The backend for a tenant's state; null when it has no session (its changes are skipped).</param>
        internal static async Task<IReadOnlyList<FleetChangeResult>> ApplyAsync(FleetPlan plan, IReadOnlyList<FleetPlanChange> approved, FleetCheckpoint checkpoint,
            IEngineEvents events, CancellationToken cancellationToken, int maxConcurrentPairs, Func<FleetTenantState, IFleetTenantBackend?> backends, TimeProvider time)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            if (approved == null) throw new ArgumentNullException(nameof(approved));
            if (checkpoint == null) throw new ArgumentNullException(nameof(checkpoint));
            if (events == null) throw new ArgumentNullException(nameof(events));
            if (maxConcurrentPairs < 1) throw new ArgumentOutOfRangeException(nameof(maxConcurrentPairs), "At least one pair must run at a time.");

            var context = new FleetRunContext(plan, checkpoint, events, backends, time, cancellationToken);
            var approvedSet = new HashSet<FleetPlanChange>(approved);
            // Every row of a pair counts for its order (an unconfirmed grant holds back the cut-over), only approved ones run.
            List<IGrouping<string, FleetPlanChange>> pairs = plan.Changes.Concat(approved.Where(c => !plan.Changes.Contains(c))).Distinct()
                .GroupBy(c => FleetNames.PairKey(c.Tenant, c.Partner), StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Any(approvedSet.Contains))
                .ToList();

            int next = -1;
            int finished = 0;
            int workers = Math.Min(maxConcurrentPairs, Math.Max(1, pairs.Count));
            events.Progress(new ProgressUpdate(Activity, $"0 of {pairs.Count} pairs", 0, ProgressLanes.Main));
            async Task WorkAsync(int lane)
            {
                for (int i = Interlocked.Increment(ref next); i < pairs.Count; i = Interlocked.Increment(ref next))
                {
                    if (cancellationToken.IsCancellationRequested) return;
                    var run = new FleetPairRun(pairs[i].Key, pairs[i].ToList(), approvedSet, context, lane);
                    await run.RunAsync().ConfigureAwait(false);
                    int done = Interlocked.Increment(ref finished);
                    events.Progress(new ProgressUpdate(Activity, $"{done} of {pairs.Count} pairs", 100 * done / pairs.Count, ProgressLanes.Main));
                }
            }
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(ProgressLanes.FirstFleetPair + w)))).ConfigureAwait(false);

            IReadOnlyList<FleetChangeResult> results = approved.Where(context.Results.ContainsKey).Select(c => context.Results[c]).ToArray();
            if (cancellationToken.IsCancellationRequested)
            {
                events.Verbose($"Stopped: {results.Count(r => r.Outcome == FleetOutcome.Applied)} changes were applied and recorded in the checkpoint {checkpoint.Path}.");
                throw new FleetApplyCanceledException(results, cancellationToken);
            }
            events.Progress(new ProgressUpdate(Activity, "Done", 100, ProgressLanes.Main, completed: true));
            return results;
        }
    }

    /// <summary>The apply was stopped: the results of the changes that finished before (each applied one is in the checkpoint).</summary>
    public sealed class FleetApplyCanceledException : OperationCanceledException
    {
        public FleetApplyCanceledException(IReadOnlyList<FleetChangeResult> results, CancellationToken cancellationToken)
            : base("The fleet apply was stopped; a re-run with the same checkpoint resumes it.", cancellationToken)
        {
            Results = results ?? throw new ArgumentNullException(nameof(results));
        }

        public IReadOnlyList<FleetChangeResult> Results { get; }
    }

    /// <summary>What every pair of one apply shares.</summary>
    internal sealed class FleetRunContext
    {
        private readonly Func<FleetTenantState, IFleetTenantBackend?> _backends;
        private readonly ConcurrentDictionary<string, IFleetTenantBackend?> _byTenant = new ConcurrentDictionary<string, IFleetTenantBackend?>(StringComparer.OrdinalIgnoreCase);

        public FleetRunContext(FleetPlan plan, FleetCheckpoint checkpoint, IEngineEvents events, Func<FleetTenantState, IFleetTenantBackend?> backends, TimeProvider time,
            CancellationToken cancellationToken)
        {
            Plan = plan;
            Checkpoint = checkpoint;
            Events = events;
            _backends = backends;
            Time = time;
            CancellationToken = cancellationToken;
        }

        public FleetPlan Plan { get; }
        public FleetCheckpoint Checkpoint { get; }
        public IEngineEvents Events { get; }
        public TimeProvider Time { get; }
        public CancellationToken CancellationToken { get; }
        public ConcurrentDictionary<FleetPlanChange, FleetChangeResult> Results { get; } = new ConcurrentDictionary<FleetPlanChange, FleetChangeResult>();

        public FleetTenantState? State(string tenant) => Plan.States.TryGetValue(tenant, out FleetTenantState? state) ? state : null;

        /// <summary>One backend per tenant for the whole apply (null: the tenant has no session).</summary>
        public IFleetTenantBackend? Backend(string tenant)
        {
            FleetTenantState? state = State(tenant);
            return state == null ? null : _byTenant.GetOrAdd(tenant, _ => _backends(state));
        }
    }
}
