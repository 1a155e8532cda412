using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Graph;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>A tenant's cross-tenant access policy as Get-CrossTenantCalendarAccess shows it, with names for ids where they can be found.</summary>
    public sealed class CrossTenantAccessInventory
    {
        public CrossTenantDefaultPolicy? Default { get; set; }
        public List<PartnerAccessState> Partners { get; } = new List<PartnerAccessState>();
        /// <summary>Tenant ids asked for that have no partner configuration.</summary>
        public List<string> Missing { get; } = new List<string>();
        /// <summary>Partner tenant id to its default domain (findTenantInformationByTenantId), where Graph would say.</summary>
        public Dictionary<string, string> DefaultDomains { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Scope group object id to the group's name, for the ids the admin API knows.</summary>
        public Dictionary<string, string> GroupNames { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public const string DefaultId = "default";

        /// <summary>Every partner and the default (null <paramref name="tenantIds"/>), or the ones asked for ('default' for the default).</summary>
        public static async Task<CrossTenantAccessInventory> ReadAsync(TenantSession session, IReadOnlyList<string>? tenantIds, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            var service = CrossTenantAccessService.For(session);
            var inventory = new CrossTenantAccessInventory();
            bool wantDefault = tenantIds == null || tenantIds.Any(IsDefault);
            if (wantDefault) inventory.Default = await service.Client.GetDefaultAsync(events, cancellationToken).ConfigureAwait(false);

            if (tenantIds == null)
            {
                IReadOnlyList<PartnerConfiguration> partners = await service.Client.ListPartnersAsync(events, cancellationToken).ConfigureAwait(false);
                // One list of capabilities per partner, side by side; the Graph client's per-tenant gate caps the requests in flight.
                PartnerAccessState[] states = await Task.WhenAll(partners.Select(async p => new PartnerAccessState(p.TenantId, p,
                    await service.Client.ListCapabilitiesAsync(p.TenantId, events, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
                inventory.Partners.AddRange(states.OrderBy(s => s.PartnerTenantId, StringComparer.OrdinalIgnoreCase));
            }
            else
            {
                foreach (string id in tenantIds.Where(i => !IsDefault(i)).Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    string normalized = CrossTenantAccessClient.NormalizeTenantId(id);
                    PartnerAccessState state = await service.GetStateAsync(normalized, events, cancellationToken).ConfigureAwait(false);
                    if (state.Exists) inventory.Partners.Add(state);
                    else inventory.Missing.Add(normalized);
                }
            }

            await inventory.NameDomainsAsync(session.Graph, events, cancellationToken).ConfigureAwait(false);
            await inventory.NameGroupsAsync(session, events, cancellationToken).ConfigureAwait(false);
            return inventory;
        }

        private static bool IsDefault(string id) => string.Equals(id?.Trim(), DefaultId, StringComparison.OrdinalIgnoreCase);

        private static readonly GraphRequirement FindTenant = new GraphRequirement("look up a tenant's default domain",
            new[] { "CrossTenantInformation.ReadBasic.All" }, Array.Empty<EntraRole>());

        // Best effort: the lookup needs CrossTenantInformation.ReadBasic.All, which a policy-only sign-in may lack; the
        // first refusal ends the lookups, and the rows show no domain.
        private async Task NameDomainsAsync(GraphClient graph, IEngineEvents events, CancellationToken cancellationToken)
        {
            foreach (PartnerAccessState partner in Partners)
            {
                try
                {
                    JsonElement? info = await graph.GetOrDefaultAsync($"tenantRelationships/findTenantInformationByTenantId(tenantId='{partner.PartnerTenantId}')",
                        FindTenant, events, cancellationToken).ConfigureAwait(false);
                    if (info is JsonElement e && e.TryGetProperty("defaultDomainName", out JsonElement d) && d.ValueKind == JsonValueKind.String)
                    {
                        DefaultDomains[partner.PartnerTenantId] = d.GetString()!;
                    }
                }
                catch (GraphException ex) when (ex.Status == 403 || ex.Status == 400)
                {
                    events.Verbose($"Partner domains are not shown: {ex.Message}");
                    return;
                }
            }
        }

        private async Task NameGroupsAsync(TenantSession session, IEngineEvents events, CancellationToken cancellationToken)
        {
            var ids = Partners.SelectMany(p => p.Capabilities).Concat(Default?.Capabilities ?? Array.Empty<M365Capability>())
                .SelectMany(c => c.InboundAccess.Scopes.Included.Concat(c.InboundAccess.Scopes.Excluded))
                .Where(s => !s.IsEmpty && !s.IsEveryone).Select(s => s.ResourceId!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (ids.Count == 0) return;
            var resolver = new ScopeGroupResolver(session.AdminApi);
            foreach (string id in ids)
            {
                try
                {
                    ScopeGroup group = await resolver.ResolveAsync(id, events, cancellationToken).ConfigureAwait(false);
                    GroupNames[id] = group.DisplayName ?? group.Identity;
                }
                catch (EngineException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    events.Verbose($"The scope {id} is shown without a name: {ex.Message}");
                }
            }
        }
    }
}
