using System.Collections.Concurrent;
using System.Text;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Availability;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Diagnostics;
using CalendarFederation.Engine.Diagnostics.Checks;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;
using Microsoft.Extensions.Time.Testing;

namespace CalendarFederation.Engine.Tests.Diagnostics;

/// <summary>
/// Contoso (local) and Fabrikam (partner) as TenantSnapshots built directly, relationships as the admin API returns
/// them, and every fact a check may ask for supplied up front: nothing here reaches a network. A session's admin API
/// and a discovery that nobody scripted fail the test that reached them.
/// </summary>
internal static class DiagnosticsWorld
{
    public const string CloudEpr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";
    public static readonly Uri CloudEndpoint = new("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc");

    public static readonly string[] ContosoDomains = { "contoso.com", "contoso.onmicrosoft.com", "sales.contoso.com" };
    public static readonly string[] FabrikamDomains = { "fabrikam.com", "fabrikam.onmicrosoft.com", "fabrikam.co.uk" };

    public const string ContosoId = "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11";
    public const string FabrikamId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    public const string ContosoOrg = "contoso.onmicrosoft.com";
    public const string FabrikamOrg = "fabrikam.onmicrosoft.com";

    /// <summary>The day the tests run on: after EWS began to be switched off (2026-10-01), before it is retired (2027-04-01).</summary>
    public static readonly DateTimeOffset Today = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    public static AdminObject Relationship(string name, string[] domains, bool enabled = true, bool freeBusy = true, string? level = "AvailabilityOnly",
        string? application = "outlook.com", string? epr = CloudEpr, string? scope = null, string? sharingEpr = null) =>
        new(new List<KeyValuePair<string, object?>>
        {
            new("Identity", name),
            new("Name", name),
            new("DomainNames", domains.Cast<object?>().ToArray()),
            new("Enabled", enabled),
            new("FreeBusyAccessEnabled", freeBusy),
            new("FreeBusyAccessLevel", level),
            new("FreeBusyAccessScope", scope),
            new("TargetApplicationUri", application),
            new("TargetAutodiscoverEpr", epr),
            new("TargetSharingEpr", sharingEpr),
        });

    public static TenantSnapshot Contoso(params AdminObject[] relationships) => Snapshot("contoso.onmicrosoft.com", ContosoDomains, false, relationships);

    public static TenantSnapshot Fabrikam(params AdminObject[] relationships) => Snapshot("fabrikam.onmicrosoft.com", FabrikamDomains, false, relationships);

    public static TenantSnapshot Snapshot(string organization, string[] domains, bool dehydrated, params AdminObject[] relationships) =>
        new(Session(organization), organization, domains.First(d => d.EndsWith(".onmicrosoft.com", StringComparison.Ordinal)), domains, dehydrated,
            relationships.ToList());

    /// <summary>Both sides as New-CalendarFederation leaves them: every domain, AvailabilityOnly, fresh cloud targets.</summary>
    public static AdminObject ContosoForFabrikam(string level = "AvailabilityOnly") => Relationship("Fabrikam", FabrikamDomains, level: level);

    public static AdminObject FabrikamForContoso(string level = "AvailabilityOnly", string? scope = null) =>
        Relationship("Contoso", ContosoDomains, level: level, scope: scope);

    public static DiagnosticsRequest Request(TenantSnapshot local, TenantSnapshot? partner = null, string? mailbox = null, string? requester = null,
        string? domain = null, string? identity = null) => new()
        {
            Local = local.Session,
            Partner = partner?.Session,
            Mailbox = mailbox,
            RequesterMailbox = requester,
            PartnerDomain = domain,
            Identity = identity,
            Clock = new FakeTimeProvider(Today),
        };

