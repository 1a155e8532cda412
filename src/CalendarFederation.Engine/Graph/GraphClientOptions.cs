using System;

namespace CalendarFederation.Engine.Graph
{
    public sealed class GraphClientOptions
    {
        /// <summary>Scheme and host of Microsoft Graph for the cloud (ExchangeEnvironment.Graph), e.g. https://graph.microsoft.com.</summary>
        public Uri BaseUri { get; set; } = new Uri("https://graph.microsoft.com");

        /// <summary>The API version path segment.</summary>
        public string ApiVersion { get; set; } = "v1.0";

        /// <summary>The tenant the calls act on (its id when known): messages name it, and it keys the gate.</summary>
        public string Tenant { get; set; } = "";

        /// <summary>Key for the per-tenant gate; the tenant id when known.</summary>
        public string? GateKey { get; set; }

        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

        public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromMinutes(10);

        public int MaxRetries { get; set; } = 10;

        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(120);

        public int MaxConcurrencyPerTenant { get; set; } = 4;

        public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

        /// <summary>A collection longer than this many pages is an error, not an endless loop.</summary>
        public int MaxPages { get; set; } = 1000;

        public string UserAgent { get; set; } = "CalendarFederation";
    }
}
