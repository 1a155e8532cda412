using System.Collections.Concurrent;
using System.Net;
using System.Text;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.Tenants;
using CalendarFederation.Engine.Tests.Support;
using CalendarFederation.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CalendarFederation.Engine.Tests;

/// <summary>The partner's tenant id and cloud from its anonymous OpenID configuration (docs/cross-tenant-access.md §2.1).</summary>
public class PartnerTenantResolverTests : IClassFixture<SandboxFixture>
{
    private static readonly Uri Login = new("https://login.microsoftonline.com");
    private static readonly Guid Fabrikam = Guid.Parse("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22");
    private readonly SandboxServer _sandbox;
    private readonly RecordingEvents _events = new();

    public PartnerTenantResolverTests(SandboxFixture fixture) => _sandbox = fixture.Server;

    // The shape of login.microsoftonline.com's answer for a tenant's domain (re-typed, shortened).
    private static string Configuration(Guid tid, string cloud = "microsoftonline.com", string? region = "EU", string? subScope = null, string graph = "graph.microsoft.com") =>
        "{\"token_endpoint\":\"https://login.microsoftonline.com/" + tid + "/oauth2/v2.0/token\"," +
        "\"jwks_uri\":\"https://login.microsoftonline.com/" + tid + "/discovery/v2.0/keys\"," +
        "\"issuer\":\"https://login." + cloud + "/" + tid + "/v2.0\"," +
        "\"request_uri_parameter_supported\":false," +
        (region == null ? "" : "\"tenant_region_scope\":\"" + region + "\",") +
        (subScope == null ? "" : "\"tenant_region_sub_scope\":\"" + subScope + "\",") +
        "\"cloud_instance_name\":\"" + cloud + "\",\"cloud_graph_host_name\":\"graph.windows.net\",\"msgraph_host\":\"" + graph + "\",\"rbac_url\":\"https://pas.windows.net\"}";

    // Entra's answer for a domain no tenant has (the shape public issue threads show; ids re-typed).
    private const string TenantNotFound =
        "{\"error\":\"invalid_tenant\",\"error_description\":\"AADSTS90002: Tenant 'nowhere.example' not found. Check to make sure you have the correct tenant ID " +
        "and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.\\r\\n" +
        "Trace ID: 2e35e78b-e885-4bdd-90e2-d7beb467df00\\r\\nCorrelation ID: 0774b819-134d-4815-9573-a31a98397420\\r\\nTimestamp: 2026-11-26 15:26:14Z\"," +
        "\"error_codes\":[90002],\"timestamp\":\"2026-11-26 15:26:14Z\",\"trace_id\":\"2e35e78b-e885-4bdd-90e2-d7beb467df00\"," +
        "\"correlation_id\":\"0774b819-134d-4815-9573-a31a98397420\",\"error_uri\":\"https://login.microsoftonline.com/error?code=90002\"}";

