using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// Asks one candidate and follows where it leads, by Exchange's rules (docs/protocol.md §1.4) and ours: a POST
    /// chain follows 301/302/307/308 at most MaxRedirects times, rebuilding
    /// https://{Location host}/autodiscover/autodiscover.svc, never from https to http, never to an
    /// autodiscover.&lt;tld&gt; host, and to a parent domain only when trusted; the unsecured GET probe counts only a
    /// redirect to https://{host}/autodiscover/autodiscover.xml on a trusted host. What is untrusted but might answer
    /// becomes an alternate for the admin to confirm. Every request and its result go into the domain's state.
    /// </summary>
    internal sealed class RedirectChain
    {
        private readonly DiscoveryTransport _transport;
        private readonly TrustedHosts _trust;
        private readonly int _maxRedirects;

        public RedirectChain(DiscoveryTransport transport, TrustedHosts trust, int maxRedirects)
        {
            _transport = transport;
            _trust = trust;
            _maxRedirects = maxRedirects;
        }

        public Task RunAsync(DomainState state, Candidate candidate, CancellationToken cancellationToken) =>
            candidate.IsProbe
                ? ProbeAsync(state, candidate.Kind, candidate.Url, cancellationToken)
                : PostAsync(state, candidate.Kind, candidate.Url, cancellationToken);

        private async Task PostAsync(DomainState state, CandidateKind kind, Uri start, CancellationToken cancellationToken)
        {
            Uri url = start;
            var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int hop = 0; ; hop++)
            {
                if (!Loopback.IsAllowedScheme(url))
                {
                    state.Add(kind, "POST", url, null, DiscoveryFailureKind.InsecureRedirect, $"Refused: plain http is allowed only to loopback hosts ({url}).", TimeSpan.Zero);
                    return;
                }
                if (!visited.Add(url.AbsoluteUri))
                {
                    state.Add(kind, "POST", url, null, DiscoveryFailureKind.TooManyRedirects, "Redirect loop: this URL was already visited.", TimeSpan.Zero);
                    return;
                }

                TransportReply reply = await _transport.PostAsync(url, state.Domain, cancellationToken).ConfigureAwait(false);
                state.AddRequestIds(reply.RequestIds);
                if (reply.Failure != DiscoveryFailureKind.None)
                {
                    state.Add(kind, "POST", url, reply.Status, reply.Failure, reply.Message, reply.Elapsed);
                    if (reply.Tls?.Failure == TlsFailure.NameMismatch) AddCertificateAlternate(state, url, reply.Tls);
                    return;
                }
                if (reply.Location == null)
                {
                    Accept(state, kind, url, reply);
                    return;
                }
                Uri? next = NextHop(state, kind, url, reply, hop);
                if (next == null) return;
                url = next;
            }
        }

        // The hop a POST's redirect leads to, or null when it is refused (the reason is recorded).
        private Uri? NextHop(DomainState state, CandidateKind kind, Uri url, TransportReply reply, int hop)
        {
            Uri? target = RedirectRules.ParseLocation(reply.Location, out string? error);
            if (target == null) return Refuse(state, kind, url, reply, DiscoveryFailureKind.InvalidRedirect, error!);
            if (!RedirectRules.IsSecureHop(url, target))
            {
                return Refuse(state, kind, url, reply, DiscoveryFailureKind.InsecureRedirect, $"The response URL in the Location header isn't HTTPS: {target}.");
            }
            Uri next = RedirectRules.RebuildEndpoint(target);
            if (hop >= _maxRedirects)
            {
                return Refuse(state, kind, url, reply, DiscoveryFailureKind.TooManyRedirects, $"Too many redirects: gave up after {_maxRedirects} (next was {next}).");
            }
            if (!_trust.Matches(target.Host))
            {
                if (RedirectRules.IsAutodiscoverTldHost(target.Host))
                {
                    return Refuse(state, kind, url, reply, DiscoveryFailureKind.UntrustedRedirect,
                        $"Refused a redirect to '{target.Host}': an autodiscover.<top-level domain> host belongs to no partner.");
                }
                if (RedirectRules.IsParentDomainHost(target.Host, state.Domain))
                {
                    Refuse(state, kind, url, reply, DiscoveryFailureKind.UntrustedRedirect,
                        $"Redirect to '{target.Host}', a parent domain of {state.Domain}, needs the host to be trusted.");
                    state.AddAlternate(new DiscoveryAlternate(AlternateKind.ParentDomainRedirect, url, next, target.Host,
                        $"The Autodiscover request for federation information sent to '{url}' returned a redirect to '{target}', a parent domain of {state.Domain}. " +
                        $"If you trust host name {target.Host}, you can continue and use it for this request."));
                    return null;
                }
            }
            state.Add(kind, "POST", url, reply.Status, DiscoveryFailureKind.None, $"Redirect ({reply.Status}) to {next}", reply.Elapsed);
            return next;
        }

        // The unsecured GET probe: only a redirect to https://{host}/autodiscover/autodiscover.xml counts, and the host must be
        // trusted (or confirmed by the admin, as an alternate) before anything is posted there.
        private async Task ProbeAsync(DomainState state, CandidateKind kind, Uri probe, CancellationToken cancellationToken)
        {
            TransportReply reply = await _transport.ProbeAsync(probe, cancellationToken).ConfigureAwait(false);
            state.AddRequestIds(reply.RequestIds);
            if (reply.Failure != DiscoveryFailureKind.None)
            {
                state.Add(kind, "GET", probe, reply.Status, reply.Failure, reply.Message, reply.Elapsed);
                return;
            }
            if (reply.Location == null)
            {
                state.Add(kind, "GET", probe, reply.Status, DiscoveryFailureKind.UnexpectedStatus, $"Unexpected status code in response: {reply.Status}.", reply.Elapsed);
                return;
            }
            Uri? endpoint = ProbeTarget(state, kind, probe, reply);
            if (endpoint != null) await PostAsync(state, kind, endpoint, cancellationToken).ConfigureAwait(false);
        }

        private Uri? ProbeTarget(DomainState state, CandidateKind kind, Uri probe, TransportReply reply)
        {
            Uri? target = RedirectRules.ParseLocation(reply.Location, out string? error);
            if (target == null) return RefuseProbe(state, kind, probe, reply, DiscoveryFailureKind.InvalidRedirect, error!);
            if (target.Scheme != Uri.UriSchemeHttps && !(Loopback.IsLoopback(probe) && Loopback.IsLoopback(target)))
            {
                return RefuseProbe(state, kind, probe, reply, DiscoveryFailureKind.InsecureRedirect, $"The response URL in the Location header isn't HTTPS: {target}.");
            }
            if (!RedirectRules.HasProbePath(target))
            {
                return RefuseProbe(state, kind, probe, reply, DiscoveryFailureKind.InvalidRedirect, $"Response URL in Location header doesn't have expected path: {target}.");
            }
            Uri endpoint = RedirectRules.RebuildEndpoint(target);
            if (_trust.Matches(target.Host))
            {
                state.Add(kind, "GET", probe, reply.Status, DiscoveryFailureKind.None, $"Redirect ({reply.Status}) to trusted host {target.Host}", reply.Elapsed);
                return endpoint;
            }
            if (RedirectRules.IsAutodiscoverTldHost(target.Host))
            {
                return RefuseProbe(state, kind, probe, reply, DiscoveryFailureKind.UntrustedRedirect,
                    $"Refused a redirect to '{target.Host}': an autodiscover.<top-level domain> host belongs to no partner.");
            }
            RefuseProbe(state, kind, probe, reply, DiscoveryFailureKind.UntrustedRedirect, $"Unsecured redirect to '{target.Host}', which is not a trusted host name.");
            state.AddAlternate(new DiscoveryAlternate(AlternateKind.UnsecuredRedirect, probe, endpoint, target.Host,
                $"The Autodiscover request for federation information sent to '{probe}' returned an unsecure redirect to '{target}'. " +
                $"If you trust host name {target.Host}, you can continue and use it for this request."));
            return null;
        }

        private static void Accept(DomainState state, CandidateKind kind, Uri url, TransportReply reply)
        {
            AutodiscoverResponse r = reply.Response!;
            AnswerVerdict verdict = AnswerEvaluator.Evaluate(state.Domain, r);
            state.Add(kind, "POST", url, reply.Status, verdict.Failure, verdict.Message, reply.Elapsed);
            if (verdict.Accepted)
            {
                state.Result = new FederationInfo(state.Domain, r.ApplicationUri!, verdict.Domains, url, kind, r.TokenIssuers, r.ServerVersion);
            }
        }

        private static void AddCertificateAlternate(DomainState state, Uri url, TlsVerdict tls)
        {
            string? name = tls.CertificateNames.FirstOrDefault(n => !n.StartsWith("*", StringComparison.Ordinal)) ?? tls.CertificateNames.FirstOrDefault();
            if (name == null) return;
            string host = name.TrimStart('*', '.');
            state.AddAlternate(new DiscoveryAlternate(AlternateKind.CertificateNameMismatch, url, url, host,
                $"The certificate presented by '{url.Host}' for the Autodiscover request for federation information is issued to '{name}'. " +
                $"If you trust host name {host}, you can continue and use it for this request."));
        }

        private static Uri? Refuse(DomainState state, CandidateKind kind, Uri url, TransportReply reply, DiscoveryFailureKind failure, string message)
        {
            state.Add(kind, "POST", url, reply.Status, failure, message, reply.Elapsed);
            return null;
        }

        private static Uri? RefuseProbe(DomainState state, CandidateKind kind, Uri probe, TransportReply reply, DiscoveryFailureKind failure, string message)
        {
            state.Add(kind, "GET", probe, reply.Status, failure, message, reply.Elapsed);
            return null;
        }
    }
}
