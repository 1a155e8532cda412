using System.Reflection;
using CalendarFederation.Engine.Diagnostics;
using Xunit;

namespace CalendarFederation.Engine.Tests.Diagnostics;

/// <summary>
/// The ids, the ranking and the checks agree: every id is a constant, every constant is ranked once, every ranked id is
/// declared by a check, and a check can give only what it declares. A typo'd or unranked id fails here, not in a ranking.
/// </summary>
public class CheckIdsTests
{
    private static string[] Constants() => typeof(CheckIds).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToArray();

    [Fact]
    public void Every_constant_is_ranked_exactly_once_and_the_ranking_holds_nothing_else()
    {
        string[] constants = Constants();
        Assert.Equal(49, constants.Length);
        Assert.Equal(CheckIds.Ranking.Count, CheckIds.Ranking.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(constants.OrderBy(c => c, StringComparer.Ordinal), CheckIds.Ranking.OrderBy(c => c, StringComparer.Ordinal));
        // Each constant's value is its own name, so what scripts see is what the code says.
        foreach (FieldInfo field in typeof(CheckIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            Assert.Equal(field.Name, field.GetRawConstantValue());
        }
    }

    [Fact]
    public void Every_ranked_id_is_given_by_some_check_and_every_check_gives_only_ranked_ids()
    {
        string[] declared = DiagnosticChecks.Default.SelectMany(c => c.Emits).Distinct(StringComparer.Ordinal).ToArray();
        Assert.All(declared, id => Assert.Contains(id, CheckIds.Ranking));
        string[] unused = CheckIds.Ranking.Except(declared, StringComparer.Ordinal).ToArray();
        Assert.True(unused.Length == 0, "Ranked but given by no check: " + string.Join(", ", unused));
    }

    [Fact]
    public void The_existing_order_is_kept_and_the_new_ids_sit_among_the_partner_infos()
    {
        // The order the Pester contract was written against (issue 12), with PartnerIsHybrid and PartnerIsOnPremises added.
        string[] before =
        {
            "TenantDehydrated", "LocalRelationshipMissing", "LocalRelationshipDisabled", "PartnerRelationshipMissing", "PartnerRelationshipDisabled",
            "PartnerFreeBusyNotShared", "TargetApplicationUriMissing", "TargetAutodiscoverEprMissing", "TargetApplicationUriStale",
            "LocalDomainsNotCoveredByPartner", "PartnerDomainsNotCovered", "CalendarDefaultPermissionNone", "PartnerScopeGroupMissing",
            "PartnerScopeExcludesMailbox", "FreeBusyProbeFailed", "FreeBusyNotVisible", "TargetAutodiscoverEprStale", "PartnerDiscoveryFailed", "PartnerDomainsSplit",
            "LocalFreeBusyNotShared", "LocalScopeGroupMissing", "PartnerScopeGroupTooLarge", "LocalScopeGroupTooLarge", "PartnerTargetsMissing",
            "FreeBusyLevelsDiffer", "PartnerScopeMembershipUnchecked", "PartnerDomainsUnknown", "PartnerSideNotChecked", "ProbeSkipped", "EffectiveLevel",
            "FreeBusyVisibleLimitedDetails", "FreeBusyVisibleAvailabilityOnly", "NoProblemsFound",
        };
        Assert.Equal(before, CheckIds.Ranking.Where(id => id != CheckIds.PartnerIsHybrid && id != CheckIds.PartnerIsOnPremises && id != CheckIds.FreeBusyProbeNotRun
            && !CrossTenantIds.Contains(id)));
        // The probe that could not run (issue 13, item 7) is an Info beside the probe that was skipped.
        Assert.Equal(CheckIds.PositionOf(CheckIds.ProbeSkipped) + 1, CheckIds.PositionOf(CheckIds.FreeBusyProbeNotRun));
        Assert.Equal(CheckIds.PositionOf(CheckIds.PartnerSideNotChecked) + 1, CheckIds.PositionOf(CheckIds.PartnerIsHybrid));
        Assert.Equal(CheckIds.PositionOf(CheckIds.PartnerIsHybrid) + 1, CheckIds.PositionOf(CheckIds.PartnerIsOnPremises));
    }

    private static readonly string[] CrossTenantIds =
    {
        "EwsBlocked", "EwsAtRisk", "LegacyHidesCrossTenantAccess", "PartnerTenantNotResolved", "CrossTenantTrustMissing", "CrossTenantTrustBlocked",
        "CrossTenantCapabilityMissing", "CrossTenantScopeExcludesMailbox", "CrossTenantAccessNotServed", "CrossTenantAccessScopeDenied",
        "CrossTenantTwoFreeBusyLevels", "CrossTenantAccessNotChecked", "CrossTenantScopeUnchecked",
    };

    [Fact]
    public void The_cross_tenant_access_ids_sit_where_issue_11_places_them()
    {
        int At(string id) => CheckIds.PositionOf(id);
        // EWS off on the serving side breaks the relationship whatever else is right: right after hydration; the two pure
        // Warnings next to it, so they head the Warnings.
        Assert.Equal(new[] { "TenantDehydrated", "EwsBlocked", "EwsAtRisk", "LegacyHidesCrossTenantAccess", "LocalRelationshipMissing" },
            CheckIds.Ranking.Take(5));
        // The policy's causes close the Blocking causes, in the order they must be fixed, before the probe's symptoms.
        Assert.Equal(new[]
            {
                "PartnerScopeExcludesMailbox", "PartnerTenantNotResolved", "CrossTenantTrustMissing", "CrossTenantTrustBlocked", "CrossTenantCapabilityMissing",
                "CrossTenantScopeExcludesMailbox", "FreeBusyProbeFailed", "FreeBusyNotVisible", "CrossTenantAccessNotServed", "CrossTenantAccessScopeDenied",
                "TargetAutodiscoverEprStale",
            },
            CheckIds.Ranking.Skip(At(CheckIds.PartnerScopeExcludesMailbox)).Take(11));
        // The two levels close the Warnings; not-checked heads the Infos; the scope left unchecked sits with its relationship twin.
        Assert.Equal(At(CheckIds.PartnerTargetsMissing) + 1, At(CheckIds.CrossTenantTwoFreeBusyLevels));
        Assert.Equal(At(CheckIds.CrossTenantTwoFreeBusyLevels) + 1, At(CheckIds.CrossTenantAccessNotChecked));
        Assert.Equal(At(CheckIds.CrossTenantAccessNotChecked) + 1, At(CheckIds.FreeBusyLevelsDiffer));
        Assert.Equal(At(CheckIds.PartnerScopeMembershipUnchecked) + 1, At(CheckIds.CrossTenantScopeUnchecked));
    }

    [Fact]
    public void Ranking_sorts_by_severity_then_by_the_declared_order_keeping_ties_in_the_order_found()
    {
        var found = new[]
        {
            new Finding(FindingSeverity.Info, "a", CheckIds.PartnerSideNotChecked, "i"),
            new Finding(FindingSeverity.Blocking, "b", CheckIds.PartnerRelationshipMissing, "p"),
            new Finding(FindingSeverity.Warning, "a", CheckIds.PartnerDomainsNotCovered, "w"),
            new Finding(FindingSeverity.Blocking, "p", CheckIds.TenantDehydrated, "second"),
            new Finding(FindingSeverity.Blocking, "a", CheckIds.LocalRelationshipMissing, "l"),
            new Finding(FindingSeverity.Blocking, "l", CheckIds.TenantDehydrated, "first"),
        };
        List<Finding> ranked = RelationshipDiagnostics.Rank(found);
        Assert.Equal(new[] { "second", "first", "l", "p", "w", "i" }, ranked.Select(f => f.Message));
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, ranked.Select(f => f.Rank));
    }

    [Fact]
    public void An_unranked_id_cannot_be_ranked_declared_or_given()
    {
        Assert.Throws<ArgumentException>(() => RelationshipDiagnostics.Rank(new[] { new Finding(FindingSeverity.Info, "a", "PartnerRelationshipMisssing", "typo") }));
        Assert.Throws<ArgumentException>(() => DiagnosticCheck.Of("Typo", (c, f) => { }, "PartnerRelationshipMisssing"));
    }

    [Fact]
    public async Task A_check_that_gives_an_id_it_did_not_declare_stops_the_run()
    {
        DiagnosticsContext context = DiagnosticsWorld.Context(DiagnosticsWorld.Request(DiagnosticsWorld.Contoso(), domain: "fabrikam.com"), DiagnosticsWorld.Contoso(), null);
        DiagnosticCheck sloppy = DiagnosticCheck.Of("Sloppy", (c, findings) => findings.Add(FindingSeverity.Info, "x", CheckIds.EffectiveLevel, "not declared"),
            CheckIds.ProbeSkipped);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => RelationshipDiagnostics.RunAsync(context, new[] { sloppy }, CancellationToken.None));
        Assert.Contains("Sloppy gave 'EffectiveLevel'", ex.Message);
    }

    [Fact]
    public void Compose_keeps_the_summary_checks_last_after_added_checks_and_refuses_two_checks_of_one_name()
    {
        DiagnosticCheck extra = DiagnosticCheck.Of("CrossTenantAccessStandIn", (c, f) => { }, CheckIds.PartnerIsHybrid);
        IReadOnlyList<DiagnosticCheck> checks = DiagnosticChecks.Compose(DiagnosticChecks.Default.Take(3), new[] { extra });
        Assert.Equal(new[] { "EffectiveLevelExplained", "NothingWrong" }, checks.Skip(checks.Count - 2).Select(c => c.Name));
        Assert.Equal("CrossTenantAccessStandIn", checks[checks.Count - 3].Name);
        Assert.Throws<ArgumentException>(() => DiagnosticChecks.Compose(new[] { extra, extra }));
        // Default names every check once, and ends with the summary.
        Assert.Equal(DiagnosticChecks.Default.Count, DiagnosticChecks.Default.Select(c => c.Name).Distinct().Count());
        Assert.Equal("NothingWrong", DiagnosticChecks.Default[DiagnosticChecks.Default.Count - 1].Name);
    }
}
