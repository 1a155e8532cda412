using System.Net.Http;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Fleet;
using Xunit;
using static CalendarFederation.Engine.Tests.Fleet.FleetSamples;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>FleetExport.FromStates (docs/fleet.md §5): tenants as connected, directions as found, a file that reads back.</summary>
public sealed class FleetExportTests
{
    private const string ContosoId = "11111111-0000-4000-8000-000000000001";
    private const string FabrikamId = "22222222-0000-4000-8000-000000000002";
    private const string TailspinId = "33333333-0000-4000-8000-000000000003";
    private const string SalesId = "99999999-0000-4000-8000-000000000009";
    private const string Secret = "Xy8Q~TopSecretValue.1234567890abcdefghij";

    private static FleetTenantState State(string name, string tenantId, params PartnerAccessState[] partners)
    {
        var tenant = new FleetTenant { Name = name, Organization = name + ".onmicrosoft.com",
            Connect = new FleetConnect { Kind = FleetConnectKind.ManagedIdentity } };
        var inventory = new CrossTenantAccessInventory();
        inventory.Partners.AddRange(partners);
        return new FleetTenantState(tenant)
        {
            TenantId = tenantId,
            Organization = name + ".onmicrosoft.com",
            CrossTenantAccess = inventory,
            AcceptedDomains = new[] { name + ".onmicrosoft.com", name + ".com" },
        };
    }

    private static PartnerAccessState Grant(string partnerId, string capability, params string[] scopeGroups)
    {
        ResourceScopes scopes = scopeGroups.Length == 0 ? ResourceScopes.Everyone(XtapDecisions.UserResourceType) : ResourceScopes.Groups(scopeGroups);
        var caps = new List<M365Capability> { new M365Capability(capability, null, new InboundAccess(true, scopes), null) };
        return new PartnerAccessState(partnerId, new PartnerConfiguration(partnerId, CollaborationTrust.Inherited), caps);
    }

    private static PartnerAccessState WithMore(PartnerAccessState p, params string[] capabilities) => new PartnerAccessState(p.PartnerTenantId, p.Partner,
        p.Capabilities.Concat(capabilities.Select(c => new M365Capability(c, null, new InboundAccess(true, ResourceScopes.Everyone(XtapDecisions.UserResourceType)), null))).ToList());

    private static AdminObject Relationship(string domain, bool enabled, string level, string? scope = null, string? mailTips = null) =>
        new AdminObject(new List<KeyValuePair<string, object?>>
        {
            new("Name", "to " + domain), new("DomainNames", new object?[] { domain }), new("Enabled", enabled),
            new("FreeBusyAccessEnabled", true), new("FreeBusyAccessLevel", level), new("FreeBusyAccessScope", scope),
            new("MailTipsAccessEnabled", mailTips != null), new("MailTipsAccessLevel", mailTips ?? "None"),
        });

    [Fact]
    public void Matching_grants_both_ways_fold_into_Between_and_the_file_reads_back()
    {
        FleetTenantState contoso = State("contoso", ContosoId, Grant(FabrikamId, M365CapabilityNames.CalendarAvailabilityBasic));
        FleetTenantState fabrikam = State("fabrikam", FabrikamId, Grant(ContosoId, M365CapabilityNames.CalendarAvailabilityBasic));

        FleetDefinition d = FleetExport.FromStates(new[] { contoso, fabrikam });

        Assert.Equal(new[] { "contoso", "fabrikam" }, d.Tenants.Select(t => t.Name));
        Assert.Equal((ContosoId, "contoso.onmicrosoft.com"), (d.Tenants[0].TenantId, d.Tenants[0].Organization));
        Assert.All(d.Directions, x => Assert.Equal((true, FederationMethod.CrossTenantAccess, "AvailabilityOnly"), (x.Shared, x.Settings.Method, x.Settings.FreeBusyAccessLevel)));
        Assert.Equal(2, d.Directions.Count);
        string psd1 = FleetFileWriter.ToPsd1(d);
        Assert.Contains("@{ Between = 'contoso', 'fabrikam'; Method = 'CrossTenantAccess'; FreeBusyAccessLevel = 'AvailabilityOnly' }", psd1, StringComparison.Ordinal);
        Assert.Equal(Describe(d), Describe(FleetFileReader.ReadJson(FleetFileWriter.ToJson(d), "export.json")));
    }

