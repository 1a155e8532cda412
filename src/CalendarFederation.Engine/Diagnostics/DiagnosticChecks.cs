using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.Diagnostics.Checks;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>
    /// The checks Test-OrganizationRelationship runs, in the order they run (the order findings are listed in is
    /// <see cref="CheckIds.Ranking"/>, not this).
    ///
    /// Adding checks (as <see cref="CrossTenantAccessChecks"/> added the cross-tenant access policy's: a legacy object still
    /// enabled on either side hiding the policy, EWS blocked on a side that still depends on it, the trust missing or
    /// blocked, the capability missing or at two levels, the mailbox outside the resource scopes, the partner's tenant not
    /// resolvable, with their facts in CrossTenantAccessFacts):
    /// 1. add their ids to <see cref="CheckIds"/> and place each in <see cref="CheckIds.Ranking"/>;
    /// 2. write them as small functions in a class of their own under Checks/, each a <see cref="DiagnosticCheck"/> that
    ///    declares the ids it gives, like <see cref="PartnerSideChecks"/>;
    /// 3. what they need to ask (the policy on each side, the partner's tenant id) becomes a <see cref="DiagnosticsFact{T}"/>
    ///    next to them, read through <see cref="DiagnosticsContext.GetAsync{T}"/>: the context itself does not change;
    /// 4. add their list to <see cref="Default"/> below. <see cref="Compose"/> keeps the summary checks last.
    /// </summary>
    public static class DiagnosticChecks
    {
        /// <remarks>
        /// The relationship checks go through <see cref="CrossTenantAccessChecks.ForRelationships"/>: when the pair is on the
        /// cross-tenant access policy (no enabled relationship, the policy set up or answering), they stand down, and the
        /// policy's checks and the probe say what there is to say.
        /// </remarks>
        public static IReadOnlyList<DiagnosticCheck> Default { get; } = Compose(
            CrossTenantAccessChecks.ForRelationships(HydrationChecks.All),
            CrossTenantAccessChecks.ForRelationships(LocalSideChecks.All),
            CrossTenantAccessChecks.ForRelationships(ScopeChecks.Local),
            CrossTenantAccessChecks.ForRelationships(DiscoveryChecks.All),
            PartnerSideChecks.Read,
            CrossTenantAccessChecks.ForRelationships(PartnerSideChecks.All),
            CrossTenantAccessChecks.ForRelationships(ScopeChecks.Partner),
            CrossTenantAccessChecks.ForRelationships(PartnerSideChecks.Levels),
            CrossTenantAccessChecks.All,
            ProbeChecks.All,
            CrossTenantAccessChecks.Probe);

        /// <summary>
        /// One list from groups of checks, followed by the summary checks (the effective level, NoProblemsFound), which read
        /// what all the others found. Check names are unique.
        /// </summary>
        public static IReadOnlyList<DiagnosticCheck> Compose(params IEnumerable<DiagnosticCheck>[] groups)
        {
            List<DiagnosticCheck> checks = groups.SelectMany(g => g).Concat(SummaryChecks.All).ToList();
            string? duplicate = checks.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
            if (duplicate != null) throw new ArgumentException($"Two checks are named {duplicate}.", nameof(groups));
            return checks;
        }
    }
}
