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
    /// <summary>What each X-TAP call needs (docs/cross-tenant-access.md §2-§3, docs/xtap-wire.md; the role lists are XtapDecisions D12). A 403 names them.</summary>
    public static class CrossTenantAccessRequirements
    {
        public static GraphRequirement ReadPolicy { get; } = new GraphRequirement("read the cross-tenant access policy",
            new[] { GraphScopes.PolicyReadAll, GraphScopes.PolicyReadWriteCrossTenantAccess }, XtapDecisions.PolicyReadRoles);

        public static GraphRequirement ReadCapabilities { get; } = new GraphRequirement("read the Microsoft 365 capabilities of the cross-tenant access policy",
            new[] { GraphScopes.PolicyReadAll, GraphScopes.PolicyReadWriteCrossTenantCapability }, XtapDecisions.CapabilityReadRoles);

        public static GraphRequirement WriteTrust { get; } = new GraphRequirement("change a partner configuration and its Microsoft 365 collaboration trust",
            new[] { GraphScopes.PolicyReadWriteCrossTenantAccess }, XtapDecisions.TrustWriteRoles);

        public static GraphRequirement WriteCapability(string capabilityName) => new GraphRequirement($"change the Microsoft 365 capability {capabilityName}",
            new[] { GraphScopes.PolicyReadWriteCrossTenantCapability }, XtapDecisions.CapabilityWriteRoles(capabilityName));
    }

    /// <summary>
    /// The X-TAP calls on Microsoft Graph v1.0, one method each (docs/xtap-wire.md lists them with their sources): the
    /// default policy, partners (paged), a partner (null when absent), create a partner, set its Microsoft 365
    /// collaboration trust, and list/create/update/delete its m365Capabilities. No decisions are made here beyond
    /// turning "m365Capabilities is not offered" into CrossTenantAccessNotAvailable.
    /// </summary>
    public sealed class CrossTenantAccessClient
    {
        public const string PolicyPath = "policies/crossTenantAccessPolicy";
        public const string DefaultPath = PolicyPath + "/default";
        public const string PartnersPath = PolicyPath + "/partners";

        public CrossTenantAccessClient(GraphClient graph) => Graph = graph ?? throw new ArgumentNullException(nameof(graph));

        public GraphClient Graph { get; }

        public static string PartnerPath(string tenantId) => PartnersPath + "/" + NormalizeTenantId(tenantId);

        public static string CapabilitiesPath(string? tenantId) => (tenantId == null ? DefaultPath : PartnerPath(tenantId)) + "/m365Capabilities";

        public static string CapabilityPath(string tenantId, string name) => CapabilitiesPath(tenantId) + "/" + Uri.EscapeDataString(name);

        /// <summary>A tenant id as a lower-case GUID; anything else is InvalidArgument (it goes into a URL).</summary>
        public static string NormalizeTenantId(string tenantId)
        {
            if (!Guid.TryParse(tenantId, out Guid id))
            {
                throw new EngineException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, $"'{tenantId}' is not a tenant id (a GUID).", tenantId);
            }
            return id.ToString("D");
        }

        /// <summary>GET default, then GET default/m365Capabilities.</summary>
        public async Task<CrossTenantDefaultPolicy> GetDefaultAsync(IEngineEvents events, CancellationToken cancellationToken)
        {
            // The two reads do not depend on each other.
            Task<JsonElement> body = Graph.GetAsync(DefaultPath, CrossTenantAccessRequirements.ReadPolicy, events, cancellationToken);
            Task<IReadOnlyList<M365Capability>> capabilities = ListCapabilitiesAsync(null, events, cancellationToken);
            await SideBySide.AllAsync(body, capabilities).ConfigureAwait(false);
            return new CrossTenantDefaultPolicy(CrossTenantAccessJson.ParseTrust(Get(body.Result, "m365CollaborationInbound")), capabilities.Result);
        }

        /// <summary>GET partners, every page.</summary>
        public async Task<IReadOnlyList<PartnerConfiguration>> ListPartnersAsync(IEngineEvents events, CancellationToken cancellationToken)
        {
            IReadOnlyList<JsonElement> items = await Graph.GetCollectionAsync(PartnersPath, CrossTenantAccessRequirements.ReadPolicy, events, cancellationToken).ConfigureAwait(false);
            return Parse(items, i => CrossTenantAccessJson.ParsePartner(i), PartnersPath);
        }

        /// <summary>GET partners/{id}; null on 404 (no partner configuration: the tenant gets the default policy).</summary>
        public async Task<PartnerConfiguration?> GetPartnerAsync(string tenantId, IEngineEvents events, CancellationToken cancellationToken)
        {
            string id = NormalizeTenantId(tenantId);
            JsonElement? body = await Graph.GetOrDefaultAsync(PartnerPath(id), CrossTenantAccessRequirements.ReadPolicy, events, cancellationToken).ConfigureAwait(false);
            return body == null ? null : ParseOne(body.Value, b => CrossTenantAccessJson.ParsePartner(b, id), PartnerPath(id));
        }

        /// <summary>POST partners {"tenantId":…} (201); the created configuration when Graph returns it. A 409 is the caller's to handle.</summary>
        public async Task<PartnerConfiguration?> CreatePartnerAsync(string tenantId, IEngineEvents events, CancellationToken cancellationToken)
        {
            string id = NormalizeTenantId(tenantId);
            JsonElement? body = await Graph.PostAsync(PartnersPath, CrossTenantAccessJson.CreatePartnerBody(id), CrossTenantAccessRequirements.WriteTrust, events, cancellationToken)
                .ConfigureAwait(false);
            return body is JsonElement b && b.ValueKind == JsonValueKind.Object ? ParseOne(b, x => CrossTenantAccessJson.ParsePartner(x, id), PartnersPath) : null;
        }

        /// <summary>PATCH partners/{id} {"m365CollaborationInbound":…} (204). It replaces the whole block.</summary>
        public Task SetInboundTrustAsync(string tenantId, CollaborationTrust trust, IEngineEvents events, CancellationToken cancellationToken) =>
            Graph.PatchAsync(PartnerPath(tenantId), CrossTenantAccessJson.TrustBody(trust ?? throw new ArgumentNullException(nameof(trust))),
                CrossTenantAccessRequirements.WriteTrust, events, cancellationToken);

        /// <summary>GET …/m365Capabilities of a partner, or of the default policy when <paramref name="tenantId"/> is null.</summary>
        public async Task<IReadOnlyList<M365Capability>> ListCapabilitiesAsync(string? tenantId, IEngineEvents events, CancellationToken cancellationToken)
        {
            string path = CapabilitiesPath(tenantId);
            IReadOnlyList<JsonElement> items = await Capabilities(path, () =>
                Graph.GetCollectionAsync(path, CrossTenantAccessRequirements.ReadCapabilities, events, cancellationToken)).ConfigureAwait(false);
            var result = new List<M365Capability>();
            foreach (JsonElement item in items)
            {
                M365Capability? capability = CrossTenantAccessJson.ParseCapability(item);
                if (capability != null) result.Add(capability);
                else events.Verbose($"{path}: skipped an entry with neither a name nor an @odata.type.");
            }
            return result;
        }

        /// <summary>POST …/m365Capabilities {"@odata.type":…,"inboundAccess":…} (201); the created capability when Graph returns it.</summary>
        public async Task<M365Capability?> CreateCapabilityAsync(string tenantId, string name, InboundAccess access, IEngineEvents events, CancellationToken cancellationToken)
        {
            string path = CapabilitiesPath(tenantId);
            JsonElement? body = await Capabilities(path, () =>
                Graph.PostAsync(path, CrossTenantAccessJson.CreateCapabilityBody(name, access), CrossTenantAccessRequirements.WriteCapability(name), events, cancellationToken))
                .ConfigureAwait(false);
            return body is JsonElement b ? CrossTenantAccessJson.ParseCapability(b) : null;
        }

        /// <summary>PATCH …/m365Capabilities/{name} {"inboundAccess":…} (204).</summary>
        public Task UpdateCapabilityAsync(string tenantId, string name, InboundAccess access, IEngineEvents events, CancellationToken cancellationToken)
        {
            string path = CapabilityPath(tenantId, name);
            return Capabilities(path, async () =>
            {
                await Graph.PatchAsync(path, CrossTenantAccessJson.UpdateCapabilityBody(access), CrossTenantAccessRequirements.WriteCapability(name), events, cancellationToken)
                    .ConfigureAwait(false);
                return 0;
            });
        }

        /// <summary>DELETE …/m365Capabilities/{name} (204).</summary>
        public Task DeleteCapabilityAsync(string tenantId, string name, IEngineEvents events, CancellationToken cancellationToken)
        {
            string path = CapabilityPath(tenantId, name);
            return Capabilities(path, async () =>
            {
                await Graph.DeleteAsync(path, CrossTenantAccessRequirements.WriteCapability(name), events, cancellationToken).ConfigureAwait(false);
                return 0;
            });
        }

        /// <summary>The partner and, when it exists, its capabilities.</summary>
        public async Task<PartnerAccessState> GetPartnerStateAsync(string tenantId, IEngineEvents events, CancellationToken cancellationToken)
        {
            string id = NormalizeTenantId(tenantId);
            PartnerConfiguration? partner = await GetPartnerAsync(id, events, cancellationToken).ConfigureAwait(false);
            if (partner == null) return new PartnerAccessState(id, null, Array.Empty<M365Capability>());
            IReadOnlyList<M365Capability> capabilities;
            try
            {
                capabilities = await ListCapabilitiesAsync(id, events, cancellationToken).ConfigureAwait(false);
            }
            catch (GraphException ex) when (ex.Status == 404 && ex.ErrorId == ErrorIds.GraphError)
            {
                // Deleted between the two reads.
                return new PartnerAccessState(id, null, Array.Empty<M365Capability>());
            }
            return new PartnerAccessState(id, partner, capabilities);
        }

        private async Task<T> Capabilities<T>(string path, Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (GraphException ex) when (XtapDecisions.IsCapabilitiesSegmentUnknown(ex))
            {
                throw ex.As(ErrorIds.CrossTenantAccessNotAvailable, ErrorKind.ResourceUnavailable,
                    $"Microsoft Graph {Graph.Options.ApiVersion} at {Graph.Options.BaseUri.Host} does not offer m365Capabilities ({path}): the Microsoft 365 cross-tenant " +
                    "access policy has not reached this tenant or this cloud yet (its v1.0 pages list the global cloud only).");
            }
        }

        private static JsonElement? Get(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? v : (JsonElement?)null;

        private static IReadOnlyList<T> Parse<T>(IEnumerable<JsonElement> items, Func<JsonElement, T> parse, string path) => items.Select(i => ParseOne(i, parse, path)).ToArray();

        private static T ParseOne<T>(JsonElement item, Func<JsonElement, T> parse, string path)
        {
            try
            {
                return parse(item);
            }
            catch (Exception ex) when (ex is JsonException || ex is InvalidOperationException)
            {
                throw new GraphException(ErrorIds.MalformedResponse, ErrorKind.InvalidData, $"{path}: Microsoft Graph's answer is not the expected shape ({ex.Message}).", inner: ex);
            }
        }
    }
}