    [Fact]
    public void A_one_way_grant_with_scope_and_extra_capabilities_is_exported_as_found()
    {
        PartnerAccessState grant = WithMore(Grant(TailspinId, M365CapabilityNames.CalendarAvailabilityLimitedDetails, SalesId),
            M365CapabilityNames.MailTipsAll, M365CapabilityNames.CalendarSharingFreeBusyDetail, M365CapabilityNames.PlacesRoomBooking);
        FleetTenantState contoso = State("contoso", ContosoId, grant);
        contoso.CrossTenantAccess!.GroupNames[SalesId] = "Sales";
        FleetTenantState tailspin = State("tailspin", TailspinId);

        FleetDefinition d = FleetExport.FromStates(new[] { contoso, tailspin });

        FleetShareSettings s = Direction(d, "contoso", "tailspin").Settings;
        Assert.Equal(("LimitedDetails", "Sales", "All", "Detail", (bool?)true), (s.FreeBusyAccessLevel, s.FreeBusyAccessScope, s.MailTipsAccessLevel, s.CalendarSharingAccessLevel, s.RoomBooking));
        Assert.False(Direction(d, "tailspin", "contoso").Shared);
        Assert.Equal(Describe(d), Describe(FleetFileReader.ReadJson(FleetFileWriter.ToJson(d), "export.json")));
    }

    [Fact]
    public void An_enabled_relationship_makes_the_pair_an_organization_relationship_pair()
    {
        FleetTenantState contoso = State("contoso", ContosoId, Grant(FabrikamId, M365CapabilityNames.CalendarAvailabilityBasic));
        FleetTenantState fabrikam = State("fabrikam", FabrikamId);
        // fabrikam shares through a relationship that names one of contoso's accepted domains, with MailTips.
        fabrikam.Relationships = new[] { Relationship("Contoso.com", enabled: true, "LimitedDetails", scope: "Sales", mailTips: "Limited") };

        FleetDefinition d = FleetExport.FromStates(new[] { contoso, fabrikam });

        FleetShareSettings fc = Direction(d, "fabrikam", "contoso").Settings, cf = Direction(d, "contoso", "fabrikam").Settings;
        Assert.Equal((FederationMethod.OrganizationRelationship, "LimitedDetails", "Sales", "Limited"), (fc.Method, fc.FreeBusyAccessLevel, fc.FreeBusyAccessScope, fc.MailTipsAccessLevel));
        Assert.Equal((FederationMethod.OrganizationRelationship, "AvailabilityOnly"), (cf.Method, cf.FreeBusyAccessLevel));
        FleetFileReader.ReadJson(FleetFileWriter.ToJson(d), "export.json"); // no method conflict
    }

    [Fact]
    public void An_enabled_relationship_without_free_busy_hides_the_grant_and_a_disabled_one_does_not_count()
    {
        FleetTenantState contoso = State("contoso", ContosoId, Grant(FabrikamId, M365CapabilityNames.CalendarAvailabilityBasic));
        FleetTenantState fabrikam = State("fabrikam", FabrikamId, Grant(ContosoId, M365CapabilityNames.CalendarAvailabilityBasic));
        contoso.Relationships = new[] { Relationship("fabrikam.onmicrosoft.com", enabled: true, "None") };
        fabrikam.Relationships = new[] { Relationship("contoso.com", enabled: false, "LimitedDetails") };

        FleetDefinition d = FleetExport.FromStates(new[] { contoso, fabrikam });

        Assert.False(Direction(d, "contoso", "fabrikam").Shared);
        FleetDirection fc = Direction(d, "fabrikam", "contoso");
        Assert.Equal((true, FederationMethod.CrossTenantAccess), (fc.Shared, fc.Settings.Method));
    }

    [Fact]
    public void Partners_outside_the_fleet_and_unreadable_tenants_share_nothing_in_the_file()
    {
        FleetTenantState contoso = State("contoso", ContosoId, Grant("44444444-0000-4000-8000-000000000004", M365CapabilityNames.CalendarAvailabilityBasic));
        FleetTenantState broken = State("fabrikam", FabrikamId, Grant(ContosoId, M365CapabilityNames.CalendarAvailabilityBasic));
        broken.ReadError = new EngineException(ErrorIds.AccessDenied, ErrorKind.PermissionDenied, "no");

        FleetDefinition d = FleetExport.FromStates(new[] { contoso, broken });

        Assert.Equal(2, d.Tenants.Count);
        Assert.Empty(d.Directions);
    }

