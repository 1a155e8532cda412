using System.Net;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Fleet;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// A sandbox running a generated fleet of 50 (FleetSandbox, as --fleet 50 starts one): a fleet tenant's app signs in with
/// its known secret and reads its seeded state through the admin API and Graph as for sandbox.json's tenants; the
/// unreadable tenant signs in but every read fails in the service's error shape, also after a reset; GET /_sandbox/fleet.
/// </summary>
public sealed class FleetSandboxTests : IClassFixture<FleetSandbox>, IAsyncLifetime
{
    private readonly FleetSandbox _fleet;

    public FleetSandboxTests(FleetSandbox fleet) => _fleet = fleet;

    private AuthSandbox Sandbox => _fleet.Sandbox;

    public Task InitializeAsync() => Sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<string> AdminTokenAsync(FleetMember m) => Sandbox.ClientCredentialsTokenAsync(m.Organization, m.AppId.ToString(), FleetSeed.Secret(m.Name));

    private Task<string> GraphTokenAsync(FleetMember m) => Sandbox.GraphAppTokenAsync(m.Organization, m.AppId.ToString(), FleetSeed.Secret(m.Name));

    [Fact]
    public async Task A_legacy_tenant_signs_in_and_reads_its_relationship_and_EwsEnabled()
    {
        FleetMember m = _fleet.First(FleetKind.LegacyOnly);
        string token = await AdminTokenAsync(m);

        AdminResponse rel = await Sandbox.InvokeAsync(m.Organization, token, "Get-OrganizationRelationship");
        Assert.True(rel.Status == HttpStatusCode.OK, rel.Text);
        JsonNode r = Assert.Single(rel.Value)!;
        Assert.Equal(m.Partner, (string?)r["Name"]);
        Assert.True((bool)r["Enabled"]!);
        Assert.True((bool)r["FreeBusyAccessEnabled"]!);
        Assert.Equal("AvailabilityOnly", (string?)r["FreeBusyAccessLevel"]);
        Assert.Equal(new[] { m.Partner + ".com", m.Partner + ".onmicrosoft.com" }, r["DomainNames"]!.AsArray().Select(d => (string?)d));

        AdminResponse org = await Sandbox.InvokeAsync(m.Name, token, "Get-OrganizationConfig");
        Assert.True(org.Status == HttpStatusCode.OK, org.Text);
        Assert.True((bool)Assert.Single(org.Value)!["EwsEnabled"]!);
    }

    [Fact]
    public async Task A_migrated_tenant_shows_its_grant_in_Graph_and_its_relationship_disabled()
    {
        FleetMember m = _fleet.First(FleetKind.Migrated);
        FleetMember partner = _fleet.World.Member(m.Partner!);

        GraphCall partners = await Sandbox.GraphAsync(HttpMethod.Get, XtapKnown.PartnersPath, await GraphTokenAsync(m));
        Assert.True(partners.Status == HttpStatusCode.OK, partners.Text);
        JsonNode p = Assert.Single(partners.Value)!;
        Assert.Equal(partner.TenantId.ToString(), (string?)p["tenantId"]);
        Assert.Equal("allowed", (string?)p["m365CollaborationInbound"]!["users"]!["accessType"]);

        GraphCall caps = await Sandbox.GraphAsync(HttpMethod.Get, $"{XtapKnown.PartnersPath}/{partner.TenantId}/m365Capabilities", await GraphTokenAsync(m));
        JsonNode c = Assert.Single(caps.Value)!;
        Assert.Equal("#microsoft.graph.crossTenantCalendarAvailabilityBasic", (string?)c["@odata.type"]);
        Assert.True((bool)c["inboundAccess"]!["isAllowed"]!);
        Assert.Equal("All", (string?)c["inboundAccess"]!["resourceScopes"]!["included"]![0]!["resourceId"]);

        AdminResponse rel = await Sandbox.InvokeAsync(m.Organization, await AdminTokenAsync(m), "Get-OrganizationRelationship");
        Assert.False((bool)Assert.Single(rel.Value)!["Enabled"]!);
    }

