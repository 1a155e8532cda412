using CalendarFederation.Sandbox;
using CalendarFederation.Sandbox.Model;

// Usage: CalendarFederation.Sandbox [--config sandbox.json] [--latency-ms N] [--https] [--ca <dir>] [--ca-out root.pem] [--proxy [--proxy-auth user:pass]] [--exit-with-stdin]
//        [--fleet N [--fleet-seed S] [--fleet-file fleet.json] [--fleet-environment Sandbox]]
//        CalendarFederation.Sandbox --make-ca <dir>
// Prints SANDBOX_URL=http://127.0.0.1:<port> once it listens, then SANDBOX_HTTPS_<KIND>=https://localhost:<port>
// per https listener; binds 127.0.0.1 only.
// --make-ca <dir> writes a new root CA to <dir>/root.pem (certificate) and <dir>/root.pfx (with key, no password), then exits.
// --ca <dir> issues the https leaves from <dir>/root.pfx instead of a new root (and implies --https).
string configPath = Path.Combine(AppContext.BaseDirectory, "sandbox.json");
int? latency = null;
bool https = false;
bool exitWithStdin = false;
bool proxy = false;
string? proxyAuth = null;
string? caOut = null;
string? caDir = null;
string? makeCa = null;
int? fleet = null;
int fleetSeed = 1;
string? fleetFile = null;
string? fleetEnvironment = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--config": configPath = args[++i]; break;
        case "--latency-ms": latency = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--https": https = true; break;
        case "--ca-out": caOut = args[++i]; break;
        case "--ca": caDir = args[++i]; break;
        case "--make-ca": makeCa = args[++i]; break;
        case "--exit-with-stdin": exitWithStdin = true; break;
        case "--proxy": proxy = true; break;
        case "--proxy-auth": proxyAuth = args[++i]; break;
        case "--fleet": fleet = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--fleet-seed": fleetSeed = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--fleet-file": fleetFile = args[++i]; break;
        case "--fleet-environment": fleetEnvironment = args[++i]; break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'.");
            return 2;
    }
}

if (makeCa != null)
{
    using System.Security.Cryptography.X509Certificates.X509Certificate2 newRoot = SandboxCertificates.CreateRoot();
    SandboxCertificates.SaveRoot(newRoot, makeCa);
    Console.WriteLine($"SANDBOX_CA={Path.GetFullPath(Path.Combine(makeCa, "root.pem"))}");
    return 0;
}

System.Security.Cryptography.X509Certificates.X509Certificate2? root = null;
if (caDir != null)
{
    try
    {
        root = SandboxCertificates.LoadRoot(caDir);
    }
    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is System.Security.Cryptography.CryptographicException || ex is InvalidDataException)
    {
        Console.Error.WriteLine($"Cannot load the sandbox root CA from '{caDir}': {ex.Message}");
        return 2;
    }
}

SandboxConfig config;
try
{
    config = SandboxConfig.Load(configPath);
    if (fleet != null)
    {
        config.AddFleet(new CalendarFederation.Sandbox.Fleet.FleetOptions { Tenants = fleet.Value, Seed = fleetSeed, EnvironmentName = fleetEnvironment ?? "Sandbox" });
        config.Validate();
    }
}
catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is System.Text.Json.JsonException || ex is InvalidDataException)
{
    Console.Error.WriteLine($"Cannot load sandbox configuration '{configPath}': {ex.Message}");
    return 2;
}
if (latency != null) config.LatencyMs = latency.Value;

await using SandboxServer server = await SandboxServer.StartAsync(config, new SandboxServerOptions { Https = https || caOut != null || root != null || proxy, RootCertificate = root, Proxy = proxy });
if (caOut != null && server.Certificates != null) File.WriteAllText(caOut, server.Certificates.RootPem);

// The fleet file is written before any line is printed, so a reader may use it as soon as it sees SANDBOX_URL.
if (fleetFile != null && config.GeneratedFleet != null)
{
    File.WriteAllText(fleetFile, config.GeneratedFleet.File.ToJsonString(SandboxConfig.Json));
    Console.WriteLine($"SANDBOX_FLEET_FILE={Path.GetFullPath(fleetFile)}");
}

// The proxy line comes first: readers stop at SANDBOX_URL.
if (server.Proxy != null)
{
    server.Proxy.Credentials = proxyAuth;
    Console.WriteLine($"SANDBOX_PROXY=http://127.0.0.1:{server.Proxy.Port}");
}
Console.WriteLine($"SANDBOX_URL={server.BaseUri.ToString().TrimEnd('/')}");
foreach ((string kind, int port) in server.State.HttpsPorts) Console.WriteLine($"SANDBOX_HTTPS_{kind.ToUpperInvariant()}=https://localhost:{port}");

Console.WriteLine(config.GeneratedFleet == null
    ? $"Sandbox ready: {config.Tenants.Count} tenants ({string.Join(", ", config.Tenants.Select(t => t.Name))})."
    : $"Sandbox ready: {config.Tenants.Count} tenants, {config.GeneratedFleet.Tenants.Count} of them the fleet (seed {config.GeneratedFleet.Options.Seed}).");
Console.Out.Flush();

var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
// The host handles SIGTERM itself (and cancels the default exit), so its stopping signal ends us too.
server.Stopping.Register(() => stop.TrySetResult());
if (exitWithStdin)
{
    // The parent holds our stdin open; when it goes away (even killed), so do we.
    _ = Task.Run(() =>
    {
        while (Console.In.ReadLine() != null) { }
        stop.TrySetResult();
    });
}
await stop.Task;
return 0;
