using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Fleet;
using CalendarFederation.Sandbox.Model;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// The fleet generator (tests/CalendarFederation.Sandbox/Fleet/FleetSeed.cs) on its own: how many tenants, which states,
/// the fleet file it writes and what it intends, determinism per seed, and a 500-tenant fleet for the benchmark.
/// </summary>
public sealed class FleetSeedTests
{
    private static FleetWorld Generate(int tenants = 50, int seed = 1) => FleetSeed.Generate(new FleetOptions { Tenants = tenants, Seed = seed });

    [Fact]
    public void Fifty_tenants_are_named_numbered_and_each_has_an_app_only_app()
    {
        FleetWorld world = Generate();

        Assert.Equal(50, world.Tenants.Count);
        Assert.Equal(Enumerable.Range(1, 50).Select(n => $"fleet{n:D2}"), world.Tenants.Select(t => t.Name));
        TenantConfig t7 = world.Tenants[6];
        Assert.Equal("fleet07.onmicrosoft.com", t7.InitialDomain);
        Assert.Equal(new[] { "fleet07.com", "fleet07.onmicrosoft.com" }, t7.Domains);
        Assert.Equal(Guid.Parse("f1ee0000-0000-4000-8000-000000000007"), t7.Id);
        AppConfig app = Assert.Single(t7.Apps);
        Assert.Equal(Guid.Parse("f1eea000-0000-4000-8000-000000000007"), app.AppId);
        Assert.Equal("fleet07-sandbox-secret", app.Secret);
        Assert.Contains("Exchange.ManageAsApp", app.Roles);
        Assert.Contains("Policy.ReadWrite.CrossTenantCapability", app.Roles);
        Assert.Equal(new[] { "Exchange Administrator" }, app.DirectoryRoles);
        Assert.Equal("FLEET07_SECRET", world.Member("fleet07").SecretEnvironmentVariable);
    }

    [Fact]
    public void Every_state_is_present_in_a_fleet_of_fifty()
    {
        FleetWorld world = Generate();

        Assert.Equal(25, world.Pairs.Count);
        foreach (FleetKind kind in FleetSeed.EveryKind) Assert.Contains(world.Pairs, p => p.Kind == kind);
        Assert.Single(world.Members, m => m.Unreadable);
        Assert.Equal(2, world.Faults.Count);
        // Every tenant is in exactly one pair.
        Assert.Equal(50, world.Pairs.SelectMany(p => new[] { p.First, p.Second }).Distinct().Count());
    }

    [Fact]
    public void Each_state_is_seeded_with_the_sandbox_json_objects()
    {
        FleetWorld world = Generate();
        TenantConfig First(FleetKind k) => world.Tenants.First(t => t.Name == world.Pairs.First(p => p.Kind == k).First);
        TenantConfig Second(FleetKind k) => world.Tenants.First(t => t.Name == world.Pairs.First(p => p.Kind == k).Second);

        TenantConfig migrated = First(FleetKind.Migrated);
        Assert.False(Assert.Single(migrated.OrganizationRelationships).Enabled);
        Assert.Single(migrated.CrossTenantAccess!["partners"]!.AsArray());

        TenantConfig legacy = First(FleetKind.LegacyOnly);
        Assert.True(Assert.Single(legacy.OrganizationRelationships).Enabled);
        Assert.Null(legacy.CrossTenantAccess);
        Assert.True(legacy.EwsEnabled);

        TenantConfig blocked = Second(FleetKind.EwsBlocked);
        Assert.False(blocked.EwsEnabled);
        Assert.True(blocked.EwsBlock);
        Assert.Null(blocked.CrossTenantAccess);

        Assert.NotNull(First(FleetKind.OneWay).CrossTenantAccess);
        Assert.Null(Second(FleetKind.OneWay).CrossTenantAccess);
        Assert.Empty(Second(FleetKind.OneWay).OrganizationRelationships);

        TenantConfig scoped = First(FleetKind.Scoped);
        JsonNode scope = scoped.CrossTenantAccess!["partners"]![0]!["m365Capabilities"]![0]!["inboundAccess"]!["resourceScopes"]!["included"]![0]!;
        Assert.Equal(scoped.Groups.Single(g => g.Name == FleetSeed.ScopeGroup).ObjectId.ToString(), (string?)scope["resourceId"]);
        Assert.Equal("group", (string?)scope["resourceType"]);

        Assert.Equal("#microsoft.graph.crossTenantCalendarAvailabilityLimitedDetails",
            (string?)First(FleetKind.DriftCrossTenantAccess).CrossTenantAccess!["partners"]![0]!["m365Capabilities"]![0]!["@odata.type"]);
        Assert.Equal(FreeBusyLevel.LimitedDetails, Assert.Single(First(FleetKind.DriftRelationship).OrganizationRelationships).FreeBusyAccessLevel);
        Assert.Equal(FreeBusyLevel.AvailabilityOnly, Assert.Single(Second(FleetKind.DriftRelationship).OrganizationRelationships).FreeBusyAccessLevel);

        string unreadable = world.Members.Single(m => m.Unreadable).Name;
        Assert.Equal(world.Pairs.First(p => p.Kind == FleetKind.Unreadable).First, unreadable);
        Assert.All(world.Faults, f => Assert.Equal(world.Member(unreadable).TenantId.ToString(), f.Tenant));
        Assert.Equal(new[] { "adminapi", "graph" }, world.Faults.Select(f => f.Service));
    }

