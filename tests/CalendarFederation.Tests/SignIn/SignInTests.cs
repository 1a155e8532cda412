using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http.Json;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Infrastructure;
using Xunit;

namespace CalendarFederation.Tests.SignIn;

/// <summary>Each sign-in mode of Connect-CalendarFederation against the sandbox's Entra ID and admin API.</summary>
[Collection(SignInCollection.Name)]
public sealed class SignInTests : IDisposable
{
    private const string ContosoApp = "c0a5e000-0000-4000-8000-000000000001";
    private const string ContosoSecret = "contoso-sandbox-secret";
    private const string FabrikamApp = "f0a5e000-0000-4000-8000-000000000001";
    private const string FabrikamSecret = "fabrikam-sandbox-secret";

    private readonly SignInFixture _fixture;
    private readonly TestPSHost _host = new();
    private readonly Runspace _runspace;

    public SignInTests(SignInFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(_host);
    }

    public void Dispose()
    {
        foreach (PowerShell ps in _invocations) ps.Dispose();
        _runspace.Dispose();
    }

    private readonly List<PowerShell> _invocations = new();

    private (Collection<PSObject> Output, PSDataStreams Streams) Run(string script, IDictionary<string, object?>? variables = null, Runspace? runspace = null)
    {
        // Kept until the test ends: disposing a PowerShell clears its streams, and the caller reads them after this returns.
        PowerShell ps = PowerShell.Create();
        _invocations.Add(ps);
        ps.Runspace = runspace ?? _runspace;
        if (variables != null)
        {
            foreach (var v in variables) ps.Runspace.SessionStateProxy.SetVariable(v.Key, v.Value);
        }
        ps.AddScript(script);
        Collection<PSObject> output = ps.Invoke();
        return (output, ps.Streams);
    }

