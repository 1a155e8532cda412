using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox;
using CalendarFederation.Sandbox.Model;
using Xunit;

namespace CalendarFederation.Sandbox.Tests.Support;

/// <summary>
/// One in-process sandbox per test class, started from the shipped sandbox.json with a root CA the tests create,
/// so every HTTPS client here trusts exactly that root (X509ChainTrustMode.CustomRootTrust) and nothing else.
/// </summary>
public sealed class AuthSandbox : IAsyncLifetime
{
    private readonly Func<SandboxConfig> _config;

    public AuthSandbox()
        : this(LoadConfig)
    {
    }

    /// <summary>A sandbox from another configuration (FleetSandbox: sandbox.json plus a generated fleet). Internal: xunit wants one public constructor.</summary>
    internal AuthSandbox(Func<SandboxConfig> config)
    {
        _config = config;
        Root = SandboxCertificates.CreateRoot();
    }

    public X509Certificate2 Root { get; }

    public SandboxServer Server { get; private set; } = null!;

    /// <summary>"https://localhost:&lt;port&gt;": the https listener whose certificate chains to <see cref="Root"/>.</summary>
    public string Origin => Server.GoodHttpsUri.ToString().TrimEnd('/');

    /// <summary>The plain-http control origin.</summary>
    public string Control => Server.BaseUri.ToString().TrimEnd('/');

    /// <summary>Trusts only the sandbox root, reaches only loopback, follows no redirects.</summary>
    public HttpClient Http { get; private set; } = null!;

    public LoopbackOnlyHandler Guard { get; private set; } = null!;

    public static SandboxConfig LoadConfig() => SandboxConfig.Load(Path.Combine(AppContext.BaseDirectory, "sandbox.json"));

