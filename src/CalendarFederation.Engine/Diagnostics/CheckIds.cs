using System;
using System.Collections.Generic;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>
    /// Every finding id Test-OrganizationRelationship gives, in one place, and the one declaration of their ranking.
    /// The ids are a public contract (scripts act on them): add ids, never rename one. A new id goes into
    /// <see cref="Ranking"/> too; CheckIdsTests fails until it is there and some check declares it.
    /// </summary>
    public static class CheckIds
    {
        // Hydration
        public const string TenantDehydrated = nameof(TenantDehydrated);

        // Our side: how our users reach the partner, and what the partner may see of us
        public const string LocalRelationshipMissing = nameof(LocalRelationshipMissing);
        public const string LocalRelationshipDisabled = nameof(LocalRelationshipDisabled);
        public const string TargetApplicationUriMissing = nameof(TargetApplicationUriMissing);
        public const string TargetAutodiscoverEprMissing = nameof(TargetAutodiscoverEprMissing);
        public const string PartnerDomainsNotCovered = nameof(PartnerDomainsNotCovered);
        public const string PartnerDomainsSplit = nameof(PartnerDomainsSplit);
        public const string PartnerDomainsUnknown = nameof(PartnerDomainsUnknown);
        public const string LocalFreeBusyNotShared = nameof(LocalFreeBusyNotShared);
        public const string LocalScopeGroupMissing = nameof(LocalScopeGroupMissing);
        public const string LocalScopeGroupTooLarge = nameof(LocalScopeGroupTooLarge);

        // The partner's targets against a fresh discovery, asked the way the relationship was built
        public const string TargetApplicationUriStale = nameof(TargetApplicationUriStale);
        public const string TargetAutodiscoverEprStale = nameof(TargetAutodiscoverEprStale);
        public const string PartnerDiscoveryFailed = nameof(PartnerDiscoveryFailed);
        public const string PartnerIsHybrid = nameof(PartnerIsHybrid);
        public const string PartnerIsOnPremises = nameof(PartnerIsOnPremises);

        // Their side: what they let our users see
        public const string PartnerSideNotChecked = nameof(PartnerSideNotChecked);
        public const string PartnerRelationshipMissing = nameof(PartnerRelationshipMissing);
        public const string PartnerRelationshipDisabled = nameof(PartnerRelationshipDisabled);
        public const string PartnerFreeBusyNotShared = nameof(PartnerFreeBusyNotShared);
        public const string LocalDomainsNotCoveredByPartner = nameof(LocalDomainsNotCoveredByPartner);
        public const string PartnerTargetsMissing = nameof(PartnerTargetsMissing);
        public const string PartnerScopeGroupMissing = nameof(PartnerScopeGroupMissing);
        public const string PartnerScopeGroupTooLarge = nameof(PartnerScopeGroupTooLarge);
        public const string PartnerScopeExcludesMailbox = nameof(PartnerScopeExcludesMailbox);
        public const string PartnerScopeMembershipUnchecked = nameof(PartnerScopeMembershipUnchecked);
        public const string FreeBusyLevelsDiffer = nameof(FreeBusyLevelsDiffer);

        // EWS, which the organization relationships still depend on (docs/cross-tenant-access.md §1.5)
        public const string EwsBlocked = nameof(EwsBlocked);
        public const string EwsAtRisk = nameof(EwsAtRisk);

        // The Microsoft 365 cross-tenant access policy (X-TAP) on each side, and the legacy objects that hide it (docs/cross-tenant-access.md §1.4, §5)
        public const string LegacyHidesCrossTenantAccess = nameof(LegacyHidesCrossTenantAccess);
        public const string PartnerTenantNotResolved = nameof(PartnerTenantNotResolved);
        public const string CrossTenantTrustMissing = nameof(CrossTenantTrustMissing);
        public const string CrossTenantTrustBlocked = nameof(CrossTenantTrustBlocked);
        public const string CrossTenantCapabilityMissing = nameof(CrossTenantCapabilityMissing);
        public const string CrossTenantScopeExcludesMailbox = nameof(CrossTenantScopeExcludesMailbox);
        public const string CrossTenantTwoFreeBusyLevels = nameof(CrossTenantTwoFreeBusyLevels);
        public const string CrossTenantAccessNotChecked = nameof(CrossTenantAccessNotChecked);
        public const string CrossTenantScopeUnchecked = nameof(CrossTenantScopeUnchecked);

        // One mailbox: its calendar, and the real free/busy question
        public const string ProbeSkipped = nameof(ProbeSkipped);
        public const string CalendarDefaultPermissionNone = nameof(CalendarDefaultPermissionNone);
        public const string FreeBusyProbeFailed = nameof(FreeBusyProbeFailed);
        /// <summary>The probe could not run: no token with its Graph permission (Calendars.ReadBasic), or getSchedule refused it (403). Info: it says nothing of free/busy.</summary>
        public const string FreeBusyProbeNotRun = nameof(FreeBusyProbeNotRun);
        public const string FreeBusyNotVisible = nameof(FreeBusyNotVisible);
        public const string FreeBusyVisibleLimitedDetails = nameof(FreeBusyVisibleLimitedDetails);
        public const string FreeBusyVisibleAvailabilityOnly = nameof(FreeBusyVisibleAvailabilityOnly);
        public const string EffectiveLevel = nameof(EffectiveLevel);
        /// <summary>The probe's 7002: Exchange Online does not serve the domain through the cross-tenant access policy for this pair.</summary>
        public const string CrossTenantAccessNotServed = nameof(CrossTenantAccessNotServed);
        /// <summary>The probe's 5016: the policy's user or group restrictions leave the mailbox out.</summary>
        public const string CrossTenantAccessScopeDenied = nameof(CrossTenantAccessScopeDenied);

        // The verdict
        public const string NoProblemsFound = nameof(NoProblemsFound);

        /// <summary>
        /// The ranking: findings of one severity are listed in this order, the most likely cause of failing free/busy
        /// first (severity itself comes first: Blocking, Warning, Info, Pass). Declared here once; ranks derive from it.
        ///
        /// The cross-tenant access ids: EwsBlocked comes right after TenantDehydrated (with EWS off on the side that serves, the
        /// relationship answers nothing, whatever else is right), and EwsAtRisk and LegacyHidesCrossTenantAccess, Warnings
        /// only, sit next to it so they head the Warnings (the switch to False can come any day; the cut-over is its fix). The
        /// policy's own causes (partner not resolvable, trust, capability, scope) close the Blocking causes, before the probe's
        /// symptoms; the probe's 7002 and 5016 follow FreeBusyNotVisible, which they replace. As Warnings (the legacy path still
        /// answers, or the side is ours), those causes rank after the domain warnings and before the relationship's own.
        /// CrossTenantTwoFreeBusyLevels closes the Warnings; CrossTenantAccessNotChecked (a Warning when the policy may be the
        /// only path, else Info) heads the Infos; CrossTenantScopeUnchecked sits with PartnerScopeMembershipUnchecked.
        /// </summary>
        public static IReadOnlyList<string> Ranking { get; } = new[]
        {
            TenantDehydrated,
            EwsBlocked, EwsAtRisk, LegacyHidesCrossTenantAccess,
            LocalRelationshipMissing, LocalRelationshipDisabled, PartnerRelationshipMissing, PartnerRelationshipDisabled, PartnerFreeBusyNotShared,
            TargetApplicationUriMissing, TargetAutodiscoverEprMissing, TargetApplicationUriStale,
            LocalDomainsNotCoveredByPartner, PartnerDomainsNotCovered,
            CalendarDefaultPermissionNone, PartnerScopeGroupMissing, PartnerScopeExcludesMailbox,
            PartnerTenantNotResolved, CrossTenantTrustMissing, CrossTenantTrustBlocked, CrossTenantCapabilityMissing, CrossTenantScopeExcludesMailbox,
            FreeBusyProbeFailed, FreeBusyNotVisible, CrossTenantAccessNotServed, CrossTenantAccessScopeDenied,
            TargetAutodiscoverEprStale, PartnerDiscoveryFailed, PartnerDomainsSplit,
            LocalFreeBusyNotShared, LocalScopeGroupMissing, PartnerScopeGroupTooLarge, LocalScopeGroupTooLarge, PartnerTargetsMissing,
            CrossTenantTwoFreeBusyLevels, CrossTenantAccessNotChecked,
            FreeBusyLevelsDiffer, PartnerScopeMembershipUnchecked, CrossTenantScopeUnchecked, PartnerDomainsUnknown, PartnerSideNotChecked,
            PartnerIsHybrid, PartnerIsOnPremises, ProbeSkipped, FreeBusyProbeNotRun, EffectiveLevel,
            FreeBusyVisibleLimitedDetails, FreeBusyVisibleAvailabilityOnly,
            NoProblemsFound,
        };

        private static readonly Dictionary<string, int> Positions = IndexRanking();

        /// <summary>The id's place in <see cref="Ranking"/>; an id that is not there is a programming error.</summary>
        public static int PositionOf(string id) =>
            id != null && Positions.TryGetValue(id, out int position)
                ? position
                : throw new ArgumentException($"'{id}' is not a check id in CheckIds.Ranking.", nameof(id));

        public static bool IsKnown(string id) => id != null && Positions.ContainsKey(id);

        private static Dictionary<string, int> IndexRanking()
        {
            var positions = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < Ranking.Count; i++)
            {
                if (positions.ContainsKey(Ranking[i])) throw new InvalidOperationException($"'{Ranking[i]}' is in CheckIds.Ranking twice.");
                positions.Add(Ranking[i], i);
            }
            return positions;
        }
    }
}
