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

    public static readonly string[] GraphResources =
    {
        "https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn",
        "00000003-0000-0000-c000-000000000000",
    };

    public static readonly string[] ExchangeResources =
    {
        "https://outlook.office365.com", "https://outlook.office.com", "https://outlook.office365.us", "https://outlook-dod.office365.us",
        "https://partner.outlook.cn", "00000002-0000-0ff1-ce00-000000000000",
    };

    /// <summary>
    /// The delegated permissions a token gets: every requested scope the client has consent for (".default" asks for all of
    /// them), restricted to the resource's API; the requested scopes without consent go to <see cref="ScopeGrant.Missing"/>.
    /// </summary>
    public ScopeGrant Grant(IReadOnlyCollection<string> consented)
    {
        var granted = new List<string>();
        var missing = new List<string>();
        List<string> forResource = consented.Where(c => ServesPermission(Resource, c)).ToList();
        foreach (string s in ResourceScopes)
        {
            string name = s.Substring(s.LastIndexOf('/') + 1);
            if (name.Equals(".default", StringComparison.OrdinalIgnoreCase))
            {
                granted.AddRange(forResource);
                continue;
            }
            string? match = forResource.FirstOrDefault(c => c.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (match != null) granted.Add(match);
            else missing.Add(name);
        }
        granted = granted.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var response = granted.Select(g => Resource + "/" + g).Concat(OidcScopes);
        return new ScopeGrant(granted, missing, string.Join(' ', response));
    }

    /// <summary>True when <paramref name="resource"/> is (or stands for) Microsoft Graph.</summary>
    public static bool IsGraph(string resource) =>
        GraphResources.Any(r => r.Equals(resource.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)) || IsSandboxOrigin(resource);

    /// <summary>True when <paramref name="resource"/> is (or stands for) Exchange Online.</summary>
    public static bool IsExchange(string resource) =>
        ExchangeResources.Any(r => r.Equals(resource.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)) || IsSandboxOrigin(resource);

    /// <summary>A permission belongs to Exchange Online ("Exchange.Manage", "Exchange.ManageAsApp", "EWS.*") or else to Microsoft Graph.</summary>
    public static bool IsExchangePermission(string permission) =>
        permission.StartsWith("Exchange.", StringComparison.OrdinalIgnoreCase) || permission.StartsWith("EWS.", StringComparison.OrdinalIgnoreCase)
        || permission.Equals("full_access_as_app", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a token for <paramref name="resource"/> can carry <paramref name="permission"/>: Exchange's for Exchange,
    /// Graph's for Graph, both for the sandbox's own origin (it serves both), any for another resource.
    /// </summary>
    public static bool ServesPermission(string resource, string permission)
    {
        if (IsSandboxOrigin(resource)) return true;
        bool exchange = IsExchangePermission(permission);
        if (IsExchange(resource)) return exchange;
        if (IsGraph(resource)) return !exchange;
        return true;
    }

    /// <summary>A loopback origin or a *.sandbox.test name: the sandbox itself, which is both the admin API and Graph.</summary>
    public static bool IsSandboxOrigin(string resource)
    {
        if (!Uri.TryCreate(resource, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "https" && uri.Scheme != "http")) return false;
        if (uri.Host.EndsWith(".sandbox.test", StringComparison.OrdinalIgnoreCase)) return true;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
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
        if (string.Equals(resource, "00000003-0000-0000-c000-000000000000", StringComparison.OrdinalIgnoreCase)) return true;
        if (config.Resources.Any(r => string.Equals(r.TrimEnd('/'), resource.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))) return true;
        if (!Uri.TryCreate(resource, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "https" && uri.Scheme != "http")) return false;
        if (uri.AbsolutePath != "/") return false;
        if (uri.Host.EndsWith(".sandbox.test", StringComparison.OrdinalIgnoreCase)) return true;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
    }
}

/// <summary>What a delegated token request gets: the permission names granted, those asked for without consent, and the response's scope string.</summary>
public sealed record ScopeGrant(IReadOnlyList<string> Granted, IReadOnlyList<string> Missing, string ResponseScope)
{
    /// <summary>The token's scp claim (space-separated names), or null when nothing was granted.</summary>
    public string? Scp => Granted.Count == 0 ? null : string.Join(' ', Granted);
}
