using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>
/// Get-FederationInformation's TenantId and cloud, looked up at the environment's sign-in host after each successful
/// discovery: here the sandbox's https Entra endpoints (SignInFixture's environment), through the handler that trusts
/// the sandbox's root.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class FederationInformationTenantTests : IDisposable
{
    private static readonly Guid Fabrikam = Guid.Parse("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22");
    private static readonly Guid Contoso = Guid.Parse("6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11");
    private static readonly string[] NewProperties = { "TenantId", "PartnerTenantId", "CloudInstanceName", "TenantRegionScope", "TenantRegionSubScope", "MsGraphHost" };

    private readonly SignInFixture _fixture;
    private readonly TestPSHost _host = new();
    private readonly Runspace _runspace;

    public FederationInformationTenantTests(SignInFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(_host);
    }

    private readonly List<PowerShell> _invocations = new();

    public void Dispose()
    {
        foreach (PowerShell ps in _invocations) ps.Dispose();
        _runspace.Dispose();
    }

    private static string Env => SignInFixture.EnvironmentName;

    private (List<FederationInformation> Output, PSDataStreams Streams) Run(string script)
    {
        // Kept until the test ends: disposing a PowerShell clears its streams, and callers read them after this returns.
        PowerShell ps = PowerShell.Create();
        _invocations.Add(ps);
        ps.Runspace = _runspace;
        ps.AddScript(script);
        Collection<PSObject> output = ps.Invoke();
        return (output.Select(o => o.BaseObject).OfType<FederationInformation>().ToList(), ps.Streams);
    }

    private List<string> VerboseOf(PSDataStreams streams) => streams.Verbose.Select(v => v.Message).ToList();

    private int OpenIdLookups() => _fixture.Server.State.Identity.SignIns.Count(s => s.Endpoint == "openid-configuration");

    [Fact]
    public void Outputs_the_partners_tenant_id_and_cloud()
    {
        var (output, streams) = Run($"Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName {Env}");

        Assert.Empty(streams.Error);
        FederationInformation info = Assert.Single(output);
        Assert.Equal(Fabrikam, info.TenantId);
        Assert.Equal(Fabrikam, info.PartnerTenantId);
        Assert.Equal("microsoftonline.com", info.CloudInstanceName);
        Assert.Equal("NA", info.TenantRegionScope);
        Assert.Equal("graph.microsoft.com", info.MsGraphHost);
        Assert.Equal("outlook.com", info.TargetApplicationUri.OriginalString);
        var lookup = Assert.Single(_fixture.Server.State.Identity.SignIns, s => s.Endpoint == "openid-configuration");
        Assert.Equal("/fabrikam.com/v2.0/.well-known/openid-configuration", lookup.Path);
        Assert.Equal("GET", lookup.Method);
        Assert.Equal("https", lookup.Scheme);
        Assert.Empty(lookup.Fields);
    }

    [Fact]
    public void Looks_up_each_domain_of_a_list()
    {
        var (output, streams) = Run($"Get-FederationInformation -DomainName contoso.com, fabrikam.com, sales.contoso.com -ExchangeEnvironmentName {Env} -ThrottleLimit 3");
        Assert.Empty(streams.Error);
        Assert.Equal(new[] { ("contoso.com", Contoso), ("fabrikam.com", Fabrikam), ("sales.contoso.com", Contoso) },
            output.Select(o => (o.DomainName, o.TenantId!.Value)).OrderBy(t => t.DomainName, StringComparer.Ordinal));
        Assert.Equal(3, OpenIdLookups());
    }

    [Fact]
    public void When_the_lookup_fails_the_answer_is_still_returned_with_an_empty_TenantId_and_a_verbose_reason()
    {
        // Autodiscover answers for a domain that no Entra tenant has.
        const string raw = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>" +
            "<GetFederationInformationResponseMessage xmlns=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\"><Response>" +
            "<ErrorCode>NoError</ErrorCode><ApplicationUri>outlook.com</ApplicationUri><Domains><Domain>unknown-partner.example</Domain></Domains>" +
            "</Response></GetFederationInformationResponseMessage></s:Body></s:Envelope>";
        _fixture.Server.State.AddFault(new FaultRule { Domain = "unknown-partner.example", RawBody = raw });

        var (output, streams) = Run($"Get-FederationInformation -DomainName unknown-partner.example -ExchangeEnvironmentName {Env} -Verbose");

        Assert.Empty(streams.Error);
        FederationInformation info = Assert.Single(output);
        Assert.Null(info.TenantId);
        Assert.Null(info.PartnerTenantId);
        Assert.Null(info.CloudInstanceName);
        Assert.Contains(VerboseOf(streams), v => v.StartsWith("[unknown-partner.example] TenantId is empty: Microsoft Entra ID at localhost:", StringComparison.Ordinal)
            && v.Contains("knows no organization with the domain 'unknown-partner.example' (AADSTS90002: Tenant 'unknown-partner.example' not found.", StringComparison.Ordinal));
    }

    [Fact]
    public void With_AutodiscoverUri_alone_the_tenant_is_not_looked_up_and_verbose_says_so()
    {
        string uri = _fixture.Server.AutodiscoverUri.AbsoluteUri;
        var (output, streams) = Run($"Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri '{uri}' -Verbose");
        Assert.Null(Assert.Single(output).TenantId);
        Assert.Contains("TenantId is not looked up: -AutodiscoverUri names the only endpoint to ask. Add -ExchangeEnvironmentName to look the partner's tenant up in that cloud too.",
            VerboseOf(streams));
        Assert.Equal(0, OpenIdLookups());

        var (both, _) = Run($"Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri '{uri}' -ExchangeEnvironmentName {Env}");
        Assert.Equal(Fabrikam, Assert.Single(both).TenantId);
    }

    [Fact]
    public void None_of_the_new_properties_binds_to_New_OrganizationRelationship()
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        var command = (CmdletInfo)ps.AddCommand("Get-Command").AddArgument("New-OrganizationRelationship").Invoke()[0].BaseObject;
        string[] names = command.Parameters.Values.SelectMany(p => p.Aliases.Prepend(p.Name)).ToArray();
        Assert.Empty(NewProperties.Intersect(names, StringComparer.OrdinalIgnoreCase));
        Assert.All(NewProperties, p => Assert.NotNull(typeof(FederationInformation).GetProperty(p)));
    }

    // The seed pipeline of the README, end to end against the sandbox's admin API: the same request as before TenantId existed.
    [Fact]
    public void The_seed_pipeline_creates_the_relationship_exactly_as_before()
    {
        var (_, connect) = Run($"$s = ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force; " +
            $"Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $s -ExchangeEnvironmentName {Env} -WarningAction SilentlyContinue");
        Assert.Empty(connect.Error);
        _fixture.Server.State.ClearRequests();

        var (_, streams) = Run($"Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName {Env} | " +
            "New-OrganizationRelationship -Name 'Partner' -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -WarningAction SilentlyContinue");

        Assert.Empty(streams.Error);
        var write = Assert.Single(_fixture.Server.State.Requests, r => r.Service == "adminapi" && r.IsWrite == true);
        Assert.Equal("New-OrganizationRelationship", write.CmdletName);
        Assert.Empty(NewProperties.Intersect(write.ParameterNames!, StringComparer.OrdinalIgnoreCase));
        Assert.Contains("TargetApplicationUri", write.ParameterNames!);
        Assert.Contains("TargetAutodiscoverEpr", write.ParameterNames!);
        JsonElement stored = Assert.Single(_fixture.GetAsync<JsonElement[]>("/_sandbox/tenants/contoso/relationships").GetAwaiter().GetResult());
        Assert.Equal("Partner", Property(stored, "Name").GetString());
        Assert.Equal("outlook.com", Property(stored, "TargetApplicationUri").GetString());
        Assert.Equal(new[] { "fabrikam.com" }, Property(stored, "DomainNames").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(_fixture.Server.AutodiscoverUri.AbsoluteUri + "/WSSecurity", Property(stored, "TargetAutodiscoverEpr").GetString());
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.EnumerateObject().Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
}
