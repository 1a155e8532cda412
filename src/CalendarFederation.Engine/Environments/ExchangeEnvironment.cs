using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.Environments
{
    /// <summary>
    /// A cloud: where its Microsoft-hosted Autodiscover answers (docs/protocol.md §1.3), where sign-in happens
    /// and where the admin API lives (docs/protocol.md §4, docs/protocol-evidence.md §3). Built-in clouds, or named
    /// custom ones (a private cloud, the sandbox).
    /// </summary>
    public sealed class ExchangeEnvironment
    {
        public ExchangeEnvironment(string name, Uri? autodiscoverEndpoint, Uri authority, Uri adminApi, bool isCustom = false, string? scope = null, Uri? graph = null,
            IEnumerable<string>? adminApiAliases = null)
        {
            Graph = graph ?? new Uri(adminApi.GetLeftPart(UriPartial.Authority));
            Name = name ?? throw new ArgumentNullException(nameof(name));
            AutodiscoverEndpoint = autodiscoverEndpoint;
            Authority = authority ?? throw new ArgumentNullException(nameof(authority));
            AdminApi = adminApi ?? throw new ArgumentNullException(nameof(adminApi));
            IsCustom = isCustom;
            Scope = scope ?? AdminApi.GetLeftPart(UriPartial.Authority) + "/.default";
            var hosts = new List<string> { AdminApi.Host };
            foreach (string alias in adminApiAliases ?? Array.Empty<string>())
            {
                if (!hosts.Contains(alias, StringComparer.OrdinalIgnoreCase)) hosts.Add(alias);
            }
            AdminApiHosts = hosts;
        }

        public string Name { get; }

        /// <summary>The cloud's own Autodiscover endpoint, asked first when discovering a partner; null when the cloud has none.</summary>
        public Uri? AutodiscoverEndpoint { get; }

        /// <summary>The sign-in authority host, e.g. https://login.microsoftonline.com.</summary>
        public Uri Authority { get; }

        /// <summary>The Exchange admin API host (ConnectionUri), e.g. https://outlook.office365.com.</summary>
        public Uri AdminApi { get; }

        /// <summary>Microsoft Graph for this cloud; Test-OrganizationRelationship's free/busy probe uses its getSchedule.</summary>
        public Uri Graph { get; }

        public string GraphScope => Graph.GetLeftPart(UriPartial.Authority) + "/.default";

        /// <summary>The OAuth scope for the admin API, "{admin host}/.default" (docs/protocol-evidence.md, clouds).</summary>
        public string Scope { get; }

        /// <summary>
        /// The hosts this cloud's admin API answers on: the admin API host first, then the aliases the service itself hands
        /// out (a next-page link of a worldwide answer may name outlook.office.com). A next-page link on one of them is
        /// followed with the token; any other host is refused (docs/protocol-evidence.md, paging host).
        /// </summary>
        public IReadOnlyList<string> AdminApiHosts { get; }

        /// <summary>The resource a managed identity asks for: the scope without "/.default".</summary>
        public string Resource => Scope.EndsWith("/.default", StringComparison.Ordinal) ? Scope.Substring(0, Scope.Length - "/.default".Length) : Scope;

        /// <summary>True for environments added at run time; MSAL then skips Microsoft's instance discovery.</summary>
        public bool IsCustom { get; }

        public const string O365Default = "O365Default";
        public const string O365USGovGCCHigh = "O365USGovGCCHigh";
        public const string O365USGovDoD = "O365USGovDoD";
        public const string O365China = "O365China";

        /// <summary>
        /// The built-in clouds. Hosts and scopes, and the evidence for each, are in docs/protocol-evidence.md ("Clouds"):
        /// the admin API host is Connect-ExchangeOnline's ConnectionUri host and Microsoft's CSS-Exchange endpoint table
        /// (Shared/AzureFunctions/Get-CloudServiceEndpoint.ps1); the scope is "{that host}/.default". For 21Vianet that is
        /// partner.outlook.cn (not outlook.office365.cn, which the admin API preview docs print and which stays an alias).
        /// </summary>
        public static IReadOnlyList<ExchangeEnvironment> BuiltIn { get; } = new[]
        {
            new ExchangeEnvironment(O365Default,
                new Uri("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc"),
                new Uri("https://login.microsoftonline.com"), new Uri("https://outlook.office365.com"), graph: new Uri("https://graph.microsoft.com"),
                adminApiAliases: new[] { "outlook.office.com" }),
            new ExchangeEnvironment(O365USGovGCCHigh,
                new Uri("https://autodiscover-s.office365.us/autodiscover/autodiscover.svc"),
                new Uri("https://login.microsoftonline.us"), new Uri("https://outlook.office365.us"), graph: new Uri("https://graph.microsoft.us")),
            new ExchangeEnvironment(O365USGovDoD,
                new Uri("https://autodiscover-s-dod.office365.us/autodiscover/autodiscover.svc"),
                new Uri("https://login.microsoftonline.us"), new Uri("https://outlook-dod.office365.us"), graph: new Uri("https://dod-graph.microsoft.us"),
                adminApiAliases: new[] { "webmail.apps.mil" }),
            new ExchangeEnvironment(O365China,
                new Uri("https://autodiscover-s.partner.outlook.cn/autodiscover/autodiscover.svc"),
                new Uri("https://login.partner.microsoftonline.cn"), new Uri("https://partner.outlook.cn"), graph: new Uri("https://microsoftgraph.chinacloudapi.cn"),
                adminApiAliases: new[] { "outlook.office365.cn" }),
        };

        /// <summary>
        /// The admin API hosts of the built-in cloud whose admin API answers on <paramref name="host"/> (its aliases
        /// included); empty for any other host (a custom environment, the sandbox, a -ConnectionUri override).
        /// </summary>
        public static IReadOnlyList<string> KnownAdminApiHosts(string host)
        {
            foreach (ExchangeEnvironment e in BuiltIn)
            {
                if (e.AdminApiHosts.Contains(host, StringComparer.OrdinalIgnoreCase)) return e.AdminApiHosts;
            }
            return Array.Empty<string>();
        }

        public static ExchangeEnvironment? FindBuiltIn(string? name)
        {
            foreach (ExchangeEnvironment e in BuiltIn)
            {
                if (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)) return e;
            }
            return null;
        }

        public override string ToString() => Name;
    }
}
