using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Tests.Support;
using Xunit;


namespace CalendarFederation.Engine.Tests;

public class AdminApiClientTests
{
    // A hang guard for the waits below, not a measurement: nothing here takes more than milliseconds of real time.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly PumpedTime _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly ScriptedHandler _handler;
    private readonly FakeTokens _tokens = new();
    private readonly RecordingEvents _events = new();
    private AdminApiOptions _options = new();

    public AdminApiClientTests()
    {
        _handler = new ScriptedHandler(_time);
    }

    private AdminApiClient Client(Action<AdminApiOptions>? configure = null)
    {
        var options = new AdminApiOptions
        {
            BaseUri = new Uri("https://outlook.office365.com"),
            Tenant = "contoso.onmicrosoft.com",
            AnchorMailbox = "UPN:admin@contoso.onmicrosoft.com",
            MaxRetries = 5,
            BaseDelay = TimeSpan.FromSeconds(2),
            MaxDelay = TimeSpan.FromSeconds(60),
        };
        configure?.Invoke(options);
        _options = options;
        return new AdminApiClient(options, _tokens, _handler, disposeHandler: false, time: _time);
    }

    // Polly and the gate wait on the fake clock: move it to the next pending timer whenever the client is waiting on one,
    // until the call completes. Never while the handler is producing an answer, and never to the attempt or overall
    // timeout unless the handler holds a request that hangs: a timeout may only fire when nothing would answer.
    // Driven by timer and handler events (PumpedTime.Changed, ScriptedHandler.Changed), not by real time.
    private async Task<T> Run<T>(Task<T> task)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!task.IsCompleted)
        {
            Task timeChanged = _time.Changed;
            Task handlerChanged = _handler.Changed;
            if (NextStep() is TimeSpan step)
            {
                _time.Advance(step);
                continue;
            }
            await Task.WhenAny(task, timeChanged, handlerChanged).WaitAsync(guard.Token);
        }
        return await task;
    }

    // A pending wait other than the attempt and overall timeouts: a back-off, a Retry-After or the tenant gate.
    private bool IsRetryWait(TimeSpan dueTime) => dueTime != _options.AttemptTimeout && dueTime != _options.OverallTimeout;

    // Set when a timeout was let fire for a hung request: until that request has left the handler (its cancellation
    // runs on another thread) it still counts as hung, and the pump must not move on to the next timeout.
    private int? _releasingBlocked;

    private TimeSpan? NextStep()
    {
        if (_handler.Busy) return null;
        if (_releasingBlocked is int before)
        {
            if (_handler.Blocked >= before) return null;
            _releasingBlocked = null;
        }
        bool hung = _handler.Blocked > 0;
        DateTimeOffset now = _time.GetUtcNow();
        foreach ((DateTimeOffset dueAt, TimeSpan dueTime) in _time.Pending)
        {
            bool timeout = !IsRetryWait(dueTime);
            if (timeout && !hung) continue;
            if (timeout) _releasingBlocked = _handler.Blocked;
            return dueAt > now ? dueAt - now : TimeSpan.FromTicks(1);
        }
        return null;
    }

    private static readonly KeyValuePair<string, object?>[] NoParameters = Array.Empty<KeyValuePair<string, object?>>();

    private static string Ok(string values = "[{\"Name\":\"x\"}]", string? next = null, string warnings = "[]") =>
        "{\"@odata.context\":\"https://outlook.office365.com/adminapi/beta/contoso/$metadata\",\"@adminapi.warnings\":" + warnings + ",\"value\":" + values
        + (next != null ? ",\"@odata.nextLink\":\"" + next + "\"" : "") + "}";

    [Fact]
    public void Request_body_is_the_cmdlet_input_envelope()
    {
        var addRemove = new Hashtable { ["Add"] = new[] { "a.com" }, ["Remove"] = "b.com" };
        byte[] body = AdminApiJson.BuildRequest("New-OrganizationRelationship", new[]
        {
            new KeyValuePair<string, object?>("Name", "Fabrikam"),
            new KeyValuePair<string, object?>("DomainNames", new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" }),
            new KeyValuePair<string, object?>("FreeBusyAccessEnabled", true),
            new KeyValuePair<string, object?>("FreeBusyAccessLevel", DayOfWeek.Monday),
            new KeyValuePair<string, object?>("Count", 3),
            new KeyValuePair<string, object?>("Scope", null),
            new KeyValuePair<string, object?>("Target", new Uri("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity")),
            new KeyValuePair<string, object?>("Domains", addRemove),
        });
        using JsonDocument doc = JsonDocument.Parse(body);
        JsonElement input = doc.RootElement.GetProperty("CmdletInput");
        Assert.Equal("New-OrganizationRelationship", input.GetProperty("CmdletName").GetString());
        JsonElement p = input.GetProperty("Parameters");
        Assert.Equal("Fabrikam", p.GetProperty("Name").GetString());
        Assert.Equal(new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" }, p.GetProperty("DomainNames").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.True, p.GetProperty("FreeBusyAccessEnabled").ValueKind);
        Assert.Equal("Monday", p.GetProperty("FreeBusyAccessLevel").GetString());
        Assert.Equal(3, p.GetProperty("Count").GetInt32());
        Assert.Equal(JsonValueKind.Null, p.GetProperty("Scope").ValueKind);
        Assert.Equal("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity", p.GetProperty("Target").GetString());
        JsonElement domains = p.GetProperty("Domains");
        Assert.Equal("#Exchange.GenericHashTable", domains.GetProperty("@odata.type").GetString());
        Assert.Equal("a.com", domains.GetProperty("Add")[0].GetString());
        Assert.Equal("b.com", domains.GetProperty("Remove").GetString());
    }

    [Fact]
    public async Task Sends_the_headers_exchange_expects()
    {
        _handler.Respond(200, Ok());
        using AdminApiClient client = Client();
        await Run(client.InvokeAsync("Get-OrganizationConfig", NoParameters, _events, CancellationToken.None));
        Recorded r = Assert.Single(_handler.Requests);
        Assert.Equal("https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand", r.Url);
        Assert.Equal("Bearer token-1", r.Headers["Authorization"]);
        Assert.Equal("UPN:admin@contoso.onmicrosoft.com", r.Headers["X-AnchorMailbox"]);
        Assert.Equal("odata.maxpagesize=1000", r.Headers["Prefer"]);
        Assert.True(Guid.TryParse(r.Headers["client-request-id"], out _));
        Assert.Equal("Get-OrganizationConfig", r.Headers["X-CmdletName"]);
        Assert.StartsWith("application/json", r.Headers["Content-Type"]);
    }

    [Fact]
    public async Task Follows_next_links_collects_values_and_warnings()
    {
        _handler.Respond(200, Ok("[{\"Name\":\"a\",\"Name@odata.type\":\"#String\"}]", "https://outlook.office365.com/adminapi/beta/contoso/InvokeCommand?$skiptoken=1", "[\"Micro delay applied\"]"));
        _handler.Respond(200, Ok("[{\"Name\":\"b\"}]", "https://outlook.office365.com/adminapi/beta/contoso/InvokeCommand?$skiptoken=2", "[\"Micro delay applied\"]"));
        _handler.Respond(200, Ok("[{\"Name\":\"c\",\"Nested\":{\"X\":1},\"List\":[1,\"two\",true]}]"));
        using AdminApiClient client = Client();
        AdminApiResult result = await Run(client.InvokeAsync("Get-AcceptedDomain", NoParameters, _events, CancellationToken.None));

        Assert.Equal(new[] { "a", "b", "c" }, result.Values.Select(v => v.GetString("Name")));
        Assert.False(result.Values[0].Has("Name@odata.type"));
        Assert.Equal(new[] { "Micro delay applied" }, result.Warnings);
        Assert.Equal(3, result.Pages);
        Assert.Equal(3, _handler.Requests.Count);
        Assert.EndsWith("$skiptoken=2", _handler.Requests[2].Url);
        Assert.Equal(_handler.Requests[0].Body, _handler.Requests[2].Body);
        Assert.Equal(1, ((AdminObject)result.Values[2]["Nested"]!)["X"]);
        Assert.Equal(new object[] { 1, "two", true }, (object?[])result.Values[2]["List"]!);
        Assert.Equal(3, _handler.Requests.Select(r => r.Headers["client-request-id"]).Distinct().Count());
    }

    [Fact]
    public async Task Never_follows_a_next_link_to_another_host()
    {
        _handler.Respond(200, Ok(next: "https://evil.example/steal"));
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.MalformedResponse, ex.Failure);
        Assert.Single(_handler.Requests);
    }

    [Theory]
    [InlineData("https://outlook.office365.com", "https://outlook.office.com/adminapi/beta/contoso/InvokeCommand?$skiptoken=1")]
    [InlineData("https://outlook.office.com", "https://outlook.office365.com/adminapi/beta/contoso/InvokeCommand?$skiptoken=1")]
    [InlineData("https://partner.outlook.cn", "https://outlook.office365.cn/adminapi/beta/contoso/InvokeCommand?$skiptoken=1")]
    [InlineData("https://outlook-dod.office365.us", "https://webmail.apps.mil/adminapi/beta/contoso/InvokeCommand?$skiptoken=1")]
    public async Task Follows_a_next_link_to_another_admin_api_host_of_the_same_cloud(string baseUri, string next)
    {
        // A worldwide answer names outlook.office.com in its links; independent clients follow them as given.
        _handler.Respond(200, Ok("[{\"Name\":\"a\"}]", next));
        _handler.Respond(200, Ok("[{\"Name\":\"b\"}]"));
        using AdminApiClient client = Client(o => o.BaseUri = new Uri(baseUri));
        AdminApiResult result = await Run(client.InvokeAsync("Get-AcceptedDomain", NoParameters, _events, CancellationToken.None));
        Assert.Equal(new[] { "a", "b" }, result.Values.Select(v => v.GetString("Name")));
        Assert.Equal(next, _handler.Requests[1].Url);
        Assert.Equal("Bearer token-1", _handler.Requests[1].Headers["Authorization"]);
    }

    [Theory]
    [InlineData("https://outlook.office365.com", "https://outlook.office365.us/adminapi/beta/contoso/InvokeCommand")]   // another cloud
    [InlineData("https://outlook.office365.com", "http://outlook.office.com/adminapi/beta/contoso/InvokeCommand")]      // not https
    [InlineData("https://outlook.office365.com", "https://outlook.office.com:8443/adminapi/beta/contoso/InvokeCommand")] // another port
    [InlineData("https://outlook.office365.com", "https://outlook.office.com.evil.example/adminapi/beta/contoso/InvokeCommand")]
    [InlineData("https://sandbox.example", "https://outlook.office.com/adminapi/beta/contoso/InvokeCommand")]          // a custom host has no aliases
    public async Task Refuses_a_next_link_outside_the_clouds_admin_api_hosts(string baseUri, string next)
    {
        _handler.Respond(200, Ok(next: next));
        using AdminApiClient client = Client(o => o.BaseUri = new Uri(baseUri));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.MalformedResponse, ex.Failure);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task Honours_retry_after_and_sends_nothing_early()
    {
        _handler.Respond(429, "Too many requests", retryAfter: 41);
        _handler.Respond(200, Ok());
        using AdminApiClient client = Client();
        AdminApiResult result = await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None));
        Assert.Single(result.Values);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.True(_handler.Requests[1].At - _handler.Requests[0].At >= TimeSpan.FromSeconds(41),
            $"second request after {(_handler.Requests[1].At - _handler.Requests[0].At).TotalSeconds} s");
    }

    [Fact]
    public async Task Backs_off_exponentially_without_retry_after()
    {
        for (int i = 0; i < 3; i++) _handler.Respond(503, "");
        _handler.Respond(200, Ok());
        using AdminApiClient client = Client();
        await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None));
        Assert.Equal(4, _handler.Requests.Count);
        TimeSpan[] gaps = Enumerable.Range(1, 3).Select(i => _handler.Requests[i].At - _handler.Requests[i - 1].At).ToArray();
        Assert.All(gaps, g => Assert.True(g > TimeSpan.Zero));
        Assert.True(gaps.Sum(g => g.TotalSeconds) >= 4, string.Join(", ", gaps)); // 2 s base, doubling, with jitter
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(408, true)]
    [InlineData(500, false)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    public async Task Retries_only_transient_statuses(int status, bool retried)
    {
        _handler.Respond(status, "{\"error\":{\"code\":\"x\",\"message\":\"Error executing cmdlet\",\"details\":[{\"message\":\"E1|SomeException|Something failed\"}]}}", retryAfter: status == 429 ? 1 : null);
        _handler.Respond(200, Ok());
        using AdminApiClient client = Client();
        Task<AdminApiResult> call = client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None);
        if (retried)
        {
            await Run(call);
            Assert.Equal(2, _handler.Requests.Count);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(call));
            Assert.Equal("Something failed", ex.Message);
            Assert.Equal("E1", ex.ServiceErrorId);
            Assert.Single(_handler.Requests);
        }
    }

    [Fact]
    public async Task The_concurrent_requests_per_tenant_message_means_wait()
    {
        _handler.Respond(500, "You have reached the maximum number of concurrent requests per tenant. Please wait and try again");
        _handler.Respond(200, Ok());
        using AdminApiClient client = Client();
        await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None));
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task Gives_up_at_once_when_retry_after_outlasts_the_timeout()
    {
        _handler.Respond(429, "slow down", retryAfter: 3600);
        using AdminApiClient client = Client(o => o.OverallTimeout = TimeSpan.FromSeconds(600));
        DateTimeOffset start = _time.GetUtcNow();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.Throttled, ex.Failure);
        Assert.Contains("asked to wait 3600 s", ex.Message);
        Assert.Single(_handler.Requests);
        Assert.True(_time.GetUtcNow() - start < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Says_when_it_is_still_throttled_after_every_retry()
    {
        for (int i = 0; i < 6; i++) _handler.Respond(429, "", retryAfter: 1);
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.Throttled, ex.Failure);
        Assert.Contains("after 6 attempts", ex.Message);
        Assert.Equal(6, _handler.Requests.Count);
    }

    [Fact]
    public async Task A_401_refreshes_the_token_once()
    {
        _handler.Respond(401, "");
        _handler.Respond(200, Ok());
        using AdminApiClient client = Client();
        await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None));
        Assert.Equal(new[] { false, true }, _tokens.Calls.ToArray());
        Assert.Equal("Bearer token-2", _handler.Requests[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task A_second_401_is_an_authentication_error()
    {
        _handler.Respond(401, "{\"error\":{\"code\":\"InvalidToken\",\"message\":\"The token is expired.\"}}");
        _handler.Respond(401, "{\"error\":{\"code\":\"InvalidToken\",\"message\":\"The token is expired.\"}}");
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.Unauthorized, ex.Failure);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task A_throttled_tenant_holds_back_every_caller()
    {
        _handler.Respond(429, "", retryAfter: 30);
        for (int i = 0; i < 5; i++) _handler.Respond(200, Ok());
        using AdminApiClient client = Client();
        Task<AdminApiResult> first = client.InvokeAsync("Get-A", NoParameters, _events, CancellationToken.None);
        // The first call waits out its Retry-After: it has been answered 429 and has blocked the tenant.
        await _time.WaitForTimerAsync(IsRetryWait, Guard);
        Assert.True(client.Gate.BlockedUntil > _time.GetUtcNow());
        Task<AdminApiResult>[] others = Enumerable.Range(0, 3).Select(_ => client.InvokeAsync("Get-B", NoParameters, _events, CancellationToken.None)).ToArray();
        await Run(Task.WhenAll(others.Append(first)).ContinueWith(t => 0));
        DateTimeOffset throttledAt = _handler.Requests[0].At;
        Assert.All(_handler.Requests.Skip(1), r => Assert.True(r.At - throttledAt >= TimeSpan.FromSeconds(30), $"sent {(r.At - throttledAt).TotalSeconds} s after the 429"));
        Assert.Equal(5, _handler.Requests.Count);
    }

    [Fact]
    public async Task Caps_requests_in_flight_per_tenant()
    {
        _handler.Hold = true;
        for (int i = 0; i < 10; i++) _handler.Respond(200, Ok());
        using AdminApiClient client = Client(o => o.MaxConcurrencyPerTenant = 2);
        Task<AdminApiResult>[] calls = Enumerable.Range(0, 10).Select(_ => client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)).ToArray();
        // Everything up to the handler runs synchronously as each call starts: past the cap, calls wait at the gate.
        await _handler.WaitUntilAsync(() => _handler.Blocked >= 2, Guard);
        Assert.Equal(2, _handler.InFlight);
        _handler.Release();
        await Task.WhenAll(calls);
        Assert.Equal(2, _handler.MaxInFlight);
    }

    [Fact]
    public async Task Cancellation_during_a_retry_wait_stops_promptly()
    {
        _handler.Respond(429, "", retryAfter: 120);
        using AdminApiClient client = Client();
        using var cts = new CancellationTokenSource();
        Task<AdminApiResult> call = client.InvokeAsync("Get-X", NoParameters, _events, cts.Token);
        await _time.WaitForTimerAsync(IsRetryWait, Guard); // waiting out the Retry-After
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task An_attempt_that_hangs_times_out_and_is_retried()
    {
        _handler.Respond(hang: true);
        _handler.Respond(200, Ok());
        using AdminApiClient client = Client(o => o.AttemptTimeout = TimeSpan.FromSeconds(10));
        AdminApiResult result = await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None));
        Assert.Single(result.Values);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task Overall_timeout_ends_a_call_with_a_clear_error()
    {
        for (int i = 0; i < 20; i++) _handler.Respond(hang: true);
        using AdminApiClient client = Client(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(30);
            o.OverallTimeout = TimeSpan.FromSeconds(45);
        });
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.Timeout, ex.Failure);
    }

    [Theory]
    [InlineData(200, "{not json", AdminApiErrorKind.MalformedResponse)]
    [InlineData(200, "{\"value\":", AdminApiErrorKind.MalformedResponse)]
    [InlineData(200, "{\"value\":5}", AdminApiErrorKind.MalformedResponse)]
    [InlineData(200, "[1,2]", AdminApiErrorKind.MalformedResponse)]
    public async Task Broken_success_bodies_are_malformed_responses(int status, string body, AdminApiErrorKind kind)
    {
        _handler.Respond(status, body);
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(kind, ex.Failure);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"@odata.context\":\"x\"}")]
    [InlineData("")]
    public async Task A_read_answered_200_without_value_is_malformed_not_empty(string body)
    {
        // "Nothing exists" must not be concluded from a broken answer.
        _handler.Respond(200, body);
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.MalformedResponse, ex.Failure);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task A_204_and_a_write_without_value_are_empty_results()
    {
        _handler.Respond(204, "");
        _handler.Respond(200, "{}");
        _handler.Respond(200, "");
        _handler.Respond(200, Ok("[]"));
        using AdminApiClient client = Client();
        Assert.Empty((await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None))).Values);
        Assert.Empty((await Run(client.InvokeAsync("Set-X", NoParameters, _events, CancellationToken.None))).Values);
        Assert.Empty((await Run(client.InvokeAsync("Remove-X", NoParameters, _events, CancellationToken.None))).Values);
        Assert.Empty((await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None))).Values);
    }

    [Fact]
    public async Task Each_shape_of_an_answer_without_output_is_an_empty_result_with_its_warnings()
    {
        // 204; "value":[] with warnings; "value":null with warnings (the shape CIPP's New-ExoRequest.ps1 guards against),
        // and "value":null on a read, which is the service saying "nothing", not a broken answer.
        _handler.Respond(204, "");
        _handler.Respond(200, Ok("[]", warnings: "[\"The command completed successfully but no settings of 'X' have been modified.\"]"));
        _handler.Respond(200, Ok("null", warnings: "[\"The command completed successfully but no settings of 'X' have been modified.\"]"));
        _handler.Respond(200, Ok("null"));
        _handler.Respond(200, Ok("null", warnings: "[\"By default, only the first 1000 items are returned.\"]"));
        using AdminApiClient client = Client();
        AdminApiResult noContent = await Run(client.InvokeAsync("Set-X", NoParameters, _events, CancellationToken.None));
        Assert.Empty(noContent.Values);
        Assert.Empty(noContent.Warnings);
        foreach (string cmdlet in new[] { "Set-X", "Set-X" })
        {
            AdminApiResult warned = await Run(client.InvokeAsync(cmdlet, NoParameters, _events, CancellationToken.None));
            Assert.Empty(warned.Values);
            Assert.Equal(new[] { "The command completed successfully but no settings of 'X' have been modified." }, warned.Warnings);
        }
        Assert.Empty((await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None))).Values);
        AdminApiResult read = await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None));
        Assert.Empty(read.Values);
        Assert.Equal(new[] { "By default, only the first 1000 items are returned." }, read.Warnings);

        AdminPage page = AdminApiJson.ParsePage(Encoding.UTF8.GetBytes(Ok("null")), Encoding.UTF8.GetByteCount(Ok("null")));
        Assert.True(page.HasValue);
        Assert.True(page.ValueIsNull);
    }

    [Theory]
    [InlineData(403, "UnAuthorized|Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException|The role assigned to application c0a5e000-0000-4000-8000-000000000004 isn't supported in this scenario. Please check online documentation for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication.",
        "for the app's service principal, the Entra role Exchange Administrator")]
    [InlineData(401, "|Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException|The role assigned to application c0a5e000-0000-4000-8000-000000000004 isn't supported in this scenario.",
        "for the app's service principal, the Entra role Exchange Administrator")]
    [InlineData(403, "|Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException|The role assigned to user 'userx@tenantx.onmicrosoft.com' isn't supported in this scenario.",
        "The signed-in account needs the Entra role Exchange Administrator")]
    public void A_missing_role_is_access_denied_and_says_which_role_to_assign(int status, string detail, string advice)
    {
        string body = "{\"error\":{\"code\":\"Forbidden\",\"message\":\"Error executing cmdlet\",\"details\":[{\"message\":" + JsonSerializer.Serialize(detail) + "}]}}";
        AdminApiException ex = AdminApiErrorParser.Parse(status, body, "req-1");
        Assert.Equal(AdminApiErrorKind.AccessDenied, ex.Failure);
        Assert.Equal(ErrorIds.AccessDenied, ex.ErrorId);
        Assert.StartsWith(detail.Split('|', 3)[2], ex.Message);
        Assert.Contains(advice, ex.Message);
        Assert.Contains(advice, ex.Advice);
    }

    [Fact]
    public async Task A_certificate_failure_is_reported_at_once_and_not_retried()
    {
        _handler.Throw(new HttpRequestException("The SSL connection could not be established, see inner exception.",
            new System.Security.Authentication.AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: NotTimeValid")));
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.ConnectionFailed, ex.Failure);
        Assert.Contains("TLS handshake failed", ex.Message);
        Assert.Contains("NotTimeValid", ex.Message);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task A_refused_connection_gets_two_more_tries_then_is_named()
    {
        for (int i = 0; i < 5; i++)
        {
            _handler.Throw(new HttpRequestException("Connection refused", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
        }
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.ConnectionFailed, ex.Failure);
        Assert.Contains("the connection was refused", ex.Message);
        Assert.Equal(3, _handler.Requests.Count);
    }

    [Fact]
    public async Task A_reset_while_the_body_is_read_is_retried()
    {
        _handler.RespondReset();
        _handler.Respond(200, Ok());
        using AdminApiClient client = Client();
        AdminApiResult result = await Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None));
        Assert.Single(result.Values);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task A_reset_on_every_try_is_a_connection_error_not_an_IOException()
    {
        for (int i = 0; i < 5; i++) _handler.RespondReset();
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.ConnectionFailed, ex.Failure);
        Assert.Contains("closed before the response was complete", ex.Message);
        Assert.Equal(3, _handler.Requests.Count);
    }

    [Theory]
    [InlineData(900, 30, 10)]
    [InlineData(30, 30, 10)]
    [InlineData(20, 20, 10)]
    [InlineData(3, 3, 3)]
    public void The_connection_check_keeps_its_own_bound_or_the_sessions_shorter_one(int sessionSeconds, double overall, double attempt)
    {
        AdminApiCallLimits limits = ConnectionCheck.For(TimeSpan.FromSeconds(sessionSeconds));
        Assert.Equal(overall, limits.OverallTimeout.TotalSeconds, 3);
        Assert.Equal(attempt, limits.AttemptTimeout.TotalSeconds, 3);
        Assert.Equal(2, limits.MaxRetries);
    }

    [Fact]
    public async Task A_connection_check_against_a_service_that_never_answers_ends_within_its_bound_and_shows_each_attempt()
    {
        // The issue-14 case: the API accepts and never answers; the session's 20 s is shorter than the check's 30 s.
        for (int i = 0; i < 5; i++) _handler.Respond(hang: true);
        AdminApiCallLimits limits = ConnectionCheck.For(TimeSpan.FromSeconds(20));
        // The pump tells timeouts from back-offs by the client's options: give them the check's bounds.
        using AdminApiClient client = Client(o =>
        {
            o.OverallTimeout = limits.OverallTimeout;
            o.AttemptTimeout = limits.AttemptTimeout;
        });
        DateTimeOffset start = _time.GetUtcNow();
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("Get-OrganizationConfig", NoParameters, _events, CancellationToken.None, limits)));
        Assert.Equal(AdminApiErrorKind.Timeout, ex.Failure);
        Assert.True(_time.GetUtcNow() - start <= TimeSpan.FromSeconds(20), $"ended after {(_time.GetUtcNow() - start).TotalSeconds} s of fake time");
        Assert.Contains(_events.ProgressUpdates, p => p.Status.Contains("no answer in time; retrying in", StringComparison.Ordinal) && p.Status.Contains("(attempt 2 of 3)", StringComparison.Ordinal));
        Assert.DoesNotContain("refused", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_overall_timeout_names_what_kept_failing()
    {
        for (int i = 0; i < 10; i++) _handler.Respond(503, "Service Unavailable");
        using AdminApiClient client = Client(o => o.OverallTimeout = TimeSpan.FromSeconds(5));
        var ex = await Assert.ThrowsAsync<AdminApiException>(() => Run(client.InvokeAsync("New-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal(AdminApiErrorKind.Timeout, ex.Failure);
        Assert.Contains("overall timeout", ex.Message);
        Assert.Contains("The last attempt failed: HTTP 503", ex.Message);
    }

    [Fact]
    public async Task A_token_failure_surfaces_as_a_sign_in_error_without_sending()
    {
        _tokens.Fail = true;
        using AdminApiClient client = Client();
        var ex = await Assert.ThrowsAsync<SignInException>(() => Run(client.InvokeAsync("Get-X", NoParameters, _events, CancellationToken.None)));
        Assert.Equal("AuthenticationRequired", ex.ErrorId);
        Assert.Empty(_handler.Requests);
    }

    internal sealed record Recorded(string Url, Dictionary<string, string> Headers, string Body, DateTimeOffset At);

    /// <summary>
    /// Answers from a script, records each request with the fake clock's time, and can hold answers back. Says when a
    /// request enters, leaves or blocks (hangs or is held), so a test can wait for that instead of sleeping.
    /// </summary>
    internal sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly PumpedTime _time;
        private readonly ConcurrentQueue<(int Status, string Body, int? RetryAfter, bool Hang, Exception? Error)> _script = new();
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly object _gate = new();
        private int _inFlight;
        private int _blocked;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ScriptedHandler(PumpedTime time) => _time = time;

        /// <summary>Completes when a request enters, leaves or blocks.</summary>
        public Task Changed => Volatile.Read(ref _changed).Task;

        /// <summary>Requests inside the handler that wait for Release or hang until cancelled.</summary>
        public int Blocked => Volatile.Read(ref _blocked);

        /// <summary>A request is being answered (inside the handler and not blocked).</summary>
        public bool Busy => InFlight > Blocked;

        public async Task WaitUntilAsync(Func<bool> condition, TimeSpan guard)
        {
            using var limit = new CancellationTokenSource(guard);
            while (true)
            {
                Task changed = Changed;
                if (condition()) return;
                await changed.WaitAsync(limit.Token);
            }
        }

        private void Notify() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        private async Task BlockAsync(Task wait)
        {
            Interlocked.Increment(ref _blocked);
            Notify();
            try
            {
                await wait;
            }
            finally
            {
                Interlocked.Decrement(ref _blocked);
                Notify();
            }
        }

        public List<Recorded> Requests { get; } = new();
        public bool Hold { get; set; }
        public int InFlight => Volatile.Read(ref _inFlight);
        public int MaxInFlight { get; private set; }

        public void Respond(int status = 200, string body = "", int? retryAfter = null, bool hang = false) => _script.Enqueue((status, body, retryAfter, hang, null));

        /// <summary>The send fails with this exception (refused, TLS, ...).</summary>
        public void Throw(Exception error) => _script.Enqueue((0, "", null, false, error));

        /// <summary>A 200 whose body breaks off with a connection reset.</summary>
        public void RespondReset() => _script.Enqueue((-1, "", null, false, null));

        public void Release() => _release.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            if (request.Content != null)
            {
                foreach (var h in request.Content.Headers) headers[h.Key] = string.Join(",", h.Value);
            }
            string body = request.Content == null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (_gate)
            {
                Requests.Add(new Recorded(request.RequestUri!.ToString(), headers, body, _time.GetUtcNow()));
                _inFlight++;
                MaxInFlight = Math.Max(MaxInFlight, _inFlight);
            }
            Notify();
            try
            {
                if (Hold) await BlockAsync(_release.Task.WaitAsync(cancellationToken));
                if (!_script.TryDequeue(out var step)) step = (500, "script exhausted", null, false, null);
                // A peer that never answers: only the client's timeout (or cancellation) ends it.
                if (step.Hang) await BlockAsync(Task.Delay(Timeout.Infinite, cancellationToken));
                if (step.Error != null) throw step.Error;
                if (step.Status == -1) return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new ResetStream()) };
                var response = new HttpResponseMessage((HttpStatusCode)step.Status) { Content = new StringContent(step.Body, Encoding.UTF8, "application/json") };
                if (step.RetryAfter != null) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(step.RetryAfter.Value));
                return response;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                Notify();
            }
        }
    }

    /// <summary>Half a JSON body, then what a socket reset looks like to the reader.</summary>
    private sealed class ResetStream : Stream
    {
        private bool _sent;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_sent) throw new IOException("Unable to read data from the transport connection: Connection reset by peer.");
            _sent = true;
            byte[] half = Encoding.UTF8.GetBytes("{\"value\":[{\"Na");
            Array.Copy(half, 0, buffer, offset, half.Length);
            return half.Length;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    internal sealed class FakeTokens : ITokenSource
    {
        private int _count;

        public ConcurrentQueue<bool> Calls { get; } = new();
        public bool Fail { get; set; }

        public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken)
        {
            if (Fail) throw new SignInException("AuthenticationRequired", "The session expired.");
            Calls.Enqueue(forceRefresh);
            int n = forceRefresh ? Interlocked.Increment(ref _count) + 1 : Math.Max(1, Volatile.Read(ref _count));
            if (forceRefresh) Interlocked.Exchange(ref _count, n);
            return Task.FromResult(new AccessTokenResult("token-" + n, DateTimeOffset.UtcNow.AddHours(1), "tid", "admin@contoso.onmicrosoft.com"));
        }
    }
}
