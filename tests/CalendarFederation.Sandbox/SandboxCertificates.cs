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

    public static SandboxCertificates Create()
    {
        using RSA rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=CalendarFederation Sandbox Root", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        X509Certificate2 root = rootRequest.CreateSelfSigned(now.AddDays(-2), now.AddYears(1));

        var leaves = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase)
        {
            ["good"] = Issue(root, rootKey, "localhost", new[] { "localhost" }, now.AddDays(-1), now.AddDays(30)),
            ["expired"] = Issue(root, rootKey, "localhost", new[] { "localhost" }, now.AddDays(-30), now.AddDays(-1)),
            ["mismatch"] = Issue(root, rootKey, "wrong.example", new[] { "wrong.example", "*.wrong.example" }, now.AddDays(-1), now.AddDays(30), includeLoopbackIp: false),
            ["selfsigned"] = SelfSigned("localhost", now),
        };
        return new SandboxCertificates(root, leaves);
    }

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
