using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CalendarFederation.Engine.Http;
using Xunit;

namespace CalendarFederation.Engine.Tests;

public class CertificatePolicyTests
{
    private static X509Certificate2 Certificate(string cn, string[] dnsNames, DateTimeOffset? notAfter = null)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string d in dnsNames) san.AddDnsName(d);
        if (dnsNames.Length > 0) request.CertificateExtensions.Add(san.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-10), notAfter ?? now.AddDays(10));
    }

    [Fact]
    public void Reads_subject_alternative_names_then_the_common_name()
    {
        using X509Certificate2 cert = Certificate("legacy.contoso.com", new[] { "mail.contoso.com", "autodiscover.contoso.com" });
        Assert.Equal(new[] { "mail.contoso.com", "autodiscover.contoso.com", "legacy.contoso.com" }, CertificatePolicy.GetDnsNames(cert));
    }

    [Fact]
    public void A_clean_certificate_is_accepted()
    {
        using X509Certificate2 cert = Certificate("mail.contoso.com", new[] { "mail.contoso.com" });
        Assert.True(CertificatePolicy.Evaluate(SslPolicyErrors.None, cert, null, HostnameTrust.None).IsAccepted);
    }

    [Fact]
    public void A_name_mismatch_is_accepted_only_when_a_certificate_name_is_trusted()
    {
        using X509Certificate2 cert = Certificate("mail.contoso.com", new[] { "mail.contoso.com" });
        TlsVerdict refused = CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateNameMismatch, cert, null, HostnameTrust.None);
        Assert.False(refused.IsAccepted);
        Assert.Equal(TlsFailure.NameMismatch, refused.Failure);
        Assert.Contains("mail.contoso.com", refused.Reason);

        Assert.True(CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateNameMismatch, cert, null, new HostnameTrust(new[] { "mail.contoso.com" })).IsAccepted);
        Assert.True(CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateNameMismatch, cert, null, new HostnameTrust(new[] { "*.contoso.com" })).IsAccepted);
        Assert.False(CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateNameMismatch, cert, null, new HostnameTrust(new[] { "other.example" })).IsAccepted);
    }

    [Fact]
    public void Any_chain_error_fails_even_for_a_trusted_name()
    {
        using X509Certificate2 cert = Certificate("mail.contoso.com", new[] { "mail.contoso.com" });
        var trust = new HostnameTrust(new[] { "mail.contoso.com" });
        TlsVerdict verdict = CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateChainErrors, cert, null, trust);
        Assert.False(verdict.IsAccepted);
        Assert.Equal(TlsFailure.Untrusted, verdict.Failure);
        verdict = CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch, cert, null, trust);
        Assert.False(verdict.IsAccepted);
        Assert.False(CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateNotAvailable, null, null, trust).IsAccepted);
    }

    [Fact]
    public void An_expired_certificate_says_so()
    {
        using X509Certificate2 cert = Certificate("mail.contoso.com", new[] { "mail.contoso.com" }, DateTimeOffset.UtcNow.AddDays(-1));
        TlsVerdict verdict = CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateChainErrors, cert, null, HostnameTrust.None);
        Assert.Contains("expired", verdict.Reason);
    }

    [Fact]
    public void A_self_signed_certificate_chain_is_described_as_untrusted()
    {
        using X509Certificate2 cert = Certificate("mail.contoso.com", new[] { "mail.contoso.com" });
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.False(chain.Build(cert));
        TlsVerdict verdict = CertificatePolicy.Evaluate(SslPolicyErrors.RemoteCertificateChainErrors, cert, chain, HostnameTrust.None);
        Assert.Contains("not issued by a trusted authority", verdict.Reason);
    }
}
