using System;

namespace CalendarFederation
{
    /// <summary>
    /// A partner's federation information, with Exchange's property names so that it binds by property name
    /// into New-OrganizationRelationship (DomainNames, TargetApplicationUri, TargetAutodiscoverEpr), plus the partner's
    /// Microsoft Entra tenant (TenantId, also as PartnerTenantId, and its cloud), which binds into none of its parameters.
    /// </summary>
    public sealed class FederationInformation
    {
        public FederationInformation(string domainName, Uri targetApplicationUri, string[] domainNames, Uri targetAutodiscoverEpr,
            Uri[] tokenIssuerUris, Uri answeredBy, string answeredByCandidate, TimeSpan duration, string? serverVersion,
            Guid? tenantId = null, string? cloudInstanceName = null, string? tenantRegionScope = null, string? tenantRegionSubScope = null,
            string? msGraphHost = null)
        {
            TenantId = tenantId;
            CloudInstanceName = cloudInstanceName;
            TenantRegionScope = tenantRegionScope;
            TenantRegionSubScope = tenantRegionSubScope;
            MsGraphHost = msGraphHost;
            DomainName = domainName;
            TargetApplicationUri = targetApplicationUri;
            DomainNames = domainNames;
            TargetAutodiscoverEpr = targetAutodiscoverEpr;
            TokenIssuerUris = tokenIssuerUris;
            AnsweredBy = answeredBy;
            AnsweredByCandidate = answeredByCandidate;
            Duration = duration;
            ServerVersion = serverVersion;
        }

        /// <summary>The domain that was queried (Exchange's Identity).</summary>
        public string Identity => DomainName;

        public string DomainName { get; }

        /// <summary>The partner's federation ApplicationUri; "outlook.com" for Exchange Online.</summary>
        public Uri TargetApplicationUri { get; }

        /// <summary>The partner domains the answer covers. Since 2025 Exchange Online returns only the queried domain.</summary>
        public string[] DomainNames { get; }

        /// <summary>The endpoint that answered, with /WSSecurity appended by Exchange's rule.</summary>
        public Uri TargetAutodiscoverEpr { get; }

        public Uri[] TokenIssuerUris { get; }

        public bool IsValid => true;

        public string ObjectState => "Unchanged";

        /// <summary>The URL that gave the accepted answer.</summary>
        public Uri AnsweredBy { get; }

        /// <summary>Which candidate answered: Explicit, Cloud, AutodiscoverHost, DomainHost, an unsecured probe, or Alternate.</summary>
        public string AnsweredByCandidate { get; }

        /// <summary>How long discovery of this domain took.</summary>
        public TimeSpan Duration { get; }

        /// <summary>The Exchange version the server reported, when it did.</summary>
        public string? ServerVersion { get; }

        /// <summary>
        /// The partner's Microsoft Entra tenant id, from the anonymous OpenID configuration of the domain; null when it could
        /// not be looked up (the verbose output says why). Confirm it with the partner before you trust it.
        /// </summary>
        public Guid? TenantId { get; }

        /// <summary>
        /// <see cref="TenantId"/> under the name Grant-CrossTenantCalendarAccess binds by property name, so that only an
        /// object that names a partner binds there (a connection's TenantId is your own tenant).
        /// </summary>
        public Guid? PartnerTenantId => TenantId;

        /// <summary>The partner's cloud (<c>cloud_instance_name</c>): microsoftonline.com, microsoftonline.us or partner.microsoftonline.cn.</summary>
        public string? CloudInstanceName { get; }

        /// <summary><c>tenant_region_scope</c>, e.g. NA, EU or USGov, when Entra names it.</summary>
        public string? TenantRegionScope { get; }

        /// <summary><c>tenant_region_sub_scope</c>, e.g. DOD or DODCON for the US government clouds, when Entra names it.</summary>
        public string? TenantRegionSubScope { get; }

        /// <summary>The partner cloud's Microsoft Graph host (<c>msgraph_host</c>), e.g. graph.microsoft.com, when Entra names it.</summary>
        public string? MsGraphHost { get; }

        public override string ToString() => DomainName;
    }
}
