using System.Collections.Concurrent;
using System.Globalization;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.Migration;
using CalendarFederation.Engine.Tenants;
using CalendarFederation.Engine.Tests.CrossTenantAccess;
using CalendarFederation.Engine.Tests.Graph;
using Microsoft.Extensions.Time.Testing;

namespace CalendarFederation.Engine.Tests.Migration;

/// <summary>What a fake Exchange does with one Set-OrganizationRelationship -Enabled.</summary>
internal enum SetFault
{
    None,
    /// <summary>Refused: nothing changes, an admin API error comes back.</summary>
    Refuse,
    /// <summary>Applied, but the answer is lost: an admin API timeout comes back.</summary>
    ApplyThenFail,
    /// <summary>No answer until the call is cancelled; nothing changes.</summary>
    Hang,
    /// <summary>Applied, then no answer until the call is cancelled.</summary>
    ApplyThenHang,
}

/// <summary>
/// One tenant's Exchange side in memory: relationships (admin API shape), accepted domains, sharing policies and
/// address spaces, with faults per Set and a log of every call.
/// </summary>
internal sealed class FakeExchange : ILegacySharing
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<KeyValuePair<string, object?>>> _relationships = new(StringComparer.OrdinalIgnoreCase);

    public FakeExchange(string organization, params string[] acceptedDomains)
    {
        Organization = organization;
        AcceptedDomains.AddRange(acceptedDomains);
    }

    public string Organization { get; }
    public List<string> AcceptedDomains { get; } = new();
    public List<AdminObject> SharingPolicies { get; } = new();
    public List<AdminObject> AddressSpaces { get; } = new();
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Decides each Set -Enabled: (relationship, enabled) to a fault.</summary>
    public Func<string, bool, SetFault>? OnSet { get; set; }

    /// <summary>Signalled when a Set arrives (before its fault is applied).</summary>
    public TaskCompletionSource SetArrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A read that fails (after a stop, say): the relationship's state cannot be known.</summary>
    public bool FailReads { get; set; }

    public FakeExchange Relationship(string name, string[] domains, bool enabled = true, string freeBusy = "AvailabilityOnly", bool freeBusyEnabled = true,
        string? freeBusyScope = null, string mailTips = "None", bool mailTipsEnabled = false, string? mailTipsScope = null, string? targetApplicationUri = "outlook.com",
        string? targetAutodiscoverEpr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity", params string[] features)
    {
        var p = new List<KeyValuePair<string, object?>>
        {
            new("Identity", name), new("Name", name), new("DomainNames", domains.Cast<object?>().ToArray()), new("Enabled", enabled),
            new("FreeBusyAccessEnabled", freeBusyEnabled), new("FreeBusyAccessLevel", freeBusy), new("FreeBusyAccessScope", freeBusyScope),
            new("MailTipsAccessEnabled", mailTipsEnabled), new("MailTipsAccessLevel", mailTips), new("MailTipsAccessScope", mailTipsScope),
            new("TargetApplicationUri", targetApplicationUri), new("TargetAutodiscoverEpr", targetAutodiscoverEpr),
        };
        foreach (string feature in LegacyRelationship.LegacyOnlyFeatures) p.Add(new(feature, features.Contains(feature)));
        lock (_gate) _relationships[name] = p;
        return this;
    }

    public bool? EnabledOf(string name)
    {
        lock (_gate) return _relationships.TryGetValue(name, out var p) ? (bool?)p.First(x => x.Key == "Enabled").Value : null;
    }

    public int Sets => Calls.Count(c => c.StartsWith("Set ", StringComparison.Ordinal));

    public Task<LegacyRelationship?> GetRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Calls.Enqueue("Get " + identity);
        if (FailReads) throw new AdminApiException(AdminApiErrorKind.ServiceUnavailable, "The service is unavailable (fake).");
        lock (_gate) return Task.FromResult(_relationships.TryGetValue(identity, out var p) ? new LegacyRelationship(new AdminObject(p.ToList())) : null);
    }

    public Task<IReadOnlyList<LegacyRelationship>> GetRelationshipsAsync(IEngineEvents events, CancellationToken cancellationToken)
    {
        Calls.Enqueue("Get *");
        lock (_gate) return Task.FromResult<IReadOnlyList<LegacyRelationship>>(_relationships.Values.Select(p => new LegacyRelationship(new AdminObject(p.ToList()))).ToArray());
    }

    public Task<IReadOnlyList<string>> GetAcceptedDomainsAsync(IEngineEvents events, CancellationToken cancellationToken)
    {
        Calls.Enqueue("Get-AcceptedDomain");
        return Task.FromResult<IReadOnlyList<string>>(AcceptedDomains.ToArray());
    }

    public async Task SetEnabledAsync(string identity, bool enabled, IEngineEvents events, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Calls.Enqueue($"Set {identity} Enabled={enabled}");
        SetFault fault = OnSet?.Invoke(identity, enabled) ?? SetFault.None;
        TaskCompletionSource arrived = SetArrived;
        SetArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        arrived.TrySetResult();
        switch (fault)
        {
            case SetFault.Refuse:
                throw new AdminApiException(AdminApiErrorKind.AccessDenied, "The user isn't assigned to any management roles (fake).");
            case SetFault.ApplyThenFail:
                Apply(identity, enabled);
                throw new AdminApiException(AdminApiErrorKind.Timeout, "The admin API did not answer within 100 s (fake).");
            case SetFault.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case SetFault.ApplyThenHang:
                Apply(identity, enabled);
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
        }
        Apply(identity, enabled);
    }

    private void Apply(string identity, bool enabled)
    {
        lock (_gate)
        {
            var p = _relationships[identity];
            int i = p.FindIndex(x => x.Key == "Enabled");
            p[i] = new("Enabled", enabled);
        }
    }

    public Task<IReadOnlyList<OtherLegacySharing>> GetOtherSharingAsync(IReadOnlyCollection<string> partnerDomains, IEngineEvents events, CancellationToken cancellationToken)
    {
        Calls.Enqueue("Get-SharingPolicy");
        Calls.Enqueue("Get-AvailabilityAddressSpace");
        return Task.FromResult(LegacySharingRules.Find(SharingPolicies, AddressSpaces, partnerDomains));
    }

    public static AdminObject Object(params (string Key, object? Value)[] properties) =>
        new(properties.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToList());
}