    /// <summary>A context whose discovery answers through <paramref name="discovery"/> (by default: fails the test).</summary>
    public static DiagnosticsContext Context(DiagnosticsRequest request, TenantSnapshot local, TenantSnapshot? partner, FakeDiscovery? discovery = null)
    {
        DiagnosticsContext context = DiagnosticsContext.Create(request, local, partner, NullEngineEvents.Instance);
        context.Discover = (discovery ?? new FakeDiscovery()).DiscoverAsync;
        // The cross-tenant access facts as a pair that has not started with the policy: both tenants known, neither policy
        // holding a partner configuration, EWS kept on, no other legacy objects. Tests of the policy supply their own.
        context.Provide(CrossTenantAccessFacts.PartnerTenant, TenantLookup.Known("fabrikam.com", FabrikamId));
        context.Provide(CrossTenantAccessFacts.LocalTenant, TenantLookup.Known("contoso.onmicrosoft.com", ContosoId));
        context.Provide(CrossTenantAccessFacts.LocalPolicy, Policy(ContosoOrg, FabrikamOrg, FabrikamId));
        context.Provide(CrossTenantAccessFacts.PartnerPolicy, partner == null ? null : Policy(FabrikamOrg, ContosoOrg, ContosoId));
        context.Provide(CrossTenantAccessFacts.LocalEws, EwsState.True);
        context.Provide(CrossTenantAccessFacts.PartnerEws, partner == null ? EwsState.Unknown : EwsState.True);
        context.Provide(CrossTenantAccessFacts.LocalExtras, LegacyExtras.None);
        context.Provide(CrossTenantAccessFacts.PartnerExtras, LegacyExtras.None);
        return context;
    }

    /// <summary>One side's policy for the other: no partner configuration, or one with <paramref name="trust"/> (JSON, null = inherited) and capabilities.</summary>
    public static PolicyRead Policy(string organization, string other, string otherId, bool partner = false, string? trust = null, CollaborationTrust? defaultTrust = null,
        params M365Capability[] capabilities)
    {
        PartnerConfiguration? configuration = partner
            ? new PartnerConfiguration(otherId, CrossTenantAccessJson.ParseTrust(trust == null ? null : System.Text.Json.JsonDocument.Parse(trust).RootElement.Clone()))
            : null;
        return new PolicyRead(organization, other, otherId, new PartnerAccessState(otherId, configuration, partner ? capabilities : Array.Empty<M365Capability>()),
            defaultTrust);
    }

    public const string AllUsersTrust = "{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}";
    public const string BlockedTrust = "{\"users\":{\"accessType\":\"blocked\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}";

    /// <summary>A capability as Graph lists it; scopes "All" unless given (resourceId:resourceType pairs).</summary>
    public static M365Capability Capability(string name, bool allowed = true, string[]? included = null, string[]? excluded = null)
    {
        static ResourceScope[] Scopes(string[] entries) =>
            entries.Select(e => new ResourceScope(e.Split(':')[0], e.Split(':')[1])).ToArray();
        return new M365Capability(name, M365CapabilityNames.ODataTypeOf(name),
            new InboundAccess(allowed, new ResourceScopes(Scopes(included ?? new[] { "All:user" }), Scopes(excluded ?? Array.Empty<string>()))), Today);
    }

    public static Task<List<Finding>> RunAsync(DiagnosticsContext context) =>
        RelationshipDiagnostics.RunAsync(context, DiagnosticChecks.Default, CancellationToken.None);

    public static string[] Checks(IEnumerable<Finding> findings) => findings.Select(f => f.Check).ToArray();

