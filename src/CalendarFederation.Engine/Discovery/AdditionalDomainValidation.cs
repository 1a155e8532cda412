using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// Exchange re-discovers every other domain an answer lists and keeps it only if it gives the same ApplicationUri
    /// (docs/protocol.md §2, behaviour 4). Since Exchange Online's 2025 change it lists only the queried domain, so
    /// this usually does nothing. Each other domain goes through the client's one candidate loop, with no questions
    /// asked.
    /// </summary>
    internal sealed class AdditionalDomainValidation
    {
        private readonly Func<DomainState, IEnumerable<Candidate>, CancellationToken, Task> _runCandidates;
        private readonly DiscoveryOptions _options;

        public AdditionalDomainValidation(DiscoveryOptions options, Func<DomainState, IEnumerable<Candidate>, CancellationToken, Task> runCandidates)
        {
            _options = options;
            _runCandidates = runCandidates;
        }

        public async Task ApplyAsync(DomainState state, IEngineEvents events, CancellationToken cancellationToken)
        {
            FederationInfo info = state.Result!;
            string[] others = info.DomainNames.Where(d => !SmtpDomain.AreEqual(d, info.DomainName)).ToArray();
            if (others.Length == 0) return;

            var reasons = new string?[others.Length];
            using (var gate = new SemaphoreSlim(Math.Max(1, _options.AdditionalValidationConcurrency)))
            {
                Task[] tasks = others.Select((other, i) => Task.Run(async () =>
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        reasons[i] = await ValidateAsync(state.Domain, other, info.ApplicationUri, events, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, cancellationToken)).ToArray();
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }

            var kept = new List<string>();
            var dropped = new List<string>();
            foreach (string d in info.DomainNames)
            {
                int index = Array.IndexOf(others, d);
                if (index < 0 || reasons[index] == null)
                {
                    kept.Add(d);
                    continue;
                }
                dropped.Add(d);
                state.Note($"Domain '{d}' was left out: {reasons[index]}. Use -BypassAdditionalDomainValidation to keep every returned domain.");
            }
            info.DomainNames = kept;
            info.DroppedDomainNames = dropped;
        }

        // Null when the other domain answers with the same ApplicationUri; otherwise why it is left out.
        private async Task<string?> ValidateAsync(string domain, string other, string applicationUri, IEngineEvents events, CancellationToken cancellationToken)
        {
            string? normalized = SmtpDomain.TryNormalize(other, out string? error);
            if (normalized == null) return error;
            var sub = new DomainState(normalized, events, $"[{domain}] Validating '{other}': ");
            await _runCandidates(sub, Candidate.For(normalized, _options), cancellationToken).ConfigureAwait(false);
            if (sub.Result == null) return "it could not be discovered";
            if (!string.Equals(sub.Result.ApplicationUri, applicationUri, StringComparison.OrdinalIgnoreCase))
            {
                return $"it has another ApplicationUri ({sub.Result.ApplicationUri})";
            }
            return null;
        }
    }
}
