using System.Collections.Concurrent;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Fleet;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>
/// A few tenants with cross-tenant access grants and organization relationships, and one log of every write across them
/// in the order they were made, so a test can check the safe order and that nothing was written twice.
/// </summary>
internal sealed class FakeFleetWorld
{
    private readonly object _lock = new();
    private readonly List<string> _writes = new();
    private readonly List<string> _calls = new();

    public Dictionary<string, FakeFleetTenant> Tenants { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Writes { get { lock (_lock) return _writes.ToArray(); } }

    /// <summary>Every read and write.</summary>
    public IReadOnlyList<string> Calls { get { lock (_lock) return _calls.ToArray(); } }

    /// <summary>Called after every write is made; a test throws from it to stop the run there (a simulated crash).</summary>
    public Action<string>? AfterWrite { get; set; }

    public void Log(string call, bool write)
    {
        lock (_lock)
        {
            _calls.Add(call);
            if (write) _writes.Add(call);
        }
        if (write) AfterWrite?.Invoke(call);
    }

    public static string TenantId(string name) => new Guid(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(name))).ToString("D");

    /// <summary>A plan over these tenants, each readable with a fake backend; every pair has an enabled relationship on both sides.</summary>
    public FleetPlan Plan(params string[] names)
    {
        var definition = new FleetDefinition();
        var plan = new FleetPlan(definition);
        foreach (string name in names)
        {
            var tenant = new FleetTenant { Name = name, Organization = name + ".onmicrosoft.com", TenantId = TenantId(name) };
            definition.Tenants.Add(tenant);
            plan.States[name] = new FleetTenantState(tenant) { TenantId = tenant.TenantId, Organization = tenant.Organization };
            var fake = new FakeFleetTenant(this, name);
            foreach (string other in names.Where(n => n != name)) fake.Relationships[other] = true;
            Tenants[name] = fake;
        }
        return plan;
    }

    public IFleetTenantBackend? Backend(FleetTenantState state) => Tenants.TryGetValue(state.Name, out FakeFleetTenant? t) && !t.Unconnected ? t : null;

    public static FleetPlanChange Grant(string tenant, string partner, FreeBusyAccessLevel level = FreeBusyAccessLevel.AvailabilityOnly) => new()
    {
        Tenant = tenant,
        Partner = partner,
        Direction = tenant + " -> " + partner,
        Action = FleetAction.Create,
        Method = FederationMethod.CrossTenantAccess,
        ObjectType = FleetObjectType.CrossTenantAccess,
        Identity = TenantId(partner),
        Before = "(none)",
        After = level.ToString(),
        Order = FleetOrder.Grant,
        ChangeId = $"{tenant}|CrossTenantAccess|{TenantId(partner)}|Create|{level}",
        AccessRequest = new PartnerAccessRequest(TenantId(partner)) { FreeBusy = level },
    };

    public static FleetPlanChange Disable(string tenant, string partner) => new()
    {
        Tenant = tenant,
        Partner = partner,
        Direction = tenant + " -> " + partner,
        Action = FleetAction.Disable,
        Method = FederationMethod.CrossTenantAccess,
        ObjectType = FleetObjectType.OrganizationRelationship,
        Identity = partner,
        Before = "Enabled",
        After = "Disabled",
        Order = FleetOrder.CutOver,
        ChangeId = $"{tenant}|OrganizationRelationship|{partner}|Disable",
    };

    /// <summary>Records what each row's tenant holds now as its BeforeState, as the planner does when it reads the tenants.</summary>
    public void RecordBefore(FleetPlan plan)
    {
        foreach (FleetPlanChange change in plan.Changes)
        {
            FakeFleetTenant tenant = Tenants[change.Tenant];
            change.BeforeState = change.ObjectType == FleetObjectType.CrossTenantAccess
                ? FleetStateFingerprint.Access(tenant.AccessState(change.Identity))
                : FleetStateFingerprint.Relationship(tenant.Relationship(change.Identity));
        }
    }

    /// <summary>Both grants and both cut-overs of a pair, in the plan.</summary>
    public static IEnumerable<FleetPlanChange> Migration(string a, string b) => new[] { Grant(a, b), Grant(b, a), Disable(a, b), Disable(b, a) };
}

internal sealed class FakeFleetTenant : IFleetTenantBackend
{
    private readonly FakeFleetWorld _world;

    public FakeFleetTenant(FakeFleetWorld world, string name)
    {
        _world = world;
        Name = name;
    }

