using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Model;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>sandbox.json organizationRelationships: read in Get-OrganizationRelationship's names, checked at load, restored by a reset.</summary>
public sealed class RelationshipSeedTests
{
    private static SandboxConfig LoadJson(string json)
    {
        string path = Path.Combine(Path.GetTempPath(), "cf-seed-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        try
        {
            return SandboxConfig.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private const string Tenant = """
        {"tenants":[{"name":"adatum","id":"3d4e5f60-7182-493a-9c4d-5e6f7a8b9c55","initialDomain":"adatum.onmicrosoft.com","domains":["adatum.com","adatum.onmicrosoft.com"],
          "organizationRelationships":[REL]}]}
        """;

    [Fact]
    public void A_seeded_relationship_is_read_and_becomes_the_tenants_first_relationship()
    {
        SandboxConfig config = LoadJson(Tenant.Replace("REL", """
            {"name":"Fabrikam","domainNames":["fabrikam.com"],"enabled":false,"freeBusyAccessEnabled":true,"freeBusyAccessLevel":"LimitedDetails","freeBusyAccessScope":null}
            """));
        TenantConfig t = Assert.Single(config.Tenants);
        var exchange = new ExchangeTenantState(t, TimeProvider.System);
        OrganizationRelationship r = Assert.Single(exchange.Relationships.All());
        Assert.Equal("Fabrikam", r.Name);
        Assert.False(r.Enabled);
        Assert.Equal(FreeBusyLevel.LimitedDetails, r.FreeBusyAccessLevel);
        Assert.Equal(ExchangeTenantState.StableGuid(t.Id, "OrganizationRelationship|Fabrikam"), r.Guid);
        // A second state (what a reset builds) starts from the configuration again, not from the first one's changes.
        exchange.Relationships.Write(items => { items.Clear(); return 0; });
        Assert.Single(new ExchangeTenantState(t, TimeProvider.System).Relationships.All());
    }

    [Theory]
    [InlineData("""{"name":"A","domainNames":["x.com"]},{"name":"a","domainNames":["y.com"]}""")]
    [InlineData("""{"name":"A","domainNames":["x.com"]},{"name":"B","domainNames":["X.com"]}""")]
    [InlineData("""{"name":"A","domainNames":[]}""")]
    public void Duplicate_names_or_domains_and_empty_domain_lists_are_refused_at_load(string relationships)
    {
        Assert.Throws<InvalidDataException>(() => LoadJson(Tenant.Replace("REL", relationships)));
    }
}
