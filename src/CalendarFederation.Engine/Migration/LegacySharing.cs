using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Relationships;

namespace CalendarFederation.Engine.Migration
{
    /// <summary>A legacy object other than the relationship that also shares calendars with the partner (docs/cross-tenant-access.md §1.3, §1.4).</summary>
    public sealed class OtherLegacySharing
    {
        public OtherLegacySharing(string kind, string name, string detail, bool blocksCutover)
        {
            Kind = kind;
            Name = name;
            Detail = detail;
            BlocksCutover = blocksCutover;
        }

        /// <summary>"SharingPolicy" or "AvailabilityAddressSpace".</summary>
        public string Kind { get; }

        /// <summary>The policy's name, or the address space's ForestName.</summary>
        public string Name { get; }

        /// <summary>The rule ("fabrikam.com:CalendarSharingFreeBusyDetail") or the access method.</summary>
        public string Detail { get; }

        /// <summary>
        /// True when disabling the relationship while this stays would lose free/busy: it keeps the legacy path in effect
        /// (precedence), and on that path nothing answers any more (MigrationDecisions M7).
        /// </summary>
        public bool BlocksCutover { get; }

        public override string ToString() => Kind == "SharingPolicy" ? $"sharing policy '{Name}' rule '{Detail}'" : $"availability address space '{Name}' ({Detail})";
    }

    /// <summary>
    /// The Exchange side of one tenant, as the migration needs it: its relationships, its accepted domains, turning a
    /// relationship on or off, and the other legacy objects that share calendars. The admin API is one implementation;
    /// engine tests give another.
    /// </summary>
    public interface ILegacySharing
    {
        /// <summary>The relationship by name or GUID; null when there is none.</summary>
        Task<LegacyRelationship?> GetRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken);

        Task<IReadOnlyList<LegacyRelationship>> GetRelationshipsAsync(IEngineEvents events, CancellationToken cancellationToken);

        /// <summary>The tenant's accepted domains, normalised.</summary>
        Task<IReadOnlyList<string>> GetAcceptedDomainsAsync(IEngineEvents events, CancellationToken cancellationToken);

        /// <summary>Set-OrganizationRelationship -Enabled (no read-back).</summary>
        Task SetEnabledAsync(string identity, bool enabled, IEngineEvents events, CancellationToken cancellationToken);

