using CalendarFederation.Engine.Diagnostics;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;
using Xunit;
using static CalendarFederation.Engine.Tests.Diagnostics.DiagnosticsWorld;

namespace CalendarFederation.Engine.Tests.Diagnostics;

/// <summary>
/// Fresh discovery asks the way the relationship was built (issue 13): the cloud endpoint first for a Microsoft 365
/// partner, the relationship's own TargetAutodiscoverEpr for a hybrid or on-premises one, whose domains the cloud answers
/// with outlook.com.
/// </summary>
public class RediscoveryTests
{
    private const string AdatumEpr = "https://mail.adatum.com/autodiscover/autodiscover.svc/WSSecurity";
    private const string OnPremisesApplication = "FYDIBOHF25SPDLT.adatum.com";

    [Fact]
    public async Task A_hybrid_partner_is_asked_at_its_stored_endpoint_so_its_on_premises_TargetApplicationUri_is_not_called_stale()
    {
        // The cloud answers outlook.com for adatum.com (its Microsoft 365 side); its on-premises Exchange answers as built.
        var discovery = new FakeDiscovery((options, domain) =>
            options.AutodiscoverUri == new Uri(AdatumEpr) ? Answer(domain, OnPremisesApplication, new Uri(AdatumEpr))
            : options.AutodiscoverUri == CloudEndpoint ? Answer(domain, "outlook.com", CloudEndpoint)
            : null);
        List<Finding> findings = await RunAsync(AdatumContext(discovery));

        Assert.DoesNotContain(CheckIds.TargetApplicationUriStale, Checks(findings));
        Assert.DoesNotContain(CheckIds.TargetAutodiscoverEprStale, Checks(findings));
        Finding hybrid = Assert.Single(findings, f => f.Check == CheckIds.PartnerIsHybrid);
        Assert.Equal(FindingSeverity.Info, hybrid.Severity);
        Assert.Equal("adatum.com", hybrid.Side);
        Assert.Equal($"adatum.com is hybrid: 'Adatum' reaches its on-premises Exchange ({OnPremisesApplication}), while Microsoft 365 also answers for adatum.com. " +
            $"The targets were compared with what {AdatumEpr}, its TargetAutodiscoverEpr, answers, the way the relationship was built.", hybrid.Message);

        // Two questions: the stored endpoint alone, and the cloud alone (to tell hybrid from on-premises); never cloud-first.
        var asked = discovery.Asked.ToArray();
        Assert.Equal(2, asked.Length);
        Assert.All(asked, a => Assert.Null(a.Options.CloudEndpoint));
        Assert.All(asked, a => Assert.Equal("adatum.com", a.Domain));
        Assert.Equal(new[] { new Uri(AdatumEpr), CloudEndpoint }, asked.Select(a => a.Options.AutodiscoverUri));
    }

    [Fact]
    public async Task The_stored_endpoint_answering_another_ApplicationUri_is_still_stale()
    {
        var discovery = new FakeDiscovery((options, domain) =>
            options.AutodiscoverUri == new Uri(AdatumEpr) ? Answer(domain, "FYDIBOHF25SPDLT.adatum.net", new Uri(AdatumEpr)) : null);
        List<Finding> findings = await RunAsync(AdatumContext(discovery));

        Finding stale = Assert.Single(findings, f => f.Check == CheckIds.TargetApplicationUriStale);
        Assert.Equal(1, stale.Rank);
        Assert.Equal($"'Adatum' has TargetApplicationUri {OnPremisesApplication}, but {AdatumEpr}, its TargetAutodiscoverEpr, now answers FYDIBOHF25SPDLT.adatum.net for adatum.com.",
            stale.Message);
        Assert.Equal("Set-OrganizationRelationship -Identity 'Adatum' -TargetApplicationUri FYDIBOHF25SPDLT.adatum.net", stale.Recommendation);
        Assert.Contains(CheckIds.PartnerIsOnPremises, Checks(findings));
    }

    [Fact]
    public async Task A_stored_endpoint_that_does_not_answer_is_named_and_the_cloud_answer_is_not_compared_instead()
    {
        var discovery = new FakeDiscovery((options, domain) => options.AutodiscoverUri == CloudEndpoint ? Answer(domain, "outlook.com", CloudEndpoint) : null);
        List<Finding> findings = await RunAsync(AdatumContext(discovery));

        Assert.Equal(new[] { "PartnerDiscoveryFailed", "PartnerSideNotChecked", "PartnerIsHybrid" }, Checks(findings));
        Finding failed = findings[0];
        Assert.Equal(FindingSeverity.Warning, failed.Severity);
        Assert.StartsWith($"Fresh discovery of adatum.com at {AdatumEpr}, the relationship's TargetAutodiscoverEpr, failed: " +
            "Federation information could not be received from the external organization.", failed.Message);
        Assert.Equal($"Check that endpoint; Get-FederationInformation -DomainName adatum.com -AutodiscoverUri {AdatumEpr} -Verbose shows its answer.", failed.Recommendation);
    }

