using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// Where the sandbox follows the real services as independent clients and Microsoft's docs show them (issue 13,
/// docs/protocol-evidence.md): the anchor of a GDAP write, the server-side confirmation, the Entra role of app-only
/// callers, $select, the shapes of an answer without output, and what Autodiscover accepts.
/// </summary>
public sealed class FidelityTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private const string LitwareId = "2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44";
    private const string SystemMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
    private const string NoRoleApp = "c0a5e000-0000-4000-8000-000000000004";
    private const string NoRoleSecret = "contoso-norole-secret";

    private readonly AuthSandbox _sandbox;

    public FidelityTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync() => await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<string> ContosoAppTokenAsync() => _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);

    private async Task<AdminResponse> ContosoAsync(string cmdlet, object? parameters = null) =>
        await _sandbox.InvokeAsync("contoso", await ContosoAppTokenAsync(), cmdlet, parameters);

    [Fact]
    public async Task A_gdap_write_anchored_on_the_partner_user_fails_as_exchange_answers_it_and_the_customer_system_mailbox_works()
    {
        // contoso's admin, signed in at litware's authority (GDAP: tid = litware).
        string token = (string)(await Hand.DelegatedTokenAsync(_sandbox, "litware.com", Known.ContosoAdmin))["access_token"]!;
        string partnerAnchor = "UPN:" + Known.ContosoAdmin;

        // Reads go through whatever the anchor (GDAP users report Get- cmdlets working, office-docs-powershell #10446).
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("litware.onmicrosoft.com", token, "Get-OrganizationConfig", anchor: partnerAnchor)).Status);

        // A write anchored on the partner's mailbox lands on the partner's server: "Cmdlet needs proxy", nothing written.
        AdminResponse refused = await _sandbox.InvokeAsync("litware.onmicrosoft.com", token, "New-OrganizationRelationship",
            new { Name = "Fabrikam", DomainNames = new[] { "fabrikam.com" } }, anchor: partnerAnchor);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("", refused.ErrorDetail[0]);
        Assert.Equal("Microsoft.Exchange.Configuration.Tasks.CmdletProxyNotAvailableException", refused.ErrorDetail[1]);
        Assert.Matches(@"^Cmdlet needs proxy\. Current Server FQDN : \S+\.PROD\.OUTLOOK\.COM, Required Server FQDN : \S+\.PROD\.OUTLOOK\.COM$", refused.ErrorDetail[2]);
        Assert.Empty((await _sandbox.ControlGetAsync("/_sandbox/tenants/litware/relationships")).AsArray());

        // CIPP's anchor: the customer's system mailbox at the customer's tenant id (or its domain).
        AdminResponse created = await _sandbox.InvokeAsync("litware.onmicrosoft.com", token, "New-OrganizationRelationship",
            new { Name = "Fabrikam", DomainNames = new[] { "fabrikam.com" } }, anchor: $"APP:{SystemMailbox}@{LitwareId}");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _sandbox.InvokeAsync("litware", token, "Remove-OrganizationRelationship",
            new { Identity = "Fabrikam", Confirm = false }, anchor: $"APP:{SystemMailbox}@litware.onmicrosoft.com")).Status);
        // No anchor at all is not routed elsewhere either.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("litware", token, "New-OrganizationRelationship",
            new { Name = "Again", DomainNames = new[] { "again.example" } })).Status);

        List<JsonObject> log = (await _sandbox.RequestsAsync()).Where(r => (string?)r["service"] == "adminapi" && (string?)r["cmdletName"] == "New-OrganizationRelationship").ToList();
        Assert.Equal(partnerAnchor, (string?)log[0]["anchorMailbox"]);
        Assert.Equal($"APP:{SystemMailbox}@{LitwareId}", (string?)log[1]["anchorMailbox"]);
    }

    [Fact]
    public async Task Changing_Enabled_without_Force_fails_as_a_prompt_nobody_can_answer_and_Remove_needs_no_Confirm()
    {
        ExchangeAssert.Ok(await ContosoAsync("New-OrganizationRelationship", new { Name = "Partner", DomainNames = new[] { "partner.example" } }));

        const string prompt = "A command that prompts the user failed because the host program or the command type does not support user interaction. " +
            "The host was attempting to request confirmation with the following message: ";
        ExchangeAssert.Error(await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", Enabled = false, Confirm = false }),
            "HostFunctionNotImplemented", "System.Management.Automation.Host.HostException",
            prompt + "You are about to disable this organization relationship with \"Partner\". Are you sure you want to continue?");
        JsonObject stored = (await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso/relationships")).AsArray()[0]!.AsObject();
        Assert.True((bool)stored["enabled"]!);
        // Other settings in the same call are not written either.
        ExchangeAssert.Error(await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", Enabled = false, PhotosEnabled = true }),
            "HostFunctionNotImplemented", "System.Management.Automation.Host.HostException",
            prompt + "You are about to disable this organization relationship with \"Partner\". Are you sure you want to continue?");
        Assert.False((bool)(await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso/relationships")).AsArray()[0]!["photosEnabled"]!);

        // -WhatIf stops before the question; -Force answers it.
        ExchangeAssert.NoContent(await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", Enabled = false, WhatIf = true }));
        ExchangeAssert.NoContent(await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", Enabled = false, Force = true, Confirm = false }));
        Assert.False((bool)(await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso/relationships")).AsArray()[0]!["enabled"]!);
        // Passing the value it already has changes nothing, so nothing is asked.
        AdminResponse same = await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", Enabled = false });
        Assert.Empty(ExchangeAssert.Ok(same));
        // Enabling asks too.
        ExchangeAssert.Error(await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", Enabled = true }),
            "HostFunctionNotImplemented", "System.Management.Automation.Host.HostException",
            prompt + "You are about to enable an organization relationship with \"Partner\". Are you sure you want to continue?");

        // Remove without Confirm:$false removes: the server does not ask (CIPP's Remove-* calls send no Confirm).
        ExchangeAssert.NoContent(await ContosoAsync("Remove-OrganizationRelationship", new { Identity = "Partner" }));
        Assert.Empty((await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso/relationships")).AsArray());
    }

    [Fact]
    public async Task App_only_callers_need_a_supported_Entra_role_besides_Exchange_ManageAsApp()
    {
        string noRole = await _sandbox.ClientCredentialsTokenAsync("contoso", NoRoleApp, NoRoleSecret);
        Assert.Contains("Exchange.ManageAsApp", Hand.Claims(noRole)["roles"]!.AsArray().Select(n => (string?)n));
        AdminResponse refused = await _sandbox.InvokeAsync("contoso", noRole, "Get-OrganizationConfig");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("Forbidden", (string?)refused.Json["error"]!["code"]);
        Assert.Equal("Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException", refused.ErrorDetail[1]);
        Assert.Equal($"The role assigned to application {NoRoleApp} isn't supported in this scenario. Please check online documentation for assigning " +
            "correct Directory Roles to Azure AD Application for EXO App-Only Authentication.", refused.ErrorDetail[2]);
        JsonObject logged = (await _sandbox.RequestsAsync()).Last(r => (string?)r["service"] == "adminapi");
        Assert.Equal("RoleNotSupported", (string?)logged["error"]);

        // The role is read from the directory at call time: any role of Microsoft's list lets the app in, another does not.
        foreach ((string role, HttpStatusCode expected) in new[] { ("Teams Administrator", HttpStatusCode.Forbidden), ("Exchange Recipient Administrator", HttpStatusCode.OK) })
        {
            string appId = Guid.NewGuid().ToString();
            (HttpStatusCode status, string text) = await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/apps",
                new { appId, secret = "role-secret", roles = new[] { "Exchange.ManageAsApp" }, directoryRoles = new[] { role } });
            Assert.True(status == HttpStatusCode.Created, text);
            string token = await _sandbox.ClientCredentialsTokenAsync("contoso", appId, "role-secret");
            Assert.Equal(expected, (await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig")).Status);
        }
        // The shipped automation apps and managed identities hold Exchange Administrator.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("contoso", await ContosoAppTokenAsync(), "Get-OrganizationConfig")).Status);
    }

    [Fact]
    public async Task Select_on_the_query_string_projects_every_page_and_the_next_link_keeps_it()
    {
        string token = await ContosoAppTokenAsync();
        AdminResponse all = await _sandbox.InvokeAsync("contoso", token, "Get-AcceptedDomain", url: $"{_sandbox.Origin}/adminapi/beta/contoso/InvokeCommand?$select=DomainName,default");
        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.Equal(3, all.Value.Count);
        Assert.All(all.Value, v => Assert.Equal(new[] { "Default", "DomainName" }, ExchangeAssert.Keys(v)));

        // Paged: the next link carries $select, and the next page is projected as well.
        AdminResponse page1 = await _sandbox.InvokeAsync("contoso", token, "Get-AcceptedDomain", maxPageSize: 2,
            url: $"{_sandbox.Origin}/adminapi/beta/contoso/InvokeCommand?$select=DomainName");
        string next = (string)page1.Json["@odata.nextLink"]!;
        Assert.Contains("$select=DomainName", next);
        Assert.All(page1.Value, v => Assert.Equal(new[] { "DomainName" }, ExchangeAssert.Keys(v)));
        AdminResponse page2 = await _sandbox.InvokeAsync("contoso", token, "Get-AcceptedDomain", maxPageSize: 2, url: next);
        Assert.Equal(new[] { "DomainName" }, ExchangeAssert.Keys(Assert.Single(page2.Value)));

        // Annotations go with their property: Get-OrganizationRelationship's Guid keeps "Guid@odata.type".
        ExchangeAssert.Ok(await ContosoAsync("New-OrganizationRelationship", new { Name = "Partner", DomainNames = new[] { "partner.example" } }));
        AdminResponse selected = await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationRelationship",
            url: $"{_sandbox.Origin}/adminapi/beta/contoso/InvokeCommand?$select=Name,Guid,Unknown");
        Assert.Equal(new[] { "Guid", "Guid@odata.type", "Name" }, ExchangeAssert.Keys(Assert.Single(selected.Value)));
    }

    [Fact]
    public async Task An_answer_without_output_comes_in_the_shape_chosen_for_the_tenant()
    {
        ExchangeAssert.Ok(await ContosoAsync("New-OrganizationRelationship", new { Name = "Partner", DomainNames = new[] { "partner.example" } }));
        // Default: 204 without a body; "value":[] when there are warnings.
        ExchangeAssert.NoContent(await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", PhotosEnabled = true }));
        AdminResponse warned = await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", PhotosEnabled = true });
        Assert.Equal(HttpStatusCode.OK, warned.Status);
        Assert.Empty(warned.Value);
        Assert.Single(warned.Json["@adminapi.warnings"]!.AsArray());

        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/empty-answer?shape=EmptyArray");
        AdminResponse empty = await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", PhotosEnabled = false });
        Assert.Equal(HttpStatusCode.OK, empty.Status);
        Assert.Empty(empty.Value);
        Assert.Empty(empty.Json["@adminapi.warnings"]!.AsArray());

        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/empty-answer?shape=NullValue");
        AdminResponse nulled = await ContosoAsync("Set-OrganizationRelationship", new { Identity = "Partner", PhotosEnabled = false });
        Assert.Equal(HttpStatusCode.OK, nulled.Status);
        Assert.True(nulled.Json.ContainsKey("value"));
        Assert.Null(nulled.Json["value"]);
        Assert.Single(nulled.Json["@adminapi.warnings"]!.AsArray());
        // Reads with output are not affected.
        Assert.Single(ExchangeAssert.Ok(await ContosoAsync("Get-OrganizationRelationship")));

        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        ExchangeAssert.Ok(await ContosoAsync("New-OrganizationRelationship", new { Name = "Partner", DomainNames = new[] { "partner.example" } }));
        ExchangeAssert.NoContent(await ContosoAsync("Remove-OrganizationRelationship", new { Identity = "Partner", Confirm = false }));
    }

    [Fact]
    public async Task Autodiscover_answers_a_RequestedServerVersion_in_the_addressing_namespace_and_an_a_To_naming_another_host()
    {
        // check_mdi's request (expl0itabl3/check_mdi, check_mdi.py), posted to the sandbox instead of autodiscover-s.outlook.com.
        string body = """
            <?xml version="1.0" encoding="utf-8"?>
            <soap:Envelope xmlns:exm="http://schemas.microsoft.com/exchange/services/2006/messages"
                xmlns:ext="http://schemas.microsoft.com/exchange/services/2006/types"
                xmlns:a="http://www.w3.org/2005/08/addressing"
                xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
                xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
              <soap:Header>
                <a:RequestedServerVersion>Exchange2010</a:RequestedServerVersion>
                <a:MessageID>urn:uuid:6389558d-9e05-465e-ade9-aae14c4bcd10</a:MessageID>
                <a:Action soap:mustUnderstand="1">http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation</a:Action>
                <a:To soap:mustUnderstand="1">https://autodiscover.byfcxu-dom.extest.microsoft.com/autodiscover/autodiscover.svc</a:To>
                <a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>
              </soap:Header>
              <soap:Body>
                <GetFederationInformationRequestMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover">
                  <Request><Domain>contoso.com</Domain></Request>
                </GetFederationInformationRequestMessage>
              </soap:Body>
            </soap:Envelope>
            """.Trim();
        using var request = new HttpRequestMessage(HttpMethod.Post, _sandbox.Origin + "/autodiscover/autodiscover.svc")
        {
            Content = new StringContent(body, Encoding.UTF8, "text/xml"),
        };
        request.Headers.UserAgent.ParseAdd("AutodiscoverClient");
        using HttpResponseMessage response = await _sandbox.Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var doc = new XmlDocument();
        doc.LoadXml(text);
        var ns = new XmlNamespaceManager(doc.NameTable);
        ns.AddNamespace("ad", "http://schemas.microsoft.com/exchange/2010/Autodiscover");
        Assert.Equal("NoError", doc.SelectSingleNode("//ad:Response/ad:ErrorCode", ns)?.InnerText);
        Assert.Contains("contoso.com", doc.SelectNodes("//ad:Domains/ad:Domain", ns)!.Cast<XmlNode>().Select(n => n.InnerText));

        JsonObject logged = (await _sandbox.RequestsAsync()).Last(r => (string?)r["path"] == "/autodiscover/autodiscover.svc");
        Assert.Equal("https://autodiscover.byfcxu-dom.extest.microsoft.com/autodiscover/autodiscover.svc", (string?)logged["soapTo"]);
    }
}