        /// <summary>Sharing-policy rules and availability address spaces that name any of <paramref name="partnerDomains"/>.</summary>
        Task<IReadOnlyList<OtherLegacySharing>> GetOtherSharingAsync(IReadOnlyCollection<string> partnerDomains, IEngineEvents events, CancellationToken cancellationToken);
    }

    /// <summary><see cref="ILegacySharing"/> through the Exchange admin API.</summary>
    public sealed class AdminApiLegacySharing : ILegacySharing
    {
        private readonly AdminApiClient _api;

        public AdminApiLegacySharing(AdminApiClient api) => _api = api ?? throw new ArgumentNullException(nameof(api));

        public async Task<LegacyRelationship?> GetRelationshipAsync(string identity, IEngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                List<AdminObject> found = await new OrganizationRelationshipService(_api, events).GetAsync(identity, cancellationToken).ConfigureAwait(false);
                return found.Count == 0 ? null : new LegacyRelationship(found[0]);
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                return null;
            }
        }

        public async Task<IReadOnlyList<LegacyRelationship>> GetRelationshipsAsync(IEngineEvents events, CancellationToken cancellationToken)
        {
            List<AdminObject> all = await new OrganizationRelationshipService(_api, events).GetAsync(null, cancellationToken).ConfigureAwait(false);
            return all.Select(r => new LegacyRelationship(r)).ToArray();
        }

        public async Task<IReadOnlyList<string>> GetAcceptedDomainsAsync(IEngineEvents events, CancellationToken cancellationToken)
        {
            AdminApiResult result = await _api.InvokeAsync("Get-AcceptedDomain", Array.Empty<KeyValuePair<string, object?>>(), events, cancellationToken).ConfigureAwait(false);
            var domains = new List<string>();
            foreach (AdminObject d in result.Values)
            {
                string? normalized = SmtpDomain.TryNormalize(d.GetString("DomainName") ?? d.GetString("Name"), out _);
                if (normalized != null && !domains.Contains(normalized, StringComparer.OrdinalIgnoreCase)) domains.Add(normalized);
            }
            return domains;
        }

        public async Task SetEnabledAsync(string identity, bool enabled, IEngineEvents events, CancellationToken cancellationToken)
        {
            // Enabled changes carry Force:$true and Confirm:$false (OrganizationRelationshipService.WithoutServerPrompts): the
            // admin answered ShouldProcess already. No read-back here: the caller reads when it needs to know.
            var parameters = new List<KeyValuePair<string, object?>>
            {
                new KeyValuePair<string, object?>("Identity", identity),
                new KeyValuePair<string, object?>("Enabled", enabled),
            };
            AdminApiResult result = await _api.InvokeAsync("Set-OrganizationRelationship", OrganizationRelationshipService.WithoutServerPrompts("Set-OrganizationRelationship", parameters),
                events, cancellationToken).ConfigureAwait(false);
            foreach (string warning in result.Warnings) events.Verbose("Set-OrganizationRelationship: " + warning);
        }

        public async Task<IReadOnlyList<OtherLegacySharing>> GetOtherSharingAsync(IReadOnlyCollection<string> partnerDomains, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            var none = Array.Empty<KeyValuePair<string, object?>>();
            Task<AdminApiResult> policies = _api.InvokeAsync("Get-SharingPolicy", none, events, cancellationToken);
            Task<AdminApiResult> spaces = _api.InvokeAsync("Get-AvailabilityAddressSpace", none, events, cancellationToken);
            await Task.WhenAll(policies, spaces).ConfigureAwait(false);
            return LegacySharingRules.Find(policies.Result.Values, spaces.Result.Values, partnerDomains);
        }
    }

    /// <summary>Reading sharing-policy rules and availability address spaces (pure).</summary>
    public static class LegacySharingRules
    {
        /// <summary>The rules of enabled policies that give a partner domain a calendar action, and OrgWideFBToken address spaces for one.</summary>
        public static IReadOnlyList<OtherLegacySharing> Find(IEnumerable<AdminObject> sharingPolicies, IEnumerable<AdminObject> addressSpaces,
            IReadOnlyCollection<string> partnerDomains)
        {
            var domains = new HashSet<string>(partnerDomains.Select(d => SmtpDomain.TryNormalize(d, out _) ?? d), StringComparer.OrdinalIgnoreCase);
            var found = new List<OtherLegacySharing>();
            foreach (AdminObject policy in sharingPolicies)
            {
                if (policy.GetBool("Enabled") == false) continue;
                string name = policy.GetString("Name") ?? policy.GetString("Identity") ?? "";
                foreach (string rule in policy.GetStrings("Domains"))
                {
                    int colon = rule.IndexOf(':');
                    if (colon <= 0) continue;
                    string domain = rule.Substring(0, colon).Trim();
                    if (!domains.Contains(SmtpDomain.TryNormalize(domain, out _) ?? domain)) continue;
                    bool calendar = rule.Substring(colon + 1).Split(',').Any(a => a.Trim().StartsWith("CalendarSharingFreeBusy", StringComparison.OrdinalIgnoreCase));
                    if (calendar) found.Add(new OtherLegacySharing("SharingPolicy", name, rule.Trim(), blocksCutover: true));
                }
            }
            foreach (AdminObject space in addressSpaces)
            {
                string forest = space.GetString("ForestName") ?? space.GetString("Name") ?? "";
                string method = space.GetString("AccessMethod") ?? "";
                if (!string.Equals(method, "OrgWideFBToken", StringComparison.OrdinalIgnoreCase)) continue;
                if (!domains.Contains(SmtpDomain.TryNormalize(forest, out _) ?? forest)) continue;
                found.Add(new OtherLegacySharing("AvailabilityAddressSpace", forest, method, blocksCutover: false));
            }
            return found;
        }
    }
}
