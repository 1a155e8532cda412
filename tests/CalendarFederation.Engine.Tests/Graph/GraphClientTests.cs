using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CalendarFederation.Engine.Tests.Graph;

/// <summary>The Graph client's wire form, paging, resilience (shared with the admin API client) and its errors.</summary>
public sealed class GraphClientTests : IDisposable
{
    private static readonly GraphRequirement Read = new("read the cross-tenant access policy", new[] { "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess" },
        new[] { EntraRole.GlobalReader, EntraRole.SecurityReader, EntraRole.GlobalAdministrator });
    private static readonly GraphRequirement CapabilityWrite = new("change the Microsoft 365 capability crossTenantCalendarAvailabilityBasic",
        new[] { "Policy.ReadWrite.CrossTenantCapability" }, new[] { EntraRole.ExchangeAdministrator, EntraRole.GlobalAdministrator });

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly GraphScriptedHandler _handler;
    private readonly FakeGraphTokens _tokens = new();
    private readonly RecordingEvents _events = new();
    private readonly List<GraphClient> _clients = new();

    public GraphClientTests() => _handler = new GraphScriptedHandler(_time);

    public void Dispose()
    {
        foreach (GraphClient c in _clients) c.Dispose();
    }

    private GraphClient Client(Action<GraphClientOptions>? configure = null, TenantGateRegistry? gates = null)
    {
        GraphClient client = GraphClients.Create(_handler, _tokens, _time, configure, gates);
        _clients.Add(client);
        return client;
    }

    private Task<T> Run<T>(Task<T> task) => Clock.Run(_time, task);

    private const string Partner = "{\"tenantId\":\"90e29127-71ad-49c7-9ce8-db3f41ea06f1\",\"m365CollaborationInbound\":null}";

    private static string Page(string values, string? next = null) =>
        "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/partners\",\"value\":[" + values + "]"
        + (next != null ? ",\"@odata.nextLink\":\"" + next + "\"" : "") + "}";

    private static string Error(string code, string message, string requestId = "rq-1") =>
        "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"innerError\":{\"date\":\"2026-12-03T09:00:00\",\"request-id\":\"" + requestId
        + "\",\"client-request-id\":\"cr-echo\"}}}";

    [Fact]
    public async Task A_get_sends_the_token_a_fresh_client_request_id_and_accept()
    {
        _handler.Respond(200, Partner).Respond(200, Partner);
        GraphClient client = Client();
        JsonElement partner = await Run(client.GetAsync("policies/crossTenantAccessPolicy/partners/90e29127-71ad-49c7-9ce8-db3f41ea06f1", Read, _events, CancellationToken.None));
        await Run(client.GetAsync("policies/crossTenantAccessPolicy/partners/90e29127-71ad-49c7-9ce8-db3f41ea06f1", Read, _events, CancellationToken.None));

        Assert.Equal("90e29127-71ad-49c7-9ce8-db3f41ea06f1", partner.GetProperty("tenantId").GetString());
        GraphRequest r = _handler.Requests[0];
        Assert.Equal("GET", r.Method);
        Assert.Equal("https://graph.microsoft.com/v1.0/policies/crossTenantAccessPolicy/partners/90e29127-71ad-49c7-9ce8-db3f41ea06f1", r.Url);
        Assert.Equal("Bearer token-1", r.Headers["Authorization"]);
        Assert.Equal("application/json", r.Headers["Accept"]);
        Assert.True(Guid.TryParse(r.Headers["client-request-id"], out _));
        Assert.NotEqual(r.Headers["client-request-id"], _handler.Requests[1].Headers["client-request-id"]);
        Assert.Null(r.Body);
        Assert.Contains(_events.VerboseLines, l => l.StartsWith("GET /v1.0/policies/crossTenantAccessPolicy/partners/90e29127-71ad-49c7-9ce8-db3f41ea06f1 -> 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_patch_and_delete_send_exactly_the_json_given()
    {
        _handler.Respond(201, "{\"tenantId\":\"90e29127-71ad-49c7-9ce8-db3f41ea06f1\"}").Respond(204).Respond(204);
        GraphClient client = Client();
        JsonElement? created = await Run(client.PostAsync("policies/crossTenantAccessPolicy/partners", new JsonObject { ["tenantId"] = "90e29127-71ad-49c7-9ce8-db3f41ea06f1" },
            CapabilityWrite, _events, CancellationToken.None));
        await Run(client.PatchAsync("policies/crossTenantAccessPolicy/partners/x", new JsonObject { ["a"] = new JsonArray() }, CapabilityWrite, _events, CancellationToken.None)
            .ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }));
        await Run(client.DeleteAsync("policies/crossTenantAccessPolicy/partners/x/m365Capabilities/y", CapabilityWrite, _events, CancellationToken.None)
            .ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }));

