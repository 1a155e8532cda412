using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;
using Xunit;

namespace CalendarFederation.Engine.Tests.Federation;

/// <summary>
/// FederationPlanner.Plan and Verify as pure functions: TenantSnapshots built directly (no sign-in, no admin API call),
/// relationships as the admin API returns them, and the partner's federation information as discovery gives it.
/// </summary>
public class FederationPlannerTests
{
    private const string Epr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";

    private static readonly string[] FabrikamDomains = { "fabrikam.com", "fabrikam.onmicrosoft.com", "fabrikam.co.uk" };
    private static readonly string[] ContosoDomains = { "contoso.com", "contoso.onmicrosoft.com", "sales.contoso.com" };

    private static readonly FederationInfo FabrikamInfo = new(
        "fabrikam.onmicrosoft.com", "outlook.com", new[] { "fabrikam.onmicrosoft.com" },
        new Uri("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc"), CandidateKind.Cloud, Array.Empty<TokenIssuer>(), null);

    // ---- Plan: a fresh pair ----

    [Fact]
    public void Fresh_tenant_creates_one_relationship_with_every_partner_domain_and_the_discovered_targets()
    {
        SidePlan plan = FederationPlanner.Plan(Contoso(), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam", "LimitedDetails"));

        Assert.Equal(SideAction.Create, plan.Action);
        Assert.Null(plan.Blocker);
        Assert.False(plan.NeedsHydration);
        Assert.False(plan.IsNoOp);
        Assert.Equal("contoso.onmicrosoft.com", plan.Organization);
        Assert.Equal("fabrikam.onmicrosoft.com", plan.Partner);
        Assert.Equal("Fabrikam", plan.RelationshipName);
        Assert.Equal(FabrikamDomains, plan.DomainsToAdd);
        Assert.Equal(FabrikamDomains, plan.AllPartnerDomains);
        Assert.Equal(Epr, FabrikamInfo.TargetAutodiscoverEpr);
        Assert.Equal(new[]
        {
            "Enabled=True", "FreeBusyAccessEnabled=True", "FreeBusyAccessLevel=LimitedDetails",
            "TargetApplicationUri=outlook.com", "TargetAutodiscoverEpr=" + Epr,
        }, Settings(plan));
        Assert.Equal(new[]
        {
            "Create 'Fabrikam' for fabrikam.com, fabrikam.onmicrosoft.com, fabrikam.co.uk",
            "FreeBusyAccessLevel: LimitedDetails",
            "Target: outlook.com at " + Epr,
        }, plan.Changes);
    }

    [Fact]
    public void A_scope_is_part_of_the_create_only_when_asked_for()
    {
        SideSettings desired = Desired("Fabrikam");
        desired.FreeBusyAccessScope = "CalendarSharing";
        SidePlan plan = FederationPlanner.Plan(Contoso(), Fabrikam(), FabrikamInfo, null, desired);

        Assert.Contains("FreeBusyAccessScope=CalendarSharing", Settings(plan));
        Assert.Equal("FreeBusyAccessScope: CalendarSharing", plan.Changes.Last());
        Assert.DoesNotContain(Settings(FederationPlanner.Plan(Contoso(), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam"))), s => s.StartsWith("FreeBusyAccessScope", StringComparison.Ordinal));
    }

    [Fact]
    public void A_dehydrated_tenant_needs_hydration_first_and_is_never_a_no_op()
    {
        SidePlan plan = FederationPlanner.Plan(Contoso(dehydrated: true), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam"));
        Assert.True(plan.NeedsHydration);
        Assert.Equal(SideAction.Create, plan.Action);
        Assert.False(plan.IsNoOp);

        // Even when the relationship is already right, hydration alone keeps it from being a no-op.
        TenantSnapshot ready = Contoso(dehydrated: true, Relationship("Fabrikam", FabrikamDomains));
        SidePlan again = FederationPlanner.Plan(ready, Fabrikam(), FabrikamInfo, null, Desired("Fabrikam"));
        Assert.Equal(SideAction.None, again.Action);
        Assert.True(again.NeedsHydration);
        Assert.False(again.IsNoOp);
    }

    // ---- Plan: blockers ----

    [Fact]
    public void Failed_discovery_blocks_the_side_and_quotes_the_failure()
    {
        SidePlan plan = FederationPlanner.Plan(Contoso(), Fabrikam(), null, "no candidate answered", Desired("Fabrikam"));
        Assert.Equal("fabrikam.onmicrosoft.com's federation information could not be discovered, so contoso.onmicrosoft.com would not know how to reach it: no candidate answered", plan.Blocker);
        Assert.Equal(SideAction.None, plan.Action);
        Assert.False(plan.IsNoOp);
        Assert.Empty(plan.Settings);
        Assert.Equal(FabrikamDomains, plan.AllPartnerDomains);
    }

    [Fact]
    public void Partner_domains_split_across_two_relationships_block_the_side_naming_both()
    {
        TenantSnapshot local = Contoso(dehydrated: false,
            Relationship("FabA", new[] { "fabrikam.com" }),
            Relationship("FabB", new[] { "FABRIKAM.co.uk" }),
            Relationship("Tailspin", new[] { "tailspintoys.com" }));
        SidePlan plan = FederationPlanner.Plan(local, Fabrikam(), FabrikamInfo, null, Desired("Fabrikam"));
        Assert.Equal("fabrikam.onmicrosoft.com's domains are split across the relationships 'FabA', 'FabB' in contoso.onmicrosoft.com; merge them into one first.", plan.Blocker);
        Assert.Equal(SideAction.None, plan.Action);
        Assert.Empty(plan.Changes);
    }

    [Fact]
    public void The_name_taken_by_a_relationship_for_other_domains_blocks_the_create()
    {
        TenantSnapshot local = Contoso(dehydrated: false, Relationship("fabrikam", new[] { "tailspintoys.com" }));
        SidePlan plan = FederationPlanner.Plan(local, Fabrikam(), FabrikamInfo, null, Desired("Fabrikam"));
        Assert.Equal("contoso.onmicrosoft.com already has a relationship named 'Fabrikam' for other domains; choose another name.", plan.Blocker);

        SidePlan renamed = FederationPlanner.Plan(local, Fabrikam(), FabrikamInfo, null, Desired("Fabrikam free/busy"));
        Assert.Null(renamed.Blocker);
        Assert.Equal(SideAction.Create, renamed.Action);
    }

    // ---- Plan: an existing relationship ----

    [Fact]
    public void A_matching_relationship_is_a_no_op_whatever_the_case_of_its_domains_and_values()
    {
        AdminObject existing = Relationship("Fabrikam (ours)", new[] { "FABRIKAM.COM", "Fabrikam.OnMicrosoft.com", "fabrikam.co.uk." },
            level: "limiteddetails", applicationUri: "Outlook.com", epr: Epr.ToUpperInvariant());
        SidePlan plan = FederationPlanner.Plan(Contoso(dehydrated: false, existing), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam", "LimitedDetails"));

        Assert.Equal(SideAction.None, plan.Action);
        Assert.True(plan.IsNoOp);
        Assert.Empty(plan.Changes);
        Assert.Empty(plan.Settings);
        Assert.Empty(plan.DomainsToAdd);
        Assert.Equal("Fabrikam (ours)", plan.RelationshipName);
    }

    [Fact]
    public void A_one_domain_relationship_gets_only_the_missing_domains_and_the_new_level()
    {
        // What Get-FederationInformation | New-OrganizationRelationship leaves since 2025.
        AdminObject classic = Relationship("Fabrikam (classic)", new[] { "fabrikam.com" }, level: "AvailabilityOnly");
        SidePlan plan = FederationPlanner.Plan(Contoso(dehydrated: false, classic), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam", "LimitedDetails"));

        Assert.Equal(SideAction.Update, plan.Action);
        Assert.Equal("Fabrikam (classic)", plan.RelationshipName);
        Assert.Equal(new[] { "fabrikam.onmicrosoft.com", "fabrikam.co.uk" }, plan.DomainsToAdd);
        Assert.Equal(new[] { "FreeBusyAccessLevel=LimitedDetails" }, Settings(plan));
        Assert.Equal(new[] { "DomainNames: add fabrikam.onmicrosoft.com, fabrikam.co.uk", "FreeBusyAccessLevel: AvailabilityOnly -> LimitedDetails" }, plan.Changes);
    }

    [Fact]
    public void A_disabled_relationship_without_free_busy_or_targets_is_put_right_setting_by_setting()
    {
        AdminObject broken = Relationship("Fabrikam", FabrikamDomains, enabled: false, freeBusy: false, level: null, applicationUri: null, epr: null);
        SidePlan plan = FederationPlanner.Plan(Contoso(dehydrated: false, broken), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam"));

        Assert.Equal(SideAction.Update, plan.Action);
        Assert.Empty(plan.DomainsToAdd);
        Assert.Equal(new[]
        {
            "Enabled: False -> True",
            "FreeBusyAccessEnabled: False -> True",
            "FreeBusyAccessLevel: (empty) -> AvailabilityOnly",
            "TargetApplicationUri: (empty) -> outlook.com",
            "TargetAutodiscoverEpr: (empty) -> " + Epr,
        }, plan.Changes);
    }

    [Fact]
    public void Stale_targets_are_replaced_by_the_discovered_ones()
    {
        AdminObject stale = Relationship("Fabrikam", FabrikamDomains, applicationUri: "FYDIBOHF25SPDLT.fabrikam.com",
            epr: "https://mail.fabrikam.com/autodiscover/autodiscover.svc/WSSecurity");
        SidePlan plan = FederationPlanner.Plan(Contoso(dehydrated: false, stale), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam"));

        Assert.Equal(new[] { "TargetApplicationUri=outlook.com", "TargetAutodiscoverEpr=" + Epr }, Settings(plan));
        Assert.Equal("TargetApplicationUri: FYDIBOHF25SPDLT.fabrikam.com -> outlook.com", plan.Changes[0]);
    }

    [Fact]
    public void An_existing_scope_is_kept_unless_another_is_asked_for()
    {
        AdminObject scoped = Relationship("Fabrikam", FabrikamDomains, scope: "CalendarSharing");
        Assert.True(FederationPlanner.Plan(Contoso(dehydrated: false, scoped), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam")).IsNoOp);

        SideSettings same = Desired("Fabrikam");
        same.FreeBusyAccessScope = "calendarsharing";
        Assert.True(FederationPlanner.Plan(Contoso(dehydrated: false, scoped), Fabrikam(), FabrikamInfo, null, same).IsNoOp);

        SideSettings other = Desired("Fabrikam");
        other.FreeBusyAccessScope = "AllStaff";
        SidePlan plan = FederationPlanner.Plan(Contoso(dehydrated: false, scoped), Fabrikam(), FabrikamInfo, null, other);
        Assert.Equal(new[] { "FreeBusyAccessScope: CalendarSharing -> AllStaff" }, plan.Changes);
    }

    [Fact]
    public void The_partner_side_is_planned_the_same_way_in_the_other_direction()
    {
        SidePlan plan = FederationPlanner.Plan(Fabrikam(), Contoso(), FabrikamInfo, null, Desired("Contoso", "None"));
        Assert.Equal("fabrikam.onmicrosoft.com", plan.Organization);
        Assert.Equal("contoso.onmicrosoft.com", plan.Partner);
        Assert.Equal(ContosoDomains, plan.DomainsToAdd);
        Assert.Contains("FreeBusyAccessLevel=None", Settings(plan));
        // Level None shares nothing, so it is said plainly: free/busy access off.
        Assert.Contains("FreeBusyAccessEnabled=False", Settings(plan));
    }

    // ---- Verify ----

    [Fact]
    public void Verify_passes_what_the_create_asked_for_as_read_back()
    {
        SidePlan plan = FederationPlanner.Plan(Contoso(), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam", "LimitedDetails"));
        AdminObject readBack = Relationship("Fabrikam", new[] { "fabrikam.com", "FABRIKAM.onmicrosoft.com", "fabrikam.co.uk" }, level: "LimitedDetails");
        Assert.Empty(FederationPlanner.Verify(readBack, plan));
    }

    [Fact]
    public void Verify_reports_a_relationship_that_is_not_there()
    {
        SidePlan plan = FederationPlanner.Plan(Contoso(), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam"));
        Assert.Equal(new[] { "'Fabrikam' is not there when read back." }, FederationPlanner.Verify(null, plan));
    }

    [Fact]
    public void Verify_names_missing_domains_and_each_setting_that_differs()
    {
        SidePlan plan = FederationPlanner.Plan(Contoso(), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam", "LimitedDetails"));
        AdminObject readBack = Relationship("Fabrikam", new[] { "fabrikam.com" }, freeBusy: false, level: "AvailabilityOnly", epr: null);
        Assert.Equal(new[]
        {
            "missing domains: fabrikam.onmicrosoft.com, fabrikam.co.uk",
            "FreeBusyAccessEnabled is False, not True",
            "FreeBusyAccessLevel is AvailabilityOnly, not LimitedDetails",
            "TargetAutodiscoverEpr is (empty), not " + Epr,
        }, FederationPlanner.Verify(readBack, plan));
    }

    [Fact]
    public void Verify_of_an_update_checks_the_domains_and_the_changed_settings_only()
    {
        AdminObject classic = Relationship("Fabrikam", new[] { "fabrikam.com" }, level: "AvailabilityOnly", mailTips: true);
        SidePlan plan = FederationPlanner.Plan(Contoso(dehydrated: false, classic), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam", "LimitedDetails"));

        AdminObject updated = Relationship("Fabrikam", FabrikamDomains, level: "LimitedDetails", mailTips: true);
        Assert.Empty(FederationPlanner.Verify(updated, plan));

        AdminObject levelOnly = Relationship("Fabrikam", new[] { "fabrikam.com" }, level: "LimitedDetails");
        Assert.Equal(new[] { "missing domains: fabrikam.onmicrosoft.com, fabrikam.co.uk" }, FederationPlanner.Verify(levelOnly, plan));
    }

    [Fact]
    public void Plan_then_verify_round_trips_for_every_level()
    {
        foreach (string level in new[] { "None", "AvailabilityOnly", "LimitedDetails" })
        {
            SidePlan plan = FederationPlanner.Plan(Contoso(), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam", level));
            AdminObject readBack = Relationship("Fabrikam", plan.DomainsToAdd.ToArray(), freeBusy: level != "None", level: level);
            Assert.Empty(FederationPlanner.Verify(readBack, plan));
            // And once it exists, the same request plans nothing.
            Assert.True(FederationPlanner.Plan(Contoso(dehydrated: false, readBack), Fabrikam(), FabrikamInfo, null, Desired("Fabrikam", level)).IsNoOp, level);
        }
    }

    // ---- building blocks ----

    private static SideSettings Desired(string name, string level = "AvailabilityOnly") => new() { Name = name, FreeBusyAccessLevel = level };

    private static string[] Settings(SidePlan plan) =>
        plan.Settings.Select(s => s.Key + "=" + Convert.ToString(s.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static TenantSnapshot Contoso(bool dehydrated = false, params AdminObject[] relationships) =>
        new(Session("contoso.onmicrosoft.com"), "Contoso", "contoso.onmicrosoft.com", ContosoDomains, dehydrated, relationships.ToList());

    private static TenantSnapshot Fabrikam(bool dehydrated = false, params AdminObject[] relationships) =>
        new(Session("fabrikam.onmicrosoft.com"), "Fabrikam", "fabrikam.onmicrosoft.com", FabrikamDomains, dehydrated, relationships.ToList());

    /// <summary>A relationship as the admin API returns it (JSON arrays arrive as object?[]).</summary>
    private static AdminObject Relationship(string name, string[] domains, bool enabled = true, bool freeBusy = true, string? level = "AvailabilityOnly",
        string? applicationUri = "outlook.com", string? epr = Epr, string? scope = null, bool mailTips = false)
    {
        var properties = new List<KeyValuePair<string, object?>>
        {
            new("Identity", name),
            new("Name", name),
            new("DomainNames", domains.Cast<object?>().ToArray()),
            new("Enabled", enabled),
            new("FreeBusyAccessEnabled", freeBusy),
            new("FreeBusyAccessLevel", level),
            new("FreeBusyAccessScope", scope),
            new("MailTipsAccessEnabled", mailTips),
            new("TargetApplicationUri", applicationUri),
            new("TargetAutodiscoverEpr", epr),
            new("Guid", Guid.NewGuid().ToString()),
        };
        return new AdminObject(properties);
    }

    /// <summary>
    /// A session that cannot reach anything: Plan and Verify must not call out. TenantSession's constructor is internal
    /// (visible to this assembly); its admin API client gets a handler that fails every request.
    /// </summary>
    private static TenantSession Session(string organization)
    {
        var tokens = new NoTokens();
        var request = new SignInRequest { Mode = SignInMode.ClientSecret, Organization = organization, ClientId = "00000000-0000-4000-8000-0000000000aa" };
        var api = new AdminApiClient(new AdminApiOptions { Tenant = organization, AnchorMailbox = "APP:planner-test@" + organization, GateKey = "planner-test-" + organization },
            tokens, new NoNetwork(), disposeHandler: true);
        return new TenantSession(request, tokens, api, null, organization, null, request.ClientId, isAppOnly: true, DateTimeOffset.UtcNow.AddHours(1), null);
    }

    private sealed class NoTokens : ITokenSource
    {
        public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The planner asked for a token.");
    }

    private sealed class NoNetwork : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The planner called " + request.RequestUri + ".");
    }
}
