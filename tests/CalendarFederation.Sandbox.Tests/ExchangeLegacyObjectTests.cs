using System.Net;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// The Exchange side of the migration (docs/cross-tenant-access.md §4.1): EwsEnabled, availability address spaces,
/// sharing policies and the mailboxes' SharingPolicy, and ExternalDirectoryObjectId (the Entra object ids X-TAP
/// resourceScopes name).
/// </summary>
public sealed class ExchangeLegacyObjectTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private const string ConvertId = "CannotConvertArgumentNoMessage";
    private const string BindingType = "System.Management.Automation.ParameterBindingException";

    private readonly AuthSandbox _sandbox;
    private string _contoso = "";

    public ExchangeLegacyObjectTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        _contoso = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<AdminResponse> Contoso(string cmdlet, object? parameters = null) => _sandbox.InvokeAsync(Known.ContosoDomain, _contoso, cmdlet, parameters);

    private async Task<JsonNode?> EwsEnabledAsync() => ExchangeAssert.Ok(await Contoso("Get-OrganizationConfig"))[0]!["EwsEnabled"];

    private Task<JsonNode> LegacyAsync(string tenant = "contoso") => _sandbox.ControlGetAsync($"/_sandbox/tenants/{tenant}/legacy-sharing");

    [Fact]
    public async Task EwsEnabled_is_null_true_or_false_and_decides_with_the_block_whether_EWS_is_blocked()
    {
        JsonObject org = ExchangeAssert.Ok(await Contoso("Get-OrganizationConfig"))[0]!.AsObject();
        Assert.True(org.ContainsKey("EwsEnabled"));
        Assert.Null(org["EwsEnabled"]);

        ExchangeAssert.NoContent(await Contoso("Set-OrganizationConfig", new { EwsEnabled = true }));
        Assert.True((bool)(await EwsEnabledAsync())!);
        AdminResponse same = await Contoso("Set-OrganizationConfig", new { EwsEnabled = true });
        Assert.Empty(ExchangeAssert.Ok(same));
        Assert.Equal("The command completed successfully but no settings of 'contoso.onmicrosoft.com' have been modified.", (string?)same.Json["@adminapi.warnings"]![0]);
        ExchangeAssert.NoContent(await Contoso("Set-OrganizationConfig", new { EwsEnabled = false, WhatIf = true }));
        Assert.True((bool)(await EwsEnabledAsync())!);
        ExchangeAssert.NoContent(await Contoso("Set-OrganizationConfig", new { EwsEnabled = "False" }));
        Assert.False((bool)(await EwsEnabledAsync())!);
        ExchangeAssert.NoContent(await Contoso("Set-OrganizationConfig", new Dictionary<string, object?> { ["EwsEnabled"] = null }));
        Assert.Null(await EwsEnabledAsync());
        ExchangeAssert.Error(await Contoso("Set-OrganizationConfig", new { EwsEnabled = "maybe" }), ConvertId, BindingType,
            "Cannot process argument transformation on parameter 'EwsEnabled'. Cannot convert value \"System.String\" to type \"System.Boolean\". Error: \"Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.\"");
        ExchangeAssert.Error(await Contoso("Set-OrganizationConfig", new { FocusedInboxOn = true }), "NamedParameterNotFound", BindingType,
            "A parameter cannot be found that matches parameter name 'FocusedInboxOn'. (Set-OrganizationConfig)");

        // Not blocked until the block is in effect; then blocked unless EwsEnabled is True; after 2027-04-01 always.
        Assert.False((bool)(await LegacyAsync())["ewsBlocked"]!);
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/ews-block?value=true");
        Assert.True((bool)(await LegacyAsync())["ewsBlocked"]!);
        ExchangeAssert.NoContent(await Contoso("Set-OrganizationConfig", new { EwsEnabled = true }));
        Assert.False((bool)(await LegacyAsync())["ewsBlocked"]!);
        ExchangeAssert.NoContent(await Contoso("Set-OrganizationConfig", new { EwsEnabled = false }));
        Assert.True((bool)(await LegacyAsync())["ewsBlocked"]!);
        Assert.False((bool)(await LegacyAsync("fabrikam"))["ewsBlocked"]!);
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/ews-retired?value=true");
        Assert.True((bool)(await LegacyAsync("fabrikam"))["ewsBlocked"]!);

        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        JsonNode reset = await LegacyAsync();
        Assert.Null(reset["ewsEnabled"]);
        Assert.False((bool)reset["ewsBlock"]!);
        Assert.False((bool)reset["ewsRetired"]!);
    }

    [Fact]
    public async Task Availability_address_spaces_are_added_read_and_removed_never_disabled()
    {
        Assert.Empty(ExchangeAssert.Ok(await Contoso("Get-AvailabilityAddressSpace")));
        ExchangeAssert.NoContent(await Contoso("Add-AvailabilityAddressSpace", new
        {
            ForestName = "fabrikam.com", AccessMethod = "OrgWideFBToken", TargetTenantId = Known.FabrikamId, TargetServiceEpr = "outlook.office.com",
        }));
        JsonObject a = Assert.Single(ExchangeAssert.Ok(await Contoso("Get-AvailabilityAddressSpace")))!.AsObject();
        Assert.Equal("fabrikam.com", (string?)a["ForestName"]);
        Assert.Equal("fabrikam.com", (string?)a["Identity"]);
        Assert.Equal("fabrikam.com", (string?)a["Name"]);
        Assert.Equal("OrgWideFBToken", (string?)a["AccessMethod"]);
        Assert.Equal(Known.FabrikamId, (string?)a["TargetTenantId"]);
        Assert.Equal("outlook.office.com", (string?)a["TargetServiceEpr"]);
        Assert.Null(a["TargetAutodiscoverEpr"]);
        Assert.Null(a["ProxyUrl"]);
        Assert.False((bool)a["UseServiceAccount"]!);
        Assert.StartsWith("CN=fabrikam.com,CN=Availability Configuration,CN=Configuration,CN=contoso.onmicrosoft.com,", (string?)a["DistinguishedName"]);
        Assert.True(Guid.TryParse((string?)a["Guid"], out Guid guid));
        Assert.Equal("fabrikam.com", (string?)ExchangeAssert.Ok(await Contoso("Get-AvailabilityAddressSpace", new { Identity = guid.ToString() }))[0]!["ForestName"]);
        Assert.Equal("OrgWideFBToken", (string?)(await LegacyAsync())["addressSpaces"]![0]!["accessMethod"]);

        ExchangeAssert.Error(await Contoso("Add-AvailabilityAddressSpace", new { ForestName = "FABRIKAM.com", AccessMethod = "PerUserFB", UseServiceAccount = true }),
            "Ex9B5D12", "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
            $"Active Directory operation failed on {Known.ServerName}. The object 'CN=FABRIKAM.com,CN=Availability Configuration,CN=Configuration,CN=contoso.onmicrosoft.com,CN=ConfigurationUnits,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM' already exists.",
            category: "ResourceExists");
        ExchangeAssert.Error(await Contoso("Add-AvailabilityAddressSpace", new { ForestName = "litware.com", AccessMethod = "OrgWideFBToken", TargetServiceEpr = "outlook.office.com" }),
            "Ex5A2D81", "Microsoft.Exchange.Data.DataValidationException", "The access method OrgWideFBToken requires both the TargetTenantId and the TargetServiceEpr parameters.");
        ExchangeAssert.Error(await Contoso("Add-AvailabilityAddressSpace", new { ForestName = "litware.com", AccessMethod = "Whatever" }), ConvertId, BindingType,
            "Cannot bind parameter 'AccessMethod'. Cannot convert value \"Whatever\" to type \"Microsoft.Exchange.Data.Directory.SystemConfiguration.AvailabilityAccessMethod\". Error: \"Unable to match the identifier name Whatever to a valid enumerator name. Specify one of the following enumerator names and try again: PerUserFB, OrgWideFB, InternalProxy, PublicFolder, OrgWideFBToken\"");
        ExchangeAssert.Error(await Contoso("Add-AvailabilityAddressSpace", new { AccessMethod = "OrgWideFB" }), "MissingMandatoryParameter", BindingType,
            "Cannot process command because of one or more missing mandatory parameters: ForestName.");
        ExchangeAssert.Error(await Contoso("Add-AvailabilityAddressSpace", new { ForestName = "litware.com", AccessMethod = "PerUserFB", TargetAutodiscoverEpr = "autodiscover.litware.com" }),
            "Ex8A3E77", "Microsoft.Exchange.Data.DataValidationException", "The value \"autodiscover.litware.com\" of property TargetAutodiscoverEpr isn't valid. The URI must be absolute.");

        // There is no Set- and no disable: only Remove. -WhatIf removes nothing.
        ExchangeAssert.Error(await Contoso("Set-AvailabilityAddressSpace", new { Identity = "fabrikam.com" }), "CommandNotFoundException", "System.Management.Automation.CommandNotFoundException",
            "The term 'Set-AvailabilityAddressSpace' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");
        ExchangeAssert.NoContent(await Contoso("Remove-AvailabilityAddressSpace", new { Identity = "fabrikam.com", WhatIf = true }));
        Assert.Single(ExchangeAssert.Ok(await Contoso("Get-AvailabilityAddressSpace")));
        ExchangeAssert.NoContent(await Contoso("Remove-AvailabilityAddressSpace", new { Identity = "fabrikam.com", Confirm = false }));
        Assert.Empty(ExchangeAssert.Ok(await Contoso("Get-AvailabilityAddressSpace")));
        ExchangeAssert.Error(await Contoso("Remove-AvailabilityAddressSpace", new { Identity = "fabrikam.com" }), "Ex6F9304",
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", $"The operation couldn't be performed because object 'fabrikam.com' couldn't be found on '{Known.ServerName}'.");
    }

    [Fact]
    public async Task The_default_sharing_policy_and_Set_SharingPolicy_with_a_list_or_add_and_remove()
    {
        JsonObject p = Assert.Single(ExchangeAssert.Ok(await Contoso("Get-SharingPolicy")))!.AsObject();
        Assert.Equal("Default Sharing Policy", (string?)p["Name"]);
        Assert.Equal("Default Sharing Policy", (string?)p["Identity"]);
        Assert.Equal(new[] { "Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple" }, ExchangeAssert.Strings(p["Domains"]));
        Assert.True((bool)p["Enabled"]!);
        Assert.True((bool)p["Default"]!);

        string[] Domains(AdminResponse r) => ExchangeAssert.Strings(ExchangeAssert.Ok(r)[0]!["Domains"]);
        var add = new Dictionary<string, object> { ["@odata.type"] = "#Exchange.GenericHashTable", ["Add"] = "fabrikam.com: CalendarSharingFreeBusyDetail, ContactsSharing" };
        ExchangeAssert.NoContent(await Contoso("Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = add }));
        Assert.Equal(new[] { "Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple", "fabrikam.com:CalendarSharingFreeBusyDetail, ContactsSharing" },
            Domains(await Contoso("Get-SharingPolicy", new { Identity = "default sharing policy" })));
        // The same entry again changes nothing; the same domain with other actions is refused.
        AdminResponse unchanged = await Contoso("Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = add });
        Assert.Equal("The command completed successfully but no settings of 'Default Sharing Policy' have been modified.", (string?)unchanged.Json["@adminapi.warnings"]![0]);
        ExchangeAssert.Error(await Contoso("Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = new Dictionary<string, object> { ["@odata.type"] = "#Exchange.GenericHashTable", ["Add"] = "FABRIKAM.com:CalendarSharingFreeBusySimple" } }),
            "Ex3F7B90", "Microsoft.Exchange.Data.DataValidationException", "The domain 'fabrikam.com' appears more than once in the sharing policy. Each domain can be listed only once.");
        // Remove takes out that entry, as the runbooks do for one partner.
        ExchangeAssert.NoContent(await Contoso("Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = new Dictionary<string, object> { ["@odata.type"] = "#Exchange.GenericHashTable", ["Remove"] = new[] { "Anonymous:CalendarSharingFreeBusyReviewer", "fabrikam.com:CalendarSharingFreeBusyDetail,ContactsSharing" } } }));
        Assert.Equal(new[] { "*:CalendarSharingFreeBusySimple" }, Domains(await Contoso("Get-SharingPolicy")));
        // A list replaces; -Enabled disables the policy.
        ExchangeAssert.NoContent(await Contoso("Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = new[] { "contoso.example:CalendarSharingFreeBusySimple", "anonymous:CalendarSharingFreeBusyDetail" }, Enabled = false }));
        JsonObject after = ExchangeAssert.Ok(await Contoso("Get-SharingPolicy"))[0]!.AsObject();
        Assert.Equal(new[] { "contoso.example:CalendarSharingFreeBusySimple", "Anonymous:CalendarSharingFreeBusyDetail" }, ExchangeAssert.Strings(after["Domains"]));
        Assert.False((bool)after["Enabled"]!);

        const string DomainType = "Microsoft.Exchange.Data.Directory.SystemConfiguration.SharingPolicyDomain";
        ExchangeAssert.Error(await Contoso("Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = "fabrikam.com" }), ConvertId, BindingType,
            $"Cannot process argument transformation on parameter 'Domains'. Cannot convert value \"fabrikam.com\" to type \"{DomainType}\". Error: \"\"fabrikam.com\" isn't a sharing policy domain: use \"domain:Action\", for example \"contoso.com:CalendarSharingFreeBusySimple\".\"");
        ExchangeAssert.Error(await Contoso("Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = "fabrikam.com:FreeBusy" }), ConvertId, BindingType,
            $"Cannot process argument transformation on parameter 'Domains'. Cannot convert value \"fabrikam.com:FreeBusy\" to type \"{DomainType}\". Error: \"\"FreeBusy\" isn't a sharing action. Use CalendarSharingFreeBusySimple, CalendarSharingFreeBusyDetail, CalendarSharingFreeBusyReviewer, ContactsSharing.\"");
        ExchangeAssert.Error(await Contoso("Set-SharingPolicy", new { Identity = "Partners", Enabled = true }), "Ex6F9304",
            "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", $"The operation couldn't be performed because object 'Partners' couldn't be found on '{Known.ServerName}'.");
        Assert.Equal(new[] { "contoso.example:CalendarSharingFreeBusySimple", "Anonymous:CalendarSharingFreeBusyDetail" },
            (await LegacyAsync())["sharingPolicies"]![0]!["domains"]!.AsArray().Select(n => (string)n!).ToArray());

        // A reset restores the configured policy.
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        Assert.Equal(new[] { "Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple" }, Domains(await Contoso("Get-SharingPolicy")));
    }

    [Fact]
    public async Task Sandbox_json_seeds_ews_address_spaces_sharing_policies_and_the_mailboxes_policy()
    {
        SandboxConfig config = AuthSandbox.LoadConfig();
        TenantConfig contoso = config.Tenants.Single(t => t.Name == "contoso");
        contoso.EwsEnabled = true;
        contoso.AvailabilityAddressSpaces.Add(new AvailabilityAddressSpaceConfig { ForestName = "fabrikam.com", AccessMethod = "OrgWideFBToken", TargetTenantId = Known.FabrikamId, TargetServiceEpr = "outlook.office.com" });
        contoso.SharingPolicies = new List<SharingPolicyConfig>
        {
            new() { Name = "Default Sharing Policy", Domains = new() { "*:CalendarSharingFreeBusySimple" }, Default = true },
            new() { Name = "Fabrikam partners", Domains = new() { "fabrikam.com:CalendarSharingFreeBusyDetail" } },
        };
        contoso.Mailboxes.Single(m => m.Address == "megan@contoso.com").SharingPolicy = "Fabrikam partners";
        config.Validate();
        await using SandboxServer server = await SandboxServer.StartAsync(config, new SandboxServerOptions { HttpListeners = 1 });
        string origin = server.BaseUri.ToString().TrimEnd('/');
        using var http = new HttpClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = Known.ContosoApp, ["client_secret"] = Known.ContosoSecret, ["scope"] = origin + "/.default",
        });
        string token = (string)JsonNode.Parse(await (await http.PostAsync($"{origin}/contoso/oauth2/v2.0/token", form)).Content.ReadAsStringAsync())!["access_token"]!;
        async Task<JsonArray> Invoke(string cmdlet)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{origin}/adminapi/beta/contoso/InvokeCommand")
            {
                Content = new StringContent("{\"CmdletInput\":{\"CmdletName\":\"" + cmdlet + "\",\"Parameters\":{}}}", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using HttpResponseMessage response = await http.SendAsync(request);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.AsArray();
        }
        Assert.True((bool)(await Invoke("Get-OrganizationConfig"))[0]!["EwsEnabled"]!);
        Assert.Equal("fabrikam.com", (string?)Assert.Single(await Invoke("Get-AvailabilityAddressSpace"))!["ForestName"]);
        Assert.Equal(new[] { "Default Sharing Policy", "Fabrikam partners" }, (await Invoke("Get-SharingPolicy")).Select(p => (string)p!["Name"]!).ToArray());
        // Mailboxes per policy: blank means the default.
        var perPolicy = (await Invoke("Get-Mailbox")).GroupBy(m => (string?)m!["SharingPolicy"] ?? "(default)").ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, perPolicy["(default)"]);
        Assert.Equal(1, perPolicy["Fabrikam partners"]);

        contoso.SharingPolicies.Add(new() { Name = "Bad", Domains = new() { "not a domain:ContactsSharing" } });
        Assert.Throws<InvalidDataException>(config.Validate);
    }

    [Fact]
    public async Task Recipients_carry_the_Entra_object_ids_that_resource_scopes_name()
    {
        JsonObject alex = ExchangeAssert.Ok(await Contoso("Get-Mailbox", new { Identity = "alex@contoso.com" }))[0]!.AsObject();
        // The Entra user's object id, not the Exchange GUID.
        Assert.Equal(XtapKnown.AlexObjectId, (string?)alex["ExternalDirectoryObjectId"]);
        Assert.NotEqual((string?)alex["Guid"], (string?)alex["ExternalDirectoryObjectId"]);
        Assert.True(alex.ContainsKey("SharingPolicy"));
        Assert.Null(alex["SharingPolicy"]);
        JsonObject megan = ExchangeAssert.Ok(await Contoso("Get-Mailbox", new { Identity = "megan" }))[0]!.AsObject();
        Assert.True(Guid.TryParse((string?)megan["ExternalDirectoryObjectId"], out Guid meganId));
        Assert.Equal(meganId.ToString(), (string?)ExchangeAssert.Ok(await Contoso("Get-Mailbox", new { Identity = "megan" }))[0]!["ExternalDirectoryObjectId"]);

        JsonObject group = ExchangeAssert.Ok(await Contoso("Get-DistributionGroup", new { Identity = "CalendarSharing" }))[0]!.AsObject();
        Assert.Equal(XtapKnown.ContosoCalendarSharingGroup, (string?)group["ExternalDirectoryObjectId"]);
        JsonObject directory = ExchangeAssert.Ok(await Contoso("Get-Group", new { Identity = XtapKnown.ContosoCalendarSharingGroup }))[0]!.AsObject();
        Assert.Equal("CalendarSharing", (string?)directory["Name"]);
        Assert.Equal(XtapKnown.ContosoCalendarSharingGroup, (string?)directory["ExternalDirectoryObjectId"]);
        Assert.Equal(2, ExchangeAssert.Ok(await Contoso("Get-Group")).Count);

        JsonArray recipients = ExchangeAssert.Ok(await Contoso("Get-Recipient"));
        Assert.Equal(5, recipients.Count);
        Assert.All(recipients, r => Assert.True(Guid.TryParse((string?)r!["ExternalDirectoryObjectId"], out _)));
        Assert.Equal("UserMailbox", (string?)ExchangeAssert.Ok(await Contoso("Get-Recipient", new { Identity = "alex@contoso.com" }))[0]!["RecipientTypeDetails"]);
        Assert.Equal("alex@contoso.com", (string?)ExchangeAssert.Ok(await Contoso("Get-Recipient", new { Identity = XtapKnown.AlexObjectId }))[0]!["PrimarySmtpAddress"]);
        Assert.Equal("MailUniversalDistributionGroup", (string?)ExchangeAssert.Ok(await Contoso("Get-Recipient", new { Identity = "AllStaff" }))[0]!["RecipientTypeDetails"]);
        Assert.Equal(new[] { "room1@contoso.com" }, ExchangeAssert.Ok(await Contoso("Get-Recipient", new { RecipientTypeDetails = "RoomMailbox" })).Select(r => (string)r!["PrimarySmtpAddress"]!).ToArray());

        // The same ids are what Graph accepts in resourceScopes (and a made-up one is refused).
        string graph = await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        Assert.Equal(HttpStatusCode.Created, (await _sandbox.GraphAsync(HttpMethod.Post, XtapKnown.PartnersPath, graph, new { tenantId = Known.FabrikamId })).Status);
        string caps = $"{XtapKnown.PartnersPath}/{Known.FabrikamId}/m365Capabilities";
        GraphCall ok = await _sandbox.GraphAsync(HttpMethod.Post, caps, graph, GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true,
            new[] { ((string)group["ExternalDirectoryObjectId"]!, "group") }, new[] { (meganId.ToString(), "user") }));
        Assert.True(ok.Status == HttpStatusCode.Created, ok.Text);
        GraphHelpers.GraphError(await _sandbox.GraphAsync(HttpMethod.Post, caps, graph, GraphHelpers.Capability("crossTenantMailTipsAll", true, new[] { ((string)group["Guid"]!, "group") })),
            HttpStatusCode.BadRequest, "Request_BadRequest");
    }
}
