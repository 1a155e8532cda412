using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Engine.Concurrency;

namespace CalendarFederation.Engine.Federation
{
    /// <summary>What one tenant looks like for federation: its name, domains, hydration and relationships, read in one go.</summary>
    public sealed class TenantSnapshot
    {
        public TenantSnapshot(TenantSession session, string displayName, string? initialDomain, IReadOnlyList<string> domains, bool isDehydrated,
            List<AdminObject> relationships, bool? ewsEnabled = null)
        {
            EwsEnabled = ewsEnabled;
            Session = session;
            DisplayName = displayName;
            InitialDomain = initialDomain;
            Domains = domains;
            IsDehydrated = isDehydrated;
            Relationships = relationships;
        }

        public TenantSession Session { get; }
        public string DisplayName { get; }
        /// <summary>The *.onmicrosoft.com domain, which Microsoft's Autodiscover always answers for.</summary>
        public string? InitialDomain { get; }
        public IReadOnlyList<string> Domains { get; }
        public bool IsDehydrated { get; }
        public List<AdminObject> Relationships { get; }
        /// <summary>Get-OrganizationConfig's EwsEnabled: True, False, or null (not set: Microsoft switches such tenants to False gradually since 2026-10-01).</summary>
        public bool? EwsEnabled { get; }

        public string Organization => Session.Organization;

        public static async Task<TenantSnapshot> ReadAsync(TenantSession session, IEngineEvents events, CancellationToken cancellationToken)
        {
            var none = new List<KeyValuePair<string, object?>>();
            Task<AdminApiResult> config = session.AdminApi.InvokeAsync("Get-OrganizationConfig", none, events, cancellationToken);
            Task<AdminApiResult> accepted = session.AdminApi.InvokeAsync("Get-AcceptedDomain", none, events, cancellationToken);
            Task<List<AdminObject>> relationships = new OrganizationRelationshipService(session.AdminApi, events).GetAsync(null, cancellationToken);
            await SideBySide.AllAsync(config, accepted, relationships).ConfigureAwait(false);

            AdminObject? org = config.Result.Values.FirstOrDefault();
            var domains = new List<string>();
            string? initial = null;
            foreach (AdminObject d in accepted.Result.Values)
            {
                string? name = d.GetString("DomainName") ?? d.GetString("Name");
                string? normalized = SmtpDomain.TryNormalize(name, out _);
                if (normalized == null || domains.Contains(normalized, StringComparer.OrdinalIgnoreCase)) continue;
                domains.Add(normalized);
                if (d.GetBool("InitialDomain") == true) initial = normalized;
            }
            initial ??= domains.FirstOrDefault(d => d.EndsWith(".onmicrosoft.com", StringComparison.OrdinalIgnoreCase));
            return new TenantSnapshot(session,
                org?.GetString("DisplayName") ?? org?.GetString("Name") ?? session.Organization,
                initial, domains, org?.GetBool("IsDehydrated") == true, relationships.Result, org?.GetBool("EwsEnabled"));
        }

        /// <summary>The relationships here that hold any of <paramref name="partnerDomains"/>.</summary>
        public List<AdminObject> RelationshipsCovering(IEnumerable<string> partnerDomains)
        {
            var wanted = new HashSet<string>(partnerDomains, StringComparer.OrdinalIgnoreCase);
            return Relationships.Where(r => r.GetStrings("DomainNames").Any(d => wanted.Contains(SmtpDomain.TryNormalize(d, out _) ?? d))).ToList();
        }
    }
}
