using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace CalendarFederation.Sandbox.Tests.Support;

/// <summary>One Graph call's answer: status, body text and the headers a client reads.</summary>
public sealed record GraphCall(HttpStatusCode Status, string Text, HttpResponseHeaders Headers, string? ContentType)
{
    public JsonObject Json => JsonNode.Parse(Text)!.AsObject();

    public JsonArray Value => Json["value"]!.AsArray();

    public string? Header(string name) => Headers.TryGetValues(name, out IEnumerable<string>? v) ? string.Join(",", v) : null;
}

/// <summary>Names from sandbox.json the X-TAP tests use.</summary>
public static class XtapKnown
{
    public const string GraphResource = "https://graph.microsoft.com";
    public const string GraphCli = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
    public const string ContosoGlobalAdmin = "globaladmin@contoso.onmicrosoft.com";
    public const string ContosoSecurityAdmin = "secadmin@contoso.onmicrosoft.com";
    public const string FabrikamGlobalAdmin = "globaladmin@fabrikam.onmicrosoft.com";
    public const string FabrikamSecurityAdmin = "secadmin@fabrikam.onmicrosoft.com";
    public const string TailspinId = "1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a33";
    public const string LitwareId = "2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44";
    /// <summary>contoso's CalendarSharing group (alex, room1) and AllStaff; fabrikam's FreeBusyShared (lee).</summary>
    public const string ContosoCalendarSharingGroup = "c0000a00-0000-4000-8000-000000000001";
    public const string FabrikamFreeBusySharedGroup = "f0000a00-0000-4000-8000-000000000001";
    public const string AlexObjectId = "c0000001-0000-4000-8000-000000000003";
    public const string LeeObjectId = "f0000001-0000-4000-8000-000000000002";
    public const string PartnersPath = "/policies/crossTenantAccessPolicy/partners";
    public const string DefaultPath = "/policies/crossTenantAccessPolicy/default";

    public static readonly string[] PolicyScopes =
    {
        "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess", "Policy.ReadWrite.CrossTenantCapability", "CrossTenantInformation.ReadBasic.All",
    };
}

