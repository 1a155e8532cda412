using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Diagnostics;
using CalendarFederation.Engine.Diagnostics.Checks;
using CalendarFederation.Engine.Federation;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static CalendarFederation.Engine.Tests.Diagnostics.DiagnosticsWorld;

namespace CalendarFederation.Engine.Tests.Diagnostics;

/// <summary>
/// The cross-tenant access checks (issue 11 §6) over scripted facts: each side's policy, EwsEnabled, the other legacy
/// objects, the mailbox's scope and the probe, each scenario with the exact findings in their ranked order and the
/// severity, side and words that matter. Nothing here reaches a network: an unscripted fact fails the test that reached it.
/// </summary>
public class CrossTenantAccessScenarioTests
{
    private const string Basic = M365CapabilityNames.CalendarAvailabilityBasic;
    private const string Limited = M365CapabilityNames.CalendarAvailabilityLimitedDetails;
    private const string GroupId = "f0000a00-0000-4000-8000-000000000001";
    private static readonly CollaborationTrust DefaultBlocked = new(TrustState.Blocked, "blocked", new[] { new AccessTarget("AllUsers", "user") });
    private static readonly CollaborationTrust DefaultAllowed = CollaborationTrust.AllUsersAllowed;

    private static readonly string NotServed = Refusal("7002", "GetSchedule is not supported for domain: fabrikam.com. 62382");
    private static readonly string ScopeDenied =
        Refusal("5016", "Cross-tenant access denied: the user or group restrictions in the cross-tenant policy could not be evaluated");
    private static readonly string Busy = Schedule("000000000000000000222200000000000000000000000000", ("busy", null));
    private static readonly string BusyWithSubject = Schedule("000000000000000000222200000000000000000000000000", ("busy", "Project sync"));

    /// <summary>Our policy granting Fabrikam Basic (for all users), and Fabrikam's granting us the same.</summary>
    private static PolicyRead OursGrants(params M365Capability[] capabilities) =>
        Policy(ContosoOrg, FabrikamOrg, FabrikamId, partner: true, trust: AllUsersTrust, capabilities: capabilities.Length == 0 ? new[] { Capability(Basic) } : capabilities);

    private static PolicyRead TheirsGrants(params M365Capability[] capabilities) =>
        Policy(FabrikamOrg, ContosoOrg, ContosoId, partner: true, trust: AllUsersTrust, capabilities: capabilities.Length == 0 ? new[] { Capability(Basic) } : capabilities);

