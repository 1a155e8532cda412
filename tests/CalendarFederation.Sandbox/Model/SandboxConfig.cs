using System.Text.Json;
using CalendarFederation.Sandbox.Faults;
using System.Text.Json.Serialization;

namespace CalendarFederation.Sandbox.Model;

/// <summary>The JSON description of the sandbox's world: tenants, virtual hosts and standing faults.</summary>
public sealed class SandboxConfig
{
    public List<TenantConfig> Tenants { get; set; } = new();

    /// <summary>
    /// Virtual hosts, keyed by the Host header's name (no port). A loopback host that is not listed acts as
    /// the cloud's Microsoft-hosted Autodiscover endpoint and answers for every tenant.
    /// </summary>
    public Dictionary<string, HostConfig> Hosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public List<FaultRule> Faults { get; set; } = new();

    /// <summary>Latency added to every request (the benchmark's knob).</summary>
    public int LatencyMs { get; set; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static SandboxConfig Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        SandboxConfig config = JsonSerializer.Deserialize<SandboxConfig>(stream, Json)
            ?? throw new InvalidDataException($"{path} holds no sandbox configuration.");
        config.Hosts = new Dictionary<string, HostConfig>(config.Hosts, StringComparer.OrdinalIgnoreCase);
        config.Validate();
        return config;
    }

    public void Validate()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (TenantConfig t in Tenants)
        {
            if (string.IsNullOrWhiteSpace(t.Name)) throw new InvalidDataException("Every tenant needs a name.");
            foreach (string d in t.Domains)
            {
                if (!seen.Add(d)) throw new InvalidDataException($"Domain {d} belongs to two tenants.");
            }
        }
    }

    public TenantConfig? FindTenantByDomain(string domain) =>
        Tenants.FirstOrDefault(t => t.Domains.Any(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase)));
}

public sealed class TenantConfig
{
    public string Name { get; set; } = "";
    public Guid Id { get; set; } = Guid.NewGuid();
    /// <summary>The tenant's *.onmicrosoft.com domain.</summary>
    public string? InitialDomain { get; set; }
    public List<string> Domains { get; set; } = new();
    public bool Federated { get; set; } = true;
    public string ApplicationUri { get; set; } = "outlook.com";
    public List<TokenIssuerConfig> TokenIssuers { get; set; } = new()
    {
        new TokenIssuerConfig { Uri = "urn:federation:MicrosoftOnline", Endpoint = "https://login.microsoftonline.com/extSTS.srf" },
    };
    /// <summary>Before Exchange Online's 2025 change every federated domain came back; since then only the queried one.</summary>
    public bool ReturnAllDomains { get; set; }
    /// <summary>Forces this ErrorCode for every query about the tenant's domains.</summary>
    public string? ErrorCode { get; set; }
    public int LatencyMs { get; set; }
}

public sealed class TokenIssuerConfig
{
    public string Uri { get; set; } = "";
    public string Endpoint { get; set; } = "";
}

public sealed class HostConfig
{
    /// <summary>Domains (or tenant names) this host answers for; "*" for all. Empty: answers for none (InvalidDomain).</summary>
    public List<string> Serves { get; set; } = new();
    /// <summary>A POST to the service answers 302 with this Location.</summary>
    public string? Redirect { get; set; }
    /// <summary>The unsecured GET probe answers 302 with this Location.</summary>
    public string? ProbeRedirect { get; set; }
    /// <summary>Every request answers this status with an empty body (e.g. 404 for a web server without Exchange).</summary>
    public int? Status { get; set; }

    public bool ServesDomain(string domain, TenantConfig? tenant) =>
        Serves.Any(s => s == "*"
            || string.Equals(s, domain, StringComparison.OrdinalIgnoreCase)
            || (tenant != null && string.Equals(s, tenant.Name, StringComparison.OrdinalIgnoreCase)));
}
