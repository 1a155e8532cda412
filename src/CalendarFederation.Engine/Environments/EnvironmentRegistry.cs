using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Environments
{
    /// <summary>
    /// The built-in clouds plus named custom environments (like Az's Add-AzEnvironment), so the sandbox or a
    /// private cloud is one -ExchangeEnvironmentName away. Process-wide: it is configuration, not a connection.
    /// </summary>
    public static class EnvironmentRegistry
    {
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, ExchangeEnvironment> Custom = new Dictionary<string, ExchangeEnvironment>(StringComparer.OrdinalIgnoreCase);

        public static IReadOnlyList<ExchangeEnvironment> All
        {
            get
            {
                lock (Gate) return ExchangeEnvironment.BuiltIn.Concat(Custom.Values.OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
            }
        }

        public static ExchangeEnvironment? Find(string? name)
        {
            if (string.IsNullOrEmpty(name)) return null;
            ExchangeEnvironment? builtIn = ExchangeEnvironment.FindBuiltIn(name);
            if (builtIn != null) return builtIn;
            lock (Gate) return Custom.TryGetValue(name!, out ExchangeEnvironment? e) ? e : null;
        }

        /// <summary>Adds or replaces a custom environment. Endpoints must be https, or http to a loopback host.</summary>
        public static ExchangeEnvironment Add(string name, Uri? autodiscoverEndpoint, Uri authority, Uri adminApi, string? scope, Uri? graph = null)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("The environment needs a name.", nameof(name));
            if (ExchangeEnvironment.FindBuiltIn(name) != null) throw new ArgumentException($"'{name}' is a built-in environment and cannot be replaced.", nameof(name));
            if (authority.Scheme != Uri.UriSchemeHttps) throw new ArgumentException($"The sign-in authority must use https: {authority}.", nameof(authority));
            RequireSecure(adminApi, nameof(adminApi));
            if (autodiscoverEndpoint != null) RequireSecure(autodiscoverEndpoint, nameof(autodiscoverEndpoint));
            if (graph != null) RequireSecure(graph, nameof(graph));
            var environment = new ExchangeEnvironment(name.Trim(), autodiscoverEndpoint, authority, adminApi, isCustom: true, scope: scope, graph: graph);
            lock (Gate) Custom[environment.Name] = environment;
            return environment;
        }

        public static bool Remove(string name)
        {
            lock (Gate) return Custom.Remove(name);
        }

        private static void RequireSecure(Uri uri, string parameter)
        {
            if (!uri.IsAbsoluteUri || !Loopback.IsAllowedScheme(uri))
            {
                throw new ArgumentException($"'{uri}' must be an absolute https URL (plain http only to a loopback host).", parameter);
            }
        }
    }
}
