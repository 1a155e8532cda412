using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Fleet;

/// <summary>A generated fleet: the sandbox tenants and standing faults to add, the matching fleet file, and who is in which state.</summary>
public sealed class FleetWorld
{
    public FleetWorld(FleetOptions options, IReadOnlyList<TenantConfig> tenants, IReadOnlyList<FaultRule> faults,
        IReadOnlyList<FleetMember> members, IReadOnlyList<FleetPair> pairs, JsonObject file, IReadOnlyList<FleetExpectation> expectations)
    {
        Options = options;
        Tenants = tenants;
        Faults = faults;
        Members = members;
        Pairs = pairs;
        File = file;
        Expectations = expectations;
    }

    public FleetOptions Options { get; }

    /// <summary>The sandbox tenants, fleet01 first.</summary>
    public IReadOnlyList<TenantConfig> Tenants { get; }

    /// <summary>The unreadable tenants' standing faults (ids "fleet-unreadable-{service}-{name}").</summary>
    public IReadOnlyList<FaultRule> Faults { get; }

    public IReadOnlyList<FleetMember> Members { get; }

    public IReadOnlyList<FleetPair> Pairs { get; }

    /// <summary>The fleet file (docs/fleet.md §1) as JSON: the INTENDED state.</summary>
    public JsonObject File { get; }

    /// <summary>What a plan of <see cref="File"/> against the generated state should say, per managed direction.</summary>
    public IReadOnlyList<FleetExpectation> Expectations { get; }

    public FleetMember Member(string name) => Members.First(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The control view (GET /_sandbox/fleet): no secret, only the environment variable that should hold it.</summary>
    public JsonObject ToControlJson() => new()
    {
        ["tenants"] = Options.Tenants,
        ["seed"] = Options.Seed,
        ["environmentName"] = Options.EnvironmentName,
        ["members"] = new JsonArray(Members.Select(m => (JsonNode?)m.ToJson()).ToArray()),
        ["expectations"] = new JsonArray(Expectations.Select(e => (JsonNode?)e.ToJson()).ToArray()),
        ["file"] = File.DeepClone(),
    };
}

/// <summary>One fleet tenant: its names, its app, and the state its pair is in.</summary>
public sealed record FleetMember(string Name, Guid TenantId, string Organization, string Domain, Guid AppId, string SecretEnvironmentVariable,
    FleetKind Kind, string? Partner, bool Unreadable)
{
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["tenantId"] = TenantId.ToString(),
        ["organization"] = Organization,
        ["domain"] = Domain,
        ["appId"] = AppId.ToString(),
        ["secretEnvironmentVariable"] = SecretEnvironmentVariable,
        ["kind"] = Kind.ToString(),
        ["partner"] = Partner,
        ["unreadable"] = Unreadable,
    };
}

/// <summary>Two tenants and the state they share; <see cref="First"/> is the one that differs when the kind is one-sided.</summary>
public sealed record FleetPair(int Index, string First, string Second, FleetKind Kind);

/// <summary>
/// One managed direction (From shares with To, configured in From) and the plan actions expected in From, in the order of
/// docs/fleet.md §2's Action values: Create/Update/Disable/Remove, Nothing, or Unknown when a tenant of the pair can't be read.
/// </summary>
public sealed record FleetExpectation(string From, string To, FleetKind Kind, bool Shared, IReadOnlyList<string> Actions)
{
    public string Direction => From + " -> " + To;

    public JsonObject ToJson() => new()
    {
        ["direction"] = Direction,
        ["tenant"] = From,
        ["partner"] = To,
        ["kind"] = Kind.ToString(),
        ["shared"] = Shared,
        ["actions"] = new JsonArray(Actions.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
    };
}
