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

        // One mailbox: its calendar, and the real free/busy question
        public const string ProbeSkipped = nameof(ProbeSkipped);
        public const string CalendarDefaultPermissionNone = nameof(CalendarDefaultPermissionNone);
        public const string FreeBusyProbeFailed = nameof(FreeBusyProbeFailed);
        public const string FreeBusyNotVisible = nameof(FreeBusyNotVisible);
        public const string FreeBusyVisibleLimitedDetails = nameof(FreeBusyVisibleLimitedDetails);
        public const string FreeBusyVisibleAvailabilityOnly = nameof(FreeBusyVisibleAvailabilityOnly);
        public const string EffectiveLevel = nameof(EffectiveLevel);

        // The verdict
        public const string NoProblemsFound = nameof(NoProblemsFound);

        /// <summary>
        /// The ranking: findings of one severity are listed in this order, the most likely cause of failing free/busy
        /// first (severity itself comes first: Blocking, Warning, Info, Pass). Declared here once; ranks derive from it.
        /// </summary>
        public static IReadOnlyList<string> Ranking { get; } = new[]
        {
            TenantDehydrated,
            LocalRelationshipMissing, LocalRelationshipDisabled, PartnerRelationshipMissing, PartnerRelationshipDisabled, PartnerFreeBusyNotShared,
            TargetApplicationUriMissing, TargetAutodiscoverEprMissing, TargetApplicationUriStale,
            LocalDomainsNotCoveredByPartner, PartnerDomainsNotCovered,
            CalendarDefaultPermissionNone, PartnerScopeGroupMissing, PartnerScopeExcludesMailbox,
            FreeBusyProbeFailed, FreeBusyNotVisible,
            TargetAutodiscoverEprStale, PartnerDiscoveryFailed, PartnerDomainsSplit,
            LocalFreeBusyNotShared, LocalScopeGroupMissing, PartnerScopeGroupTooLarge, LocalScopeGroupTooLarge, PartnerTargetsMissing,
            FreeBusyLevelsDiffer, PartnerScopeMembershipUnchecked, PartnerDomainsUnknown, PartnerSideNotChecked,
            PartnerIsHybrid, PartnerIsOnPremises, ProbeSkipped, EffectiveLevel,
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
