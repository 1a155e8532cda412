using System;

namespace CalendarFederation
{
    /// <summary>Discovery of one domain failed. The message lists each candidate and why it did not answer.</summary>
    public sealed class FederationInformationException : Exception
    {
        public FederationInformationException(string message, string domainName, string reason, string[] attempts)
            : base(message)
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
    }
}