    internal static readonly Dictionary<string, (Func<DiagnosticsContext> Build, string[] Expected)> Scenarios = new()
    {
        ["LegacyAndPolicyBoth"] = (() => Pair(relationships: true, local: OursGrants(), remote: TheirsGrants()), new[] { "LegacyHidesCrossTenantAccess" }),
        ["EwsOffOnPartnerNotSetHere"] = (() => Pair(relationships: true, localEws: EwsState.NotSet, partnerEws: EwsState.False), new[] { "EwsBlocked", "EwsAtRisk" }),
        ["EwsRetired"] = (() => Pair(relationships: true, today: new DateTimeOffset(2027, 4, 2, 0, 0, 0, TimeSpan.Zero)), new[] { "EwsBlocked", "EwsBlocked" }),
        ["PolicyOnlyWorking"] = (() => Pair(relationships: false, local: OursGrants(), remote: TheirsGrants(), mailbox: "lee@fabrikam.com", probe: Busy,
                scope: ScopeOutcome.InScope),
            new[] { "EffectiveLevel", "FreeBusyVisibleAvailabilityOnly", "NoProblemsFound" }),
        ["PolicyOnlyByDomain"] = (() => Pair(relationships: false, partner: false, local: OursGrants(), domain: "fabrikam.com"),
            new[] { "PartnerSideNotChecked", "NoProblemsFound" }),
        ["TrustBlocked"] = (() => Pair(relationships: false, local: OursGrants(),
                remote: Policy(FabrikamOrg, ContosoOrg, ContosoId, partner: true, trust: BlockedTrust, capabilities: Capability(Basic)),
                mailbox: "lee@fabrikam.com", probe: NotServed, scope: ScopeOutcome.InScope),
            new[] { "CrossTenantTrustBlocked", "CrossTenantAccessNotServed" }),
        ["TrustInherited"] = (() => Pair(relationships: false,
                local: Policy(ContosoOrg, FabrikamOrg, FabrikamId, partner: true, defaultTrust: DefaultAllowed, capabilities: Capability(Basic)),
                remote: Policy(FabrikamOrg, ContosoOrg, ContosoId, partner: true, defaultTrust: DefaultBlocked, capabilities: Capability(Basic))),
            new[] { "CrossTenantTrustMissing", "CrossTenantTrustMissing" }),
        ["TrustScoped"] = (() => Pair(relationships: false, local: OursGrants(),
                remote: Policy(FabrikamOrg, ContosoOrg, ContosoId, partner: true,
                    trust: "{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"c0000a00-0000-4000-8000-000000000001\",\"targetType\":\"group\"}]}}",
                    capabilities: Capability(Basic))),
            new[] { "CrossTenantTrustBlocked" }),
        ["CapabilityMissing"] = (() => Pair(relationships: false,
                remote: Policy(FabrikamOrg, ContosoOrg, ContosoId, partner: true, trust: AllUsersTrust, capabilities: Capability(Limited, allowed: false)),
                mailbox: "lee@fabrikam.com", probe: NotServed),
            new[] { "CrossTenantCapabilityMissing", "CrossTenantAccessNotServed", "CrossTenantCapabilityMissing" }),
        ["MailboxOutOfScope"] = (() => Pair(relationships: false, local: OursGrants(), remote: TheirsGrants(Capability(Basic, included: new[] { GroupId + ":group" })),
                mailbox: "nestor@fabrikam.com", probe: ScopeDenied, scope: ScopeOutcome.OutOfScope),
            new[] { "CrossTenantScopeExcludesMailbox", "CrossTenantAccessScopeDenied" }),
        ["ScopeUnchecked"] = (() => Pair(relationships: false, local: OursGrants(), remote: TheirsGrants(Capability(Basic, included: new[] { GroupId + ":group" })),
                mailbox: "lee@fabrikam.com", probe: Busy, scope: ScopeOutcome.Unknown),
            new[] { "CrossTenantScopeUnchecked", "EffectiveLevel", "FreeBusyVisibleAvailabilityOnly", "NoProblemsFound" }),
        ["TwoLevels"] = (() => Pair(relationships: false, local: OursGrants(), remote: TheirsGrants(Capability(Basic), Capability(Limited)),
                mailbox: "nestor@fabrikam.com", probe: BusyWithSubject, scope: ScopeOutcome.InScope, permission: "LimitedDetails"),
            new[] { "CrossTenantTwoFreeBusyLevels", "EffectiveLevel", "FreeBusyVisibleLimitedDetails" }),
        ["PartnerNotResolvable"] = (() => Unresolvable("nobody-has-this.example", ErrorIds.PartnerTenantNotFound),
            new[] { "LocalRelationshipMissing", "PartnerTenantNotResolved", "PartnerSideNotChecked" }),
        ["PartnerIsConsumer"] = (() => Unresolvable("outlook.com", ErrorIds.PartnerTenantIsConsumer),
            new[] { "LocalRelationshipMissing", "PartnerTenantNotResolved", "PartnerSideNotChecked" }),
        ["PoliciesUnreadable"] = (() => Pair(relationships: false,
                local: PolicyRead.Failed(ContosoOrg, FabrikamOrg, FabrikamId, "Microsoft Graph refused to read the cross-tenant access policy: Policy.Read.All is missing.", "Grant Policy.Read.All."),
                remote: PolicyRead.Failed(FabrikamOrg, ContosoOrg, ContosoId, "Microsoft Graph refused: the account holds none of the roles Global Reader or Security Reader.", "Assign one.")),
            new[] { "LocalRelationshipMissing", "PartnerRelationshipMissing", "CrossTenantAccessNotChecked", "CrossTenantAccessNotChecked" }),
        ["PoliciesUnreadableBehindRelationships"] = (() => Pair(relationships: true,
                local: PolicyRead.Failed(ContosoOrg, FabrikamOrg, FabrikamId, "Microsoft Graph refused: Policy.Read.All is missing.", "Grant Policy.Read.All.")),
            new[] { "CrossTenantAccessNotChecked", "NoProblemsFound" }),
        ["NothingConfiguredProbeSaysNotServed"] = (() => Pair(relationships: false, partner: false, mailbox: "lee@fabrikam.com", probe: NotServed),
            new[] { "CrossTenantAccessNotServed", "CrossTenantCapabilityMissing", "PartnerSideNotChecked" }),
        ["AddressSpaceHidesPolicy"] = (() => Pair(relationships: false, local: OursGrants(), remote: TheirsGrants(),
                localExtras: new LegacyExtras(new[] { "fabrikam.com" }, Array.Empty<(string, string)>())),
            new[] { "LegacyHidesCrossTenantAccess" }),
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
    public async Task Both_sides_granted_while_both_relationships_are_enabled_is_ready_to_cut_over_and_names_the_cutover()
    {
        Finding f = Assert.Single(await RunAsync(Scenarios["LegacyAndPolicyBoth"].Build()));
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Equal(ContosoOrg, f.Side);
        Assert.StartsWith("Ready to cut over: the cross-tenant access policy is in place (contoso.onmicrosoft.com grants fabrikam.onmicrosoft.com AvailabilityOnly; " +
            "fabrikam.onmicrosoft.com grants contoso.onmicrosoft.com AvailabilityOnly), but the organization relationship 'Fabrikam' in contoso.onmicrosoft.com, " +
            "the organization relationship 'Contoso' in fabrikam.onmicrosoft.com still take precedence", f.Message);
        Assert.Contains("Both sides must disable their relationships.", f.Message);
        Assert.Equal("Convert-OrganizationRelationship -Identity 'Fabrikam' -PartnerConnection <fabrikam.onmicrosoft.com> -DisableLegacy", f.Recommendation);
    }

    [Fact]
    public async Task A_cutover_with_the_partner_not_granting_back_says_so_and_without_the_partner_acknowledges_it()
    {
        Finding oneWay = Assert.Single(await RunAsync(Pair(relationships: true, local: OursGrants())), x => x.Check == CheckIds.LegacyHidesCrossTenantAccess);
        Assert.EndsWith("Before the cut-over fabrikam.onmicrosoft.com must grant contoso.onmicrosoft.com too, or contoso.onmicrosoft.com's users lose fabrikam.onmicrosoft.com's free/busy.",
            oneWay.Message);

        Finding alone = Assert.Single(await RunAsync(Pair(relationships: true, partner: false, local: OursGrants(), domain: "fabrikam.com")),
            x => x.Check == CheckIds.LegacyHidesCrossTenantAccess);
        // Without the partner's connection the partner is named by its domain.
        Assert.Contains("fabrikam.com's side was not read", alone.Message);
        Assert.Equal("Convert-OrganizationRelationship -Identity 'Fabrikam' -PartnerDisablesLegacy -DisableLegacy", alone.Recommendation);
    }

    [Fact]
    public async Task The_address_space_that_hides_the_policy_is_named_with_its_removal()
    {
        Finding f = Assert.Single(await RunAsync(Scenarios["AddressSpaceHidesPolicy"].Build()));
        Assert.Contains("but the availability address space 'fabrikam.com' in contoso.onmicrosoft.com still takes precedence", f.Message);
        Assert.Contains("Remove-AvailabilityAddressSpace", f.Recommendation);
    }

    [Fact]
    public async Task EWS_off_on_the_serving_side_is_blocking_there_and_not_set_is_at_risk_with_the_way_out()
    {
        List<Finding> findings = await RunAsync(Scenarios["EwsOffOnPartnerNotSetHere"].Build());
        Finding off = findings[0], risk = findings[1];
        Assert.Equal((FindingSeverity.Blocking, FabrikamOrg), (off.Severity, off.Side));
        Assert.Equal("EWS is off in fabrikam.onmicrosoft.com (EwsEnabled False), so 'Contoso' serves no free/busy: contoso.onmicrosoft.com's users see none of " +
            "fabrikam.onmicrosoft.com's calendars.", off.Message);
        Assert.StartsWith("Set-OrganizationConfig -EwsEnabled $true in fabrikam.onmicrosoft.com keeps the relationship working until 2027-04-01; then move to the cross-tenant access policy: " +
            "Convert-OrganizationRelationship -Connection <fabrikam.onmicrosoft.com> -Identity 'Contoso'", off.Recommendation);
        Assert.Equal((FindingSeverity.Warning, ContosoOrg), (risk.Severity, risk.Side));
        Assert.Contains("since 2026-10-01 Microsoft switches such tenants to False", risk.Message);
    }

    [Fact]
    public async Task EWS_off_where_the_policy_already_grants_says_cut_over()
    {
        Finding off = Assert.Single(await RunAsync(Pair(relationships: true, remote: TheirsGrants(), local: OursGrants(), partnerEws: EwsState.False)),
            f => f.Check == CheckIds.EwsBlocked);
        Assert.EndsWith("then fabrikam.onmicrosoft.com's cross-tenant access policy already grants contoso.onmicrosoft.com: cut over, both sides disabling their relationships: " +
            "Convert-OrganizationRelationship -Connection <fabrikam.onmicrosoft.com> -Identity 'Contoso' -DisableLegacy.", off.Recommendation);
    }

    [Fact]
    public async Task A_relationship_that_serves_nothing_or_an_on_premises_partner_does_not_depend_on_EWS()
    {
        TenantSnapshot local = Contoso(Relationship("Fabrikam", FabrikamDomains, freeBusy: false));
        TenantSnapshot partner = Fabrikam(Relationship("Contoso", ContosoDomains, enabled: false));
        DiagnosticsContext context = Context(Request(local, partner), local, partner);
        context.Provide(Rediscovery.Fact, Fresh("fabrikam.onmicrosoft.com"));
        context.Provide(CrossTenantAccessFacts.LocalEws, EwsState.False);
        context.Provide(CrossTenantAccessFacts.PartnerEws, EwsState.False);
        Assert.DoesNotContain(await RunAsync(context), f => f.Check == CheckIds.EwsBlocked || f.Check == CheckIds.EwsAtRisk);
    }

    [Fact]
    public async Task On_the_policy_alone_the_relationship_checks_stand_down_and_the_probe_says_which_path_answered()
    {
        List<Finding> findings = await RunAsync(Scenarios["PolicyOnlyWorking"].Build());
        Assert.DoesNotContain(findings, f => f.Check == CheckIds.LocalRelationshipMissing || f.Check == CheckIds.PartnerRelationshipMissing);
        Finding visible = Assert.Single(findings, f => f.Check == CheckIds.FreeBusyVisibleAvailabilityOnly);
        Assert.StartsWith("lee@fabrikam.com (through the cross-tenant access policy): 1 item(s) today", visible.Message);
        Finding level = Assert.Single(findings, f => f.Check == CheckIds.EffectiveLevel);
        Assert.Equal("Effective level for lee@fabrikam.com: the lower of fabrikam.onmicrosoft.com's cross-tenant access policy's AvailabilityOnly " +
            "(crossTenantCalendarAvailabilityBasic) and the calendar's Default AvailabilityOnly.", level.Message);
    }

    [Fact]
    public async Task Disabled_relationships_after_a_cutover_are_the_goal_not_a_fault()
    {
        TenantSnapshot local = Contoso(Relationship("Fabrikam", FabrikamDomains, enabled: false));
        TenantSnapshot partner = Fabrikam(Relationship("Contoso", ContosoDomains, enabled: false));
        DiagnosticsContext context = Context(Request(local, partner), local, partner);
        context.Provide(CrossTenantAccessFacts.LocalPolicy, OursGrants());
        context.Provide(CrossTenantAccessFacts.PartnerPolicy, TheirsGrants());
        Assert.Equal(new[] { "NoProblemsFound" }, Checks(await RunAsync(context)));
    }

    [Fact]
    public async Task Without_the_partner_the_missing_side_is_described_for_the_policy()
    {
        Finding f = Assert.Single(await RunAsync(Scenarios["PolicyOnlyByDomain"].Build()), x => x.Check == CheckIds.PartnerSideNotChecked);
        Assert.Equal("fabrikam.com's side was not checked. Through the cross-tenant access policy contoso.onmicrosoft.com's users see fabrikam.com's " +
            "free/busy only when fabrikam.com's own policy grants contoso.onmicrosoft.com: a partner configuration with the Microsoft 365 collaboration trust " +
            "and a free/busy capability.", f.Message);
    }

    [Fact]
    public async Task Without_the_partner_a_relationship_to_Microsoft_365_also_needs_its_EWS_on_which_is_said()
    {
        Finding f = Assert.Single(await RunAsync(Pair(relationships: true, partner: false, domain: "fabrikam.com")), x => x.Check == CheckIds.PartnerSideNotChecked);
        Assert.EndsWith("with FreeBusyAccessEnabled, and EWS kept on there (EwsEnabled True) while that relationship serves.", f.Message);
    }

    [Fact]
    public async Task A_blocked_trust_blocks_on_the_partner_side_and_the_probe_explains_7002()
    {
        List<Finding> findings = await RunAsync(Scenarios["TrustBlocked"].Build());
        Finding trust = findings[0], probe = findings[1];
        Assert.Equal((FindingSeverity.Blocking, FabrikamOrg), (trust.Severity, trust.Side));
        Assert.Equal("fabrikam.onmicrosoft.com's partner configuration for contoso.onmicrosoft.com blocks the Microsoft 365 collaboration trust for all users, so no " +
            "Microsoft 365 capability works: contoso.onmicrosoft.com's users see no free/busy of fabrikam.onmicrosoft.com through the policy.", trust.Message);
        Assert.Equal($"Grant-CrossTenantCalendarAccess -Connection <fabrikam.onmicrosoft.com> -PartnerTenantId {ContosoId} -Force", trust.Recommendation);
        Assert.Equal((FindingSeverity.Blocking, "Probe"), (probe.Severity, probe.Side));
        Assert.StartsWith("Asked for lee@fabrikam.com's free/busy, Exchange Online answered 7002 (\"GetSchedule is not supported for domain: fabrikam.com. 62382\"): " +
            "it does not serve fabrikam.com through the cross-tenant access policy for this pair.", probe.Message);
        Assert.DoesNotContain(findings, f => f.Check == CheckIds.FreeBusyNotVisible);
    }

    [Fact]
    public async Task An_inherited_trust_is_as_good_as_the_default_it_inherits()
    {
        List<Finding> findings = await RunAsync(Scenarios["TrustInherited"].Build());
        Finding theirs = findings[0], ours = findings[1];
        Assert.Equal((FindingSeverity.Blocking, FabrikamOrg), (theirs.Severity, theirs.Side));
        Assert.Contains("inherits the default policy's, which is blocked for all users: contoso.onmicrosoft.com's users see no free/busy", theirs.Message);
        Assert.Equal($"Grant-CrossTenantCalendarAccess -Connection <fabrikam.onmicrosoft.com> -PartnerTenantId {ContosoId}", theirs.Recommendation);
        Assert.Equal((FindingSeverity.Info, ContosoOrg), (ours.Severity, ours.Side));
        Assert.Contains("(allowed for all users), which works until someone changes the default", ours.Message);
    }

    [Fact]
    public async Task A_missing_capability_blocks_on_the_partner_side_and_warns_on_ours()
    {
        List<Finding> findings = await RunAsync(Scenarios["CapabilityMissing"].Build());
        Finding theirs = findings[0], ours = findings[2];
        Assert.Equal((FindingSeverity.Blocking, FabrikamOrg), (theirs.Severity, theirs.Side));
        Assert.Contains("allows no free/busy capability (crossTenantCalendarAvailabilityBasic or crossTenantCalendarAvailabilityLimitedDetails; " +
            "crossTenantCalendarAvailabilityLimitedDetails is there with isAllowed false)", theirs.Message);
        Assert.Equal($"Grant-CrossTenantCalendarAccess -Connection <fabrikam.onmicrosoft.com> -PartnerTenantId {ContosoId} -FreeBusyAccessLevel AvailabilityOnly", theirs.Recommendation);
        Assert.Equal((FindingSeverity.Warning, ContosoOrg), (ours.Severity, ours.Side));
        Assert.StartsWith($"contoso.onmicrosoft.com's cross-tenant access policy has no partner configuration for fabrikam.onmicrosoft.com (tenant {FabrikamId})", ours.Message);
        Assert.Equal($"Grant-CrossTenantCalendarAccess -PartnerTenantId {FabrikamId} -FreeBusyAccessLevel AvailabilityOnly", ours.Recommendation);
    }

    [Fact]
    public async Task Policy_faults_behind_enabled_relationships_are_warnings_about_after_the_cutover()
    {
        PolicyRead blocked = Policy(FabrikamOrg, ContosoOrg, ContosoId, partner: true, trust: BlockedTrust, capabilities: Capability(Basic));
        Finding trust = Assert.Single(await RunAsync(Pair(relationships: true, remote: blocked)), f => f.Check == CheckIds.CrossTenantTrustBlocked);
        Assert.Equal(FindingSeverity.Warning, trust.Severity);
        Assert.EndsWith("once the legacy objects are disabled, contoso.onmicrosoft.com's users will see no free/busy of fabrikam.onmicrosoft.com.", trust.Message);
    }

    [Fact]
    public async Task A_mailbox_outside_the_scopes_is_named_with_the_scope_and_the_probe_explains_5016()
    {
        List<Finding> findings = await RunAsync(Scenarios["MailboxOutOfScope"].Build());
        Finding scope = findings[0], probe = findings[1];
        Assert.Equal((FindingSeverity.Blocking, FabrikamOrg), (scope.Severity, scope.Side));
        Assert.Equal($"nestor@fabrikam.com is outside the resource scopes of crossTenantCalendarAvailabilityBasic in fabrikam.onmicrosoft.com's policy for contoso.onmicrosoft.com " +
            $"(group {GroupId}): scripted. The service answers 5016 for it.", scope.Message);
        Assert.Equal((FindingSeverity.Blocking, "Probe"), (probe.Severity, probe.Side));
        Assert.Contains("but nestor@fabrikam.com is outside its user or group restrictions (resource scopes)", probe.Message);
    }

    [Fact]
    public async Task Unreadable_policies_name_why_warn_when_the_policy_may_be_the_path_and_inform_behind_relationships()
    {
        List<Finding> findings = await RunAsync(Scenarios["PoliciesUnreadable"].Build());
        Finding[] notChecked = findings.Where(f => f.Check == CheckIds.CrossTenantAccessNotChecked).ToArray();
        Assert.Equal(new[] { ContosoOrg, FabrikamOrg }, notChecked.Select(f => f.Side));
        Assert.All(notChecked, f => Assert.Equal(FindingSeverity.Warning, f.Severity));
        Assert.Equal("contoso.onmicrosoft.com's cross-tenant access policy for fabrikam.onmicrosoft.com could not be checked: Microsoft Graph refused to read the " +
            "cross-tenant access policy: Policy.Read.All is missing.", notChecked[0].Message);
        Assert.Equal("Grant Policy.Read.All.", notChecked[0].Recommendation);

        Finding behind = Assert.Single(await RunAsync(Scenarios["PoliciesUnreadableBehindRelationships"].Build()), f => f.Check == CheckIds.CrossTenantAccessNotChecked);
        Assert.Equal(FindingSeverity.Info, behind.Severity);
    }

    [Fact]
    public async Task An_unresolvable_partner_blocks_without_a_relationship_and_warns_behind_one()
    {
        Finding consumer = Assert.Single(await RunAsync(Scenarios["PartnerIsConsumer"].Build()), f => f.Check == CheckIds.PartnerTenantNotResolved);
        Assert.Equal(FindingSeverity.Blocking, consumer.Severity);
        Assert.StartsWith("outlook.com belongs to the Microsoft account (consumer) tenant, not to a Microsoft 365 organization", consumer.Message);

        TenantSnapshot local = Contoso(Relationship("Fabrikam", FabrikamDomains));
        DiagnosticsContext context = Context(Request(local, domain: "fabrikam.com"), local, null);
        context.Provide(Rediscovery.Fact, Fresh("fabrikam.com"));
        context.Provide(CrossTenantAccessFacts.PartnerTenant, new TenantLookup("fabrikam.com", null, ErrorIds.PartnerTenantNotFound, "not found"));
        context.Provide(CrossTenantAccessFacts.LocalPolicy, null);
        Finding behind = Assert.Single(await RunAsync(context), f => f.Check == CheckIds.PartnerTenantNotResolved);
        Assert.Equal(FindingSeverity.Warning, behind.Severity);
        Assert.EndsWith("only the organization relationship serves it, until EWS ends.", behind.Message);
    }

    [Fact]
    public async Task A_lookup_that_failed_is_not_an_unknown_tenant_but_an_unchecked_policy()
    {
        DiagnosticsContext context = Unresolvable("fabrikam.com", ErrorIds.PartnerTenantLookupFailed);
        Finding f = Assert.Single(await RunAsync(context), x => x.Check == CheckIds.CrossTenantAccessNotChecked);
        Assert.Equal((FindingSeverity.Warning, "fabrikam.com"), (f.Severity, f.Side));
        Assert.StartsWith("The cross-tenant access policy was not checked: the tenant of fabrikam.com could not be looked up.", f.Message);
        Assert.DoesNotContain(await RunAsync(Unresolvable("fabrikam.com", ErrorIds.PartnerTenantLookupFailed)), x => x.Check == CheckIds.PartnerTenantNotResolved);
    }

    [Fact]
    public async Task An_on_premises_partner_asks_nothing_of_the_policy()
    {
        // No cross-tenant access fact is supplied: reading any would reach the network and fail the test.
        const string epr = "https://mail.adatum.com/autodiscover/autodiscover.svc/WSSecurity";
        TenantSnapshot local = Contoso(Relationship("Adatum", new[] { "adatum.com" }, application: "FYDIBOHF25SPDLT.adatum.com", epr: epr));
        DiagnosticsContext context = DiagnosticsContext.Create(Request(local, domain: "adatum.com"), local, null, NullEngineEvents.Instance);
        context.Discover = new FakeDiscovery((options, domain) => options.AutodiscoverUri == new Uri(epr) ? Answer(domain, "FYDIBOHF25SPDLT.adatum.com", new Uri(epr)) : null)
            .DiscoverAsync;
        Assert.Equal(new[] { "PartnerSideNotChecked", "PartnerIsOnPremises", "NoProblemsFound" }, Checks(await RunAsync(context)));
    }

    [Fact]
    public async Task Every_policy_fact_is_read_once_however_many_checks_read_it()
    {
        DiagnosticsContext context = Scenarios["MailboxOutOfScope"].Build();
        int reads = 0;
        var path = new DiagnosticsFact<int>("Counting", (c, t) => Task.FromResult(++reads));
        await Task.WhenAll(context.GetAsync(path, CancellationToken.None), context.GetAsync(path, CancellationToken.None));
        Assert.Equal(1, reads);
        // The path is computed once and shared: the relationship checks and the policy checks see the same object.
        CrossTenantPath first = await context.GetAsync(CrossTenantAccessFacts.Path, CancellationToken.None);
        await RunAsync(context);
        Assert.Same(first, await context.GetAsync(CrossTenantAccessFacts.Path, CancellationToken.None));
        Assert.True(first.ViaCrossTenantAccess);
        Assert.True(first.ServedByPolicy);
    }

    private static string Refusal(string code, string message) =>
        "{\"value\":[{\"scheduleId\":\"lee@fabrikam.com\",\"availabilityView\":\"\",\"scheduleItems\":[],\"error\":{\"message\":\"" + message + "\",\"responseCode\":\"" + code + "\"}}]}";

    private static DiagnosticsContext Pair(bool relationships, bool partner = true, PolicyRead? local = null, PolicyRead? remote = null, string? mailbox = null,
        string? domain = null, string? probe = null, ScopeOutcome? scope = null, string permission = "AvailabilityOnly", EwsState localEws = EwsState.True,
        EwsState partnerEws = EwsState.True, LegacyExtras? localExtras = null, DateTimeOffset? today = null)
    {
        TenantSnapshot ours = relationships ? Contoso(ContosoForFabrikam()) : Contoso();
        TenantSnapshot? theirs = partner ? (relationships ? Fabrikam(FabrikamForContoso()) : Fabrikam()) : null;
        DiagnosticsRequest request = Request(ours, theirs, mailbox, mailbox == null ? null : "alex@contoso.com", domain);
        if (today != null) request.Clock = new FakeTimeProvider(today.Value);
        DiagnosticsContext context = Context(request, ours, theirs);
        if (relationships) context.Provide(Rediscovery.Fact, Fresh("fabrikam.onmicrosoft.com"));
        if (local != null) context.Provide(CrossTenantAccessFacts.LocalPolicy, local);
        if (remote != null) context.Provide(CrossTenantAccessFacts.PartnerPolicy, remote);
        context.Provide(CrossTenantAccessFacts.LocalEws, localEws);
        context.Provide(CrossTenantAccessFacts.PartnerEws, partner ? partnerEws : EwsState.Unknown);
        if (localExtras != null) context.Provide(CrossTenantAccessFacts.LocalExtras, localExtras);
        if (probe != null) context.Provide(ProbeChecks.Probe, Probe(probe));
        if (partner && mailbox != null) context.Provide(ProbeChecks.CalendarPermission, permission);
        M365Capability first = (remote?.FreeBusy.FirstOrDefault()) ?? Capability(Basic);
        context.Provide(CrossTenantAccessFacts.MailboxScope, scope == null ? null : new MailboxScopeRead(scope.Value, first, "scripted"));
        return context;
    }

    private static DiagnosticsContext Unresolvable(string domain, string errorId)
    {
        TenantSnapshot local = Contoso();
        DiagnosticsContext context = Context(Request(local, domain: domain), local, null);
        context.Provide(CrossTenantAccessFacts.PartnerTenant, new TenantLookup(domain, null, errorId, $"{errorId} for {domain}"));
        context.Provide(CrossTenantAccessFacts.LocalPolicy, null);
        return context;
    }
}
