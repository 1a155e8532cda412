using System.Text.RegularExpressions;
using CalendarFederation.Engine.Diagnostics;
using CalendarFederation.Engine.Diagnostics.Checks;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;
using Xunit;
using static CalendarFederation.Engine.Tests.Diagnostics.DiagnosticsWorld;

namespace CalendarFederation.Engine.Tests.Diagnostics;

/// <summary>
/// The default checks over hand-built tenants, each scenario with the exact findings in their ranked order. Together
/// they give every ranked id at least once, so the ranking is exercised as a whole and every message is read.
/// </summary>
public class DiagnosticsScenarioTests
{
    private const string OnPremisesEpr = "https://mail.adatum.com/autodiscover/autodiscover.svc/WSSecurity";

    private static readonly Dictionary<string, (Func<DiagnosticsContext> Build, string[] Expected)> Scenarios = new()
    {
        ["NeitherSide"] = (() => Context(Request(Contoso(), Fabrikam()), Contoso(), Fabrikam()),
            new[] { "LocalRelationshipMissing", "PartnerRelationshipMissing" }),
        ["BothDehydrated"] = (BothDehydrated,
            new[] { "TenantDehydrated", "TenantDehydrated", "LocalRelationshipMissing", "PartnerRelationshipMissing" }),
        ["EverythingWrong"] = (EverythingWrong, new[]
        {
            "LocalRelationshipDisabled", "PartnerRelationshipDisabled", "PartnerFreeBusyNotShared", "TargetApplicationUriMissing", "TargetAutodiscoverEprMissing",
            "LocalDomainsNotCoveredByPartner", "PartnerScopeGroupMissing",
            "PartnerDiscoveryFailed", "LocalFreeBusyNotShared", "LocalScopeGroupMissing", "PartnerTargetsMissing",
            "FreeBusyLevelsDiffer",
        }),
        ["SplitAndStale"] = (SplitAndStale, new[] { "TargetApplicationUriStale", "PartnerDomainsNotCovered", "TargetAutodiscoverEprStale", "PartnerDomainsSplit" }),
        ["PartnerNotRead"] = (PartnerNotRead, new[] { "PartnerDomainsUnknown", "PartnerSideNotChecked", "NoProblemsFound" }),
        ["HybridPartner"] = (() => OnPremisesPartner(cloudServesIt: true), new[] { "PartnerSideNotChecked", "PartnerIsHybrid", "NoProblemsFound" }),
        ["OnPremisesPartner"] = (() => OnPremisesPartner(cloudServesIt: false), new[] { "PartnerSideNotChecked", "PartnerIsOnPremises", "NoProblemsFound" }),
        ["OwnOnPremises"] = (OwnOnPremises, new[] { "PartnerSideNotChecked", "PartnerIsHybrid", "NoProblemsFound" }),
        ["ProbeSkipped"] = (() => BothRight(mailbox: "lee@fabrikam.com", requester: null), new[] { "ProbeSkipped", "NoProblemsFound" }),
        ["LargeScopes"] = (LargeScopes,
            new[] { "PartnerScopeGroupTooLarge", "LocalScopeGroupTooLarge", "PartnerScopeMembershipUnchecked", "EffectiveLevel", "FreeBusyVisibleAvailabilityOnly" }),
        ["MailboxOutsideScope"] = (MailboxOutsideScope, new[] { "CalendarDefaultPermissionNone", "PartnerScopeExcludesMailbox", "FreeBusyNotVisible" }),
        ["ProbeFailed"] = (ProbeFailed, new[] { "FreeBusyProbeFailed", "EffectiveLevel" }),
        // Without the probe's permission the probe does not run: an Info, and the verdict of the rest stands.
        ["ProbeNotRun"] = (ProbeNotRun, new[] { "FreeBusyProbeNotRun", "EffectiveLevel", "NoProblemsFound" }),
        ["LimitedDetails"] = (LimitedDetails, new[] { "EffectiveLevel", "FreeBusyVisibleLimitedDetails", "NoProblemsFound" }),
    };

    public static IEnumerable<object[]> Names => Scenarios.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Scenario_gives_exactly_its_findings_ranked(string name)
    {
        List<Finding> findings = await RunAsync(Scenarios[name].Build());
        Assert.Equal(Scenarios[name].Expected, Checks(findings));
        Assert.Equal(Enumerable.Range(1, findings.Count), findings.Select(f => f.Rank));
    }