    /// <summary>A fresh discovery that found <paramref name="application"/> at <paramref name="answeredBy"/>.</summary>
    public static RediscoveryResult Fresh(string domain, string application = "outlook.com", string answeredBy = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc") =>
        new(new RediscoveryPlan(RediscoveryRoute.CloudFirst, domain, null), Answer(domain, application, new Uri(answeredBy)), null, null);

    public static FederationInfo Answer(string domain, string application, Uri answeredBy) =>
        new(domain, application, new[] { domain }, answeredBy, CandidateKind.Cloud, Array.Empty<TokenIssuer>(), null);

    public static ScopeGroupRead Scope(string relationship, string group, bool exists = true, int members = 1, string firstMember = "lee@fabrikam.com", int limit = 10_000) =>
        new(relationship, group, exists,
            Enumerable.Range(0, exists ? members : 0).Select(i => Member(i == 0 ? firstMember : $"member{i:00000}@example.com")).ToList(), limit);

    public static ProbeOutcome Probe(string json) =>
        new(ScheduleClient.Parse(Encoding.UTF8.GetBytes(json), Encoding.UTF8.GetByteCount(json), "lee@fabrikam.com"), null);

    /// <summary>getSchedule's answer for one mailbox: the view, and items (status, subject or null) 09:00-10:00 each.</summary>
    public static string Schedule(string view, params (string Status, string? Subject)[] items)
    {
        IEnumerable<string> rendered = items.Select(i =>
            "{\"status\":\"" + i.Status + "\",\"start\":{\"dateTime\":\"2030-01-07T09:00:00.0000000\",\"timeZone\":\"UTC\"}," +
            "\"end\":{\"dateTime\":\"2030-01-07T10:00:00.0000000\",\"timeZone\":\"UTC\"}" +
            (i.Subject != null ? ",\"subject\":\"" + i.Subject + "\",\"location\":\"Room 1\"" : "") + "}");
        return "{\"value\":[{\"scheduleId\":\"lee@fabrikam.com\",\"availabilityView\":\"" + view + "\",\"scheduleItems\":[" + string.Join(",", rendered) + "]}]}";
    }

    private static AdminObject Member(string address) => new(new List<KeyValuePair<string, object?>> { new("PrimarySmtpAddress", address) });

    private static TenantSession Session(string organization)
    {
        var tokens = new NoTokens();
        var request = new SignInRequest { Mode = SignInMode.ClientSecret, Organization = organization, ClientId = "00000000-0000-4000-8000-0000000000bb" };
        var api = new AdminApiClient(new AdminApiOptions { Tenant = organization, AnchorMailbox = "APP:diagnostics-test@" + organization, GateKey = "diagnostics-test-" + organization },
            tokens, new NoNetwork(), disposeHandler: true);
        return new TenantSession(request, tokens, api, null, organization, null, request.ClientId, isAppOnly: true, DateTimeOffset.UtcNow.AddHours(1), null);
    }

    private sealed class NoTokens : ITokenSource
    {
        public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A check asked for a token; the test should have supplied the fact.");
    }

    private sealed class NoNetwork : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A check called " + request.RequestUri + "; the test should have supplied the fact.");
    }
}

/// <summary>Discovery as the test scripts it: records what each call asked and answers per endpoint.</summary>
internal sealed class FakeDiscovery
{
    private readonly Func<DiscoveryOptions, string, FederationInfo?> _answer;

    public FakeDiscovery(Func<DiscoveryOptions, string, FederationInfo?>? answer = null) =>
        _answer = answer ?? ((options, domain) => throw new InvalidOperationException($"Discovery of {domain} was not expected."));

    public ConcurrentQueue<(DiscoveryOptions Options, string Domain)> Asked { get; } = new();

    public Task<DiscoveryOutcome> DiscoverAsync(DiscoveryOptions options, string domain, CancellationToken cancellationToken)
    {
        Asked.Enqueue((options, domain));
        FederationInfo? info = _answer(options, domain);
        Uri url = options.AutodiscoverUri ?? options.CloudEndpoint ?? new Uri("https://autodiscover." + domain + "/autodiscover/autodiscover.svc");
        var attempts = info != null ? Array.Empty<DiscoveryAttempt>()
            : new[] { new DiscoveryAttempt(CandidateKind.Explicit, "POST", url, 404, DiscoveryFailureKind.UnexpectedStatus, "Unexpected status code in response: 404.", TimeSpan.Zero) };
        return Task.FromResult(new DiscoveryOutcome(domain, info, attempts, Array.Empty<DiscoveryAlternate>(), TimeSpan.Zero));
    }
}
