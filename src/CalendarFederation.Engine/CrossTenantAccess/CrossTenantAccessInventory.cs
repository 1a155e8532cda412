using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Concurrency;

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

        /// <summary>
        /// Every partner and the default (null <paramref name="tenantIds"/>), or the ones asked for ('default' for the default).
        /// Reads that do not depend on each other go side by side (the Graph client's per-tenant gate caps what is in flight):
        /// the default with the partner list, then each partner's capabilities with the partners' default domains. Without
        /// <paramref name="nameDomains"/> the domains are not looked up (the fleet knows its tenants by id).
        /// </summary>
        public static async Task<CrossTenantAccessInventory> ReadAsync(TenantSession session, IReadOnlyList<string>? tenantIds, IEngineEvents events,
            CancellationToken cancellationToken, bool nameDomains = true)
        {
            var service = CrossTenantAccessService.For(session);
            var inventory = new CrossTenantAccessInventory();
            bool wantDefault = tenantIds == null || tenantIds.Any(IsDefault);
            Task<CrossTenantDefaultPolicy>? readDefault = wantDefault ? service.Client.GetDefaultAsync(events, cancellationToken) : null;
            Task partners = tenantIds == null
                ? inventory.ReadEveryPartnerAsync(service, session.Graph, nameDomains, events, cancellationToken)
                : inventory.ReadPartnersAsync(service, tenantIds, session.Graph, nameDomains, events, cancellationToken);
            // Both finish before either's failure is thrown: nothing is left running when the read ends.
            await SideBySide.AllAsync(readDefault ?? Task.CompletedTask, partners).ConfigureAwait(false);
            if (readDefault != null) inventory.Default = readDefault.Result;
            await inventory.NameGroupsAsync(session, events, cancellationToken).ConfigureAwait(false);
            return inventory;
        }

        private async Task ReadEveryPartnerAsync(CrossTenantAccessService service, GraphClient graph, bool nameDomains, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            IReadOnlyList<PartnerConfiguration> partners = await service.Client.ListPartnersAsync(events, cancellationToken).ConfigureAwait(false);
            Task domains = nameDomains ? NameDomainsAsync(partners.Select(p => p.TenantId).ToList(), graph, events, cancellationToken) : Task.CompletedTask;
            // One list of capabilities per partner, side by side.
            Task<PartnerAccessState[]> states = Task.WhenAll(partners.Select(async p => new PartnerAccessState(p.TenantId, p,
                await service.Client.ListCapabilitiesAsync(p.TenantId, events, cancellationToken).ConfigureAwait(false))));
            await SideBySide.AllAsync(states, domains).ConfigureAwait(false);
            Partners.AddRange(states.Result.OrderBy(s => s.PartnerTenantId, StringComparer.OrdinalIgnoreCase));
        }

        private async Task ReadPartnersAsync(CrossTenantAccessService service, IReadOnlyList<string> tenantIds, GraphClient graph, bool nameDomains,
            IEngineEvents events, CancellationToken cancellationToken)
        {
            foreach (string id in tenantIds.Where(i => !IsDefault(i)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                string normalized = CrossTenantAccessClient.NormalizeTenantId(id);
                PartnerAccessState state = await service.GetStateAsync(normalized, events, cancellationToken).ConfigureAwait(false);
                if (state.Exists) Partners.Add(state);
                else Missing.Add(normalized);
            }
            if (nameDomains) await NameDomainsAsync(Partners.Select(p => p.PartnerTenantId).ToList(), graph, events, cancellationToken).ConfigureAwait(false);
        }

        private static bool IsDefault(string id) => string.Equals(id?.Trim(), DefaultId, StringComparison.OrdinalIgnoreCase);

        private static readonly GraphRequirement FindTenant = new GraphRequirement("look up a tenant's default domain",
            new[] { "CrossTenantInformation.ReadBasic.All" }, Array.Empty<EntraRole>());

        // Best effort: the lookup needs CrossTenantInformation.ReadBasic.All, which a policy-only sign-in may lack; the
        // first refusal ends the lookups, and the rows show no domain.
        // One lookup after another on purpose: a refusal stops the rest instead of being repeated once per partner.
        private async Task NameDomainsAsync(IReadOnlyList<string> partnerTenantIds, GraphClient graph, IEngineEvents events, CancellationToken cancellationToken)
        {
            foreach (string partnerTenantId in partnerTenantIds)
            {
                try
                {
                    JsonElement? info = await graph.GetOrDefaultAsync($"tenantRelationships/findTenantInformationByTenantId(tenantId='{partnerTenantId}')",
                        FindTenant, events, cancellationToken).ConfigureAwait(false);
                    if (info is JsonElement e && e.TryGetProperty("defaultDomainName", out JsonElement d) && d.ValueKind == JsonValueKind.String)
                    {
                        DefaultDomains[partnerTenantId] = d.GetString()!;
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
