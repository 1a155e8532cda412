using System.Net;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Identity;

/// <summary>
/// A parsed scope parameter: one resource ("https://host:port" from "https://host:port/.default") plus OpenID
/// scopes. Entra ID accepts one resource per request; the token's aud is that resource.
/// </summary>
public sealed record ScopeRequest(string Raw, string Resource, IReadOnlyList<string> ResourceScopes, IReadOnlyList<string> OidcScopes)
{
    public static readonly string[] Oidc = { "openid", "profile", "offline_access", "email" };

    /// <summary>The scope string a delegated token response carries.</summary>
    public string Granted
    {
        get
        {
            var list = new List<string>();
            string manage = Resource + "/Exchange.Manage";
            list.Add(manage);
            list.AddRange(ResourceScopes.Where(s => !string.Equals(s, manage, StringComparison.OrdinalIgnoreCase)));
            list.AddRange(OidcScopes);
            return string.Join(' ', list);
        }
    }

    public static ScopeRequest? Parse(string? raw, SandboxConfig config, string tenantName, bool clientCredentials, out AadError? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            error = clientCredentials ? AadError.MissingParameter("scope") : AadError.InvalidScope("''");
            return null;
        }
        string[] parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var oidc = parts.Where(p => Oidc.Contains(p, StringComparer.OrdinalIgnoreCase)).Select(p => p.ToLowerInvariant()).Distinct().ToList();
        var resourceScopes = parts.Where(p => !Oidc.Contains(p, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var resources = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string s in resourceScopes)
        {
            int slash = s.LastIndexOf('/');
            bool isUri = s.Contains("://", StringComparison.Ordinal);
            if (slash <= 0 || (isUri && slash < s.IndexOf("://", StringComparison.Ordinal) + 3) || slash == s.Length - 1)
            {
                error = AadError.InvalidScope(s);
                return null;
            }
            resources.Add(s.Substring(0, slash).TrimEnd('/'));
        }
        if (clientCredentials)
        {
            if (resourceScopes.Count != 1 || !resourceScopes[0].EndsWith("/.default", StringComparison.OrdinalIgnoreCase) || oidc.Count > 0)
            {
                error = AadError.ClientCredentialsScope(raw);
                return null;
            }
        }
        if (resources.Count > 1)
        {
            error = AadError.MultipleResources();
            return null;
        }
        // Only OpenID scopes: Entra ID answers with a Microsoft Graph token.
        string resource = resources.FirstOrDefault() ?? "https://graph.microsoft.com";
        if (!IsKnownResource(resource, config))
        {
            error = AadError.UnknownResource(resource, tenantName);
            return null;
        }
        return new ScopeRequest(raw, resource, resourceScopes, oidc);
    }

    /// <summary>
    /// Any http(s) origin on a loopback host (the sandbox itself), the *.sandbox.test names the test proxy resolves to it,
    /// the configured resources, Exchange's app id.
    /// </summary>
    public static bool IsKnownResource(string resource, SandboxConfig config)
    {
        if (string.Equals(resource, "00000002-0000-0ff1-ce00-000000000000", StringComparison.OrdinalIgnoreCase)) return true;
        if (config.Resources.Any(r => string.Equals(r.TrimEnd('/'), resource.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))) return true;
        if (!Uri.TryCreate(resource, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "https" && uri.Scheme != "http")) return false;
        if (uri.AbsolutePath != "/") return false;
        if (uri.Host.EndsWith(".sandbox.test", StringComparison.OrdinalIgnoreCase)) return true;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
    }
}
