using CalendarFederation.Sandbox.Fleet;
using CalendarFederation.Sandbox.Model;
using Xunit;

namespace CalendarFederation.Sandbox.Tests.Support;

/// <summary>
/// An in-process sandbox with sandbox.json's tenants plus a generated fleet of 50 (seed 1), as `--fleet 50` gives one.
/// <see cref="World"/> says which tenant is in which state; secrets are <see cref="FleetSeed.Secret"/>.
/// </summary>
public sealed class FleetSandbox : IAsyncLifetime
{
    public const int Tenants = 50;
    public const int Seed = 1;

    public FleetSandbox()
    {
        Sandbox = new AuthSandbox(() =>
        {
            SandboxConfig config = AuthSandbox.LoadConfig();
            World = config.AddFleet(new FleetOptions { Tenants = Tenants, Seed = Seed });
            config.Validate();
            return config;
        });
    }

    public AuthSandbox Sandbox { get; }

    public FleetWorld World { get; private set; } = null!;

    /// <summary>The first tenant of the first pair of <paramref name="kind"/> (the side that differs, for one-sided kinds).</summary>
    public FleetMember First(FleetKind kind) => World.Member(World.Pairs.First(p => p.Kind == kind).First);

    public FleetMember Second(FleetKind kind) => World.Member(World.Pairs.First(p => p.Kind == kind).Second);

    public Task InitializeAsync() => Sandbox.InitializeAsync();

    public Task DisposeAsync() => Sandbox.DisposeAsync();
}
