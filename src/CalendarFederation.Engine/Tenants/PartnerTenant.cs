using System;

namespace CalendarFederation.Engine.Tenants
{
    /// <summary>
    /// A partner's Microsoft Entra tenant as its anonymous OpenID configuration names it: the tenant id (the GUID in
    /// <c>issuer</c>) and the cloud it lives in. What Entra says about a domain, not a proof of who the partner is:
    /// confirm the id with the partner before you trust it (docs/cross-tenant-access.md §2.1).
    /// </summary>
    public sealed class PartnerTenant
    {
        public PartnerTenant(string domain, Guid tenantId, string issuer, Uri source, string? cloudInstanceName, string? tenantRegionScope,
            string? tenantRegionSubScope, string? msGraphHost)
        {
            Domain = domain ?? throw new ArgumentNullException(nameof(domain));
            TenantId = tenantId;
            Issuer = issuer ?? throw new ArgumentNullException(nameof(issuer));
            Source = source ?? throw new ArgumentNullException(nameof(source));
            CloudInstanceName = cloudInstanceName;
            TenantRegionScope = tenantRegionScope;
            TenantRegionSubScope = tenantRegionSubScope;
            MsGraphHost = msGraphHost;
        }

        /// <summary>The domain looked up, normalised (ASCII, lower case).</summary>
        public string Domain { get; }

        public Guid TenantId { get; }

        /// <summary>The document's issuer, e.g. https://login.microsoftonline.com/{tenant id}/v2.0.</summary>
        public string Issuer { get; }

        /// <summary>The URL the configuration was read from.</summary>
        public Uri Source { get; }

        /// <summary><c>cloud_instance_name</c>: microsoftonline.com (worldwide, GCC), microsoftonline.us (GCC High, DoD), partner.microsoftonline.cn (21Vianet).</summary>
        public string? CloudInstanceName { get; }

        /// <summary><c>tenant_region_scope</c>, e.g. NA, EU, USGov, when present.</summary>
        public string? TenantRegionScope { get; }

        /// <summary><c>tenant_region_sub_scope</c>, when present: DOD or DODCON for the US government clouds (docs/protocol.md §1.3).</summary>
        public string? TenantRegionSubScope { get; }

        /// <summary><c>msgraph_host</c>: the partner cloud's Microsoft Graph host, e.g. graph.microsoft.com, when present.</summary>
        public string? MsGraphHost { get; }

        public override string ToString() => Domain + " -> " + TenantId;
    }
}
