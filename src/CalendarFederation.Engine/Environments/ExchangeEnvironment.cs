using System;
using System.Collections.Generic;

namespace CalendarFederation.Engine.Environments
{
    /// <summary>
    /// A cloud: where its Microsoft-hosted Autodiscover answers (protocol notes 1.3), where sign-in happens
    /// and where the admin API lives (notes 4). Built-in clouds, or named custom ones (a private cloud, the sandbox).
    /// </summary>
    public sealed class ExchangeEnvironment
    {
        public ExchangeEnvironment(string name, Uri? autodiscoverEndpoint, Uri authority, Uri adminApi, bool isCustom = false, string? scope = null, Uri? graph = null)
        {
            Graph = graph ?? new Uri(adminApi.GetLeftPart(UriPartial.Authority));
            Name = name ?? throw new ArgumentNullException(nameof(name));
            AutodiscoverEndpoint = autodiscoverEndpoint;
            Authority = authority ?? throw new ArgumentNullException(nameof(authority));
            AdminApi = adminApi ?? throw new ArgumentNullException(nameof(adminApi));
            IsCustom = isCustom;
            Scope = scope ?? AdminApi.GetLeftPart(UriPartial.Authority) + "/.default";
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

        /// <summary>The OAuth scope for the admin API, "{admin host}/.default" (notes 4; for the sovereign clouds UNCONFIRMED).</summary>
        public string Scope { get; }

        /// <summary>The resource a managed identity asks for: the scope without "/.default".</summary>
        public string Resource => Scope.EndsWith("/.default", StringComparison.Ordinal) ? Scope.Substring(0, Scope.Length - "/.default".Length) : Scope;

        /// <summary>True for environments added at run time; MSAL then skips Microsoft's instance discovery.</summary>
        public bool IsCustom { get; }

        public const string O365Default = "O365Default";
        public const string O365USGovGCCHigh = "O365USGovGCCHigh";
        public const string O365USGovDoD = "O365USGovDoD";
        public const string O365China = "O365China";

        public static IReadOnlyList<ExchangeEnvironment> BuiltIn { get; } = new[]
        {
            new ExchangeEnvironment(O365Default,
                new Uri("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc"),
                new Uri("https://login.microsoftonline.com"), new Uri("https://outlook.office365.com"), graph: new Uri("https://graph.microsoft.com")),
            new ExchangeEnvironment(O365USGovGCCHigh,
                new Uri("https://autodiscover-s.office365.us/autodiscover/autodiscover.svc"),
                new Uri("https://login.microsoftonline.us"), new Uri("https://outlook.office365.us"), graph: new Uri("https://graph.microsoft.us")),
            new ExchangeEnvironment(O365USGovDoD,
                new Uri("https://autodiscover-s-dod.office365.us/autodiscover/autodiscover.svc"),
                new Uri("https://login.microsoftonline.us"), new Uri("https://outlook-dod.office365.us"), graph: new Uri("https://dod-graph.microsoft.us")),
            new ExchangeEnvironment(O365China,
                new Uri("https://autodiscover-s.partner.outlook.cn/autodiscover/autodiscover.svc"),
                new Uri("https://login.partner.microsoftonline.cn"), new Uri("https://partner.outlook.cn"), graph: new Uri("https://microsoftgraph.chinacloudapi.cn")),
        };

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
