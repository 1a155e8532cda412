using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Relationships;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The reads and writes the executor makes in one tenant. <see cref="SessionFleetBackend"/> makes them through the
    /// tenant's live session; tests put a recording fake in its place.
    /// </summary>
    internal interface IFleetTenantBackend
    {
        /// <summary>Reads only: how the tenant's grant for the request's partner differs from it; empty when it already matches.</summary>
        Task<IReadOnlyList<string>> AccessDifferencesAsync(PartnerAccessRequest request, IEngineEvents events, CancellationToken cancellationToken);

        /// <summary>Reads only: what the tenant's policy holds for the partner (its configuration and capabilities).</summary>
        Task<PartnerAccessState> ReadAccessAsync(string partnerTenantId, IEngineEvents events, CancellationToken cancellationToken);

        /// <summary>Brings the partner's grant to the request (read, write, read back); true when something was written.</summary>
        Task<bool> ApplyAccessAsync(PartnerAccessRequest request, IEngineEvents events, CancellationToken cancellationToken);

        /// <summary>The relationship as the tenant shows it now; null when it is not there.</summary>
        Task<AdminObject?> ReadRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken);

        /// <summary>Creates or updates the relationship as planned; <paramref name="current"/> is what was just read (null: not there).</summary>
        Task WriteRelationshipAsync(SidePlan plan, AdminObject? current, IEngineEvents events, CancellationToken cancellationToken);

        Task SetRelationshipEnabledAsync(string identity, bool enabled, IEngineEvents events, CancellationToken cancellationToken);

        Task RemoveRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken);
    }

    /// <summary>The backend over a signed-in tenant: CrossTenantAccessService and OrganizationRelationshipService.</summary>
    internal sealed class SessionFleetBackend : IFleetTenantBackend
    {
        private readonly TenantSession _session;
        private readonly CrossTenantAccessService _access;

        public SessionFleetBackend(TenantSession session)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            _access = CrossTenantAccessService.For(session);
        }

        public async Task<IReadOnlyList<string>> AccessDifferencesAsync(PartnerAccessRequest request, IEngineEvents events, CancellationToken cancellationToken)
        {
            // The service's own planner decides: it compares exactly the families the request sets, scopes by object id.
            PartnerAccessPlan plan = await _access.PlanAsync(request, events, cancellationToken).ConfigureAwait(false);
            return plan.Steps.Select(s => s.Description).ToArray();
        }

        public Task<PartnerAccessState> ReadAccessAsync(string partnerTenantId, IEngineEvents events, CancellationToken cancellationToken) =>
            _access.GetStateAsync(partnerTenantId, events, cancellationToken);

        public async Task<bool> ApplyAccessAsync(PartnerAccessRequest request, IEngineEvents events, CancellationToken cancellationToken)
        {
            PartnerAccessResult result = await _access.ApplyAsync(request, events, cancellationToken).ConfigureAwait(false);
            return result.Changed;
        }

        public async Task<AdminObject?> ReadRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                return (await Service(events).GetAsync(identity, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                return null;
            }
        }

        public async Task WriteRelationshipAsync(SidePlan plan, AdminObject? current, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (current != null && plan.Action == SideAction.Create)
            {
                // Created by an earlier, interrupted run (or by hand) but not as planned: update it instead of creating twice.
                var has = new HashSet<string>(current.GetStrings("DomainNames"), StringComparer.OrdinalIgnoreCase);
                string[] missing = plan.AllPartnerDomains.Concat(plan.DomainsToAdd).Where(d => !has.Contains(d)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                await Service(events).UpdateAsync(current.GetString("Name") ?? plan.RelationshipName, plan.Settings, null, missing.Length > 0 ? missing : null, null,
                    cancellationToken, readBack: false).ConfigureAwait(false);
                return;
            }
            var snapshot = new TenantSnapshot(_session, _session.Organization, null, Array.Empty<string>(), plan.NeedsHydration, new List<AdminObject>());
            await FederationPlanner.ApplyAsync(snapshot, plan, events, cancellationToken).ConfigureAwait(false);
        }

        public Task SetRelationshipEnabledAsync(string identity, bool enabled, IEngineEvents events, CancellationToken cancellationToken) =>
            new Migration.AdminApiLegacySharing(_session.AdminApi).SetEnabledAsync(identity, enabled, events, cancellationToken);

        public Task RemoveRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken) =>
            Service(events).RemoveAsync(identity, cancellationToken);

        private OrganizationRelationshipService Service(IEngineEvents events) => new OrganizationRelationshipService(_session.AdminApi, events);
    }
}
