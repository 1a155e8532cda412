using System.Globalization;
using System.Text.Json.Nodes;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.Readiness;
using CalendarFederation.Engine.Tests.CrossTenantAccess;
using CalendarFederation.Engine.Tests.Graph;
using CalendarFederation.Engine.Tests.Relationships;
using CalendarFederation.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static CalendarFederation.Engine.Tests.Readiness.ReadinessWorld;

namespace CalendarFederation.Engine.Tests.Readiness;

/// <summary>
/// The readiness engine end to end against a fake admin API (paged) and the stateful fake of Graph's X-TAP endpoints:
/// how many requests each object type takes, the lookups, what a refused policy read does, and the partner's side.
/// Every wait is bounded in real time.
/// </summary>
public sealed class ReadinessServiceTests : IDisposable
{
    private const string Base = "/v1.0/policies/crossTenantAccessPolicy";
    private readonly FakeTimeProvider _time = new(Now);
    private readonly RecordingEvents _events = new();
    private readonly List<IDisposable> _clients = new();

    public void Dispose()
    {
        foreach (IDisposable c in _clients) c.Dispose();
    }

    private sealed class World
    {
        public World(string organization, string tenantId, FakeTimeProvider time)
        {
            Exchange = new FakeExchangeTenant(organization);
            Graph = new FakeXtapGraph(time);
            Organization = organization;
            TenantId = tenantId;
        }

        public string Organization { get; }
        public string TenantId { get; }
        public FakeExchangeTenant Exchange { get; }
        public FakeXtapGraph Graph { get; }
        public FakeGraphTokens Tokens { get; } = new();

        public int GraphRequests(string method, string pathPrefix) =>
            Graph.Requests.Count(r => r.Method == method && new Uri(r.Url).AbsolutePath.StartsWith(Base + pathPrefix, StringComparison.Ordinal));

        public int CapabilityListsOfPartners => Graph.Requests.Count(r => r.Method == "GET"
            && new Uri(r.Url).AbsolutePath.StartsWith(Base + "/partners/", StringComparison.Ordinal) && r.Url.EndsWith("/m365Capabilities", StringComparison.Ordinal));
    }

    private World Tenant(string organization, string tenantId, bool? ews, string[] domains)
    {
        var world = new World(organization, tenantId, _time);
        world.Exchange.Add("Get-OrganizationConfig", FakeExchangeTenant.OrganizationConfig(ews));
        world.Exchange.Add("Get-AcceptedDomain", domains.Select((d, i) => FakeExchangeTenant.AcceptedDomain(d, i == 0)).ToArray());
        world.Exchange.Add("Get-SharingPolicy", FakeExchangeTenant.SharingPolicy("Default Sharing Policy", true, true, "Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple"));
        return world;
    }

    private ReadinessTenant Connect(World world)
    {
        AdminApiClient api = world.Exchange.Client();
        var graph = new GraphClient(new GraphClientOptions { Tenant = world.TenantId, MaxRetries = 0, AttemptTimeout = TimeSpan.FromSeconds(30) },
            world.Tokens, world.Graph, disposeHandler: false, TimeProvider.System, new TenantGateRegistry(TimeProvider.System));
        _clients.Add(api);
        _clients.Add(graph);
        return new ReadinessTenant(world.Organization, world.TenantId, api, new CrossTenantAccessClient(graph));
    }

    private Task<ReadinessReport> Run(ReadinessRequest request) => ReadinessService.RunAsync(request, _events, CancellationToken.None).WaitAsync(Clock.RealTimeLimit);

    private static string PartnerTenant(int i) => new Guid(i, 0x1000, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1).ToString("D");

