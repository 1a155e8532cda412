using System;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// Exchange's rules for a Location header (docs/protocol.md §1.4), plus ours: never downgrade to http,
    /// plain http only between loopback hosts, and never an autodiscover.&lt;tld&gt; host.
    /// </summary>
    public static class RedirectRules
    {
        public const string ServicePath = "/autodiscover/autodiscover.svc";
        public const string ProbePath = "/autodiscover/autodiscover.xml";

        /// <summary>Parses a Location header into an absolute http(s) URI, or returns an Exchange error text.</summary>
        public static Uri? ParseLocation(string? location, out string? error)
        {
            error = null;
            if (string.IsNullOrWhiteSpace(location))
            {
                error = "There's a malformed URL in Location header: (empty).";
                return null;
            }
            // Uri.TryCreate accepts "/path" as file:///path on Unix, so insist on an http(s) scheme.
            if (!Uri.TryCreate(location!.Trim(), UriKind.Absolute, out Uri? uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || string.IsNullOrEmpty(uri.Host))
            {
                error = $"There's a malformed URL in Location header: {Printable(location)}.";
                return null;
            }
            return uri;
        }

        /// <summary>True when following from <paramref name="current"/> to <paramref name="target"/> keeps the transport secure.</summary>
        public static bool IsSecureHop(Uri current, Uri target)
        {
            if (target.Scheme == Uri.UriSchemeHttps) return true;
            // http only from http and only between loopback hosts (the test sandbox); never https -> http.
            return current.Scheme == Uri.UriSchemeHttp && Loopback.IsLoopback(current) && Loopback.IsLoopback(target);
        }

        /// <summary>
        /// The endpoint Exchange asks next: https://{host}/autodiscover/autodiscover.svc, ignoring the Location path.
        /// The port is kept only for loopback hosts, which is how the sandbox runs several endpoints on one machine.
        /// </summary>
        public static Uri RebuildEndpoint(Uri location)
        {
            var builder = new UriBuilder(location.Scheme, location.Host) { Path = ServicePath };
            if (Loopback.IsLoopback(location) && !location.IsDefaultPort) builder.Port = location.Port;
            else builder.Port = -1;
            return builder.Uri;
        }

        /// <summary>"autodiscover.com", "autodiscover.co.uk": hosts no partner controls (the 2021 Autodiscover leak).</summary>
        public static bool IsAutodiscoverTldHost(string host)
        {
            string h = host.TrimEnd('.').ToLowerInvariant();
            if (!h.StartsWith("autodiscover.", StringComparison.Ordinal)) return false;
            string rest = h.Substring("autodiscover.".Length);
            string[] labels = rest.Split('.');
            if (labels.Length == 1) return true;
            // Common two-label public suffixes under a country code: co.uk, com.au, gov.uk, ac.jp, ...
            return labels.Length == 2 && labels[1].Length == 2 && Array.IndexOf(SecondLevelSuffixes, labels[0]) >= 0;
        }

        private static readonly string[] SecondLevelSuffixes =
            { "co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go", "mil", "ltd", "plc", "gob", "nic", "nom" };

        /// <summary>True when <paramref name="host"/> is a proper parent of <paramref name="domain"/> or autodiscover.{parent}.</summary>
        public static bool IsParentDomainHost(string host, string domain)
        {
            string h = host.TrimEnd('.').ToLowerInvariant();
            if (h.StartsWith("autodiscover.", StringComparison.Ordinal)) h = h.Substring("autodiscover.".Length);
            string d = domain.ToLowerInvariant();
            return d.Length > h.Length && d.EndsWith("." + h, StringComparison.Ordinal);
        }

        public static bool HasProbePath(Uri uri) => string.Equals(uri.AbsolutePath, ProbePath, StringComparison.OrdinalIgnoreCase);

        private static string Printable(string? s)
        {
            if (s == null) return "";
            s = s.Replace("\r", " ").Replace("\n", " ");
            return s.Length > 300 ? s.Substring(0, 300) + "..." : s;
        }
    }
}