    [Fact]
    public async Task The_scenarios_give_every_ranked_id_and_no_message_names_a_cmdlet_parameter()
    {
        var all = new List<Finding>();
        // The cross-tenant access scenarios are part of the whole: together the two sets give every ranked id.
        foreach (var scenario in Scenarios.Values.Concat(CrossTenantAccessScenarioTests.Scenarios.Values)) all.AddRange(await RunAsync(scenario.Build()));
        string[] missing = CheckIds.Ranking.Except(all.Select(f => f.Check)).ToArray();
        Assert.True(missing.Length == 0, "No scenario gives: " + string.Join(", ", missing));
        // Messages say what is wrong; naming what to type is the recommendation's job (or the cmdlet's).
        var parameter = new Regex(@"(^|[\s(])-[A-Z][A-Za-z]+");
        Assert.All(all, f => Assert.False(parameter.IsMatch(f.Message), $"{f.Check}: {f.Message}"));
        Assert.All(all, f => Assert.False(string.IsNullOrWhiteSpace(f.Message), f.Check));
    }

    private static DiagnosticsContext BothDehydrated()
    {
        TenantSnapshot local = Snapshot("contoso.onmicrosoft.com", ContosoDomains, true), partner = Snapshot("fabrikam.onmicrosoft.com", FabrikamDomains, true);
        return Context(Request(local, partner), local, partner);
    }

    private static DiagnosticsContext EverythingWrong()
    {
        TenantSnapshot local = Contoso(Relationship("Fabrikam", FabrikamDomains, enabled: false, freeBusy: false, level: "None", application: null, epr: null, scope: "Gone"));
        TenantSnapshot partner = Fabrikam(Relationship("Contoso", new[] { "contoso.onmicrosoft.com" }, enabled: false, freeBusy: false, application: null, epr: null,
            scope: "AlsoGone"));
        DiagnosticsContext context = Context(Request(local, partner, requester: "alex@contoso.com"), local, partner);
        context.Provide(Rediscovery.Fact, new RediscoveryResult(Rediscovery.Plan(context)!, null,
            "Federation information could not be received from the external organization.\n  POST https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc: timed out", null));
        context.Provide(ScopeChecks.LocalScope, Scope("Fabrikam", "Gone", exists: false));
        context.Provide(ScopeChecks.PartnerScope, Scope("Contoso", "AlsoGone", exists: false));
        return context;
    }

    private static DiagnosticsContext SplitAndStale()
    {
        TenantSnapshot local = Contoso(
            Relationship("Fabrikam", new[] { "fabrikam.com" }, application: "fabrikam.example.net"),
            Relationship("FabUK", new[] { "fabrikam.co.uk" }));
        TenantSnapshot partner = Fabrikam(FabrikamForContoso());
        DiagnosticsContext context = Context(Request(local, partner), local, partner);
        context.Provide(Rediscovery.Fact, Fresh("fabrikam.onmicrosoft.com", answeredBy: "https://outlook.office365.com/autodiscover/autodiscover.svc"));
        return context;
    }

    private static DiagnosticsContext PartnerNotRead()
    {
        TenantSnapshot local = Contoso(Relationship("Fabrikam", new[] { "fabrikam.com" }));
        DiagnosticsContext context = Context(Request(local, domain: "fabrikam.com"), local, null);
        context.Provide(Rediscovery.Fact, Fresh("fabrikam.com"));
        return context;
    }

    // Adatum's relationship as Get-FederationInformation built it from its on-premises Autodiscover.
    private static DiagnosticsContext OnPremisesPartner(bool cloudServesIt)
    {
        TenantSnapshot local = Contoso(Relationship("Adatum", new[] { "adatum.com" }, application: "FYDIBOHF25SPDLT.adatum.com", epr: OnPremisesEpr));
        var discovery = new FakeDiscovery((options, domain) =>
            options.AutodiscoverUri == new Uri(OnPremisesEpr) ? Answer(domain, "FYDIBOHF25SPDLT.adatum.com", new Uri(OnPremisesEpr))
            : options.AutodiscoverUri == CloudEndpoint && cloudServesIt ? Answer(domain, "outlook.com", CloudEndpoint)
            : null);
        return Context(Request(local, domain: "adatum.com"), local, null, discovery);
    }

