using System.Net;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Autodiscover;
using CalendarFederation.Sandbox.Control;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace CalendarFederation.Sandbox;

public sealed class SandboxServerOptions
{
    /// <summary>Plain-http listeners: the first is the main one; the others let tests build redirect chains across hosts.</summary>
    public int HttpListeners { get; set; } = 8;

    /// <summary>Also listen with HTTPS, one port per certificate kind (good, expired, mismatch, selfsigned).</summary>
    public bool Https { get; set; }

    /// <summary>
    /// The root CA (with its private key) to issue the HTTPS leaves from, so a client can trust a known root;
    /// setting it implies <see cref="Https"/>. Null: a new root per start.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? RootCertificate { get; set; }

    /// <summary>Also run a forward proxy on loopback (needs HTTPS); see <see cref="Proxy.TestProxy"/>.</summary>
    public bool Proxy { get; set; }
}

/// <summary>The sandbox, started in-process (xunit) or from Program (Pester, the demo). Binds 127.0.0.1 only.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private Proxy.TestProxy? _proxy;

    /// <summary>The forward proxy, when one was asked for.</summary>
    public Proxy.TestProxy? Proxy => _proxy;

    private SandboxServer(WebApplication app, SandboxState state, SandboxCertificates? certificates)
    {
        _app = app;
        State = state;
        Certificates = certificates;
    }

    public SandboxState State { get; }

    /// <summary>Signalled when the host is asked to stop (SIGTERM, Ctrl+C), so Program can exit.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public SandboxCertificates? Certificates { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{State.Ports[0]}");

    public Uri AutodiscoverUri => new(BaseUri, "/autodiscover/autodiscover.svc");

    public Uri HttpsUri(string kind) => new($"https://localhost:{State.HttpsPorts[kind]}");

    /// <summary>The https origin clients sign in at and call the admin API on ("https://localhost:&lt;good port&gt;").</summary>
    public Uri GoodHttpsUri => HttpsUri("good");

    public static async Task<SandboxServer> StartAsync(SandboxConfig config, SandboxServerOptions? options = null)
    {
        options ??= new SandboxServerOptions();
        var state = new SandboxState(config);
        SandboxCertificates? certificates = options.Https || options.RootCertificate != null
            ? SandboxCertificates.Create(options.RootCertificate)
            : null;

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>() });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(state); // for handlers without a SandboxState of their own (JsonFaultWriter's gates)
        var httpsKinds = new List<string>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = null;
            for (int i = 0; i < Math.Max(1, options.HttpListeners); i++) kestrel.Listen(IPAddress.Loopback, 0);
            if (certificates != null)
            {
                foreach ((string kind, var cert) in certificates.Leaves)
                {
                    httpsKinds.Add(kind);
                    kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = cert,
                        // Accept a client certificate if one is offered, so the anonymity check can see it.
                        ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                        ClientCertificateValidation = (_, _, _) => true,
                    }));
                }
            }
        });

        WebApplication app = builder.Build();
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path.StartsWithSegments("/_sandbox"))
            {
                await next();
                return;
            }
            state.Enter();
            try
            {
                await next();
            }
            finally
            {
                state.Leave();
            }
        });
        new AutodiscoverEndpoint(state).Map(app);
        var entra = new EntraEndpoints(state);
        entra.Map(app);
        new ManagedIdentityEndpoint(state).Map(app);
        new AdminApiEndpoint(state).Map(app);
        new Graph.ScheduleEndpoint(state).Map(app);
        new Graph.CrossTenantAccessEndpoint(state).Map(app);
        new Graph.TenantInformationEndpoint(state).Map(app);
        ControlEndpoints.Map(app, state);
        IdentityControlEndpoints.Map(app, state, entra);
        ExchangeControlEndpoints.Map(app, state);
        GraphControlEndpoints.Map(app, state);
        TestSeamEndpoints.Map(app, state);
        await app.StartAsync();

        // Kestrel reports addresses in listen order: the http ones first, then one per https kind.
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).ToList();
        state.Ports = addresses.Where(a => a.Scheme == "http").Select(a => a.Port).ToArray();
        var https = addresses.Where(a => a.Scheme == "https").Select(a => a.Port).ToArray();
        var map = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < httpsKinds.Count && i < https.Length; i++) map[httpsKinds[i]] = https[i];
        state.HttpsPorts = map;
        var server = new SandboxServer(app, state, certificates);
        if (options.Proxy && map.TryGetValue("good", out int goodPort))
        {
            server._proxy = new Proxy.TestProxy(goodPort, state.Ports[0]);
            server._proxy.Start();
            state.Proxy = server._proxy;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy != null) await _proxy.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
