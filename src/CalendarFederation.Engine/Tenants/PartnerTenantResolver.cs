using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Tenants
{
    /// <summary>Limits for the partner tenant lookup.</summary>
    public sealed class PartnerTenantLookupOptions
    {
        /// <summary>A real configuration is about 2 KB.</summary>
        public const int DefaultMaxResponseBytes = 256 * 1024;

        /// <summary>Headers and body together, per request.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

        public int MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;

        public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
    }

    /// <summary>
    /// Resolves a partner domain to its Microsoft Entra tenant id and cloud, anonymously, from
    /// <c>GET {sign-in host}/{domain}/v2.0/.well-known/openid-configuration</c> (docs/cross-tenant-access.md §2.1). No
    /// credentials, cookies or tokens are sent; https only (plain http only to a loopback host); no redirect is
    /// followed; the answer is capped in size and time. Failures are <see cref="EngineException"/>s:
    /// <see cref="ErrorIds.PartnerTenantNotFound"/> (Entra knows no tenant with the domain),
    /// <see cref="ErrorIds.PartnerTenantIsConsumer"/> (the domain resolves to the Microsoft account tenant: not a
    /// Microsoft 365 organization), <see cref="ErrorIds.PartnerTenantLookupFailed"/> (network, timeout, an answer that
    /// is not a tenant's configuration). Thread-safe; one instance can serve many lookups.
    /// </summary>
    public sealed class PartnerTenantResolver : IDisposable
    {
        /// <summary>The Microsoft account (consumer) tenant: /consumers and consumer domains resolve to it (UNCONFIRMED for domains, docs/cross-tenant-access.md §2.1).</summary>
        public static readonly Guid MicrosoftAccountTenantId = new Guid("9188040d-6c67-4c5b-b112-36a304b66dad");

        private readonly HttpMessageInvoker _http;
        private readonly PartnerTenantLookupOptions _options;

        public PartnerTenantResolver(HttpSettings http, PartnerTenantLookupOptions? options = null)
        {
            if (http == null) throw new ArgumentNullException(nameof(http));
            _options = options ?? new PartnerTenantLookupOptions();
            _http = new HttpMessageInvoker(http.HandlerFactory != null ? http.HandlerFactory() : CreateAnonymousHandler(http.Proxy), disposeHandler: true);
        }

        /// <summary>One lookup with its own HTTP stack, for callers that resolve a single domain (the grant cmdlet's check).</summary>
        public static async Task<PartnerTenant> ResolveAsync(Uri signInHost, string domain, HttpSettings http, IEngineEvents events, CancellationToken cancellationToken)
        {
            using var resolver = new PartnerTenantResolver(http);
            return await resolver.ResolveAsync(signInHost, domain, events, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The scheme, host and port of the environment's sign-in authority, e.g. https://login.microsoftonline.com.</summary>
        public static Uri SignInHost(ExchangeEnvironment environment) =>
            new Uri((environment ?? throw new ArgumentNullException(nameof(environment))).Authority.GetLeftPart(UriPartial.Authority));

        /// <summary>{sign-in host}/{domain}/v2.0/.well-known/openid-configuration, with the domain normalised.</summary>
        public static Uri ConfigurationUri(Uri signInHost, string domain)
        {
            if (signInHost == null || !signInHost.IsAbsoluteUri || !Loopback.IsAllowedScheme(signInHost))
            {
                throw new EngineException(ErrorIds.InsecureEndpoint, ErrorKind.InvalidArgument,
                    $"The sign-in host must be an absolute https URL (plain http only to a loopback host): '{signInHost}'.", signInHost?.ToString());
            }
            return new Uri(signInHost.GetLeftPart(UriPartial.Authority) + "/" + SmtpDomain.Normalize(domain) + "/v2.0/.well-known/openid-configuration");
        }

        /// <summary>The tenant that Entra, asked at <paramref name="signInHost"/>, says has <paramref name="domain"/>.</summary>
        public async Task<PartnerTenant> ResolveAsync(Uri signInHost, string domain, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (events == null) throw new ArgumentNullException(nameof(events));
            Uri url = ConfigurationUri(signInHost, domain);
            string normalized = SmtpDomain.Normalize(domain);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            request.Headers.TryAddWithoutValidation("client-request-id", Guid.NewGuid().ToString());
            BoundedResponse response = await BoundedRequest.SendAsync(_http, request, _options.Timeout, _options.MaxResponseBytes, _options.TimeProvider,
                cancellationToken).ConfigureAwait(false);
            try
            {
                PartnerTenant tenant = TenantAnswer.Read(normalized, domain, url, response, _options);
                Trace(events, normalized, url, response, $"tenant {tenant.TenantId}, cloud {tenant.CloudInstanceName ?? "(not named)"}");
                return tenant;
            }
            catch (EngineException ex)
            {
                Trace(events, normalized, url, response, ex.ErrorId);
                throw;
            }
        }

        /// <summary>
        /// Resolves <paramref name="domain"/> and insists that it is <paramref name="expectedTenantId"/>: for a tenant id that
        /// came from the pipeline or a file, which is never trusted blindly. <see cref="ErrorIds.PartnerTenantMismatch"/> otherwise.
        /// </summary>
        public async Task<PartnerTenant> VerifyAsync(Uri signInHost, string domain, Guid expectedTenantId, IEngineEvents events, CancellationToken cancellationToken)
        {
            PartnerTenant tenant = await ResolveAsync(signInHost, domain, events, cancellationToken).ConfigureAwait(false);
            if (tenant.TenantId != expectedTenantId)
            {
                throw new EngineException(ErrorIds.PartnerTenantMismatch, ErrorKind.InvalidArgument,
                    $"The tenant id {expectedTenantId} is not the tenant of '{domain}': Microsoft Entra ID says '{tenant.Domain}' belongs to tenant {tenant.TenantId}.",
                    domain);
            }
            return tenant;
        }

        /// <summary>No cookies, no default or stored credentials, no client certificate, no redirects.</summary>
        internal static HttpClientHandler CreateAnonymousHandler(IWebProxy? proxy)
        {
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseDefaultCredentials = false,
                Credentials = null,
                PreAuthenticate = false,
                ClientCertificateOptions = ClientCertificateOption.Manual,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            };
            if (proxy != null)
            {
                handler.Proxy = proxy;
                handler.UseProxy = true;
            }
            return handler;
        }

        private static void Trace(IEngineEvents events, string domain, Uri url, BoundedResponse response, string result) =>
            events.Verbose(string.Format(CultureInfo.InvariantCulture, "[{0}] GET {1}: {2} ({3} ms)", domain, url,
                response.Status is int s ? s.ToString(CultureInfo.InvariantCulture) + ", " + result : result, (long)response.Elapsed.TotalMilliseconds));

        public void Dispose() => _http.Dispose();
    }
}