    public async Task InitializeAsync()
    {
        Server = await SandboxServer.StartAsync(_config(), new SandboxServerOptions { RootCertificate = Root, HttpListeners = 1 });
        Guard = new LoopbackOnlyHandler(Trusting(Root));
        Http = new HttpClient(Guard, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Guard.Dispose();
        await Server.DisposeAsync();
        Root.Dispose();
    }

    /// <summary>A handler that validates server certificates against <paramref name="root"/> alone (name checks included).</summary>
    public static SocketsHttpHandler Trusting(X509Certificate2 root)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(root);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy },
        };
    }

    /// <summary>A fresh MSAL HTTP client factory over the trusting, loopback-only handler (it records what MSAL sends).</summary>
    public MsalHttp NewMsalHttp() => new(new LoopbackOnlyHandler(Trusting(Root)));

    // ---- control-plane helpers (plain http) ----

    public async Task ControlAsync(HttpMethod method, string pathAndQuery, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, Control + pathAndQuery) { Content = content };
        using HttpResponseMessage response = await Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {pathAndQuery}: {(int)response.StatusCode} {body}");
    }

    public async Task<JsonNode> ControlGetAsync(string pathAndQuery)
    {
        string body = await Http.GetStringAsync(Control + pathAndQuery);
        return JsonNode.Parse(body)!;
    }

    public async Task<List<JsonObject>> SignInsAsync(long since = 0) =>
        (await ControlGetAsync($"/_sandbox/signins?since={since}")).AsArray().Select(n => n!.AsObject()).ToList();

    public async Task<long> LastSignInAsync() => (await SignInsAsync()).Select(r => (long)r["sequence"]!).DefaultIfEmpty(0).Max();

    public async Task<List<JsonObject>> RequestsAsync() =>
        (await ControlGetAsync("/_sandbox/requests")).AsArray().Select(n => n!.AsObject()).ToList();

    /// <summary>POSTs JSON to a control endpoint and returns the status and body text.</summary>
    public async Task<(HttpStatusCode Status, string Text)> ControlPostJsonAsync(string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await Http.PostAsync(Control + path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>POST {Origin}/v1.0/users/{requester}/calendar/getSchedule (or /me when <paramref name="requester"/> is null).</summary>
    public async Task<GraphResponse> GetScheduleAsync(string? token, string? requester, object body, string version = "v1.0", string? rawBody = null)
    {
        string path = requester == null ? $"/{version}/me/calendar/getSchedule" : $"/{version}/users/{Uri.EscapeDataString(requester)}/calendar/getSchedule";
        using var request = new HttpRequestMessage(HttpMethod.Post, Origin + path)
        {
            Content = new StringContent(rawBody ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (token != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("client-request-id", Guid.NewGuid().ToString());
        request.Headers.TryAddWithoutValidation("Prefer", "outlook.timezone=\"UTC\"");
        using HttpResponseMessage response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new GraphResponse(response.StatusCode, text, response.Headers.RetryAfter?.Delta, response.Headers.WwwAuthenticate.ToString());
    }

    public async Task<List<string>> ViolationsAsync() =>
        (await ControlGetAsync("/_sandbox/violations")).AsArray().Select(n => (string)n!).ToList();

    // ---- raw protocol helpers ----

    public async Task<(HttpStatusCode Status, JsonObject Body)> PostFormAsync(string path, IDictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using HttpResponseMessage response = await Http.PostAsync(Origin + path, content);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    public async Task<string> ClientCredentialsTokenAsync(string tenant, string appId, string secret, string? resource = null)
    {
        (HttpStatusCode status, JsonObject body) = await PostFormAsync($"/{tenant}/oauth2/v2.0/token", new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = appId,
            ["client_secret"] = secret,
            ["scope"] = (resource ?? Origin) + "/.default",
        });
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return (string)body["access_token"]!;
    }

    /// <summary>POST InvokeCommand as the module does; <paramref name="url"/> overrides the endpoint (a nextLink).</summary>
    public async Task<AdminResponse> InvokeAsync(string tenant, string? token, string cmdlet, object? parameters = null, int? maxPageSize = null,
        string? url = null, string? anchor = null)
    {
        string body = JsonSerializer.Serialize(new { CmdletInput = new { CmdletName = cmdlet, Parameters = parameters ?? new { } } });
        using var request = new HttpRequestMessage(HttpMethod.Post, url ?? $"{Origin}/adminapi/beta/{tenant}/InvokeCommand")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (maxPageSize != null) request.Headers.TryAddWithoutValidation("Prefer", $"odata.maxpagesize={maxPageSize}");
        request.Headers.TryAddWithoutValidation("X-CmdletName", cmdlet);
        request.Headers.TryAddWithoutValidation("X-ResponseFormat", "json");
        request.Headers.TryAddWithoutValidation("client-request-id", Guid.NewGuid().ToString());
        if (anchor != null) request.Headers.TryAddWithoutValidation("X-AnchorMailbox", anchor);
        request.Headers.UserAgent.ParseAdd("CalendarFederation.Sandbox.Tests/1.0");
        using HttpResponseMessage response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new AdminResponse(response.StatusCode, text, response.Headers.RetryAfter?.Delta,
            response.Headers.WwwAuthenticate.ToString(), response.Content.Headers.ContentType?.MediaType);
    }

    public static X509Certificate2 NewClientCertificate(string subject = "CN=Sandbox test client")
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 cert = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
    }
}

public sealed record AdminResponse(HttpStatusCode Status, string Text, TimeSpan? RetryAfter, string WwwAuthenticate, string? MediaType)
{
    public JsonObject Json => JsonNode.Parse(Text)!.AsObject();

    public JsonArray Value => Json["value"]!.AsArray();

    /// <summary>details[0].message split on '|': ErrorId, ExceptionType, Message.</summary>
    public string[] ErrorDetail => ((string)Json["error"]!["details"]![0]!["message"]!).Split('|', 3);
}

public sealed record GraphResponse(HttpStatusCode Status, string Text, TimeSpan? RetryAfter, string WwwAuthenticate)
{
    public JsonObject Json => JsonNode.Parse(Text)!.AsObject();

    public JsonArray Value => Json["value"]!.AsArray();

    /// <summary>The scheduleInformation for one address.</summary>
    public JsonObject Schedule(string address) => Value.Single(v => string.Equals((string?)v!["scheduleId"], address, StringComparison.OrdinalIgnoreCase))!.AsObject();
}

/// <summary>Refuses any request that would leave the machine, and records what was sent (method and URL without query values).</summary>
public sealed class LoopbackOnlyHandler : DelegatingHandler
{
    public LoopbackOnlyHandler(HttpMessageHandler inner) : base(inner) { }

    public List<string> Sent { get; } = new();

    /// <summary>Form bodies sent (test-local only: they may hold secrets and assertions, so they are never printed whole).</summary>
    public List<Dictionary<string, string>> Forms { get; } = new();

    /// <summary>Host rewrites: requests to the key host go to the value authority instead (e.g. instance discovery).</summary>
    public Dictionary<string, string> Reroute { get; } = new(StringComparer.OrdinalIgnoreCase);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Uri uri = request.RequestUri!;
        if (request.Content?.Headers.ContentType?.MediaType == "application/x-www-form-urlencoded")
        {
            string form = await request.Content.ReadAsStringAsync(cancellationToken);
            var parsed = System.Web.HttpUtility.ParseQueryString(form);
            lock (Forms) Forms.Add(parsed.AllKeys.Where(k => k != null).ToDictionary(k => k!, k => parsed[k]!));
            request.Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
            request.Content.Headers.ContentType!.CharSet = null;
        }
        string keys = string.Join("&", System.Web.HttpUtility.ParseQueryString(uri.Query).AllKeys);
        lock (Sent) Sent.Add($"{request.Method} {uri.GetLeftPart(UriPartial.Path)}{(keys.Length > 0 ? "?" + keys : "")}");
        bool loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
        if (!loopback && Reroute.TryGetValue(uri.Host, out string? authority))
        {
            request.RequestUri = new Uri($"https://{authority}{uri.PathAndQuery}");
            loopback = true;
        }
        if (!loopback) throw new HttpRequestException($"The tests never leave the machine; refused {uri.Host}.");
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>MSAL's HTTP client: the sandbox root and nothing else is trusted.</summary>
public sealed class MsalHttp : Microsoft.Identity.Client.IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient _client;

    public MsalHttp(LoopbackOnlyHandler handler)
    {
        Handler = handler;
        _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    public LoopbackOnlyHandler Handler { get; }

    public IReadOnlyList<string> Sent
    {
        get { lock (Handler.Sent) return Handler.Sent.ToArray(); }
    }

    public HttpClient GetHttpClient() => _client;

    public void Dispose() => _client.Dispose();
}

/// <summary>Well-known names from sandbox.json.</summary>
public static class Known
{
    public const string ContosoId = "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11";
    public const string ContosoDomain = "contoso.onmicrosoft.com";
    public const string FabrikamId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    public const string FabrikamDomain = "fabrikam.onmicrosoft.com";
    public const string ContosoApp = "c0a5e000-0000-4000-8000-000000000001";
    public const string ContosoSecret = "contoso-sandbox-secret";
    public const string ContosoPublicApp = "c0a5e000-0000-4000-8000-000000000002";
    public const string ContosoNoPermissionApp = "c0a5e000-0000-4000-8000-000000000003";
    public const string ContosoNoPermissionSecret = "contoso-noperm-secret";
    public const string FabrikamApp = "f0a5e000-0000-4000-8000-000000000001";
    public const string FabrikamSecret = "fabrikam-sandbox-secret";
    public const string ContosoAdmin = "admin@contoso.onmicrosoft.com";
    public const string ContosoAdminOid = "c0000001-0000-4000-8000-000000000001";
    public const string ContosoHelpdesk = "helpdesk@contoso.onmicrosoft.com";
    public const string FabrikamAdmin = "admin@fabrikam.onmicrosoft.com";
    public const string ServerName = "AM0PR01A001DC01.EURPR01A001.prod.outlook.com";
    public const string DefaultPublicClient = "fb78d390-0c51-40cd-8e17-fdbfab77341b";
    public const string IdentityHeader = "sandbox-identity-header";
    public const string SystemAssignedPrincipal = "c0000e00-0000-4000-8000-0000000000e1";
    public const string SystemAssignedAppId = "c0000e00-0000-4000-8000-0000000000e2";
    public const string UserAssignedClientId = "f0000e00-0000-4000-8000-0000000000e2";
    public const string UserAssignedPrincipal = "f0000e00-0000-4000-8000-0000000000e1";
}