    [Fact]
    public async Task The_tenants_own_on_premises_organization_is_asked_at_its_endpoint_only()
    {
        const string epr = "https://mail.contoso.com/autodiscover/autodiscover.svc/WSSecurity";
        TenantSnapshot local = Contoso(Relationship("O365 to On-premises - 5c1e", new[] { "contoso.com" }, application: "FYDIBOHF25SPDLT.contoso.com", epr: epr));
        var discovery = new FakeDiscovery((options, domain) => Answer(domain, "FYDIBOHF25SPDLT.contoso.com", options.AutodiscoverUri!));
        DiagnosticsContext context = Context(Request(local, identity: "O365 to On-premises - 5c1e"), local, null, discovery);

        Assert.Equal(PartnerKind.Hybrid, context.PartnerKind);
        List<Finding> findings = await RunAsync(context);

        var asked = Assert.Single(discovery.Asked);
        Assert.Equal(new Uri(epr), asked.Options.AutodiscoverUri);
        Assert.Equal("contoso.com", asked.Domain);
        Finding hybrid = Assert.Single(findings, f => f.Check == CheckIds.PartnerIsHybrid);
        Assert.Equal("contoso.onmicrosoft.com", hybrid.Side);
        Assert.StartsWith("'O365 to On-premises - 5c1e' in contoso.onmicrosoft.com is for contoso.onmicrosoft.com's own on-premises Exchange organization (hybrid)", hybrid.Message);
        Assert.DoesNotContain(CheckIds.TargetApplicationUriStale, Checks(findings));
    }

    [Fact]
    public void Each_kind_of_relationship_gets_its_route()
    {
        // Microsoft 365: the cloud first, for the partner's *.onmicrosoft.com domain when the partner was read.
        TenantSnapshot fabrikam = Fabrikam(FabrikamForContoso());
        TenantSnapshot local = Contoso(ContosoForFabrikam());
        RediscoveryPlan cloud = Rediscovery.Plan(Context(Request(local, fabrikam), local, fabrikam))!;
        Assert.Equal(RediscoveryRoute.CloudFirst, cloud.Route);
        Assert.Equal("fabrikam.onmicrosoft.com", cloud.Domain);
        Assert.Null(cloud.Endpoint);

        // On-premises with a stored endpoint: that endpoint, for the relationship's own (non-onmicrosoft) domain.
        TenantSnapshot withEpr = Contoso(Relationship("Adatum", new[] { "adatum.onmicrosoft.com", "adatum.com" }, application: OnPremisesApplication, epr: AdatumEpr));
        RediscoveryPlan stored = Rediscovery.Plan(Context(Request(withEpr, domain: "adatum.com"), withEpr, null))!;
        Assert.Equal(RediscoveryRoute.StoredEndpoint, stored.Route);
        Assert.Equal("adatum.com", stored.Domain);
        Assert.Equal(new Uri(AdatumEpr), stored.Endpoint);

        // On-premises reached through TargetSharingEpr only: its own Autodiscover hosts, as Exchange's cmdlet asks.
        TenantSnapshot sharingOnly = Contoso(Relationship("Adatum", new[] { "adatum.com" }, application: OnPremisesApplication, epr: null,
            sharingEpr: "https://mail.adatum.com/EWS/Exchange.asmx"));
        RediscoveryPlan hosts = Rediscovery.Plan(Context(Request(sharingOnly, domain: "adatum.com"), sharingOnly, null))!;
        Assert.Equal(RediscoveryRoute.PartnerHosts, hosts.Route);
        Assert.Null(hosts.Endpoint);

        // No relationship: nothing to re-discover.
        TenantSnapshot none = Contoso();
        Assert.Null(Rediscovery.Plan(Context(Request(none, domain: "fabrikam.com"), none, null)));
    }

    [Fact]
    public async Task The_routes_reach_discovery_as_options()
    {
        TenantSnapshot sharingOnly = Contoso(Relationship("Adatum", new[] { "adatum.com" }, application: OnPremisesApplication, epr: null,
            sharingEpr: "https://mail.adatum.com/EWS/Exchange.asmx"));
        var hosts = new FakeDiscovery((options, domain) => Answer(domain, OnPremisesApplication, new Uri("https://autodiscover.adatum.com/autodiscover/autodiscover.svc")));
        await RunAsync(Context(Request(sharingOnly, domain: "adatum.com"), sharingOnly, null, hosts));
        // The partner's own hosts, then the cloud alone.
        Assert.Equal(2, hosts.Asked.Count);
        Assert.All(hosts.Asked, a => Assert.Null(a.Options.CloudEndpoint));
        Assert.Equal(new Uri?[] { null, CloudEndpoint }, hosts.Asked.Select(a => a.Options.AutodiscoverUri));

        TenantSnapshot fabrikam = Fabrikam(FabrikamForContoso()), local = Contoso(ContosoForFabrikam());
        var cloud = new FakeDiscovery((options, domain) => Answer(domain, "outlook.com", CloudEndpoint));
        Assert.Equal(new[] { "NoProblemsFound" }, Checks(await RunAsync(Context(Request(local, fabrikam), local, fabrikam, cloud))));
        var only = Assert.Single(cloud.Asked);
        Assert.Equal(CloudEndpoint, only.Options.CloudEndpoint);
        Assert.Null(only.Options.AutodiscoverUri);
        Assert.True(only.Options.BypassAdditionalDomainValidation);
    }

    private static DiagnosticsContext AdatumContext(FakeDiscovery discovery)
    {
        TenantSnapshot local = Contoso(Relationship("Adatum", new[] { "adatum.com" }, application: OnPremisesApplication, epr: AdatumEpr));
        DiagnosticsContext context = Context(Request(local, domain: "adatum.com"), local, null, discovery);
        Assert.Equal(PartnerKind.OnPremises, context.PartnerKind);
        return context;
    }
}
