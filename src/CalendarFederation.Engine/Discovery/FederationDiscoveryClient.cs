using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// Anonymous GetFederationInformation discovery with Exchange's candidate order, redirect, TLS and
    /// acceptance rules (protocol notes 1.3-1.5). Thread-safe: one instance serves a whole cmdlet call,
    /// with many domains discovered at once.
    /// </summary>
    public sealed class FederationDiscoveryClient : IDisposable
    {
        private readonly DiscoveryOptions _options;
        private readonly HttpMessageInvoker _http;
        private readonly bool _ownsHttp;
        private readonly SemaphoreSlim? _requestSlots;
        private HostnameTrust _trust;

        public FederationDiscoveryClient(DiscoveryOptions options)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _requestSlots = options.MaxConcurrentRequests is int max ? new SemaphoreSlim(Math.Max(1, max)) : null;
            _trust = new HostnameTrust(options.TrustedHostnames);
            _http = new HttpMessageInvoker(DiscoveryHttp.CreateHandler(() => Trust, options.Proxy), disposeHandler: true);
            _ownsHttp = true;
        }

        /// <summary>For tests: send through the given handler (which then owns TLS).</summary>
        public FederationDiscoveryClient(DiscoveryOptions options, HttpMessageHandler handler)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _requestSlots = options.MaxConcurrentRequests is int max ? new SemaphoreSlim(Math.Max(1, max)) : null;
            _trust = new HostnameTrust(options.TrustedHostnames);
            _http = new HttpMessageInvoker(handler ?? throw new ArgumentNullException(nameof(handler)), disposeHandler: false);
            _ownsHttp = false;
        }

        public HostnameTrust Trust => Volatile.Read(ref _trust);

        /// <summary>Trusts one more host for the rest of this client's life (an admin confirmed it).</summary>
        public void TrustHost(string host)
        {
            HostnameTrust current, updated;
            do
            {
                current = Volatile.Read(ref _trust);
                updated = current.With(host);
            }
            while (Interlocked.CompareExchange(ref _trust, updated, current) != current);
        }

        /// <summary>The endpoints asked for a domain, in order. Probes (GET) are marked by their candidate kind.</summary>
        public IReadOnlyList<(CandidateKind Kind, Uri Url)> GetCandidates(string domain)
        {
            var list = new List<(CandidateKind, Uri)>(5);
            if (_options.AutodiscoverUri != null)
            {
                list.Add((CandidateKind.Explicit, _options.AutodiscoverUri));
                return list;
            }
            if (_options.CloudEndpoint != null) list.Add((CandidateKind.Cloud, _options.CloudEndpoint));
            list.Add((CandidateKind.AutodiscoverHost, new Uri("https://autodiscover." + domain + RedirectRules.ServicePath)));
            list.Add((CandidateKind.DomainHost, new Uri("https://" + domain + RedirectRules.ServicePath)));
            list.Add((CandidateKind.UnsecuredAutodiscoverHost, new Uri("http://autodiscover." + domain + RedirectRules.ProbePath)));
            list.Add((CandidateKind.UnsecuredDomainHost, new Uri("http://" + domain + RedirectRules.ProbePath)));
            return list;
        }

        /// <summary>Discovers one domain, which must already be normalised by <see cref="SmtpDomain.TryNormalize"/>.</summary>
        public async Task<DiscoveryOutcome> DiscoverAsync(string domain, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            var state = new DomainState(domain);
            foreach ((CandidateKind kind, Uri url) in GetCandidates(domain))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (kind == CandidateKind.UnsecuredAutodiscoverHost || kind == CandidateKind.UnsecuredDomainHost)
                {
                    await ProbeAsync(state, kind, url, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await SoapChainAsync(state, kind, url, cancellationToken).ConfigureAwait(false);
                }
                if (state.Result != null) break;
            }
            return await FinishAsync(state, stopwatch, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Tries an alternate the admin has confirmed: its host is trusted from now on.</summary>
        public async Task<DiscoveryOutcome> DiscoverAtAlternateAsync(string domain, DiscoveryAlternate alternate, CancellationToken cancellationToken)
        {
            if (alternate == null) throw new ArgumentNullException(nameof(alternate));
            TrustHost(alternate.Host);
            var stopwatch = Stopwatch.StartNew();
            var state = new DomainState(domain);
            await SoapChainAsync(state, CandidateKind.Alternate, alternate.Endpoint, cancellationToken).ConfigureAwait(false);
            return await FinishAsync(state, stopwatch, cancellationToken).ConfigureAwait(false);
        }

        private async Task<DiscoveryOutcome> FinishAsync(DomainState state, Stopwatch stopwatch, CancellationToken cancellationToken)
        {
            if (state.Result != null && !_options.BypassAdditionalDomainValidation)
            {
                await ValidateOtherDomainsAsync(state, cancellationToken).ConfigureAwait(false);
            }
            // An alternate whose host was trusted meanwhile would have been followed already; keep only the rest.
            var alternates = state.Result != null ? new List<DiscoveryAlternate>() : state.Alternates;
            return new DiscoveryOutcome(state.Domain, state.Result, state.Attempts, alternates, stopwatch.Elapsed, state.Notes);
        }

        // Exchange re-discovers every other returned domain and keeps it only if it gives the same ApplicationUri.
        // Since Exchange Online's 2025 change it returns only the queried domain, so this usually does nothing.
        private async Task ValidateOtherDomainsAsync(DomainState state, CancellationToken cancellationToken)
        {
            FederationInfo info = state.Result!;
            string[] others = info.DomainNames.Where(d => !SmtpDomain.AreEqual(d, info.DomainName)).ToArray();
            if (others.Length == 0) return;

            var keep = new bool[others.Length];
            var reasons = new string?[others.Length];
            var trails = new List<DiscoveryAttempt>?[others.Length];
            using (var gate = new SemaphoreSlim(Math.Max(1, _options.AdditionalValidationConcurrency)))
            {
                var tasks = new Task[others.Length];
                for (int i = 0; i < others.Length; i++)
                {
                    int index = i;
                    tasks[i] = Task.Run(async () =>
                    {
                        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try
                        {
                            string? normalized = SmtpDomain.TryNormalize(others[index], out string? error);
                            if (normalized == null)
                            {
                                reasons[index] = error;
                                return;
                            }
                            var sub = new DomainState(normalized);
                            foreach ((CandidateKind kind, Uri url) in GetCandidates(normalized))
                            {
                                if (kind == CandidateKind.UnsecuredAutodiscoverHost || kind == CandidateKind.UnsecuredDomainHost)
                                    await ProbeAsync(sub, kind, url, cancellationToken).ConfigureAwait(false);
                                else
                                    await SoapChainAsync(sub, kind, url, cancellationToken).ConfigureAwait(false);
                                if (sub.Result != null) break;
                            }
                            trails[index] = sub.Attempts;
                            if (sub.Result == null) reasons[index] = "it could not be discovered";
                            else if (!string.Equals(sub.Result.ApplicationUri, info.ApplicationUri, StringComparison.OrdinalIgnoreCase))
                                reasons[index] = $"it has another ApplicationUri ({sub.Result.ApplicationUri})";
                            else keep[index] = true;
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }, cancellationToken);
                }
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }

            for (int i = 0; i < others.Length; i++)
            {
                foreach (DiscoveryAttempt a in trails[i] ?? new List<DiscoveryAttempt>())
                {
                    state.Notes.Add($"Validating '{others[i]}': {a.Method} {a.Url}: {a.Result} ({(long)a.Elapsed.TotalMilliseconds} ms)");
                }
            }
            var kept = new List<string>();
            var dropped = new List<string>();
            foreach (string d in info.DomainNames)
            {
                int index = Array.IndexOf(others, d);
                if (index < 0 || keep[index]) kept.Add(d);
                else
                {
                    dropped.Add(d);
                    state.Notes.Add($"Domain '{d}' was left out: {reasons[index]}. Use -BypassAdditionalDomainValidation to keep every returned domain.");
                }
            }
            info.DomainNames = kept;
            info.DroppedDomainNames = dropped;
        }

        // POSTs to an endpoint and follows secure redirects, at most MaxRedirects hops.
        private async Task SoapChainAsync(DomainState state, CandidateKind kind, Uri start, CancellationToken cancellationToken)
        {
            Uri url = start;
            var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int hop = 0; ; hop++)
            {
                if (!Loopback.IsAllowedScheme(url))
                {
                    state.Add(kind, "POST", url, null, DiscoveryFailureKind.InsecureRedirect,
                        $"Refused: plain http is allowed only to loopback hosts ({url}).", TimeSpan.Zero);
                    return;
                }
                if (!visited.Add(url.AbsoluteUri))
                {
                    state.Add(kind, "POST", url, null, DiscoveryFailureKind.TooManyRedirects,
                        "Redirect loop: this URL was already visited.", TimeSpan.Zero);
                    return;
                }

                SoapReply reply = await PostAsync(url, state.Domain, cancellationToken).ConfigureAwait(false);
                if (reply.Failure != DiscoveryFailureKind.None)
                {
                    state.Add(kind, "POST", url, reply.Status, reply.Failure, reply.Message, reply.Elapsed);
                    if (reply.Tls != null && reply.Tls.Failure == TlsFailure.NameMismatch)
                    {
                        string? name = reply.Tls.CertificateNames.FirstOrDefault(n => !n.StartsWith("*", StringComparison.Ordinal))
                                       ?? reply.Tls.CertificateNames.FirstOrDefault();
                        if (name != null)
                        {
                            state.Alternates.Add(new DiscoveryAlternate(AlternateKind.CertificateNameMismatch, url, url, name.TrimStart('*', '.'),
                                $"The certificate presented by '{url.Host}' for the Autodiscover request for federation information is issued to '{name}'. " +
                                $"If you trust host name {name.TrimStart('*', '.')}, you can continue and use it for this request."));
                        }
                    }
                    return;
                }

                if (reply.Location == null)
                {
                    // A parsed answer: accept it or say why not.
                    Evaluate(state, kind, url, reply);
                    return;
                }

                Uri? target = RedirectRules.ParseLocation(reply.Location, out string? error);
                if (target == null)
                {
                    state.Add(kind, "POST", url, reply.Status, DiscoveryFailureKind.InvalidRedirect, error!, reply.Elapsed);
                    return;
                }
                if (!RedirectRules.IsSecureHop(url, target))
                {
                    state.Add(kind, "POST", url, reply.Status, DiscoveryFailureKind.InsecureRedirect,
                        $"The response URL in the Location header isn't HTTPS: {target}.", reply.Elapsed);
                    return;
                }
                Uri next = RedirectRules.RebuildEndpoint(target);
                if (hop >= _options.MaxRedirects)
                {
                    state.Add(kind, "POST", url, reply.Status, DiscoveryFailureKind.TooManyRedirects,
                        $"Too many redirects: gave up after {_options.MaxRedirects} (next was {next}).", reply.Elapsed);
                    return;
                }
                if (!Trust.Matches(target.Host))
                {
                    if (RedirectRules.IsAutodiscoverTldHost(target.Host))
                    {
                        state.Add(kind, "POST", url, reply.Status, DiscoveryFailureKind.UntrustedRedirect,
                            $"Refused a redirect to '{target.Host}': an autodiscover.<top-level domain> host belongs to no partner.", reply.Elapsed);
                        return;
                    }
                    if (RedirectRules.IsParentDomainHost(target.Host, state.Domain))
                    {
                        state.Add(kind, "POST", url, reply.Status, DiscoveryFailureKind.UntrustedRedirect,
                            $"Redirect to '{target.Host}', a parent domain of {state.Domain}, needs the host to be trusted.", reply.Elapsed);
                        state.Alternates.Add(new DiscoveryAlternate(AlternateKind.ParentDomainRedirect, url, next, target.Host,
                            $"The Autodiscover request for federation information sent to '{url}' returned a redirect to '{target}', a parent domain of {state.Domain}. " +
                            $"If you trust host name {target.Host}, you can continue and use it for this request."));
                        return;
                    }
                }
                state.Add(kind, "POST", url, reply.Status, DiscoveryFailureKind.None, $"Redirect ({reply.Status}) to {next}", reply.Elapsed);
                url = next;
            }
        }

        // The unsecured GET probe: only a redirect to https://{host}/autodiscover/autodiscover.xml counts,
        // and the host must be trusted or confirmed by the admin before anything is posted there.
        private async Task ProbeAsync(DomainState state, CandidateKind kind, Uri probe, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Get, probe);
            request.Headers.TryAddWithoutValidation("User-Agent", AutodiscoverSoap.UserAgent);
            HttpResponseMessage? response = null;
            Uri endpoint;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.AttemptTimeout);
            if (_requestSlots != null) await _requestSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                state.Add(kind, "GET", probe, null, DiscoveryFailureKind.Timeout, $"No answer within {_options.AttemptTimeout.TotalSeconds:0} s.", stopwatch.Elapsed);
                return;
            }
            catch (HttpRequestException ex)
            {
                state.Add(kind, "GET", probe, null, DiscoveryFailureKind.ConnectionFailed, Capitalize(NetworkErrors.Describe(ex)) + ".", stopwatch.Elapsed);
                return;
            }
            finally
            {
                _requestSlots?.Release();
            }
            using (response)
            {
                int status = (int)response.StatusCode;
                if (!DiscoveryHttp.IsRedirect(response.StatusCode))
                {
                    state.Add(kind, "GET", probe, status, DiscoveryFailureKind.UnexpectedStatus, $"Unexpected status code in response: {status}.", stopwatch.Elapsed);
                    return;
                }
                string? location = response.Headers.Location?.OriginalString;
                Uri? target = RedirectRules.ParseLocation(location, out string? error);
                if (target == null)
                {
                    state.Add(kind, "GET", probe, status, DiscoveryFailureKind.InvalidRedirect, error!, stopwatch.Elapsed);
                    return;
                }
                if (target.Scheme != Uri.UriSchemeHttps && !(Loopback.IsLoopback(probe) && Loopback.IsLoopback(target)))
                {
                    state.Add(kind, "GET", probe, status, DiscoveryFailureKind.InsecureRedirect, $"The response URL in the Location header isn't HTTPS: {target}.", stopwatch.Elapsed);
                    return;
                }
                if (!RedirectRules.HasProbePath(target))
                {
                    state.Add(kind, "GET", probe, status, DiscoveryFailureKind.InvalidRedirect, $"Response URL in Location header doesn't have expected path: {target}.", stopwatch.Elapsed);
                    return;
                }
                endpoint = RedirectRules.RebuildEndpoint(target);
                if (RedirectRules.IsAutodiscoverTldHost(target.Host) && !Trust.Matches(target.Host))
                {
                    state.Add(kind, "GET", probe, status, DiscoveryFailureKind.UntrustedRedirect,
                        $"Refused a redirect to '{target.Host}': an autodiscover.<top-level domain> host belongs to no partner.", stopwatch.Elapsed);
                    return;
                }
                if (!Trust.Matches(target.Host))
                {
                    state.Add(kind, "GET", probe, status, DiscoveryFailureKind.UntrustedRedirect,
                        $"Unsecured redirect to '{target.Host}', which is not a trusted host name.", stopwatch.Elapsed);
                    state.Alternates.Add(new DiscoveryAlternate(AlternateKind.UnsecuredRedirect, probe, endpoint, target.Host,
                        $"The Autodiscover request for federation information sent to '{probe}' returned an unsecure redirect to '{target}'. " +
                        $"If you trust host name {target.Host}, you can continue and use it for this request."));
                    return;
                }
                state.Add(kind, "GET", probe, status, DiscoveryFailureKind.None, $"Redirect ({status}) to trusted host {target.Host}", stopwatch.Elapsed);
            }
            await SoapChainAsync(state, kind, endpoint, cancellationToken).ConfigureAwait(false);
        }

        private void Evaluate(DomainState state, CandidateKind kind, Uri url, SoapReply reply)
        {
            AutodiscoverResponse r = reply.Response!;
            DiscoveryFailureKind failure;
            string message;
            if (r.IsFault)
            {
                failure = DiscoveryFailureKind.Rejected;
                message = $"The server returned a SOAP fault: {Clip(r.FaultCode)} {Clip(r.FaultString)}".TrimEnd() + ".";
            }
            else if (string.IsNullOrEmpty(r.ErrorCode))
            {
                failure = DiscoveryFailureKind.Rejected;
                message = "The response has no ErrorCode.";
            }
            else if (r.ErrorCode == "InvalidDomain" || r.ErrorCode == "NotFederated")
            {
                failure = DiscoveryFailureKind.NotFederated;
                message = $"Domain isn't federated ({r.ErrorCode}: {Clip(r.ErrorMessage)}).";
            }
            else if (r.ErrorCode == "ServerBusy")
            {
                failure = DiscoveryFailureKind.ServerBusy;
                message = $"ServerBusy: {Clip(r.ErrorMessage)}";
            }
            else if (r.ErrorCode != "NoError")
            {
                failure = DiscoveryFailureKind.Rejected;
                message = $"The server answered {Clip(r.ErrorCode)}: {Clip(r.ErrorMessage)}";
            }
            else if (string.IsNullOrEmpty(r.ApplicationUri) || !Uri.IsWellFormedUriString(r.ApplicationUri, UriKind.RelativeOrAbsolute))
            {
                failure = DiscoveryFailureKind.Rejected;
                message = "The response has no valid ApplicationUri.";
            }
            else if (r.Domains.Count == 0)
            {
                failure = DiscoveryFailureKind.Rejected;
                message = "The response lists no domains.";
            }
            else if (!r.Domains.Any(d => SmtpDomain.AreEqual(d, state.Domain)))
            {
                failure = DiscoveryFailureKind.Rejected;
                message = $"The response does not list the requested domain {state.Domain}.";
            }
            else
            {
                var domains = new List<string>();
                foreach (string d in r.Domains)
                {
                    if (!domains.Any(x => string.Equals(x, d, StringComparison.OrdinalIgnoreCase))) domains.Add(d);
                }
                state.Result = new FederationInfo(state.Domain, r.ApplicationUri!, domains, url, kind, r.TokenIssuers, r.ServerVersion);
                state.Add(kind, "POST", url, reply.Status, DiscoveryFailureKind.None,
                    $"NoError: ApplicationUri {r.ApplicationUri}, {domains.Count} domain(s)", reply.Elapsed);
                return;
            }
            state.Add(kind, "POST", url, reply.Status, failure, message, reply.Elapsed);
        }

        private async Task<SoapReply> PostAsync(Uri url, string domain, CancellationToken cancellationToken)
        {
            if (_requestSlots == null) return await PostCoreAsync(url, domain, cancellationToken).ConfigureAwait(false);
            await _requestSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await PostCoreAsync(url, domain, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _requestSlots.Release();
            }
        }

        private async Task<SoapReply> PostCoreAsync(Uri url, string domain, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            string body = AutodiscoverSoap.BuildRequest(url, domain, Guid.NewGuid());
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(body, Encoding.UTF8, "text/xml"),
            };
            request.Headers.TryAddWithoutValidation("SOAPAction", AutodiscoverSoap.SoapActionHeader);
            request.Headers.TryAddWithoutValidation("User-Agent", AutodiscoverSoap.UserAgent);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.AttemptTimeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return SoapReply.Fail(DiscoveryFailureKind.Timeout, null, $"No answer within {_options.AttemptTimeout.TotalSeconds:0} s.", stopwatch.Elapsed);
            }
            catch (HttpRequestException ex)
            {
                TlsVerdict? verdict = DiscoveryHttp.GetVerdict(request);
                if (verdict != null)
                {
                    var r = SoapReply.Fail(DiscoveryFailureKind.CertificateValidationFailed, null, $"Certificate rejected: {verdict.Reason}.", stopwatch.Elapsed);
                    r.Tls = verdict;
                    return r;
                }
                if (NetworkErrors.IsTlsFailure(ex))
                {
                    return SoapReply.Fail(DiscoveryFailureKind.CertificateValidationFailed, null, "The TLS handshake failed.", stopwatch.Elapsed);
                }
                return SoapReply.Fail(DiscoveryFailureKind.ConnectionFailed, null, Capitalize(NetworkErrors.Describe(ex)) + ".", stopwatch.Elapsed);
            }

            using (response)
            {
                int status = (int)response.StatusCode;
                if (DiscoveryHttp.IsRedirect(response.StatusCode))
                {
                    return new SoapReply { Status = status, Location = response.Headers.Location?.OriginalString ?? "", Elapsed = stopwatch.Elapsed };
                }
                long? declared = response.Content?.Headers.ContentLength;
                if (declared > _options.MaxResponseBytes)
                {
                    return SoapReply.Fail(DiscoveryFailureKind.ResponseTooLarge, status,
                        $"The response is {declared} bytes; the limit is {_options.MaxResponseBytes}.", stopwatch.Elapsed);
                }

                BodyRead read;
                try
                {
                    // The attempt timeout covers the body too: a server that trickles bytes is cut off.
                    using (timeout.Token.Register(() => response.Dispose()))
                    {
                        var stream = await response.Content!.ReadAsStreamAsync().ConfigureAwait(false);
                        read = await BoundedBody.ReadAsync(stream, _options.MaxResponseBytes, timeout.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is ObjectDisposedException || ex is System.IO.IOException || ex is HttpRequestException)
                {
                    if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
                    if (timeout.IsCancellationRequested)
                    {
                        return SoapReply.Fail(DiscoveryFailureKind.Timeout, status, $"The response body did not arrive within {_options.AttemptTimeout.TotalSeconds:0} s.", stopwatch.Elapsed);
                    }
                    return SoapReply.Fail(DiscoveryFailureKind.ConnectionFailed, status, Capitalize(NetworkErrors.Describe(ex)) + ".", stopwatch.Elapsed);
                }
                if (read.TooLarge)
                {
                    return SoapReply.Fail(DiscoveryFailureKind.ResponseTooLarge, status,
                        $"The response is larger than the limit of {_options.MaxResponseBytes} bytes.", stopwatch.Elapsed);
                }

                bool ok = status >= 200 && status < 300;
                AutodiscoverResponse parsed;
                try
                {
                    parsed = AutodiscoverSoap.Parse(read.Buffer, read.Length);
                }
                catch (AutodiscoverResponseException ex)
                {
                    if (!ok) return StatusFailure(status, stopwatch.Elapsed);
                    return SoapReply.Fail(DiscoveryFailureKind.MalformedResponse, status, ex.Message, stopwatch.Elapsed);
                }
                if (!ok && !parsed.IsFault) return StatusFailure(status, stopwatch.Elapsed);
                return new SoapReply { Status = status, Response = parsed, Elapsed = stopwatch.Elapsed };
            }
        }

        private static SoapReply StatusFailure(int status, TimeSpan elapsed)
        {
            if (status == 429 || status == 503)
            {
                return SoapReply.Fail(DiscoveryFailureKind.ServerBusy, status, $"The server is too busy to process the request (HTTP {status}).", elapsed);
            }
            return SoapReply.Fail(DiscoveryFailureKind.UnexpectedStatus, status, $"Unexpected status code in response: {status}.", elapsed);
        }

        private static string Clip(string? s) => s == null ? "" : NetworkErrors.OneLine(s);

        private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

        public void Dispose()
        {
            if (_ownsHttp) _http.Dispose();
            _requestSlots?.Dispose();
        }

        private sealed class SoapReply
        {
            public int? Status;
            public string? Location;
            public AutodiscoverResponse? Response;
            public DiscoveryFailureKind Failure;
            public string Message = "";
            public TimeSpan Elapsed;
            public TlsVerdict? Tls;

            public static SoapReply Fail(DiscoveryFailureKind kind, int? status, string message, TimeSpan elapsed) =>
                new SoapReply { Failure = kind, Status = status, Message = message, Elapsed = elapsed };
        }

        private sealed class DomainState
        {
            public DomainState(string domain) => Domain = domain;

            public string Domain { get; }
            public FederationInfo? Result { get; set; }
            public List<DiscoveryAttempt> Attempts { get; } = new List<DiscoveryAttempt>(4);
            public List<DiscoveryAlternate> Alternates { get; } = new List<DiscoveryAlternate>();
            public List<string> Notes { get; } = new List<string>();

            public void Add(CandidateKind kind, string method, Uri url, int? status, DiscoveryFailureKind failure, string message, TimeSpan elapsed)
            {
                Attempts.Add(new DiscoveryAttempt(kind, method, url, status, failure, message, elapsed));
            }
        }
    }
}
