using System;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Tenants;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>The partner tenant a grant or revoke is for: its id, and the domain it was named by, checked against each other.</summary>
    public sealed class PartnerTarget
    {
        private PartnerTarget(string tenantId, string? domain, PartnerTenant? resolved)
        {
            TenantId = tenantId;
            Domain = domain;
            Resolved = resolved;
        }

        /// <summary>The partner's tenant id, lower-case GUID form.</summary>
        public string TenantId { get; }
        public string? Domain { get; }
        /// <summary>What Entra said about the domain (cloud, region), when a domain was given.</summary>
        public PartnerTenant? Resolved { get; }

        /// <summary>
        /// The partner named by a domain, a tenant id, or both. A domain is always resolved again (anonymously, on the session's
        /// sign-in host), so a tenant id from the pipeline or a file is never trusted blindly: both given and different is
        /// PartnerTenantMismatch. The session's own tenant is refused.
        /// </summary>
        public static async Task<PartnerTarget> ResolveAsync(TenantSession session, string? domain, string? tenantId, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            Guid? id = null;
            if (!string.IsNullOrWhiteSpace(tenantId))
            {
                if (!Guid.TryParse(tenantId!.Trim(), out Guid parsed) || parsed == Guid.Empty)
                {
                    throw new EngineException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                        $"'{tenantId}' is not a tenant id: a partner tenant is named by its GUID (the default policy is never changed here).", tenantId);
                }
                id = parsed;
            }
            if (string.IsNullOrWhiteSpace(domain) && id == null)
            {
                throw new EngineException(ErrorIds.PartnerNotNamed, ErrorKind.InvalidArgument, "Name the partner tenant: one of its domains, or its tenant id.");
            }
            PartnerTenant? resolved = null;
            if (!string.IsNullOrWhiteSpace(domain))
            {
                Uri host = PartnerTenantResolver.SignInHost(session.Environment);
                using var resolver = new PartnerTenantResolver(session.Http);
                resolved = id == null
                    ? await resolver.ResolveAsync(host, domain!, events, cancellationToken).ConfigureAwait(false)
                    : await resolver.VerifyAsync(host, domain!, id.Value, events, cancellationToken).ConfigureAwait(false);
                id = resolved.TenantId;
            }
            if (id == PartnerTenantResolver.MicrosoftAccountTenantId)
            {
                throw new EngineException(ErrorIds.PartnerTenantIsConsumer, ErrorKind.InvalidArgument,
                    $"{id} is the Microsoft account (consumer) tenant, not a Microsoft 365 organization: it cannot be granted calendar access.", id.ToString());
            }
            string normalized = id!.Value.ToString("D");
            if (string.Equals(normalized, session.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                throw new EngineException(ErrorIds.SameTenant, ErrorKind.InvalidArgument,
                    $"{normalized} is {session.Organization} itself: the cross-tenant access policy is for other tenants.", normalized);
            }
            return new PartnerTarget(normalized, resolved?.Domain ?? domain, resolved);
        }
    }
}
