using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.Tenants;

namespace CalendarFederation.Engine.Migration
{
    /// <summary>Domain to Microsoft Entra tenant, for the migration. The OpenID lookup is one implementation; engine tests give another.</summary>
    public interface IPartnerTenantLookup
    {
        Task<PartnerTenant> ResolveAsync(string domain, IEngineEvents events, CancellationToken cancellationToken);
    }

    /// <summary>
    /// PartnerTenantResolver on one sign-in host (anonymous OpenID configuration, docs/cross-tenant-access.md §2.1 A),
    /// each domain asked once per instance: a pipeline of relationships that share domains asks for each domain once.
    /// </summary>
    public sealed class OpenIdPartnerTenantLookup : IPartnerTenantLookup, IDisposable
    {
        private readonly PartnerTenantResolver _resolver;
        private readonly Uri _signInHost;
        private readonly ConcurrentDictionary<string, PartnerTenant> _known = new ConcurrentDictionary<string, PartnerTenant>(StringComparer.OrdinalIgnoreCase);

        public OpenIdPartnerTenantLookup(Uri signInHost, HttpSettings http)
        {
            _signInHost = signInHost ?? throw new ArgumentNullException(nameof(signInHost));
            _resolver = new PartnerTenantResolver(http);
        }

        /// <summary>The lookup a session's partners are resolved with: its cloud's sign-in host, its proxy and TLS settings.</summary>
        public static OpenIdPartnerTenantLookup For(TenantSession session) =>
            new OpenIdPartnerTenantLookup(PartnerTenantResolver.SignInHost(session.Environment), session.Http);

        /// <summary>A failed lookup is not remembered: the next relationship asks again.</summary>
        public async Task<PartnerTenant> ResolveAsync(string domain, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (_known.TryGetValue(domain, out PartnerTenant? known)) return known;
            PartnerTenant tenant = await _resolver.ResolveAsync(_signInHost, domain, events, cancellationToken).ConfigureAwait(false);
            _known[domain] = tenant;
            return tenant;
        }

        public void Dispose() => _resolver.Dispose();
    }

    /// <summary>The one tenant a relationship's domains belong to.</summary>
    public static class PartnerTenantOfDomains
    {
        /// <summary>How many domains are asked at once.</summary>
        public const int Concurrency = 4;

        /// <summary>
        /// Resolves every domain; all must name the same tenant (PartnerTenantMismatch otherwise, naming which domain is
        /// whose). A domain Entra does not know is PartnerTenantNotFound, a consumer domain PartnerTenantIsConsumer: the
        /// resolver's errors, with the relationship named.
        /// </summary>
        public static async Task<Guid> ResolveAsync(IPartnerTenantLookup lookup, string relationship, IReadOnlyList<string> domains, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            if (domains.Count == 0)
            {
                throw new EngineException(ErrorIds.MigrationNotApplicable, ErrorKind.InvalidOperation,
                    $"The organization relationship '{relationship}' covers no domain, so it names no partner tenant.", relationship);
            }
            var results = new PartnerTenant[domains.Count];
            using var gate = new SemaphoreSlim(Concurrency);
            var work = new List<Task>();
            for (int i = 0; i < domains.Count; i++)
            {
                int index = i;
                work.Add(Task.Run(async () =>
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        results[index] = await lookup.ResolveAsync(domains[index], events, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, cancellationToken));
            }
            try
            {
                await Task.WhenAll(work).ConfigureAwait(false);
            }
            catch (EngineException ex) when (ex.ErrorId == ErrorIds.PartnerTenantNotFound || ex.ErrorId == ErrorIds.PartnerTenantIsConsumer)
            {
                throw new EngineException(ex.ErrorId, ex.Kind, $"The organization relationship '{relationship}' covers {ex.Target ?? "a domain"}: {ex.Message}",
                    ex.Target ?? relationship, ex.IsRetryable, ex);
            }
            var tenants = results.GroupBy(r => r.TenantId).ToArray();
            if (tenants.Length > 1)
            {
                string which = string.Join("; ", tenants.Select(g => $"{string.Join(", ", g.Select(r => r.Domain))} -> {g.Key}"));
                throw new EngineException(ErrorIds.PartnerTenantMismatch, ErrorKind.InvalidOperation,
                    $"The domains of the organization relationship '{relationship}' belong to {tenants.Length} tenants ({which}); the cross-tenant access policy "
                    + "grants one tenant at a time, so one relationship must name one partner tenant.", relationship);
            }
            return tenants[0].Key;
        }
    }
}
