using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.Fleet;

/// <summary>
/// The fleet file (docs/fleet.md §1, its JSON form) for a generated fleet: the INTENDED state, so that a plan shows Nothing
/// for the pairs already as the file says, Create/Update/Disable for legacy pairs and drift, and Unknown for the unreadable
/// tenant's pair. Secrets are never in it: each tenant names the environment variable that holds its app's secret.
/// </summary>
public static class FleetFile
{
    public const string CrossTenantAccess = "CrossTenantAccess";
    public const string OrganizationRelationship = "OrganizationRelationship";
    public const string AvailabilityOnly = "AvailabilityOnly";

    public static JsonObject Build(FleetOptions options, IReadOnlyList<FleetMember> members, IReadOnlyList<FleetPair> pairs)
    {
        var tenants = new JsonArray();
        foreach (FleetMember m in members)
        {
            tenants.Add(new JsonObject
            {
                ["Name"] = m.Name,
                ["Organization"] = m.Organization,
                ["TenantId"] = m.TenantId.ToString(),
                ["AppId"] = m.AppId.ToString(),
                ["ClientSecretEnvironmentVariable"] = m.SecretEnvironmentVariable,
            });
        }
        var entries = new JsonArray();
        foreach (FleetPair p in pairs)
        {
            foreach (JsonObject entry in Entries(p)) entries.Add(entry);
        }
        return new JsonObject
        {
            ["Defaults"] = new JsonObject
            {
                ["Method"] = CrossTenantAccess,
                ["FreeBusyAccessLevel"] = AvailabilityOnly,
                ["ExchangeEnvironmentName"] = options.EnvironmentName,
            },
            ["Tenants"] = tenants,
            ["Pairs"] = entries,
        };
    }

    /// <summary>The Pairs entries of one pair: Between both ways, From/To for one-sided intent, Method where legacy stays.</summary>
    private static IEnumerable<JsonObject> Entries(FleetPair p)
    {
        switch (p.Kind)
        {
            case FleetKind.OneWay:
                yield return new JsonObject { ["From"] = p.First, ["To"] = p.Second };
                break;
            case FleetKind.LegacyKept:
            case FleetKind.DriftRelationship:
                yield return new JsonObject { ["Between"] = Between(p), ["Method"] = OrganizationRelationship };
                break;
            case FleetKind.Scoped:
                yield return new JsonObject { ["Between"] = Between(p) };
                yield return new JsonObject { ["From"] = p.First, ["To"] = p.Second, ["FreeBusyAccessScope"] = FleetSeed.ScopeGroup };
                break;
            default:
                yield return new JsonObject { ["Between"] = Between(p) };
                break;
        }
    }

    private static JsonArray Between(FleetPair p) => new(JsonValue.Create(p.First), JsonValue.Create(p.Second));

    /// <summary>Per managed direction, the plan actions expected in the sharing tenant.</summary>
    public static IReadOnlyList<FleetExpectation> Expect(IReadOnlyList<FleetPair> pairs)
    {
        var list = new List<FleetExpectation>(pairs.Count * 2);
        foreach (FleetPair p in pairs)
        {
            (string[] forward, string[] back) = p.Kind switch
            {
                // A grant in each tenant, then (once verified) its relationship for the partner disabled.
                FleetKind.LegacyOnly or FleetKind.EwsBlocked => (new[] { "Create", "Disable" }, new[] { "Create", "Disable" }),
                FleetKind.Unreadable => (new[] { "Unknown" }, new[] { "Unknown" }),
                FleetKind.DriftCrossTenantAccess or FleetKind.DriftRelationship => (new[] { "Update" }, new[] { "Nothing" }),
                _ => (new[] { "Nothing" }, new[] { "Nothing" }),
            };
            list.Add(new FleetExpectation(p.First, p.Second, p.Kind, Shared: true, forward));
            list.Add(new FleetExpectation(p.Second, p.First, p.Kind, Shared: p.Kind != FleetKind.OneWay, back));
        }
        return list;
    }
}
