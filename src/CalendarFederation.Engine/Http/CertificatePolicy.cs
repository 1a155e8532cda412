using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CalendarFederation.Engine.Http
{
    /// <summary>
    /// Exchange's certificate rule for discovery: any policy error other than a pure name mismatch fails;
    /// a name mismatch is accepted only when one of the certificate's names is a trusted host name.
    /// </summary>
    public static class CertificatePolicy
    {
        public static TlsVerdict Evaluate(SslPolicyErrors errors, X509Certificate2? certificate, X509Chain? chain, HostnameTrust trust)
        {
            if (errors == SslPolicyErrors.None) return TlsVerdict.Accepted;

            IReadOnlyList<string> names = certificate == null ? Array.Empty<string>() : GetDnsNames(certificate);
            if (errors == SslPolicyErrors.RemoteCertificateNameMismatch)
            {
                if (names.Any(trust.Matches)) return TlsVerdict.Accepted;
                return new TlsVerdict(false, TlsFailure.NameMismatch, names,
                    $"the certificate is issued to {Describe(names)}, not to this host");
            }

            if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return new TlsVerdict(false, TlsFailure.NoCertificate, names, "the server presented no certificate");
            }

            string detail = DescribeChain(chain, certificate);
            return new TlsVerdict(false, TlsFailure.Untrusted, names, detail);
        }

        private static string DescribeChain(X509Chain? chain, X509Certificate2? certificate)
        {
            var reasons = new List<string>();
            if (certificate != null)
            {
                DateTime now = DateTime.Now;
                if (certificate.NotAfter < now) reasons.Add($"the certificate expired on {certificate.NotAfter:yyyy-MM-dd}");
                else if (certificate.NotBefore > now) reasons.Add($"the certificate is not valid before {certificate.NotBefore:yyyy-MM-dd}");
            }
            if (chain != null)
            {
                foreach (X509ChainStatus status in chain.ChainStatus)
                {
                    switch (status.Status)
                    {
                        case X509ChainStatusFlags.NotTimeValid:
                            if (reasons.Count == 0) reasons.Add("the certificate or its chain is outside its validity period");
                            break;
                        case X509ChainStatusFlags.UntrustedRoot:
                        case X509ChainStatusFlags.PartialChain:
                            reasons.Add("the certificate is not issued by a trusted authority");
                            break;
                        case X509ChainStatusFlags.Revoked:
                            reasons.Add("the certificate is revoked");
                            break;
                        case X509ChainStatusFlags.NoError:
                            break;
                        default:
                            reasons.Add("certificate chain error: " + status.Status);
                            break;
                    }
                }
            }
            if (reasons.Count == 0) reasons.Add("the certificate chain is not trusted");
            return string.Join("; ", reasons.Distinct());
        }

        private static string Describe(IReadOnlyList<string> names) =>
            names.Count == 0 ? "no DNS name" : string.Join(", ", names.Take(5).Select(n => "'" + n + "'")) + (names.Count > 5 ? ", ..." : "");

        /// <summary>The certificate's DNS names: subjectAltName dNSName entries, then the subject CN.</summary>
        public static IReadOnlyList<string> GetDnsNames(X509Certificate2 certificate)
        {
            var names = new List<string>();
            foreach (X509Extension ext in certificate.Extensions)
            {
                if (ext.Oid?.Value == "2.5.29.17")
                {
                    names.AddRange(SubjectAltNameReader.ReadDnsNames(ext.RawData));
                }
            }
            string cn = certificate.GetNameInfo(X509NameType.SimpleName, false);
            if (!string.IsNullOrEmpty(cn) && !names.Contains(cn, StringComparer.OrdinalIgnoreCase)) names.Add(cn);
            return names;
        }
    }

    public enum TlsFailure
    {
        None,
        NameMismatch,
        Untrusted,
        NoCertificate,
    }

    public sealed class TlsVerdict
    {
        public static readonly TlsVerdict Accepted = new TlsVerdict(true, TlsFailure.None, Array.Empty<string>(), "");

        public TlsVerdict(bool accepted, TlsFailure failure, IReadOnlyList<string> names, string reason)
        {
            IsAccepted = accepted;
            Failure = failure;
            CertificateNames = names;
            Reason = reason;
        }

        public bool IsAccepted { get; }
        public TlsFailure Failure { get; }
        public IReadOnlyList<string> CertificateNames { get; }
        public string Reason { get; }
    }
}
