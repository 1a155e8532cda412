using System.Net;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>Get-Mailbox, Get-DistributionGroup(Member), Get-MailboxFolderPermission, and the mailbox and group configuration.</summary>
public sealed class RecipientTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private const string NotFoundType = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException";

    private const string DefaultWarning =
        "By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. " +
        "To return all items, specify \"-ResultSize Unlimited\". Be aware that, depending upon the actual number of items, returning all items " +
        "can take a long time and consume a large amount of memory. Also, we don't recommend storing the results in a variable. " +
        "Instead, pipe the results to another task or script to perform batch changes.";

    private readonly AuthSandbox _sandbox;
    private string _contoso = "";
    private string _fabrikam = "";

    public RecipientTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        _contoso = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        _fabrikam = await _sandbox.ClientCredentialsTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<AdminResponse> ContosoAsync(string cmdlet, object? parameters = null, int? maxPageSize = null, string? url = null) =>
        _sandbox.InvokeAsync(Known.ContosoDomain, _contoso, cmdlet, parameters, maxPageSize, url);

    private Task<AdminResponse> FabrikamAsync(string cmdlet, object? parameters = null) => _sandbox.InvokeAsync(Known.FabrikamDomain, _fabrikam, cmdlet, parameters);

    private static string NotFoundText(string identity) =>
        $"The operation couldn't be performed because object '{identity}' couldn't be found on '{Known.ServerName}'.";

    [Fact]
    public async Task Get_Mailbox_by_address_alias_guid_and_all()
    {
        JsonObject alex = Assert.Single(ExchangeAssert.Ok(await ContosoAsync("Get-Mailbox", new { Identity = "alex@contoso.com" })))!.AsObject();
        Assert.Equal("alex", (string?)alex["Name"]);
        Assert.Equal("Alex Wilber", (string?)alex["DisplayName"]);
        Assert.Equal("alex@contoso.com", (string?)alex["PrimarySmtpAddress"]);
        Assert.Equal("UserMailbox", (string?)alex["RecipientTypeDetails"]);
        Assert.Equal("c0000b00-0000-4000-8000-000000000001", (string?)alex["Guid"]);
        Assert.Equal("alex", (string?)alex["Identity"]);

        Assert.Equal("alex@contoso.com", (string?)ExchangeAssert.Ok(await ContosoAsync("Get-Mailbox", new { Identity = "ALEX" }))[0]!["PrimarySmtpAddress"]);
        Assert.Equal("alex@contoso.com", (string?)ExchangeAssert.Ok(await ContosoAsync("Get-Mailbox", new { Identity = "c0000b00-0000-4000-8000-000000000001" }))[0]!["PrimarySmtpAddress"]);
        Assert.Equal("alex@contoso.com", (string?)ExchangeAssert.Ok(await ContosoAsync("Get-Mailbox", new { Identity = "Alex Wilber" }))[0]!["PrimarySmtpAddress"]);
        JsonObject room = ExchangeAssert.Ok(await ContosoAsync("Get-Mailbox", new { Identity = "room1@contoso.com" }))[0]!.AsObject();
        Assert.Equal("RoomMailbox", (string?)room["RecipientTypeDetails"]);
        Assert.Equal("Room 1", (string?)room["DisplayName"]);

        JsonArray all = ExchangeAssert.Ok(await ContosoAsync("Get-Mailbox"));
        Assert.Equal(new[] { "alex@contoso.com", "megan@contoso.com", "room1@contoso.com" }, all.Select(m => (string)m!["PrimarySmtpAddress"]!).ToArray());
        JsonArray rooms = ExchangeAssert.Ok(await ContosoAsync("Get-Mailbox", new { RecipientTypeDetails = "RoomMailbox" }));
        Assert.Equal("room1@contoso.com", (string?)Assert.Single(rooms)!["PrimarySmtpAddress"]);

        // Another tenant's mailbox is not there.
        ExchangeAssert.Error(await ContosoAsync("Get-Mailbox", new { Identity = "lee@fabrikam.com" }), "Ex6F9304", NotFoundType, NotFoundText("lee@fabrikam.com"));
        Assert.Equal(4, ExchangeAssert.Ok(await FabrikamAsync("Get-Mailbox")).Count);
    }

    [Fact]
    public async Task Get_DistributionGroup_by_name_alias_address_and_not_found()
    {
        JsonObject g = Assert.Single(ExchangeAssert.Ok(await FabrikamAsync("Get-DistributionGroup", new { Identity = "FreeBusyShared" })))!.AsObject();
        Assert.Equal("FreeBusyShared", (string?)g["Name"]);
        Assert.Equal("freebusyshared@fabrikam.com", (string?)g["PrimarySmtpAddress"]);
        Assert.Equal("MailUniversalSecurityGroup", (string?)g["RecipientTypeDetails"]);
        Assert.True(Guid.TryParse((string?)g["Guid"], out Guid guid));
        foreach (string identity in new[] { "freebusyshared@fabrikam.com", "FREEBUSYSHARED", "Free/busy shared", guid.ToString() })
        {
            Assert.Equal("FreeBusyShared", (string?)ExchangeAssert.Ok(await FabrikamAsync("Get-DistributionGroup", new { Identity = identity }))[0]!["Name"]);
        }
        JsonObject all = ExchangeAssert.Ok(await ContosoAsync("Get-DistributionGroup", new { Identity = "allstaff@contoso.com" }))[0]!.AsObject();
        Assert.Equal("MailUniversalDistributionGroup", (string?)all["RecipientTypeDetails"]);
        Assert.Equal(2, ExchangeAssert.Ok(await ContosoAsync("Get-DistributionGroup")).Count);
        ExchangeAssert.Error(await FabrikamAsync("Get-DistributionGroup", new { Identity = "NoSuchGroup" }), "Ex6F9304", NotFoundType, NotFoundText("NoSuchGroup"));
        ExchangeAssert.Error(await FabrikamAsync("Get-DistributionGroupMember", new { Identity = "NoSuchGroup" }), "Ex6F9304", NotFoundType, NotFoundText("NoSuchGroup"));
    }

    [Fact]
    public async Task Get_DistributionGroupMember_lists_members_with_their_types()
    {
        JsonObject lee = Assert.Single(ExchangeAssert.Ok(await FabrikamAsync("Get-DistributionGroupMember", new { Identity = "FreeBusyShared" })))!.AsObject();
        Assert.Equal("lee@fabrikam.com", (string?)lee["PrimarySmtpAddress"]);
        Assert.Equal("UserMailbox", (string?)lee["RecipientTypeDetails"]);
        JsonArray sharing = ExchangeAssert.Ok(await ContosoAsync("Get-DistributionGroupMember", new { Identity = "CalendarSharing" }));
        Assert.Equal(new[] { "UserMailbox", "RoomMailbox" }, sharing.Select(m => (string)m!["RecipientTypeDetails"]!).ToArray());
    }

    [Fact]
    public async Task Twelve_thousand_members_page_through_nextLink_with_ResultSize_Unlimited()
    {
        // The default: the first 1000, with Exchange's warning.
        AdminResponse first = await ContosoAsync("Get-DistributionGroupMember", new { Identity = "AllStaff" }, maxPageSize: 1000);
        Assert.Equal(1000, ExchangeAssert.Ok(first).Count);
        Assert.Null(first.Json["@odata.nextLink"]);
        Assert.Equal(DefaultWarning, (string?)first.Json["@adminapi.warnings"]![0]);
        // An explicit size that cuts: the other warning.
        AdminResponse fifty = await ContosoAsync("Get-DistributionGroupMember", new { Identity = "AllStaff", ResultSize = 50 });
        Assert.Equal(50, ExchangeAssert.Ok(fifty).Count);
        Assert.Equal("There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.",
            (string?)fifty.Json["@adminapi.warnings"]![0]);
        AdminResponse exact = await ContosoAsync("Get-DistributionGroupMember", new { Identity = "CalendarSharing", ResultSize = 2 });
        Assert.Equal(2, ExchangeAssert.Ok(exact).Count);
        Assert.Empty(exact.Json["@adminapi.warnings"]!.AsArray());
        ExchangeAssert.Error(await ContosoAsync("Get-DistributionGroupMember", new { Identity = "AllStaff", ResultSize = "lots" }),
            "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
            "Cannot process argument transformation on parameter 'ResultSize'. Cannot convert value \"lots\" to type \"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]\". " +
            "Error: \"Cannot convert value \"lots\" to type \"System.UInt32\". Error: \"Input string was not in a correct format.\"\"");

        // Unlimited: all 12,000, a page of 1000 at a time.
        var addresses = new List<string>();
        string? next = null;
        int pages = 0;
        do
        {
            AdminResponse page = await ContosoAsync("Get-DistributionGroupMember", new { Identity = "AllStaff", ResultSize = "Unlimited" }, maxPageSize: 1000, url: next);
            JsonArray value = ExchangeAssert.Ok(page);
            Assert.Empty(page.Json["@adminapi.warnings"]!.AsArray());
            addresses.AddRange(value.Select(m => (string)m!["PrimarySmtpAddress"]!));
            next = (string?)page.Json["@odata.nextLink"];
            pages++;
        }
        while (next != null && pages < 20);
        Assert.Equal(12, pages);
        Assert.Equal(12000, addresses.Count);
        Assert.Equal(12000, addresses.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal("member00001@contoso.com", addresses[0]);
        Assert.Equal("member12000@contoso.com", addresses[^1]);
    }

    [Fact]
    public async Task Get_MailboxFolderPermission_reads_the_calendars_default_permission()
    {
        JsonObject entry = Assert.Single(ExchangeAssert.Ok(await ContosoAsync("Get-MailboxFolderPermission", new { Identity = "alex@contoso.com:\\Calendar", User = "Default" })))!.AsObject();
        Assert.Equal("alex@contoso.com:\\Calendar", (string?)entry["Identity"]);
        Assert.Equal("Calendar", (string?)entry["FolderName"]);
        Assert.Equal("Default", (string?)entry["User"]);
        Assert.Equal(new[] { "AvailabilityOnly" }, ExchangeAssert.Strings(entry["AccessRights"]));
        Assert.Equal(new[] { "LimitedDetails" },
            ExchangeAssert.Strings(ExchangeAssert.Ok(await ContosoAsync("Get-MailboxFolderPermission", new { Identity = "megan@contoso.com:\\calendar", User = "default" }))[0]!["AccessRights"]));
        Assert.Equal(new[] { "None" },
            ExchangeAssert.Strings(ExchangeAssert.Ok(await FabrikamAsync("Get-MailboxFolderPermission", new { Identity = "pradeep:\\Calendar", User = "Default" }))[0]!["AccessRights"]));
        Assert.Equal(new[] { "Reviewer" },
            ExchangeAssert.Strings(ExchangeAssert.Ok(await FabrikamAsync("Get-MailboxFolderPermission", new { Identity = "boardroom@fabrikam.com:\\Calendar", User = "Default" }))[0]!["AccessRights"]));

        // Without -User: Default and Anonymous.
        JsonArray both = ExchangeAssert.Ok(await ContosoAsync("Get-MailboxFolderPermission", new { Identity = "alex@contoso.com:\\Calendar" }));
        Assert.Equal(new[] { "Default", "Anonymous" }, both.Select(e => (string)e!["User"]!).ToArray());
        Assert.Equal(new[] { "None" }, ExchangeAssert.Strings(both[1]!["AccessRights"]));

        ExchangeAssert.Error(await ContosoAsync("Get-MailboxFolderPermission", new { Identity = "alex@contoso.com:\\Calendar", User = "megan@contoso.com" }),
            "Ex6E2D66", "Microsoft.Exchange.Management.StoreTasks.UserNotFoundInPermissionEntryException",
            "There is no existing permission entry found for user: megan@contoso.com.");
        ExchangeAssert.Error(await ContosoAsync("Get-MailboxFolderPermission", new { Identity = "nobody@contoso.com:\\Calendar" }),
            "Ex6F9304", NotFoundType, NotFoundText("nobody@contoso.com"));
        ExchangeAssert.Error(await ContosoAsync("Get-MailboxFolderPermission", new { Identity = "alex@contoso.com:\\Inbox" }),
            "Ex6F9304", NotFoundType, NotFoundText("alex@contoso.com:\\Inbox"));
    }

    [Fact]
    public async Task Mailboxes_and_groups_can_be_added_at_run_time()
    {
        string address = "n" + Guid.NewGuid().ToString("N")[..11] + "@contoso.com";
        (HttpStatusCode status, string text) = await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/mailboxes", new
        {
            address,
            displayName = "New Person",
            calendarDefaultPermission = "Editor",
            events = new[] { new { start = "2031-05-05T10:00:00Z", end = "2031-05-05T11:00:00Z", subject = "S", location = "L", showAs = "busy" } },
        });
        Assert.True(status == HttpStatusCode.Created, text);
        Assert.Equal(address, (string?)JsonNode.Parse(text)!["address"]);
        Assert.Equal("UserMailbox", (string?)ExchangeAssert.Ok(await ContosoAsync("Get-Mailbox", new { Identity = address }))[0]!["RecipientTypeDetails"]);
        Assert.Equal(new[] { "Editor" },
            ExchangeAssert.Strings(ExchangeAssert.Ok(await ContosoAsync("Get-MailboxFolderPermission", new { Identity = address + ":\\Calendar", User = "Default" }))[0]!["AccessRights"]));
        Assert.Contains(address, ExchangeAssert.Strings((await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso"))["mailboxes"]));
        JsonObject listed = (await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso/mailboxes")).AsArray().Single(m => (string?)m!["address"] == address)!.AsObject();
        Assert.Equal("S", (string?)listed["events"]![0]!["subject"]);

        // Taken anywhere, or not the tenant's domain, or a bad permission.
        Assert.Equal(HttpStatusCode.Conflict, (await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/mailboxes", new { address = address.ToUpperInvariant() })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/mailboxes", new { address = "allstaff@contoso.com" })).Status);
        (status, text) = await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/mailboxes", new { address = "someone@fabrikam.com" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("fabrikam.com is not a domain of tenant contoso", text);
        (status, text) = await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/mailboxes", new { address = "perm@contoso.com", calendarDefaultPermission = "Everything" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("calendarDefaultPermission 'Everything'", text);
        Assert.Equal(HttpStatusCode.NotFound, (await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/nowhere/mailboxes", new { address = "a@b.c" })).Status);

        string group = "G" + Guid.NewGuid().ToString("N")[..8];
        (status, text) = await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/groups", new { name = group, members = new[] { address }, syntheticMemberCount = 3 });
        Assert.True(status == HttpStatusCode.Created, text);
        JsonArray members = ExchangeAssert.Ok(await ContosoAsync("Get-DistributionGroupMember", new { Identity = group }));
        Assert.Equal(new[] { address, "member00001@contoso.onmicrosoft.com", "member00002@contoso.onmicrosoft.com", "member00003@contoso.onmicrosoft.com" },
            members.Select(m => (string)m!["PrimarySmtpAddress"]!).ToArray());
        Assert.Equal(new[] { "UserMailbox", "MailUser", "MailUser", "MailUser" }, members.Select(m => (string)m!["RecipientTypeDetails"]!).ToArray());
        Assert.Equal(HttpStatusCode.Conflict, (await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/groups", new { name = group.ToLowerInvariant() })).Status);
        Assert.Contains(group, ExchangeAssert.Strings((await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso"))["groups"]));
    }

    [Fact]
    public void Configuration_is_validated()
    {
        SandboxConfig Config(Action<TenantConfig> change)
        {
            SandboxConfig c = AuthSandbox.LoadConfig();
            change(c.Tenants.Single(t => t.Name == "contoso"));
            return c;
        }
        Assert.Contains("is not a domain of tenant contoso",
            Assert.Throws<InvalidDataException>(() => Config(t => t.Mailboxes.Add(new MailboxConfig { Address = "x@fabrikam.com" })).Validate()).Message);
        Assert.Contains("listed twice",
            Assert.Throws<InvalidDataException>(() => Config(t => t.Mailboxes.Add(new MailboxConfig { Address = "ALEX@contoso.com" })).Validate()).Message);
        Assert.Contains("calendarDefaultPermission 'Sometimes'",
            Assert.Throws<InvalidDataException>(() => Config(t => t.Mailboxes.Add(new MailboxConfig { Address = "y@contoso.com", CalendarDefaultPermission = "Sometimes" })).Validate()).Message);
        Assert.Contains("showAs 'away'", Assert.Throws<InvalidDataException>(() => Config(t => t.Mailboxes.Add(new MailboxConfig
        {
            Address = "z@contoso.com",
            Events = new List<EventConfig> { new() { Start = DateTimeOffset.UtcNow, End = DateTimeOffset.UtcNow.AddHours(1), ShowAs = "away" } },
        })).Validate()).Message);
        Assert.Contains("ends before it starts", Assert.Throws<InvalidDataException>(() => Config(t => t.Mailboxes.Add(new MailboxConfig
        {
            Address = "w@contoso.com",
            Events = new List<EventConfig> { new() { Start = DateTimeOffset.UtcNow, End = DateTimeOffset.UtcNow.AddHours(-1) } },
        })).Validate()).Message);
        Assert.Contains("listed twice", Assert.Throws<InvalidDataException>(() => Config(t => t.Groups.Add(new GroupConfig { Name = "allstaff" })).Validate()).Message);
        Assert.Contains("is not an address in a domain", Assert.Throws<InvalidDataException>(() => Config(t => t.Groups.Add(new GroupConfig { Name = "G", Address = "g@else.example" })).Validate()).Message);

        // The shipped file: the mailboxes and groups the tests and the demo rely on.
        SandboxConfig shipped = AuthSandbox.LoadConfig();
        TenantConfig fabrikam = shipped.Tenants.Single(t => t.Name == "fabrikam");
        Assert.Equal(new[] { "AvailabilityOnly", "LimitedDetails", "None", "Reviewer" }, fabrikam.Mailboxes.Select(m => m.CalendarDefaultPermission).ToArray());
        Assert.Equal(new[] { "lee@fabrikam.com" }, fabrikam.Groups.Single(g => g.Name == "FreeBusyShared").Members);
        Assert.All(shipped.Tenants.SelectMany(t => t.Mailboxes), m => Assert.Null(m.Events));
    }
}
