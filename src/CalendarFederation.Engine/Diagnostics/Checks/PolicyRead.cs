using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.CrossTenantAccess;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>A tenant id as looked up for the diagnostics: the id, or why there is none.</summary>
    internal sealed class TenantLookup
    {
        public TenantLookup(string domain, string? tenantId, string? errorId, string? failure)
        {
            Domain = domain;
            TenantId = tenantId;
            ErrorId = errorId;
            Failure = failure;
        }

        public static TenantLookup Known(string domain, string tenantId) => new TenantLookup(domain, tenantId, null, null);

        public static TenantLookup Failed(string domain, EngineException ex) => new TenantLookup(domain, null, ex.ErrorId, ex.Message);

        /// <summary>The domain the tenant was looked up by (or named after).</summary>
        public string Domain { get; }
        /// <summary>Lower-case GUID; null when not known.</summary>
        public string? TenantId { get; }
        public string? ErrorId { get; }
        public string? Failure { get; }

        /// <summary>Entra knows no tenant for the domain, or it is the Microsoft account tenant: no policy can name it.</summary>
        public bool IsNotATenant => ErrorId == ErrorIds.PartnerTenantNotFound || ErrorId == ErrorIds.PartnerTenantIsConsumer;
    }

    /// <summary>One tenant's cross-tenant access policy about the other tenant of the pair, as read, or why it was not.</summary>
    internal sealed class PolicyRead
    {
        public PolicyRead(string organization, string other, string otherTenantId, PartnerAccessState? state, CollaborationTrust? defaultTrust,
            string? defaultFailure = null, string? failure = null, string? failureRecommendation = null)
        {
            Organization = organization;
            Other = other;
            OtherTenantId = otherTenantId;
            State = state;
            DefaultTrust = defaultTrust;
            DefaultFailure = defaultFailure;
            Failure = failure;
            FailureRecommendation = failureRecommendation;
        }

        public static PolicyRead Failed(string organization, string other, string otherTenantId, string failure, string? recommendation) =>
            new PolicyRead(organization, other, otherTenantId, null, null, null, failure, recommendation);

        /// <summary>The tenant whose policy this is (the one that serves free/busy: X-TAP is inbound only, docs/cross-tenant-access.md §1.2).</summary>
        public string Organization { get; }
        /// <summary>The tenant whose users the policy lets in.</summary>
        public string Other { get; }
        public string OtherTenantId { get; }
        /// <summary>The partner configuration for <see cref="Other"/> and its capabilities; null when the policy could not be read.</summary>
        public PartnerAccessState? State { get; }
        /// <summary>The default policy's trust, read only when the partner configuration inherits it; null when not read.</summary>
        public CollaborationTrust? DefaultTrust { get; }
        public string? DefaultFailure { get; }
        /// <summary>Why the policy could not be read (Graph's explanation, naming the permission or role); null when it was.</summary>
        public string? Failure { get; }
        public string? FailureRecommendation { get; }

        public bool IsRead => State != null;

        /// <summary>There is a partner configuration for <see cref="Other"/>: someone set the policy up for this pair.</summary>
        public bool HasPartner => State?.Exists == true;

        /// <summary>The trust that applies: the partner's own, or (null there) the default's; null when that could not be read.</summary>
        public CollaborationTrust? EffectiveTrust => State == null ? null : State.Trust.State != TrustState.Inherited ? State.Trust : DefaultTrust;

        /// <summary>The trust lets at least some of the other tenant's users in (a scoped trust lets some in).</summary>
        public bool TrustLetsIn => EffectiveTrust is CollaborationTrust t && (t.State == TrustState.AllUsers || t.State == TrustState.Scoped);

        /// <summary>The allowed free/busy capabilities of the partner configuration.</summary>
        public IReadOnlyList<M365Capability> FreeBusy => State?.Allowed(CapabilityFamily.FreeBusy) ?? Array.Empty<M365Capability>();

        /// <summary>The policy lets the other tenant's users see free/busy: a partner configuration, a trust that lets them in, a capability.</summary>
        public bool Grants => HasPartner && TrustLetsIn && FreeBusy.Count > 0;

        /// <summary>"fabrikam.onmicrosoft.com grants contoso.onmicrosoft.com AvailabilityOnly", or what is missing.</summary>
        public string DescribeGrant()
        {
            if (!IsRead) return $"{Organization}'s policy was not read";
            if (Grants) return $"{Organization} grants {Other} {string.Join(" and ", FreeBusy.Select(c => M365CapabilityNames.FreeBusyLevelOf(c.Name)))}";
            return $"{Organization} grants {Other} nothing yet";
        }
    }
}
