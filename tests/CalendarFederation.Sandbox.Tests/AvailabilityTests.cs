using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// Cross-tenant free/busy through the Graph-shaped getSchedule: tokens, the request shape, the same-tenant rules and the
/// full matrix of relationship level x calendar Default permission x scope x one- or two-sided relationships.
/// </summary>
public sealed class AvailabilityTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private const string Alex = "alex@contoso.com";
    private const string ReachFabrikamEpr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";
    private const string Day = "2030-01-07";
    // 08:00-18:00 in 30-minute slots for the matrix calendars (see MatrixEvents).
    private const string MatrixView = "00220100003333000000";
    private const string NoData = "44444444444444444444";

    /// <summary>Matrix mailboxes in fabrikam, by their calendar's Default permission.</summary>
    private static readonly (string Address, string Permission, int Level)[] Matrix =
    {
        ("mx-none@fabrikam.com", "None", 0),
        ("mx-avail@fabrikam.com", "AvailabilityOnly", 1),
        ("mx-limited@fabrikam.com", "LimitedDetails", 2),
        ("mx-reviewer@fabrikam.com", "Reviewer", 2),
    };

    private static readonly (string Start, string End, string Status, string Subject, string Location)[] MatrixEvents =
    {
        ("09:00", "10:00", "busy", "Design review", "Room 2"),
        ("10:30", "11:00", "tentative", "One on one", "Teams"),
        ("13:00", "15:00", "oof", "Vacation", ""),
        ("16:00", "17:00", "workingElsewhere", "Remote day", "Home"),
        ("17:00", "17:30", "free", "Focus time", ""),
    };

    private readonly AuthSandbox _sandbox;
    private string _contoso = "";
    private string _fabrikam = "";

    public AvailabilityTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        _contoso = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        _fabrikam = await _sandbox.ClientCredentialsTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret);
        // Run-time mailboxes and groups outlive a reset: add them once per fixture (a second add is a 409).
        foreach ((string address, string permission, _) in Matrix)
        {
            await EnsureAsync("/_sandbox/tenants/fabrikam/mailboxes", new
            {
                address,
                displayName = address,
                calendarDefaultPermission = permission,
                events = MatrixEvents.Select(e => new { start = $"{Day}T{e.Start}:00Z", end = $"{Day}T{e.End}:00Z", subject = e.Subject, location = e.Location, showAs = e.Status }),
            });
        }
        await EnsureAsync("/_sandbox/tenants/fabrikam/groups", new { name = "MatrixIn", members = Matrix.Select(m => m.Address) });
        await EnsureAsync("/_sandbox/tenants/fabrikam/groups", new { name = "MatrixHalf", address = "matrixhalf@fabrikam.com", members = new[] { "mx-avail@fabrikam.com", "MX-REVIEWER@fabrikam.com" } });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task EnsureAsync(string path, object body)
    {
        (HttpStatusCode status, string text) = await _sandbox.ControlPostJsonAsync(path, body);
        Assert.True(status is HttpStatusCode.Created or HttpStatusCode.Conflict, text);
    }

    private static object Body(IEnumerable<string> schedules, string start = Day + "T08:00:00", string end = Day + "T18:00:00", int interval = 30) => new
    {
        schedules = schedules.ToArray(),
        startTime = new { dateTime = start, timeZone = "UTC" },
        endTime = new { dateTime = end, timeZone = "UTC" },
        availabilityViewInterval = interval,
    };

    private async Task<AdminResponse> AdminAsync(string tenant, string cmdlet, object parameters)
    {
        AdminResponse r = await _sandbox.InvokeAsync(tenant, tenant == "contoso" ? _contoso : _fabrikam, cmdlet, parameters);
        Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.NoContent, r.Text);
        return r;
    }

    /// <summary>Contoso's side: how to reach fabrikam.com.</summary>
    private Task ContosoReachesFabrikamAsync(bool enabled = true, string domain = "fabrikam.com") => AdminAsync("contoso", "New-OrganizationRelationship", new
    {
        Name = "Fabrikam", DomainNames = new[] { domain }, Enabled = enabled, TargetApplicationUri = "outlook.com", TargetAutodiscoverEpr = ReachFabrikamEpr,
    });

    /// <summary>Fabrikam's side: what it shares with contoso.com.</summary>
    private Task FabrikamSharesAsync(string level, string? scope = null, bool enabled = true, bool freeBusy = true, string domain = "contoso.com")
    {
        var p = new Dictionary<string, object>
        {
            ["Name"] = "Contoso", ["DomainNames"] = new[] { domain }, ["Enabled"] = enabled, ["FreeBusyAccessEnabled"] = freeBusy, ["FreeBusyAccessLevel"] = level,
        };
        if (scope != null) p["FreeBusyAccessScope"] = scope;
        return AdminAsync("fabrikam", "New-OrganizationRelationship", p);
    }

    private static void AssertNoData(JsonObject s, string code, string message, int slots = 20)
    {
        Assert.Equal(new[] { "availabilityView", "error", "scheduleId", "scheduleItems" }, ExchangeAssert.Keys(s));
        Assert.Equal(new string('4', slots), (string?)s["availabilityView"]);
        Assert.Empty(s["scheduleItems"]!.AsArray());
        Assert.Equal(new[] { "message", "responseCode" }, ExchangeAssert.Keys(s["error"]));
        Assert.Equal(code, (string?)s["error"]!["responseCode"]);
        Assert.Equal(message, (string?)s["error"]!["message"]);
    }

    private static void AssertMatrixCalendar(JsonObject s, bool details)
    {
        Assert.Equal(new[] { "availabilityView", "scheduleId", "scheduleItems", "workingHours" }, ExchangeAssert.Keys(s));
        Assert.Equal(MatrixView, (string?)s["availabilityView"]);
        JsonArray items = s["scheduleItems"]!.AsArray();
        Assert.Equal(MatrixEvents.Length, items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            JsonObject item = items[i]!.AsObject();
            var e = MatrixEvents[i];
            Assert.Equal(details ? new[] { "end", "location", "start", "status", "subject" } : new[] { "end", "start", "status" }, ExchangeAssert.Keys(item));
            Assert.Equal(e.Status, (string?)item["status"]);
            Assert.Equal($"{Day}T{e.Start}:00.0000000", (string?)item["start"]!["dateTime"]);
            Assert.Equal("UTC", (string?)item["start"]!["timeZone"]);
            Assert.Equal($"{Day}T{e.End}:00.0000000", (string?)item["end"]!["dateTime"]);
            if (details)
            {
                Assert.Equal(e.Subject, (string?)item["subject"]);
                Assert.Equal(e.Location, (string?)item["location"]);
            }
        }
        Assert.Equal(new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }, ExchangeAssert.Strings(s["workingHours"]!["daysOfWeek"]));
        Assert.Equal("UTC", (string?)s["workingHours"]!["timeZone"]!["name"]);
    }

    public static IEnumerable<object[]> MatrixCases() =>
        from level in new[] { "None", "AvailabilityOnly", "LimitedDetails" }
        from scope in new[] { "unset", "in", "out" }
        from sides in new[] { "both", "requester-only", "target-only" }
        select new object[] { level, scope, sides };

    [Theory]
    [MemberData(nameof(MatrixCases))]
    public async Task Free_busy_matrix(string level, string scope, string sides)
    {
        if (sides != "target-only") await ContosoReachesFabrikamAsync();
        if (sides != "requester-only") await FabrikamSharesAsync(level, scope switch { "in" => "MatrixIn", "out" => "FreeBusyShared", _ => null });

        GraphResponse r = await _sandbox.GetScheduleAsync(_contoso, Alex, Body(Matrix.Select(m => m.Address)));
        Assert.True(r.Status == HttpStatusCode.OK, r.Text);
        Assert.Equal(Matrix.Length, r.Value.Count);
        int relationshipLevel = Array.IndexOf(new[] { "None", "AvailabilityOnly", "LimitedDetails" }, level);
        foreach ((string address, string permission, int mailboxLevel) in Matrix)
        {
            JsonObject s = r.Schedule(address);
            Assert.Equal(address, (string?)s["scheduleId"]);
            if (sides == "target-only")
            {
                AssertNoData(s, "ErrorNoOrganizationRelationship", "No organization relationship in contoso.onmicrosoft.com covers fabrikam.com, so free/busy for it is not requested.");
            }
            else if (sides == "requester-only")
            {
                AssertNoData(s, "ErrorFreeBusyAccessDenied", "fabrikam.onmicrosoft.com does not share free/busy with contoso.com.");
            }
            else if (scope == "out")
            {
                AssertNoData(s, "ErrorFreeBusyScopeExcluded",
                    $"{address} is not in the group 'FreeBusyShared' that fabrikam.onmicrosoft.com set as the free/busy scope for contoso.com, so it shares no free/busy.");
            }
            else
            {
                int effective = Math.Min(relationshipLevel, mailboxLevel);
                if (effective == 0)
                {
                    AssertNoData(s, "ErrorFreeBusyLevelNone",
                        $"The effective free/busy level for {address} is None: fabrikam.onmicrosoft.com's organization relationship 'Contoso' grants {level} " +
                        $"and the calendar's Default permission is {permission}.");
                }
                else
                {
                    AssertMatrixCalendar(s, details: effective == 2);
                }
            }
        }
    }

    [Fact]
    public async Task Scope_membership_decides_per_mailbox()
    {
        await ContosoReachesFabrikamAsync();
        await FabrikamSharesAsync("LimitedDetails", scope: "matrixhalf@fabrikam.com");
        GraphResponse r = await _sandbox.GetScheduleAsync(_contoso, Alex, Body(Matrix.Select(m => m.Address)));
        AssertMatrixCalendar(r.Schedule("mx-avail@fabrikam.com"), details: false);
        AssertMatrixCalendar(r.Schedule("mx-reviewer@fabrikam.com"), details: true);
        foreach (string outside in new[] { "mx-none@fabrikam.com", "mx-limited@fabrikam.com" })
        {
            AssertNoData(r.Schedule(outside), "ErrorFreeBusyScopeExcluded",
                $"{outside} is not in the group 'MatrixHalf' that fabrikam.onmicrosoft.com set as the free/busy scope for contoso.com, so it shares no free/busy.");
        }
    }

    [Fact]
    public async Task Same_tenant_the_calendars_default_permission_decides()
    {
        DateTime today = DateTime.UtcNow.Date;
        string start = today.ToString("yyyy-MM-dd") + "T00:00:00";
        string end = today.AddDays(1).ToString("yyyy-MM-dd") + "T00:00:00";
        // No relationship is needed inside a tenant.
        GraphResponse r = await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "alex@contoso.com", "MEGAN@contoso.com", "room1@contoso.com" }, start, end, 60));
        Assert.True(r.Status == HttpStatusCode.OK, r.Text);
        Assert.Equal($"{_sandbox.Origin}/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)", (string?)r.Json["@odata.context"]);
        // The default day: 09-10 busy, 13-14 tentative, 15-16 out of office.
        const string view = "000000000200010300000000";
        string d = today.ToString("yyyy-MM-dd");
        foreach (string times in new[] { "alex@contoso.com", "room1@contoso.com" })
        {
            JsonObject s = r.Schedule(times);
            Assert.Equal(view, (string?)s["availabilityView"]);
            Assert.Equal(new[] { "busy", "tentative", "oof" }, s["scheduleItems"]!.AsArray().Select(i => (string)i!["status"]!).ToArray());
            Assert.All(s["scheduleItems"]!.AsArray(), i => Assert.Equal(new[] { "end", "start", "status" }, ExchangeAssert.Keys(i)));
            Assert.Equal($"{d}T09:00:00.0000000", (string?)s["scheduleItems"]![0]!["start"]!["dateTime"]);
            Assert.Equal($"{d}T16:00:00.0000000", (string?)s["scheduleItems"]![2]!["end"]!["dateTime"]);
        }
        JsonObject megan = r.Schedule("megan@contoso.com");
        Assert.Equal("MEGAN@contoso.com", (string?)megan["scheduleId"]);
        Assert.Equal(view, (string?)megan["availabilityView"]);
        Assert.Equal(new[] { "Project sync", "Lunch & learn", "Dentist" }, megan["scheduleItems"]!.AsArray().Select(i => (string)i!["subject"]!).ToArray());
        Assert.Equal(new[] { "Room 1", "Cafeteria", "" }, megan["scheduleItems"]!.AsArray().Select(i => (string)i!["location"]!).ToArray());

        // Fabrikam: None shows nothing, Reviewer shows details, and an unknown address is 5009.
        GraphResponse f = await _sandbox.GetScheduleAsync(_fabrikam, "lee@fabrikam.com",
            Body(new[] { "pradeep@fabrikam.com", "boardroom@fabrikam.com", "nobody@fabrikam.com" }, start, end, 60));
        AssertNoData(f.Schedule("pradeep@fabrikam.com"), "ErrorFreeBusyLevelNone",
            "The calendar of pradeep@fabrikam.com grants its Default user None, so it shares no free/busy.", 24);
        Assert.Equal("Dentist", (string?)f.Schedule("boardroom@fabrikam.com")["scheduleItems"]![2]!["subject"]);
        AssertNoData(f.Schedule("nobody@fabrikam.com"), "5009", "The SMTP address has no mailbox associated with it.", 24);

        // The default day repeats: two days, six items, the view in 4-hour slots.
        GraphResponse two = await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "alex@contoso.com" }, start, today.AddDays(2).ToString("yyyy-MM-dd") + "T00:00:00", 240));
        JsonObject alex = two.Schedule("alex@contoso.com");
        Assert.Equal(6, alex["scheduleItems"]!.AsArray().Count);
        Assert.Equal("002300002300", (string?)alex["availabilityView"]);
    }

    [Fact]
    public async Task Relationship_details_that_block_or_allow_the_request()
    {
        // The requester's relationship disabled.
        await ContosoReachesFabrikamAsync(enabled: false);
        await FabrikamSharesAsync("LimitedDetails");
        AssertNoData((await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "mx-limited@fabrikam.com" }))).Schedule("mx-limited@fabrikam.com"),
            "ErrorNoOrganizationRelationship",
            "The organization relationship 'Fabrikam' in contoso.onmicrosoft.com covers fabrikam.com but is disabled, so free/busy for it is not requested.");
        // Enabled, but without an endpoint (TargetOwaURL does not count).
        await AdminAsync("contoso", "Set-OrganizationRelationship", new Dictionary<string, object?>
        {
            ["Identity"] = "Fabrikam", ["Enabled"] = true, ["Force"] = true, ["TargetAutodiscoverEpr"] = null, ["TargetOwaURL"] = "https://outlook.office.com/mail",
        });
        AssertNoData((await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "mx-limited@fabrikam.com" }))).Schedule("mx-limited@fabrikam.com"),
            "ErrorNoOrganizationRelationship",
            "The organization relationship 'Fabrikam' in contoso.onmicrosoft.com covers fabrikam.com but lacks TargetApplicationUri and TargetAutodiscoverEpr or TargetSharingEpr, so free/busy for it is not requested.");
        // TargetSharingEpr is enough.
        await AdminAsync("contoso", "Set-OrganizationRelationship", new { Identity = "Fabrikam", TargetSharingEpr = "https://outlook.office365.com/EWS/Exchange.asmx" });
        AssertMatrixCalendar((await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "mx-limited@fabrikam.com" }))).Schedule("mx-limited@fabrikam.com"), details: true);
        // No TargetApplicationUri.
        await AdminAsync("contoso", "Set-OrganizationRelationship", new Dictionary<string, object?> { ["Identity"] = "Fabrikam", ["TargetApplicationUri"] = null });
        Assert.Equal("ErrorNoOrganizationRelationship",
            (string?)(await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "mx-limited@fabrikam.com" }))).Value[0]!["error"]!["responseCode"]);
        await AdminAsync("contoso", "Set-OrganizationRelationship", new { Identity = "Fabrikam", TargetApplicationUri = "outlook.com" });

        // The target's relationship disabled, or with free/busy off.
        await AdminAsync("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", Enabled = false, Force = true });
        AssertNoData((await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "mx-limited@fabrikam.com" }))).Schedule("mx-limited@fabrikam.com"),
            "ErrorFreeBusyAccessDenied", "fabrikam.onmicrosoft.com does not share free/busy with contoso.com.");
        await AdminAsync("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", Enabled = true, Force = true, FreeBusyAccessEnabled = false });
        AssertNoData((await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "mx-limited@fabrikam.com" }))).Schedule("mx-limited@fabrikam.com"),
            "ErrorFreeBusyAccessDenied", "fabrikam.onmicrosoft.com does not share free/busy with contoso.com.");
        await AdminAsync("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", FreeBusyAccessEnabled = true, FreeBusyAccessLevel = "AvailabilityOnly" });
        AssertMatrixCalendar((await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "mx-limited@fabrikam.com" }))).Schedule("mx-limited@fabrikam.com"), details: false);

        // The requester's domain must be covered: contoso.onmicrosoft.com is not contoso.com.
        string admin = await CalendarTokenAsync("contoso", Known.ContosoAdmin);
        AssertNoData((await _sandbox.GetScheduleAsync(admin, null, Body(new[] { "mx-limited@fabrikam.com" }))).Schedule("mx-limited@fabrikam.com"),
            "ErrorFreeBusyAccessDenied", "fabrikam.onmicrosoft.com does not share free/busy with contoso.onmicrosoft.com.");
    }

    [Fact]
    public async Task Domains_match_case_insensitively_and_unknown_addresses()
    {
        await ContosoReachesFabrikamAsync(domain: "FABRIKAM.COM");
        await FabrikamSharesAsync("LimitedDetails", domain: "Contoso.Com");
        GraphResponse r = await _sandbox.GetScheduleAsync(_contoso, "ALEX@CONTOSO.COM",
            Body(new[] { "mx-avail@Fabrikam.com", "nobody@fabrikam.com", "someone@nowhere.example", "ghost@contoso.com" }));
        AssertMatrixCalendar(r.Schedule("mx-avail@Fabrikam.com"), details: false);
        AssertNoData(r.Schedule("nobody@fabrikam.com"), "5009", "The SMTP address has no mailbox associated with it.");
        // A domain with no relationship is not even asked; inside the tenant an unknown address is 5009.
        AssertNoData(r.Schedule("someone@nowhere.example"), "ErrorNoOrganizationRelationship",
            "No organization relationship in contoso.onmicrosoft.com covers nowhere.example, so free/busy for it is not requested.");
        AssertNoData(r.Schedule("ghost@contoso.com"), "5009", "The SMTP address has no mailbox associated with it.");
        // With a relationship for it, nobody answers for the address.
        await AdminAsync("contoso", "New-OrganizationRelationship", new
        {
            Name = "Nowhere", DomainNames = new[] { "nowhere.example" }, TargetApplicationUri = "nowhere.example", TargetAutodiscoverEpr = "https://autodiscover.nowhere.example/autodiscover/autodiscover.svc",
        });
        AssertNoData((await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "someone@nowhere.example" }))).Schedule("someone@nowhere.example"),
            "5009", "The SMTP address has no mailbox associated with it.");
        // The mailbox is unknown only after the target tenant agreed to answer.
        await AdminAsync("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", FreeBusyAccessEnabled = false });
        Assert.Equal("ErrorFreeBusyAccessDenied",
            (string?)(await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { "nobody@fabrikam.com" }))).Value[0]!["error"]!["responseCode"]);
    }

    [Fact]
    public async Task Two_way_setup_works_in_both_directions_with_delegated_tokens()
    {
        await ContosoReachesFabrikamAsync();
        await FabrikamSharesAsync("LimitedDetails");
        // One relationship per partner serves both directions: fabrikam's "Contoso" now also says how to reach contoso.
        await AdminAsync("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", TargetApplicationUri = "outlook.com", TargetSharingEpr = "https://outlook.office365.com/EWS/Exchange.asmx" });
        await AdminAsync("contoso", "Set-OrganizationRelationship", new { Identity = "Fabrikam", FreeBusyAccessEnabled = true, FreeBusyAccessLevel = "AvailabilityOnly" });

        // Lee (fabrikam, delegated, /me) sees contoso's alex with times only.
        string lee = await CalendarTokenAsync("fabrikam", "lee@fabrikam.com");
        DateTime today = DateTime.UtcNow.Date;
        object body = Body(new[] { Alex }, today.ToString("yyyy-MM-dd") + "T00:00:00", today.AddDays(1).ToString("yyyy-MM-dd") + "T00:00:00", 60);
        GraphResponse me = await _sandbox.GetScheduleAsync(lee, null, body);
        Assert.True(me.Status == HttpStatusCode.OK, me.Text);
        JsonObject s = me.Schedule(Alex);
        Assert.Equal("000000000200010300000000", (string?)s["availabilityView"]);
        Assert.All(s["scheduleItems"]!.AsArray(), i => Assert.Equal(new[] { "end", "start", "status" }, ExchangeAssert.Keys(i)));
        // The same as his own upn, and with a Graph-audience token.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(lee, "lee@fabrikam.com", body)).Status);
        string graphLee = await CalendarTokenAsync("fabrikam", "lee@fabrikam.com", XtapKnown.GraphResource);
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(graphLee, null, body, version: "beta")).Status);
        // Megan (LimitedDetails calendar) is still capped at contoso's AvailabilityOnly.
        JsonObject megan = (await _sandbox.GetScheduleAsync(lee, null, Body(new[] { "megan@contoso.com" }, today.ToString("yyyy-MM-dd") + "T00:00:00",
            today.AddDays(1).ToString("yyyy-MM-dd") + "T00:00:00", 60))).Schedule("megan@contoso.com");
        Assert.Null(megan["scheduleItems"]![0]!["subject"]);
    }

    /// <summary>
    /// A signed-in user's token with getSchedule's least privilege, Calendars.ReadBasic, from a client consented for it
    /// (Graph Command Line Tools); Exchange Online PowerShell's client has no Graph calendar consent in the sandbox.
    /// </summary>
    private Task<string> CalendarTokenAsync(string tenant, string upn, string? resource = null) =>
        _sandbox.DelegatedTokenAsync(tenant, upn, new[] { "Calendars.ReadBasic" }, XtapKnown.GraphCli, resource ?? _sandbox.Origin);

    [Fact]
    public async Task GetSchedule_needs_a_calendar_permission_and_refuses_as_Graph_does()
    {
        await ContosoReachesFabrikamAsync();
        await FabrikamSharesAsync("AvailabilityOnly");
        object body = Body(new[] { "mx-avail@fabrikam.com" });
        static void Denied(GraphResponse r)
        {
            Assert.True(r.Status == HttpStatusCode.Forbidden, r.Text);
            JsonObject error = r.Json["error"]!.AsObject();
            Assert.Equal(new[] { "code", "innerError", "message" }, ExchangeAssert.Keys(error));
            Assert.Equal("ErrorAccessDenied", (string?)error["code"]);
            Assert.Equal("Access is denied. Check credentials and try again.", (string?)error["message"]);
        }

        // Exchange Online PowerShell's client: its token carries Exchange.Manage, no calendar permission.
        string exchangeClient = (string)(await Hand.DelegatedTokenAsync(_sandbox, "contoso", Alex))["access_token"]!;
        Assert.Equal("Exchange.Manage", (string?)Hand.Claims(exchangeClient)["scp"]);
        Denied(await _sandbox.GetScheduleAsync(exchangeClient, null, body));
        Denied(await _sandbox.GetScheduleAsync(exchangeClient, Alex, body));

        // Calendars.ReadBasic suffices; so does Calendars.Read once the tenant consents it for that client.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(await CalendarTokenAsync("contoso", Alex), null, body)).Status);
        using (var consent = new StringContent(JsonSerializer.Serialize(new[] { "Exchange.Manage", "Calendars.Read" }), Encoding.UTF8, "application/json"))
        {
            await _sandbox.ControlAsync(HttpMethod.Put, $"/_sandbox/tenants/contoso/consents/{IdentityDefaults.PublicClient}", consent);
        }
        string consented = (string)(await Hand.DelegatedTokenAsync(_sandbox, "contoso", Alex))["access_token"]!;
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(consented, null, body)).Status);

        // App-only: the roles decide. The automation app holds Calendars.ReadBasic.All; an app with Exchange.ManageAsApp alone, or none, is refused.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(_contoso, Alex, body)).Status);
        Denied(await _sandbox.GetScheduleAsync(await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, "c0a5e000-0000-4000-8000-000000000004", "contoso-norole-secret"),
            Alex, body));
        Denied(await _sandbox.GetScheduleAsync(await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoNoPermissionApp, Known.ContosoNoPermissionSecret),
            Alex, body));

        List<JsonObject> log = (await _sandbox.RequestsAsync()).Where(r => (string?)r["service"] == "graph" && (int)r["status"]! == 403).ToList();
        Assert.Equal(4, log.Count);
        Assert.All(log, r => Assert.Equal("ErrorAccessDenied", (string?)r["error"]));
    }

    [Fact]
    public async Task Tokens_and_requesters_are_checked()
    {
        GraphResponse none = await _sandbox.GetScheduleAsync(null, Alex, Body(new[] { Alex }));
        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.Equal("InvalidAuthenticationToken", (string?)none.Json["error"]!["code"]);
        Assert.Equal("Access token is empty.", (string?)none.Json["error"]!["message"]);
        Assert.True(Guid.TryParse((string?)none.Json["error"]!["innerError"]!["request-id"], out _));
        Assert.StartsWith("Bearer ", none.WwwAuthenticate);

        string[] p = _contoso.Split('.');
        string forged = p[0] + "." + Hand.B64Url(Encoding.UTF8.GetBytes(Hand.Claims(_contoso).ToJsonString().Replace(Known.ContosoId, Known.FabrikamId))) + "." + p[2];
        GraphResponse bad = await _sandbox.GetScheduleAsync(forged, "lee@fabrikam.com", Body(new[] { Alex }));
        Assert.Equal(HttpStatusCode.Unauthorized, bad.Status);
        Assert.Equal("Access token validation failure. Invalid signature.", (string?)bad.Json["error"]!["message"]);

        string exchange = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret, "https://outlook.office365.com");
        GraphResponse audience = await _sandbox.GetScheduleAsync(exchange, Alex, Body(new[] { Alex }));
        Assert.Equal(HttpStatusCode.Unauthorized, audience.Status);
        Assert.Equal("Access token validation failure. Invalid audience.", (string?)audience.Json["error"]!["message"]);
        string graph = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret, "https://graph.microsoft.com");
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(graph, Alex, Body(new[] { Alex }))).Status);

        // App-only: any mailbox or user of its own tenant (by address, alias or object id), no /me, not another tenant's.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(_contoso, "megan", Body(new[] { Alex }))).Status);
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(_contoso, Known.ContosoAdminOid, Body(new[] { Alex }))).Status);
        GraphResponse me = await _sandbox.GetScheduleAsync(_contoso, null, Body(new[] { Alex }));
        Assert.Equal(HttpStatusCode.BadRequest, me.Status);
        Assert.Equal("/me request is only valid with delegated authentication flow.", (string?)me.Json["error"]!["message"]);
        GraphResponse foreign = await _sandbox.GetScheduleAsync(_contoso, "lee@fabrikam.com", Body(new[] { Alex }));
        Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        Assert.Equal("ErrorInvalidUser", (string?)foreign.Json["error"]!["code"]);
        Assert.Equal("The requested user 'lee@fabrikam.com' is invalid.", (string?)foreign.Json["error"]!["message"]);

        // Delegated: only as oneself.
        string lee = await CalendarTokenAsync("fabrikam", "lee@fabrikam.com");
        GraphResponse other = await _sandbox.GetScheduleAsync(lee, "nestor@fabrikam.com", Body(new[] { Alex }));
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
        Assert.Equal("ErrorAccessDenied", (string?)other.Json["error"]!["code"]);
        Assert.Equal("Access is denied. Check credentials and try again.", (string?)other.Json["error"]!["message"]);
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(lee, "f0000001-0000-4000-8000-000000000002", Body(new[] { Alex }))).Status);

        List<JsonObject> log = (await _sandbox.RequestsAsync()).Where(r => (string?)r["service"] == "graph").ToList();
        Assert.Contains(log, r => (string?)r["error"] == "Unauthorized:Missing" && (int)r["status"]! == 401);
        Assert.Contains(log, r => (string?)r["error"] == "ErrorAccessDenied" && (int)r["status"]! == 403);
    }

    [Fact]
    public async Task The_request_shape_is_validated()
    {
        async Task Bad(object? body, string message, string code = "ErrorInvalidParameter", string? raw = null)
        {
            GraphResponse r = await _sandbox.GetScheduleAsync(_contoso, Alex, body ?? new { }, rawBody: raw);
            Assert.True(r.Status == HttpStatusCode.BadRequest, r.Text);
            Assert.Equal(code, (string?)r.Json["error"]!["code"]);
            Assert.Equal(message, (string?)r.Json["error"]!["message"]);
        }

        await Bad(null, "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.", "BadRequest", "{not json");
        await Bad(new { startTime = new { dateTime = "2030-01-07T08:00:00", timeZone = "UTC" } }, "The 'schedules' parameter must be a non-empty array of SMTP addresses.");
        await Bad(Body(Array.Empty<string>()), "The 'schedules' parameter must be a non-empty array of SMTP addresses.");
        await Bad(Body(Enumerable.Range(0, 101).Select(i => $"u{i}@contoso.com")), "At most 100 schedules can be requested at once.");
        await Bad(new { schedules = new[] { Alex } }, "The 'startTime' parameter must be a dateTimeTimeZone object with dateTime and timeZone.");
        await Bad(Body(new[] { Alex }, start: "yesterday"), "startTime.dateTime 'yesterday' is not a date and time.");
        await Bad(Body(new[] { Alex }, start: Day + "T10:00:00", end: Day + "T09:00:00"), "The end time must be later than the start time.");
        await Bad(Body(new[] { Alex }, start: "2030-01-01T00:00:00", end: "2030-03-05T00:00:00"), "The time range can't exceed 62 days.");
        await Bad(Body(new[] { Alex }, interval: 4), "availabilityViewInterval must be a number of minutes from 5 to 1440.");
        await Bad(new
        {
            schedules = new[] { Alex },
            startTime = new { dateTime = Day + "T08:00:00", timeZone = "Mars/Olympus_Mons" },
            endTime = new { dateTime = Day + "T18:00:00", timeZone = "UTC" },
        }, "startTime.timeZone 'Mars/Olympus_Mons' is not a time zone the sandbox knows (use UTC).");

        // Property names in any case (as in Graph's own example); the interval defaults to 30; a trailing Z is UTC.
        GraphResponse ok = await _sandbox.GetScheduleAsync(_contoso, Alex, null!, rawBody:
            $"{{\"Schedules\":[\"megan@contoso.com\"],\"StartTime\":{{\"dateTime\":\"{Day}T08:00:00Z\",\"timeZone\":\"Pacific Standard Time\"}},\"EndTime\":{{\"dateTime\":\"{Day}T18:00:00\",\"timeZone\":\"UTC\"}}}}");
        Assert.True(ok.Status == HttpStatusCode.OK, ok.Text);
        Assert.Equal(20, ((string)ok.Value[0]!["availabilityView"]!).Length);
        GraphResponse version = await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { Alex }), version: "v9.9");
        Assert.Equal(HttpStatusCode.BadRequest, version.Status);
        Assert.Equal("Invalid version: v9.9", (string?)version.Json["error"]!["message"]);
    }

    [Fact]
    public async Task Requests_are_logged_and_faults_apply()
    {
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/requests");
        GraphResponse ok = await _sandbox.GetScheduleAsync(_contoso, "ALEX", Body(new[] { "megan@contoso.com", "lee@fabrikam.com" }));
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        JsonObject record = Assert.Single(await _sandbox.RequestsAsync(), r => (string?)r["service"] == "graph");
        Assert.Equal("contoso", (string?)record["tenant"]);
        Assert.Equal("alex@contoso.com", (string?)record["requester"]);
        Assert.Equal(new[] { "megan@contoso.com", "lee@fabrikam.com" }, ExchangeAssert.Strings(record["schedules"]));
        Assert.Equal(Known.ContosoApp, (string?)record["caller"]);
        Assert.Equal(200, (int)record["status"]!);
        Assert.Equal("/v1.0/users/ALEX/calendar/getSchedule", (string?)record["path"]);

        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/faults",
            new StringContent(JsonSerializer.Serialize(new { Service = "graph", Tenant = "contoso.com", Status = 429, RetryAfterSeconds = 3, Remaining = 1 }), Encoding.UTF8, "application/json"));
        // Another tenant's request is not matched.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(_fabrikam, "lee@fabrikam.com", Body(new[] { "nestor@fabrikam.com" }))).Status);
        GraphResponse throttled = await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { Alex }));
        Assert.Equal((HttpStatusCode)429, throttled.Status);
        Assert.Equal(TimeSpan.FromSeconds(3), throttled.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.GetScheduleAsync(_contoso, Alex, Body(new[] { Alex }))).Status);
        JsonObject faulted = (await _sandbox.RequestsAsync()).Where(r => (string?)r["service"] == "graph").ElementAt(2);
        Assert.NotNull(faulted["fault"]);
        Assert.Equal(3, (int)faulted["retryAfter"]!);
    }
}
