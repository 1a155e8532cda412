using System.Net;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// getSchedule across tenants as the service decides since X-TAP: legacy objects on either side take precedence (and fail
/// while the target's EWS is blocked); otherwise the resource tenant's cross-tenant access policy serves free/busy (7002
/// not served, 5016 out of scope). Alex (contoso) asks about fabrikam's mailboxes; fabrikam configures X-TAP for contoso.
/// </summary>
public sealed class AvailabilityXtapTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private const string Alex = "alex@contoso.com";
    private const string Lee = "lee@fabrikam.com";          // calendar Default: AvailabilityOnly; member of FreeBusyShared
    private const string Nestor = "nestor@fabrikam.com";    // LimitedDetails
    private const string Pradeep = "pradeep@fabrikam.com";  // None
    private const string Day = "2030-01-07";
    // The default day, 08:00-18:00 in hours: 09 busy, 13 tentative, 15 oof.
    private const string View = "0200010300";
    private const string NotServed = "GetSchedule is not supported for domain: fabrikam.com. 62382";
    private const string OutOfScope = "Cross-tenant access denied: the user or group restrictions in the cross-tenant policy could not be evaluated";
    private const string Partner = XtapKnown.PartnersPath + "/" + Known.ContosoId;
    private const string Epr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";

    private readonly AuthSandbox _sandbox;
    private string _contoso = "";
    private string _fabrikam = "";

    public AvailabilityXtapTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        // The sandbox's own origin: one token for the admin API and Graph alike.
        _contoso = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        _fabrikam = await _sandbox.ClientCredentialsTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    // ---- X-TAP in fabrikam, through Graph as its automation app ----

    private async Task<GraphCall> FabrikamGraph(HttpMethod method, string path, object? body = null)
    {
        GraphCall r = await _sandbox.GraphAsync(method, path, _fabrikam, body);
        Assert.True((int)r.Status is >= 200 and < 300, $"{method} {path}: {(int)r.Status} {r.Text}");
        return r;
    }

    private Task NewPartnerAsync() => FabrikamGraph(HttpMethod.Post, XtapKnown.PartnersPath, new { tenantId = Known.ContosoId });

    private Task TrustAsync(string accessType = "allowed", string target = "AllUsers", string targetType = "user") =>
        FabrikamGraph(HttpMethod.Patch, Partner, GraphHelpers.Trust(accessType, target, targetType));

    private Task CapabilityAsync(string name, bool allowed, (string, string)[] included, (string, string)[]? excluded = null, string path = Partner) =>
        FabrikamGraph(HttpMethod.Post, path + "/m365Capabilities", GraphHelpers.Capability(name, allowed, included, excluded));

    /// <summary>The guide's whole set-up: partner, trust for all users, one free/busy capability for everyone.</summary>
    private async Task XtapAsync(string capability = "crossTenantCalendarAvailabilityBasic")
    {
        await NewPartnerAsync();
        await TrustAsync();
        await CapabilityAsync(capability, true, new[] { ("All", "user") });
    }

    // ---- legacy objects through the admin API ----

    private async Task Admin(string tenant, string cmdlet, object parameters)
    {
        AdminResponse r = await _sandbox.InvokeAsync(tenant, tenant == "contoso" ? _contoso : _fabrikam, cmdlet, parameters);
        Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.NoContent, r.Text);
    }

    private Task ContosoRelationshipAsync(bool enabled = true) => Admin("contoso", "New-OrganizationRelationship", new
    {
        Name = "Fabrikam", DomainNames = new[] { "fabrikam.com" }, Enabled = enabled, TargetApplicationUri = "outlook.com", TargetAutodiscoverEpr = Epr,
    });

    private Task FabrikamRelationshipAsync(string level = "AvailabilityOnly", bool enabled = true, bool freeBusy = true) => Admin("fabrikam", "New-OrganizationRelationship", new
    {
        Name = "Contoso", DomainNames = new[] { "contoso.com" }, Enabled = enabled, FreeBusyAccessEnabled = freeBusy, FreeBusyAccessLevel = level,
    });

    // ---- asking ----

    private async Task<GraphResponse> AskAsync(string requester = Alex, params string[] targets)
    {
        object body = new
        {
            schedules = targets.Length == 0 ? new[] { Lee, Nestor, Pradeep } : targets,
            startTime = new { dateTime = Day + "T08:00:00", timeZone = "UTC" },
            endTime = new { dateTime = Day + "T18:00:00", timeZone = "UTC" },
            availabilityViewInterval = 60,
        };
        GraphResponse r = await _sandbox.GetScheduleAsync(_contoso, requester, body);
        Assert.True(r.Status == HttpStatusCode.OK, r.Text);
        return r;
    }

    /// <summary>Exchange's add/remove syntax, annotated as every real client sends it.</summary>
    private static Dictionary<string, object> Hashtable(string key, object value) =>
        new() { ["@odata.type"] = "#Exchange.GenericHashTable", [key] = value };

    private static void Shared(JsonObject s, bool details)
    {
        Assert.Null(s["error"]);
        Assert.Equal(View, (string?)s["availabilityView"]);
        JsonArray items = s["scheduleItems"]!.AsArray();
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.Equal(details ? new[] { "end", "location", "start", "status", "subject" } : new[] { "end", "start", "status" }, ExchangeAssert.Keys(i)));
        if (details) Assert.Equal("Project sync", (string?)items[0]!["subject"]);
    }

    private static void Refused(JsonObject s, string code, string message, bool emptyView = false)
    {
        Assert.Equal(new[] { "availabilityView", "error", "scheduleId", "scheduleItems" }, ExchangeAssert.Keys(s));
        Assert.Equal(code, (string?)s["error"]!["responseCode"]);
        Assert.Equal(message, (string?)s["error"]!["message"]);
        Assert.Equal(emptyView ? "" : new string('4', View.Length), (string?)s["availabilityView"]);
        Assert.Empty(s["scheduleItems"]!.AsArray());
    }

    private static void NotServedHere(JsonObject s) => Refused(s, "7002", NotServed, emptyView: true);

    [Fact]
    public async Task With_no_legacy_object_the_resource_tenants_capability_serves_free_busy()
    {
        await XtapAsync();
        GraphResponse r = await AskAsync();
        Shared(r.Schedule(Lee), details: false);
        // Basic is times only, whatever the calendar allows.
        Shared(r.Schedule(Nestor), details: false);
        // The calendar's Default permission still caps it.
        Refused(r.Schedule(Pradeep), "ErrorFreeBusyLevelNone",
            "The effective free/busy level for pradeep@fabrikam.com is None: fabrikam.onmicrosoft.com's cross-tenant access policy grants crossTenantCalendarAvailabilityBasic and the calendar's Default permission is None.");

        // LimitedDetails instead: subject and location where the calendar allows them.
        await FabrikamGraph(HttpMethod.Delete, Partner + "/m365Capabilities/crossTenantCalendarAvailabilityBasic");
        await CapabilityAsync("crossTenantCalendarAvailabilityLimitedDetails", true, new[] { ("All", "user") });
        r = await AskAsync(Alex, Lee, Nestor, "boardroom@fabrikam.com");
        Shared(r.Schedule(Nestor), details: true);
        Shared(r.Schedule(Lee), details: false);
        Shared(r.Schedule("boardroom@fabrikam.com"), details: true);
        // An unknown address of the served domain.
        Refused((await AskAsync(Alex, "nobody@fabrikam.com")).Schedule("nobody@fabrikam.com"), "5009", "The SMTP address has no mailbox associated with it.");
    }

    [Fact]
    public async Task Without_partner_trust_or_allowed_capability_the_domain_is_not_served()
    {
        // Nothing at all.
        NotServedHere((await AskAsync()).Schedule(Lee));
        // A partner with a null trust inherits the default, which is blocked until configured.
        await NewPartnerAsync();
        await CapabilityAsync("crossTenantCalendarAvailabilityBasic", true, new[] { ("All", "user") });
        NotServedHere((await AskAsync()).Schedule(Lee));
        // The default allowed: the null trust inherits it.
        await FabrikamGraph(HttpMethod.Patch, XtapKnown.DefaultPath, GraphHelpers.Trust());
        Shared((await AskAsync()).Schedule(Lee), details: false);
        // A blocked trust on the partner wins over the default.
        await TrustAsync("blocked");
        NotServedHere((await AskAsync()).Schedule(Lee));
        await TrustAsync();
        Shared((await AskAsync()).Schedule(Lee), details: false);
        // isAllowed false keeps the object but denies.
        await FabrikamGraph(HttpMethod.Patch, Partner + "/m365Capabilities/crossTenantCalendarAvailabilityBasic", new { inboundAccess = new { isAllowed = false } });
        NotServedHere((await AskAsync()).Schedule(Lee));
        // Another capability (MailTips) is not free/busy.
        await CapabilityAsync("crossTenantMailTipsAll", true, new[] { ("All", "user") });
        NotServedHere((await AskAsync()).Schedule(Lee));
        // Default-policy capabilities are not used for a partner without its own (the conservative reading of the unconfirmed case).
        await CapabilityAsync("crossTenantCalendarAvailabilityLimitedDetails", true, new[] { ("All", "user") }, path: XtapKnown.DefaultPath);
        NotServedHere((await AskAsync()).Schedule(Lee));
        // Nor for a tenant without a partner entry.
        await FabrikamGraph(HttpMethod.Delete, Partner);
        NotServedHere((await AskAsync()).Schedule(Lee));
    }

    [Fact]
    public async Task X_tap_is_inbound_only_the_resource_tenant_decides()
    {
        // Contoso configures X-TAP for fabrikam: that exposes contoso's mailboxes to fabrikam, not fabrikam's to contoso.
        string contosoGraph = await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
        Assert.Equal(HttpStatusCode.Created, (await _sandbox.GraphAsync(HttpMethod.Post, XtapKnown.PartnersPath, contosoGraph, new { tenantId = Known.FabrikamId })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _sandbox.GraphAsync(HttpMethod.Patch, $"{XtapKnown.PartnersPath}/{Known.FabrikamId}", contosoGraph, GraphHelpers.Trust())).Status);
        Assert.Equal(HttpStatusCode.Created, (await _sandbox.GraphAsync(HttpMethod.Post, $"{XtapKnown.PartnersPath}/{Known.FabrikamId}/m365Capabilities", contosoGraph,
            GraphHelpers.Capability("crossTenantCalendarAvailabilityLimitedDetails", true, new[] { ("All", "user") }))).Status);
        NotServedHere((await AskAsync()).Schedule(Lee));

        object body = new
        {
            schedules = new[] { "megan@contoso.com" },
            startTime = new { dateTime = Day + "T08:00:00", timeZone = "UTC" },
            endTime = new { dateTime = Day + "T18:00:00", timeZone = "UTC" },
            availabilityViewInterval = 60,
        };
        GraphResponse leeAsks = await _sandbox.GetScheduleAsync(_fabrikam, Lee, body);
        Shared(leeAsks.Schedule("megan@contoso.com"), details: true);
    }

    [Fact]
    public async Task Resource_scopes_decide_per_mailbox_and_excluded_wins()
    {
        await NewPartnerAsync();
        await TrustAsync();
        // Only the FreeBusyShared group (lee): nestor is out of scope, which Exchange reports as 5016 with an empty view.
        await CapabilityAsync("crossTenantCalendarAvailabilityBasic", true, new[] { (XtapKnown.FabrikamFreeBusySharedGroup, "group") });
        GraphResponse r = await AskAsync();
        Shared(r.Schedule(Lee), details: false);
        Refused(r.Schedule(Nestor), "5016", OutOfScope, emptyView: true);

        // All but lee (excluded wins over included).
        JsonObject scopes = GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { ("All", "user") }, new[] { (XtapKnown.LeeObjectId, "user") });
        scopes.Remove("@odata.type");
        await FabrikamGraph(HttpMethod.Patch, Partner + "/m365Capabilities/crossTenantCalendarAvailabilityBasic", scopes);
        r = await AskAsync();
        Refused(r.Schedule(Lee), "5016", OutOfScope, emptyView: true);
        Shared(r.Schedule(Nestor), details: false);

        // The guide's excluded: [{}] excludes nobody.
        JsonObject guide = GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { ("All", "user") });
        guide["inboundAccess"]!["resourceScopes"]!["excluded"] = new JsonArray(new JsonObject());
        guide.Remove("@odata.type");
        await FabrikamGraph(HttpMethod.Patch, Partner + "/m365Capabilities/crossTenantCalendarAvailabilityBasic", guide);
        r = await AskAsync();
        Shared(r.Schedule(Lee), details: false);
        Shared(r.Schedule(Nestor), details: false);

        // A group excluded removes its members; a user included by id.
        JsonObject byIds = GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true,
            new[] { (XtapKnown.LeeObjectId, "user"), ("All", "group") }, new[] { (XtapKnown.FabrikamFreeBusySharedGroup, "group") });
        byIds.Remove("@odata.type");
        await FabrikamGraph(HttpMethod.Patch, Partner + "/m365Capabilities/crossTenantCalendarAvailabilityBasic", byIds);
        r = await AskAsync();
        Refused(r.Schedule(Lee), "5016", OutOfScope, emptyView: true);
        Shared(r.Schedule(Nestor), details: false);

        // A trust scoped to one of contoso's users: alex is let in, megan is not.
        await TrustAsync("allowed", XtapKnown.AlexObjectId, "user");
        Shared((await AskAsync(Alex, Nestor)).Schedule(Nestor), details: false);
        NotServedHere((await AskAsync("megan@contoso.com", Nestor)).Schedule(Nestor));
        // ... or by a group of contoso's (CalendarSharing holds alex, not megan).
        await TrustAsync("allowed", XtapKnown.ContosoCalendarSharingGroup, "group");
        Shared((await AskAsync(Alex, Nestor)).Schedule(Nestor), details: false);
        NotServedHere((await AskAsync("megan@contoso.com", Nestor)).Schedule(Nestor));
        // A blocked trust naming alex blocks only alex.
        await TrustAsync("blocked", XtapKnown.AlexObjectId, "user");
        NotServedHere((await AskAsync(Alex, Nestor)).Schedule(Nestor));
        Shared((await AskAsync("megan@contoso.com", Nestor)).Schedule(Nestor), details: false);
    }

    [Fact]
    public async Task With_both_free_busy_levels_the_lower_one_in_scope_applies()
    {
        await XtapAsync();
        await CapabilityAsync("crossTenantCalendarAvailabilityLimitedDetails", true, new[] { ("All", "user") });
        Shared((await AskAsync()).Schedule(Nestor), details: false);
        // Basic only for lee: nestor is in LimitedDetails' scope alone and gets details.
        JsonObject leeOnly = GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { (XtapKnown.LeeObjectId, "user") });
        leeOnly.Remove("@odata.type");
        await FabrikamGraph(HttpMethod.Patch, Partner + "/m365Capabilities/crossTenantCalendarAvailabilityBasic", leeOnly);
        GraphResponse r = await AskAsync(Alex, Lee, Nestor, "boardroom@fabrikam.com");
        Shared(r.Schedule(Nestor), details: true);
        Shared(r.Schedule("boardroom@fabrikam.com"), details: true);
        Shared(r.Schedule(Lee), details: false);
    }

    [Fact]
    public async Task Legacy_relationships_take_precedence_while_enabled_on_either_side()
    {
        await XtapAsync("crossTenantCalendarAvailabilityLimitedDetails");
        Shared((await AskAsync()).Schedule(Nestor), details: true);

        // Contoso's relationship alone (the requester's side): the legacy path answers, and fabrikam shares nothing there.
        await ContosoRelationshipAsync();
        Refused((await AskAsync()).Schedule(Nestor), "ErrorFreeBusyAccessDenied", "fabrikam.onmicrosoft.com does not share free/busy with contoso.com.");
        // Both sides, at AvailabilityOnly: legacy wins over X-TAP's LimitedDetails.
        await FabrikamRelationshipAsync("AvailabilityOnly");
        Shared((await AskAsync()).Schedule(Nestor), details: false);
        // Contoso disables its side: fabrikam's still holds the request on the legacy path.
        await Admin("contoso", "Set-OrganizationRelationship", new { Identity = "Fabrikam", Enabled = false, Force = true });
        Refused((await AskAsync()).Schedule(Nestor), "ErrorNoOrganizationRelationship",
            "The organization relationship 'Fabrikam' in contoso.onmicrosoft.com covers fabrikam.com but is disabled, so free/busy for it is not requested.");
        // Fabrikam's without free/busy does not count; disabled neither: X-TAP answers once both sides are off.
        await Admin("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", FreeBusyAccessEnabled = false });
        Shared((await AskAsync()).Schedule(Nestor), details: true);
        await Admin("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", FreeBusyAccessEnabled = true, Enabled = false, Force = true });
        Shared((await AskAsync()).Schedule(Nestor), details: true);
        // Rollback: enabling a side brings the legacy path back.
        await Admin("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", Enabled = true, Force = true });
        Refused((await AskAsync()).Schedule(Nestor), "ErrorNoOrganizationRelationship",
            "The organization relationship 'Fabrikam' in contoso.onmicrosoft.com covers fabrikam.com but is disabled, so free/busy for it is not requested.");
    }

    [Fact]
    public async Task A_blocked_EWS_in_the_target_tenant_fails_the_legacy_path_and_X_tap_works_once_both_sides_are_off()
    {
        await ContosoRelationshipAsync();
        await FabrikamRelationshipAsync("LimitedDetails");
        Shared((await AskAsync()).Schedule(Nestor), details: true);

        // Microsoft's block reaches fabrikam (EwsEnabled not set, switched to False): the seed pipeline turns into hash marks.
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/fabrikam/ews-block?value=true");
        GraphResponse blocked = await AskAsync();
        foreach (string mailbox in new[] { Lee, Nestor, Pradeep })
        {
            Refused(blocked.Schedule(mailbox), "ErrorLegacyFreeBusyBlocked",
                "fabrikam.onmicrosoft.com blocks EWS (EwsEnabled is False), so it serves no free/busy through organization relationships.");
        }
        // EwsEnabled True keeps the cross-tenant relationship traffic (until 2027-04-01).
        await Admin("fabrikam", "Set-OrganizationConfig", new { EwsEnabled = true });
        Shared((await AskAsync()).Schedule(Nestor), details: true);
        await Admin("fabrikam", "Set-OrganizationConfig", new { EwsEnabled = false });
        Refused((await AskAsync()).Schedule(Nestor), "ErrorLegacyFreeBusyBlocked",
            "fabrikam.onmicrosoft.com blocks EWS (EwsEnabled is False), so it serves no free/busy through organization relationships.");
        await Admin("fabrikam", "Set-OrganizationConfig", new { EwsEnabled = true });

        // Only the requester's tenant blocked: the partner still answers (its EWS decides, docs/cross-tenant-access.md §1.5).
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/ews-block?value=true");
        Shared((await AskAsync()).Schedule(Nestor), details: true);

        // After 2027-04-01 nothing legacy works, EwsEnabled or not.
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/ews-retired?value=true");
        Refused((await AskAsync()).Schedule(Nestor), "ErrorLegacyFreeBusyBlocked",
            "EWS was retired on 2027-04-01, so fabrikam.onmicrosoft.com serves no free/busy through organization relationships.");
        // X-TAP configured, but the legacy objects still hold the request.
        await XtapAsync("crossTenantCalendarAvailabilityLimitedDetails");
        Assert.Equal("ErrorLegacyFreeBusyBlocked", (string?)(await AskAsync()).Schedule(Nestor)["error"]!["responseCode"]);
        // Disabled on both sides: X-TAP answers, EWS or not.
        await Admin("contoso", "Set-OrganizationRelationship", new { Identity = "Fabrikam", Enabled = false, Force = true });
        await Admin("fabrikam", "Set-OrganizationRelationship", new { Identity = "Contoso", Enabled = false, Force = true });
        Shared((await AskAsync()).Schedule(Nestor), details: true);
    }

    [Fact]
    public async Task An_OrgWideFBToken_address_space_is_legacy_too_and_needs_no_EWS()
    {
        await XtapAsync();
        await Admin("contoso", "Add-AvailabilityAddressSpace", new { ForestName = "fabrikam.com", AccessMethod = "OrgWideFBToken", TargetTenantId = Known.FabrikamId, TargetServiceEpr = "outlook.office.com" });
        // The address space answers with the calendars' Default permission (X-TAP would give times only).
        GraphResponse r = await AskAsync();
        Shared(r.Schedule(Nestor), details: true);
        Shared(r.Schedule(Lee), details: false);
        Refused(r.Schedule(Pradeep), "ErrorFreeBusyLevelNone", "The calendar of pradeep@fabrikam.com grants its Default user None, so it shares no free/busy.");
        // It does not depend on EWS (Exchange Team FAQ of 2026-08-18).
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/fabrikam/ews-block?value=true");
        Shared((await AskAsync()).Schedule(Nestor), details: true);
        // Only an OrgWideFBToken address space counts, and it must target the tenant that owns the domain.
        await Admin("contoso", "Remove-AvailabilityAddressSpace", new { Identity = "fabrikam.com", Confirm = false });
        await Admin("contoso", "Add-AvailabilityAddressSpace", new { ForestName = "fabrikam.com", AccessMethod = "OrgWideFBToken", TargetTenantId = XtapKnown.LitwareId, TargetServiceEpr = "outlook.office.com" });
        Refused((await AskAsync()).Schedule(Nestor), "ErrorAvailabilityAddressSpaceMismatch",
            $"The availability address space 'fabrikam.com' in contoso.onmicrosoft.com targets tenant {XtapKnown.LitwareId}, but fabrikam.com belongs to tenant {Known.FabrikamId}, so free/busy for it is not served.");
        await Admin("contoso", "Remove-AvailabilityAddressSpace", new { Identity = "fabrikam.com", Confirm = false });
        await Admin("contoso", "Add-AvailabilityAddressSpace", new { ForestName = "fabrikam.com", AccessMethod = "PerUserFB", UseServiceAccount = true });
        Shared((await AskAsync()).Schedule(Nestor), details: false);
        // Removed (there is no disable): X-TAP answers.
        await Admin("contoso", "Remove-AvailabilityAddressSpace", new { Identity = "fabrikam.com", Confirm = false });
        Shared((await AskAsync()).Schedule(Nestor), details: false);
    }

    [Fact]
    public async Task A_sharing_policy_rule_naming_the_partner_holds_the_request_on_the_legacy_path()
    {
        await XtapAsync();
        // The default policy's "*" and Anonymous entries do not hold it: X-TAP serves with the shipped default policy.
        Shared((await AskAsync()).Schedule(Lee), details: false);

        // Fabrikam's policy (the one lee and nestor follow) names contoso.com.
        await Admin("fabrikam", "Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = Hashtable("Add", "contoso.com:CalendarSharingFreeBusySimple") });
        Refused((await AskAsync()).Schedule(Lee), "ErrorNoOrganizationRelationship",
            "No organization relationship in contoso.onmicrosoft.com covers fabrikam.com, so free/busy for it is not requested.");
        // A disabled policy holds nothing.
        await Admin("fabrikam", "Set-SharingPolicy", new { Identity = "Default Sharing Policy", Enabled = false });
        Shared((await AskAsync()).Schedule(Lee), details: false);
        await Admin("fabrikam", "Set-SharingPolicy", new { Identity = "Default Sharing Policy", Enabled = true, Domains = Hashtable("Remove", "contoso.com:CalendarSharingFreeBusySimple") });
        Shared((await AskAsync()).Schedule(Lee), details: false);

        // The requester's side counts too: contoso's policy (alex's) names fabrikam.com.
        await Admin("contoso", "Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = Hashtable("Add", "fabrikam.com:CalendarSharingFreeBusyDetail") });
        Assert.Equal("ErrorNoOrganizationRelationship", (string?)(await AskAsync()).Schedule(Lee)["error"]!["responseCode"]);
        // Contacts sharing alone is not calendar sharing.
        await Admin("contoso", "Set-SharingPolicy", new { Identity = "Default Sharing Policy", Domains = new[] { "fabrikam.com:ContactsSharing" } });
        Shared((await AskAsync()).Schedule(Lee), details: false);
    }

    [Fact]
    public async Task Windows_time_zones_in_the_request_and_Prefer_outlook_timezone_for_the_answer()
    {
        // 00:00 to 10:00 Pacific is 08:00 to 18:00 UTC in January.
        object body = new
        {
            schedules = new[] { "megan@contoso.com" },
            startTime = new { dateTime = Day + "T00:00:00", timeZone = "Pacific Standard Time" },
            endTime = new { dateTime = Day + "T10:00:00", timeZone = "Pacific Standard Time" },
            availabilityViewInterval = 60,
        };
        GraphResponse utc = await _sandbox.GetScheduleAsync(_contoso, Alex, body);
        Assert.True(utc.Status == HttpStatusCode.OK, utc.Text);
        JsonObject s = utc.Schedule("megan@contoso.com");
        Assert.Equal(View, (string?)s["availabilityView"]);
        Assert.Equal($"{Day}T09:00:00.0000000", (string?)s["scheduleItems"]![0]!["start"]!["dateTime"]);
        Assert.Equal("UTC", (string?)s["scheduleItems"]![0]!["start"]!["timeZone"]);

        // Prefer: outlook.timezone gives the items in that zone, labelled as asked.
        using var request = new HttpRequestMessage(HttpMethod.Post, _sandbox.Origin + "/v1.0/users/alex@contoso.com/calendar/getSchedule")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _contoso);
        request.Headers.TryAddWithoutValidation("Prefer", "outlook.timezone=\"Pacific Standard Time\"");
        using HttpResponseMessage response = await _sandbox.Http.SendAsync(request);
        Assert.Equal("outlook.timezone=\"Pacific Standard Time\"", string.Join(",", response.Headers.GetValues("Preference-Applied")));
        JsonObject pacific = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]![0]!.AsObject();
        Assert.Equal(View, (string?)pacific["availabilityView"]);
        JsonObject first = pacific["scheduleItems"]![0]!.AsObject();
        Assert.Equal($"{Day}T01:00:00.0000000", (string?)first["start"]!["dateTime"]);
        Assert.Equal("Pacific Standard Time", (string?)first["start"]!["timeZone"]);
        Assert.Equal($"{Day}T02:00:00.0000000", (string?)first["end"]!["dateTime"]);

        // IANA ids work both ways; an unknown preferred zone is ignored (UTC), an unknown request zone is refused.
        object paris = new
        {
            schedules = new[] { "megan@contoso.com" },
            startTime = new { dateTime = Day + "T09:00:00", timeZone = "Europe/Paris" },
            endTime = new { dateTime = Day + "T19:00:00", timeZone = "W. Europe Standard Time" },
            availabilityViewInterval = 60,
        };
        Assert.Equal(View, (string?)(await _sandbox.GetScheduleAsync(_contoso, Alex, paris)).Schedule("megan@contoso.com")["availabilityView"]);
        using var unknown = new HttpRequestMessage(HttpMethod.Post, _sandbox.Origin + "/v1.0/users/alex@contoso.com/calendar/getSchedule")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"),
        };
        unknown.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _contoso);
        unknown.Headers.TryAddWithoutValidation("Prefer", "outlook.timezone=\"Mars Standard Time\"");
        using HttpResponseMessage ignored = await _sandbox.Http.SendAsync(unknown);
        Assert.False(ignored.Headers.Contains("Preference-Applied"));
        Assert.Equal("UTC", (string?)JsonNode.Parse(await ignored.Content.ReadAsStringAsync())!["value"]![0]!["scheduleItems"]![0]!["start"]!["timeZone"]);
    }
}
