using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>What one discovery request gave: a parsed answer, a redirect, or a failure in Exchange's words.</summary>
    internal sealed class TransportReply
    {
        public int? Status;
        /// <summary>A redirect's Location header ("" when absent); null when the answer is not a redirect.</summary>
        public string? Location;
        public AutodiscoverResponse? Response;
        public DiscoveryFailureKind Failure;
        public string Message = "";
        public TimeSpan Elapsed;
        /// <summary>Why the certificate was refused, when it was.</summary>
        public TlsVerdict? Tls;
        public IReadOnlyList<string> RequestIds = Array.Empty<string>();
    }

    /// <summary>
    /// Discovery's bounded HTTP: one anonymous request at a time per slot (-ThrottleLimit caps the whole call), Exchange's
    /// per-attempt timeout over headers and body, a size cap, and the certificate verdict of <see cref="CertificatePolicy"/>
    /// evaluated against the call's trusted hosts. It follows nothing: redirects go back to <see cref="RedirectChain"/>.
    /// </summary>
    internal sealed class DiscoveryTransport : IDisposable
    {
        private readonly DiscoveryOptions _options;
        private readonly HttpMessageInvoker _http;
        private readonly SemaphoreSlim? _slots;

        /// <param name="handler">Null for the production stack (which owns TLS); a test handler otherwise, not disposed here.</param>
        public DiscoveryTransport(DiscoveryOptions options, TrustedHosts trust, HttpMessageHandler? handler)
        {
            _options = options;
            _slots = options.MaxConcurrentRequests is int max ? new SemaphoreSlim(Math.Max(1, max)) : null;
            _http = handler == null
                ? new HttpMessageInvoker(DiscoveryHttp.CreateHandler(() => trust.Current, options.Proxy), disposeHandler: true)
                : new HttpMessageInvoker(handler, disposeHandler: false);
        }

        /// <summary>POSTs GetFederationInformation for <paramref name="domain"/> to <paramref name="url"/> and parses the answer.</summary>
        public async Task<TransportReply> PostAsync(Uri url, string domain, CancellationToken cancellationToken)
        {
            string body = AutodiscoverSoap.BuildRequest(url, domain, Guid.NewGuid());
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "text/xml") };
            request.Headers.TryAddWithoutValidation("SOAPAction", AutodiscoverSoap.SoapActionHeader);
            request.Headers.TryAddWithoutValidation("User-Agent", AutodiscoverSoap.UserAgent);
            BoundedResponse response = await SendAsync(request, readBody: true, cancellationToken).ConfigureAwait(false);
            TransportReply reply = Describe(response, request);
            if (reply.Failure != DiscoveryFailureKind.None || reply.Location != null) return reply;
            return Parse(response, reply);
        }

        /// <summary>The unsecured GET probe: only its status and Location matter, so the body is never read.</summary>
        public async Task<TransportReply> ProbeAsync(Uri url, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("User-Agent", AutodiscoverSoap.UserAgent);
            BoundedResponse response = await SendAsync(request, readBody: false, cancellationToken).ConfigureAwait(false);
            return Describe(response, request);
        }

        private async Task<BoundedResponse> SendAsync(HttpRequestMessage request, bool readBody, CancellationToken cancellationToken)
        {
            if (_slots != null) await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await BoundedRequest.SendAsync(_http, request, _options.AttemptTimeout, _options.MaxResponseBytes, _options.TimeProvider,
                    cancellationToken, readBody).ConfigureAwait(false);
            }
            finally
            {
                _slots?.Release();
            }
        }

        // Everything but a body to parse: a redirect, or a failure said as Exchange (and our limits) would say it.
        private TransportReply Describe(BoundedResponse response, HttpRequestMessage request)
        {
            var reply = new TransportReply { Status = response.Status, Location = response.Location, Elapsed = response.Elapsed, RequestIds = response.RequestIds };
            string seconds = _options.AttemptTimeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
            switch (response.Failure)
            {
                case BoundedFailure.Timeout:
                    return Fail(reply, DiscoveryFailureKind.Timeout, $"No answer within {seconds} s.");
                case BoundedFailure.BodyTimeout:
                    return Fail(reply, DiscoveryFailureKind.Timeout, $"The response body did not arrive within {seconds} s.");
                case BoundedFailure.DeclaredTooLarge:
                    return Fail(reply, DiscoveryFailureKind.ResponseTooLarge, $"The response is {response.DeclaredLength} bytes; the limit is {_options.MaxResponseBytes}.");
                case BoundedFailure.TooLarge:
                    return Fail(reply, DiscoveryFailureKind.ResponseTooLarge, $"The response is larger than the limit of {_options.MaxResponseBytes} bytes.");
                case BoundedFailure.Connection:
                    return ConnectionFailure(reply, response, request);
            }
            return reply;
        }

        private static TransportReply ConnectionFailure(TransportReply reply, BoundedResponse response, HttpRequestMessage request)
        {
            Exception error = response.Error!;
            // A refused certificate surfaces as a failed send; the handler's callback left its verdict on the request.
            TlsVerdict? verdict = response.Status == null ? DiscoveryHttp.GetVerdict(request) : null;
            if (verdict != null)
            {
                reply.Tls = verdict;
                return Fail(reply, DiscoveryFailureKind.CertificateValidationFailed, $"Certificate rejected: {verdict.Reason}.");
            }
            if (response.Status == null && NetworkErrors.IsTlsFailure(error))
            {
                return Fail(reply, DiscoveryFailureKind.CertificateValidationFailed, "The TLS handshake failed.");
            }
            return Fail(reply, DiscoveryFailureKind.ConnectionFailed, Capitalize(NetworkErrors.Describe(error)) + ".");
        }

        private static TransportReply Parse(BoundedResponse response, TransportReply reply)
        {
            int status = response.Status!.Value;
            bool ok = status >= 200 && status < 300;
            AutodiscoverResponse parsed;
            try
            {
                parsed = AutodiscoverSoap.Parse(response.Body, response.Length);
            }
            catch (AutodiscoverResponseException ex)
            {
                return ok ? Fail(reply, DiscoveryFailureKind.MalformedResponse, ex.Message) : StatusFailure(reply, status);
            }
            // A SOAP fault comes with a 500: it is an answer, the server's own words.
            if (!ok && !parsed.IsFault) return StatusFailure(reply, status);
            reply.Response = parsed;
            return reply;
        }

        private static TransportReply StatusFailure(TransportReply reply, int status)
        {
            if (status == 429 || status == 503)
            {
                return Fail(reply, DiscoveryFailureKind.ServerBusy, $"The server is too busy to process the request (HTTP {status}).");
            }
            return Fail(reply, DiscoveryFailureKind.UnexpectedStatus, $"Unexpected status code in response: {status}.");
        }

        private static TransportReply Fail(TransportReply reply, DiscoveryFailureKind kind, string message)
        {
            reply.Failure = kind;
            reply.Message = message;
            return reply;
        }

        private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

        public void Dispose()
        {
            _http.Dispose();
            _slots?.Dispose();
        }
    }
}