        Assert.Equal("90e29127-71ad-49c7-9ce8-db3f41ea06f1", created!.Value.GetProperty("tenantId").GetString());
        Assert.Equal(new[] { "POST", "PATCH", "DELETE" }, _handler.Requests.Select(r => r.Method));
        Assert.Equal("{\"tenantId\":\"90e29127-71ad-49c7-9ce8-db3f41ea06f1\"}", _handler.Requests[0].Body);
        Assert.Equal("application/json", _handler.Requests[0].Headers["Content-Type"]);
        Assert.Equal("{\"a\":[]}", _handler.Requests[1].Body);
        Assert.Null(_handler.Requests[2].Body);
        Assert.Equal("https://graph.microsoft.com/v1.0/policies/crossTenantAccessPolicy/partners/x/m365Capabilities/y", _handler.Requests[2].Url);
    }

    [Fact]
    public async Task A_collection_follows_next_links_on_the_same_host()
    {
        _handler.Respond(200, Page("{\"n\":1},{\"n\":2}", "https://graph.microsoft.com/v1.0/policies/crossTenantAccessPolicy/partners?$skiptoken=A"));
        _handler.Respond(200, Page("{\"n\":3}", "https://GRAPH.microsoft.com/v1.0/policies/crossTenantAccessPolicy/partners?$skiptoken=B"));
        _handler.Respond(200, Page("{\"n\":4}"));
        GraphClient client = Client();
        IReadOnlyList<JsonElement> items = await Run(client.GetCollectionAsync("policies/crossTenantAccessPolicy/partners", Read, _events, CancellationToken.None));

        Assert.Equal(new[] { 1, 2, 3, 4 }, items.Select(i => i.GetProperty("n").GetInt32()));
        Assert.Equal(3, _handler.Requests.Count);
        Assert.EndsWith("$skiptoken=B", _handler.Requests[2].Url);
        Assert.All(_handler.Requests, r => Assert.Equal("Bearer token-1", r.Headers["Authorization"]));
        Assert.Equal(3, _handler.Requests.Select(r => r.Headers["client-request-id"]).Distinct().Count());
    }

    [Theory]
    [InlineData("https://evil.example/v1.0/policies?$skiptoken=A")]
    [InlineData("http://graph.microsoft.com/v1.0/policies?$skiptoken=A")]
    [InlineData("https://graph.microsoft.com:8443/v1.0/policies?$skiptoken=A")]
    [InlineData("https://graph.microsoft.us/v1.0/policies?$skiptoken=A")]
    [InlineData("https://user@graph.microsoft.com/v1.0/policies?$skiptoken=A")]
    [InlineData("/v1.0/policies?$skiptoken=A")]
    public async Task A_next_link_to_another_host_is_never_followed(string next)
    {
        _handler.Respond(200, Page("{\"n\":1}", next));
        GraphClient client = Client();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetCollectionAsync("policies", Read, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.MalformedResponse, ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public void Each_cloud_trusts_only_its_own_graph_hosts()
    {
        Assert.Equal(new[] { "graph.microsoft.com" }, GraphHosts.TrustedFor(new Uri("https://graph.microsoft.com")).ToArray());
        Assert.DoesNotContain("graph.microsoft.com", GraphHosts.TrustedFor(new Uri("https://dod-graph.microsoft.us")));
        Assert.Equal(new[] { "localhost" }, GraphHosts.TrustedFor(new Uri("https://localhost:5001")).ToArray());
    }

    [Fact]
    public async Task A_next_link_seen_twice_stops_the_loop()
    {
        _handler.Responder = _ => new GraphAnswer { Body = Page("{\"n\":1}", "https://graph.microsoft.com/v1.0/policies?$skiptoken=same") };
        GraphClient client = Client();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetCollectionAsync("policies", Read, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.MalformedResponse, ex.ErrorId);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task Retry_after_is_honoured_and_the_wait_is_shown_with_its_reason()
    {
        _handler.Respond(429, Error("TooManyRequests", "Too many requests"), retryAfter: 12).Respond(200, Partner);
        GraphClient client = Client();
        await Run(client.GetAsync("policies/crossTenantAccessPolicy/default", Read, _events, CancellationToken.None));

        Assert.Equal(2, _handler.Requests.Count);
        Assert.True(_handler.Requests[1].At - _handler.Requests[0].At >= TimeSpan.FromSeconds(12));
        ProgressUpdate p = Assert.Single(_events.ProgressUpdates);
        Assert.Equal("Microsoft Graph", p.Activity);
        Assert.Equal("GET policies/crossTenantAccessPolicy/default: throttled by the service; retrying in 12 s (attempt 2 of 11)", p.Status);
        Assert.Equal(ProgressLanes.Retry, p.Lane);
        Assert.Contains(_events.VerboseLines, l => l.Contains("throttled; retry 1 of 10 in 12 s (Retry-After)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Unavailable_and_gateway_timeouts_back_off_exponentially(int status)
    {
        _handler.Respond(status).Respond(status).Respond(status).Respond(200, Partner);
        GraphClient client = Client();
        await Run(client.GetAsync("policies/crossTenantAccessPolicy/default", Read, _events, CancellationToken.None));
        Assert.Equal(4, _handler.Requests.Count);
        TimeSpan[] gaps = Enumerable.Range(1, 3).Select(i => _handler.Requests[i].At - _handler.Requests[i - 1].At).ToArray();
        Assert.All(gaps, g => Assert.True(g > TimeSpan.Zero));
        Assert.True(gaps.Sum(g => g.TotalSeconds) >= 4, string.Join(", ", gaps)); // 2 s base, doubling, with jitter
    }

    [Theory]
    [InlineData(400, ErrorKind.InvalidArgument)]
    [InlineData(404, ErrorKind.ObjectNotFound)]
    [InlineData(409, ErrorKind.ResourceExists)]
    [InlineData(500, ErrorKind.NotSpecified)]
    public async Task Other_failures_are_not_retried_and_carry_graphs_error(int status, ErrorKind kind)
    {
        _handler.Respond(status, Error("Request_BadRequest", "Something is wrong.", "rq-42"), requestId: "rq-header");
        GraphClient client = Client();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.PostAsync("policies/crossTenantAccessPolicy/partners", new JsonObject(), Read, _events, CancellationToken.None)));
        Assert.Single(_handler.Requests);
        Assert.Equal(ErrorIds.GraphError, ex.ErrorId);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(status, ex.Status);
        Assert.Equal("Request_BadRequest", ex.Code);
        Assert.Equal("rq-42", ex.RequestId);
        Assert.Equal(_handler.Requests[0].Headers["client-request-id"], ex.ClientRequestId);
        Assert.Equal("client-request-id " + ex.ClientRequestId + ", request-id rq-42", ex.RequestIds);
        Assert.Equal("Something is wrong.", ex.ServiceMessage);
        Assert.Contains("Something is wrong.", ex.Message);
        Assert.Equal(Jwts.TenantId, ex.Target);
    }

    [Fact]
    public async Task The_request_id_header_is_used_when_the_body_has_none()
    {
        _handler.Respond(404, "", requestId: "rq-header");
        GraphClient client = Client();
        JsonElement? missing = await Run(client.GetOrDefaultAsync("policies/crossTenantAccessPolicy/partners/x", Read, _events, CancellationToken.None));
        Assert.Null(missing);
        _handler.Respond(404, "not json", requestId: "rq-header");
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetAsync("policies/crossTenantAccessPolicy/partners/x", Read, _events, CancellationToken.None)));
        Assert.Equal("rq-header", ex.RequestId);
        Assert.Null(ex.Code);
    }

    [Fact]
    public async Task Still_throttled_after_every_retry_is_a_throttled_error()
    {
        for (int i = 0; i < 4; i++) _handler.Respond(429, Error("TooManyRequests", "slow down"), retryAfter: 1);
        GraphClient client = Client(o => o.MaxRetries = 3);
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetAsync("policies", Read, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.Throttled, ex.ErrorId);
        Assert.True(ex.IsRetryable);
        Assert.Contains("Still throttled after 4 attempts", ex.Message);
        Assert.Equal(4, _handler.Requests.Count);
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_time_left_gives_up_at_once()
    {
        _handler.Respond(503, "", retryAfter: 3600);
        GraphClient client = Client(o => o.OverallTimeout = TimeSpan.FromSeconds(300));
        DateTimeOffset start = _time.GetUtcNow();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetAsync("policies", Read, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.ServiceUnavailable, ex.ErrorId);
        Assert.Contains("asked to wait 3600 s", ex.Message);
        Assert.Single(_handler.Requests);
        Assert.True(_time.GetUtcNow() - start < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_throttled_tenant_holds_back_every_caller_of_that_graph_host_and_tenant()
    {
        var gates = new TenantGateRegistry(_time);
        _handler.Respond(429, "", retryAfter: 30);
        for (int i = 0; i < 4; i++) _handler.Respond(200, Partner);
        GraphClient first = Client(gates: gates);
        GraphClient second = Client(gates: gates);
        Assert.Same(first.Gate, second.Gate);
        Task<JsonElement> throttled = first.GetAsync("policies/a", Read, _events, CancellationToken.None);
        await Clock.Within(_handler.WaitForRequestsAsync(1), "the first request");
        await Clock.Until(() => first.Gate.BlockedUntil > _time.GetUtcNow(), "the 429 to block the tenant");
        Task<JsonElement>[] others = Enumerable.Range(0, 3).Select(_ => second.GetAsync("policies/b", Read, _events, CancellationToken.None)).ToArray();
        await Clock.Run(_time, Task.WhenAll(others.Append(throttled)));
        DateTimeOffset throttledAt = _handler.Requests[0].At;
        Assert.Equal(5, _handler.Requests.Count);
        Assert.All(_handler.Requests.Skip(1), r => Assert.True(r.At - throttledAt >= TimeSpan.FromSeconds(30), $"sent {(r.At - throttledAt).TotalSeconds} s after the 429"));
    }

    [Fact]
    public void The_gate_is_keyed_by_graph_host_and_tenant()
    {
        var gates = new TenantGateRegistry(_time);
        GraphClient a = Client(gates: gates);
        GraphClient otherTenant = Client(o => o.Tenant = "b1b2b3b4-0000-4000-8000-000000000001", gates);
        GraphClient otherHost = Client(o => o.BaseUri = new Uri("https://graph.microsoft.us"), gates);
        Assert.NotSame(a.Gate, otherTenant.Gate);
        Assert.NotSame(a.Gate, otherHost.Gate);
        Assert.Same(a.Gate, gates.For(new Uri("https://graph.microsoft.com"), Jwts.TenantId, 4));
        Assert.NotSame(a.Gate, gates.For(new Uri("https://outlook.office365.com"), Jwts.TenantId, 4));
    }

    [Fact]
    public async Task Requests_in_flight_per_tenant_are_capped()
    {
        _handler.Hold = true;
        for (int i = 0; i < 8; i++) _handler.Respond(200, Partner);
        GraphClient client = Client(o => o.MaxConcurrencyPerTenant = 2);
        Task<JsonElement>[] calls = Enumerable.Range(0, 8).Select(_ => client.GetAsync("policies", Read, _events, CancellationToken.None)).ToArray();
        await Clock.Within(_handler.WaitForRequestsAsync(2), "two requests in flight");
        Assert.Equal(2, _handler.InFlight);
        Assert.Equal(2, _handler.Requests.Count);
        _handler.Release();
        await Clock.Within(Task.WhenAll(calls), "the held calls");
        Assert.Equal(2, _handler.MaxInFlight);
        Assert.Equal(8, _handler.Requests.Count);
    }

    [Fact]
    public async Task An_attempt_that_hangs_times_out_and_is_retried()
    {
        _handler.RespondHang().Respond(200, Partner);
        GraphClient client = Client(o => o.AttemptTimeout = TimeSpan.FromSeconds(10));
        await Run(client.GetAsync("policies", Read, _events, CancellationToken.None));
        Assert.Equal(2, _handler.Requests.Count);
        Assert.True(_handler.Requests[1].At - _handler.Requests[0].At >= TimeSpan.FromSeconds(10));
        Assert.Contains(_events.ProgressUpdates, p => p.Status.StartsWith("GET policies: no answer in time; retrying in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_overall_timeout_is_a_graph_timeout_that_names_what_kept_failing()
    {
        _handler.Responder = _ => new GraphAnswer { Status = 503 };
        GraphClient client = Client(o => o.OverallTimeout = TimeSpan.FromSeconds(5));
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetAsync("policies", Read, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.GraphTimeout, ex.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, ex.Kind);
        Assert.True(ex.IsRetryable);
        Assert.Contains("GET policies did not complete within 5 s (the overall timeout). The last attempt failed: HTTP 503.", ex.Message);
    }

    [Fact]
    public async Task Cancellation_during_a_retry_wait_stops_promptly()
    {
        _handler.Respond(429, "", retryAfter: 120);
        GraphClient client = Client();
        using var cts = new CancellationTokenSource();
        Task<JsonElement> call = client.GetAsync("policies", Read, _events, cts.Token);
        await Clock.Until(() => !_events.ProgressUpdates.IsEmpty, "the retry wait to begin");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Within(call, "the cancelled call"));
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task A_refused_connection_gets_two_more_tries_then_is_named()
    {
        for (int i = 0; i < 5; i++) _handler.Throw(new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)));
        GraphClient client = Client();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetAsync("policies", Read, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.ConnectionFailed, ex.ErrorId);
        Assert.Contains("the connection was refused", ex.Message);
        Assert.Equal(3, _handler.Requests.Count);
    }

    [Fact]
    public async Task A_401_refreshes_the_token_once_and_resends()
    {
        _handler.Respond(401, Error("InvalidAuthenticationToken", "Access token has expired.")).Respond(200, Partner);
        GraphClient client = Client();
        await Run(client.GetAsync("policies", Read, _events, CancellationToken.None));
        Assert.Equal(new[] { false, true }, _tokens.Calls.ToArray());
        Assert.Equal("Bearer token-1", _handler.Requests[0].Headers["Authorization"]);
        Assert.Equal("Bearer token-2", _handler.Requests[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task A_second_401_is_an_authentication_error()
    {
        _handler.Respond(401, Error("InvalidAuthenticationToken", "Access token has expired.")).Respond(401, Error("InvalidAuthenticationToken", "Access token has expired."));
        GraphClient client = Client();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetAsync("policies", Read, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.AuthenticationRequired, ex.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task A_token_failure_sends_nothing()
    {
        _tokens.Fail = new EngineException(ErrorIds.GraphTokenRequired, ErrorKind.AuthenticationError, "A Microsoft Graph token is needed.");
        GraphClient client = Client();
        var ex = await Assert.ThrowsAsync<EngineException>(() => Run(client.GetAsync("policies", Read, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.GraphTokenRequired, ex.ErrorId);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task Broken_or_oversized_answers_are_malformed()
    {
        _handler.Respond(200, "{not json").Respond(200, "[1]").Respond(200, "{\"value\":" + new string('1', 3000) + "}");
        GraphClient client = Client(o => o.MaxResponseBytes = 2048);
        foreach (int _ in Enumerable.Range(0, 3))
        {
            var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetAsync("policies", Read, _events, CancellationToken.None)));
            Assert.Equal(ErrorIds.MalformedResponse, ex.ErrorId);
        }
        Assert.Equal(3, _handler.Requests.Count);
    }

    [Fact]
    public async Task A_disposed_client_says_the_connection_is_closed()
    {
        GraphClient client = Client();
        client.Dispose();
        var ex = await Assert.ThrowsAsync<GraphException>(() => client.GetAsync("policies", Read, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.ConnectionClosed, ex.ErrorId);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public void Only_https_or_loopback_http_is_accepted()
    {
        Assert.Throws<ArgumentException>(() => Client(o => o.BaseUri = new Uri("http://graph.example")));
        Assert.Equal("http://127.0.0.1:5000/v1.0/policies", Client(o => o.BaseUri = new Uri("http://127.0.0.1:5000")).UriFor("policies").ToString());
    }

    // --- 403: name what is missing -------------------------------------------------------------

    private async Task<GraphException> Forbidden(string token, GraphRequirement requirement)
    {
        _tokens.TokenFor = _ => token;
        _handler.Respond(403, Error("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        GraphClient client = Client();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.PostAsync("policies/x", new JsonObject(), requirement, _events, CancellationToken.None)));
        Assert.Equal(ErrorKind.PermissionDenied, ex.Kind);
        Assert.Equal(403, ex.Status);
        Assert.Equal("Authorization_RequestDenied", ex.Code);
        Assert.Same(requirement, ex.Requirement);
        Assert.DoesNotContain(token, ex.Message, StringComparison.Ordinal);
        Assert.All(_events.VerboseLines, l => Assert.DoesNotContain(token, l, StringComparison.Ordinal));
        return ex;
    }

    [Fact]
    public async Task A_403_to_an_app_without_the_application_permission_names_it()
    {
        GraphException ex = await Forbidden(Jwts.AppOnly("Policy.Read.All"), CapabilityWrite);
        Assert.Equal(ErrorIds.GraphPermissionMissing, ex.ErrorId);
        Assert.Equal(new[] { "Policy.ReadWrite.CrossTenantCapability" }, ex.MissingPermissions);
        Assert.Empty(ex.MissingRoles);
        Assert.Contains("application permission Policy.ReadWrite.CrossTenantCapability", ex.Message);
        Assert.Contains("11111111-2222-4333-8444-555555555555", ex.Message);
        Assert.Contains("admin consent", ex.Message);
    }

    [Fact]
    public async Task A_403_with_the_scope_but_without_the_role_names_the_roles()
    {
        GraphException ex = await Forbidden(Jwts.Delegated("Policy.ReadWrite.CrossTenantCapability Policy.Read.All", new[] { EntraRole.SecurityAdministrator.TemplateId }), CapabilityWrite);
        Assert.Equal(ErrorIds.GraphRoleMissing, ex.ErrorId);
        Assert.Empty(ex.MissingPermissions);
        Assert.Equal(new[] { EntraRole.ExchangeAdministrator, EntraRole.GlobalAdministrator }, ex.MissingRoles);
        Assert.Contains("admin@contoso.com holds none of the roles Exchange Administrator or Global Administrator", ex.Message);
    }

    [Fact]
    public async Task A_403_without_the_delegated_scope_names_the_permission_and_a_missing_role_too()
    {
        GraphException ex = await Forbidden(Jwts.Delegated("Policy.Read.All", new[] { EntraRole.GlobalReader.TemplateId }), CapabilityWrite);
        Assert.Equal(ErrorIds.GraphPermissionMissing, ex.ErrorId);
        Assert.Equal(new[] { "Policy.ReadWrite.CrossTenantCapability" }, ex.MissingPermissions);
        Assert.Equal(2, ex.MissingRoles.Count);
        Assert.Contains("delegated permission Policy.ReadWrite.CrossTenantCapability is not granted", ex.Message);
        Assert.Contains("also holds none of the roles Exchange Administrator or Global Administrator", ex.Message);
    }

    [Fact]
    public async Task A_403_with_the_scope_and_no_role_claim_names_the_role_as_the_likely_cause()
    {
        GraphException ex = await Forbidden(Jwts.Delegated("Policy.ReadWrite.CrossTenantCapability", wids: null), CapabilityWrite);
        Assert.Equal(ErrorIds.GraphRoleMissing, ex.ErrorId);
        Assert.Contains("does not list", ex.Message);
        Assert.Contains("Exchange Administrator or Global Administrator", ex.Message);
    }

    [Fact]
    public async Task A_403_with_an_unreadable_token_names_both_possibilities()
    {
        GraphException ex = await Forbidden("opaque-token-value", CapabilityWrite);
        Assert.Equal(ErrorIds.GraphAccessDenied, ex.ErrorId);
        Assert.Contains("Policy.ReadWrite.CrossTenantCapability", ex.Message);
        Assert.Contains("Exchange Administrator or Global Administrator", ex.Message);
        Assert.Contains("does not show which", ex.Message);
    }

    [Fact]
    public async Task A_403_although_scope_and_role_are_there_says_so()
    {
        GraphException ex = await Forbidden(Jwts.Delegated("Policy.ReadWrite.CrossTenantCapability", new[] { EntraRole.GlobalAdministrator.TemplateId }), CapabilityWrite);
        Assert.Equal(ErrorIds.GraphAccessDenied, ex.ErrorId);
        Assert.Contains("although the token carries Policy.ReadWrite.CrossTenantCapability", ex.Message);
        Assert.Contains("Insufficient privileges", ex.Message);
    }

    [Fact]
    public async Task A_403_on_a_read_accepts_any_of_its_permissions()
    {
        GraphException ex = await Forbidden(Jwts.Delegated("Policy.ReadWrite.CrossTenantAccess", new[] { "00000000-0000-0000-0000-000000000000" }), Read);
        Assert.Equal(ErrorIds.GraphRoleMissing, ex.ErrorId);
        Assert.Contains("Global Reader, Security Reader or Global Administrator", ex.Message);
    }

    [Fact]
    public void Graph_error_bodies_are_parsed_tolerantly()
    {
        GraphErrorBody b = GraphErrorBody.Parse(Error("Request_ResourceNotFound", "Resource not found.", "rq-9"));
        Assert.Equal("Request_ResourceNotFound", b.Code);
        Assert.Equal("Resource not found.", b.Message);
        Assert.Equal("rq-9", b.RequestId);
        Assert.Equal("cr-echo", b.ClientRequestId);
        Assert.Equal("2026-12-03T09:00:00", b.Date);
        Assert.Equal("x", GraphErrorBody.Parse("{\"error\":{\"code\":\"x\",\"innererror\":{\"request-id\":\"r\"}}}").Code);
        Assert.Equal("r", GraphErrorBody.Parse("{\"error\":{\"code\":\"x\",\"innererror\":{\"request-id\":\"r\"}}}").RequestId);
        foreach (string junk in new[] { "", "{", "[]", "{\"error\":5}", "<html/>", "{\"error\":{\"code\":7}}" })
        {
            GraphErrorBody e = GraphErrorBody.Parse(junk);
            Assert.Null(e.Code);
        }
        Assert.Equal("plain", GraphErrorBody.Parse("{\"error\":\"plain\"}").Message);
    }

    [Fact]
    public async Task A_token_in_graphs_error_message_is_redacted()
    {
        string leaked = Jwts.AppOnly("x");
        _handler.Respond(400, Error("BadRequest", "Bearer " + leaked + " was rejected"));
        GraphClient client = Client();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(client.GetAsync("policies", Read, _events, CancellationToken.None)));
        Assert.DoesNotContain(leaked, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(leaked, ex.ServiceMessage!, StringComparison.Ordinal);
    }
}
