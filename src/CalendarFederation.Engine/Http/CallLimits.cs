using System;

namespace CalendarFederation.Engine.Http
{
    /// <summary>The bounds of one call: each attempt, the whole call (every retry and page), and how many retries.</summary>
    public sealed class CallLimits
    {
        public CallLimits(TimeSpan attemptTimeout, TimeSpan overallTimeout, int maxRetries)
        {
            AttemptTimeout = attemptTimeout;
            OverallTimeout = overallTimeout;
            MaxRetries = maxRetries;
        }

        public TimeSpan AttemptTimeout { get; }
        public TimeSpan OverallTimeout { get; }
        public int MaxRetries { get; }
    }

    /// <summary>How one service's client retries: the back-off, and the name its progress shows.</summary>
    public sealed class ResilienceSettings
    {
        /// <summary>The progress activity while waiting for a retry, e.g. "Exchange admin API", "Microsoft Graph".</summary>
        public string ServiceName { get; set; } = "HTTP";

        /// <summary>The first back-off without Retry-After; it doubles per retry, with jitter.</summary>
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(120);

        /// <summary>The per-attempt timeout when a call brings no limits of its own.</summary>
        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>Refused, unresolved or reset connections get this many more tries: a blip heals, an outage is reported in seconds.</summary>
        public int MaxNetworkRetries { get; set; } = 2;
    }
}
