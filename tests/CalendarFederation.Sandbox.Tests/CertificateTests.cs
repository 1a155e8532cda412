using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using CalendarFederation.Sandbox.Tests.Support;
using Xunit;

namespace CalendarFederation.Sandbox.Tests;

/// <summary>The stable root CA: --make-ca, --ca, and leaves issued from a given root.</summary>
public sealed class CertificateTests
{
    private static string SandboxDll => Path.Combine(AppContext.BaseDirectory, "CalendarFederation.Sandbox.dll");

    private static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cf-sandbox-ca-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Root_saved_and_loaded_keeps_its_key()
    {
        string dir = NewTempDir();
        try
        {
            using X509Certificate2 root = SandboxCertificates.CreateRoot();
            SandboxCertificates.SaveRoot(root, dir);
            using X509Certificate2 loaded = SandboxCertificates.LoadRoot(dir);
            Assert.True(loaded.HasPrivateKey);
            Assert.Equal(root.Thumbprint, loaded.Thumbprint);
            using X509Certificate2 pem = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dir, "root.pem")));
            Assert.Equal(root.Thumbprint, pem.Thumbprint);
            Assert.False(pem.HasPrivateKey);
            Assert.True(loaded.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Leaves_chain_to_the_given_root_and_the_broken_ones_stay_broken()
    {
        using X509Certificate2 root = SandboxCertificates.CreateRoot();
        await using SandboxServer server = await SandboxServer.StartAsync(new SandboxConfig(), new SandboxServerOptions { RootCertificate = root, HttpListeners = 1 });
        Assert.Equal(root.Thumbprint, server.Certificates!.Root.Thumbprint);
        X509Certificate2 good = server.Certificates.Leaves["good"];
        var san = good.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, san.EnumerateIPAddresses());

        using var http = new HttpClient(AuthSandbox.Trusting(root));
        int port = server.State.HttpsPorts["good"];
        foreach (string host in new[] { "localhost", "127.0.0.1" })
        {
            using HttpResponseMessage response = await http.GetAsync($"https://{host}:{port}/common/v2.0/.well-known/openid-configuration");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        foreach (string kind in new[] { "expired", "mismatch", "selfsigned" })
        {
            HttpRequestException ex = await Assert.ThrowsAsync<HttpRequestException>(() =>
                http.GetAsync($"https://localhost:{server.State.HttpsPorts[kind]}/common/v2.0/.well-known/openid-configuration"));
            Assert.IsType<AuthenticationException>(ex.InnerException);
        }
        // Another root is not trusted.
        using X509Certificate2 otherRoot = SandboxCertificates.CreateRoot();
        using var other = new HttpClient(AuthSandbox.Trusting(otherRoot));
        await Assert.ThrowsAsync<HttpRequestException>(() => other.GetAsync($"https://localhost:{port}/common/v2.0/.well-known/openid-configuration"));
    }

    [Fact]
    public async Task Program_make_ca_then_ca_serves_https_from_that_root()
    {
        string dir = NewTempDir();
        try
        {
            using (Process make = Process.Start(new ProcessStartInfo("dotnet", $"\"{SandboxDll}\" --make-ca \"{dir}\"") { RedirectStandardOutput = true })!)
            {
                string output = await make.StandardOutput.ReadToEndAsync();
                await make.WaitForExitAsync();
                Assert.Equal(0, make.ExitCode);
                Assert.Contains("SANDBOX_CA=", output);
            }
            Assert.True(File.Exists(Path.Combine(dir, "root.pem")));
            Assert.True(File.Exists(Path.Combine(dir, "root.pfx")));
            using X509Certificate2 root = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dir, "root.pem")));

            var start = new ProcessStartInfo("dotnet", $"\"{SandboxDll}\" --ca \"{dir}\" --exit-with-stdin")
            {
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            using Process sandbox = Process.Start(start)!;
            try
            {
                string? good = null;
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                while (good == null)
                {
                    string? line = await sandbox.StandardOutput.ReadLineAsync(cts.Token);
                    Assert.NotNull(line);
                    if (line!.StartsWith("SANDBOX_HTTPS_GOOD=", StringComparison.Ordinal)) good = line.Substring("SANDBOX_HTTPS_GOOD=".Length);
                }
                Assert.Matches("^https://localhost:[0-9]+$", good);
                using var http = new HttpClient(AuthSandbox.Trusting(root));
                string json = await http.GetStringAsync($"{good}/contoso/v2.0/.well-known/openid-configuration");
                Assert.Equal($"{good}/{Known.ContosoId}/v2.0", (string?)JsonNode.Parse(json)!["issuer"]);
            }
            finally
            {
                sandbox.StandardInput.Close();
                if (!sandbox.WaitForExit(10_000)) sandbox.Kill();
            }
            Assert.Equal(0, sandbox.ExitCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
