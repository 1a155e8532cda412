using System.Text;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Environments;
using Xunit;

namespace CalendarFederation.Engine.Tests;

public class AuthUnitTests
{
    private static string Jwt(string payloadJson)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return B64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + B64(payloadJson) + ".c2lnbmF0dXJl";
    }

    [Fact]
    public void Reads_tenant_account_and_expiry_from_a_delegated_token()
    {
        JwtClaims c = JwtClaims.TryParse(Jwt("{\"tid\":\"6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11\",\"upn\":\"admin@contoso.com\",\"appid\":\"app\",\"scp\":\"Exchange.Manage\",\"exp\":1900000000,\"aud\":\"https://outlook.office365.com\"}"))!;
        Assert.Equal("6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11", c.TenantId);
        Assert.Equal("admin@contoso.com", c.UserPrincipalName);
        Assert.Equal("app", c.AppId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1900000000), c.ExpiresOn);
        Assert.False(c.IsAppOnly);
    }

    [Fact]
    public void Recognises_an_app_only_token()
    {
        JwtClaims c = JwtClaims.TryParse(Jwt("{\"tid\":\"t\",\"appid\":\"app\",\"roles\":[\"Exchange.ManageAsApp\"],\"idtyp\":\"app\",\"exp\":1}"))!;
        Assert.True(c.IsAppOnly);
        Assert.Null(c.UserPrincipalName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    [InlineData("eyJhbGciOiJub25lIn0.WzEsMl0.")]
    public void Anything_else_is_not_a_token(string text)
    {
        Assert.Null(JwtClaims.TryParse(text));
    }

    [Fact]
    public void Redaction_removes_tokens_secrets_and_codes()
    {
        string jwt = Jwt("{\"tid\":\"t\"}");
        string text = $"Authorization: Bearer {jwt} body client_secret=s3cr3t&code=abc123&refresh_token=rt-value {{\"access_token\":\"at-value\",\"refresh_token\":\"rt2\"}} raw {jwt}";
        string redacted = Redaction.Apply(text);
        foreach (string secret in new[] { jwt, "s3cr3t", "abc123", "rt-value", "at-value", "rt2" })
        {
            Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        }
        Assert.Contains("[redacted", redacted);
    }

    [Theory]
    [InlineData(404, "{\"error\":{\"code\":\"NotFound\",\"message\":\"Error executing cmdlet\",\"details\":[{\"message\":\"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'Fabrikam' couldn't be found on 'SRV'.\"}]}}",
        AdminApiErrorKind.NotFound, "Ex6F9304", "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException")]
    [InlineData(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Error executing cmdlet\",\"details\":[{\"message\":\"X|Microsoft.Exchange.Management.Tasks.OrganizationRelationshipDomainInUse|The domains fabrikam.com already exist in another organization relationship. Domains can only exist in one organization relationship.\"}]}}",
        AdminApiErrorKind.DomainInUse, "X", "Microsoft.Exchange.Management.Tasks.OrganizationRelationshipDomainInUse")]
    [InlineData(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Error executing cmdlet\",\"details\":[{\"message\":\"Y|Microsoft.Exchange.Configuration.Tasks.InvalidOperationInDehydratedContextException|The command you tried to run isn't currently allowed in your organization. To run this command, you first need to run the command: Enable-OrganizationCustomization.\"}]}}",
        AdminApiErrorKind.Dehydrated, "Y", "Microsoft.Exchange.Configuration.Tasks.InvalidOperationInDehydratedContextException")]
    [InlineData(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Error executing cmdlet\",\"details\":[{\"message\":\"Z|Microsoft.Exchange.Data.ObjectAlreadyExistsException|An organization relationship named Fabrikam already exists.\"}]}}",
        AdminApiErrorKind.AlreadyExists, "Z", "Microsoft.Exchange.Data.ObjectAlreadyExistsException")]
    [InlineData(403, "{\"error\":{\"code\":\"Forbidden\",\"message\":\"The user isn't authorized to run this cmdlet.\"}}", AdminApiErrorKind.AccessDenied, null, null)]
    [InlineData(500, "You have reached the maximum number of concurrent requests per tenant. Please wait and try again", AdminApiErrorKind.Throttled, null, null)]
    [InlineData(500, "<html>Internal error</html>", AdminApiErrorKind.Other, null, null)]
    [InlineData(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"x\",\"details\":[{\"message\":\"no pipes here\"}]}}", AdminApiErrorKind.InvalidArgument, null, null)]
    public void Parses_exchange_error_shapes(int status, string body, AdminApiErrorKind kind, string? errorId, string? type)
    {
        AdminApiException ex = AdminApiErrorParser.Parse(status, body, "req-1");
        Assert.Equal(kind, ex.Failure);
        Assert.Equal(errorId, ex.ServiceErrorId);
        Assert.Equal(type, ex.ExceptionType);
        Assert.Equal("req-1", ex.ClientRequestId);
        Assert.DoesNotContain("|", ex.Message);
        Assert.NotEmpty(ex.Message);
    }

    [Fact]
    public void A_message_with_pipes_keeps_them_after_the_third_field()
    {
        AdminApiException ex = AdminApiErrorParser.Parse(400, "{\"error\":{\"details\":[{\"message\":\"Id|Type|A | B | C\"}]}}", null);
        Assert.Equal("A | B | C", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"error\":5}")]
    [InlineData("{\"error\":{\"details\":\"nope\"}}")]
    [InlineData("[]")]
    public void Unreadable_error_bodies_still_give_a_message(string body)
    {
        AdminApiException ex = AdminApiErrorParser.Parse(502, body, null);
        Assert.NotEmpty(ex.Message);
    }

    [Fact]
    public void Authority_and_scope_follow_the_environment()
    {
        var delegated = new SignInRequest { Mode = SignInMode.Interactive };
        Assert.Equal("https://login.microsoftonline.com/organizations", delegated.Authority.AbsoluteUri);
        Assert.Equal("https://outlook.office365.com/.default", delegated.Scope);

        var appOnly = new SignInRequest { Mode = SignInMode.Certificate, Organization = "contoso.onmicrosoft.com", Environment = ExchangeEnvironment.FindBuiltIn("O365USGovDoD")! };
        Assert.Equal("https://login.microsoftonline.us/contoso.onmicrosoft.com", appOnly.Authority.AbsoluteUri);
        Assert.Equal("https://outlook-dod.office365.us/.default", appOnly.Scope);
        Assert.Equal("https://outlook-dod.office365.us/", appOnly.AdminApiBase.AbsoluteUri);

        var gdap = new SignInRequest { Mode = SignInMode.DeviceCode, DelegatedOrganization = "customer.onmicrosoft.com" };
        Assert.Equal("https://login.microsoftonline.com/customer.onmicrosoft.com", gdap.Authority.AbsoluteUri);

        var overridden = new SignInRequest
        {
            Mode = SignInMode.Interactive,
            AuthorityOverride = new Uri("https://login.microsoftonline.us/common"),
            ConnectionUriOverride = new Uri("https://outlook.office365.us/powershell-liveid"),
        };
        Assert.Equal("https://login.microsoftonline.us/common", overridden.Authority.AbsoluteUri);
        Assert.Equal("https://outlook.office365.us/", overridden.AdminApiBase.AbsoluteUri);
        Assert.Equal("https://outlook.office365.us/.default", overridden.Scope);
    }

    [Fact]
    public void The_anchor_mailbox_is_the_user_the_tenants_system_mailbox_or_for_gdap_the_customers()
    {
        const string system = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
        Assert.Equal("UPN:admin@contoso.onmicrosoft.com",
            SignInService.AnchorMailbox(appOnly: false, "contoso.onmicrosoft.com", "admin@contoso.onmicrosoft.com", null, "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11"));
        Assert.Equal($"APP:{system}@contoso.onmicrosoft.com",
            SignInService.AnchorMailbox(appOnly: true, "contoso.onmicrosoft.com", null, null, "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11"));
        // GDAP: never the partner's user (a write would land on the partner's mailbox server), but the customer's system
        // mailbox at the customer's tenant id, as CIPP sends it: the token's tid (issued by the customer), or the GUID given.
        Assert.Equal($"APP:{system}@2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44",
            SignInService.AnchorMailbox(appOnly: false, "litware.onmicrosoft.com", "admin@contoso.onmicrosoft.com", "litware.onmicrosoft.com", "2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44"));
        Assert.Equal($"APP:{system}@2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44",
            SignInService.AnchorMailbox(appOnly: false, "2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44", "admin@contoso.onmicrosoft.com", "2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44", null));
        Assert.Equal($"APP:{system}@litware.onmicrosoft.com",
            SignInService.AnchorMailbox(appOnly: false, "litware.onmicrosoft.com", "admin@contoso.onmicrosoft.com", "litware.onmicrosoft.com", null));
    }

    [Fact]
    public void Each_cloud_names_its_admin_api_host_scope_and_aliases()
    {
        // docs/protocol-evidence.md, clouds: Connect-ExchangeOnline's ConnectionUri hosts and CSS-Exchange's endpoint table.
        ExchangeEnvironment china = ExchangeEnvironment.FindBuiltIn("O365China")!;
        Assert.Equal("https://partner.outlook.cn/", china.AdminApi.AbsoluteUri);
        Assert.Equal("https://partner.outlook.cn/.default", china.Scope);
        Assert.Equal(new[] { "partner.outlook.cn", "outlook.office365.cn" }, china.AdminApiHosts);
        Assert.Equal(new[] { "outlook.office365.com", "outlook.office.com" }, ExchangeEnvironment.FindBuiltIn("O365Default")!.AdminApiHosts);
        Assert.Equal(new[] { "outlook.office365.us" }, ExchangeEnvironment.FindBuiltIn("O365USGovGCCHigh")!.AdminApiHosts);
        Assert.Equal(new[] { "outlook-dod.office365.us", "webmail.apps.mil" }, ExchangeEnvironment.FindBuiltIn("O365USGovDoD")!.AdminApiHosts);
        Assert.Same(china.AdminApiHosts, ExchangeEnvironment.KnownAdminApiHosts("OUTLOOK.OFFICE365.CN"));
        Assert.Empty(ExchangeEnvironment.KnownAdminApiHosts("localhost"));
    }

    [Fact]
    public void Custom_environments_are_named_and_checked()
    {
        string name = "Test-" + Guid.NewGuid().ToString("N");
        ExchangeEnvironment e = EnvironmentRegistry.Add(name, new Uri("http://127.0.0.1:5000/autodiscover/autodiscover.svc"),
            new Uri("https://localhost:5001"), new Uri("https://localhost:5001"), null);
        try
        {
            Assert.Same(e, EnvironmentRegistry.Find(name.ToUpperInvariant()));
            Assert.True(e.IsCustom);
            Assert.Equal("https://localhost:5001/.default", e.Scope);
            Assert.Equal("https://localhost:5001", e.Resource);
            Assert.Contains(EnvironmentRegistry.All, x => x.Name == name);
        }
        finally
        {
            EnvironmentRegistry.Remove(name);
        }
        Assert.Null(EnvironmentRegistry.Find(name));
        Assert.Throws<ArgumentException>(() => EnvironmentRegistry.Add("O365Default", null, new Uri("https://a"), new Uri("https://b"), null));
        Assert.Throws<ArgumentException>(() => EnvironmentRegistry.Add("x", null, new Uri("http://localhost:5001"), new Uri("https://b"), null));
        Assert.Throws<ArgumentException>(() => EnvironmentRegistry.Add("x", null, new Uri("https://a"), new Uri("http://example.com"), null));
    }
}
