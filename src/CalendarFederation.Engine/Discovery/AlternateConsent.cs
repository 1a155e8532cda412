using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// The admin's decisions about untrusted hosts during one call. A host in -TrustedHostnames needs no question; any other
    /// is asked about once (<see cref="IEngineEvents.ConfirmAsync"/>), however many domains lead to it at the same time, and
    /// the answer holds for the rest of the call: a host trusted once stays trusted, a host refused once stays refused.
    /// Nobody to ask (-Force, a non-interactive host, <see cref="NullEngineEvents"/>) means no: an untrusted host is refused.
    /// </summary>
    internal sealed class AlternateConsent
    {
        /// <summary>The key of every trust question, so that "Yes to All" or "No to All" covers the call's other hosts.</summary>
        public const string QuestionKey = "CalendarFederation.Discovery.UntrustedHost";

        public const string Caption = "Untrusted host name";

        private readonly TrustedHosts _trust;
        private readonly ConcurrentDictionary<string, Lazy<Task<bool>>> _decisions =
            new ConcurrentDictionary<string, Lazy<Task<bool>>>(StringComparer.OrdinalIgnoreCase);

        public AlternateConsent(TrustedHosts trust) => _trust = trust;

        public Task<bool> ApproveAsync(DiscoveryAlternate alternate, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (_trust.Matches(alternate.Host)) return Task.FromResult(true);
            Lazy<Task<bool>> decision = _decisions.GetOrAdd(alternate.Host.TrimEnd('.'),
                _ => new Lazy<Task<bool>>(() => AskAsync(alternate, events, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication));
            return decision.Value;
        }

        private async Task<bool> AskAsync(DiscoveryAlternate alternate, IEngineEvents events, CancellationToken cancellationToken)
        {
            bool yes = await events.ConfirmAsync(new ConfirmRequest(alternate.Prompt, Caption, QuestionKey), cancellationToken).ConfigureAwait(false);
            if (yes) _trust.Add(alternate.Host);
            return yes;
        }
    }
}
