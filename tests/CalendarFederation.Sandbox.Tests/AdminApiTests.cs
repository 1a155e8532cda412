using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>POST /adminapi/beta/{tenant}/InvokeCommand: tokens, the cmdlets, paging, the error shape, throttling and faults.</summary>
public sealed class AdminApiTests : IClassFixture<AuthSandbox>, IAsyncLifetime
{
    private readonly AuthSandbox _sandbox;

    public AdminApiTests(AuthSandbox sandbox) => _sandbox = sandbox;

    public async Task InitializeAsync() => await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<string> ContosoAppTokenAsync() => _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret);

    private async Task AddFaultAsync(object rule) =>
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/faults", new StringContent(JsonSerializer.Serialize(rule), Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Get_OrganizationConfig_for_any_spelling_of_the_tenant()
    {
        string token = await ContosoAppTokenAsync();
        foreach (string route in new[] { Known.ContosoDomain, Known.ContosoId, "contoso.com", "contoso" })
        {
            AdminResponse r = await _sandbox.InvokeAsync(route, token, "Get-OrganizationConfig");
            Assert.Equal(HttpStatusCode.OK, r.Status);
            JsonObject json = r.Json;
            Assert.Equal($"{_sandbox.Origin}/adminapi/beta/{route}/$metadata#Collection(Exchange.GenericHashTable)", (string?)json["@odata.context"]);
            Assert.Empty(json["@adminapi.warnings"]!.AsArray());
            Assert.Null(json["@odata.nextLink"]);
            JsonObject org = Assert.Single(r.Value)!.AsObject();
            Assert.Equal(Known.ContosoDomain, (string?)org["Name"]);
            Assert.Equal(Known.ContosoDomain, (string?)org["Identity"]);
            Assert.Equal("Contoso", (string?)org["DisplayName"]);
            Assert.False((bool)org["IsDehydrated"]!);
            Assert.True(Guid.TryParse((string?)org["Guid"], out _));
            Assert.Equal("#Guid", (string?)org["Guid@odata.type"]);
            Assert.Equal("#DateTime", (string?)org["WhenCreated@odata.type"]);
            Assert.True((bool)org["OAuth2ClientProfileEnabled"]!);
        }
        // v2.0 is served the same way.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("", token, "Get-OrganizationConfig", url: $"{_sandbox.Origin}/adminapi/v2.0/{Known.ContosoId}/InvokeCommand")).Status);

        // IsDehydrated follows the tenant's Exchange state.
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/dehydrated?value=true");
        Assert.True((bool)(await _sandbox.InvokeAsync(Known.ContosoDomain, token, "Get-OrganizationConfig")).Value[0]!["IsDehydrated"]!);
    }

    [Fact]
    public async Task Get_AcceptedDomain_pages_with_nextLink_until_done()
    {
        string token = await ContosoAppTokenAsync();
        var names = new List<string>();
        string? next = null;
        int pages = 0;
        do
        {
            AdminResponse r = await _sandbox.InvokeAsync(Known.ContosoDomain, token, "Get-AcceptedDomain", maxPageSize: 1, url: next);
            Assert.Equal(HttpStatusCode.OK, r.Status);
            JsonObject domain = Assert.Single(r.Value)!.AsObject();
            names.Add((string)domain["DomainName"]!);
            Assert.Equal("Authoritative", (string?)domain["DomainType"]);
            next = (string?)r.Json["@odata.nextLink"];
            if (next != null)
            {
                Assert.StartsWith($"{_sandbox.Origin}/adminapi/beta/{Known.ContosoDomain}/InvokeCommand?$skiptoken=", next, StringComparison.Ordinal);
            }
            pages++;
        }
        while (next != null && pages < 10);
        Assert.Equal(3, pages);
        Assert.Equal(new[] { "contoso.com", "contoso.onmicrosoft.com", "sales.contoso.com" }, names);

        AdminResponse all = await _sandbox.InvokeAsync(Known.ContosoDomain, token, "Get-AcceptedDomain");
        Assert.Equal(3, all.Value.Count);
        Assert.Null(all.Json["@odata.nextLink"]);
        JsonObject initial = Assert.Single(all.Value, v => (bool)v!["InitialDomain"]!)!.AsObject();
        Assert.Equal(Known.ContosoDomain, (string?)initial["Name"]);
        Assert.True((bool)initial["Default"]!);
        Assert.Single(all.Value, v => (bool)v!["Default"]!);

        JsonObject request = (await _sandbox.RequestsAsync()).Last(r => (string?)r["service"] == "adminapi");
        Assert.Equal("Get-AcceptedDomain", (string?)request["cmdletName"]);
        Assert.Equal("Get-AcceptedDomain", (string?)request["cmdletNameHeader"]);
        Assert.True(Guid.TryParse((string?)request["clientRequestId"], out _));
        Assert.Equal("CalendarFederation.Sandbox.Tests/1.0", (string?)request["userAgent"]);
        Assert.Equal(Known.ContosoApp, (string?)request["caller"]);
        Assert.Contains((await _sandbox.RequestsAsync()), r => (string?)r["prefer"] == "odata.maxpagesize=1" && r["query"] != null);
    }

    [Fact]
    public async Task Errors_come_in_exchange_shape()
    {
        string token = await ContosoAppTokenAsync();
        AdminResponse notFound = await _sandbox.InvokeAsync(Known.ContosoDomain, token, "Get-AcceptedDomain", new { Identity = "nope.example" });
        Assert.Equal(HttpStatusCode.BadRequest, notFound.Status);
        JsonObject error = notFound.Json["error"]!.AsObject();
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Equal("Error executing cmdlet", (string?)error["message"]);
        Assert.Equal("Context", (string?)error["details"]![0]!["code"]);
        Assert.Equal("", (string?)error["details"]![0]!["target"]);
        string[] detail = notFound.ErrorDetail;
        Assert.Equal("Ex6F9304", detail[0]);
        Assert.Equal("Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", detail[1]);
        Assert.StartsWith("The operation couldn't be performed because object 'nope.example' couldn't be found on '", detail[2]);
        Assert.Equal("Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", (string?)error["innererror"]!["type"]);
        Assert.Equal(detail[2], (string?)error["innererror"]!["message"]);
        Assert.False(string.IsNullOrEmpty((string?)error["innererror"]!["@Microsoft.Exchange.Admin.OData.Core.ErrorType"]));

        AdminResponse found = await _sandbox.InvokeAsync(Known.ContosoDomain, token, "Get-AcceptedDomain", new { Identity = "sales.contoso.com" });
        Assert.Equal("sales.contoso.com", (string?)Assert.Single(found.Value)!["Name"]);

        AdminResponse unknownCmdlet = await _sandbox.InvokeAsync(Known.ContosoDomain, token, "Get-Nothing");
        Assert.Equal(HttpStatusCode.BadRequest, unknownCmdlet.Status);
        Assert.Equal("System.Management.Automation.CommandNotFoundException", unknownCmdlet.ErrorDetail[1]);
        AdminResponse unknownParameter = await _sandbox.InvokeAsync(Known.ContosoDomain, token, "Get-OrganizationConfig", new { Bogus = true });
        Assert.Equal(HttpStatusCode.BadRequest, unknownParameter.Status);
        Assert.Equal("System.Management.Automation.ParameterBindingException", unknownParameter.ErrorDetail[1]);
        Assert.Contains("'Bogus'", unknownParameter.ErrorDetail[2]);
        // Common parameters bind anywhere.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync(Known.ContosoDomain, token, "Get-OrganizationConfig", new { ErrorAction = "Stop" })).Status);
    }

    /// <summary>A handler added at run time: warnings, no output, and an Exchange error with its own status.</summary>
    private sealed class TestCmdlet : IAdminCmdlet
    {
        public string Name => "Test-SandboxCmdlet";

        public IReadOnlyCollection<string> Parameters { get; } = new[] { "Mode" };

        public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
        {
            switch (context.GetString("Mode"))
            {
                case "warn":
                    context.Warnings.Add("The command completed successfully but no settings have been modified.");
                    return Task.FromResult<IReadOnlyList<JsonObject>?>(Array.Empty<JsonObject>());
                case "none":
                    return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
                default:
                    throw new ExchangeErrorException("Ex1234", "Microsoft.Exchange.Management.Tasks.ConflictException", "Already there.", 409);
            }
        }
    }

    [Fact]
    public async Task Handlers_can_warn_return_nothing_or_throw_exchange_errors()
    {
        _sandbox.Server.State.AdminApi.Cmdlets.Register(new TestCmdlet());
        string token = await ContosoAppTokenAsync();
        AdminResponse warn = await _sandbox.InvokeAsync("contoso", token, "Test-SandboxCmdlet", new { Mode = "warn" });
        Assert.Equal(HttpStatusCode.OK, warn.Status);
        Assert.Equal("The command completed successfully but no settings have been modified.", (string?)warn.Json["@adminapi.warnings"]![0]);
        Assert.Empty(warn.Value);
        Assert.Equal(HttpStatusCode.NoContent, (await _sandbox.InvokeAsync("contoso", token, "Test-SandboxCmdlet", new { Mode = "none" })).Status);
        AdminResponse conflict = await _sandbox.InvokeAsync("contoso", token, "Test-SandboxCmdlet", new { Mode = "fail" });
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(new[] { "Ex1234", "Microsoft.Exchange.Management.Tasks.ConflictException", "Already there." }, conflict.ErrorDetail);
    }

    [Fact]
    public async Task Tokens_are_checked_for_signature_expiry_audience_tenant_and_role()
    {
        AdminResponse none = await _sandbox.InvokeAsync("contoso", null, "Get-OrganizationConfig");
        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.StartsWith("Bearer ", none.WwwAuthenticate);
        Assert.DoesNotContain("error=", none.WwwAuthenticate);

        string token = await ContosoAppTokenAsync();
        string[] p = token.Split('.');
        string forged = p[0] + "." + Hand.B64Url(Encoding.UTF8.GetBytes(Hand.Claims(token).ToJsonString().Replace(Known.ContosoId, Known.FabrikamId))) + "." + p[2];
        AdminResponse badSignature = await _sandbox.InvokeAsync("fabrikam", forged, "Get-OrganizationConfig");
        Assert.Equal(HttpStatusCode.Unauthorized, badSignature.Status);
        Assert.Contains("error=\"invalid_token\"", badSignature.WwwAuthenticate);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _sandbox.InvokeAsync("contoso", "not-a-jwt", "Get-OrganizationConfig")).Status);

        // Another tenant's token.
        AdminResponse wrongTenant = await _sandbox.InvokeAsync(Known.FabrikamDomain, token, "Get-OrganizationConfig");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongTenant.Status);
        Assert.Contains("error=\"invalid_token\"", wrongTenant.WwwAuthenticate);

        // A token for another resource.
        string graph = await _sandbox.ClientCredentialsTokenAsync("contoso", Known.ContosoApp, Known.ContosoSecret, "https://graph.microsoft.com");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _sandbox.InvokeAsync("contoso", graph, "Get-OrganizationConfig")).Status);
        // Exchange's own audience is accepted on the sandbox's origin.
        string exo = await _sandbox.ClientCredentialsTokenAsync("contoso", Known.ContosoApp, Known.ContosoSecret, "https://outlook.office365.com");
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("contoso", exo, "Get-OrganizationConfig")).Status);

        // An app without Exchange.ManageAsApp.
        string noRole = await _sandbox.ClientCredentialsTokenAsync("contoso", Known.ContosoNoPermissionApp, Known.ContosoNoPermissionSecret);
        AdminResponse forbidden = await _sandbox.InvokeAsync("contoso", noRole, "Get-OrganizationConfig");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal("Forbidden", (string?)forbidden.Json["error"]!["code"]);
        Assert.Contains("Exchange.ManageAsApp", forbidden.ErrorDetail[2]);

        // Expired.
        try
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/token-lifetime?seconds=1");
            string shortLived = await ContosoAppTokenAsync();
            _sandbox.Server.State.Clock.Advance(TimeSpan.FromSeconds(2)); // past its exp (whole seconds), on the sandbox's clock
            AdminResponse expired = await _sandbox.InvokeAsync("contoso", shortLived, "Get-OrganizationConfig");
            Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
            Assert.Contains("error=\"invalid_token\"", expired.WwwAuthenticate);
            Assert.Equal("Unauthorized", (string?)expired.Json["error"]!["code"]);
            Assert.Contains("expired", (string?)expired.Json["error"]!["message"]);
            JsonObject record = (await _sandbox.RequestsAsync()).Last(r => (string?)r["service"] == "adminapi");
            Assert.Equal("Unauthorized:Expired", (string?)record["error"]);
        }
        finally
        {
            await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/token-lifetime?seconds=3600");
        }
    }

    [Fact]
    public async Task Delegated_tokens_need_an_admin_role_and_gdap_partners_are_let_in()
    {
        string admin = (string)(await Hand.DelegatedTokenAsync(_sandbox, "contoso", Known.ContosoAdmin))["access_token"]!;
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("contoso", admin, "Get-OrganizationConfig")).Status);
        string helpdesk = (string)(await Hand.DelegatedTokenAsync(_sandbox, "contoso", Known.ContosoHelpdesk))["access_token"]!;
        AdminResponse forbidden = await _sandbox.InvokeAsync("contoso", helpdesk, "Get-OrganizationConfig");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Contains("management roles", forbidden.ErrorDetail[2]);

        // litware lists contoso in delegatedAdmins: contoso's admin may manage it with a contoso token...
        AdminResponse partner = await _sandbox.InvokeAsync("litware.onmicrosoft.com", admin, "Get-AcceptedDomain");
        Assert.Equal(HttpStatusCode.OK, partner.Status);
        Assert.Contains(partner.Value, v => (string?)v!["DomainName"] == "litware.net");
        // ...or with a token from litware's own authority (tid = litware, client_info names the home tenant).
        JsonObject viaCustomer = await Hand.DelegatedTokenAsync(_sandbox, "litware.com", Known.ContosoAdmin);
        JsonObject claims = Hand.Claims((string)viaCustomer["access_token"]!);
        Assert.Equal("2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44", (string?)claims["tid"]);
        Assert.Equal(Known.ContosoId, (string?)JsonNode.Parse(Hand.FromB64Url((string)viaCustomer["client_info"]!))!["utid"]);
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("litware", (string)viaCustomer["access_token"]!, "Get-OrganizationConfig")).Status);
        // Not the other way round, and not for app-only tokens.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _sandbox.InvokeAsync("fabrikam", admin, "Get-OrganizationConfig")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _sandbox.InvokeAsync("litware", await ContosoAppTokenAsync(), "Get-OrganizationConfig")).Status);
    }

    [Fact]
    public async Task Budget_throttles_with_retry_after_and_catches_early_requests()
    {
        string token = await _sandbox.ClientCredentialsTokenAsync(Known.FabrikamDomain, Known.FabrikamApp, Known.FabrikamSecret);
        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/fabrikam.com/budget?requestsPerSecond=0.5");
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("fabrikam", token, "Get-OrganizationConfig")).Status);
        AdminResponse throttled = await _sandbox.InvokeAsync("fabrikam", token, "Get-OrganizationConfig");
        Assert.Equal((HttpStatusCode)429, throttled.Status);
        Assert.NotNull(throttled.RetryAfter);
        Assert.InRange(throttled.RetryAfter!.Value.TotalSeconds, 1, 2);
        Assert.Equal("TooManyRequests", (string?)throttled.Json["error"]!["code"]);
        Assert.Empty(await _sandbox.ViolationsAsync());

        // Too early: recorded as a violation (and throttled again).
        AdminResponse early = await _sandbox.InvokeAsync("fabrikam", token, "Get-OrganizationConfig");
        Assert.Equal((HttpStatusCode)429, early.Status);
        string violation = Assert.Single(await _sandbox.ViolationsAsync());
        Assert.Contains("fabrikam", violation);
        Assert.Contains("Retry-After", violation);
        // Another tenant is not held back.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("contoso", await ContosoAppTokenAsync(), "Get-OrganizationConfig")).Status);

        // After waiting as told (the sandbox's clock moves on by the Retry-After), the request goes through and nothing
        // new is recorded.
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/violations");
        _sandbox.Server.State.Clock.Advance(early.RetryAfter!.Value);
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("fabrikam", token, "Get-OrganizationConfig")).Status);
        Assert.Empty(await _sandbox.ViolationsAsync());
        JsonNode load = await _sandbox.ControlGetAsync("/_sandbox/tenants/fabrikam/load");
        Assert.True((int)load["throttled"]! >= 2);
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/tenants/fabrikam/budget");
    }

    [Fact]
    public async Task Fault_knobs_for_the_admin_api()
    {
        string token = await ContosoAppTokenAsync();
        // 429 with Retry-After, for one cmdlet of one tenant, once.
        await AddFaultAsync(new { Service = "adminapi", Tenant = "contoso.com", Cmdlet = "Get-AcceptedDomain", Status = 429, RetryAfterSeconds = 7, Remaining = 1 });
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig")).Status);
        AdminResponse limited = await _sandbox.InvokeAsync("contoso", token, "Get-AcceptedDomain");
        Assert.Equal((HttpStatusCode)429, limited.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
        Assert.Equal("TooManyRequests", (string?)limited.Json["error"]!["code"]);
        // The Retry-After is now pending for contoso: the next contoso request is a violation.
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("contoso", token, "Get-AcceptedDomain")).Status);
        Assert.Contains(await _sandbox.ViolationsAsync(), v => v.Contains("contoso", StringComparison.Ordinal));
        await _sandbox.ControlAsync(HttpMethod.Post, "/_sandbox/reset");

        // Bare statuses without Retry-After.
        foreach (int status in new[] { 429, 503, 504, 408 })
        {
            await AddFaultAsync(new { PathPrefix = "/adminapi/", Status = status, Remaining = 1 });
            AdminResponse r = await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig");
            Assert.Equal((HttpStatusCode)status, r.Status);
            Assert.Null(r.RetryAfter);
        }

        // The concurrency text, plain (status of choice) and inside an Exchange error.
        await AddFaultAsync(new { Service = "adminapi", Body = "ConcurrencyLimit", Status = 500, Remaining = 1 });
        AdminResponse plain = await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig");
        Assert.Equal(HttpStatusCode.InternalServerError, plain.Status);
        Assert.Equal("You have reached the maximum number of concurrent requests per tenant. Please wait and try again", plain.Text);
        Assert.Equal("text/plain", plain.MediaType);
        await AddFaultAsync(new { Service = "adminapi", Body = "ConcurrencyLimitJson", Remaining = 1 });
        AdminResponse inJson = await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig");
        Assert.Equal(HttpStatusCode.InternalServerError, inJson.Status);
        Assert.Contains("maximum number of concurrent requests per tenant", inJson.ErrorDetail[2]);

        // Broken bodies.
        await AddFaultAsync(new { Service = "adminapi", Body = "Malformed", Remaining = 1 });
        AdminResponse malformed = await _sandbox.InvokeAsync("contoso", token, "Get-AcceptedDomain");
        Assert.Equal(HttpStatusCode.OK, malformed.Status);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(malformed.Text));
        await AddFaultAsync(new { Service = "adminapi", Body = "Truncated", Remaining = 1 });
        AdminResponse truncated = await _sandbox.InvokeAsync("contoso", token, "Get-AcceptedDomain");
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(truncated.Text));
        Assert.StartsWith("{\"@odata.context\":", truncated.Text);
        await AddFaultAsync(new { Service = "adminapi", Body = "MissingFields", Remaining = 1 });
        AdminResponse missing = await _sandbox.InvokeAsync("contoso", token, "Get-AcceptedDomain");
        Assert.Equal(HttpStatusCode.OK, missing.Status);
        Assert.NotNull(missing.Json["@odata.context"]);
        Assert.Null(missing.Json["value"]);

        // Slow answers: held at least as long as asked, by Stopwatch (tests/CalendarFederation.Sandbox/Faults/SandboxDelay.cs).
        await AddFaultAsync(new { Service = "adminapi", LatencyMs = 300, SlowHeadersMs = 200, Remaining = 1 });
        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig")).Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(500), $"took {watch.Elapsed.TotalMilliseconds} ms");

        // A rule for Autodiscover (no Service, no PathPrefix) leaves the admin API alone.
        await AddFaultAsync(new { Status = 500 });
        Assert.Equal(HttpStatusCode.OK, (await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig")).Status);
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/faults");
        Assert.Contains((await _sandbox.RequestsAsync()), r => r["fault"] != null && (string?)r["service"] == "adminapi");
    }

    [Fact]
    public async Task In_flight_counts_per_tenant_and_the_concurrency_cap()
    {
        string token = await ContosoAppTokenAsync();
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/load");
        SandboxState state = _sandbox.Server.State;
        // Held at a gate until all three are in (FaultRule.Hold), so they overlap whatever the machine's load.
        await AddFaultAsync(new { Service = "adminapi", Tenant = "contoso", Hold = "three", Remaining = 3 });
        Task<AdminResponse>[] calls = Enumerable.Range(0, 3).Select(_ => _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig")).ToArray();
        Assert.True(await state.WaitUntilAsync(() => state.Gates.Held("three") == 3, TimeSpan.FromSeconds(30)), "The three requests did not all arrive.");
        state.Gates.Open("three");
        AdminResponse[] parallel = await Task.WhenAll(calls);
        Assert.All(parallel, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        // A handler counts itself out after its answer is sent, so the client can read an answer first: wait for it.
        Assert.True(await state.WaitUntilAsync(() => state.InFlight == 0, TimeSpan.FromSeconds(30)));
        JsonNode load = await _sandbox.ControlGetAsync("/_sandbox/tenants/contoso/load");
        Assert.Equal(3, (int)load["maxInFlight"]!);
        Assert.Equal(0, (int)load["inFlight"]!);
        Assert.Equal(3, (int)(await _sandbox.ControlGetAsync("/_sandbox/load"))["tenants"]!["contoso"]!["maxInFlight"]!);

        await _sandbox.ControlAsync(HttpMethod.Put, "/_sandbox/tenants/contoso/budget?maxConcurrent=1");
        // The first is held in flight until the second has been refused.
        await AddFaultAsync(new { Service = "adminapi", Tenant = "contoso", Hold = "first", Remaining = 1 });
        Task<AdminResponse> first = _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig");
        Assert.True(await state.WaitUntilAsync(() => state.Gates.Held("first") == 1, TimeSpan.FromSeconds(30)), "The first request did not arrive.");
        AdminResponse refused = await _sandbox.InvokeAsync("contoso", token, "Get-OrganizationConfig");
        state.Gates.Open("first");
        Assert.Equal(HttpStatusCode.OK, (await first).Status);
        Assert.Equal((HttpStatusCode)429, refused.Status);
        Assert.Equal("You have reached the maximum number of concurrent requests per tenant. Please wait and try again", refused.Text);
        await _sandbox.ControlAsync(HttpMethod.Delete, "/_sandbox/tenants/contoso/budget");
    }

    [Fact]
    public async Task A_virtual_host_is_answered_as_the_https_service_it_stands_for()
    {
        // As a test that routes outlook.office365.com to the sandbox over loopback http would send it.
        string token = await _sandbox.ClientCredentialsTokenAsync(Known.ContosoDomain, Known.ContosoApp, Known.ContosoSecret, "https://outlook.office365.com");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_sandbox.Control}/adminapi/beta/{Known.ContosoDomain}/InvokeCommand")
        {
            Content = new StringContent("{\"CmdletInput\":{\"CmdletName\":\"Get-AcceptedDomain\",\"Parameters\":{}}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = "outlook.office365.com";
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=2");
        using HttpResponseMessage response = await _sandbox.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.StartsWith("https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/$metadata", (string?)body["@odata.context"]);
        Assert.StartsWith("https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$skiptoken=", (string?)body["@odata.nextLink"]);
        Assert.Equal("odata.maxpagesize=2", response.Headers.GetValues("Preference-Applied").Single());
    }
}
