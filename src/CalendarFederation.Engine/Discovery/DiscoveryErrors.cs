using System;
using System.Globalization;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// The one place a failed discovery becomes an error: its stable id and kind (the fault-to-id matrix that
    /// DiscoveryErrorTests covers), and its message, which names the domain as typed.
    /// </summary>
    public static class DiscoveryErrors
    {
        /// <summary>Exchange's sentence for a failed discovery; admins search for it.</summary>
        public const string ExchangeMessage = "Federation information could not be received from the external organization.";

        public static (string ErrorId, ErrorKind Kind) Classify(DiscoveryFailureKind failure) => failure switch
        {
            DiscoveryFailureKind.NotFederated => (ErrorIds.DomainNotFederated, ErrorKind.ObjectNotFound),
            DiscoveryFailureKind.UntrustedRedirect => (ErrorIds.UntrustedRedirect, ErrorKind.SecurityError),
            DiscoveryFailureKind.InsecureRedirect => (ErrorIds.InsecureRedirect, ErrorKind.SecurityError),
            DiscoveryFailureKind.CertificateValidationFailed => (ErrorIds.CertificateValidationFailed, ErrorKind.SecurityError),
            DiscoveryFailureKind.InvalidRedirect => (ErrorIds.InvalidRedirect, ErrorKind.InvalidResult),
            DiscoveryFailureKind.ResponseTooLarge => (ErrorIds.ResponseTooLarge, ErrorKind.LimitsExceeded),
            DiscoveryFailureKind.MalformedResponse => (ErrorIds.MalformedResponse, ErrorKind.InvalidData),
            DiscoveryFailureKind.TooManyRedirects => (ErrorIds.TooManyRedirects, ErrorKind.LimitsExceeded),
            DiscoveryFailureKind.ServerBusy => (ErrorIds.ServerBusy, ErrorKind.ResourceBusy),
            DiscoveryFailureKind.Timeout => (ErrorIds.DiscoveryTimeout, ErrorKind.OperationTimeout),
            DiscoveryFailureKind.ConnectionFailed => (ErrorIds.FederationInformationNotFound, ErrorKind.ConnectionError),
            _ => (ErrorIds.FederationInformationNotFound, ErrorKind.ObjectNotFound),
        };

        /// <summary>True when the same discovery may succeed later unchanged.</summary>
        public static bool IsRetryable(DiscoveryFailureKind failure) =>
            failure == DiscoveryFailureKind.ServerBusy || failure == DiscoveryFailureKind.Timeout || failure == DiscoveryFailureKind.ConnectionFailed;

        /// <summary>"Discovery for domain 'bücher.example' (xn--bcher-kva.example) failed: {reason}", then Exchange's sentence and the count.</summary>
        public static string Summary(DiscoveryOutcome outcome)
        {
            string headline = string.Format(CultureInfo.InvariantCulture, "Discovery for domain {0} failed: {1}",
                SmtpDomain.Display(outcome.Input, outcome.Domain), outcome.Reason);
            int requests = outcome.Attempts.Count;
            string detail = ExchangeMessage + " " + string.Format(CultureInfo.InvariantCulture,
                requests == 1 ? "{0} request was made; the exception's Attempts has it." : "{0} requests were made; the exception's Attempts lists each.", requests);
            return headline + Environment.NewLine + detail;
        }

        public static EngineException ToException(DiscoveryOutcome outcome)
        {
            if (outcome == null) throw new ArgumentNullException(nameof(outcome));
            if (outcome.Succeeded) throw new InvalidOperationException("The discovery succeeded.");
            DiscoveryFailureKind failure = outcome.FailureKind;
            (string id, ErrorKind kind) = Classify(failure);
            return new EngineException(id, kind, Summary(outcome), outcome.Input, IsRetryable(failure))
            {
                RequestIds = outcome.RequestIds.Count == 0 ? null : string.Join(", ", outcome.RequestIds),
            };
        }
    }
}