    [Fact]
    public void Tenants_are_named_uniquely_from_their_organization_when_the_state_has_no_name()
    {
        FleetTenantState a = State("", ContosoId), b = State("x", FabrikamId);
        a.Organization = "contoso.onmicrosoft.com";
        b.Tenant.Name = "contoso";
        b.Organization = "contoso.com";

        FleetDefinition d = FleetExport.FromStates(new[] { b, a });
        Assert.Equal(new[] { "contoso", "contoso-2" }, d.Tenants.Select(t => t.Name));
        Assert.Equal("CONTOSO_2_SECRET", FleetExport.SecretVariable("contoso-2"));
        Assert.Equal("T_1TENANT_SECRET", FleetExport.SecretVariable("1tenant"));
    }

    [Fact]
    public void Connect_settings_follow_the_session_and_never_carry_a_secret()
    {
        using var certificate = SelfSigned();
        using TenantSession secret = Session("contoso", SignInMode.ClientSecret, r => r.ClientSecret = Secure(Secret));
        using TenantSession cert = Session("fabrikam", SignInMode.Certificate, r => r.Certificate = certificate);
        using TenantSession identity = Session("tailspin", SignInMode.ManagedIdentity, r => r.ManagedIdentityAccountId = "mi-client-1");
        using TenantSession person = Session("litware", SignInMode.Interactive, _ => { });
        var states = new[] { State("contoso", ContosoId), State("fabrikam", FabrikamId), State("tailspin", TailspinId), State("litware", "55555555-0000-4000-8000-000000000005") };
        states[0].Session = secret;
        states[1].Session = cert;
        states[2].Session = identity;
        states[3].Session = person;

        FleetDefinition d = FleetExport.FromStates(states);

        FleetConnect c = d.Tenants[0].Connect;
        Assert.Equal((FleetConnectKind.ClientSecretEnvironmentVariable, "CONTOSO_SECRET", AppId), (c.Kind, c.ClientSecretEnvironmentVariable, c.AppId));
        c = d.Tenants[1].Connect;
        Assert.Equal((FleetConnectKind.CertificateThumbprint, certificate.Thumbprint), (c.Kind, c.CertificateThumbprint));
        c = d.Tenants[2].Connect;
        Assert.Equal((FleetConnectKind.ManagedIdentity, "mi-client-1"), (c.Kind, c.ManagedIdentityClientId));
        c = d.Tenants[3].Connect;
        Assert.Equal((FleetConnectKind.Connection, "litware.onmicrosoft.com"), (c.Kind, c.Connection));

        string psd1 = FleetFileWriter.ToPsd1(d), json = FleetFileWriter.ToJson(d);
        Assert.DoesNotContain(Secret, psd1, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.Contains("ClientSecretEnvironmentVariable = 'CONTOSO_SECRET'", psd1, StringComparison.Ordinal);
        Assert.Equal(Describe(d), Describe(FleetFileReader.ReadJson(json, "export.json")));
    }

    private static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (char ch in text) s.AppendChar(ch);
        s.MakeReadOnly();
        return s;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=fleet-export-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A session that reaches nothing (the export reads only what it was made with).</summary>
    private static TenantSession Session(string name, SignInMode mode, Action<SignInRequest> configure)
    {
        string organization = name + ".onmicrosoft.com";
        var request = new SignInRequest { Mode = mode, Organization = organization, ClientId = AppId };
        configure(request);
        var tokens = new NoTokens();
        var api = new AdminApiClient(new AdminApiOptions { Tenant = organization, AnchorMailbox = "APP:export-test@" + organization, GateKey = "export-test-" + organization },
            tokens, new NoNetwork(), disposeHandler: true);
        bool appOnly = mode != SignInMode.Interactive;
        return new TenantSession(request, tokens, api, null, organization, appOnly ? null : "admin@" + organization, appOnly ? AppId : null, appOnly,
            DateTimeOffset.UtcNow.AddHours(1), null);
    }

    private sealed class NoTokens : ITokenSource
    {
        public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The export asked for a token.");
    }

    private sealed class NoNetwork : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The export called " + request.RequestUri + ".");
    }
}