/// <summary>Domains to tenants, as Entra's OpenID configuration would say; unknown domains are PartnerTenantNotFound.</summary>
internal sealed class FakeTenantLookup : IPartnerTenantLookup
{
    public Dictionary<string, Guid> Tenants { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ConcurrentQueue<string> Asked { get; } = new();

    public Task<PartnerTenant> ResolveAsync(string domain, IEngineEvents events, CancellationToken cancellationToken)
    {
        Asked.Enqueue(domain);
        if (domain.EndsWith("outlook.com", StringComparison.OrdinalIgnoreCase))
        {
            throw new EngineException(ErrorIds.PartnerTenantIsConsumer, ErrorKind.InvalidArgument, $"'{domain}' belongs to personal Microsoft accounts (fake).", domain);
        }
        if (!Tenants.TryGetValue(domain, out Guid id))
        {
            throw new EngineException(ErrorIds.PartnerTenantNotFound, ErrorKind.ObjectNotFound, $"Microsoft Entra ID knows no organization with the domain '{domain}' (fake).", domain);
        }
        return Task.FromResult(new PartnerTenant(domain, id, $"https://login.microsoftonline.com/{id}/v2.0", new Uri("https://login.microsoftonline.com/" + domain),
            "microsoftonline.com", "NA", null, "graph.microsoft.com"));
    }
}

/// <summary>One tenant for the migration tests: its fake Exchange, its fake Graph (X-TAP), and the side built on them.</summary>
internal sealed class FakeTenant : IDisposable
{
    public FakeTenant(string organization, string tenantId, FakeTimeProvider time, string[] acceptedDomains)
    {
        Organization = organization;
        TenantId = tenantId;
        Exchange = new FakeExchange(organization, acceptedDomains);
        Graph = new FakeXtapGraph(time);
        Tokens = new FakeGraphTokens();
        Client = new GraphClient(new GraphClientOptions { Tenant = tenantId, MaxRetries = 3, AttemptTimeout = TimeSpan.FromSeconds(30) },
            Tokens, Graph, disposeHandler: false, time, new TenantGateRegistry(time));
        Side = new MigrationSide(organization, tenantId, Exchange, new CrossTenantAccessService(new CrossTenantAccessClient(Client), null, time));
    }

    public string Organization { get; }
    public string TenantId { get; }
    public FakeExchange Exchange { get; }
    public FakeXtapGraph Graph { get; }
    public FakeGraphTokens Tokens { get; }
    public GraphClient Client { get; }
    public MigrationSide Side { get; }

    /// <summary>The partner's capability names, allowed ones only, with their level.</summary>
    public string[] Allowed(string partnerTenantId) =>
        Graph.Partners.TryGetValue(partnerTenantId, out var p)
            ? p.Capabilities.Values.Where(c => (bool)c["inboundAccess"]!["isAllowed"]!).Select(c => (string)c["name"]!).OrderBy(n => n, StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();

    public void Dispose() => Client.Dispose();
}

internal static class Ids
{
    public const string Contoso = "0b8e4f12-3c5d-4e6f-8a9b-0c1d2e3f4a5b";
    public const string Fabrikam = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    public const string Litware = "4c3b2a19-0807-4605-9403-020100f0e0d0";

    public static string Text(this IEnumerable<string> lines) => string.Join(Environment.NewLine, lines);

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
