using System.Threading;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// The hosts one Get-FederationInformation call trusts: -TrustedHostnames, plus each host the admin confirms during the
    /// call. Read by the TLS callback and the redirect rules from many threads; a confirmed host stays trusted for the call.
    /// </summary>
    public sealed class TrustedHosts
    {
        private HostnameTrust _current;

        public TrustedHosts(HostnameTrust initial) => _current = initial;

        public HostnameTrust Current => Volatile.Read(ref _current);

        public bool Matches(string? host) => Current.Matches(host);

        /// <summary>Trusts one more host for the rest of the call.</summary>
        public void Add(string host)
        {
            HostnameTrust current, updated;
            do
            {
                current = Volatile.Read(ref _current);
                if (current.Matches(host)) return;
                updated = current.With(host);
            }
            while (Interlocked.CompareExchange(ref _current, updated, current) != current);
        }
    }
}
