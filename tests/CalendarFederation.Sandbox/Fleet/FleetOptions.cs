namespace CalendarFederation.Sandbox.Fleet;

/// <summary>What <see cref="FleetSeed"/> generates: sandbox.json "fleet", or --fleet N [--fleet-seed S] on the command line.</summary>
public sealed class FleetOptions
{
    /// <summary>How many tenants (fleet01..fleetNN; three digits from 100 on). At least 2.</summary>
    public int Tenants { get; set; } = 50;

    /// <summary>Decides which pair gets which state; the same seed always gives the same fleet.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>The ExchangeEnvironmentName the fleet file names (tests/Pester/SandboxHelpers.psm1 Add-CFSandboxEnvironment registers "Sandbox").</summary>
    public string EnvironmentName { get; set; } = "Sandbox";

    /// <summary>The most tenants one fleet may have: enough for the benchmark, small enough to stay cheap.</summary>
    public const int MaxTenants = 2000;
}

/// <summary>The state a pair of fleet tenants starts in (the README's fleet table says what each looks like and what the file intends).</summary>
public enum FleetKind
{
    /// <summary>X-TAP grants both ways (AllUsers trust, Basic for everyone), both relationships disabled; the file asks for exactly that.</summary>
    Migrated,
    /// <summary>Organization relationships both ways, EwsEnabled True; the file asks for cross-tenant access.</summary>
    LegacyOnly,
    /// <summary>Organization relationships both ways, EwsEnabled True; the file keeps Method OrganizationRelationship.</summary>
    LegacyKept,
    /// <summary>Organization relationships both ways, EwsEnabled False and Microsoft's EWS block in effect; the file asks for cross-tenant access.</summary>
    EwsBlocked,
    /// <summary>Only the first tenant shares (an X-TAP grant); the file says From first To second.</summary>
    OneWay,
    /// <summary>X-TAP both ways; the first tenant's grant is scoped to its CalendarSharing group, as the file says.</summary>
    Scoped,
    /// <summary>The first tenant's admin API calls and Graph reads fail (standing 500 faults); relationships both ways.</summary>
    Unreadable,
    /// <summary>X-TAP both ways, but the first tenant grants LimitedDetails where the file says AvailabilityOnly.</summary>
    DriftCrossTenantAccess,
    /// <summary>Relationships both ways (kept by the file), but the first tenant's says LimitedDetails where the file says AvailabilityOnly.</summary>
    DriftRelationship,
    /// <summary>The odd tenant out of an odd-sized fleet: in the file, in no pair, holding nothing.</summary>
    Unpaired,
}
