using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Fleet;
using Xunit;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>Fleet definitions and tenant states built in memory: three tenants, no network.</summary>
internal static class FleetWorld
{
    public const string ContosoId = "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11";
    public const string FabrikamId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    public const string TailspinId = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e833";
    public const string SalesId = "0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10";
    public const string CloudEpr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";
    public static readonly DateTimeOffset Now = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    public static readonly Dictionary<string, (string Id, string[] Domains)> Tenants = new(StringComparer.OrdinalIgnoreCase)
    {
        ["contoso"] = (ContosoId, new[] { "contoso.onmicrosoft.com", "contoso.com" }),
        ["fabrikam"] = (FabrikamId, new[] { "fabrikam.onmicrosoft.com", "fabrikam.com" }),
        ["tailspin"] = (TailspinId, new[] { "tailspin.onmicrosoft.com", "tailspintoys.com" }),
    };

    public static FleetDefinition Definition(params FleetDirection[] directions)
    {
        var def = new FleetDefinition();
        foreach (var t in Tenants)
        {
            def.Tenants.Add(new FleetTenant { Name = t.Key, Organization = t.Key + ".onmicrosoft.com", TenantId = t.Value.Id });
        }
        def.Directions.AddRange(directions);
        return def;
    }

    public static FleetShareSettings Share(string level = "AvailabilityOnly", FederationMethod method = FederationMethod.Auto, string? scope = null, string? mailTips = null) =>
        new() { FreeBusyAccessLevel = level, Method = method, FreeBusyAccessScope = scope, MailTipsAccessLevel = mailTips };

    /// <summary>Both directions of a pair, shared alike.</summary>
    public static FleetDirection[] Between(string a, string b, FleetShareSettings? s = null) =>
        new[] { new FleetDirection(a, b, true, s ?? Share()), new FleetDirection(b, a, true, (s ?? Share()).Clone()) };

    /// <summary>a shares with b; b's free/busy is not shared with a.</summary>
    public static FleetDirection[] OneWay(string from, string to, FleetShareSettings? s = null) =>
        new[] { new FleetDirection(from, to, true, s ?? Share()), new FleetDirection(to, from, false, (s ?? Share()).Clone()) };

    public static FleetTenantState State(string name, IEnumerable<AdminObject>? relationships = null, params PartnerAccessState[] partners)
    {
        var (id, domains) = Tenants[name];
        var inventory = new CrossTenantAccessInventory();
        inventory.Partners.AddRange(partners);
        return new FleetTenantState(new FleetTenant { Name = name, Organization = name + ".onmicrosoft.com", TenantId = id })
        {
            TenantId = id,
            Organization = name + ".onmicrosoft.com",
            AcceptedDomains = domains,
            Relationships = (relationships ?? Array.Empty<AdminObject>()).ToArray(),
            CrossTenantAccess = inventory,
            EwsEnabled = true,
        };
    }

    public static FleetTenantState Unreadable(string name, string errorId = ErrorIds.AccessDenied) =>
        new(new FleetTenant { Name = name, Organization = name + ".onmicrosoft.com", TenantId = Tenants[name].Id })
        {
            ReadError = new EngineException(errorId, ErrorKind.PermissionDenied, "The app has no role in " + name + ".", name),
        };

    public static Dictionary<string, FleetTenantState> States(params FleetTenantState[] states) =>
        states.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>A partner configuration for <paramref name="partner"/> granting free/busy at <paramref name="level"/> (null: none).</summary>
    public static PartnerAccessState Grant(string partner, FreeBusyAccessLevel? level, params string[] scopeIds)
    {
        string id = Tenants[partner].Id;
        var capabilities = new List<M365Capability>();
        if (level is FreeBusyAccessLevel l && M365CapabilityNames.For(l) is string name)
        {
            ResourceScopes scopes = scopeIds.Length == 0 ? ResourceScopes.Everyone(XtapDecisions.EveryoneResourceType(CapabilityFamily.FreeBusy)) : ResourceScopes.Groups(scopeIds);
            capabilities.Add(new M365Capability(name, M365CapabilityNames.ODataTypeOf(name), new InboundAccess(true, scopes), Now));
        }
        return new PartnerAccessState(id, new PartnerConfiguration(id, CollaborationTrust.AllUsersAllowed), capabilities);
    }

    public static AdminObject Relationship(string name, string partner, bool enabled = true, bool freeBusy = true, string level = "AvailabilityOnly") =>
        new(new List<KeyValuePair<string, object?>>
        {
            new("Identity", name),
            new("Name", name),
            new("DomainNames", Tenants[partner].Domains.Cast<object?>().ToArray()),
            new("Enabled", enabled),
            new("FreeBusyAccessEnabled", freeBusy),
            new("FreeBusyAccessLevel", freeBusy ? level : "None"),
            new("TargetApplicationUri", "outlook.com"),
            new("TargetAutodiscoverEpr", CloudEpr),
        });

    public static FleetPlanChange Row(FleetPlan plan, string tenant, string partner, FleetObjectType type) =>
        Assert.Single(plan.Changes, c => c.Tenant == tenant && c.Partner == partner && c.ObjectType == type);
}
