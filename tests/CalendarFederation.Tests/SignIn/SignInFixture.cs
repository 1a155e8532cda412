using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Net.Http.Json;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Infrastructure;
using CalendarFederation.Sandbox;
using CalendarFederation.Sandbox.Model;
using Xunit;

namespace CalendarFederation.Tests.SignIn;

/// <summary>
/// The sandbox with https listeners chained to a root made here; the module's HTTP goes through a handler that trusts
/// exactly that root (TestHooks), the way SSL_CERT_FILE does for the Pester suite. No certificate check is turned off.
/// </summary>
public sealed class SignInFixture : IAsyncLifetime
{
    public const string EnvironmentName = "SignInSandbox";

    private SandboxServer? _server;

    public SandboxServer Server => _server!;
    public X509Certificate2 Root { get; } = SandboxCertificates.CreateRoot();
    public Uri Https => Server.HttpsUri("good");
    public HttpClient Control { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        SandboxConfig config = SandboxConfig.Load(Path.Combine(AppContext.BaseDirectory, "sandbox.json"));
        _server = await SandboxServer.StartAsync(config, new SandboxServerOptions { Https = true, RootCertificate = Root });
        Control = new HttpClient { BaseAddress = Server.BaseUri };
        TestHooks.HandlerFactory = CreateTrustingHandler;
        EnvironmentRegistry.Add(EnvironmentName, Server.AutodiscoverUri, Https, Https, null);
    }

    public async Task DisposeAsync()
    {
        TestHooks.HandlerFactory = null;
        TestHooks.Browser = null;
        EnvironmentRegistry.Remove(EnvironmentName);
        Control.Dispose();
        if (_server != null) await _server.DisposeAsync();
    }

    public HttpMessageHandler CreateTrustingHandler() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustsSandbox(certificate, errors) },
    };

    private bool TrustsSandbox(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate == null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }

    public async Task PutAsync(string path) => (await Control.PutAsync(path, null)).EnsureSuccessStatusCode();
    public async Task PostAsync(string path, string body, string contentType = "text/plain") =>
        (await Control.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, contentType))).EnsureSuccessStatusCode();
    public async Task<T> GetAsync<T>(string path) => (await Control.GetFromJsonAsync<T>(path))!;

    public void Reset()
    {
        Control.PostAsync("/_sandbox/reset", null).GetAwaiter().GetResult().EnsureSuccessStatusCode();
        TestHooks.Browser = null;
    }

    /// <summary>A runspace with every cmdlet of the module, on an interactive test host or (null) PowerShell's default host.</summary>
    public static Runspace OpenRunspace(PSHost? host)
    {
        InitialSessionState iss = InitialSessionState.CreateDefault2();
        foreach (Type t in typeof(CalendarFederationConnection).Assembly.GetTypes())
        {
            var attribute = t.GetCustomAttribute<CmdletAttribute>();
            if (attribute != null) iss.Commands.Add(new SessionStateCmdletEntry(attribute.VerbName + "-" + attribute.NounName, t, null));
        }
        Runspace runspace = host == null ? RunspaceFactory.CreateRunspace(iss) : RunspaceFactory.CreateRunspace(host, iss);
        runspace.Open();
        return runspace;
    }
}

[CollectionDefinition(Name)]
public sealed class SignInCollection : ICollectionFixture<SignInFixture>
{
    public const string Name = "SignIn";
}