    [Fact]
    public async Task Five_hundred_relationships_take_one_paged_read_per_object_type_and_one_lookup_per_distinct_domain()
    {
        // 500 relationships, each with its own domain, for 50 partner tenants; 60 partner configurations, 50 of them theirs.
        World contoso = Tenant("contoso.onmicrosoft.com", ContosoId, ews: true, ContosoDomains);
        contoso.Exchange.PageSize = 100;
        contoso.Graph.PageSize = 25;
        var lookup = new FakeTenantLookup { HoldUntil = ReadinessDecisions.LookupConcurrency };
        for (int i = 0; i < 500; i++)
        {
            string domain = string.Format(CultureInfo.InvariantCulture, "d{0:000}.partner{1:00}.example", i, i % 50);
            contoso.Exchange.Add("Get-OrganizationRelationship", FakeExchangeTenant.Relationship(string.Format(CultureInfo.InvariantCulture, "R{0:000}", i), new[] { domain }));
            lookup.Add(domain, PartnerTenant(i % 50));
        }
        for (int t = 0; t < 60; t++)
        {
            FakeXtapGraph.PartnerEntry entry = contoso.Graph.AddPartner(PartnerTenant(t), FakeXtapGraph.AllUsersTrust);
            entry.Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] = FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic);
        }

        ReadinessReport report = await Run(new ReadinessRequest(Connect(contoso)) { ResolveTenant = lookup.ResolveAsync, Time = _time });

        // Exchange: one read per object type, paged (500 relationships at 100 a page), and no mailbox read (only the default policy).
        Assert.Equal(new Dictionary<string, int>
        {
            ["Get-AcceptedDomain"] = 1,
            ["Get-AvailabilityAddressSpace"] = 1,
            ["Get-OrganizationConfig"] = 1,
            ["Get-OrganizationRelationship"] = 5,
            ["Get-SharingPolicy"] = 1,
        }, contoso.Exchange.RequestsByCmdlet.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value));
        Assert.Equal(5, report.Statistics.AdminApiPages["Get-OrganizationRelationship"]);
        Assert.Equal(500, report.Statistics.AdminApiObjects["Get-OrganizationRelationship"]);
        // Lookups: one per distinct domain, side by side up to the bound and never past it.
        Assert.Equal(500, lookup.Asked.Count);
        Assert.Equal(500, lookup.Asked.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(500, report.Statistics.TenantLookups);
        Assert.Equal(ReadinessDecisions.LookupConcurrency, lookup.MaxInFlight);
        Assert.Equal(ReadinessDecisions.LookupConcurrency, report.Statistics.MaxLookupsInFlight);
        // Graph: the default (and its capabilities) once, the partner list in pages (60 at 25 a page), and one capability list per
        // partner configuration that a relationship needs: 50, not 500, and not the 10 nobody needs.
        Assert.Equal(3, contoso.GraphRequests("GET", "/partners") - contoso.CapabilityListsOfPartners);
        Assert.Equal(50, contoso.CapabilityListsOfPartners);
        Assert.Equal(50, report.Statistics.CapabilityReads);
        Assert.Equal(2, contoso.GraphRequests("GET", "/default"));
        Assert.Empty(contoso.Graph.Writes);
        Assert.DoesNotContain(contoso.Exchange.Sent, s => !s.CmdletName.StartsWith("Get-", StringComparison.Ordinal));
        // And every relationship is judged from it.
        List<ReadinessRow> relationships = report.Rows.Where(r => r.ObjectType == LegacyObjectType.OrganizationRelationship).ToList();
        Assert.Equal(500, relationships.Count);
        Assert.All(relationships, r => Assert.Equal(Verdict.ReadyToCutOver, r.Verdict));
        Assert.Equal(PartnerTenant(7), relationships.Single(r => r.Identity == "R457").PartnerTenantId);
    }

    [Fact]
    public async Task A_domain_named_twice_is_looked_up_once_and_a_domain_that_does_not_resolve_is_reported()
    {
        World contoso = Tenant("contoso.onmicrosoft.com", ContosoId, ews: null, ContosoDomains);
        contoso.Exchange.Add("Get-OrganizationRelationship", FakeExchangeTenant.Relationship("Fabrikam", new[] { "fabrikam.com", "FABRIKAM.com." }),
            FakeExchangeTenant.Relationship("Gone", new[] { "gone.example" }));
        contoso.Exchange.Objects["Get-SharingPolicy"].Add(FakeExchangeTenant.SharingPolicy("Partners", false, true, "fabrikam.com:CalendarSharingFreeBusySimple"));
        contoso.Exchange.Add("Get-Mailbox", FakeExchangeTenant.Mailbox("alex@contoso.com", "Partners"));
        var lookup = new FakeTenantLookup().Add("fabrikam.com", FabrikamId);

        ReadinessReport report = await Run(new ReadinessRequest(Connect(contoso)) { ResolveTenant = lookup.ResolveAsync, Time = _time });

        Assert.Equal(new[] { "fabrikam.com", "gone.example" }, lookup.Asked.OrderBy(d => d, StringComparer.Ordinal));
        ReadinessRow gone = report.Rows.Single(r => r.Identity == "Gone");
        Assert.Equal(Verdict.NeedsCrossTenantAccess, gone.Verdict);
        Assert.Contains("gone.example did not resolve to a tenant: Microsoft Entra ID knows no tenant", gone.Reason);
        Assert.Equal(FabrikamId, report.Rows.Single(r => r.Identity == "Partners").PartnerTenantId);
    }

    [Fact]
    public async Task Mailboxes_are_read_once_only_when_a_policy_other_than_the_default_could_apply_and_are_counted_per_policy()
    {
        World contoso = Tenant("contoso.onmicrosoft.com", ContosoId, ews: true, ContosoDomains);
        contoso.Exchange.Objects["Get-SharingPolicy"].Add(FakeExchangeTenant.SharingPolicy("Partners", false, true, "fabrikam.com:CalendarSharingFreeBusyDetail"));
        contoso.Exchange.Objects["Get-SharingPolicy"].Add(FakeExchangeTenant.SharingPolicy("Unused", false, true, "litware.com:CalendarSharingFreeBusyDetail"));
        contoso.Exchange.Add("Get-Mailbox", FakeExchangeTenant.Mailbox("alex@contoso.com", null), FakeExchangeTenant.Mailbox("megan@contoso.com", "Partners"),
            FakeExchangeTenant.Mailbox("room1@contoso.com", "Default Sharing Policy"));
        var lookup = new FakeTenantLookup().Add("fabrikam.com", FabrikamId);

        ReadinessReport report = await Run(new ReadinessRequest(Connect(contoso)) { ResolveTenant = lookup.ResolveAsync, Time = _time });

        SentCommand mailboxes = Assert.Single(contoso.Exchange.Sent, s => s.CmdletName == "Get-Mailbox");
        Assert.Equal("Unlimited", (string?)mailboxes.Parameters["ResultSize"]);
        Assert.Contains("it applies to 1 mailbox;", report.Rows.Single(r => r.Identity == "Partners").Reason);
        Assert.Contains("it applies to 2 mailboxes;", report.Rows.First(r => r.Identity == "Default Sharing Policy").Reason);
        Assert.DoesNotContain(report.Rows, r => r.Identity == "Unused");
        // Unused has no mailbox, so its domain needs no lookup.
        Assert.Equal(new[] { "fabrikam.com" }, lookup.Asked);
    }

    [Fact]
    public async Task A_failed_mailbox_read_assumes_the_policies_apply_and_warns()
    {
        World contoso = Tenant("contoso.onmicrosoft.com", ContosoId, ews: true, ContosoDomains);
        contoso.Exchange.Objects["Get-SharingPolicy"].Add(FakeExchangeTenant.SharingPolicy("Partners", false, true, "fabrikam.com:CalendarSharingFreeBusyDetail"));
        contoso.Exchange.Failures["Get-Mailbox"] = (503, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"busy\"}}");
        var lookup = new FakeTenantLookup().Add("fabrikam.com", FabrikamId);

        ReadinessReport report = await Run(new ReadinessRequest(Connect(contoso)) { ResolveTenant = lookup.ResolveAsync, Time = _time });

        Assert.Contains("could not be counted, so it is assumed to apply", report.Rows.Single(r => r.Identity == "Partners").Reason);
        Assert.Contains(_events.Warnings, w => w.Contains("mailboxes of contoso.onmicrosoft.com could not be read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_policy_read_gives_Unknown_with_the_missing_permission_and_the_report_still_comes()
    {
        World contoso = Tenant("contoso.onmicrosoft.com", ContosoId, ews: true, ContosoDomains);
        contoso.Exchange.Add("Get-OrganizationRelationship", FakeExchangeTenant.Relationship("Fabrikam", FabrikamDomains));
        contoso.Tokens.TokenFor = _ => Jwts.AppOnly("Exchange.ManageAsApp");
        contoso.Graph.Before = r => new Uri(r.Url).AbsolutePath.StartsWith(Base, StringComparison.Ordinal)
            ? new GraphAnswer { Status = 403, Body = "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}" }
            : null;
        var lookup = new FakeTenantLookup().Add("fabrikam.com", FabrikamId).Add("fabrikam.onmicrosoft.com", FabrikamId);

        ReadinessReport report = await Run(new ReadinessRequest(Connect(contoso)) { ResolveTenant = lookup.ResolveAsync, Time = _time });

        ReadinessRow row = report.Rows.Single(r => r.ObjectType == LegacyObjectType.OrganizationRelationship);
        Assert.Equal(XtapStatus.Unknown, row.CrossTenantAccess);
        Assert.Equal(Verdict.NeedsCrossTenantAccess, row.Verdict);
        Assert.Contains("Policy.Read.All", row.Reason);
        Assert.Contains("[GraphPermissionMissing]", row.Reason);
        ReadinessRow config = report.Rows[0];
        Assert.Equal(XtapStatus.Unknown, config.CrossTenantAccess);
        Assert.Contains("Policy.Read.All", config.Reason);
        Assert.Single(_events.Warnings, w => w.StartsWith("The cross-tenant access policy of contoso.onmicrosoft.com could not be read completely", StringComparison.Ordinal));
        Assert.Equal(0, report.Statistics.CapabilityReads);
    }

    [Fact]
    public async Task X_TAP_that_is_not_offered_yet_shows_as_NotAvailable()
    {
        World contoso = Tenant("contoso.onmicrosoft.com", ContosoId, ews: null, ContosoDomains);
        contoso.Graph.Before = r => r.Url.EndsWith("/default/m365Capabilities", StringComparison.Ordinal)
            ? new GraphAnswer { Status = 400, Body = "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Resource not found for the segment 'm365Capabilities'.\"}}" }
            : null;

        ReadinessReport report = await Run(new ReadinessRequest(Connect(contoso)) { ResolveTenant = new FakeTenantLookup().ResolveAsync, Time = _time });

        Assert.Equal(XtapStatus.NotAvailable, report.Rows[0].CrossTenantAccess);
        Assert.Contains("not available here yet", report.Rows[0].Reason);
        Assert.Empty(_events.Warnings);
    }

    [Fact]
    public async Task A_failed_Exchange_read_fails_the_report_with_its_own_id()
    {
        World contoso = Tenant("contoso.onmicrosoft.com", ContosoId, ews: true, ContosoDomains);
        contoso.Exchange.Failures["Get-OrganizationRelationship"] = (403, "{\"error\":{\"code\":\"Forbidden\",\"message\":\"The user isn't assigned to any management roles.\"}}");

        EngineException ex = await Assert.ThrowsAnyAsync<EngineException>(() => Run(new ReadinessRequest(Connect(contoso)) { Time = _time }));

        Assert.Equal(ErrorIds.AccessDenied, ex.ErrorId);
    }

    [Fact]
    public async Task With_the_partner_both_sides_are_read_without_any_lookup_and_only_each_other_s_capabilities()
    {
        World contoso = Tenant("contoso.onmicrosoft.com", ContosoId, ews: true, ContosoDomains);
        contoso.Exchange.Add("Get-OrganizationRelationship", FakeExchangeTenant.Relationship("Fabrikam", FabrikamDomains),
            FakeExchangeTenant.Relationship("Litware", new[] { "litware.com" }));
        World fabrikam = Tenant("fabrikam.onmicrosoft.com", FabrikamId, ews: false, FabrikamDomains);
        fabrikam.Exchange.Add("Get-OrganizationRelationship", FakeExchangeTenant.Relationship("Contoso", ContosoDomains));
        contoso.Graph.AddPartner(FabrikamId, FakeXtapGraph.AllUsersTrust).Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] =
            FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic);
        contoso.Graph.AddPartner(LitwareId, FakeXtapGraph.AllUsersTrust);
        fabrikam.Graph.AddPartner(ContosoId, FakeXtapGraph.AllUsersTrust).Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] =
            FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic);
        var lookup = new FakeTenantLookup();

        ReadinessReport report = await Run(new ReadinessRequest(Connect(contoso)) { Partner = Connect(fabrikam), ResolveTenant = lookup.ResolveAsync, Time = _time });

        Assert.Empty(lookup.Asked);
        Assert.Equal(1, contoso.CapabilityListsOfPartners);
        Assert.Equal(1, fabrikam.CapabilityListsOfPartners);
        Assert.Equal(new[] { "contoso.onmicrosoft.com|OrganizationConfig", "contoso.onmicrosoft.com|Fabrikam", "fabrikam.onmicrosoft.com|OrganizationConfig", "fabrikam.onmicrosoft.com|Contoso" },
            report.Rows.Select(r => r.Organization + "|" + (r.ObjectType == LegacyObjectType.OrganizationConfig ? "OrganizationConfig" : r.Identity)));
        // Both grants are in place, but Fabrikam's EWS is off: the legacy relationships still win and fail on both sides.
        Assert.All(report.Rows.Where(r => r.ObjectType == LegacyObjectType.OrganizationRelationship), r =>
        {
            Assert.Equal(Verdict.BrokenNow, r.Verdict);
            Assert.Equal(XtapStatus.Present, r.CrossTenantAccess);
            Assert.Equal(XtapStatus.Present, r.PartnerCrossTenantAccess);
            Assert.StartsWith("Convert-OrganizationRelationship -Identity", r.NextStep);
        });
        Assert.Equal(EwsSetting.False, report.Rows[0].PartnerEwsEnabled);
    }
}
