using System;
using System.Net.Http;
using System.Threading;

namespace CalendarFederation.Engine.Http
{
    /// <summary>
    /// One connection pool for many sessions. A fleet's tenants all reach the same sign-in, admin API and Graph hosts, so
    /// each tenant's sign-in, admin API and Graph clients take a lease on one handler instead of opening connections (and
    /// TLS handshakes) of their own (docs/benchmarks.md §8). Requests carry their own Authorization header and cookies are
    /// off (<see cref="HttpSettings.CreateHandler"/>), so nothing of one tenant reaches another's requests.
    /// A lease's Dispose leaves the pool open: sessions outlive the command that signed them in (a plan keeps them for
    /// Invoke-CalendarFederationPlan), and MSAL keeps its client for the session's life. Like a long-lived HttpClient, the
    /// pool's idle connections close on their own; nothing holds sockets open after the last request.
    /// </summary>
    public static class SharedConnections
    {
        /// <summary>Settings whose every CreateHandler is a lease on one handler made from <paramref name="settings"/>.</summary>
        public static HttpSettings Share(HttpSettings settings)
        {
            if (settings == null) throw new ArgumentNullException(nameof(settings));
            var pool = new Lazy<HttpMessageHandler>(settings.CreateHandler, LazyThreadSafetyMode.ExecutionAndPublication);
            return new HttpSettings { Proxy = settings.Proxy, HandlerFactory = () => new Lease(pool.Value) };
        }

        private sealed class Lease : DelegatingHandler
        {
            public Lease(HttpMessageHandler pool) : base(pool) { }

            // The pool is shared: disposing a lease must not dispose it (DelegatingHandler's Dispose would).
            protected override void Dispose(bool disposing) { }
        }
    }
}