    [Fact]
    public async Task An_ews_blocked_pair_has_EwsEnabled_false_and_the_block_in_effect()
    {
        FleetMember m = _fleet.Second(FleetKind.EwsBlocked);
        JsonNode legacy = await Sandbox.ControlGetAsync($"/_sandbox/tenants/{m.Name}/legacy-sharing");
        Assert.False((bool)legacy["ewsEnabled"]!);
        Assert.True((bool)legacy["ewsBlocked"]!);

        AdminResponse org = await Sandbox.InvokeAsync(m.Organization, await AdminTokenAsync(m), "Get-OrganizationConfig");
        Assert.False((bool)Assert.Single(org.Value)!["EwsEnabled"]!);
    }

    [Fact]
    public async Task The_unreadable_tenant_signs_in_but_its_reads_fail_in_each_services_error_shape_even_after_a_reset()
    {
        FleetMember m = _fleet.World.Members.Single(x => x.Unreadable);
        await Sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        string admin = await AdminTokenAsync(m);
        string graph = await GraphTokenAsync(m);

        foreach (string cmdlet in new[] { "Get-OrganizationRelationship", "Get-OrganizationConfig", "Get-AcceptedDomain" })
        {
            AdminResponse r = await Sandbox.InvokeAsync(m.Organization, admin, cmdlet);
            Assert.Equal(HttpStatusCode.InternalServerError, r.Status);
            Assert.Equal("InternalServerError", (string?)r.Json["error"]!["code"]);
            Assert.Equal("Error executing cmdlet", (string?)r.Json["error"]!["message"]);
            Assert.Equal("Microsoft.Exchange.Data.Directory.ADOperationException", r.ErrorDetail[1]);
        }

        GraphCall g = await Sandbox.GraphAsync(HttpMethod.Get, XtapKnown.PartnersPath, graph);
        Assert.Equal(HttpStatusCode.InternalServerError, g.Status);
        Assert.Equal("Service_InternalServerError", (string?)g.Json["error"]!["code"]);
        Assert.NotNull(g.Json["error"]!["innerError"]!["request-id"]);

        // The partner stays readable: only its own reads fail.
        FleetMember partner = _fleet.World.Member(m.Partner!);
        AdminResponse ok = await Sandbox.InvokeAsync(partner.Organization, await AdminTokenAsync(partner), "Get-OrganizationRelationship");
        Assert.True(ok.Status == HttpStatusCode.OK, ok.Text);
        Assert.Equal(m.Name, (string?)Assert.Single(ok.Value)!["Name"]);

        // Removing the standing rules heals the tenant until the next reset.
        await Sandbox.ControlAsync(HttpMethod.Delete, $"/_sandbox/faults/fleet-unreadable-adminapi-{m.Name}");
        AdminResponse healed = await Sandbox.InvokeAsync(m.Organization, admin, "Get-OrganizationRelationship");
        Assert.True(healed.Status == HttpStatusCode.OK, healed.Text);
    }

    [Fact]
    public async Task The_control_endpoint_returns_the_fleet_file_and_who_is_in_which_state()
    {
        JsonNode file = await Sandbox.ControlGetAsync("/_sandbox/fleet/file");
        Assert.True(JsonNode.DeepEquals(_fleet.World.File, file));

        JsonNode fleet = await Sandbox.ControlGetAsync("/_sandbox/fleet");
        Assert.Equal(FleetSandbox.Seed, (int)fleet["seed"]!);
        JsonArray members = fleet["members"]!.AsArray();
        Assert.Equal(FleetSandbox.Tenants, members.Count);
        Assert.Equal("fleet01", (string?)members[0]!["name"]);
        Assert.Equal(2 * (FleetSandbox.Tenants / 2), fleet["expectations"]!.AsArray().Count);
        Assert.DoesNotContain("sandbox-secret", fleet.ToJsonString(), StringComparison.Ordinal);

        JsonNode info = await Sandbox.ControlGetAsync("/_sandbox/info");
        Assert.Contains(info["tenants"]!.AsArray(), t => (string?)t!["name"] == "fleet50");
        Assert.Contains(info["tenants"]!.AsArray(), t => (string?)t!["name"] == "contoso");
    }
}