    private static HttpSettings Through(ScriptedHandler handler) => new() { HandlerFactory = () => handler };

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    [Fact]
    public async Task Resolves_the_tenant_id_from_the_issuer_and_keeps_the_cloud()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, Configuration(Fabrikam, region: "EU")));
        using var resolver = new PartnerTenantResolver(Through(handler));

        PartnerTenant tenant = await resolver.ResolveAsync(Login, "Fabrikam.COM", _events, CancellationToken.None);

        Assert.Equal(Fabrikam, tenant.TenantId);
        Assert.Equal("fabrikam.com", tenant.Domain);
        Assert.Equal("microsoftonline.com", tenant.CloudInstanceName);
        Assert.Equal("EU", tenant.TenantRegionScope);
        Assert.Null(tenant.TenantRegionSubScope);
        Assert.Equal("graph.microsoft.com", tenant.MsGraphHost);
        Assert.Equal("https://login.microsoftonline.com/" + Fabrikam + "/v2.0", tenant.Issuer);
        Assert.Equal("GET https://login.microsoftonline.com/fabrikam.com/v2.0/.well-known/openid-configuration", Assert.Single(handler.Requests).Line);
        Assert.Contains(_events.VerboseLines, l => l.StartsWith("[fabrikam.com] GET https://login.microsoftonline.com/fabrikam.com/v2.0/.well-known/openid-configuration: 200, tenant " + Fabrikam, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keeps_a_government_partners_cloud_and_sub_scope()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, Configuration(Fabrikam, "microsoftonline.us", "USGov", "DODCON", "graph.microsoft.us")));
        using var resolver = new PartnerTenantResolver(Through(handler));
        PartnerTenant tenant = await resolver.ResolveAsync(Login, "fabrikam.us", _events, CancellationToken.None);
        Assert.Equal(("microsoftonline.us", "USGov", "DODCON", "graph.microsoft.us"), (tenant.CloudInstanceName, tenant.TenantRegionScope, tenant.TenantRegionSubScope, tenant.MsGraphHost));
    }

    [Fact]
    public async Task Asks_with_the_domain_in_punycode()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, Configuration(Fabrikam)));
        using var resolver = new PartnerTenantResolver(Through(handler));
        await resolver.ResolveAsync(Login, "bücher.example", _events, CancellationToken.None);
        Assert.Equal("GET https://login.microsoftonline.com/xn--bcher-kva.example/v2.0/.well-known/openid-configuration", Assert.Single(handler.Requests).Line);
    }

    [Fact]
    public async Task Sends_no_credentials_cookies_or_tokens()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, Configuration(Fabrikam)));
        using var resolver = new PartnerTenantResolver(Through(handler));
        await resolver.ResolveAsync(Login, "fabrikam.com", _events, CancellationToken.None);
        RecordedRequest request = Assert.Single(handler.Requests);
        Assert.Equal(new[] { "accept", "client-request-id" }, request.HeaderNames);
        Assert.Null(request.Body);
    }

    [Fact]
    public void The_production_stack_holds_no_cookies_credentials_or_client_certificates_and_follows_no_redirect()
    {
        using HttpClientHandler handler = PartnerTenantResolver.CreateAnonymousHandler(null);
        Assert.False(handler.UseCookies);
        Assert.False(handler.UseDefaultCredentials);
        Assert.Null(handler.Credentials);
        Assert.False(handler.PreAuthenticate);
        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(ClientCertificateOption.Manual, handler.ClientCertificateOptions);
        Assert.Empty(handler.ClientCertificates);
    }

    // End to end on the production stack: a server that sets a cookie, and a check that the next request does not bring it back.
    [Fact]
    public async Task The_production_stack_sends_nothing_back_a_server_set()
    {
        var seen = new ConcurrentQueue<string>();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication app = builder.Build();
        app.MapGet("/{domain}/v2.0/.well-known/openid-configuration", (HttpContext ctx) =>
        {
            seen.Enqueue(string.Join(",", ctx.Request.Headers.Keys.Select(k => k.ToLowerInvariant()).OrderBy(k => k, StringComparer.Ordinal)));
            ctx.Response.Headers.SetCookie = "esctx=not-for-you; path=/; secure; HttpOnly";
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Text(Configuration(Fabrikam), "application/json");
        });
        await app.StartAsync();
        var host = new Uri(app.Urls.First());

        using var resolver = new PartnerTenantResolver(new HttpSettings());
        for (int i = 0; i < 2; i++) Assert.Equal(Fabrikam, (await resolver.ResolveAsync(host, "fabrikam.com", _events, CancellationToken.None)).TenantId);

        Assert.Equal(2, seen.Count);
        Assert.All(seen, headers =>
        {
            Assert.DoesNotContain("cookie", headers.Split(','));
            Assert.DoesNotContain("authorization", headers.Split(','));
        });
    }

    [Fact]
    public async Task A_domain_no_tenant_has_is_PartnerTenantNotFound_with_entras_words_and_ids_apart()
    {
        var handler = new ScriptedHandler(_ =>
        {
            HttpResponseMessage r = Json(HttpStatusCode.BadRequest, TenantNotFound);
            r.Headers.TryAddWithoutValidation("x-ms-request-id", "2e35e78b-e885-4bdd-90e2-d7beb467df00");
            return r;
        });
        using var resolver = new PartnerTenantResolver(Through(handler));

        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(Login, "Nowhere.example", _events, CancellationToken.None));

        Assert.Equal(ErrorIds.PartnerTenantNotFound, ex.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
        Assert.Equal("Nowhere.example", ex.Target);
        Assert.False(ex.IsRetryable);
        Assert.StartsWith("Microsoft Entra ID at login.microsoftonline.com knows no organization with the domain 'Nowhere.example' (AADSTS90002: Tenant 'nowhere.example' not found.", ex.Message);
        Assert.DoesNotContain("Trace ID", ex.Message);
        Assert.Equal("x-ms-request-id 2e35e78b-e885-4bdd-90e2-d7beb467df00, trace id 2e35e78b-e885-4bdd-90e2-d7beb467df00, correlation id 0774b819-134d-4815-9573-a31a98397420",
            ex.RequestIds);
    }

    [Fact]
    public async Task The_sandbox_resolves_its_tenants_and_refuses_an_unknown_domain()
    {
        Guid contoso = _sandbox.State.Config.FindTenant("contoso")!.Id;
        using var resolver = new PartnerTenantResolver(new HttpSettings());
        Assert.Equal(contoso, (await resolver.ResolveAsync(_sandbox.BaseUri, "sales.contoso.com", _events, CancellationToken.None)).TenantId);
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(_sandbox.BaseUri, "unknown-partner.example", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantNotFound, ex.ErrorId);
    }

    [Fact]
    public async Task The_sandbox_answers_a_consumer_domain_with_the_microsoft_account_tenant()
    {
        using var resolver = new PartnerTenantResolver(new HttpSettings());
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(_sandbox.BaseUri, "outlook.com", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantIsConsumer, ex.ErrorId);
        Assert.Equal("outlook.com", ex.Target);
    }

    [Fact]
    public async Task A_consumer_domain_is_not_a_microsoft_365_organization()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, Configuration(PartnerTenantResolver.MicrosoftAccountTenantId, region: null)));
        using var resolver = new PartnerTenantResolver(Through(handler));
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(Login, "outlook.com", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantIsConsumer, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("not to a Microsoft 365 organization", ex.Message);
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_PartnerTenantLookupFailed_on_a_fake_clock()
    {
        var time = new FakeTimeProvider();
        var handler = new ScriptedHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        using var resolver = new PartnerTenantResolver(Through(handler), new PartnerTenantLookupOptions { Timeout = TimeSpan.FromSeconds(30), TimeProvider = time });

        Task<PartnerTenant> lookup = resolver.ResolveAsync(Login, "fabrikam.com", _events, CancellationToken.None);
        await handler.FirstRequest.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(30));
        var ex = await Assert.ThrowsAsync<EngineException>(() => lookup.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(ErrorIds.PartnerTenantLookupFailed, ex.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, ex.Kind);
        Assert.True(ex.IsRetryable);
        Assert.Equal("The tenant of 'fabrikam.com' could not be looked up: login.microsoftonline.com did not answer within 30 s.", ex.Message);
    }

    [Fact]
    public async Task A_refused_connection_is_PartnerTenantLookupFailed()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        using var resolver = new PartnerTenantResolver(new HttpSettings());
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(new Uri($"http://127.0.0.1:{port}"), "fabrikam.com", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantLookupFailed, ex.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
        Assert.Contains("the connection was refused", ex.Message);
    }

    [Theory]
    [InlineData("not json", "not an OpenID configuration")]
    [InlineData("[1,2]", "not an OpenID configuration")]
    [InlineData("{\"issuer\":\"https://login.microsoftonline.com/{tenantid}/v2.0\"}", "names no tenant (the issuer 'https://login.microsoftonline.com/{tenantid}/v2.0')")]
    [InlineData("{\"token_endpoint\":\"x\"}", "names no tenant (no issuer)")]
    public async Task An_answer_that_is_not_a_tenants_configuration_is_PartnerTenantLookupFailed(string body, string text)
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, body));
        using var resolver = new PartnerTenantResolver(Through(handler));
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(Login, "fabrikam.com", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantLookupFailed, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, ex.Kind);
        Assert.Contains(text, ex.Message);
    }

    [Theory]
    [InlineData("http://login.evil.example/fabrikam.com/v2.0/.well-known/openid-configuration", "redirect (to plain http) (302 to http://login.evil.example/")]
    [InlineData("https://login.evil.example/x", "redirect (302 to https://login.evil.example/x)")]
    public async Task A_redirect_is_never_followed(string location, string text)
    {
        var handler = new ScriptedHandler(_ =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.Redirect);
            r.Headers.Location = new Uri(location);
            return r;
        });
        using var resolver = new PartnerTenantResolver(Through(handler));
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(Login, "fabrikam.com", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantLookupFailed, ex.ErrorId);
        Assert.Contains(text, ex.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task An_answer_over_the_size_cap_is_refused()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, "{\"issuer\":\"" + new string('x', 300_000) + "\"}"));
        using var resolver = new PartnerTenantResolver(Through(handler));
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(Login, "fabrikam.com", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantLookupFailed, ex.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, ex.Kind);
    }

    [Theory]
    [InlineData(500, ErrorKind.ResourceUnavailable, true)]
    [InlineData(503, ErrorKind.ResourceUnavailable, true)]
    [InlineData(429, ErrorKind.ResourceBusy, true)]
    [InlineData(403, ErrorKind.InvalidResult, false)]
    public async Task Other_http_errors_are_PartnerTenantLookupFailed(int status, ErrorKind kind, bool retryable)
    {
        var handler = new ScriptedHandler(_ => Json((HttpStatusCode)status, "{\"error\":\"temporarily_unavailable\",\"error_description\":\"AADSTS90033: busy.\"}"));
        using var resolver = new PartnerTenantResolver(Through(handler));
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(Login, "fabrikam.com", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantLookupFailed, ex.ErrorId);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(retryable, ex.IsRetryable);
        Assert.Contains($"answered HTTP {status} (AADSTS90033: busy.)", ex.Message);
    }

    [Theory]
    [InlineData("http://login.microsoftonline.com")]
    [InlineData("ftp://login.microsoftonline.com")]
    public async Task Plain_http_is_allowed_only_to_loopback(string host)
    {
        var handler = new ScriptedHandler(_ => throw new InvalidOperationException("Nothing may be sent."));
        using var resolver = new PartnerTenantResolver(Through(handler));
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(new Uri(host), "fabrikam.com", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.InsecureEndpoint, ex.ErrorId);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_bad_domain_is_refused_before_anything_is_sent()
    {
        var handler = new ScriptedHandler(_ => throw new InvalidOperationException("Nothing may be sent."));
        using var resolver = new PartnerTenantResolver(Through(handler));
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.ResolveAsync(Login, "../../common", _events, CancellationToken.None));
        Assert.Equal(ErrorIds.InvalidDomainName, ex.ErrorId);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Verify_insists_on_the_expected_tenant()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, Configuration(Fabrikam)));
        using var resolver = new PartnerTenantResolver(Through(handler));
        Assert.Equal(Fabrikam, (await resolver.VerifyAsync(Login, "fabrikam.com", Fabrikam, _events, CancellationToken.None)).TenantId);
        Guid piped = Guid.Parse("6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11");
        var ex = await Assert.ThrowsAsync<EngineException>(() => resolver.VerifyAsync(Login, "fabrikam.com", piped, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.PartnerTenantMismatch, ex.ErrorId);
        Assert.Contains(piped.ToString(), ex.Message);
        Assert.Contains(Fabrikam.ToString(), ex.Message);
    }

    [Fact]
    public async Task The_one_shot_entry_point_resolves_with_its_own_stack()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.OK, Configuration(Fabrikam)));
        PartnerTenant tenant = await PartnerTenantResolver.ResolveAsync(Login, "fabrikam.com", Through(handler), _events, CancellationToken.None);
        Assert.Equal(Fabrikam, tenant.TenantId);
    }

    [Fact]
    public void The_sign_in_host_is_the_scheme_host_and_port_of_the_environments_authority()
    {
        Assert.Equal("https://login.microsoftonline.com/", PartnerTenantResolver.SignInHost(ExchangeEnvironment.FindBuiltIn("O365Default")!).AbsoluteUri);
        Assert.Equal("https://login.microsoftonline.us/", PartnerTenantResolver.SignInHost(ExchangeEnvironment.FindBuiltIn("O365USGovDoD")!).AbsoluteUri);
        var custom = new ExchangeEnvironment("Sandbox", null, new Uri("https://localhost:5443/some/tenant"), new Uri("https://localhost:5443"), isCustom: true);
        Assert.Equal("https://localhost:5443/", PartnerTenantResolver.SignInHost(custom).AbsoluteUri);
    }

    private sealed record RecordedRequest(string Line, string[] HeaderNames, string? Body);

    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _respond;
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ScriptedHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : this((r, _) => Task.FromResult(respond(r))) { }

        public ScriptedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) => _respond = respond;

        public ConcurrentQueue<RecordedRequest> RequestQueue { get; } = new();
        public IReadOnlyList<RecordedRequest> Requests => RequestQueue.ToArray();
        public Task FirstRequest => _first.Task;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string[] names = request.Headers.Select(h => h.Key.ToLowerInvariant()).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            RequestQueue.Enqueue(new RecordedRequest($"{request.Method} {request.RequestUri!.AbsoluteUri}", names, request.Content?.ToString()));
            _first.TrySetResult();
            return _respond(request, cancellationToken);
        }
    }
}