    [Fact]
    public void The_fleet_file_names_every_tenant_with_a_secret_variable_and_never_a_secret()
    {
        FleetWorld world = Generate();
        JsonObject file = world.File;

        Assert.Equal("CrossTenantAccess", (string?)file["Defaults"]!["Method"]);
        Assert.Equal("AvailabilityOnly", (string?)file["Defaults"]!["FreeBusyAccessLevel"]);
        Assert.Equal("Sandbox", (string?)file["Defaults"]!["ExchangeEnvironmentName"]);
        JsonArray tenants = file["Tenants"]!.AsArray();
        Assert.Equal(50, tenants.Count);
        JsonObject t = tenants[0]!.AsObject();
        Assert.Equal(new[] { "Name", "Organization", "TenantId", "AppId", "ClientSecretEnvironmentVariable" }, t.Select(p => p.Key));
        Assert.Equal("fleet01.onmicrosoft.com", (string?)t["Organization"]);
        Assert.Equal("FLEET01_SECRET", (string?)t["ClientSecretEnvironmentVariable"]);
        Assert.DoesNotContain("sandbox-secret", file.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sandbox-secret", world.ToControlJson().ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_intends_the_target_state_so_the_plan_differs_only_where_work_is_left()
    {
        FleetWorld world = Generate();
        JsonArray entries = world.File["Pairs"]!.AsArray();
        JsonObject EntryFor(FleetPair p) => entries.Select(e => e!.AsObject()).First(e =>
            (e["Between"] is JsonArray b && (string?)b[0] == p.First) || (string?)e["From"] == p.First);
        FleetPair Pair(FleetKind k) => world.Pairs.First(p => p.Kind == k);

        Assert.Equal("OrganizationRelationship", (string?)EntryFor(Pair(FleetKind.LegacyKept))["Method"]);
        Assert.Equal("OrganizationRelationship", (string?)EntryFor(Pair(FleetKind.DriftRelationship))["Method"]);
        Assert.Null(EntryFor(Pair(FleetKind.LegacyOnly))["Method"]);
        Assert.Equal(Pair(FleetKind.OneWay).Second, (string?)EntryFor(Pair(FleetKind.OneWay))["To"]);
        Assert.Contains(entries, e => (string?)e!["From"] == Pair(FleetKind.Scoped).First && (string?)e["FreeBusyAccessScope"] == FleetSeed.ScopeGroup);

        string[] Actions(FleetKind k, bool forward)
        {
            FleetPair p = Pair(k);
            return world.Expectations.Single(e => e.From == (forward ? p.First : p.Second) && e.To == (forward ? p.Second : p.First)).Actions.ToArray();
        }
        Assert.Equal(new[] { "Nothing" }, Actions(FleetKind.Migrated, true));
        Assert.Equal(new[] { "Create", "Disable" }, Actions(FleetKind.LegacyOnly, false));
        Assert.Equal(new[] { "Create", "Disable" }, Actions(FleetKind.EwsBlocked, true));
        Assert.Equal(new[] { "Nothing" }, Actions(FleetKind.LegacyKept, true));
        Assert.Equal(new[] { "Nothing" }, Actions(FleetKind.OneWay, false));
        Assert.False(world.Expectations.Single(e => e.From == Pair(FleetKind.OneWay).Second).Shared);
        Assert.Equal(new[] { "Nothing" }, Actions(FleetKind.Scoped, true));
        Assert.Equal(new[] { "Unknown" }, Actions(FleetKind.Unreadable, true));
        Assert.Equal(new[] { "Unknown" }, Actions(FleetKind.Unreadable, false));
        Assert.Equal(new[] { "Update" }, Actions(FleetKind.DriftCrossTenantAccess, true));
        Assert.Equal(new[] { "Nothing" }, Actions(FleetKind.DriftCrossTenantAccess, false));
        Assert.Equal(new[] { "Update" }, Actions(FleetKind.DriftRelationship, true));
        Assert.Equal(50, world.Expectations.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_fleet_and_another_seed_another_assignment()
    {
        string a = Generate(seed: 1).ToControlJson().ToJsonString();
        string b = Generate(seed: 1).ToControlJson().ToJsonString();
        Assert.Equal(a, b);

        FleetWorld one = Generate(seed: 1);
        FleetWorld two = Generate(seed: 2);
        Assert.Equal(one.Tenants.Select(t => t.Id), two.Tenants.Select(t => t.Id));
        Assert.NotEqual(one.Pairs.Select(p => p.Kind), two.Pairs.Select(p => p.Kind));
        Assert.Equal(one.Pairs.Select(p => p.Kind).OrderBy(k => k), two.Pairs.Select(p => p.Kind).OrderBy(k => k));
    }

    [Fact]
    public void Five_hundred_tenants_generate_and_load_as_one_sandbox_configuration()
    {
        var config = new SandboxConfig();
        FleetWorld world = config.AddFleet(new FleetOptions { Tenants = 500, Seed = 7 });
        config.Validate();

        Assert.Equal(500, config.Tenants.Count);
        Assert.Equal("fleet001", config.Tenants[0].Name);
        Assert.Equal("fleet500", config.Tenants[499].Name);
        Assert.Equal("fleet250.onmicrosoft.com", config.FindTenant("fleet250.com")!.InitialDomain);
        Assert.Equal(250, world.Pairs.Count);
        Assert.Equal(500, world.Expectations.Count); // two directions per pair
        Assert.Equal(500, world.File["Tenants"]!.AsArray().Count);
        foreach (FleetKind kind in FleetSeed.EveryKind) Assert.Contains(world.Pairs, p => p.Kind == kind);
        // Paired, not meshed: no tenant holds more than one partner or relationship.
        Assert.All(config.Tenants, t => Assert.True(t.OrganizationRelationships.Count <= 1 && (t.CrossTenantAccess?["partners"]?.AsArray().Count ?? 0) <= 1));
    }

    [Fact]
    public void An_odd_fleet_leaves_the_last_tenant_unpaired_and_bad_sizes_are_refused()
    {
        FleetWorld world = Generate(tenants: 21);
        Assert.Equal(10, world.Pairs.Count);
        FleetMember last = world.Member("fleet21");
        Assert.Equal(FleetKind.Unpaired, last.Kind);
        Assert.Null(last.Partner);
        Assert.Equal(21, world.File["Tenants"]!.AsArray().Count);

        Assert.Throws<InvalidDataException>(() => Generate(tenants: 1));
        Assert.Throws<InvalidDataException>(() => Generate(tenants: FleetOptions.MaxTenants + 1));
        var config = new SandboxConfig();
        config.AddFleet(new FleetOptions { Tenants = 2 });
        Assert.Throws<InvalidOperationException>(() => config.AddFleet(new FleetOptions { Tenants = 2 }));
    }
}

/// <summary>The sandbox README's table of the fleet of 50 with seed 1 is what the generator makes.</summary>
public sealed class FleetReadmeTests
{
    [Fact]
    public void The_readme_table_is_the_fleet_that_seed_1_generates()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "tests", "CalendarFederation.Sandbox", "README.md"))) dir = Path.GetDirectoryName(dir);
        Assert.NotNull(dir);
        string[] lines = File.ReadAllLines(Path.Combine(dir!, "tests", "CalendarFederation.Sandbox", "README.md"));
        var rows = lines.Where(l => l.StartsWith("| fleet", StringComparison.Ordinal))
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();

        FleetWorld world = FleetSeed.Generate(new FleetOptions { Tenants = 50, Seed = 1 });
        Assert.Equal(world.Pairs.Count, rows.Count);
        foreach (FleetPair p in world.Pairs)
        {
            string[] row = rows[p.Index];
            string Actions(string from, string to) => string.Join(", ", world.Expectations.Single(e => e.From == from && e.To == to).Actions);
            Assert.Equal(new[] { p.First, p.Second, p.Kind.ToString(), Actions(p.First, p.Second), Actions(p.Second, p.First) }, row);
        }
    }
}
