using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Graph;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>
    /// The cross-tenant access backend for one resource tenant: read a partner's state, plan, and apply. Apply reads before
    /// it writes, plans (<see cref="PartnerAccessPlanner"/>), makes each write (a 409 on a create means "already there";
    /// dependent calls right after a create wait out the replication window, XtapDecisions D9), then reads back and
    /// checks the result equals what was asked (CrossTenantAccessNotVerified otherwise). An apply that was interrupted or
    /// cancelled is finished by running it again: every run starts from what the tenant shows, so nothing is duplicated.
    /// </summary>
    public sealed class CrossTenantAccessService
    {
        private const string Activity = "Cross-tenant access";
        private const int MaxRounds = 3;

        private readonly ScopeGroupResolver? _groups;
        private readonly TimeProvider _time;
        private readonly IReadOnlyList<TimeSpan> _replicationDelays;

        /// <param name="groups">Resolves scope groups through the admin API; without it only object ids are accepted, unchecked.</param>
        /// <param name="time">The clock the replication waits run on (tests pass a fake one).</param>
        /// <param name="replicationDelays">The waits before each retry in the replication window; XtapDecisions.ReplicationRetryDelays by default.</param>
        public CrossTenantAccessService(CrossTenantAccessClient client, ScopeGroupResolver? groups = null, TimeProvider? time = null,
            IReadOnlyList<TimeSpan>? replicationDelays = null)
        {
            Client = client ?? throw new ArgumentNullException(nameof(client));
            _groups = groups;
            _time = time ?? TimeProvider.System;
            _replicationDelays = replicationDelays ?? XtapDecisions.ReplicationRetryDelays;
        }

        /// <summary>The backend for a signed-in tenant: its Graph client, and its admin API for scope groups.</summary>
        public static CrossTenantAccessService For(TenantSession session) =>
            new CrossTenantAccessService(new CrossTenantAccessClient(session.Graph), new ScopeGroupResolver(session.AdminApi));

        public CrossTenantAccessClient Client { get; }

        /// <summary>The partner's configuration and capabilities as the tenant shows them now.</summary>
        public Task<PartnerAccessState> GetStateAsync(string partnerTenantId, IEngineEvents events, CancellationToken cancellationToken) =>
            Client.GetPartnerStateAsync(partnerTenantId, events, cancellationToken);

        /// <summary>What an apply would write now (for -WhatIf and ShouldProcess); no writes.</summary>
        public async Task<PartnerAccessPlan> PlanAsync(PartnerAccessRequest request, IEngineEvents events, CancellationToken cancellationToken)
        {
            ResolvedPartnerRequest resolved = await ResolvedPartnerRequest.ResolveAsync(request, _groups, events, cancellationToken).ConfigureAwait(false);
            CrossTenantDefaultPolicy defaults = await Client.GetDefaultAsync(events, cancellationToken).ConfigureAwait(false);
            PartnerAccessState state = await Client.GetPartnerStateAsync(resolved.TenantId, events, cancellationToken).ConfigureAwait(false);
            return PartnerAccessPlanner.Plan(state, resolved.Request, defaults, resolved.Names);
        }

        /// <summary>Brings the partner to what was asked and returns what the tenant shows afterwards.</summary>
        public async Task<PartnerAccessResult> ApplyAsync(PartnerAccessRequest request, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (events == null) throw new ArgumentNullException(nameof(events));
            ResolvedPartnerRequest resolved = await ResolvedPartnerRequest.ResolveAsync(request, _groups, events, cancellationToken).ConfigureAwait(false);
            string tenantId = resolved.TenantId;
            Step(events, $"Reading the cross-tenant access policy for partner {tenantId}");
            CrossTenantDefaultPolicy defaults = await Client.GetDefaultAsync(events, cancellationToken).ConfigureAwait(false);
            var run = new Run(tenantId, events, cancellationToken);
            PartnerAccessPlan? first = null;
            for (int round = 1; ; round++)
            {
                PartnerAccessState state = await Client.GetPartnerStateAsync(tenantId, events, cancellationToken).ConfigureAwait(false);
                PartnerAccessPlan plan = PartnerAccessPlanner.Plan(state, resolved.Request, defaults, resolved.Names);
                if (first == null)
                {
                    first = plan;
                    foreach (string warning in plan.Warnings) events.Warning(warning);
                }
                if (plan.IsEmpty)
                {
                    if (run.Executed.Count == 0 && round == 1)
                    {
                        events.Verbose($"Partner {tenantId} already has what was asked; nothing to change.");
                        Done(events);
                        return new PartnerAccessResult(first, run.Executed, state, resolved.Groups);
                    }
                    break;
                }
                if (round > MaxRounds)
                {
                    throw new EngineException(ErrorIds.CrossTenantAccessNotVerified, ErrorKind.InvalidResult,
                        $"Partner {tenantId} kept changing while it was configured; still to do: {string.Join("; ", plan.Steps.Select(s => s.Description))}.", tenantId, isRetryable: true);
                }
                if (!await ExecuteAsync(run, plan).ConfigureAwait(false)) break;
            }
            PartnerAccessState after = await VerifyAsync(run, resolved, defaults).ConfigureAwait(false);
            Done(events);
            return new PartnerAccessResult(first!, run.Executed, after, resolved.Groups);
        }

        // Runs the plan's steps in order; true when the state turned out different from what was planned (re-plan).
        private async Task<bool> ExecuteAsync(Run run, PartnerAccessPlan plan)
        {
            for (int i = 0; i < plan.Steps.Count; i++)
            {
                PlanStep step = plan.Steps[i];
                run.Events.Verbose($"Partner {run.TenantId}: {step.Description}. {step.Reason}");
                run.Events.Progress(new ProgressUpdate(Activity, step.Description, (int)(100.0 * i / plan.Steps.Count), ProgressLanes.Step));
                switch (step.Kind)
                {
                    case PlanStepKind.CreatePartner:
                        if (!await CreatePartnerAsync(run).ConfigureAwait(false)) return true;
                        break;
                    case PlanStepKind.SetTrust:
                        try
                        {
                            await Replicated(run, step.Description, () => Ignore(Client.SetInboundTrustAsync(run.TenantId, step.Trust!, run.Events, run.CancellationToken))).ConfigureAwait(false);
                        }
                        catch (GraphException ex) when (ex.Status == 404 && ex.ErrorId == ErrorIds.GraphError)
                        {
                            throw ex.As(ErrorIds.CrossTenantAccessNotFound, ErrorKind.ObjectNotFound, $"The partner configuration for {run.TenantId} was not found when its trust was set.");
                        }
                        run.Replication = true;
                        break;
                    case PlanStepKind.RemoveCapability:
                        try
                        {
                            await Client.DeleteCapabilityAsync(run.TenantId, step.CapabilityName!, run.Events, run.CancellationToken).ConfigureAwait(false);
                        }
                        catch (GraphException ex) when (ex.Status == 404 && ex.ErrorId == ErrorIds.GraphError)
                        {
                            run.Events.Verbose($"{step.CapabilityName} was already gone.");
                            continue;
                        }
                        break;
                    case PlanStepKind.DisableCapability:
                    case PlanStepKind.UpdateCapability:
                        if (step.CapabilityExists)
                        {
                            try
                            {
                                await Replicated(run, step.Description, () => Ignore(Client.UpdateCapabilityAsync(run.TenantId, step.CapabilityName!, step.Access!, run.Events, run.CancellationToken)))
                                    .ConfigureAwait(false);
                                break;
                            }
                            catch (GraphException ex) when (ex.Status == 404 && ex.ErrorId == ErrorIds.GraphError)
                            {
                                run.Events.Verbose($"{step.CapabilityName} was gone when it was updated; it is created instead.");
                            }
                        }
                        if (!await AddOrConvergeAsync(run, step).ConfigureAwait(false)) continue;
                        break;
                    case PlanStepKind.AddCapability:
                        if (!await AddOrConvergeAsync(run, step).ConfigureAwait(false)) continue;
                        break;
                }
                run.Executed.Add(step);
            }
            return false;
        }

        // POST partners; false when it was already there (409, or a 400 with the partner readable), which means re-plan.
        private async Task<bool> CreatePartnerAsync(Run run)
        {
            try
            {
                await Client.CreatePartnerAsync(run.TenantId, run.Events, run.CancellationToken).ConfigureAwait(false);
                run.Replication = true;
                return true;
            }
            catch (GraphException ex) when (ex.ErrorId == ErrorIds.GraphError && ex.Status is int status && XtapDecisions.IsAlreadyThere(status))
            {
                run.Events.Verbose($"The partner configuration for {run.TenantId} already exists ({ex.Code ?? "409"}); reading it again.");
                run.Replication = true;
                return false;
            }
            catch (GraphException ex) when (ex.ErrorId == ErrorIds.GraphError && ex.Status == 400)
            {
                if (await Client.GetPartnerAsync(run.TenantId, run.Events, run.CancellationToken).ConfigureAwait(false) == null) throw;
                run.Events.Verbose($"Creating the partner configuration for {run.TenantId} was refused, but it exists; reading it again.");
                run.Replication = true;
                return false;
            }
        }

        // POST the capability; when it is already there (409, or a 400 and a read that shows it), PATCH it if it differs.
        // False when nothing needed writing after all.
        private async Task<bool> AddOrConvergeAsync(Run run, PlanStep step)
        {
            string name = step.CapabilityName!;
            InboundAccess access = step.Access!;
            try
            {
                await Replicated(run, step.Description, () => Client.CreateCapabilityAsync(run.TenantId, name, access, run.Events, run.CancellationToken)).ConfigureAwait(false);
                return true;
            }
            catch (GraphException ex) when (ex.ErrorId == ErrorIds.GraphError && ex.Status is int status && (XtapDecisions.IsAlreadyThere(status) || status == 400))
            {
                IReadOnlyList<M365Capability> now = await Client.ListCapabilitiesAsync(run.TenantId, run.Events, run.CancellationToken).ConfigureAwait(false);
                M365Capability? existing = now.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
                if (existing == null) throw;
                run.Events.Verbose($"{name} already exists ({ex.Status} {ex.Code}); " + (existing.InboundAccess.SameAs(access) ? "it is as asked." : "updating it."));
                if (existing.InboundAccess.SameAs(access)) return false;
                await Replicated(run, step.Description, () => Ignore(Client.UpdateCapabilityAsync(run.TenantId, name, access, run.Events, run.CancellationToken))).ConfigureAwait(false);
                return true;
            }
        }

        // Right after a create or a trust write, Graph may answer 400/404 to dependent calls for a while: retry within the bound.
        private async Task<T> Replicated<T>(Run run, string what, Func<Task<T>> call)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    return await call().ConfigureAwait(false);
                }
                catch (GraphException ex) when (run.Replication && ex.ErrorId == ErrorIds.GraphError && XtapDecisions.IsReplicationLag(ex.Status) && attempt < _replicationDelays.Count)
                {
                    TimeSpan wait = _replicationDelays[attempt];
                    string status = string.Format(CultureInfo.InvariantCulture, "{0}: Microsoft Graph answered {1}{2} right after the partner was configured; "
                        + "changes take a while to replicate; retrying in {3:0} s (attempt {4} of {5})",
                        what, ex.Status, ex.Code != null ? " " + ex.Code : "", wait.TotalSeconds, attempt + 2, _replicationDelays.Count + 1);
                    run.Events.Verbose(status + ".");
                    run.Events.Progress(new ProgressUpdate(Activity, status, lane: ProgressLanes.Retry));
                    await _time.Delay(wait, run.CancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task<PartnerAccessState> VerifyAsync(Run run, ResolvedPartnerRequest resolved, CrossTenantDefaultPolicy defaults)
        {
            for (int check = 0; ; check++)
            {
                PartnerAccessState state = await Client.GetPartnerStateAsync(run.TenantId, run.Events, run.CancellationToken).ConfigureAwait(false);
                PartnerAccessPlan remaining = PartnerAccessPlanner.Plan(state, resolved.Request, defaults, resolved.Names);
                if (remaining.IsEmpty)
                {
                    run.Events.Verbose($"Partner {run.TenantId}: the read-back shows what was asked.");
                    return state;
                }
                if (check >= _replicationDelays.Count)
                {
                    double waited = _replicationDelays.Sum(d => d.TotalSeconds);
                    throw new CrossTenantAccessNotVerifiedException(string.Format(CultureInfo.InvariantCulture,
                        "The changes to partner {0} were made, but {1:0} s later Microsoft Graph still does not show them; still to do: {2}. Run it again later to finish.",
                        run.TenantId, waited, string.Join("; ", remaining.Steps.Select(s => s.Description))), run.TenantId, state, remaining.Steps);
                }
                TimeSpan wait = _replicationDelays[check];
                string status = string.Format(CultureInfo.InvariantCulture, "Partner {0}: waiting {1:0} s for Microsoft Graph to show the change (check {2} of {3})",
                    run.TenantId, wait.TotalSeconds, check + 2, _replicationDelays.Count + 1);
                run.Events.Verbose(status + ".");
                run.Events.Progress(new ProgressUpdate(Activity, status, lane: ProgressLanes.Retry));
                await _time.Delay(wait, run.CancellationToken).ConfigureAwait(false);
            }
        }

        private static void Step(IEngineEvents events, string message)
        {
            events.Verbose(message + ".");
            events.Progress(new ProgressUpdate(Activity, message, lane: ProgressLanes.Step));
        }

        private static void Done(IEngineEvents events) => events.Progress(new ProgressUpdate(Activity, "Done", lane: ProgressLanes.Step, completed: true));

        private static async Task<int> Ignore(Task task)
        {
            await task.ConfigureAwait(false);
            return 0;
        }

        private sealed class Run
        {
            public Run(string tenantId, IEngineEvents events, CancellationToken cancellationToken)
            {
                TenantId = tenantId;
                Events = events;
                CancellationToken = cancellationToken;
            }

            public string TenantId { get; }
            public IEngineEvents Events { get; }
            public CancellationToken CancellationToken { get; }
            public List<PlanStep> Executed { get; } = new List<PlanStep>();

            /// <summary>Set once this run created the partner or wrote the trust: dependent calls may meet the replication window.</summary>
            public bool Replication { get; set; }
        }
    }
}
