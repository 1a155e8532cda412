using System;
using System.Collections.Generic;
using System.Globalization;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>One candidate to ask: where, and whether it is the unsecured GET probe.</summary>
    internal readonly struct Candidate
    {
        public Candidate(CandidateKind kind, Uri url)
        {
            Kind = kind;
            Url = url;
        }

        public CandidateKind Kind { get; }
        public Uri Url { get; }
        public bool IsProbe => Kind == CandidateKind.UnsecuredAutodiscoverHost || Kind == CandidateKind.UnsecuredDomainHost;

        /// <summary>Exchange's order (docs/protocol.md §1.3): the cloud's endpoint, the partner's two https hosts, then the two probes.</summary>
        public static IReadOnlyList<Candidate> For(string domain, DiscoveryOptions options)
        {
            if (options.AutodiscoverUri != null) return new[] { new Candidate(CandidateKind.Explicit, options.AutodiscoverUri) };
            var list = new List<Candidate>(5);
            if (options.CloudEndpoint != null) list.Add(new Candidate(CandidateKind.Cloud, options.CloudEndpoint));
            list.Add(new Candidate(CandidateKind.AutodiscoverHost, new Uri("https://autodiscover." + domain + RedirectRules.ServicePath)));
            list.Add(new Candidate(CandidateKind.DomainHost, new Uri("https://" + domain + RedirectRules.ServicePath)));
            list.Add(new Candidate(CandidateKind.UnsecuredAutodiscoverHost, new Uri("http://autodiscover." + domain + RedirectRules.ProbePath)));
            list.Add(new Candidate(CandidateKind.UnsecuredDomainHost, new Uri("http://" + domain + RedirectRules.ProbePath)));
            return list;
        }
    }

    /// <summary>
    /// What discovering one domain has found so far: every request and its result (each also reported as a verbose line
    /// while it happens), the alternates that need the admin's trust, the service's request ids, and the answer.
    /// </summary>
    internal sealed class DomainState
    {
        private readonly IEngineEvents _events;
        private readonly string _prefix;

        /// <param name="prefix">Starts each verbose line: "[fabrikam.com] " by default.</param>
        public DomainState(string domain, IEngineEvents events, string? prefix = null)
        {
            Domain = domain;
            _events = events;
            _prefix = prefix ?? "[" + domain + "] ";
        }

        public string Domain { get; }
        public FederationInfo? Result { get; set; }
        public List<DiscoveryAttempt> Attempts { get; } = new List<DiscoveryAttempt>(5);
        /// <summary>Alternates found, in order; the client works through them when no candidate answered.</summary>
        public List<DiscoveryAlternate> Alternates { get; } = new List<DiscoveryAlternate>();
        public List<string> Notes { get; } = new List<string>();
        public List<string> RequestIds { get; } = new List<string>();

        public void Add(CandidateKind kind, string method, Uri url, int? status, DiscoveryFailureKind failure, string message, TimeSpan elapsed)
        {
            Attempts.Add(new DiscoveryAttempt(kind, method, url, status, failure, message, elapsed));
            _events.Verbose(string.Format(CultureInfo.InvariantCulture, "{0}{1} {2}: {3} ({4} ms)", _prefix, method, url, message, (long)elapsed.TotalMilliseconds));
        }

        public void AddAlternate(DiscoveryAlternate alternate)
        {
            foreach (DiscoveryAlternate known in Alternates)
            {
                if (known.Endpoint == alternate.Endpoint && string.Equals(known.Host, alternate.Host, StringComparison.OrdinalIgnoreCase)) return;
            }
            Alternates.Add(alternate);
        }

        /// <summary>
        /// The admin approved <paramref name="alternate"/>: the request that stopped at its host was not a failure after all,
        /// so it no longer counts as one (the alternate's own requests say how it went).
        /// </summary>
        public void Approve(DiscoveryAlternate alternate)
        {
            for (int i = 0; i < Attempts.Count; i++)
            {
                DiscoveryAttempt a = Attempts[i];
                if (a.Url != alternate.From || a.Failure == DiscoveryFailureKind.None) continue;
                Attempts[i] = new DiscoveryAttempt(a.Candidate, a.Method, a.Url, a.StatusCode, DiscoveryFailureKind.None,
                    a.Result + " Trusted for this call: " + alternate.Host + ".", a.Elapsed);
            }
            Note("Trusted for this call: " + alternate.Host + ".");
        }

        public void AddRequestIds(IEnumerable<string> ids)
        {
            foreach (string id in ids)
            {
                if (!RequestIds.Contains(id)) RequestIds.Add(id);
            }
        }

        /// <summary>A line for the outcome's notes and for verbose output.</summary>
        public void Note(string note)
        {
            Notes.Add(note);
            _events.Verbose(_prefix + note);
        }
    }
}
