using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Tenants;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>What Entra said about one partner domain: its tenant, or why there is none.</summary>
    public sealed class DomainLookup
    {
        public DomainLookup(string domain, string? tenantId, string? errorId, string? problem)
        {
            Domain = domain;
            TenantId = tenantId;
            ErrorId = errorId;
            Problem = problem;
        }

        /// <summary>The domain, normalised (or as written, when it is not a domain).</summary>
        public string Domain { get; }
        /// <summary>The tenant id, lower-case GUID; null when it did not resolve.</summary>
        public string? TenantId { get; }
        public string? ErrorId { get; }
        public string? Problem { get; }

        public bool Resolved => TenantId != null;

        /// <summary>Entra knows no organization with this domain (not found, or only the consumer tenant): it is not a Microsoft 365 partner.</summary>
        public bool NoTenant => ErrorId == ErrorIds.PartnerTenantNotFound || ErrorId == ErrorIds.PartnerTenantIsConsumer || ErrorId == ErrorIds.InvalidDomainName;

        public override string ToString() => Domain + " -> " + (TenantId ?? ErrorId);
    }

    /// <summary>
    /// Partner domains to tenant ids for one report (ReadinessDecisions R12): one lookup per distinct domain, cached for the
    /// call, at most a fixed number in flight; a domain that does not resolve gives a <see cref="DomainLookup"/> with the
    /// reason, never an exception (cancellation excepted).
    /// </summary>
    public sealed class PartnerDomainLookup
    {
        private readonly Func<string, CancellationToken, Task<PartnerTenant>> _resolve;
        private readonly SemaphoreSlim _gate;
        private readonly ConcurrentDictionary<string, Lazy<Task<DomainLookup>>> _cache = new ConcurrentDictionary<string, Lazy<Task<DomainLookup>>>(StringComparer.OrdinalIgnoreCase);
        private int _lookups;
        private int _inFlight;
        private int _maxInFlight;

        /// <param name="resolve">One anonymous lookup (PartnerTenantResolver.ResolveAsync on the session's sign-in host).</param>
        public PartnerDomainLookup(Func<string, CancellationToken, Task<PartnerTenant>> resolve, int maxConcurrency = ReadinessDecisions.LookupConcurrency)
        {
            _resolve = resolve ?? throw new ArgumentNullException(nameof(resolve));
            _gate = new SemaphoreSlim(Math.Max(1, maxConcurrency));
        }

        /// <summary>Lookups made (cache misses).</summary>
        public int Lookups => Volatile.Read(ref _lookups);

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public Task<DomainLookup> LookupAsync(string domain, CancellationToken cancellationToken)
        {
            string? normalized = SmtpDomain.TryNormalize(domain, out string? error);
            if (normalized == null)
            {
                return Task.FromResult(new DomainLookup(domain.Trim(), null, ErrorIds.InvalidDomainName, error ?? $"'{domain}' is not a domain name."));
            }
            return _cache.GetOrAdd(normalized, d => new Lazy<Task<DomainLookup>>(() => RunAsync(d, cancellationToken))).Value;
        }

        /// <summary>Every distinct domain, side by side within the bound; the results by normalised domain.</summary>
        public async Task<IReadOnlyDictionary<string, DomainLookup>> LookupAllAsync(IEnumerable<string> domains, IEngineEvents events, CancellationToken cancellationToken)
        {
            string[] distinct = domains.Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => d.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            var results = new ConcurrentDictionary<string, DomainLookup>(StringComparer.OrdinalIgnoreCase);
            int done = 0;
            await Task.WhenAll(distinct.Select(async d =>
            {
                DomainLookup found = await LookupAsync(d, cancellationToken).ConfigureAwait(false);
                results[d] = found;
                results[found.Domain] = found;
                int n = Interlocked.Increment(ref done);
                if (n % 25 == 0 || n == distinct.Length)
                {
                    events.Progress(new ProgressUpdate("Readiness", $"Partner tenants: {n} of {distinct.Length} domains looked up",
                        distinct.Length == 0 ? -1 : 100 * n / distinct.Length, ProgressLanes.Step));
                }
            })).ConfigureAwait(false);
            return results;
        }

        private async Task<DomainLookup> RunAsync(string domain, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            int now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }
            Interlocked.Increment(ref _lookups);
            try
            {
                PartnerTenant tenant = await _resolve(domain, cancellationToken).ConfigureAwait(false);
                if (tenant.TenantId == PartnerTenantResolver.MicrosoftAccountTenantId)
                {
                    return new DomainLookup(domain, null, ErrorIds.PartnerTenantIsConsumer,
                        $"{domain} belongs to Microsoft accounts (the consumer tenant), not to an organization");
                }
                return new DomainLookup(domain, tenant.TenantId.ToString("D"), null, null);
            }
            catch (EngineException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return new DomainLookup(domain, null, ex.ErrorId, ex.Message.TrimEnd('.'));
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                _gate.Release();
            }
        }
    }
}
