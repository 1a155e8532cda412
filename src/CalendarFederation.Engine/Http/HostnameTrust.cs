using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.Http
{
    /// <summary>
    /// The admin's -TrustedHostnames list. An entry matches a host exactly, or by wildcard:
    /// "*.example.com" matches "mail.example.com" and also "example.com" itself (Exchange's rule).
    /// </summary>
    public sealed class HostnameTrust
    {
        private readonly string[] _exact;
        private readonly string[] _suffixes;

        public static readonly HostnameTrust None = new HostnameTrust(Array.Empty<string>());

        public HostnameTrust(IEnumerable<string>? hostnames)
        {
            var exact = new List<string>();
            var suffixes = new List<string>();
            foreach (string raw in hostnames ?? Array.Empty<string>())
            {
                if (string.IsNullOrWhiteSpace(raw)) continue;
                string h = raw.Trim().TrimEnd('.').ToLowerInvariant();
                if (h.StartsWith("*.", StringComparison.Ordinal))
                {
                    suffixes.Add(h.Substring(2));
                }
                else
                {
                    exact.Add(h);
                }
            }
            _exact = exact.Distinct().ToArray();
            _suffixes = suffixes.Distinct().ToArray();
        }

        public bool IsEmpty => _exact.Length == 0 && _suffixes.Length == 0;

        public IEnumerable<string> Entries => _exact.Concat(_suffixes.Select(s => "*." + s));

        public bool Matches(string? host)
        {
            if (string.IsNullOrEmpty(host)) return false;
            string h = host!.TrimEnd('.').ToLowerInvariant();
            foreach (string e in _exact)
            {
                if (e == h) return true;
            }
            foreach (string s in _suffixes)
            {
                if (h == s || h.EndsWith("." + s, StringComparison.Ordinal)) return true;
            }
            return false;
        }

        /// <summary>A copy of this trust list with one more host.</summary>
        public HostnameTrust With(string host) => new HostnameTrust(Entries.Concat(new[] { host }));
    }
}
