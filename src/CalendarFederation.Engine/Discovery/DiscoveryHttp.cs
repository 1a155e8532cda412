using System;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// The HTTP stack for anonymous discovery: no redirects followed automatically, no cookies, no credentials,
    /// no client certificate, no compression (so the size cap counts real bytes), and Exchange's certificate rule.
    /// One handler per Get-FederationInformation call, because pooled TLS connections keep the trust decision
    /// that was made when they were opened.
    /// </summary>
    internal static class DiscoveryHttp
    {
        internal const string VerdictKey = "CalendarFederation.TlsVerdict";

        public static HttpClientHandler CreateHandler(Func<HostnameTrust> trust, IWebProxy? proxy)
        {
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseDefaultCredentials = false,
                Credentials = null,
                PreAuthenticate = false,
                AutomaticDecompression = DecompressionMethods.None,
                ClientCertificateOptions = ClientCertificateOption.Manual,
                // Windows PowerShell's default is 2 connections per host, which would serialise bulk discovery.
                MaxConnectionsPerServer = 1024,
            };
            if (proxy != null)
            {
                handler.Proxy = proxy;
                handler.UseProxy = true;
            }
            handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) =>
            {
                TlsVerdict verdict = CertificatePolicy.Evaluate(errors, certificate, chain, trust());
                if (!verdict.IsAccepted)
                {
                    // Read back after the send fails, to say why.
                    request.Properties[VerdictKey] = verdict;
                }
                return verdict.IsAccepted;
            };
            return handler;
        }

        public static TlsVerdict? GetVerdict(HttpRequestMessage request) =>
            request.Properties.TryGetValue(VerdictKey, out object? v) ? v as TlsVerdict : null;

        public static bool IsRedirect(HttpStatusCode status)
        {
            int code = (int)status;
            return code == 301 || code == 302 || code == 307 || code == 308;
        }
    }
}
