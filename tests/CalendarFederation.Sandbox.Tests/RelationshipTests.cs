using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// Get-, New-, Set-, Remove-OrganizationRelationship and Enable-OrganizationCustomization through InvokeCommand:
/// Exchange's semantics and texts, the dehydrated and hydrating tenant, the 238-domain cap, duplicates, the log.
/// </summary>
public sealed class RelationshipTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private const string NotFoundType = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException";
    private const string DehydratedType = "Microsoft.Exchange.Configuration.Tasks.InvalidOperationInDehydratedContextException";
    private const string DehydratedText =
        "The command you tried to run isn't currently allowed in your organization. To run this command, you first need to run the command: Enable-OrganizationCustomization.";
    private const string DuplicateType = "Microsoft.Exchange.Management.SystemConfigurationTasks.DuplicateOrganizationRelationshipDomainException";
    private const string SubfilterText = "The total number of explicit and implicit subfilters exceeds maximum allowed number of 250.  Processing stopped.";
    private const string ContosoConfigDn = "CN=Configuration,CN=contoso.onmicrosoft.com,CN=ConfigurationUnits,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM";

    private readonly AuthSandbox _sandbox;
    private string _token = "";

    public RelationshipTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        _token = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<AdminResponse> RunAsync(string cmdlet, object? parameters = null, int? maxPageSize = null) =>
        _sandbox.InvokeAsync(Known.ContosoDomain, _token, cmdlet, parameters, maxPageSize);

    private static string DuplicateText(string domains) =>
        $"The domains {domains} already exist in another organization relationship. Domains can only exist in one organization relationship. " +
        "To create an organization relationship with this domain, remove the domain from the other organization relationship.";

    private static string NotFoundText(string identity) =>
        $"The operation couldn't be performed because object '{identity}' couldn't be found on '{Known.ServerName}'.";

    private static Dictionary<string, object?> Change(object? add = null, object? remove = null)
    {
        var d = new Dictionary<string, object?> { ["@odata.type"] = "#Exchange.GenericHashTable" };
        if (add != null) d["Add"] = add;
        if (remove != null) d["Remove"] = remove;
        return d;
    }

    private async Task<JsonArray> StoredAsync(string tenant = "contoso") => (await _sandbox.ControlGetAsync($"/_sandbox/tenants/{tenant}/relationships")).AsArray();

    private async Task<string[]> DomainsAsync(string name) =>
        ExchangeAssert.Strings(ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship", new { Identity = name }))[0]!["DomainNames"]);

    private static string[] ManyDomains(int count, string prefix = "d") => Enumerable.Range(1, count).Select(i => $"{prefix}{i}.example.com").ToArray();

    [Fact]
    public async Task New_returns_the_created_object_with_exchange_property_names_and_defaults()
    {
        JsonArray created = ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Fabrikam", DomainNames = new[] { "fabrikam.com", "Fabrikam.co.uk" } }));
        JsonObject r = Assert.Single(created)!.AsObject();
        Assert.Equal("Fabrikam", (string?)r["Identity"]);
        Assert.Equal("Fabrikam", (string?)r["Name"]);
        Assert.Equal(new[] { "fabrikam.com", "Fabrikam.co.uk" }, ExchangeAssert.Strings(r["DomainNames"]));
        Assert.Equal("#Collection(String)", (string?)r["DomainNames@odata.type"]);
        Assert.True((bool)r["Enabled"]!);
        foreach (string flag in new[] { "FreeBusyAccessEnabled", "MailTipsAccessEnabled", "DeliveryReportEnabled", "ArchiveAccessEnabled", "PhotosEnabled", "MailboxMoveEnabled" })
        {
            Assert.False((bool)r[flag]!, flag);
        }
        Assert.Equal("None", (string?)r["FreeBusyAccessLevel"]);
        Assert.Equal("None", (string?)r["MailTipsAccessLevel"]);
        Assert.Equal("None", (string?)r["MailboxMoveCapability"]);
        Assert.Empty(r["MailboxMovePublishedScopes"]!.AsArray());
        foreach (string absent in new[] { "FreeBusyAccessScope", "MailTipsAccessScope", "OAuthApplicationId", "OrganizationContact", "TargetApplicationUri",
            "TargetAutodiscoverEpr", "TargetOwaURL", "TargetSharingEpr" })
        {
            Assert.True(r.ContainsKey(absent), absent);
            Assert.Null(r[absent]);
        }
        Assert.True(Guid.TryParse((string?)r["Guid"], out Guid guid) && guid != Guid.Empty);
        Assert.Equal("#Guid", (string?)r["Guid@odata.type"]);
        Assert.Equal($"CN=Fabrikam,CN=Federation,{ContosoConfigDn}", (string?)r["DistinguishedName"]);
        Assert.True((bool)r["IsValid"]!);
        Assert.Equal("Unchanged", (string?)r["ObjectState"]);
        Assert.InRange(DateTimeOffset.Parse((string)r["WhenCreatedUTC"]!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal((string?)r["WhenCreatedUTC"], (string?)r["WhenChangedUTC"]);
        Assert.Equal("#DateTime", (string?)r["WhenCreated@odata.type"]);
        // Real Exchange Online extras a client must tolerate.
        Assert.False((bool)r["IdentityMoveEnabled"]!);
        Assert.False((bool)r["PeopleSearchEnabled"]!);

        // Get returns the same object; by name in any case, by GUID, or all.
        JsonObject byName = Assert.Single(ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship", new { Identity = "fabrikam" })))!.AsObject();
        Assert.Equal(r.ToJsonString(), byName.ToJsonString());
        JsonObject byGuid = Assert.Single(ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship", new { Identity = guid.ToString() })))!.AsObject();
        Assert.Equal("Fabrikam", (string?)byGuid["Name"]);
        Assert.Single(ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship")));

        // The control view holds exactly what was stored.
        JsonObject stored = Assert.Single(await StoredAsync())!.AsObject();
        Assert.Equal("Fabrikam", (string?)stored["name"]);
        Assert.Equal(guid.ToString(), (string?)stored["guid"]);
    }

    [Fact]
    public async Task New_takes_every_setting()
    {
        JsonObject r = Assert.Single(ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new
        {
            Name = new string('n', 64),
            DomainNames = "fabrikam.com",
            Enabled = false,
            FreeBusyAccessEnabled = true,
            FreeBusyAccessLevel = "limiteddetails",
            FreeBusyAccessScope = "calendarsharing@contoso.com",
            MailTipsAccessEnabled = true,
            MailTipsAccessLevel = "Limited",
            MailTipsAccessScope = "CalendarSharing",
            DeliveryReportEnabled = true,
            ArchiveAccessEnabled = true,
            PhotosEnabled = true,
            MailboxMoveEnabled = true,
            MailboxMoveCapability = "RemoteInbound",
            MailboxMovePublishedScopes = new[] { "AllStaff" },
            OAuthApplicationId = "11111111-2222-3333-4444-555555555555",
            OrganizationContact = "admin@fabrikam.com",
            TargetApplicationUri = "outlook.com",
            TargetAutodiscoverEpr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity",
            TargetOwaURL = "https://outlook.office.com/mail",
            TargetSharingEpr = "https://outlook.office365.com/EWS/Exchange.asmx",
            Confirm = false,
        })))!.AsObject();
        Assert.Equal(new string('n', 64), (string?)r["Name"]);
        Assert.Equal(new[] { "fabrikam.com" }, ExchangeAssert.Strings(r["DomainNames"]));
        Assert.False((bool)r["Enabled"]!);
        Assert.True((bool)r["FreeBusyAccessEnabled"]!);
        Assert.Equal("LimitedDetails", (string?)r["FreeBusyAccessLevel"]);
        // Groups are stored by their name, however they were named.
        Assert.Equal("CalendarSharing", (string?)r["FreeBusyAccessScope"]);
        Assert.True((bool)r["MailTipsAccessEnabled"]!);
        Assert.Equal("Limited", (string?)r["MailTipsAccessLevel"]);
        Assert.Equal("CalendarSharing", (string?)r["MailTipsAccessScope"]);
        Assert.True((bool)r["DeliveryReportEnabled"]! && (bool)r["ArchiveAccessEnabled"]! && (bool)r["PhotosEnabled"]! && (bool)r["MailboxMoveEnabled"]!);
        Assert.Equal("RemoteInbound", (string?)r["MailboxMoveCapability"]);
        Assert.Equal(new[] { "AllStaff" }, ExchangeAssert.Strings(r["MailboxMovePublishedScopes"]));
        Assert.Equal("11111111-2222-3333-4444-555555555555", (string?)r["OAuthApplicationId"]);
        Assert.Equal("admin@fabrikam.com", (string?)r["OrganizationContact"]);
        Assert.Equal("outlook.com", (string?)r["TargetApplicationUri"]);
        Assert.Equal("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity", (string?)r["TargetAutodiscoverEpr"]);
        Assert.Equal("https://outlook.office.com/mail", (string?)r["TargetOwaURL"]);
        Assert.Equal("https://outlook.office365.com/EWS/Exchange.asmx", (string?)r["TargetSharingEpr"]);

        // TargetApplicationUri may be absolute too; enums also bind by number.
        JsonObject absolute = Assert.Single(ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new
        {
            Name = "Tailspin", DomainNames = new[] { "tailspintoys.com" }, TargetApplicationUri = "https://tailspintoys.com/app", FreeBusyAccessLevel = 1,
        })))!.AsObject();
        Assert.Equal("https://tailspintoys.com/app", (string?)absolute["TargetApplicationUri"]);
        Assert.Equal("AvailabilityOnly", (string?)absolute["FreeBusyAccessLevel"]);
    }

    [Fact]
    public async Task Get_not_found_and_the_binding_errors_of_new()
    {
        ExchangeAssert.Error(await RunAsync("Get-OrganizationRelationship", new { Identity = "Nope" }), "Ex6F9304", NotFoundType, NotFoundText("Nope"));
        Assert.Empty(ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship")));

        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { DomainNames = new[] { "a.com" } }),
            "MissingMandatoryParameter", "System.Management.Automation.ParameterBindingException",
            "Cannot process command because of one or more missing mandatory parameters: Name.", category: "InvalidArgument");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A" }),
            "MissingMandatoryParameter", "System.Management.Automation.ParameterBindingException",
            "Cannot process command because of one or more missing mandatory parameters: DomainNames.");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "", DomainNames = new[] { "a.com" } }),
            "ParameterArgumentValidationErrorEmptyStringNotAllowed", "System.Management.Automation.ParameterBindingValidationException",
            "Cannot bind argument to parameter 'Name' because it is an empty string.");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = Array.Empty<string>() }),
            "ParameterArgumentValidationErrorEmptyArrayNotAllowed", "System.Management.Automation.ParameterBindingValidationException",
            "Cannot bind argument to parameter 'DomainNames' because it is an empty array.");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = new string('x', 65), DomainNames = new[] { "a.com" } }),
            "Ex0C5F55", "Microsoft.Exchange.Data.DataValidationException",
            "The length of the property is too long. The maximum length is 64 and the length of the value provided is 65.", category: "InvalidArgument");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "not a domain" } }),
            "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
            "Cannot process argument transformation on parameter 'DomainNames'. Cannot convert value \"not a domain\" to type \"Microsoft.Exchange.Data.SmtpDomain\". " +
            "Error: \"\"not a domain\" isn't a valid SMTP domain.\"");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, FreeBusyAccessLevel = "Everything" }),
            "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
            "Cannot bind parameter 'FreeBusyAccessLevel'. Cannot convert value \"Everything\" to type \"Microsoft.Exchange.Data.Directory.SystemConfiguration.FreeBusyAccessLevel\". " +
            "Error: \"Unable to match the identifier name Everything to a valid enumerator name. Specify one of the following enumerator names and try again: None, AvailabilityOnly, LimitedDetails\"");
        Assert.Contains("Limited, All", (await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, MailTipsAccessLevel = "Some" })).ErrorDetail[2]);
        Assert.Contains("None, Inbound, Outbound, RemoteInbound, RemoteOutbound",
            (await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, MailboxMoveCapability = "Sideways" })).ErrorDetail[2]);
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, Enabled = "maybe" }),
            "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
            "Cannot process argument transformation on parameter 'Enabled'. Cannot convert value \"System.String\" to type \"System.Boolean\". " +
            "Error: \"Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.\"");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, TargetAutodiscoverEpr = "autodiscover.a.com" }),
            "Ex8A3E77", "Microsoft.Exchange.Data.DataValidationException",
            "The value \"autodiscover.a.com\" of property TargetAutodiscoverEpr isn't valid. The URI must be absolute.");
        foreach (string absoluteOnly in new[] { "TargetOwaURL", "TargetSharingEpr" })
        {
            var p = new Dictionary<string, object> { ["Name"] = "A", ["DomainNames"] = new[] { "a.com" }, [absoluteOnly] = "/relative/path" };
            Assert.Equal("The value \"/relative/path\" of property " + absoluteOnly + " isn't valid. The URI must be absolute.", (await RunAsync("New-OrganizationRelationship", p)).ErrorDetail[2]);
        }
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, OrganizationContact = "nobody" }),
            "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
            "Cannot process argument transformation on parameter 'OrganizationContact'. Cannot convert value \"nobody\" to type \"Microsoft.Exchange.Data.SmtpAddress\". " +
            "Error: \"The email address \"nobody\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. " +
            "For example, tonysmith@contoso.com or tony.smith@contoso.com.\"");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, FreeBusyAccessScope = "NoSuchGroup" }),
            "Ex94914C", NotFoundType, "Couldn't find object \"NoSuchGroup\". Please make sure that it was spelled correctly or specify a different object.");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, MailboxMovePublishedScopes = new[] { "Ghosts" } }),
            "Ex94914C", NotFoundType, "Couldn't find object \"Ghosts\". Please make sure that it was spelled correctly or specify a different object.");
        // New takes no Identity and no add/remove syntax.
        Assert.Equal("System.Management.Automation.ParameterBindingException",
            (await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = new[] { "a.com" }, Identity = "A" })).ErrorDetail[1]);
        Assert.Equal("CannotConvertArgumentNoMessage",
            (await RunAsync("New-OrganizationRelationship", new { Name = "A", DomainNames = Change(add: "a.com") })).ErrorDetail[0]);

        // Nothing of that was stored.
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task Domains_belong_to_one_relationship_compared_case_insensitively()
    {
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Fabrikam", DomainNames = new[] { "fabrikam.com", "fabrikam.co.uk" } }));
        AdminResponse clash = await RunAsync("New-OrganizationRelationship", new { Name = "Other", DomainNames = new[] { "x.example", "FABRIKAM.COM" } });
        // Exchange lists the domains of the object being written.
        ExchangeAssert.Error(clash, "Ex3A7C41", DuplicateType, DuplicateText("x.example, FABRIKAM.COM"), category: "InvalidOperation");
        // A duplicate name is the directory's "already exists", with the new object's DN.
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "FABRIKAM", DomainNames = new[] { "y.example" } }),
            "Ex9B5D12", "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
            $"Active Directory operation failed on {Known.ServerName}. The object 'CN=FABRIKAM,CN=Federation,{ContosoConfigDn}' already exists.", category: "ResourceExists");
        JsonObject only = Assert.Single(await StoredAsync())!.AsObject();
        Assert.Equal("Fabrikam", (string?)only["name"]);

        // Set re-checks against the others, not against itself.
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Litware", DomainNames = new[] { "litware.com" } }));
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Litware", DomainNames = Change(add: "Fabrikam.Co.UK") }),
            "Ex3A7C41", DuplicateType, DuplicateText("litware.com, Fabrikam.Co.UK"));
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Litware", DomainNames = new[] { "fabrikam.com" } }),
            "Ex3A7C41", DuplicateType, DuplicateText("fabrikam.com"));
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Fabrikam", DomainNames = new[] { "FABRIKAM.com", "fabrikam.co.uk", "fabrikam.net" } }));
        Assert.Equal(new[] { "FABRIKAM.com", "fabrikam.co.uk", "fabrikam.net" }, await DomainsAsync("Fabrikam"));
        Assert.Equal(new[] { "litware.com" }, await DomainsAsync("Litware"));
        Assert.Equal(2, (await StoredAsync()).Count);
    }

    [Fact]
    public async Task Set_domain_names_by_replacement_and_by_add_remove_hashtable()
    {
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Partner", DomainNames = new[] { "a.example" } }));
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = Change(add: "b.example") }));
        Assert.Equal(new[] { "a.example", "b.example" }, await DomainsAsync("Partner"));
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = Change(add: new[] { "c.example", "d.example", "C.EXAMPLE" }) }));
        Assert.Equal(new[] { "a.example", "b.example", "c.example", "d.example" }, await DomainsAsync("Partner"));
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = Change(remove: "A.example") }));
        Assert.Equal(new[] { "b.example", "c.example", "d.example" }, await DomainsAsync("Partner"));
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = Change(add: new[] { "e.example" }, remove: new[] { "b.example", "c.example" }) }));
        Assert.Equal(new[] { "d.example", "e.example" }, await DomainsAsync("Partner"));
        // Keys in any case.
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner",
            DomainNames = new Dictionary<string, object> { ["@odata.type"] = "#Exchange.GenericHashTable", ["add"] = "f.example" } }));
        Assert.Equal(new[] { "d.example", "e.example", "f.example" }, await DomainsAsync("Partner"));
        // Without the @odata.type annotation the binder sees a JSON object, not a hashtable, and nothing changes
        // (real clients all annotate: CIPP's ConvertTo-CIPPExoHashtable, ExoHelper's Invoke-ExoCommand).
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = new Dictionary<string, object> { ["Add"] = "g.example" } }),
            "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
            "Cannot process argument transformation on parameter 'DomainNames'. Cannot convert the \"{\"Add\":\"g.example\"}\" value of type " +
            "\"Newtonsoft.Json.Linq.JObject\" to type \"System.Collections.Hashtable\".");
        Assert.Equal(new[] { "d.example", "e.example", "f.example" }, await DomainsAsync("Partner"));
        // A replacement list (or a single string) replaces everything.
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = new[] { "x.example", "y.example" } }));
        Assert.Equal(new[] { "x.example", "y.example" }, await DomainsAsync("Partner"));
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = "z.example" }));
        Assert.Equal(new[] { "z.example" }, await DomainsAsync("Partner"));

        // Adding what is there, or removing what is not, changes nothing: Exchange's warning, 200 with no value.
        AdminResponse same = await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = Change(add: "Z.EXAMPLE", remove: "nowhere.example") });
        Assert.Empty(ExchangeAssert.Ok(same));
        Assert.Equal("The command completed successfully but no settings of 'Partner' have been modified.", (string?)same.Json["@adminapi.warnings"]![0]);

        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = new Dictionary<string, object> { ["@odata.type"] = "#Exchange.GenericHashTable", ["Replace"] = "q.example" } }),
            "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
            "Cannot process argument transformation on parameter 'DomainNames'. Cannot convert value \"System.Collections.Hashtable\" to type " +
            "\"Microsoft.Exchange.Data.MultiValuedProperty`1[Microsoft.Exchange.Data.SmtpDomain]\". Error: \"The hashtable key 'Replace' isn't valid. Use Add or Remove.\"");
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner", DomainNames = Change(add: "bad domain") }),
            "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
            "Cannot process argument transformation on parameter 'DomainNames'. Cannot convert value \"bad domain\" to type \"Microsoft.Exchange.Data.SmtpDomain\". " +
            "Error: \"\"bad domain\" isn't a valid SMTP domain.\"");
        Assert.Equal(new[] { "z.example" }, await DomainsAsync("Partner"));
    }

    [Fact]
    public async Task Set_renames_changes_settings_without_confirmation_and_returns_nothing()
    {
        JsonObject created = Assert.Single(ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Partner", DomainNames = new[] { "a.example" } })))!.AsObject();
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Taken", DomainNames = new[] { "t.example" } }));
        _sandbox.Server.State.Clock.Advance(TimeSpan.FromSeconds(1)); // so WhenChanged can only differ if Set- stamped it

        AdminResponse set = await RunAsync("Set-OrganizationRelationship", new
        {
            Identity = "partner",
            Enabled = false,
            FreeBusyAccessEnabled = true,
            FreeBusyAccessLevel = "AvailabilityOnly",
            FreeBusyAccessScope = "calendar sharing",
            TargetApplicationUri = "outlook.com",
            TargetSharingEpr = "https://outlook.office365.com/EWS/Exchange.asmx",
            Force = true,
            Confirm = false,
        });
        ExchangeAssert.NoContent(set);
        JsonObject r = Assert.Single(ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship", new { Identity = "Partner" })))!.AsObject();
        Assert.False((bool)r["Enabled"]!);
        Assert.True((bool)r["FreeBusyAccessEnabled"]!);
        Assert.Equal("AvailabilityOnly", (string?)r["FreeBusyAccessLevel"]);
        Assert.Equal("CalendarSharing", (string?)r["FreeBusyAccessScope"]);
        Assert.Equal("https://outlook.office365.com/EWS/Exchange.asmx", (string?)r["TargetSharingEpr"]);
        Assert.Equal((string?)created["WhenCreatedUTC"], (string?)r["WhenCreatedUTC"]);
        Assert.True(string.CompareOrdinal((string)r["WhenChangedUTC"]!, (string)created["WhenChangedUTC"]!) > 0);

        // Null clears a scope or a URI.
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new Dictionary<string, object?> { ["Identity"] = "Partner", ["FreeBusyAccessScope"] = null, ["TargetSharingEpr"] = null }));
        r = ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship", new { Identity = "Partner" }))[0]!.AsObject();
        Assert.Null(r["FreeBusyAccessScope"]);
        Assert.Null(r["TargetSharingEpr"]);

        // Rename: the old name is gone, the GUID stays; a taken name is the directory's "already exists".
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = (string)created["Guid"]!, Name = "Partner Two" }));
        ExchangeAssert.Error(await RunAsync("Get-OrganizationRelationship", new { Identity = "Partner" }), "Ex6F9304", NotFoundType, NotFoundText("Partner"));
        Assert.Equal((string?)created["Guid"], (string?)ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship", new { Identity = "Partner Two" }))[0]!["Guid"]);
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner Two", Name = "TAKEN" }),
            "Ex9B5D12", "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
            $"Active Directory operation failed on {Known.ServerName}. The object 'CN=TAKEN,CN=Federation,{ContosoConfigDn}' already exists.");
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner Two", Name = new string('y', 70) }),
            "Ex0C5F55", "Microsoft.Exchange.Data.DataValidationException",
            "The length of the property is too long. The maximum length is 64 and the length of the value provided is 70.");
        // Changing only the case of the name is a change.
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Partner Two", Name = "PARTNER TWO" }));
        Assert.Equal("PARTNER TWO", (string?)ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship", new { Identity = "partner two" }))[0]!["Name"]);

        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Ghost", Enabled = true }), "Ex6F9304", NotFoundType, NotFoundText("Ghost"));
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Enabled = true }), "MissingMandatoryParameter",
            "System.Management.Automation.ParameterBindingException", "Cannot process command because of one or more missing mandatory parameters: Identity.");
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "PARTNER TWO", MailTipsAccessScope = "Nobody" }),
            "Ex94914C", NotFoundType, "Couldn't find object \"Nobody\". Please make sure that it was spelled correctly or specify a different object.");
        Assert.Equal(2, (await StoredAsync()).Count);
    }

    [Fact]
    public async Task Remove_deletes_and_then_is_not_found()
    {
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Gone", DomainNames = new[] { "gone.example" } }));
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Kept", DomainNames = new[] { "kept.example" } }));
        ExchangeAssert.NoContent(await RunAsync("Remove-OrganizationRelationship", new { Identity = "gone", Confirm = false }));
        ExchangeAssert.Error(await RunAsync("Remove-OrganizationRelationship", new { Identity = "gone", Confirm = false }), "Ex6F9304", NotFoundType, NotFoundText("gone"));
        Assert.Equal(new[] { "Kept" }, (await StoredAsync()).Select(r => (string)r!["name"]!).ToArray());
        // The freed domain can be used again.
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Back", DomainNames = new[] { "gone.example" } }));
        ExchangeAssert.Error(await RunAsync("Remove-OrganizationRelationship"), "MissingMandatoryParameter",
            "System.Management.Automation.ParameterBindingException", "Cannot process command because of one or more missing mandatory parameters: Identity.");
    }

    [Fact]
    public async Task WhatIf_checks_everything_writes_nothing_and_the_log_shows_it()
    {
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Real", DomainNames = new[] { "real.example" } }));
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/requests");

        ExchangeAssert.NoContent(await RunAsync("New-OrganizationRelationship", new { Name = "Imagined", DomainNames = new[] { "imagined.example" }, WhatIf = true }));
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Real", Enabled = false, WhatIf = true }));
        ExchangeAssert.NoContent(await RunAsync("Remove-OrganizationRelationship", new { Identity = "Real", WhatIf = true }));
        // Validation still runs under -WhatIf.
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "Clash", DomainNames = new[] { "REAL.example" }, WhatIf = true }),
            "Ex3A7C41", DuplicateType, DuplicateText("REAL.example"));
        JsonObject stored = Assert.Single(await StoredAsync())!.AsObject();
        Assert.Equal("Real", (string?)stored["name"]);
        Assert.True((bool)stored["enabled"]!);

        List<JsonObject> log = (await _sandbox.RequestsAsync()).Where(r => (string?)r["service"] == "adminapi").ToList();
        Assert.Equal(new[] { "New-OrganizationRelationship", "Set-OrganizationRelationship", "Remove-OrganizationRelationship", "New-OrganizationRelationship" },
            log.Select(r => (string)r["cmdletName"]!).ToArray());
        Assert.All(log, r => Assert.True((bool)r["isWrite"]!));
        Assert.All(log, r => Assert.True((bool)r["whatIf"]!));
        Assert.Equal(new[] { "Identity", "Enabled", "WhatIf" }, ExchangeAssert.Strings(log[1]["parameterNames"]));

        // Real writes are logged as writes without whatIf; reads as reads.
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Real", Enabled = false, Force = true }));
        ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship"));
        List<JsonObject> after = (await _sandbox.RequestsAsync()).Where(r => (string?)r["service"] == "adminapi").Skip(4).ToList();
        Assert.Equal("Set-OrganizationRelationship", (string?)after[0]["cmdletName"]);
        Assert.True((bool)after[0]["isWrite"]!);
        Assert.Null(after[0]["whatIf"]);
        Assert.Equal(204, (int)after[0]["status"]!);
        Assert.False((bool)after[1]["isWrite"]!);
    }

    [Fact]
    public async Task The_238_domain_cap_per_request_and_the_stricter_total_mode()
    {
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Big", DomainNames = ManyDomains(238) }));
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "TooBig", DomainNames = ManyDomains(239, "e") }),
            "Ex2C90A7", "Microsoft.Exchange.Data.Directory.ADFilterException", SubfilterText, category: "NotSpecified");
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Big", DomainNames = ManyDomains(239, "f") }),
            "Ex2C90A7", "Microsoft.Exchange.Data.Directory.ADFilterException", SubfilterText);
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Big", DomainNames = Change(add: ManyDomains(239, "g")) }),
            "Ex2C90A7", "Microsoft.Exchange.Data.Directory.ADFilterException", SubfilterText);
        // Add and Remove together count as one request's domains.
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Big", DomainNames = Change(add: ManyDomains(200, "h"), remove: ManyDomains(39)) }),
            "Ex2C90A7", "Microsoft.Exchange.Data.Directory.ADFilterException", SubfilterText);
        // 238 more in a second request is fine: the cap is per request.
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Big", DomainNames = Change(add: ManyDomains(238, "i")) }));
        Assert.Equal(476, (await DomainsAsync("Big")).Length);

        // Total mode (Exchange 2013's query counts the whole object): chunking does not get past it.
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/domain-cap?mode=total");
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Big", DomainNames = Change(add: "one.more.example") }),
            "Ex2C90A7", "Microsoft.Exchange.Data.Directory.ADFilterException", SubfilterText);
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Big", Enabled = false }),
            "Ex2C90A7", "Microsoft.Exchange.Data.Directory.ADFilterException", SubfilterText);
        ExchangeAssert.NoContent(await RunAsync("Set-OrganizationRelationship", new { Identity = "Big", DomainNames = ManyDomains(238, "j") }));
        Assert.Equal(ManyDomains(238, "j"), await DomainsAsync("Big"));
        // A smaller cap for cheap tests.
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/domain-cap?mode=request&limit=2");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "Three", DomainNames = ManyDomains(3, "k") }),
            "Ex2C90A7", "Microsoft.Exchange.Data.Directory.ADFilterException", SubfilterText);
        JsonNode tenant = await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso");
        Assert.Equal("Request", (string?)tenant["domainCapMode"]);
        Assert.Equal(2, (int)tenant["domainCap"]!);
        // Reset restores the cap.
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        Assert.Equal(238, (int)(await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso"))["domainCap"]!);
    }

    [Fact]
    public async Task A_dehydrated_tenant_refuses_relationship_writes_until_customization_is_enabled()
    {
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Before", DomainNames = new[] { "before.example" } }));
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/dehydrated?value=true");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "New", DomainNames = new[] { "new.example" } }),
            "Ex5E6C11", DehydratedType, DehydratedText, category: "InvalidOperation");
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Before", Enabled = false }), "Ex5E6C11", DehydratedType, DehydratedText);
        // Even for an identity that does not exist: the tenant check comes first.
        ExchangeAssert.Error(await RunAsync("Set-OrganizationRelationship", new { Identity = "Ghost", Enabled = false }), "Ex5E6C11", DehydratedType, DehydratedText);
        ExchangeAssert.Error(await RunAsync("Remove-OrganizationRelationship", new { Identity = "Before" }), "Ex5E6C11", DehydratedType, DehydratedText);
        // Binding errors still come first.
        Assert.Equal("MissingMandatoryParameter", (await RunAsync("New-OrganizationRelationship", new { Name = "X" })).ErrorDetail[0]);
        // Reads work.
        Assert.Single(ExchangeAssert.Ok(await RunAsync("Get-OrganizationRelationship")));
        Assert.True((bool)ExchangeAssert.Ok(await RunAsync("Get-OrganizationConfig"))[0]!["IsDehydrated"]!);

        ExchangeAssert.NoContent(await RunAsync("Enable-OrganizationCustomization"));
        Assert.False((bool)ExchangeAssert.Ok(await RunAsync("Get-OrganizationConfig"))[0]!["IsDehydrated"]!);
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "After", DomainNames = new[] { "after.example" } }));
        ExchangeAssert.Error(await RunAsync("Enable-OrganizationCustomization"), "Ex7F1E22", "System.InvalidOperationException",
            "This operation is not required. Organization is already enabled for customization.", category: "InvalidOperation");
        Assert.Equal(2, (await StoredAsync()).Count);
    }

    [Fact]
    public async Task Hydration_takes_time_and_a_second_enable_is_temporarily_disabled()
    {
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/dehydrated?value=true");
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/hydration?seconds=2");
        ExchangeAssert.NoContent(await RunAsync("Enable-OrganizationCustomization", new { Confirm = false }));
        JsonNode tenant = await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso");
        Assert.True((bool)tenant["isDehydrated"]!);
        Assert.True((bool)tenant["isHydrating"]!);
        Assert.Equal(2, (int)tenant["hydrationSeconds"]!);
        Assert.True((bool)ExchangeAssert.Ok(await RunAsync("Get-OrganizationConfig"))[0]!["IsDehydrated"]!);
        ExchangeAssert.Error(await RunAsync("Enable-OrganizationCustomization"), "Ex4D0B33", "System.InvalidOperationException",
            "Enabling customization for organization 'contoso.onmicrosoft.com' is temporarily disabled. Please try again later.", category: "InvalidOperation");
        ExchangeAssert.Error(await RunAsync("New-OrganizationRelationship", new { Name = "Early", DomainNames = new[] { "early.example" } }), "Ex5E6C11", DehydratedType, DehydratedText);

        // The hydration ends on the sandbox's clock: move it to the end instead of waiting.
        DateTimeOffset endsAt = DateTimeOffset.Parse((string)tenant["hydrationEndsAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        SandboxClock clock = _sandbox.Server.State.Clock;
        Assert.True(endsAt > clock.GetUtcNow(), $"the hydration ended at {endsAt:O} already");
        clock.Advance(endsAt - clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        Assert.False((bool)ExchangeAssert.Ok(await RunAsync("Get-OrganizationConfig"))[0]!["IsDehydrated"]!);
        Assert.False((bool)(await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso"))["isHydrating"]!);
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "OnTime", DomainNames = new[] { "ontime.example" } }));
        ExchangeAssert.Error(await RunAsync("Enable-OrganizationCustomization"), "Ex7F1E22", "System.InvalidOperationException",
            "This operation is not required. Organization is already enabled for customization.");
    }

    [Fact]
    public async Task Customization_unavailable_in_the_service_offer()
    {
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/customization-unavailable?value=true");
        // Not dehydrated: "not required" wins.
        Assert.Equal("Ex7F1E22", (await RunAsync("Enable-OrganizationCustomization")).ErrorDetail[0]);
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/dehydrated?value=true");
        ExchangeAssert.Error(await RunAsync("Enable-OrganizationCustomization"), "Ex1B8A44", "System.InvalidOperationException",
            "This operation is not available in current Service Offer", category: "InvalidOperation");
        // -WhatIf answers the same and starts nothing.
        Assert.Equal("Ex1B8A44", (await RunAsync("Enable-OrganizationCustomization", new { WhatIf = true })).ErrorDetail[0]);
        Assert.True((bool)ExchangeAssert.Ok(await RunAsync("Get-OrganizationConfig"))[0]!["IsDehydrated"]!);
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/customization-unavailable?value=false");
        ExchangeAssert.NoContent(await RunAsync("Enable-OrganizationCustomization", new { WhatIf = true }));
        Assert.True((bool)ExchangeAssert.Ok(await RunAsync("Get-OrganizationConfig"))[0]!["IsDehydrated"]!);
        ExchangeAssert.NoContent(await RunAsync("Enable-OrganizationCustomization"));
        Assert.False((bool)ExchangeAssert.Ok(await RunAsync("Get-OrganizationConfig"))[0]!["IsDehydrated"]!);
    }

    [Fact]
    public async Task Configured_hydration_knobs_and_reset()
    {
        var config = AuthSandbox.LoadConfig();
        var t = config.Tenants.Single(x => x.Name == "fabrikam");
        t.IsDehydrated = true;
        t.HydrationSeconds = 30;
        t.CustomizationUnavailable = false;
        await using SandboxServer server = await SandboxServer.StartAsync(config, new SandboxServerOptions { HttpListeners = 1 });
        var exchange = server.State.AdminApi.Exchange(t);
        Assert.Equal(30, exchange.HydrationSeconds);
        Assert.True(exchange.IsDehydrated);
        Assert.Equal(CalendarFederation.Sandbox.AdminApi.CustomizationResult.Started, exchange.EnableCustomization());
        Assert.True(exchange.IsHydrating);
        Assert.True(exchange.IsDehydrated);
        Assert.Equal(CalendarFederation.Sandbox.AdminApi.CustomizationResult.Hydrating, exchange.EnableCustomization());
        // The control knob ends a hydration by setting the state outright.
        exchange.IsDehydrated = false;
        Assert.False(exchange.IsHydrating);
        Assert.Equal(CalendarFederation.Sandbox.AdminApi.CustomizationResult.NotRequired, exchange.EnableCustomization());
        server.State.AdminApi.Reset();
        Assert.True(server.State.AdminApi.Exchange(t).IsDehydrated);
    }

    [Fact]
    public async Task Throttling_and_faults_apply_to_the_relationship_cmdlets()
    {
        string fabrikam = await _sandbox.ClientCredentialsTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret);
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/fabrikam/budget?requestsPerSecond=0.5");
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("fabrikam", fabrikam, "New-OrganizationRelationship", new { Name = "Contoso", DomainNames = new[] { "contoso.com" } })).Status);
            AdminResponse throttled = await _sandbox.InvokeAsync("fabrikam", fabrikam, "Set-OrganizationRelationship", new { Identity = "Contoso", Enabled = false });
            Assert.Equal((HttpStatusCode)429, throttled.Status);
            Assert.NotNull(throttled.RetryAfter);
            Assert.True((bool)Assert.Single(await StoredAsync("fabrikam"))!["enabled"]!);
        }
        finally
        {
            await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/tenants/fabrikam/budget");
        }

        // A fault for one cmdlet: the write does not happen.
        await AddFaultAsync(new { Service = "adminapi", Tenant = "contoso", Cmdlet = "New-OrganizationRelationship", Status = 503, Remaining = 1 });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await RunAsync("New-OrganizationRelationship", new { Name = "Flaky", DomainNames = new[] { "flaky.example" } })).Status);
        Assert.Empty(await StoredAsync());
        // Status plus rawBody runs the cmdlet first: applied, but the client sees a failure (the timed-out create).
        await AddFaultAsync(new { Service = "adminapi", Cmdlet = "New-OrganizationRelationship", Status = 504, RawBody = "{\"error\":{\"code\":\"GatewayTimeout\",\"message\":\"timed out\"}}", Remaining = 1 });
        AdminResponse timedOut = await RunAsync("New-OrganizationRelationship", new { Name = "Flaky", DomainNames = new[] { "flaky.example" } });
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.Status);
        Assert.Equal("Flaky", (string?)Assert.Single(await StoredAsync())!["name"]);
        // The retry meets Exchange's duplicate errors.
        Assert.Equal("Ex3A7C41", (await RunAsync("New-OrganizationRelationship", new { Name = "Flaky", DomainNames = new[] { "flaky.example" } })).ErrorDetail[0]);
        await AddFaultAsync(new { Service = "adminapi", Cmdlet = "Get-OrganizationRelationship", Body = "Truncated", Remaining = 1 });
        AdminResponse truncated = await RunAsync("Get-OrganizationRelationship");
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(truncated.Text));
        Assert.Contains((await _sandbox.RequestsAsync()), r => (string?)r["cmdletName"] == "Get-OrganizationRelationship" && r["fault"] != null);
    }

    private async Task AddFaultAsync(object rule) =>
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/faults", new StringContent(JsonSerializer.Serialize(rule), Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Concurrent_writes_neither_duplicate_nor_lose_anything()
    {
        // 20 racing creates of the same name and domain: exactly one wins.
        AdminResponse[] race = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            RunAsync("New-OrganizationRelationship", new { Name = "Same", DomainNames = new[] { "same.example", $"own{i}.example" } })));
        Assert.Single(race, r => r.Status == HttpStatusCode.OK);
        Assert.All(race.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Contains(r.ErrorDetail[0], new[] { "Ex3A7C41", "Ex9B5D12" }));
        Assert.Single(await StoredAsync());

        // 20 racing creates of different relationships: all stored.
        AdminResponse[] distinct = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            RunAsync("New-OrganizationRelationship", new { Name = $"P{i}", DomainNames = new[] { $"p{i}.example" } })));
        Assert.All(distinct, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        // 20 racing adds to one relationship: none lost.
        AdminResponse[] adds = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            RunAsync("Set-OrganizationRelationship", new { Identity = "Same", DomainNames = Change(add: $"added{i}.example") })));
        Assert.All(adds, r => Assert.Equal(HttpStatusCode.NoContent, r.Status));

        JsonArray stored = await StoredAsync();
        Assert.Equal(21, stored.Count);
        Assert.Equal(21, stored.Select(r => (string)r!["name"]!).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        string[] all = stored.SelectMany(r => ExchangeAssert.Strings(r!["domainNames"])).ToArray();
        Assert.Equal(all.Length, all.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        string[] same = ExchangeAssert.Strings(stored.Single(r => (string?)r!["name"] == "Same")!["domainNames"]);
        Assert.Equal(22, same.Length);
        Assert.All(Enumerable.Range(0, 20), i => Assert.Contains($"added{i}.example", same));
    }

    [Fact]
    public async Task Relationships_are_per_tenant()
    {
        string fabrikam = await _sandbox.ClientCredentialsTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret);
        ExchangeAssert.Ok(await RunAsync("New-OrganizationRelationship", new { Name = "Partner", DomainNames = new[] { "shared.example" } }));
        // The same name and domain in another tenant are independent.
        ExchangeAssert.Ok(await _sandbox.InvokeAsync("fabrikam", fabrikam, "New-OrganizationRelationship", new { Name = "Partner", DomainNames = new[] { "shared.example" } }));
        Assert.Single(await StoredAsync("contoso"));
        Assert.Single(await StoredAsync("fabrikam.com"));
        ExchangeAssert.NoContent(await _sandbox.InvokeAsync("fabrikam", fabrikam, "Remove-OrganizationRelationship", new { Identity = "Partner" }));
        Assert.Empty(await StoredAsync("fabrikam"));
        Assert.Single(await StoredAsync("contoso"));
        Assert.Contains("Get-OrganizationRelationship", ExchangeAssert.Strings(await _sandbox.ControlGetAsync("/_sandbox/cmdlets")));
    }
}
