using System;
using System.Collections.Generic;

namespace CalendarFederation.Engine.Graph
{
    /// <summary>
    /// The Microsoft Graph hosts of each built-in cloud. A next-page link is followed, with the token, only to the host the
    /// client was made for or to a known Graph host of the same cloud; anything else is never sent a token.
    /// </summary>
    public static class GraphHosts
    {
        // One entry per cloud (ExchangeEnvironment.BuiltIn's Graph endpoints); the set is the cloud's hosts.
        private static readonly string[][] Clouds =
        {
            new[] { "graph.microsoft.com" },
            new[] { "graph.microsoft.us" },
            new[] { "dod-graph.microsoft.us" },
            new[] { "microsoftgraph.chinacloudapi.cn" },
        };

        /// <summary>The hosts a token for <paramref name="graph"/> may be sent to: its own, and its cloud's known Graph hosts.</summary>
        public static IReadOnlyCollection<string> TrustedFor(Uri graph)
        {
            var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { graph.Host };
            foreach (string[] cloud in Clouds)
            {
                if (Array.Exists(cloud, h => string.Equals(h, graph.Host, StringComparison.OrdinalIgnoreCase)))
                {
                    foreach (string h in cloud) hosts.Add(h);
                }
            }
            return hosts;
        }
    }
}