    // The Hybrid Configuration Wizard's relationship for the tenant's own on-premises organization.
    private static DiagnosticsContext OwnOnPremises()
    {
        const string epr = "https://mail.contoso.com/autodiscover/autodiscover.svc/WSSecurity";
        TenantSnapshot local = Contoso(Relationship("O365 to On-premises - 5c1e", new[] { "contoso.com" }, application: "FYDIBOHF25SPDLT.contoso.com", epr: epr));
        var discovery = new FakeDiscovery((options, domain) => options.AutodiscoverUri == new Uri(epr) ? Answer(domain, "FYDIBOHF25SPDLT.contoso.com", new Uri(epr)) : null);
        return Context(Request(local, identity: "O365 to On-premises - 5c1e"), local, null, discovery);
    }

    private static DiagnosticsContext BothRight(string? mailbox, string? requester, string level = "AvailabilityOnly", string? localScope = null, string? partnerScope = null)
    {
        TenantSnapshot local = Contoso(Relationship("Fabrikam", FabrikamDomains, level: level, scope: localScope));
        TenantSnapshot partner = Fabrikam(Relationship("Contoso", ContosoDomains, level: level, scope: partnerScope));
        DiagnosticsContext context = Context(Request(local, partner, mailbox, requester), local, partner);
        context.Provide(Rediscovery.Fact, Fresh("fabrikam.onmicrosoft.com"));
        return context;
    }

    private static DiagnosticsContext LargeScopes()
    {
        DiagnosticsContext context = BothRight("lee@fabrikam.com", "alex@contoso.com", localScope: "AllStaff", partnerScope: "BigShared");
        context.Provide(ScopeChecks.LocalScope, Scope("Fabrikam", "AllStaff", members: 3, firstMember: "alex@contoso.com", limit: 2));
        context.Provide(ScopeChecks.PartnerScope, Scope("Contoso", "BigShared", members: 3, firstMember: "someone@fabrikam.com", limit: 2));
        context.Provide(ProbeChecks.CalendarPermission, "AvailabilityOnly");
        context.Provide(ProbeChecks.Probe, Probe(Schedule("000000000000000000222200000000000000000000000000", ("busy", null))));
        return context;
    }

    private static DiagnosticsContext MailboxOutsideScope()
    {
        DiagnosticsContext context = BothRight("pradeep@fabrikam.com", "alex@contoso.com", partnerScope: "FreeBusyShared");
        context.Provide(ScopeChecks.PartnerScope, Scope("Contoso", "FreeBusyShared"));
        context.Provide(ProbeChecks.CalendarPermission, "None");
        context.Provide(ProbeChecks.Probe, Probe("{\"value\":[{\"scheduleId\":\"pradeep@fabrikam.com\",\"availabilityView\":\"\",\"scheduleItems\":[]," +
            "\"error\":{\"message\":\"pradeep@fabrikam.com is not in the group 'FreeBusyShared'.\",\"responseCode\":\"ErrorFreeBusyScopeExcluded\"}}]}"));
        return context;
    }

    private static DiagnosticsContext ProbeFailed()
    {
        DiagnosticsContext context = BothRight("lee@fabrikam.com", "alex@contoso.com");
        context.Provide(ProbeChecks.CalendarPermission, "AvailabilityOnly");
        context.Provide(ProbeChecks.Probe, ProbeOutcome.Failed("The free/busy probe could not reach graph.microsoft.com: the request timed out."));
        return context;
    }

    private static DiagnosticsContext ProbeNotRun()
    {
        DiagnosticsContext context = BothRight("lee@fabrikam.com", "alex@contoso.com");
        context.Provide(ProbeChecks.CalendarPermission, "AvailabilityOnly");
        context.Provide(ProbeChecks.Probe, ProbeOutcome.NotRun("Microsoft Graph refused getSchedule (HTTP 403: Access is denied. Check credentials and try again.)"));
        return context;
    }

    private static DiagnosticsContext LimitedDetails()
    {
        DiagnosticsContext context = BothRight("nestor@fabrikam.com", "alex@contoso.com", level: "LimitedDetails");
        context.Provide(ProbeChecks.CalendarPermission, "LimitedDetails");
        context.Provide(ProbeChecks.Probe, Probe(Schedule("000000000000000000222200000000000000000000000000", ("busy", "Project sync"))));
        return context;
    }
}