    public string Name { get; }
    public ConcurrentDictionary<string, FreeBusyAccessLevel> Access { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Relationship name (the partner's tenant name) and whether it is enabled.</summary>
    public ConcurrentDictionary<string, bool> Relationships { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool Unconnected { get; set; }
    /// <summary>The grant write fails with this error id.</summary>
    public string? FailGrant { get; set; }
    /// <summary>Disabling a relationship fails with this error id.</summary>
    public string? FailDisable { get; set; }
    /// <summary>After a grant, reads still show the old level (a read-back that does not confirm).</summary>
    public bool StaleReads { get; set; }
    /// <summary>Grant writes wait for this (and for the token) once they have started.</summary>
    public TaskCompletionSource? HoldGrants { get; set; }
    public TaskCompletionSource GrantStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<IReadOnlyList<string>> AccessDifferencesAsync(PartnerAccessRequest request, IEngineEvents events, CancellationToken cancellationToken)
    {
        _world.Log($"{Name}: read access {request.PartnerTenantId}", write: false);
        FreeBusyAccessLevel now = StaleReads ? FreeBusyAccessLevel.None : Access.GetValueOrDefault(request.PartnerTenantId);
        IReadOnlyList<string> differences = request.FreeBusy == null || request.FreeBusy == now ? Array.Empty<string>() : new[] { $"free/busy {now} -> {request.FreeBusy}" };
        return Task.FromResult(differences);
    }

    public Task<PartnerAccessState> ReadAccessAsync(string partnerTenantId, IEngineEvents events, CancellationToken cancellationToken)
    {
        _world.Log($"{Name}: read access state {partnerTenantId}", write: false);
        return Task.FromResult(AccessState(partnerTenantId));
    }

    /// <summary>The grant as Graph would show it: no partner configuration, or one with the free/busy capability allowed for everyone.</summary>
    public PartnerAccessState AccessState(string partnerTenantId)
    {
        if (!Access.TryGetValue(partnerTenantId, out FreeBusyAccessLevel level)) return new PartnerAccessState(partnerTenantId, null, Array.Empty<M365Capability>());
        var capabilities = new List<M365Capability>();
        if (M365CapabilityNames.For(level) is string name)
        {
            capabilities.Add(new M365Capability(name, null, new InboundAccess(true, ResourceScopes.Everyone(XtapDecisions.UserResourceType)), null));
        }
        return new PartnerAccessState(partnerTenantId, new PartnerConfiguration(partnerTenantId, CollaborationTrust.Inherited), capabilities);
    }

    public async Task<bool> ApplyAccessAsync(PartnerAccessRequest request, IEngineEvents events, CancellationToken cancellationToken)
    {
        GrantStarted.TrySetResult();
        if (HoldGrants != null) await HoldGrants.Task.WaitAsync(cancellationToken);
        if (FailGrant != null) throw new EngineException(FailGrant, ErrorKind.LimitsExceeded, $"{Name} refused the grant.", request.PartnerTenantId, isRetryable: true);
        Access[request.PartnerTenantId] = request.FreeBusy!.Value;
        _world.Log($"{Name}: grant {request.PartnerTenantId} {request.FreeBusy}", write: true);
        return true;
    }

    public Task<AdminObject?> ReadRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken)
    {
        _world.Log($"{Name}: read relationship {identity}", write: false);
        return Task.FromResult(Relationship(identity));
    }

    public AdminObject? Relationship(string identity) => Relationships.TryGetValue(identity, out bool enabled)
        ? new AdminObject(new List<KeyValuePair<string, object?>> { new("Name", identity), new("Identity", identity), new("Enabled", enabled) })
        : null;

    public Task WriteRelationshipAsync(SidePlan plan, AdminObject? current, IEngineEvents events, CancellationToken cancellationToken)
    {
        Relationships[plan.RelationshipName] = true;
        _world.Log($"{Name}: write relationship {plan.RelationshipName}", write: true);
        return Task.CompletedTask;
    }

    public Task SetRelationshipEnabledAsync(string identity, bool enabled, IEngineEvents events, CancellationToken cancellationToken)
    {
        if (FailDisable != null && !enabled) throw new EngineException(FailDisable, ErrorKind.WriteError, $"{Name} could not disable '{identity}'.", identity);
        Relationships[identity] = enabled;
        _world.Log($"{Name}: {(enabled ? "enable" : "disable")} {identity}", write: true);
        return Task.CompletedTask;
    }

    public Task RemoveRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken)
    {
        Relationships.TryRemove(identity, out _);
        _world.Log($"{Name}: remove {identity}", write: true);
        return Task.CompletedTask;
    }
}