    private static SecureString Secure(string s)
    {
        var secure = new SecureString();
        foreach (char c in s) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    private static string Env => SignInFixture.EnvironmentName;

    private CalendarFederationConnection ConnectWithSecret(string app = ContosoApp, string secret = ContosoSecret, string org = "contoso.onmicrosoft.com", string extra = "")
    {
        var (output, streams) = Run($"Connect-CalendarFederation -AppId '{app}' -Organization '{org}' -ClientSecret $secret -ExchangeEnvironmentName {Env} -PassThru {extra}",
            new Dictionary<string, object?> { ["secret"] = Secure(secret) });
        Assert.Empty(streams.Error);
        return (CalendarFederationConnection)Assert.Single(output).BaseObject;
    }

    [Fact]
    public void ClientSecret_connects_and_calls_the_admin_api_and_warns_once()
    {
        CalendarFederationConnection connection = ConnectWithSecret();
        Assert.Equal("ClientSecret", connection.AuthenticationMode);
        Assert.Equal("contoso.onmicrosoft.com", connection.Organization);
        Assert.Equal("6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11", connection.TenantId);
        Assert.Equal(ContosoApp, connection.AppId);
        Assert.True(connection.IsAppOnly);
        Assert.Equal("Contoso", connection.OrganizationName);

        var (config, streams) = Run("Get-OrganizationConfig");
        Assert.Empty(streams.Error);
        Assert.Equal(false, Assert.Single(config).Properties["IsDehydrated"].Value);

        // The certificate advice is given once per process, not on every connect.
        var (_, again) = Run("Connect-CalendarFederation -AppId $app -Organization contoso.onmicrosoft.com -ClientSecret $secret -ExchangeEnvironmentName " + Env,
            new Dictionary<string, object?> { ["app"] = ContosoApp, ["secret"] = Secure(ContosoSecret) });
        Assert.DoesNotContain(again.Warning, w => w.Message.Contains("certificate"));
    }

    [Fact]
    public void A_wrong_secret_is_an_authentication_error_with_the_service_reason()
    {
        var (_, streams) = Run($"try {{ Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -ClientSecret $secret -ExchangeEnvironmentName {Env} }} catch {{ $_ }}",
            new Dictionary<string, object?> { ["secret"] = Secure("not-the-secret") });
        var (output, _) = Run($"try {{ Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -ClientSecret $secret -ExchangeEnvironmentName {Env}; 'connected' }} catch {{ $_ }}",
            new Dictionary<string, object?> { ["secret"] = Secure("not-the-secret") });
        var record = (ErrorRecord)Assert.Single(output).BaseObject;
        Assert.Equal("InvalidClientCredentials,CalendarFederation.Commands.ConnectCalendarFederationCommand", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
        Assert.Contains("AADSTS7000215", record.Exception.Message);
        Assert.DoesNotContain("not-the-secret", record.Exception.ToString());
    }

    [Fact]
    public void An_app_without_the_exchange_role_fails_the_connection_check_with_advice()
    {
        var (output, _) = Run($"try {{ Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000003' -Organization contoso.onmicrosoft.com -ClientSecret $secret -ExchangeEnvironmentName {Env}; 'connected' }} catch {{ $_ }}",
            new Dictionary<string, object?> { ["secret"] = Secure("contoso-noperm-secret") });
        var record = (ErrorRecord)Assert.Single(output).BaseObject;
        Assert.StartsWith("AccessDenied,", record.FullyQualifiedErrorId);
        Assert.Contains("Exchange.ManageAsApp", record.Exception.Message);
        var (none, _) = Run("Get-CalendarFederationConnection");
        Assert.Empty(none);
    }

    private X509Certificate2 RegisterCertificate(string app = ContosoApp, string tenant = "contoso")
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=CalendarFederation test " + Guid.NewGuid().ToString("N")[..8], key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _fixture.PostAsync($"/_sandbox/tenants/{tenant}/apps/{app}/certificates", cert.ExportCertificatePem()).GetAwaiter().GetResult();
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
    }

    [Fact]
    public void Certificate_object_file_and_thumbprint_all_connect()
    {
        X509Certificate2 cert = RegisterCertificate();
        var (byObject, s1) = Run($"Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -Certificate $cert -ExchangeEnvironmentName {Env} -PassThru",
            new Dictionary<string, object?> { ["cert"] = cert });
        Assert.Empty(s1.Error);
        Assert.Equal("Certificate", ((CalendarFederationConnection)Assert.Single(byObject).BaseObject).AuthenticationMode);

        string pfx = Path.Combine(Path.GetTempPath(), "cf-" + Guid.NewGuid().ToString("N") + ".pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, "pfx-password"));
        try
        {
            var (byFile, s2) = Run($"Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -CertificateFilePath '{pfx}' -CertificatePassword $pw -ExchangeEnvironmentName {Env} -PassThru",
                new Dictionary<string, object?> { ["pw"] = Secure("pfx-password") });
            Assert.Empty(s2.Error);
            Assert.Single(byFile);

            var (badPassword, _) = Run($"try {{ Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -CertificateFilePath '{pfx}' -CertificatePassword $pw -ExchangeEnvironmentName {Env} }} catch {{ $_ }}",
                new Dictionary<string, object?> { ["pw"] = Secure("wrong-password") });
            var record = (ErrorRecord)Assert.Single(badPassword).BaseObject;
            Assert.StartsWith("CertificateLoadFailed,", record.FullyQualifiedErrorId);
            Assert.DoesNotContain("wrong-password", record.ToString());
        }
        finally
        {
            File.Delete(pfx);
        }

        // .NET keeps a CurrentUser\My store on every platform, so thumbprints work beyond Windows.
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(cert);
        try
        {
            var (byThumbprint, s3) = Run($"Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -CertificateThumbprint '{cert.Thumbprint}' -ExchangeEnvironmentName {Env} -PassThru");
            Assert.Empty(s3.Error);
            Assert.Single(byThumbprint);
        }
        finally
        {
            store.Remove(cert);
        }

        var (missing, _) = Run($"try {{ Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -CertificateThumbprint '00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF' -ExchangeEnvironmentName {Env} }} catch {{ $_ }}");
        Assert.StartsWith("CertificateNotFound,", ((ErrorRecord)Assert.Single(missing).BaseObject).FullyQualifiedErrorId);
    }

    [Fact]
    public void ManagedIdentity_uses_the_app_service_endpoint()
    {
        string? endpoint = Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT");
        string? header = Environment.GetEnvironmentVariable("IDENTITY_HEADER");
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", new Uri(_fixture.Server.BaseUri, "/msi/token").AbsoluteUri);
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", "sandbox-identity-header");
        try
        {
            var (system, s1) = Run($"Connect-CalendarFederation -ManagedIdentity -ExchangeEnvironmentName {Env} -PassThru");
            Assert.True(s1.Error.Count == 0, string.Join("; ", s1.Error.Select(e => e.ToString())));
            var connection = (CalendarFederationConnection)Assert.Single(system).BaseObject;
            Assert.Equal("ManagedIdentity", connection.AuthenticationMode);
            Assert.Equal("6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11", connection.TenantId);

            var (user, s2) = Run($"Connect-CalendarFederation -ManagedIdentity -ManagedIdentityAccountId 'f0000e00-0000-4000-8000-0000000000e2' -ExchangeEnvironmentName {Env} -PassThru");
            Assert.Empty(s2.Error);
            Assert.Equal("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22", ((CalendarFederationConnection)Assert.Single(user).BaseObject).TenantId);

            // MSAL caches managed-identity tokens process-wide, so the failures use identities not asked for before.
            var (unknown, _) = Run($"try {{ Connect-CalendarFederation -ManagedIdentity -ManagedIdentityAccountId '{Guid.NewGuid()}' -ExchangeEnvironmentName {Env} }} catch {{ $_ }}");
            Assert.StartsWith("ManagedIdentityUnavailable,", ((ErrorRecord)Assert.Single(unknown).BaseObject).FullyQualifiedErrorId);

            Environment.SetEnvironmentVariable("IDENTITY_HEADER", "wrong");
            var (refused, _) = Run($"try {{ Connect-CalendarFederation -ManagedIdentity -ManagedIdentityAccountId '{Guid.NewGuid()}' -ExchangeEnvironmentName {Env} }} catch {{ $_ }}");
            Assert.StartsWith("ManagedIdentityUnavailable,", ((ErrorRecord)Assert.Single(refused).BaseObject).FullyQualifiedErrorId);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", endpoint);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", header);
        }
    }

    private string AppToken(string tenant = "contoso.onmicrosoft.com", string app = ContosoApp, string secret = ContosoSecret)
    {
        using var http = new HttpClient(_fixture.CreateTrustingHandler());
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = app,
            ["client_secret"] = secret,
            ["scope"] = _fixture.Https.GetLeftPart(UriPartial.Authority) + "/.default",
        });
        HttpResponseMessage response = http.PostAsync(new Uri(_fixture.Https, $"/{tenant}/oauth2/v2.0/token"), form).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        using JsonDocument doc = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return doc.RootElement.GetProperty("access_token").GetString()!;
    }

    [Fact]
    public void AccessToken_as_string_or_securestring_takes_the_tenant_from_the_token()
    {
        string token = AppToken();
        var (asString, s1) = Run($"Connect-CalendarFederation -AccessToken $token -ExchangeEnvironmentName {Env} -PassThru", new Dictionary<string, object?> { ["token"] = token });
        Assert.Empty(s1.Error);
        var connection = (CalendarFederationConnection)Assert.Single(asString).BaseObject;
        Assert.Equal("AccessToken", connection.AuthenticationMode);
        Assert.Equal("6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11", connection.Organization);

        var (asSecure, s2) = Run($"Connect-CalendarFederation -AccessToken $token -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName {Env} -PassThru",
            new Dictionary<string, object?> { ["token"] = Secure(token) });
        Assert.Empty(s2.Error);
        Assert.Equal("contoso.onmicrosoft.com", ((CalendarFederationConnection)Assert.Single(asSecure).BaseObject).Organization);

        var (bad, _) = Run($"try {{ Connect-CalendarFederation -AccessToken 'not a token' -ExchangeEnvironmentName {Env} }} catch {{ $_ }}");
        Assert.StartsWith("InvalidAccessToken,", ((ErrorRecord)Assert.Single(bad).BaseObject).FullyQualifiedErrorId);
    }

    [Fact]
    public void Device_code_shows_the_code_on_the_host_and_signs_in()
    {
        var (output, streams) = Run($"Connect-CalendarFederation -Device -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName {Env} -PassThru");
        Assert.Empty(streams.Error);
        var connection = (CalendarFederationConnection)Assert.Single(output).BaseObject;
        Assert.Equal("DeviceCode", connection.AuthenticationMode);
        Assert.Equal("admin@contoso.onmicrosoft.com", connection.UserPrincipalName);
        InformationRecord prompt = Assert.Single(streams.Information, i => i.Tags.Contains("PSHOST"));
        Assert.Contains("/devicelogin", prompt.MessageData.ToString());
        Assert.Matches("enter the code [A-Z0-9]{8}", prompt.MessageData.ToString()!);
        var (config, s2) = Run("Get-OrganizationConfig");
        Assert.Empty(s2.Error);
        Assert.Single(config);
    }

    private sealed class SandboxBrowser : IBrowser
    {
        private readonly HttpMessageHandler _handler;

        public SandboxBrowser(HttpMessageHandler handler) => _handler = handler;

        public int Calls;

        public async Task<Uri> AuthorizeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            using var http = new HttpClient(_handler, disposeHandler: false);
            using HttpResponseMessage response = await http.GetAsync(authorizationUri, cancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
            Uri location = response.Headers.Location!;
            Assert.StartsWith(redirectUri.GetLeftPart(UriPartial.Path), location.GetLeftPart(UriPartial.Path));
            return location;
        }
    }

    [Fact]
    public void Interactive_goes_through_the_browser_seam()
    {
        var browser = new SandboxBrowser(_fixture.CreateTrustingHandler());
        TestHooks.Browser = browser;
        var (output, streams) = Run($"Connect-CalendarFederation -UserPrincipalName admin@fabrikam.onmicrosoft.com -Organization fabrikam.onmicrosoft.com -ExchangeEnvironmentName {Env} -PassThru");
        Assert.Empty(streams.Error);
        var connection = (CalendarFederationConnection)Assert.Single(output).BaseObject;
        Assert.Equal("Interactive", connection.AuthenticationMode);
        Assert.Equal("admin@fabrikam.onmicrosoft.com", connection.UserPrincipalName);
        Assert.Equal("Fabrikam", connection.OrganizationName);
        Assert.Equal(1, browser.Calls);
    }

    [Fact]
    public void A_partner_admin_manages_a_customer_tenant_with_DelegatedOrganization()
    {
        // litware lists contoso among its delegated admins (GDAP): contoso's admin signs in at litware's authority.
        var browser = new SandboxBrowser(_fixture.CreateTrustingHandler());
        TestHooks.Browser = browser;
        var (output, streams) = Run($"Connect-CalendarFederation -UserPrincipalName admin@contoso.onmicrosoft.com -DelegatedOrganization litware.onmicrosoft.com -ExchangeEnvironmentName {Env} -PassThru");
        Assert.True(streams.Error.Count == 0, string.Join("; ", streams.Error.Select(e => e.ToString())));
        var connection = (CalendarFederationConnection)Assert.Single(output).BaseObject;
        Assert.Equal("litware.onmicrosoft.com", connection.Organization);
        Assert.Equal("litware.onmicrosoft.com", connection.DelegatedOrganization);
        Assert.Equal("admin@contoso.onmicrosoft.com", connection.UserPrincipalName);
        Assert.EndsWith("/litware.onmicrosoft.com", connection.AzureADAuthorizationEndpointUri.AbsoluteUri);
        var (config, s2) = Run("(Get-OrganizationConfig).DisplayName");
        Assert.Empty(s2.Error);
        Assert.Equal("Litware", config[0].BaseObject);

        // A write works too: it is anchored on litware's system mailbox at litware's tenant id, as CIPP anchors GDAP
        // calls; anchored on the partner's user it would land on contoso's mailbox server ("Cmdlet needs proxy").
        var (created, s3) = Run("New-OrganizationRelationship -Name GdapPartner -DomainNames gdap-partner.example -WarningAction SilentlyContinue -Confirm:$false");
        Assert.True(s3.Error.Count == 0, string.Join("; ", s3.Error.Select(e => e.ToString())));
        Assert.Single(created);
        JsonElement[] writes = _fixture.GetAsync<JsonElement[]>("/_sandbox/requests").GetAwaiter().GetResult()
            .Where(r => r.TryGetProperty("cmdletName", out JsonElement c) && c.GetString() == "New-OrganizationRelationship").ToArray();
        Assert.Equal("APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44", writes.Last().GetProperty("anchorMailbox").GetString());
    }

    [Fact]
    public void An_app_without_an_entra_role_is_told_which_role_to_assign()
    {
        // Exchange.ManageAsApp is consented, but the service principal holds no Entra role (Microsoft's app-only docs, Step 5).
        var (output, _) = Run($"try {{ Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000004' -Organization contoso.onmicrosoft.com -ClientSecret $secret -ExchangeEnvironmentName {Env} -WarningAction SilentlyContinue; 'connected' }} catch {{ $_ }}",
            new Dictionary<string, object?> { ["secret"] = Secure("contoso-norole-secret") });
        var record = (ErrorRecord)Assert.Single(output).BaseObject;
        Assert.Equal("AccessDenied,CalendarFederation.Commands.ConnectCalendarFederationCommand", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, record.CategoryInfo.Category);
        Assert.Contains("isn't supported in this scenario", record.Exception.Message);
        Assert.Contains("for the app's service principal, the Entra role Exchange Administrator", record.Exception.Message);
        Assert.Contains("Exchange Administrator", record.ErrorDetails.RecommendedAction);

        // Past the connection check, every cmdlet says the same.
        var (denied, _) = Run($"$c = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000004' -Organization contoso.onmicrosoft.com -ClientSecret $secret -ExchangeEnvironmentName {Env} -SkipConnectionCheck -NotDefault -PassThru -WarningAction SilentlyContinue; " +
            "try { Get-OrganizationRelationship -Connection $c -ErrorAction Stop } catch { $_ }",
            new Dictionary<string, object?> { ["secret"] = Secure("contoso-norole-secret") });
        var getRecord = (ErrorRecord)Assert.Single(denied).BaseObject;
        Assert.StartsWith("AccessDenied,", getRecord.FullyQualifiedErrorId);
        Assert.Contains("the Entra role Exchange Administrator", getRecord.Exception.Message);
        Assert.Contains("service principal", getRecord.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void ConnectionUri_and_authority_overrides_replace_the_environment()
    {
        // O365Default would reach Microsoft; the two overrides send everything to the sandbox instead.
        var (output, streams) = Run("Connect-CalendarFederation -AppId $app -Organization contoso.onmicrosoft.com -ClientSecret $s -ExchangeEnvironmentName O365Default " +
            "-ConnectionUri $uri -AzureADAuthorizationEndpointUri $authority -PassThru -WarningAction SilentlyContinue",
            new Dictionary<string, object?>
            {
                ["app"] = ContosoApp,
                ["s"] = Secure(ContosoSecret),
                ["uri"] = new Uri(_fixture.Https, "/powershell-liveid"),
                ["authority"] = new Uri(_fixture.Https, "/contoso.onmicrosoft.com"),
            });
        Assert.True(streams.Error.Count == 0, string.Join("; ", streams.Error.Select(e => e.ToString())));
        var connection = (CalendarFederationConnection)Assert.Single(output).BaseObject;
        Assert.Equal(_fixture.Https.GetLeftPart(UriPartial.Authority) + "/", connection.ConnectionUri.AbsoluteUri);
        Assert.Equal("O365Default", connection.ExchangeEnvironmentName);
        Assert.Equal("Contoso", connection.OrganizationName);

        var (refused, _) = Run("try { Connect-CalendarFederation -AppId $app -Organization contoso.onmicrosoft.com -ClientSecret $s -AzureADAuthorizationEndpointUri 'http://localhost:1/x' } catch { $_ }",
            new Dictionary<string, object?> { ["app"] = ContosoApp, ["s"] = Secure(ContosoSecret) });
        Assert.StartsWith("InsecureEndpoint,", ((ErrorRecord)Assert.Single(refused).BaseObject).FullyQualifiedErrorId);
    }

    [Fact]
    public void Interactive_modes_fail_at_once_without_an_interactive_host()
    {
        using Runspace headless = SignInFixture.OpenRunspace(null);
        foreach (string mode in new[] { "-Device", "" })
        {
            // A hang guard, not a timing target: waiting for a person would never end here. That it fails before asking
            // the sign-in service anything is checked below (no sign-in requests).
            var run = Task.Run(() => Run($"try {{ Connect-CalendarFederation {mode} -ExchangeEnvironmentName {Env} }} catch {{ $_ }}", runspace: headless));
            Assert.True(run.Wait(TimeSpan.FromSeconds(60)), "the sign-in waited for someone");
            var (output, _) = run.Result;
            var record = (ErrorRecord)Assert.Single(output).BaseObject;
            Assert.Equal("InteractiveSignInNotPossible,CalendarFederation.Commands.ConnectCalendarFederationCommand", record.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
            Assert.Contains("-ManagedIdentity", record.Exception.Message);
            Assert.Contains("-CertificateThumbprint", record.Exception.Message);
        }
        var signIns = _fixture.GetAsync<JsonElement>("/_sandbox/signins").GetAwaiter().GetResult();
        Assert.Equal(0, signIns.GetArrayLength());
    }

    [Fact]
    public void Tokens_are_refreshed_silently_when_they_expire()
    {
        _fixture.PutAsync("/_sandbox/token-lifetime?seconds=2").GetAwaiter().GetResult();
        try
        {
            CalendarFederationConnection app = ConnectWithSecret();
            var (device, s0) = Run($"Connect-CalendarFederation -Device -Organization fabrikam.onmicrosoft.com -ExchangeEnvironmentName {Env} -PassThru -NotDefault");
            Assert.Empty(s0.Error);
            // Past the 2 s tokens' exp on the sandbox's clock (tests/CalendarFederation.Sandbox/SandboxClock.cs): the
            // tokens from the sign-ins above are refused from now on, without waiting for them to run out.
            _fixture.Server.State.Clock.Advance(TimeSpan.FromSeconds(3));
            var (a, s1) = Run("Get-OrganizationConfig -Connection $c", new Dictionary<string, object?> { ["c"] = app });
            var (d, s2) = Run("Get-OrganizationConfig -Connection $c", new Dictionary<string, object?> { ["c"] = device[0].BaseObject });
            Assert.Empty(s1.Error);
            Assert.Empty(s2.Error);
            Assert.Equal("Contoso", a[0].Properties["DisplayName"].Value);
            Assert.Equal("Fabrikam", d[0].Properties["DisplayName"].Value);
            JsonElement signIns = _fixture.GetAsync<JsonElement>("/_sandbox/signins").GetAwaiter().GetResult();
            string all = signIns.GetRawText();
            Assert.Contains("refresh_token", all);
            Assert.True(signIns.EnumerateArray().Count(s => s.GetRawText().Contains("client_credentials")) >= 2, all);
            // Refreshed before use, not after a refusal: the sandbox never had to answer 401.
            JsonElement requests = _fixture.GetAsync<JsonElement>("/_sandbox/requests").GetAwaiter().GetResult();
            Assert.DoesNotContain(requests.EnumerateArray(), r => r.TryGetProperty("status", out JsonElement st) && st.GetInt32() == 401);
        }
        finally
        {
            _fixture.PutAsync("/_sandbox/token-lifetime?seconds=3600").GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void Two_tenants_with_different_modes_work_side_by_side()
    {
        CalendarFederationConnection contoso = ConnectWithSecret();
        X509Certificate2 cert = RegisterCertificate(FabrikamApp, "fabrikam");
        var (output, streams) = Run($"Connect-CalendarFederation -AppId '{FabrikamApp}' -Organization fabrikam.onmicrosoft.com -Certificate $cert -ExchangeEnvironmentName {Env} -PassThru -NotDefault",
            new Dictionary<string, object?> { ["cert"] = cert });
        Assert.Empty(streams.Error);
        var fabrikam = (CalendarFederationConnection)output[0].BaseObject;

        var (names, s2) = Run("(Get-OrganizationConfig).DisplayName; (Get-OrganizationConfig -Connection $f).DisplayName; (Get-CalendarFederationConnection -Default).Organization",
            new Dictionary<string, object?> { ["f"] = fabrikam });
        Assert.Empty(s2.Error);
        Assert.Equal(new object[] { "Contoso", "Fabrikam", "contoso.onmicrosoft.com" }, names.Select(n => n.BaseObject));

        var (after, _) = Run("Disconnect-CalendarFederation -Connection $c -Confirm:$false; Get-CalendarFederationConnection | ForEach-Object Organization",
            new Dictionary<string, object?> { ["c"] = contoso });
        Assert.Equal(new object[] { "fabrikam.onmicrosoft.com" }, after.Select(n => n.BaseObject));
    }

    [Fact]
    public void Without_a_connection_a_tenant_cmdlet_says_how_to_connect()
    {
        using Runspace fresh = SignInFixture.OpenRunspace(_host);
        var (output, _) = Run("try { Get-OrganizationConfig } catch { $_ }", runspace: fresh);
        var record = (ErrorRecord)Assert.Single(output).BaseObject;
        Assert.Equal("AuthenticationRequired,CalendarFederation.Commands.GetOrganizationConfigCommand", record.FullyQualifiedErrorId);
        Assert.Contains("Connect-CalendarFederation", record.Exception.Message);
    }

    [Fact]
    public void The_default_connection_belongs_to_its_runspace()
    {
        ConnectWithSecret();
        using Runspace other = SignInFixture.OpenRunspace(_host);
        var (mine, _) = Run("@(Get-CalendarFederationConnection).Count");
        var (theirs, _) = Run("@(Get-CalendarFederationConnection).Count", runspace: other);
        Assert.Equal(1, mine[0].BaseObject);
        Assert.Equal(0, theirs[0].BaseObject);
    }

    [Fact]
    public void A_throttled_tenant_is_never_sent_a_request_before_its_retry_after()
    {
        CalendarFederationConnection connection = ConnectWithSecret();
        // A burst of 4, then 429 with Retry-After 1 (whole seconds): one real wait the module must honour.
        _fixture.PutAsync("/_sandbox/tenants/contoso/budget?requestsPerSecond=4").GetAwaiter().GetResult();
        try
        {
            var (output, streams) = Run("1..8 | ForEach-Object { (Get-OrganizationConfig -Connection $c -Verbose).DisplayName } 4>&1",
                new Dictionary<string, object?> { ["c"] = connection });
            Assert.Empty(streams.Error);
            Assert.Equal(8, output.Count(o => "Contoso".Equals(o.BaseObject)));
            Assert.Contains(output, o => o.BaseObject is VerboseRecord v && v.Message.Contains("throttled"));
            JsonElement violations = _fixture.GetAsync<JsonElement>("/_sandbox/violations").GetAwaiter().GetResult();
            Assert.Equal(0, violations.GetArrayLength());
        }
        finally
        {
            _fixture.Control.DeleteAsync("/_sandbox/tenants/contoso/budget").GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void No_secret_or_token_appears_in_any_stream_or_view()
    {
        X509Certificate2 cert = RegisterCertificate();
        string token = AppToken();
        string pfx = Path.Combine(Path.GetTempPath(), "cf-" + Guid.NewGuid().ToString("N") + ".pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, "pfx-secret-password"));
        try
        {
            string script = $@"
$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
$a = Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -ClientSecret $secret -ExchangeEnvironmentName {Env} -PassThru -Verbose -Debug
$b = Connect-CalendarFederation -AppId '{ContosoApp}' -Organization contoso.onmicrosoft.com -CertificateFilePath '{pfx}' -CertificatePassword $pw -ExchangeEnvironmentName {Env} -PassThru -Verbose -Debug
$c = Connect-CalendarFederation -AccessToken $token -ExchangeEnvironmentName {Env} -PassThru -Verbose -Debug
$d = Connect-CalendarFederation -Device -Organization fabrikam.onmicrosoft.com -ExchangeEnvironmentName {Env} -PassThru -Verbose -Debug
foreach ($x in $a, $b, $c, $d) {{ Get-OrganizationConfig -Connection $x -Verbose -Debug | Out-String; $x.ToString(); $x | Format-List * | Out-String; $x | Format-Table | Out-String; $x | ConvertTo-Json -Depth 3 }}
Get-CalendarFederationConnection | Format-List * | Out-String
";
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = _runspace;
            _runspace.SessionStateProxy.SetVariable("secret", Secure(ContosoSecret));
            _runspace.SessionStateProxy.SetVariable("pw", Secure("pfx-secret-password"));
            _runspace.SessionStateProxy.SetVariable("token", token);
            ps.AddScript(script);
            Collection<PSObject> output = ps.Invoke();
            Assert.Empty(ps.Streams.Error);
            var everything = new List<string>();
            everything.AddRange(output.Select(o => o?.ToString() ?? ""));
            everything.AddRange(ps.Streams.Verbose.Select(v => v.Message));
            everything.AddRange(ps.Streams.Debug.Select(v => v.Message));
            everything.AddRange(ps.Streams.Warning.Select(v => v.Message));
            everything.AddRange(ps.Streams.Information.Select(v => v.MessageData?.ToString() ?? ""));
            everything.Add(_host.Written);
            string text = string.Join("\n", everything);

            Assert.Contains("MSAL", text); // the debug stream really carried MSAL's log
            Assert.Contains("POST /adminapi/beta/", text); // and the request trace
            foreach (string secret in new[] { ContosoSecret, "pfx-secret-password", token, token.Split('.')[1], token.Split('.')[2] })
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
            Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_\-]{10,}\.eyJ", text); // no JWT of any kind
            Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(pfx);
        }
    }
}
