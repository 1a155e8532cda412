using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>
/// Graph's Microsoft 365 cross-tenant access policy in the sandbox: the default, partners and m365Capabilities as the
/// docs show them (wire forms, status codes, Graph errors), the duplicate 409, paging, the replication window, faults,
/// findTenantInformationByDomainName and the request log. Called as contoso's automation app (all four permissions).
/// </summary>
public sealed class CrossTenantAccessTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private readonly AuthSandbox _sandbox;
    private string _app = "";

    public CrossTenantAccessTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync()
    {
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        _app = await _sandbox.GraphAppTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<GraphCall> Get(string path) => _sandbox.GraphAsync(HttpMethod.Get, path, _app);

    private Task<GraphCall> Post(string path, object body) => _sandbox.GraphAsync(HttpMethod.Post, path, _app, body);

    private Task<GraphCall> Patch(string path, object body) => _sandbox.GraphAsync(HttpMethod.Patch, path, _app, body);

    private Task<GraphCall> Delete(string path) => _sandbox.GraphAsync(HttpMethod.Delete, path, _app);

    private static void Status(GraphCall r, HttpStatusCode expected) => Assert.True(r.Status == expected, $"Expected {(int)expected}, got {(int)r.Status}: {r.Text}");

    private async Task<GraphCall> NewPartnerAsync(string tenantId)
    {
        GraphCall r = await Post(XtapKnown.PartnersPath, new { tenantId });
        Status(r, HttpStatusCode.Created);
        return r;
    }

    [Fact]
    public async Task The_default_shows_m365_collaboration_blocked_until_it_is_configured()
    {
        foreach (string version in new[] { "/v1.0", "/beta" })
        {
            GraphCall r = await Get(version + XtapKnown.DefaultPath);
            Status(r, HttpStatusCode.OK);
            Assert.StartsWith("application/json", r.ContentType);
            Assert.True(Guid.TryParse(r.Header("request-id"), out _));
            JsonObject d = r.Json;
            Assert.Equal($"{_sandbox.Origin}{version}/$metadata#policies/crossTenantAccessPolicy/default/$entity", (string?)d["@odata.context"]);
            Assert.True(Guid.TryParse((string?)d["id"], out _));
            Assert.True((bool)d["isServiceDefault"]!);
            Assert.Equal("blocked", (string?)d["m365CollaborationInbound"]!["users"]!["accessType"]);
            Assert.Equal("AllUsers", (string?)d["m365CollaborationInbound"]!["users"]!["targets"]![0]!["target"]);
            Assert.Equal("user", (string?)d["m365CollaborationInbound"]!["users"]!["targets"]![0]!["targetType"]);
            Assert.Equal("allowed", (string?)d["m365CollaborationOutbound"]!["usersAndGroups"]!["accessType"]);
            Assert.Equal("allowed", (string?)d["b2bCollaborationInbound"]!["usersAndGroups"]!["accessType"]);
            Assert.Equal("blocked", (string?)d["b2bDirectConnectInbound"]!["usersAndGroups"]!["accessType"]);
            Assert.False((bool)d["inboundTrust"]!["isMfaAccepted"]!);
        }

        // PATCH the default's trust: 204, and the default is no longer the service's.
        Status(await Patch(XtapKnown.DefaultPath, GraphHelpers.Trust()), HttpStatusCode.NoContent);
        JsonObject after = (await Get(XtapKnown.DefaultPath)).Json;
        Assert.Equal("allowed", (string?)after["m365CollaborationInbound"]!["users"]!["accessType"]);
        Assert.False((bool)after["isServiceDefault"]!);
        // The default's trust can't be null, and a bad accessType is refused.
        GraphHelpers.GraphError(await Patch(XtapKnown.DefaultPath, new JsonObject { ["m365CollaborationInbound"] = null }), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Patch(XtapKnown.DefaultPath, GraphHelpers.Trust("sometimes")), HttpStatusCode.BadRequest, "BadRequest", "Requested value 'sometimes' was not found.");
        // A reset brings back the configured default.
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        Assert.Equal("blocked", (string?)(await Get(XtapKnown.DefaultPath)).Json["m365CollaborationInbound"]!["users"]!["accessType"]);
    }

    [Fact]
    public async Task Sandbox_json_sets_the_defaults_trust_per_tenant()
    {
        SandboxConfig config = AuthSandbox.LoadConfig();
        config.Tenants.Single(t => t.Name == "fabrikam").CrossTenantAccess = JsonNode.Parse("""
            { "default": { "m365CollaborationInbound": "allowed" },
              "partners": [ { "tenantId": "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11",
                              "m365Capabilities": [ { "@odata.type": "#microsoft.graph.crossTenantCalendarAvailabilityBasic",
                                                      "inboundAccess": { "isAllowed": true, "resourceScopes": { "included": [ { "resourceId": "All", "resourceType": "user" } ], "excluded": [] } } } ] } ] }
            """)!.AsObject();
        await using SandboxServer server = await SandboxServer.StartAsync(config, new SandboxServerOptions { HttpListeners = 1 });
        string origin = server.BaseUri.ToString().TrimEnd('/');
        using var http = new HttpClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = Known.FabrikamApp, ["client_secret"] = Known.FabrikamSecret, ["scope"] = origin + "/.default",
        });
        JsonObject token = JsonNode.Parse(await (await http.PostAsync($"{origin}/fabrikam/oauth2/v2.0/token", form)).Content.ReadAsStringAsync())!.AsObject();
        using var request = new HttpRequestMessage(HttpMethod.Get, origin + "/v1.0" + XtapKnown.DefaultPath);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (string)token["access_token"]!);
        JsonObject d = JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("allowed", (string?)d["m365CollaborationInbound"]!["users"]!["accessType"]);
        Assert.False((bool)d["isServiceDefault"]!);
        JsonObject state = JsonNode.Parse(await http.GetStringAsync(origin + "/_sandbox/tenants/fabrikam/cross-tenant-access"))!.AsObject();
        Assert.Equal(Known.ContosoId, (string?)state["partners"]![0]!["tenantId"]);
        Assert.Equal("crossTenantCalendarAvailabilityBasic", (string?)state["partners"]![0]!["m365Capabilities"]![0]!["name"]);

        // A configuration Graph would refuse does not start.
        config.Tenants.Single(t => t.Name == "fabrikam").CrossTenantAccess = JsonNode.Parse("""{ "default": { "m365CollaborationInbound": "maybe" } }""")!.AsObject();
        Assert.Throws<InvalidDataException>(config.Validate);
    }

    [Fact]
    public async Task Partners_are_created_read_patched_and_deleted_as_the_docs_show()
    {
        Assert.Empty((await Get(XtapKnown.PartnersPath)).Value);
        GraphCall created = await NewPartnerAsync(Known.FabrikamId);
        JsonObject p = created.Json;
        Assert.Equal($"{_sandbox.Origin}/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity", (string?)p["@odata.context"]);
        Assert.Equal(Known.FabrikamId, (string?)p["tenantId"]);
        // A fresh partner inherits: m365CollaborationInbound null (Learn's GET sample).
        Assert.True(p.ContainsKey("m365CollaborationInbound"));
        Assert.Null(p["m365CollaborationInbound"]);
        Assert.Null(p["m365CollaborationOutbound"]);
        Assert.Null(p["b2bCollaborationInbound"]);
        Assert.False((bool)p["isInMultiTenantOrganization"]!);
        Assert.Equal(new[] { "inboundAllowed", "outboundAllowed" }, ExchangeAssert.Keys(p["automaticUserConsentSettings"]));

        GraphCall read = await Get($"{XtapKnown.PartnersPath}/{Known.FabrikamId}");
        Status(read, HttpStatusCode.OK);
        Assert.Equal(Known.FabrikamId, (string?)read.Json["tenantId"]);
        Assert.Equal(Known.FabrikamId, (string?)Assert.Single((await Get(XtapKnown.PartnersPath)).Value)!["tenantId"]);

        // A second create: Entra's duplicate-key answer (code and message from its troubleshooting docs; 409 is the sandbox's choice).
        GraphHelpers.GraphError(await Post(XtapKnown.PartnersPath, new { tenantId = Known.FabrikamId }), HttpStatusCode.Conflict,
            "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property tenantId already exists.");

        // The trust: PATCH answers 204 with no body.
        GraphCall patched = await Patch($"{XtapKnown.PartnersPath}/{Known.FabrikamId}", GraphHelpers.Trust());
        Status(patched, HttpStatusCode.NoContent);
        Assert.Equal("", patched.Text);
        JsonObject trust = (await Get($"{XtapKnown.PartnersPath}/{Known.FabrikamId}")).Json["m365CollaborationInbound"]!.AsObject();
        Assert.Equal("allowed", (string?)trust["users"]!["accessType"]);
        // A PATCH replaces the whole block: a scoped, blocked trust keeps nothing of the previous one.
        Status(await Patch($"{XtapKnown.PartnersPath}/{Known.FabrikamId}", GraphHelpers.Trust("blocked", XtapKnown.LeeObjectId, "user")), HttpStatusCode.NoContent);
        JsonObject users = (await Get($"{XtapKnown.PartnersPath}/{Known.FabrikamId}")).Json["m365CollaborationInbound"]!["users"]!.AsObject();
        Assert.Equal("blocked", (string?)users["accessType"]);
        Assert.Equal(XtapKnown.LeeObjectId, (string?)Assert.Single(users["targets"]!.AsArray())!["target"]);
        // null goes back to inheriting; other properties are left alone.
        Status(await Patch($"{XtapKnown.PartnersPath}/{Known.FabrikamId}", new JsonObject { ["m365CollaborationInbound"] = null, ["isServiceProvider"] = true }), HttpStatusCode.NoContent);
        JsonObject again = (await Get($"{XtapKnown.PartnersPath}/{Known.FabrikamId}")).Json;
        Assert.Null(again["m365CollaborationInbound"]);
        Assert.True((bool)again["isServiceProvider"]!);

        // Refusals.
        GraphHelpers.GraphError(await Patch($"{XtapKnown.PartnersPath}/{Known.FabrikamId}", new { tenantId = Known.ContosoId }), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Patch($"{XtapKnown.PartnersPath}/{Known.FabrikamId}", new { colour = "blue" }), HttpStatusCode.BadRequest, "BadRequest",
            "The property 'colour' does not exist on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'. Make sure to only use property names that are defined by the type or mark the type as open type.");
        GraphHelpers.GraphError(await Patch($"{XtapKnown.PartnersPath}/{Known.FabrikamId}", new JsonObject { ["m365CollaborationInbound"] = new JsonObject { ["users"] = new JsonObject { ["accessType"] = "allowed" } } }),
            HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Post(XtapKnown.PartnersPath, new { tenantId = Known.ContosoId }), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Post(XtapKnown.PartnersPath, new { isServiceProvider = true }), HttpStatusCode.BadRequest, "Request_BadRequest", "The 'tenantId' property is required.");
        GraphHelpers.GraphError(await Post(XtapKnown.PartnersPath, new { tenantId = "fabrikam.com" }), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Get($"{XtapKnown.PartnersPath}/not-a-guid"), HttpStatusCode.BadRequest, "Request_BadRequest", "Invalid object identifier 'not-a-guid'.");
        GraphHelpers.GraphError(await _sandbox.GraphAsync(HttpMethod.Post, XtapKnown.PartnersPath, _app, rawBody: "{nope"), HttpStatusCode.BadRequest, "BadRequest");
        GraphHelpers.GraphError(await Get("/policies/crossTenantAccessPolicy/partnerz"), HttpStatusCode.BadRequest, "BadRequest", "Resource not found for the segment 'partnerz'.");
        GraphHelpers.GraphError(await _sandbox.GraphAsync(HttpMethod.Put, $"{XtapKnown.PartnersPath}/{Known.FabrikamId}", _app, new { }), HttpStatusCode.MethodNotAllowed, "Request_BadRequest");

        // The trust may come with the create, as the guide does it (one call).
        GraphCall withTrust = await Post(XtapKnown.PartnersPath, new JsonObject { ["tenantId"] = XtapKnown.LitwareId, ["m365CollaborationInbound"] = GraphHelpers.Trust()["m365CollaborationInbound"]!.DeepClone() });
        Status(withTrust, HttpStatusCode.Created);
        Assert.Equal("allowed", (string?)withTrust.Json["m365CollaborationInbound"]!["users"]!["accessType"]);

        // Delete: 204, then 404 for it (Request_ResourceNotFound, the directory's wording).
        Status(await Delete($"{XtapKnown.PartnersPath}/{Known.FabrikamId}"), HttpStatusCode.NoContent);
        string clientRequestId = Guid.NewGuid().ToString();
        GraphCall gone = await _sandbox.GraphAsync(HttpMethod.Get, $"{XtapKnown.PartnersPath}/{Known.FabrikamId}", _app, clientRequestId: clientRequestId);
        GraphHelpers.GraphError(gone, HttpStatusCode.NotFound, "Request_ResourceNotFound",
            $"Resource '{Known.FabrikamId}' does not exist or one of its queried reference-property objects are not present.");
        Assert.Equal(clientRequestId, (string?)gone.Json["error"]!["innerError"]!["client-request-id"]);
        GraphHelpers.GraphError(await Delete($"{XtapKnown.PartnersPath}/{Known.FabrikamId}"), HttpStatusCode.NotFound, "Request_ResourceNotFound");
        GraphHelpers.GraphError(await Patch($"{XtapKnown.PartnersPath}/{Known.FabrikamId}", GraphHelpers.Trust()), HttpStatusCode.NotFound, "Request_ResourceNotFound");
    }

    [Fact]
    public async Task Capabilities_are_a_heterogeneous_collection_keyed_by_their_type_name()
    {
        await NewPartnerAsync(Known.FabrikamId);
        string caps = $"{XtapKnown.PartnersPath}/{Known.FabrikamId}/m365Capabilities";
        GraphCall empty = await Get(caps);
        Status(empty, HttpStatusCode.OK);
        Assert.Equal($"{_sandbox.Origin}/v1.0/$metadata#policies/crossTenantAccessPolicy/partners('{Known.FabrikamId}')/m365Capabilities", (string?)empty.Json["@odata.context"]);
        Assert.Empty(empty.Value);

        GraphCall basic = await Post(caps, GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { ("All", "user") }));
        Status(basic, HttpStatusCode.Created);
        JsonObject b = basic.Json;
        Assert.Equal("#microsoft.graph.crossTenantCalendarAvailabilityBasic", (string?)b["@odata.type"]);
        Assert.Equal("crossTenantCalendarAvailabilityBasic", (string?)b["name"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", (string?)b["lastModifiedDateTime"]);
        Assert.True((bool)b["inboundAccess"]!["isAllowed"]!);
        Assert.Equal("All", (string?)b["inboundAccess"]!["resourceScopes"]!["included"]![0]!["resourceId"]);
        Assert.Equal("user", (string?)b["inboundAccess"]!["resourceScopes"]!["included"]![0]!["resourceType"]);
        Assert.Empty(b["inboundAccess"]!["resourceScopes"]!["excluded"]!.AsArray());
        GraphHelpers.GraphError(await Post(caps, GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", false, new[] { ("All", "user") })),
            HttpStatusCode.Conflict, "Request_MultipleObjectsWithSameKeyValue");

        // The guide's "excluded": [{}] is accepted and kept (an entry without resourceId).
        JsonObject mailTips = GraphHelpers.Capability("crossTenantMailTipsLimited", true, new[] { (XtapKnown.ContosoCalendarSharingGroup, "group") });
        mailTips["inboundAccess"]!["resourceScopes"]!["excluded"] = new JsonArray(new JsonObject());
        Status(await Post(caps, mailTips), HttpStatusCode.Created);
        JsonArray list = (await Get(caps)).Value;
        Assert.Equal(new[] { "#microsoft.graph.crossTenantCalendarAvailabilityBasic", "#microsoft.graph.crossTenantMailTipsLimited" }, list.Select(c => (string)c!["@odata.type"]!).ToArray());
        JsonObject excluded = list[1]!["inboundAccess"]!["resourceScopes"]!["excluded"]![0]!.AsObject();
        Assert.Null(excluded["resourceId"]);

        // One capability by name (case-sensitive).
        GraphCall one = await Get(caps + "/crossTenantMailTipsLimited");
        Status(one, HttpStatusCode.OK);
        Assert.EndsWith("/m365Capabilities/$entity", (string?)one.Json["@odata.context"]);
        Assert.Equal(XtapKnown.ContosoCalendarSharingGroup, (string?)one.Json["inboundAccess"]!["resourceScopes"]!["included"]![0]!["resourceId"]);
        GraphHelpers.GraphError(await Get(caps + "/crosstenantmailtipslimited"), HttpStatusCode.NotFound, "Request_ResourceNotFound");

        // PATCH: only inboundAccess; isAllowed alone keeps the scopes; resourceScopes given replace them.
        string modified = (string)b["lastModifiedDateTime"]!;
        Status(await Patch(caps + "/crossTenantCalendarAvailabilityBasic", new { inboundAccess = new { isAllowed = false } }), HttpStatusCode.NoContent);
        JsonObject patched = (await Get(caps + "/crossTenantCalendarAvailabilityBasic")).Json;
        Assert.False((bool)patched["inboundAccess"]!["isAllowed"]!);
        Assert.Equal("All", (string?)patched["inboundAccess"]!["resourceScopes"]!["included"]![0]!["resourceId"]);
        Assert.True(string.CompareOrdinal((string)patched["lastModifiedDateTime"]!, modified) >= 0);
        JsonObject scoped = GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { (XtapKnown.ContosoCalendarSharingGroup, "group"), (XtapKnown.AlexObjectId, "user") });
        scoped.Remove("@odata.type");
        Status(await Patch(caps + "/crossTenantCalendarAvailabilityBasic", scoped), HttpStatusCode.NoContent);
        JsonArray included = (await Get(caps + "/crossTenantCalendarAvailabilityBasic")).Json["inboundAccess"]!["resourceScopes"]!["included"]!.AsArray();
        Assert.Equal(new[] { XtapKnown.ContosoCalendarSharingGroup, XtapKnown.AlexObjectId }, included.Select(i => (string)i!["resourceId"]!).ToArray());
        GraphHelpers.GraphError(await Patch(caps + "/crossTenantCalendarAvailabilityBasic", new { name = "crossTenantMailTipsAll" }), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Patch(caps + "/crossTenantMailTipsAll", new { inboundAccess = new { isAllowed = true } }), HttpStatusCode.NotFound, "Request_ResourceNotFound");

        // Create refusals: no @odata.type, an unknown (or wrongly cased) type, no inboundAccess, an object id the tenant lacks.
        GraphHelpers.GraphError(await Post(caps, new { inboundAccess = new { isAllowed = true } }), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Post(caps, GraphHelpers.Capability("crossTenantCalendarAvailabilitybasic", true, new[] { ("All", "user") })), HttpStatusCode.BadRequest, "BadRequest",
            "A type named 'microsoft.graph.crossTenantCalendarAvailabilitybasic' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.");
        GraphHelpers.GraphError(await Post(caps, new JsonObject { ["@odata.type"] = "#microsoft.graph.crossTenantMailTipsAll" }), HttpStatusCode.BadRequest, "Request_BadRequest", "The 'inboundAccess' property is required.");
        GraphHelpers.GraphError(await Post(caps, GraphHelpers.Capability("crossTenantMailTipsAll", true, new[] { (Guid.NewGuid().ToString(), "group") })), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Post(caps, GraphHelpers.Capability("crossTenantMailTipsAll", true, new[] { ("everyone", "user") })), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Post(caps, GraphHelpers.Capability("crossTenantMailTipsAll", true, new[] { ("All", "users") })), HttpStatusCode.BadRequest, "BadRequest", "Requested value 'users' was not found.");
        // A fabrikam group id means nothing in contoso's policy: resourceScopes name the resource tenant's own objects.
        GraphHelpers.GraphError(await Post(caps, GraphHelpers.Capability("crossTenantMailTipsAll", true, new[] { (XtapKnown.FabrikamFreeBusySharedGroup, "group") })), HttpStatusCode.BadRequest, "Request_BadRequest");

        // Delete, and the partner's capabilities go with it.
        Status(await Delete(caps + "/crossTenantMailTipsLimited"), HttpStatusCode.NoContent);
        Assert.Single((await Get(caps)).Value);
        GraphHelpers.GraphError(await Delete(caps + "/crossTenantMailTipsLimited"), HttpStatusCode.NotFound, "Request_ResourceNotFound");
        Status(await Delete($"{XtapKnown.PartnersPath}/{Known.FabrikamId}"), HttpStatusCode.NoContent);
        GraphHelpers.GraphError(await Get(caps), HttpStatusCode.NotFound, "Request_ResourceNotFound");
        await NewPartnerAsync(Known.FabrikamId);
        Assert.Empty((await Get(caps)).Value);
    }

    [Fact]
    public async Task The_default_has_its_own_capabilities()
    {
        string caps = XtapKnown.DefaultPath + "/m365Capabilities";
        GraphCall empty = await Get("/beta" + caps);
        Status(empty, HttpStatusCode.OK);
        Assert.Equal($"{_sandbox.Origin}/beta/$metadata#policies/crossTenantAccessPolicy/default/m365Capabilities", (string?)empty.Json["@odata.context"]);
        Status(await Post(caps, GraphHelpers.Capability("anonymousCalendarSharingFreeBusySimple", true, new[] { ("All", "group") })), HttpStatusCode.Created);
        Status(await Patch(caps + "/anonymousCalendarSharingFreeBusySimple", new { inboundAccess = new { isAllowed = false } }), HttpStatusCode.NoContent);
        Assert.False((bool)(await Get(caps + "/anonymousCalendarSharingFreeBusySimple")).Json["inboundAccess"]!["isAllowed"]!);
        Status(await Delete(caps + "/anonymousCalendarSharingFreeBusySimple"), HttpStatusCode.NoContent);
        Assert.Empty((await Get(caps)).Value);
    }

    [Fact]
    public async Task Partners_come_in_pages_with_next_links()
    {
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/cross-tenant-access/page-size?value=2");
        var ids = Enumerable.Range(1, 5).Select(i => $"0000000{i}-aaaa-4bbb-8ccc-000000000000").ToList();
        foreach (string id in ids) await NewPartnerAsync(id);

        var seen = new List<string>();
        string? next = XtapKnown.PartnersPath;
        int pages = 0;
        while (next != null)
        {
            GraphCall page = await Get(next);
            Status(page, HttpStatusCode.OK);
            Assert.True(page.Value.Count <= 2);
            seen.AddRange(page.Value.Select(p => (string)p!["tenantId"]!));
            next = (string?)page.Json["@odata.nextLink"];
            if (next != null) Assert.StartsWith(_sandbox.Origin + "/v1.0/policies/crossTenantAccessPolicy/partners?$skiptoken=", next);
            pages++;
        }
        Assert.Equal(3, pages);
        Assert.Equal(ids, seen);

        // $top sets the page size and stays in the next link.
        GraphCall top = await Get(XtapKnown.PartnersPath + "?$top=3");
        Assert.Equal(3, top.Value.Count);
        Assert.Contains("$top=3&", (string?)top.Json["@odata.nextLink"]);
        Assert.Equal(2, (await Get((string)top.Json["@odata.nextLink"]!)).Value.Count);
        GraphHelpers.GraphError(await Get(XtapKnown.PartnersPath + "?$top=0"), HttpStatusCode.BadRequest, "Request_BadRequest");
        GraphHelpers.GraphError(await Get(XtapKnown.PartnersPath + "?$skiptoken=garbage"), HttpStatusCode.BadRequest, "Request_BadRequest");
    }

    [Fact]
    public async Task Right_after_a_create_dependent_calls_answer_404_for_a_number_of_calls_or_seconds()
    {
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/cross-tenant-access/replication?calls=2");
        await NewPartnerAsync(Known.FabrikamId);
        string partner = $"{XtapKnown.PartnersPath}/{Known.FabrikamId}";
        // The partner reads fine, but the trust and a capability are "not found" twice, as while Entra replicates.
        Status(await Get(partner), HttpStatusCode.OK);
        GraphHelpers.GraphError(await Patch(partner, GraphHelpers.Trust()), HttpStatusCode.NotFound, "Request_ResourceNotFound");
        GraphHelpers.GraphError(await Post(partner + "/m365Capabilities", GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { ("All", "user") })),
            HttpStatusCode.NotFound, "Request_ResourceNotFound");
        Status(await Patch(partner, GraphHelpers.Trust()), HttpStatusCode.NoContent);
        Status(await Post(partner + "/m365Capabilities", GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { ("All", "user") })), HttpStatusCode.Created);

        // By time: dependent calls fail until the window closes (here: the knob is turned off instead of waiting).
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/cross-tenant-access/replication?calls=0&seconds=3600");
        await NewPartnerAsync(XtapKnown.LitwareId);
        GraphHelpers.GraphError(await Patch($"{XtapKnown.PartnersPath}/{XtapKnown.LitwareId}", GraphHelpers.Trust()), HttpStatusCode.NotFound, "Request_ResourceNotFound");
        GraphHelpers.GraphError(await Patch($"{XtapKnown.PartnersPath}/{XtapKnown.LitwareId}", GraphHelpers.Trust()), HttpStatusCode.NotFound, "Request_ResourceNotFound");
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/cross-tenant-access/replication?seconds=0");
        Status(await Patch($"{XtapKnown.PartnersPath}/{XtapKnown.LitwareId}", GraphHelpers.Trust()), HttpStatusCode.NoContent);
        // Partners created before the window opened are not affected.
        Status(await Patch(partner, GraphHelpers.Trust("blocked")), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task The_control_endpoint_shows_and_seeds_the_whole_policy()
    {
        await NewPartnerAsync(Known.FabrikamId);
        Status(await Post($"{XtapKnown.PartnersPath}/{Known.FabrikamId}/m365Capabilities", GraphHelpers.Capability("crossTenantCalendarAvailabilityBasic", true, new[] { ("All", "user") })), HttpStatusCode.Created);
        JsonObject state = (await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso/cross-tenant-access")).AsObject();
        Assert.Equal(Known.ContosoId, (string?)state["tenantId"]);
        Assert.Equal("blocked", (string?)state["default"]!["m365CollaborationInbound"]!["users"]!["accessType"]);
        Assert.Equal("crossTenantCalendarAvailabilityBasic", (string?)state["partners"]![0]!["m365Capabilities"]![0]!["name"]);

        // PUT what GET gave (changed): the same state comes back; Graph sees it.
        state["partners"]![0]!["m365CollaborationInbound"] = GraphHelpers.Trust()["m365CollaborationInbound"]!.DeepClone();
        using (var content = new StringContent(state.ToJsonString(), Encoding.UTF8, "application/json"))
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/cross-tenant-access", content);
        }
        Assert.Equal("allowed", (string?)(await Get($"{XtapKnown.PartnersPath}/{Known.FabrikamId}")).Json["m365CollaborationInbound"]!["users"]!["accessType"]);
        Assert.Single((await Get($"{XtapKnown.PartnersPath}/{Known.FabrikamId}/m365Capabilities")).Value);
        // A seed Graph would refuse is a 400.
        (HttpStatusCode status, _) = await _sandbox.ControlPostJsonAsync("/_sandbox/tenants/contoso/cross-tenant-access", new { });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        using var bad = new HttpRequestMessage(HttpMethod.Put, _sandbox.Control + "/_sandbox/tenants/contoso/cross-tenant-access")
        {
            Content = new StringContent("""{"partners":[{"tenantId":"nope"}]}""", Encoding.UTF8, "application/json"),
        };
        using HttpResponseMessage refused = await _sandbox.Http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        // A reset empties it.
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");
        Assert.Empty((await Get(XtapKnown.PartnersPath)).Value);
    }

    [Fact]
    public async Task Tenant_information_by_domain_name()
    {
        foreach (string domain in new[] { "fabrikam.com", "FABRIKAM.co.uk", "fabrikam.onmicrosoft.com" })
        {
            GraphCall r = await Get($"/tenantRelationships/findTenantInformationByDomainName(domainName='{domain}')");
            Status(r, HttpStatusCode.OK);
            JsonObject t = r.Json;
            Assert.Equal(new[] { "@odata.context", "defaultDomainName", "displayName", "federationBrandName", "tenantId" }, ExchangeAssert.Keys(t));
            Assert.Equal($"{_sandbox.Origin}/v1.0/$metadata#microsoft.graph.tenantInformation", (string?)t["@odata.context"]);
            Assert.Equal(Known.FabrikamId, (string?)t["tenantId"]);
            Assert.Equal("Fabrikam", (string?)t["displayName"]);
            Assert.Equal("fabrikam.onmicrosoft.com", (string?)t["defaultDomainName"]);
            Assert.Null(t["federationBrandName"]);
        }
        Assert.Equal(Known.ContosoId, (string?)(await Get($"/beta/tenantRelationships/findTenantInformationByTenantId(tenantId='{Known.ContosoId}')")).Json["tenantId"]);
        GraphHelpers.GraphError(await Get("/tenantRelationships/findTenantInformationByDomainName(domainName='o''brien.example')"), HttpStatusCode.NotFound, "Request_ResourceNotFound",
            "Resource 'o'brien.example' does not exist or one of its queried reference-property objects are not present.");
        GraphHelpers.GraphError(await Get("/tenantRelationships/findTenantInformationByDomainName(domainName='outlook.com')"), HttpStatusCode.NotFound, "Request_ResourceNotFound");
        GraphHelpers.GraphError(await Get("/tenantRelationships/findTenant"), HttpStatusCode.BadRequest, "BadRequest");

        // It needs CrossTenantInformation.ReadBasic.All and no role: a user without any role may ask.
        string helpdesk = await _sandbox.DelegatedTokenAsync("contoso", Known.ContosoHelpdesk, new[] { "CrossTenantInformation.ReadBasic.All" });
        Status(await _sandbox.GraphAsync(HttpMethod.Get, "/tenantRelationships/findTenantInformationByDomainName(domainName='contoso.com')", helpdesk), HttpStatusCode.OK);
        string noScope = await _sandbox.DelegatedTokenAsync("contoso", Known.ContosoHelpdesk, new[] { "Policy.Read.All" });
        GraphHelpers.GraphError(await _sandbox.GraphAsync(HttpMethod.Get, "/tenantRelationships/findTenantInformationByDomainName(domainName='contoso.com')", noScope),
            HttpStatusCode.Forbidden, "Authorization_RequestDenied", GraphHelpers.Insufficient);
    }

    [Fact]
    public async Task Fault_rules_for_graph_apply_to_the_policy_endpoints()
    {
        async Task Fault(object rule)
        {
            using var content = new StringContent(JsonSerializer.Serialize(rule), Encoding.UTF8, "application/json");
            await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/faults", content);
        }

        // 429 with Retry-After, once, for contoso only.
        await Fault(new { Service = "graph", Tenant = "contoso", PathPrefix = "/v1.0/policies", Status = 429, RetryAfterSeconds = 7, Remaining = 1 });
        GraphCall throttled = await Get(XtapKnown.PartnersPath);
        Assert.Equal((HttpStatusCode)429, throttled.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), throttled.Headers.RetryAfter?.Delta);
        Assert.Equal("TooManyRequests", (string?)throttled.Json["error"]!["code"]);
        Status(await Get(XtapKnown.PartnersPath), HttpStatusCode.OK);

        // A bare 503 does not run the write; a 500 with a body runs it ("timed out, yet applied").
        await Fault(new { Service = "graph", Method = "POST", Status = 503, Remaining = 1 });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Post(XtapKnown.PartnersPath, new { tenantId = Known.FabrikamId })).Status);
        Assert.Empty((await Get(XtapKnown.PartnersPath)).Value);
        await Fault(new { Service = "graph", Method = "POST", Status = 500, RawBody = "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"boom\"}}", Remaining = 1 });
        Assert.Equal(HttpStatusCode.InternalServerError, (await Post(XtapKnown.PartnersPath, new { tenantId = Known.FabrikamId })).Status);
        Assert.Single((await Get(XtapKnown.PartnersPath)).Value);

        // The connection reset halfway through the body.
        await Fault(new { Service = "graph", ResetMidBody = true, Remaining = 1 });
        await Assert.ThrowsAnyAsync<Exception>(() => Get(XtapKnown.PartnersPath));
        // A slow body still carries the real answer.
        await Fault(new { Service = "graph", SlowBodyMs = 5, Remaining = 1 });
        GraphCall slow = await Get($"{XtapKnown.PartnersPath}/{Known.FabrikamId}");
        Status(slow, HttpStatusCode.OK);
        Assert.Equal(Known.FabrikamId, (string?)slow.Json["tenantId"]);
        // A rule for another tenant does not match.
        await Fault(new { Service = "graph", Tenant = "fabrikam", Status = 500 });
        Status(await Get(XtapKnown.PartnersPath), HttpStatusCode.OK);
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/faults");
    }

    [Fact]
    public async Task Requests_are_logged_without_tokens_or_bodies()
    {
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/requests");
        await NewPartnerAsync(Known.FabrikamId);
        GraphHelpers.GraphError(await Get($"{XtapKnown.PartnersPath}/{XtapKnown.LitwareId}"), HttpStatusCode.NotFound, "Request_ResourceNotFound");
        List<JsonObject> log = await _sandbox.GraphRequestsAsync();
        Assert.Equal(2, log.Count);
        Assert.Equal("POST", (string?)log[0]["method"]);
        Assert.Equal("/v1.0/policies/crossTenantAccessPolicy/partners", (string?)log[0]["path"]);
        Assert.Equal(201, (int)log[0]["status"]!);
        Assert.Equal("contoso", (string?)log[0]["tenant"]);
        Assert.Equal(Known.ContosoApp, (string?)log[0]["caller"]);
        Assert.True((bool)log[0]["hasAuthorization"]!);
        Assert.Equal(404, (int)log[1]["status"]!);
        Assert.Equal("Request_ResourceNotFound", (string?)log[1]["error"]);
        string all = JsonSerializer.Serialize(log);
        Assert.DoesNotContain(_app, all);
        Assert.DoesNotContain("Bearer", all);
        Assert.DoesNotContain("tenantId", all);
    }

    [Fact]
    public async Task A_graph_budget_answers_429_with_Retry_After_once_the_tenants_tokens_are_spent()
    {
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/requests");
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/violations");
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/graph-budget?requestsPerSecond=0.5");
        try
        {
            // A burst of the budget's size (at least one) passes; the next is throttled, Graph-shaped, before anything else is
            // checked. Half a request a second: a slow machine does not earn the next token between two calls.
            Status(await Get(XtapKnown.DefaultPath), HttpStatusCode.OK);
            GraphCall throttled = await Get(XtapKnown.PartnersPath);
            GraphHelpers.GraphError(throttled, (HttpStatusCode)429, "TooManyRequests");
            Assert.True(int.TryParse(throttled.Header("Retry-After"), out int seconds) && seconds >= 1, throttled.Header("Retry-After"));
            // Asking again before the Retry-After ran out is recorded as a violation.
            GraphHelpers.GraphError(await Get(XtapKnown.PartnersPath), (HttpStatusCode)429, "TooManyRequests");
            Assert.Contains(await _sandbox.ViolationsAsync(), v => v.Contains("(Graph)", StringComparison.Ordinal) && v.Contains("contoso", StringComparison.Ordinal));
            JsonNode load = await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso/graph-load");
            Assert.Equal(2, (int)load["throttled"]!);
            Assert.Equal(0.5, (double)load["requestsPerSecond"]!);
            List<JsonObject> log = await _sandbox.GraphRequestsAsync();
            Assert.Equal(new[] { 200, 429, 429 }, log.Select(r => (int)r["status"]!));
            Assert.Equal(seconds, (int)log[1]["retryAfter"]!);
            // The budget is per tenant: fabrikam is not held back by contoso's.
            string fabrikam = await _sandbox.GraphAppTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret);
            Status(await _sandbox.GraphAsync(HttpMethod.Get, XtapKnown.PartnersPath, fabrikam), HttpStatusCode.OK);
        }
        finally
        {
            await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/tenants/contoso/graph-budget");
            await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/violations");
        }
        Status(await Get(XtapKnown.PartnersPath), HttpStatusCode.OK);
    }
}