public static class GraphHelpers
{
    /// <summary>A Graph call on the https origin ("/v1.0" + path unless the path starts with a version or is absolute).</summary>
    public static async Task<GraphCall> GraphAsync(this AuthSandbox sandbox, HttpMethod method, string path, string? token, object? body = null,
        string? rawBody = null, string? clientRequestId = null, string? prefer = null)
    {
        string url = path.StartsWith("http", StringComparison.Ordinal) ? path
            : sandbox.Origin + (path.StartsWith("/v1.0/", StringComparison.Ordinal) || path.StartsWith("/beta/", StringComparison.Ordinal) ? path : "/v1.0" + path);
        using var request = new HttpRequestMessage(method, url);
        if (body != null || rawBody != null)
        {
            request.Content = new StringContent(rawBody ?? (body is JsonNode node ? node.ToJsonString() : JsonSerializer.Serialize(body)), Encoding.UTF8, "application/json");
        }
        if (token != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("client-request-id", clientRequestId ?? Guid.NewGuid().ToString());
        if (prefer != null) request.Headers.TryAddWithoutValidation("Prefer", prefer);
        HttpResponseMessage response = await sandbox.Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new GraphCall(response.StatusCode, text, response.Headers, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>An app-only token for Microsoft Graph (https://graph.microsoft.com/.default).</summary>
    public static Task<string> GraphAppTokenAsync(this AuthSandbox sandbox, string tenant, string appId, string secret) =>
        sandbox.ClientCredentialsTokenAsync(tenant, appId, secret, XtapKnown.GraphResource);

    /// <summary>
    /// Signs in interactively by raw HTTP (authorize without a UI, then the code with PKCE) as <paramref name="upn"/> with
    /// <paramref name="clientId"/> for <paramref name="scopes"/> on <paramref name="resource"/>; the token response (or the error).
    /// </summary>
    public static async Task<(HttpStatusCode Status, JsonObject Body)> DelegatedAsync(this AuthSandbox sandbox, string tenant, string upn,
        IEnumerable<string> scopes, string clientId = XtapKnown.GraphCli, string resource = XtapKnown.GraphResource)
    {
        (string verifier, string challenge) = Hand.Pkce();
        string redirect = "http://localhost:4321/cb";
        string scope = string.Join(' ', scopes.Select(s => resource + "/" + s)) + " offline_access openid profile";
        string url = $"{sandbox.Origin}/{tenant}/oauth2/v2.0/authorize?client_id={clientId}&response_type=code" +
            $"&redirect_uri={Uri.EscapeDataString(redirect)}&scope={Uri.EscapeDataString(scope)}&state=s1&code_challenge={challenge}&code_challenge_method=S256" +
            "&login_hint=" + Uri.EscapeDataString(upn);
        using HttpResponseMessage authz = await sandbox.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Found, authz.StatusCode);
        var query = System.Web.HttpUtility.ParseQueryString(authz.Headers.Location!.Query);
        string code = query["code"] ?? throw new InvalidOperationException("No code: " + authz.Headers.Location);
        return await sandbox.PostFormAsync($"/{tenant}/oauth2/v2.0/token", new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["code"] = code,
            ["redirect_uri"] = redirect,
            ["code_verifier"] = verifier,
            ["scope"] = scope,
        });
    }

    /// <summary>A delegated Graph token (the default: Graph Command Line Tools with the four policy scopes).</summary>
    public static async Task<string> DelegatedTokenAsync(this AuthSandbox sandbox, string tenant, string upn, IEnumerable<string>? scopes = null,
        string clientId = XtapKnown.GraphCli, string resource = XtapKnown.GraphResource)
    {
        (HttpStatusCode status, JsonObject body) = await sandbox.DelegatedAsync(tenant, upn, scopes ?? XtapKnown.PolicyScopes, clientId, resource);
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return (string)body["access_token"]!;
    }

    /// <summary>Asserts Graph's error shape: status, code, message, innerError date/request-id/client-request-id, and the request-id header.</summary>
    public static void GraphError(GraphCall r, HttpStatusCode status, string code, string? message = null)
    {
        Assert.True(r.Status == status, $"Expected {(int)status}, got {(int)r.Status}: {r.Text}");
        JsonObject error = r.Json["error"]!.AsObject();
        Assert.Equal(new[] { "code", "innerError", "message" }, ExchangeAssert.Keys(error));
        Assert.Equal(code, (string?)error["code"]);
        if (message != null) Assert.Equal(message, (string?)error["message"]);
        JsonObject inner = error["innerError"]!.AsObject();
        Assert.Equal(new[] { "client-request-id", "date", "request-id" }, ExchangeAssert.Keys(inner));
        Assert.True(DateTime.TryParse((string?)inner["date"], out _));
        Assert.Equal(r.Header("request-id"), (string?)inner["request-id"]);
        Assert.Equal(r.Header("client-request-id"), (string?)inner["client-request-id"]);
    }

    public const string Insufficient = "Insufficient privileges to complete the operation.";

    /// <summary>A capability body as the docs show it: @odata.type, inboundAccess {isAllowed, resourceScopes {included, excluded}}.</summary>
    public static JsonObject Capability(string name, bool allowed, IEnumerable<(string Id, string Type)> included, IEnumerable<(string Id, string Type)>? excluded = null) => new()
    {
        ["@odata.type"] = "#microsoft.graph." + name,
        ["inboundAccess"] = new JsonObject
        {
            ["isAllowed"] = allowed,
            ["resourceScopes"] = new JsonObject
            {
                ["included"] = new JsonArray(included.Select(i => (JsonNode?)new JsonObject { ["resourceId"] = i.Id, ["resourceType"] = i.Type }).ToArray()),
                ["excluded"] = new JsonArray((excluded ?? Array.Empty<(string, string)>()).Select(i => (JsonNode?)new JsonObject { ["resourceId"] = i.Item1, ["resourceType"] = i.Item2 }).ToArray()),
            },
        },
    };

    /// <summary>The trust the guide writes: {"m365CollaborationInbound":{"users":{"accessType","targets":[{"target":"AllUsers","targetType":"user"}]}}}.</summary>
    public static JsonObject Trust(string accessType = "allowed", string target = "AllUsers", string targetType = "user") => new()
    {
        ["m365CollaborationInbound"] = new JsonObject
        {
            ["users"] = new JsonObject
            {
                ["accessType"] = accessType,
                ["targets"] = new JsonArray(new JsonObject { ["target"] = target, ["targetType"] = targetType }),
            },
        },
    };

    public static async Task<List<JsonObject>> GraphRequestsAsync(this AuthSandbox sandbox) =>
        (await sandbox.RequestsAsync()).Where(r => (string?)r["service"] == "graph").ToList();
}
