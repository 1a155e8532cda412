using System.Collections.Concurrent;
using System.Net;
using System.Security;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Identity.Client;
using Xunit;

namespace CalendarFederation.Engine.Tests.Graph;

/// <summary>How a session gets Microsoft Graph tokens, for each sign-in mode, and how each way fails.</summary>
public sealed class GraphTokenTests
{
    private readonly RecordingEvents _events = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    private static SecureString Secure(string s)
    {
        var secure = new SecureString();
        foreach (char c in s) secure.AppendChar(c);
        return secure;
    }

    private sealed class ScopeRecordingSource : ITokenSource
    {
        public ConcurrentQueue<(string? Scope, bool Force)> Calls { get; } = new();
        public Exception? Fail { get; set; }

        public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken)
        {
            Calls.Enqueue((scope, forceRefresh));
            if (Fail != null) throw Fail;
            return Task.FromResult(new AccessTokenResult("graph-token", DateTimeOffset.UtcNow.AddHours(1), Jwts.TenantId, null));
        }
    }

    [Theory]
    [InlineData(SignInMode.Certificate, GraphTokenKind.AppOnly)]
    [InlineData(SignInMode.ClientSecret, GraphTokenKind.AppOnly)]
    [InlineData(SignInMode.ManagedIdentity, GraphTokenKind.ManagedIdentity)]
    public async Task App_only_and_managed_identity_ask_the_sessions_client_for_the_graph_resource(SignInMode mode, GraphTokenKind kind)
    {
        var source = new ScopeRecordingSource();
        var request = new SignInRequest { Mode = mode, ClientId = "app-1", Environment = ExchangeEnvironment.FindBuiltIn("O365USGovGCCHigh")! };
        IGraphTokenProvider provider = GraphTokenProviders.Create(request, source, Jwts.TenantId, null, null);
        AccessTokenResult token = await provider.GetTokenAsync(true, _events, CancellationToken.None);

        Assert.Equal(kind, provider.Kind);
        Assert.Equal("graph-token", token.Token);
        Assert.Equal(("https://graph.microsoft.us/.default", true), Assert.Single(source.Calls));
        Assert.Equal(new[] { "https://graph.microsoft.us/.default" }, provider.Scopes);
    }

    [Fact]
    public async Task An_app_without_consent_is_a_consent_error_naming_the_app()
    {
        var source = new ScopeRecordingSource
        {
            Fail = new MsalServiceException("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application with ID 'app-1'."),
        };
        IGraphTokenProvider provider = GraphTokenProviders.Create(new SignInRequest { Mode = SignInMode.Certificate, ClientId = "app-1" }, source, Jwts.TenantId, null, null);
        var ex = await Assert.ThrowsAsync<EngineException>(() => provider.GetTokenAsync(false, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.GraphConsentRequired, ex.ErrorId);
        Assert.Contains("app app-1", ex.Message);
        Assert.Contains("Policy.ReadWrite.CrossTenantCapability", ex.Message);
    }

    [Fact]
    public async Task An_exchange_access_token_alone_cannot_give_a_graph_token()
    {
        var request = new SignInRequest { Mode = SignInMode.AccessToken, AccessToken = Secure(Jwts.Delegated("Exchange.Manage", null, aud: "https://outlook.office365.com")) };
        IGraphTokenProvider provider = GraphTokenProviders.Create(request, new ScopeRecordingSource(), Jwts.TenantId, "admin@contoso.com", null);
        Assert.Equal(GraphTokenKind.Unavailable, provider.Kind);
        var ex = await Assert.ThrowsAsync<EngineException>(() => provider.GetTokenAsync(false, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.GraphTokenRequired, ex.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
        Assert.Contains("Microsoft Graph calls need a Graph access token of their own", ex.Message);
        Assert.Contains("https://graph.microsoft.com", ex.Message);
    }

    [Fact]
    public async Task A_supplied_graph_token_wins_whatever_the_mode_and_is_never_refreshed()
    {
        string jwt = Jwts.Delegated("Policy.Read.All", null);
        var source = new ScopeRecordingSource();
        foreach (SignInMode mode in new[] { SignInMode.AccessToken, SignInMode.Certificate, SignInMode.Interactive })
        {
            var request = new SignInRequest { Mode = mode, ClientId = "app", GraphAccessToken = Secure(jwt) };
            IGraphTokenProvider provider = GraphTokenProviders.Create(request, source, Jwts.TenantId, null, null, _time);
            Assert.Equal(GraphTokenKind.Supplied, provider.Kind);
            Assert.Equal(jwt, (await provider.GetTokenAsync(false, _events, CancellationToken.None)).Token);
            Assert.Equal(jwt, (await provider.GetTokenAsync(true, _events, CancellationToken.None)).Token);
            Assert.Equal(new[] { "Policy.Read.All" }, provider.Scopes);
        }
        Assert.Empty(source.Calls);
    }

    [Fact]
    public async Task A_supplied_graph_token_that_expires_is_a_clear_error()
    {
        long exp = _time.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds();
        var request = new SignInRequest { Mode = SignInMode.AccessToken, GraphAccessToken = Secure(Jwts.Delegated("Policy.Read.All", null, exp: exp)) };
        IGraphTokenProvider provider = GraphTokenProviders.Create(request, new ScopeRecordingSource(), Jwts.TenantId, null, null, _time);
        await provider.GetTokenAsync(false, _events, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(6));
        var ex = await Assert.ThrowsAsync<SignInException>(() => provider.GetTokenAsync(true, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.AuthenticationRequired, ex.ErrorId);
        Assert.Contains("never refreshed", ex.Message);
    }

    [Theory]
    [InlineData("not-a-jwt", "not a JWT")]
    [InlineData("aud:https://outlook.office365.com", "is for https://outlook.office365.com")]
    [InlineData("tid:b1b2b3b4-0000-4000-8000-000000000001", "is for tenant b1b2b3b4-0000-4000-8000-000000000001")]
    [InlineData("expired", "expired")]
    public void A_supplied_graph_token_for_another_audience_or_tenant_fails_the_connection(string kind, string expected)
    {
        string token = kind switch
        {
            "not-a-jwt" => kind,
            "expired" => Jwts.Delegated("Policy.Read.All", null, exp: _time.GetUtcNow().AddMinutes(-1).ToUnixTimeSeconds()),
            _ when kind.StartsWith("aud:") => Jwts.Delegated("Policy.Read.All", null, aud: kind.Substring(4)),
            _ => Jwts.Delegated("Policy.Read.All", null, tid: kind.Substring(4)),
        };
        var request = new SignInRequest { Mode = SignInMode.Interactive, GraphAccessToken = Secure(token) };
        var ex = Assert.Throws<SignInException>(() => GraphTokenProviders.Create(request, new ScopeRecordingSource(), Jwts.TenantId, null, null, _time));
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain(token, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com/")]
    [InlineData("00000003-0000-0000-c000-000000000000")]
    public void Graphs_audience_is_its_url_or_its_app_id(string aud)
    {
        GraphTokenClaims claims = GraphTokenClaims.TryParse(Jwts.Delegated("Policy.Read.All", new[] { "w1" }, aud: aud))!;
        Assert.True(claims.IsForGraph(new Uri("https://graph.microsoft.com")));
        Assert.False(claims.IsForGraph(new Uri("https://graph.microsoft.us")) && aud.StartsWith("https"));
        Assert.Equal(new[] { "Policy.Read.All" }, claims.Scopes);
        Assert.Equal(new[] { "w1" }, claims.DirectoryRoleIds);
        Assert.False(claims.IsAppOnly);
        Assert.True(GraphTokenClaims.TryParse(Jwts.AppOnly("Policy.Read.All"))!.IsAppOnly);
        Assert.Null(GraphTokenClaims.TryParse("a.b"));
    }

    [Fact]
    public void The_delegated_client_is_the_graph_app_then_the_admins_app_then_the_documented_default()
    {
        Assert.Equal("g", GraphTokenProviders.DelegatedClientId(new SignInRequest { GraphClientId = "g", ClientId = "c" }));
        Assert.Equal("c", GraphTokenProviders.DelegatedClientId(new SignInRequest { ClientId = "c" }));
        Assert.Equal("14d82eec-204b-4c2f-b7e8-296a70dab67e", GraphTokenProviders.DelegatedClientId(new SignInRequest()));
        Assert.NotEqual(SignInRequest.DefaultPublicClientId, SignInRequest.DefaultGraphClientId);
    }

    [Fact]
    public void A_delegated_session_gets_its_own_public_client_with_qualified_scopes()
    {
        var request = new SignInRequest { Mode = SignInMode.DeviceCode, Environment = ExchangeEnvironment.FindBuiltIn("O365USGovDoD")! };
        IGraphTokenProvider provider = GraphTokenProviders.Create(request, new ScopeRecordingSource(), Jwts.TenantId, "admin@contoso.us", null);
        try
        {
            Assert.IsType<DelegatedGraphTokenProvider>(provider);
            Assert.Equal(GraphTokenKind.Delegated, provider.Kind);
            Assert.Equal(SignInRequest.DefaultGraphClientId, provider.ClientId);
            Assert.Equal(new[]
            {
                "https://dod-graph.microsoft.us/Policy.Read.All",
                "https://dod-graph.microsoft.us/Policy.ReadWrite.CrossTenantAccess",
                "https://dod-graph.microsoft.us/Policy.ReadWrite.CrossTenantCapability",
            }, provider.Scopes);
            var readOnly = new SignInRequest { Mode = SignInMode.Interactive, GraphScopes = new[] { "Policy.Read.All" } };
            using var narrow = (DelegatedGraphTokenProvider)GraphTokenProviders.Create(readOnly, new ScopeRecordingSource(), Jwts.TenantId, null, null);
            Assert.Equal(new[] { "https://graph.microsoft.com/Policy.Read.All" }, narrow.Scopes);
        }
        finally
        {
            ((IDisposable)provider).Dispose();
        }
    }

    // --- delegated: silent first, then the connection's own prompt -----------------------------

    private sealed class FakePublicClient : IGraphPublicClient
    {
        public ConcurrentQueue<string> Calls { get; } = new();
        public Func<GraphSignIn?>? Silent { get; set; }
        public Func<GraphSignIn>? Interactive { get; set; }
        public Func<Func<string, Task>, Task<GraphSignIn>>? DeviceCode { get; set; }
        public TaskCompletionSource? Gate { get; set; }
        public IBrowser? BrowserSeen { get; private set; }
        public string? HintSeen { get; private set; }
        public string[]? ScopesSeen { get; private set; }

        public Task<GraphSignIn?> AcquireSilentAsync(string[] scopes, string? accountId, string? loginHint, bool forceRefresh, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"silent account={accountId ?? "-"} hint={loginHint ?? "-"} force={forceRefresh}");
            ScopesSeen = scopes;
            return Task.FromResult(Silent?.Invoke());
        }

        public async Task<GraphSignIn> AcquireInteractiveAsync(string[] scopes, string? loginHint, IBrowser? browser, CancellationToken cancellationToken)
        {
            Calls.Enqueue("interactive");
            BrowserSeen = browser;
            HintSeen = loginHint;
            if (Gate != null) await Gate.Task;
            return Interactive!();
        }

        public Task<GraphSignIn> AcquireWithDeviceCodeAsync(string[] scopes, Func<string, Task> prompt, CancellationToken cancellationToken)
        {
            Calls.Enqueue("devicecode");
            return DeviceCode!(prompt);
        }

        public Task SignOutAsync()
        {
            Calls.Enqueue("signout");
            return Task.CompletedTask;
        }
    }

    private sealed class NoBrowser : IBrowser
    {
        public Task<Uri> AuthorizeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken) => throw new InvalidOperationException();
    }

    private static GraphSignIn SignedIn(string token = "g-1", string tenant = Jwts.TenantId, string account = "admin@contoso.com") =>
        new(new AccessTokenResult(token, DateTimeOffset.UtcNow.AddHours(1), tenant, account), "home-account-1");

    private static readonly string[] Scopes = GraphScopes.Qualify(new Uri("https://graph.microsoft.com"), GraphScopes.CrossTenantAccess);

    private static DelegatedGraphTokenProvider Delegated(FakePublicClient client, SignInMode mode = SignInMode.Interactive, bool allowPrompt = true, IBrowser? browser = null) =>
        new(client, "14d82eec-204b-4c2f-b7e8-296a70dab67e", Scopes, mode, "admin@contoso.com", Jwts.TenantId, allowPrompt, browser);

    [Fact]
    public async Task Silent_first_with_the_connected_account_as_login_hint()
    {
        var client = new FakePublicClient { Silent = () => SignedIn() };
        using DelegatedGraphTokenProvider provider = Delegated(client);
        Assert.Equal("g-1", (await provider.GetTokenAsync(false, _events, CancellationToken.None)).Token);
        await provider.GetTokenAsync(true, _events, CancellationToken.None);
        Assert.Equal(new[] { "silent account=- hint=admin@contoso.com force=False", "silent account=home-account-1 hint=admin@contoso.com force=True" }, client.Calls);
        Assert.Equal(Scopes, client.ScopesSeen);
        Assert.Empty(_events.Prompts);
    }

    [Fact]
    public async Task Interactive_sign_in_uses_the_same_browser_seam_and_then_refreshes_silently()
    {
        int silent = 0;
        var browser = new NoBrowser();
        var client = new FakePublicClient
        {
            Silent = () => Interlocked.Increment(ref silent) == 1 ? throw new MsalUiRequiredException("no_account", "No account in the cache.") : SignedIn("g-2"),
            Interactive = () => SignedIn("g-1"),
        };
        using DelegatedGraphTokenProvider provider = Delegated(client, browser: browser);
        Assert.True(provider.MayPrompt, "before the first sign-in a token may need the browser");
        Assert.Equal("g-1", (await provider.GetTokenAsync(false, _events, CancellationToken.None)).Token);
        Assert.False(provider.MayPrompt, "signed in: the next token comes silently");
        Assert.Equal("g-2", (await provider.GetTokenAsync(false, _events, CancellationToken.None)).Token);
        Assert.Same(browser, client.BrowserSeen);
        Assert.Equal("admin@contoso.com", client.HintSeen);
        Assert.Equal(new[] { "silent account=- hint=admin@contoso.com force=False", "interactive", "silent account=home-account-1 hint=admin@contoso.com force=False" }, client.Calls);
    }

    [Fact]
    public async Task Device_code_mode_shows_the_code_through_the_callers_events()
    {
        var client = new FakePublicClient
        {
            Silent = () => null,
            DeviceCode = async prompt =>
            {
                await prompt("To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABCD1234.");
                return SignedIn();
            },
        };
        using DelegatedGraphTokenProvider provider = Delegated(client, SignInMode.DeviceCode);
        await provider.GetTokenAsync(false, _events, CancellationToken.None);
        Assert.Equal("To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABCD1234.", Assert.Single(_events.Prompts));
        Assert.Contains("devicecode", client.Calls);
    }

    [Fact]
    public async Task Where_nobody_can_answer_a_prompt_it_fails_clearly_without_prompting()
    {
        var client = new FakePublicClient { Silent = () => null };
        using DelegatedGraphTokenProvider provider = Delegated(client, allowPrompt: false);
        Assert.False(provider.MayPrompt);
        var ex = await Assert.ThrowsAsync<SignInException>(() => provider.GetTokenAsync(false, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.InteractiveSignInNotPossible, ex.ErrorId);
        Assert.Contains("14d82eec-204b-4c2f-b7e8-296a70dab67e", ex.Message);
        Assert.Contains("Policy.ReadWrite.CrossTenantAccess", ex.Message);
        Assert.DoesNotContain("interactive", client.Calls);
    }

    [Fact]
    public async Task Consent_needed_where_no_prompt_is_possible_is_a_consent_error()
    {
        var client = new FakePublicClient
        {
            Silent = () => throw new MsalUiRequiredException("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application."),
        };
        using DelegatedGraphTokenProvider provider = Delegated(client, allowPrompt: false);
        var ex = await Assert.ThrowsAsync<EngineException>(() => provider.GetTokenAsync(false, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.GraphConsentRequired, ex.ErrorId);
        Assert.Contains("14d82eec-204b-4c2f-b7e8-296a70dab67e", ex.Message);
        Assert.Contains("Policy.Read.All, Policy.ReadWrite.CrossTenantAccess, Policy.ReadWrite.CrossTenantCapability", ex.Message);
    }

    [Theory]
    [InlineData("AADSTS65001: The user or administrator has not consented to use the application with ID '14d82eec'.")]
    [InlineData("AADSTS90094: The grant requires admin permission.")]
    [InlineData("AADSTS650057: Invalid resource. The client has requested access to a resource which isn't listed in the requested permissions.")]
    public async Task Entras_consent_refusals_are_consent_errors(string message)
    {
        var client = new FakePublicClient { Silent = () => null, Interactive = () => throw new MsalServiceException("invalid_grant", message) };
        using DelegatedGraphTokenProvider provider = Delegated(client);
        var ex = await Assert.ThrowsAsync<EngineException>(() => provider.GetTokenAsync(false, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.GraphConsentRequired, ex.ErrorId);
    }

    [Fact]
    public async Task A_cancelled_prompt_and_a_declined_one_have_their_own_ids()
    {
        var client = new FakePublicClient { Silent = () => null, Interactive = () => throw new MsalClientException("authentication_canceled", "User canceled authentication.") };
        using DelegatedGraphTokenProvider provider = Delegated(client);
        Assert.Equal(ErrorIds.AuthenticationCanceled, (await Assert.ThrowsAsync<SignInException>(() => provider.GetTokenAsync(false, _events, CancellationToken.None))).ErrorId);
        client.Interactive = () => throw new MsalServiceException("access_denied", "The user declined.");
        Assert.Equal(ErrorIds.AuthenticationDeclined, (await Assert.ThrowsAsync<SignInException>(() => provider.GetTokenAsync(false, _events, CancellationToken.None))).ErrorId);
    }

    [Fact]
    public async Task A_graph_sign_in_to_another_tenant_is_refused()
    {
        var client = new FakePublicClient { Silent = () => null, Interactive = () => SignedIn(tenant: "b1b2b3b4-0000-4000-8000-000000000001") };
        using DelegatedGraphTokenProvider provider = Delegated(client);
        var ex = await Assert.ThrowsAsync<SignInException>(() => provider.GetTokenAsync(false, _events, CancellationToken.None));
        Assert.Contains("is for tenant b1b2b3b4-0000-4000-8000-000000000001", ex.Message);
    }

    [Fact]
    public async Task Signing_in_to_graph_as_someone_else_is_a_warning()
    {
        var client = new FakePublicClient { Silent = () => null, Interactive = () => SignedIn(account: "other@contoso.com") };
        using DelegatedGraphTokenProvider provider = Delegated(client);
        await provider.GetTokenAsync(false, _events, CancellationToken.None);
        Assert.Contains("other@contoso.com", Assert.Single(_events.Warnings));
    }

    [Fact]
    public async Task Parallel_calls_prompt_once()
    {
        int signedIn = 0;
        var client = new FakePublicClient
        {
            Silent = () => Volatile.Read(ref signedIn) == 0 ? null : SignedIn("g-2"),
            Interactive = () =>
            {
                Interlocked.Exchange(ref signedIn, 1);
                return SignedIn("g-1");
            },
            Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
        };
        using DelegatedGraphTokenProvider provider = Delegated(client);
        Task<AccessTokenResult>[] calls = Enumerable.Range(0, 4).Select(_ => provider.GetTokenAsync(false, _events, CancellationToken.None)).ToArray();
        await Clock.Until(() => client.Calls.Contains("interactive"), "the prompt");
        client.Gate.SetResult();
        Task<AccessTokenResult[]> all = Task.WhenAll(calls);
        await Clock.Within(all, "the parallel calls");
        AccessTokenResult[] tokens = await all;
        Assert.Single(client.Calls, c => c == "interactive");
        Assert.Equal(new[] { "g-1", "g-2", "g-2", "g-2" }, tokens.Select(t => t.Token).OrderBy(t => t));
    }

    [Fact]
    public async Task Signing_out_forgets_the_graph_sign_in_too()
    {
        var client = new FakePublicClient { Silent = () => SignedIn() };
        using DelegatedGraphTokenProvider provider = Delegated(client);
        await provider.GetTokenAsync(false, _events, CancellationToken.None);
        await provider.SignOutAsync();
        await provider.GetTokenAsync(false, _events, CancellationToken.None);
        Assert.Equal(new[] { "silent account=- hint=admin@contoso.com force=False", "signout", "silent account=- hint=admin@contoso.com force=False" }, client.Calls);
    }

    // --- the session exposes Graph ---------------------------------------------------------------

    private sealed class NoNetwork : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
    }

    [Fact]
    public void The_session_makes_its_graph_client_once_for_the_environments_graph_and_disposes_it()
    {
        var request = new SignInRequest
        {
            Mode = SignInMode.ClientSecret,
            Organization = "contoso.onmicrosoft.com",
            ClientId = "app",
            Environment = ExchangeEnvironment.FindBuiltIn("O365China")!,
            Http = new Http.HttpSettings { HandlerFactory = () => new NoNetwork() },
        };
        var source = new ScopeRecordingSource();
        var api = new AdminApiClient(new AdminApiOptions { Tenant = "contoso.onmicrosoft.com", GateKey = "graph-session-test" }, source, new NoNetwork(), disposeHandler: true);
        var session = new TenantSession(request, source, api, Jwts.TenantId, "contoso.onmicrosoft.com", null, "app", isAppOnly: true, DateTimeOffset.UtcNow.AddHours(1), null,
            GraphTokenProviders.Create(request, source, Jwts.TenantId, null, null));
        GraphClient graph = session.Graph;
        Assert.Same(graph, session.Graph);
        Assert.Equal("https://microsoftgraph.chinacloudapi.cn/v1.0/policies", graph.UriFor("policies").ToString());
        Assert.Equal(Jwts.TenantId, graph.Options.Tenant);
        Assert.Equal(GraphTokenKind.AppOnly, session.GraphTokens.Kind);
        session.Dispose();
        Assert.True(graph.IsDisposed);
        Assert.Equal(ErrorIds.ConnectionClosed, Assert.Throws<EngineException>(() => session.Graph).ErrorId);
    }

    [Fact]
    public async Task A_session_without_a_graph_sign_in_says_a_graph_token_is_needed()
    {
        var request = new SignInRequest { Mode = SignInMode.AccessToken, Http = new Http.HttpSettings { HandlerFactory = () => new NoNetwork() } };
        var source = new ScopeRecordingSource();
        var api = new AdminApiClient(new AdminApiOptions { Tenant = "contoso.onmicrosoft.com", GateKey = "graph-session-test-2" }, source, new NoNetwork(), disposeHandler: true);
        using var session = new TenantSession(request, source, api, Jwts.TenantId, "contoso.onmicrosoft.com", "admin@contoso.com", null, isAppOnly: false,
            DateTimeOffset.UtcNow.AddHours(1), null, GraphTokenProviders.Create(request, source, Jwts.TenantId, "admin@contoso.com", null));
        var read = new GraphRequirement("read the cross-tenant access policy", new[] { "Policy.Read.All" }, Array.Empty<EntraRole>());
        var ex = await Assert.ThrowsAsync<EngineException>(() => session.Graph.GetAsync("policies/crossTenantAccessPolicy/default", read, _events, CancellationToken.None));
        Assert.Equal(ErrorIds.GraphTokenRequired, ex.ErrorId);
        Assert.Empty(source.Calls);
    }
}
