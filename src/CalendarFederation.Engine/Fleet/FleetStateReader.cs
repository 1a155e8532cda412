using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Concurrency;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// Reads every tenant of a fleet side by side (docs/fleet.md §2): its organization relationships, EwsEnabled, accepted
    /// domains, the cross-tenant access policy, and the scope groups the file names for it. Each tenant's calls stay within
    /// its own throttling gate (its session's admin API and Graph clients). Sign-in and reading are two stages, each with at
    /// most <see cref="DefaultConcurrency"/> tenants at once, so the next tenants sign in while earlier ones are read: a
    /// sign-in's round trips do not hold a reading slot (docs/benchmarks.md §8). A tenant that cannot be read comes back
    /// with <see cref="FleetTenantState.ReadError"/> set, never as an empty state: the planner must not take a failure for
    /// "nothing there".
    /// </summary>
    public static class FleetStateReader
    {
        public const int DefaultConcurrency = 8;
        private const string Activity = "Reading the fleet's tenants";

        public static async Task<IReadOnlyDictionary<string, FleetTenantState>> ReadAllAsync(FleetDefinition def, IFleetTenantConnector connector,
            IEngineEvents events, CancellationToken ct, int concurrency = DefaultConcurrency)
        {
            if (def == null) throw new ArgumentNullException(nameof(def));
            if (connector == null) throw new ArgumentNullException(nameof(connector));
            if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency));
            using var signingIn = new SemaphoreSlim(concurrency);
            using var reading = new SemaphoreSlim(concurrency);
            int done = 0;
            int total = def.Tenants.Count;
            events.Progress(new ProgressUpdate(Activity, $"0 of {total} tenants read", 0, ProgressLanes.Main));
            FleetTenantState[] states = await Task.WhenAll(def.Tenants.Select(async tenant =>
            {
                var state = new FleetTenantState(tenant) { Organization = tenant.Organization, TenantId = tenant.TenantId };
                await InSlotAsync(signingIn, () => CaptureAsync(state, () => ConnectAsync(tenant, state, connector, events, ct), ct), ct).ConfigureAwait(false);
                if (state.ReadError == null) await InSlotAsync(reading, () => CaptureAsync(state, () => ReadAsync(def, state, events, ct), ct), ct).ConfigureAwait(false);
                if (state.ReadError != null) events.Verbose($"{tenant.Name} could not be read ({state.ReadError.ErrorId}): {state.ReadError.Message}");
                int n = Interlocked.Increment(ref done);
                events.Progress(new ProgressUpdate(Activity, $"{n} of {total} tenants read ({tenant.Name}{(state.IsReadable ? "" : ": not readable")})",
                    total == 0 ? 100 : n * 100 / total, ProgressLanes.Main));
                return state;
            })).ConfigureAwait(false);
            events.Progress(new ProgressUpdate(Activity, $"{total} of {total} tenants read", 100, ProgressLanes.Main, completed: true));

            var result = new Dictionary<string, FleetTenantState>(StringComparer.OrdinalIgnoreCase);
            foreach (FleetTenantState s in states) result[s.Name] = s;
            return result;
        }

        private static async Task InSlotAsync(SemaphoreSlim slots, Func<Task> work, CancellationToken ct)
        {
            await slots.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await work().ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }

        // Every failure but cancellation becomes the state's ReadError, named for the tenant.
        private static async Task CaptureAsync(FleetTenantState state, Func<Task> work, CancellationToken ct)
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (EngineException ex)
            {
                state.ReadError = ex;
            }
            catch (Exception ex)
            {
                state.ReadError = new EngineException(ErrorIds.UnexpectedError, ErrorKind.NotSpecified,
                    $"{state.Name} could not be read: {ex.Message}", state.Name, inner: ex);
            }
        }

        private static async Task ConnectAsync(FleetTenant tenant, FleetTenantState state, IFleetTenantConnector connector, IEngineEvents events, CancellationToken ct)
        {
            events.Progress(new ProgressUpdate(Activity, $"{tenant.Name}: connecting", lane: ProgressLanes.Step));
            TenantSession session = await connector.ConnectAsync(tenant, events, ct).ConfigureAwait(false);
            state.Session = session;
            state.Organization = session.Organization;
            CheckTenantId(tenant, session);
            state.TenantId = session.TenantId ?? tenant.TenantId;
            // The Graph token too, while still in the sign-in stage: every tenant's read uses Graph. Only where it cannot
            // prompt; a failure is left for the read, which meets it again and reports it in its place.
            if (session.GraphTokens.Kind != GraphTokenKind.Unavailable && !session.GraphTokens.MayPrompt)
            {
                try
                {
                    await session.GraphTokens.GetTokenAsync(false, events, ct).ConfigureAwait(false);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                }
            }
        }

        private static async Task ReadAsync(FleetDefinition def, FleetTenantState state, IEngineEvents events, CancellationToken ct)
        {
            TenantSession session = state.Session!;
            events.Progress(new ProgressUpdate(Activity, $"{state.Name}: reading relationships and the cross-tenant access policy", lane: ProgressLanes.Step));
            // Three reads that do not depend on each other, side by side within the tenant's gates. The partners'
            // domains are not looked up: the fleet knows its tenants by id.
            Task<TenantSnapshot> snapshot = TenantSnapshot.ReadAsync(session, events, ct);
            Task<CrossTenantAccessInventory> policy = CrossTenantAccessInventory.ReadAsync(session, null, events, ct, nameDomains: false);
            Task scopes = ResolveScopesAsync(def, state, session, events, ct);
            await SideBySide.AllAsync(snapshot, policy, scopes).ConfigureAwait(false);
            state.Relationships = snapshot.Result.Relationships.ToArray();
            state.EwsEnabled = snapshot.Result.EwsEnabled;
            state.IsDehydrated = snapshot.Result.IsDehydrated;
            state.AcceptedDomains = snapshot.Result.Domains.ToArray();
            state.CrossTenantAccess = policy.Result;
            if (state.Organization == null) state.Organization = snapshot.Result.InitialDomain;
            events.Verbose($"{state.Name}: {state.Relationships.Count} organization relationships, {policy.Result.Partners.Count} cross-tenant access partners, " +
                $"{state.AcceptedDomains.Count} accepted domains, EwsEnabled {(state.EwsEnabled?.ToString() ?? "not set")}.");
        }

        private static void CheckTenantId(FleetTenant tenant, TenantSession session)
        {
            if (tenant.TenantId == null || session.TenantId == null) return;
            if (Guid.TryParse(tenant.TenantId, out Guid want) && Guid.TryParse(session.TenantId, out Guid got) && want == got) return;
            if (string.Equals(tenant.TenantId.Trim(), session.TenantId, StringComparison.OrdinalIgnoreCase)) return;
            throw new EngineException(ErrorIds.FleetTenantIdMismatch, ErrorKind.InvalidData,
                $"The fleet file says {tenant.Name} is tenant {tenant.TenantId}, but the sign-in for {session.Organization} is tenant {session.TenantId}; " +
                "nothing is read from it or planned for it.", tenant.Name);
        }

        // The groups the file scopes this tenant's directions to, resolved here once: the planner compares object ids, and the
        // organization relationship's stored group name, without I/O. A group that does not resolve is not a read failure:
        // the change is planned and says why (ScopeErrors), and applying it fails with the same id.
        private static async Task ResolveScopesAsync(FleetDefinition def, FleetTenantState state, TenantSession session, IEngineEvents events, CancellationToken ct)
        {
            var names = def.Directions
                .Where(d => d.Shared && string.Equals(d.From, state.Name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(d.Settings.FreeBusyAccessScope))
                .Select(d => d.Settings.FreeBusyAccessScope!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (names.Count == 0) return;
            var resolver = new ScopeGroupResolver(session.AdminApi);
            foreach (string name in names)
            {
                try
                {
                    state.ScopeGroups[name] = await resolver.ResolveAsync(name, events, ct).ConfigureAwait(false);
                }
                catch (EngineException ex) when (ex.ErrorId == ErrorIds.ScopeGroupNotFound)
                {
                    state.ScopeErrors[name] = ex;
                }
            }
        }
    }
}
