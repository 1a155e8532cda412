using System;
using System.Collections.Generic;
using System.Net;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>Settings for one Get-FederationInformation call.</summary>
    public sealed class DiscoveryOptions
    {
        /// <summary>Exchange's per-attempt timeout.</summary>
        public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(30);

        /// <summary>Real answers are a few KB; one listing thousands of domains stays well under this.</summary>
        public const int DefaultMaxResponseBytes = 2 * 1024 * 1024;

        public const int DefaultMaxRedirects = 5;

        public IReadOnlyList<string> TrustedHostnames { get; set; } = Array.Empty<string>();

        /// <summary>When set, only this endpoint is asked (redirect, TLS and response rules still apply).</summary>
        public Uri? AutodiscoverUri { get; set; }

        /// <summary>The cloud's own endpoint, asked before the partner's hosts. Null to skip.</summary>
        public Uri? CloudEndpoint { get; set; }

        public TimeSpan AttemptTimeout { get; set; } = DefaultAttemptTimeout;

        /// <summary>The clock for attempt timeouts and durations; tests pass a fake one.</summary>
        public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

        public int MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;

        public int MaxRedirects { get; set; } = DefaultMaxRedirects;

        /// <summary>Skip re-discovering each other returned domain (Exchange's -BypassAdditionalDomainValidation).</summary>
        public bool BypassAdditionalDomainValidation { get; set; }

        /// <summary>How many other returned domains are re-discovered at once during additional validation.</summary>
        public int AdditionalValidationConcurrency { get; set; } = 4;

        /// <summary>At most this many requests in flight for the whole call, additional validation included; null for no cap.</summary>
        public int? MaxConcurrentRequests { get; set; }

        /// <summary>An explicit proxy; null uses the system proxy settings.</summary>
        public IWebProxy? Proxy { get; set; }
    }
}
