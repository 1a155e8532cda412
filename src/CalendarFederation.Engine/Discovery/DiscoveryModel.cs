using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>Where a discovery request went, in Exchange's order.</summary>
    public enum CandidateKind
    {
        /// <summary>The endpoint the admin named with -AutodiscoverUri.</summary>
        Explicit,
        /// <summary>The cloud's Microsoft-hosted endpoint.</summary>
        Cloud,
        /// <summary>https://autodiscover.{domain}/autodiscover/autodiscover.svc</summary>
        AutodiscoverHost,
        /// <summary>https://{domain}/autodiscover/autodiscover.svc</summary>
        DomainHost,
        /// <summary>The unsecured GET probe on http://autodiscover.{domain}.</summary>
        UnsecuredAutodiscoverHost,
        /// <summary>The unsecured GET probe on http://{domain}.</summary>
        UnsecuredDomainHost,
        /// <summary>An alternate the admin confirmed or trusted.</summary>
        Alternate,
    }

    /// <summary>Why an attempt (or a whole discovery) failed. Ordered from least to most telling.</summary>
    public enum DiscoveryFailureKind
    {
        None = 0,
        ConnectionFailed,
        UnexpectedStatus,
        Rejected,
        Timeout,
        ServerBusy,
        NotFederated,
        TooManyRedirects,
        MalformedResponse,
        ResponseTooLarge,
        InvalidRedirect,
        CertificateValidationFailed,
        InsecureRedirect,
        UntrustedRedirect,
    }

    /// <summary>One request made during discovery and what became of it.</summary>
    public sealed class DiscoveryAttempt
    {
        public DiscoveryAttempt(CandidateKind candidate, string method, Uri url, int? statusCode, DiscoveryFailureKind failure, string result, TimeSpan elapsed)
        {
            Candidate = candidate;
            Method = method;
            Url = url;
            StatusCode = statusCode;
            Failure = failure;
            Result = result;
            Elapsed = elapsed;
        }

        public CandidateKind Candidate { get; }
        public string Method { get; }
        public Uri Url { get; }
        public int? StatusCode { get; }
        public DiscoveryFailureKind Failure { get; }
        public string Result { get; }
        public TimeSpan Elapsed { get; }
        public bool Succeeded => Failure == DiscoveryFailureKind.None;

        public override string ToString() => $"{Method} {Url} -> {Result} ({(int)Elapsed.TotalMilliseconds} ms)";
    }

    public enum AlternateKind
    {
        /// <summary>An unsecured http probe redirected to a host that is not trusted.</summary>
        UnsecuredRedirect,
        /// <summary>The certificate is valid but issued to another name that is not trusted.</summary>
        CertificateNameMismatch,
        /// <summary>A secure redirect pointed at a parent domain of the partner's domain.</summary>
        ParentDomainRedirect,
    }

    /// <summary>An endpoint that may answer, but only if the admin trusts its host (-TrustedHostnames, or a yes to IEngineEvents.ConfirmAsync).</summary>
    public sealed class DiscoveryAlternate
    {
        public DiscoveryAlternate(AlternateKind kind, Uri from, Uri endpoint, string host, string prompt)
        {
            Kind = kind;
            From = from;
            Endpoint = endpoint;
            Host = host;
            Prompt = prompt;
        }

        public AlternateKind Kind { get; }
        public Uri From { get; }
        public Uri Endpoint { get; }
        /// <summary>The host name the admin would trust.</summary>
        public string Host { get; }
        /// <summary>Exchange's confirmation text.</summary>
        public string Prompt { get; }
    }

    /// <summary>A successful answer, in Exchange's terms.</summary>
    public sealed class FederationInfo
    {
        public FederationInfo(string domainName, string applicationUri, IReadOnlyList<string> domainNames, Uri answeredBy, CandidateKind candidate,
            IReadOnlyList<TokenIssuer> tokenIssuers, string? serverVersion)
        {
            DomainName = domainName;
            ApplicationUri = applicationUri;
            DomainNames = domainNames;
            AnsweredBy = answeredBy;
            Candidate = candidate;
            TokenIssuers = tokenIssuers;
            ServerVersion = serverVersion;
            TargetAutodiscoverEpr = ToWsSecurity(answeredBy);
        }

        public string DomainName { get; }
        public string ApplicationUri { get; }
        public IReadOnlyList<string> DomainNames { get; internal set; }
        public IReadOnlyList<string> DroppedDomainNames { get; internal set; } = Array.Empty<string>();
        public Uri AnsweredBy { get; }
        public CandidateKind Candidate { get; }
        public string TargetAutodiscoverEpr { get; }
        public IReadOnlyList<TokenIssuer> TokenIssuers { get; }
        /// <summary>The issuers' URIs that are well-formed; a partner's malformed one is left out rather than failing the answer.</summary>
        public IReadOnlyList<string> TokenIssuerUris => TokenIssuers
            .Where(t => !string.IsNullOrEmpty(t.Uri) && Uri.TryCreate(t.Uri, UriKind.RelativeOrAbsolute, out _))
            .Select(t => t.Uri!).ToArray();
        public string? ServerVersion { get; }

        /// <summary>
        /// Exchange's rule for TargetAutodiscoverEpr: append "WSSecurity" after a trailing '/',
        /// leave a URL that already ends in /WSSecurity alone, otherwise append "/WSSecurity".
        /// </summary>
        public static string ToWsSecurity(Uri url)
        {
            string s = url.AbsoluteUri;
            if (s.EndsWith("/WSSecurity", StringComparison.OrdinalIgnoreCase)) return s;
            if (s.EndsWith("/", StringComparison.Ordinal)) return s + "WSSecurity";
            return s + "/WSSecurity";
        }
    }

    /// <summary>The result of discovering one domain: an answer, or the attempts that explain why not.</summary>
    public sealed class DiscoveryOutcome
    {
        public DiscoveryOutcome(string domain, FederationInfo? result, IReadOnlyList<DiscoveryAttempt> attempts,
            IReadOnlyList<DiscoveryAlternate> alternates, TimeSpan elapsed, IReadOnlyList<string>? notes = null, string? input = null,
            IReadOnlyList<string>? requestIds = null)
        {
            Domain = domain;
            Result = result;
            Attempts = attempts;
            Alternates = alternates;
            Elapsed = elapsed;
            Notes = notes ?? Array.Empty<string>();
            Input = input ?? domain;
            RequestIds = requestIds ?? Array.Empty<string>();
        }

        /// <summary>The normalised (ASCII, lower-case) domain that was asked for.</summary>
        public string Domain { get; }
        /// <summary>The domain as the admin typed it.</summary>
        public string Input { get; }
        public FederationInfo? Result { get; }
        public IReadOnlyList<DiscoveryAttempt> Attempts { get; }
        /// <summary>Untrusted hosts that might have answered and that the admin did not approve (empty on success).</summary>
        public IReadOnlyList<DiscoveryAlternate> Alternates { get; }
        public TimeSpan Elapsed { get; }
        /// <summary>Lines that were also reported as verbose output, e.g. domains dropped by additional validation.</summary>
        public IReadOnlyList<string> Notes { get; }
        /// <summary>Request ids the servers returned ("request-id ..."), for support.</summary>
        public IReadOnlyList<string> RequestIds { get; }
        public bool Succeeded => Result != null;

        /// <summary>The most telling failure among the attempts; untrusted alternates count as UntrustedRedirect.</summary>
        public DiscoveryFailureKind FailureKind
        {
            get
            {
                if (Succeeded) return DiscoveryFailureKind.None;
                DiscoveryFailureKind worst = MostTellingAttempt?.Failure ?? DiscoveryFailureKind.None;
                if (Alternates.Count > 0 && DiscoveryFailureKind.UntrustedRedirect > worst) worst = DiscoveryFailureKind.UntrustedRedirect;
                return worst == DiscoveryFailureKind.None ? DiscoveryFailureKind.ConnectionFailed : worst;
            }
        }

        /// <summary>The first attempt with the most telling failure, or null when none failed.</summary>
        public DiscoveryAttempt? MostTellingAttempt
        {
            get
            {
                DiscoveryAttempt? worst = null;
                foreach (DiscoveryAttempt a in Attempts)
                {
                    if (a.Failure != DiscoveryFailureKind.None && (worst == null || a.Failure > worst.Failure)) worst = a;
                }
                return worst;
            }
        }

        /// <summary>Why discovery failed, in one line: the most telling attempt, or the host the admin did not trust.</summary>
        public string Reason
        {
            get
            {
                DiscoveryAttempt? worst = MostTellingAttempt;
                if (Alternates.Count > 0)
                {
                    DiscoveryAlternate alt = Alternates[0];
                    return $"not trusted: {alt.Endpoint} ({Describe(alt.Kind, alt.Host)}).";
                }
                return worst == null ? "no endpoint answered." : $"{worst.Method} {worst.Url}: {worst.Result}";
            }
        }

        /// <summary>
        /// The error's message: a headline that names the domain as typed (with its punycode when that differs) and the
        /// reason, then Exchange's sentence. Short on purpose: twenty failed domains give twenty distinct two-line errors;
        /// each request is in <see cref="Attempts"/> and was reported as verbose output.
        /// </summary>
        public string Summary => DiscoveryErrors.Summary(this);

        /// <summary><see cref="Summary"/>, then one line per endpoint tried and one per untrusted host.</summary>
        public string FailureMessage
        {
            get
            {
                var lines = new List<string> { Summary };
                foreach (DiscoveryAttempt a in Attempts)
                {
                    lines.Add($"  {a.Method} {a.Url}: {a.Result}");
                }
                foreach (DiscoveryAlternate alt in Alternates)
                {
                    lines.Add($"  Not trusted: {alt.Endpoint} ({Describe(alt.Kind, alt.Host)}). Add '{alt.Host}' to -TrustedHostnames if you trust it.");
                }
                return string.Join(Environment.NewLine, lines);
            }
        }

        /// <summary>The failure as the engine's one exception shape: the stable id, kind, domain as typed, and request ids.</summary>
        public EngineException ToException() => DiscoveryErrors.ToException(this);

        private static string Describe(AlternateKind kind, string host) => kind switch
        {
            AlternateKind.UnsecuredRedirect => $"reached through an unsecured http redirect to '{host}'",
            AlternateKind.CertificateNameMismatch => $"its certificate is issued to '{host}'",
            _ => $"a redirect to '{host}', a parent domain",
        };
    }
}
