using CalendarFederation.Sandbox;
using CalendarFederation.Sandbox.Model;
using Xunit;

namespace CalendarFederation.Engine.Tests.Support;

/// <summary>One in-process sandbox per test class, with the virtual hosts the discovery tests need.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxServer Server { get; private set; } = null!;

    public static readonly string[] VirtualHosts =
    {
        "autodiscover-s.outlook.com", "autodiscover.contoso.com", "autodiscover.fabrikam.com", "mail.fabrikam.com",
        "autodiscover.adatum.com", "mail.adatum.com", "autodiscover.redirect.example", "autodiscover.sales.contoso.com",
        "hop1.example", "hop2.example", "hop3.example", "hop4.example", "hop5.example", "hop6.example", "hop7.example",
        "autodiscover.com", "autodiscover.probe.example", "mail.probe.example", "autodiscover.sub.adatum.com",
    };

    public static SandboxConfig CreateConfig() => new()
    {
        Tenants =
        {
            new TenantConfig { Name = "contoso", InitialDomain = "contoso.onmicrosoft.com", Domains = { "contoso.com", "contoso.onmicrosoft.com", "sales.contoso.com" } },
            new TenantConfig { Name = "fabrikam", InitialDomain = "fabrikam.onmicrosoft.com", Domains = { "fabrikam.com", "FABRIKAM.onmicrosoft.com", "xn--bcher-kva.example" } },
            new TenantConfig { Name = "tailspin", Domains = { "tailspintoys.com" }, Federated = false },
            new TenantConfig { Name = "litware", Domains = { "litware.com", "litware.onmicrosoft.com", "litware.net" }, ReturnAllDomains = true },
            new TenantConfig { Name = "adatum", Domains = { "adatum.com" }, ApplicationUri = "FYDIBOHF25SPDLT.adatum.com", TokenIssuers = new() },
            new TenantConfig { Name = "probe", Domains = { "probe.example" } },
        },
        Hosts = new Dictionary<string, HostConfig>(StringComparer.OrdinalIgnoreCase)
        {
            ["autodiscover-s.outlook.com"] = new() { Serves = { "*" } },
            ["autodiscover.contoso.com"] = new() { Serves = { "contoso" } },
            ["autodiscover.fabrikam.com"] = new() { Serves = { "fabrikam" } },
            ["mail.fabrikam.com"] = new() { Serves = { "fabrikam" } },
            ["autodiscover.adatum.com"] = new() { Status = 404, ProbeRedirect = "https://mail.adatum.com/autodiscover/autodiscover.xml" },
            ["mail.adatum.com"] = new() { Serves = { "adatum" } },
            ["autodiscover.redirect.example"] = new() { Serves = { "*" } },
            ["autodiscover.sales.contoso.com"] = new() { Serves = { "contoso" } },
            ["autodiscover.probe.example"] = new() { Status = 404 },
            ["mail.probe.example"] = new() { Serves = { "probe" } },
            ["autodiscover.sub.adatum.com"] = new() { Status = 404, ProbeRedirect = "https://mail.adatum.com/autodiscover/autodiscover.xml" },
        },
    };

    public async Task InitializeAsync() => Server = await SandboxServer.StartAsync(CreateConfig(), new SandboxServerOptions { Https = true });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
