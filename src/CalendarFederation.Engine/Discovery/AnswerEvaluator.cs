using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>Whether an answer is accepted, and if not, why, in Exchange's words.</summary>
    internal sealed class AnswerVerdict
    {
        private AnswerVerdict(DiscoveryFailureKind failure, string message, IReadOnlyList<string> domains)
        {
            Failure = failure;
            Message = message;
            Domains = domains;
        }

        public DiscoveryFailureKind Failure { get; }
        public bool Accepted => Failure == DiscoveryFailureKind.None;
        public string Message { get; }
        /// <summary>The answer's domains, without case-insensitive duplicates, in the server's spelling (accepted answers only).</summary>
        public IReadOnlyList<string> Domains { get; }

        public static AnswerVerdict Accept(string message, IReadOnlyList<string> domains) => new AnswerVerdict(DiscoveryFailureKind.None, message, domains);

        public static AnswerVerdict Refuse(DiscoveryFailureKind failure, string message) => new AnswerVerdict(failure, message, Array.Empty<string>());
    }

    /// <summary>
    /// Exchange's acceptance rules (docs/protocol.md §1.5): an ErrorCode that is NoError, a well-formed ApplicationUri,
    /// and a Domains list that contains the domain asked for. InvalidDomain and NotFederated mean "Domain isn't
    /// federated."
    /// </summary>
    internal static class AnswerEvaluator
    {
        public static AnswerVerdict Evaluate(string domain, AutodiscoverResponse r)
        {
            if (r.IsFault)
            {
                return AnswerVerdict.Refuse(DiscoveryFailureKind.Rejected, $"The server returned a SOAP fault: {Clip(r.FaultCode)} {Clip(r.FaultString)}".TrimEnd() + ".");
            }
            if (string.IsNullOrEmpty(r.ErrorCode)) return AnswerVerdict.Refuse(DiscoveryFailureKind.Rejected, "The response has no ErrorCode.");
            switch (r.ErrorCode)
            {
                case "InvalidDomain":
                case "NotFederated":
                    return AnswerVerdict.Refuse(DiscoveryFailureKind.NotFederated, $"Domain isn't federated ({r.ErrorCode}: {Clip(r.ErrorMessage)}).");
                case "ServerBusy":
                    return AnswerVerdict.Refuse(DiscoveryFailureKind.ServerBusy, $"ServerBusy: {Clip(r.ErrorMessage)}");
                case "NoError":
                    break;
                default:
                    return AnswerVerdict.Refuse(DiscoveryFailureKind.Rejected, $"The server answered {Clip(r.ErrorCode)}: {Clip(r.ErrorMessage)}");
            }
            if (string.IsNullOrEmpty(r.ApplicationUri) || !Uri.IsWellFormedUriString(r.ApplicationUri, UriKind.RelativeOrAbsolute))
            {
                return AnswerVerdict.Refuse(DiscoveryFailureKind.Rejected, "The response has no valid ApplicationUri.");
            }
            if (r.Domains.Count == 0) return AnswerVerdict.Refuse(DiscoveryFailureKind.Rejected, "The response lists no domains.");
            if (!r.Domains.Any(d => SmtpDomain.AreEqual(d, domain)))
            {
                return AnswerVerdict.Refuse(DiscoveryFailureKind.Rejected, $"The response does not list the requested domain {domain}.");
            }

            var domains = new List<string>();
            foreach (string d in r.Domains)
            {
                if (!domains.Any(x => string.Equals(x, d, StringComparison.OrdinalIgnoreCase))) domains.Add(d);
            }
            return AnswerVerdict.Accept($"NoError: ApplicationUri {r.ApplicationUri}, {domains.Count} domain(s)", domains);
        }

        private static string Clip(string? s) => s == null ? "" : NetworkErrors.OneLine(s);
    }
}
