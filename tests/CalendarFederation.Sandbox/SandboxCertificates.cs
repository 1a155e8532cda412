using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CalendarFederation.Sandbox;

/// <summary>
/// Certificates for the HTTPS listeners: a private root, a good leaf for localhost/127.0.0.1, and the broken
/// ones TLS tests need (expired, issued to another name, self-signed). Tests trust the root without any
/// product switch: SSL_CERT_FILE for a child pwsh on Linux, or a handler that knows the root in xunit.
/// </summary>
public sealed class SandboxCertificates
{
    private SandboxCertificates(X509Certificate2 root, Dictionary<string, X509Certificate2> leaves)
    {
        Root = root;
        Leaves = leaves;
    }

    public X509Certificate2 Root { get; }

    /// <summary>"good", "expired", "mismatch" (issued to wrong.example), "selfsigned".</summary>
    public IReadOnlyDictionary<string, X509Certificate2> Leaves { get; }

    public string RootPem => Root.ExportCertificatePem();

    /// <summary>Issues the leaves from <paramref name="root"/> (which must carry its private key), or from a new root.</summary>
    public static SandboxCertificates Create(X509Certificate2? root = null)
    {
        root ??= CreateRoot();
        using RSA rootKey = root.GetRSAPrivateKey()
            ?? throw new ArgumentException("The sandbox root certificate must carry its RSA private key.", nameof(root));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var leaves = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase)
        {
            // *.sandbox.test: names only the test proxy resolves, so traffic to them must go through it.
            ["good"] = Issue(root, rootKey, "localhost", new[] { "localhost", "sandbox.test", "*.sandbox.test" }, now.AddDays(-1), Min(now.AddDays(30), root.NotAfter)),
            ["expired"] = Issue(root, rootKey, "localhost", new[] { "localhost" }, now.AddDays(-30), now.AddDays(-1)),
            ["mismatch"] = Issue(root, rootKey, "wrong.example", new[] { "wrong.example", "*.wrong.example" }, now.AddDays(-1), Min(now.AddDays(30), root.NotAfter), includeLoopbackIp: false),
            ["selfsigned"] = SelfSigned("localhost", now),
        };
        return new SandboxCertificates(root, leaves);
    }

    /// <summary>A new private root CA (with its key), valid for ten years so a saved one stays usable.</summary>
    public static X509Certificate2 CreateRoot()
    {
        using RSA rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=CalendarFederation Sandbox Root", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = rootRequest.CreateSelfSigned(now.AddDays(-60), now.AddYears(10));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Writes &lt;dir&gt;/root.pem (public certificate) and &lt;dir&gt;/root.pfx (with its key, no password).</summary>
    public static void SaveRoot(X509Certificate2 root, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "root.pem"), root.ExportCertificatePem() + "\n");
        File.WriteAllBytes(Path.Combine(directory, "root.pfx"), root.Export(X509ContentType.Pfx));
    }

    /// <summary>Loads &lt;dir&gt;/root.pfx as written by <see cref="SaveRoot"/>.</summary>
    public static X509Certificate2 LoadRoot(string directory)
    {
        string pfx = Path.Combine(directory, "root.pfx");
        X509Certificate2 root = X509CertificateLoader.LoadPkcs12FromFile(pfx, null, X509KeyStorageFlags.Exportable);
        if (!root.HasPrivateKey) throw new InvalidDataException($"{pfx} holds no private key.");
        return root;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTime b) => a < new DateTimeOffset(b.ToUniversalTime()) ? a : new DateTimeOffset(b.ToUniversalTime());

    private static X509Certificate2 Issue(X509Certificate2 root, RSA rootKey, string cn, string[] dnsNames, DateTimeOffset notBefore, DateTimeOffset notAfter, bool includeLoopbackIp = true)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (string d in dnsNames) san.AddDnsName(d);
        if (includeLoopbackIp) san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any())
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        }
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        using X509Certificate2 issued = request.Create(root.SubjectName, X509SignatureGenerator.CreateForRSA(rootKey, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }

    private static X509Certificate2 SelfSigned(string cn, DateTimeOffset now)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 cert = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
