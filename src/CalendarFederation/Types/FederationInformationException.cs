using System;

namespace CalendarFederation
{
    /// <summary>
    /// Discovery of one domain failed. The message names the domain as typed and the most telling reason;
    /// <see cref="Attempts"/> lists each request and what came back.
    /// </summary>
    public sealed class FederationInformationException : Exception
    {
        public FederationInformationException(string message, string domainName, string reason, string[] attempts)
            : this(message, domainName, reason, attempts, null)
        {
        }

        public FederationInformationException(string message, string domainName, string reason, string[] attempts, Exception? inner)
            : base(message, inner)
        {
            DomainName = domainName;
            Reason = reason;
            Attempts = attempts;
        }

        public string DomainName { get; }

        /// <summary>The most telling failure, e.g. NotFederated, UntrustedRedirect, Timeout.</summary>
        public string Reason { get; }

        /// <summary>One line per request: method, URL and what came back.</summary>
        public string[] Attempts { get; }

        /// <summary>Request ids the servers returned ("request-id ..."), for Microsoft support; null when there were none.</summary>
        public string? RequestIds { get; set; }
    }
}
