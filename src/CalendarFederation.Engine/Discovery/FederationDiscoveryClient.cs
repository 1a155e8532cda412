using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// Anonymous GetFederationInformation discovery with Exchange's candidate order, redirect, TLS and acceptance rules
    /// (docs/protocol.md §1.3-§1.5), including the alternates only the admin can approve. Thread-safe: one instance
    /// serves a whole cmdlet call, with many domains discovered at once, and remembers the hosts the admin trusted
    /// during it. The parts: <see cref="DiscoveryTransport"/> (bounded HTTP, TLS), <see cref="RedirectChain"/>
    /// (redirects, the probe, trusted hosts), <see cref="AnswerEvaluator"/> (acceptance),
    /// <see cref="AlternateConsent"/> (questions).
    /// </summary>
    public sealed class FederationDiscoveryClient : IDisposable
    {
        private readonly DiscoveryOptions _options;
        private readonly TrustedHosts _trust;
        private readonly DiscoveryTransport _transport;
        private readonly RedirectChain _chain;
        private readonly AlternateConsent _consent;
        private readonly AdditionalDomainValidation _validation;

        public FederationDiscoveryClient(DiscoveryOptions options)
            : this(options, null)
        {
        }

        /// <summary>For tests: send through the given handler (which then owns TLS, and is not disposed here).</summary>
        public FederationDiscoveryClient(DiscoveryOptions options, HttpMessageHandler? handler)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _trust = new TrustedHosts(new HostnameTrust(options.TrustedHostnames));
            _transport = new DiscoveryTransport(options, _trust, handler);
            _chain = new RedirectChain(_transport, _trust, options.MaxRedirects);
            _consent = new AlternateConsent(_trust);
            _validation = new AdditionalDomainValidation(options, RunCandidatesAsync);
        }

        /// <summary>-TrustedHostnames plus every host confirmed so far in this call.</summary>
        public HostnameTrust Trust => _trust.Current;

        /// <summary>The endpoints asked for a domain, in order. Probes (GET) are marked by their candidate kind.</summary>
        public IReadOnlyList<(CandidateKind Kind, Uri Url)> GetCandidates(string domain) =>
            Candidate.For(SmtpDomain.Normalize(domain), _options).Select(c => (c.Kind, c.Url)).ToArray();

        /// <summary>
        /// Discovers one domain: the candidates in Exchange's order, then, while nothing answered, each alternate the admin
        /// approves through <see cref="IEngineEvents.ConfirmAsync"/> (an approved host stays trusted for this client's life),
        /// then additional validation of the other returned domains. Every request is reported through
        /// <see cref="IEngineEvents.Verbose"/> as it completes. A failure is an outcome, not an exception; an input that is
        /// not a domain name throws an <see cref="EngineException"/> (<see cref="ErrorIds.InvalidDomainName"/>).
        /// </summary>
        /// <param name="domain">The domain as the admin typed it; normalised by <see cref="SmtpDomain.Normalize"/>.</param>
        public async Task<DiscoveryOutcome> DiscoverAsync(string domain, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (events == null) throw new ArgumentNullException(nameof(events));
            string normalized = SmtpDomain.Normalize(domain);
            long started = _options.TimeProvider.GetTimestamp();
            var state = new DomainState(normalized, events);

            await RunCandidatesAsync(state, Candidate.For(normalized, _options), cancellationToken).ConfigureAwait(false);
            var refused = new List<DiscoveryAlternate>();
            for (int i = 0; state.Result == null && i < state.Alternates.Count; i++)
            {
                // An alternate can lead to another (an approved host redirecting to a parent domain): the list grows as we go.
                DiscoveryAlternate alternate = state.Alternates[i];
                if (!await _consent.ApproveAsync(alternate, events, cancellationToken).ConfigureAwait(false))
                {
                    refused.Add(alternate);
                    state.Note($"Not trusted: {alternate.Host} ({alternate.Endpoint}).");
                    continue;
                }
                state.Approve(alternate);
                await RunCandidatesAsync(state, new[] { new Candidate(CandidateKind.Alternate, alternate.Endpoint) }, cancellationToken).ConfigureAwait(false);
            }

            if (state.Result != null && !_options.BypassAdditionalDomainValidation)
            {
                await _validation.ApplyAsync(state, events, cancellationToken).ConfigureAwait(false);
            }
            TimeSpan elapsed = _options.TimeProvider.GetElapsedTime(started);
            if (state.Result != null)
            {
                events.Verbose(string.Format(CultureInfo.InvariantCulture, "[{0}] Answered by {1} ({2}) in {3} ms.",
                    normalized, state.Result.AnsweredBy, state.Result.Candidate, (long)elapsed.TotalMilliseconds));
            }
            return new DiscoveryOutcome(normalized, state.Result, state.Attempts, state.Result != null ? new List<DiscoveryAlternate>() : refused,
                elapsed, state.Notes, domain, state.RequestIds);
        }

        // THE candidate loop, for the first pass, for an approved alternate and for additional validation alike:
        // each candidate in turn until one gives an acceptable answer.
        private async Task RunCandidatesAsync(DomainState state, IEnumerable<Candidate> candidates, CancellationToken cancellationToken)
        {
            foreach (Candidate candidate in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await _chain.RunAsync(state, candidate, cancellationToken).ConfigureAwait(false);
                if (state.Result != null) return;
            }
        }

        public void Dispose() => _transport.Dispose();
    }
}
