using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Environments;

namespace CalendarFederation.Engine.Federation
{
    /// <summary>Where an organization relationship's partner runs, which decides whether the EWS retirement affects it.</summary>
    public enum PartnerKind
    {
        Unknown,
        /// <summary>Exchange Online: served over EWS inside the service, so it moves to the cross-tenant access policy.</summary>
        Microsoft365,
        /// <summary>Exchange Server in another organization: not affected for now (docs/cross-tenant-access.md §1.6).</summary>
        OnPremises,
        /// <summary>This tenant's own on-premises organization: moves to the hybrid app, not to the cross-tenant access policy.</summary>
        Hybrid,
    }

    /// <summary>
    /// Tells Microsoft 365 partners from on-premises and hybrid ones by the relationship's targets: Exchange Online answers
    /// discovery with ApplicationUri outlook.com, and its endpoints live on Microsoft's hosts (docs/protocol.md §1.2,
    /// docs/cross-tenant-access.md §4.1).
    /// </summary>
    public static class PartnerClassifier
    {
        /// <summary>Hosts (and their subdomains) that only Exchange Online serves, in every cloud.</summary>
        private static readonly string[] MicrosoftHosts =
        {
            "outlook.com", "office365.com", "outlook.office.com", "office365.us", "outlook.cn", "partner.outlook.cn",
        };

        public static PartnerKind Classify(AdminObject relationship, IEnumerable<string> ownDomains, ExchangeEnvironment? environment = null)
        {
            string name = relationship.GetString("Name") ?? "";
            var own = new HashSet<string>(ownDomains, StringComparer.OrdinalIgnoreCase);
            // The Hybrid Configuration Wizard names its relationship "O365 to On-premises - <guid>", for the tenant's own domains.
            if (name.StartsWith("O365 to On-premises", StringComparison.OrdinalIgnoreCase)
                || relationship.GetStrings("DomainNames").Any(d => own.Contains(d)))
            {
                return PartnerKind.Hybrid;
            }
            return ClassifyTargets(relationship.GetString("TargetApplicationUri"), relationship.GetString("TargetAutodiscoverEpr"),
                relationship.GetString("TargetSharingEpr"), environment);
        }

        /// <summary>Microsoft 365, on-premises, or unknown (no targets), from a relationship's TargetApplicationUri and endpoints alone.</summary>
        public static PartnerKind ClassifyTargets(string? application, string? autodiscoverEpr, string? sharingEpr, ExchangeEnvironment? environment = null)
        {
            if (string.Equals(application?.Trim().TrimEnd('/'), "outlook.com", StringComparison.OrdinalIgnoreCase)) return PartnerKind.Microsoft365;
            string?[] targets = { autodiscoverEpr, sharingEpr };
            foreach (string? target in targets)
            {
                if (!Uri.TryCreate(target, UriKind.Absolute, out Uri? uri)) continue;
                if (IsMicrosoftHost(uri.Host, environment)) return PartnerKind.Microsoft365;
            }
            if (!string.IsNullOrWhiteSpace(application) || targets.Any(t => !string.IsNullOrWhiteSpace(t))) return PartnerKind.OnPremises;
            return PartnerKind.Unknown;
        }

        public static bool IsMicrosoftHost(string host, ExchangeEnvironment? environment = null)
        {
            if (environment != null)
            {
                if (environment.AutodiscoverEndpoint != null && string.Equals(environment.AutodiscoverEndpoint.Host, host, StringComparison.OrdinalIgnoreCase)) return true;
            }
            return MicrosoftHosts.Any(h => string.Equals(host, h, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + h, StringComparison.OrdinalIgnoreCase));
        }
    }
}
