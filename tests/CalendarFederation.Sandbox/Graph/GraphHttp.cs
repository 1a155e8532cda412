using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Graph;

/// <summary>A Graph error to answer with: {"error":{"code","message","innerError":{...}}} and its status.</summary>
public sealed class GraphException : Exception
{
    public GraphException(int status, string code, string message, string? denied = null)
        : base(message)
    {
        Status = status;
        Code = code;
        Denied = denied;
    }

    public int Status { get; }
    public string Code { get; }
    /// <summary>For a 403: what was missing ("scope ..." or "role ..."), logged in the request record, never sent.</summary>
    public string? Denied { get; }

    public const string ResourceNotFound = "Request_ResourceNotFound";
    public const string BadRequestDirectory = "Request_BadRequest";
    public const string RequestDenied = "Authorization_RequestDenied";
    public const string InsufficientPrivileges = "Insufficient privileges to complete the operation.";

    public static GraphException NotFound(string id) =>
        new(404, ResourceNotFound, $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    public static GraphException BadRequest(string message) => new(400, BadRequestDirectory, message);

    /// <summary>An OData-level refusal (bad JSON, unknown type or property): code "BadRequest".</summary>
    public static GraphException OData(string message) => new(400, "BadRequest", message);

    public static GraphException Forbidden(string what) => new(403, RequestDenied, InsufficientPrivileges, what);
}

/// <summary>Who called Graph: the token's tenant, app or user, delegated scopes or application roles, and the user's directory roles.</summary>
public sealed record GraphCaller(TenantConfig Tenant, AccessTokenInfo Token, bool IsApp, string? Upn, string? AppId,
    IReadOnlyList<string> Scopes, IReadOnlyList<string> AppRoles, IReadOnlyList<string> DirectoryRoles);

/// <summary>What the Graph endpoints share: the request record, bearer token validation and Graph's error and JSON answers.</summary>
public static class GraphHttp
{
    public const string GraphResource = "https://graph.microsoft.com";
    public const string GraphAppId = "00000003-0000-0000-c000-000000000000";
    public const string ContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

    /// <summary>A request record for the log, with service "graph"; logged when the answer starts.</summary>
    public static RequestRecord NewRecord(SandboxState state, HttpContext ctx)
    {
        var record = new RequestRecord
        {
            Service = "graph",
            Method = ctx.Request.Method,
            Scheme = ctx.Request.Scheme,
            Host = ctx.Request.Host.Host,
            Port = ctx.Connection.LocalPort,
            Path = ctx.Request.Path,
            Query = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value : null,
            UserAgent = ctx.Request.Headers.UserAgent.ToString(),
            HasAuthorization = ctx.Request.Headers.ContainsKey("Authorization"),
            HasCookie = ctx.Request.Headers.ContainsKey("Cookie"),
            ClientRequestId = ctx.Request.Headers.TryGetValue("client-request-id", out var crid) ? crid.ToString() : null,
            Prefer = ctx.Request.Headers.TryGetValue("Prefer", out var prefer) ? prefer.ToString() : null,
            RequestId = Guid.NewGuid().ToString(),
        };
        state.RecordWhenAnswered(ctx, record);
        return record;
    }

    public static bool IsVersion(string version) => version == "v1.0" || version == "beta";

    /// <summary>
    /// Validates the bearer token as Graph does (signature, lifetime, audience = this origin, Graph's URI or app id) and finds
    /// its tenant and caller; writes the 401 itself and returns null on failure.
    /// </summary>
    public static async Task<GraphCaller?> AuthenticateAsync(SandboxState state, HttpContext ctx, RequestRecord record)
    {
        string auth = ctx.Request.Headers.Authorization.ToString();
        string? token = auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth.Substring(7).Trim() : null;
        TokenProblem problem = state.Identity.Tokens.Validate(token, out AccessTokenInfo? info);
        if (problem != TokenProblem.None)
        {
            string why = problem switch
            {
                TokenProblem.Missing => "Access token is empty.",
                TokenProblem.Expired => "Lifetime validation failed, the token is expired.",
                TokenProblem.NotYetValid => "Lifetime validation failed, the token is not yet valid.",
                TokenProblem.BadSignature => "Access token validation failure. Invalid signature.",
                _ => "Access token validation failure. The token is malformed.",
            };
            await UnauthorizedAsync(ctx, record, why, problem.ToString());
            return null;
        }
        string origin = EntraEndpoints.Origin(ctx);
        var accepted = new[] { origin, "https://" + ctx.Request.Host.Value, GraphResource, GraphAppId };
        if (!info!.Audiences.Any(a => accepted.Contains(a.TrimEnd('/'), StringComparer.OrdinalIgnoreCase)))
        {
            await UnauthorizedAsync(ctx, record, "Access token validation failure. Invalid audience.", "Audience");
            return null;
        }
        TenantConfig? tenant = state.Config.Tenants.FirstOrDefault(t => t.Id == info.TenantId);
        if (tenant == null)
        {
            await UnauthorizedAsync(ctx, record, "Access token validation failure. Unknown tenant.", "Tenant");
            return null;
        }
        record.Tenant = tenant.Name;
        record.Caller = info.IsApp ? info.AppId : info.Upn;
        IReadOnlyList<string> scopes = (info.Jwt.Claim("scp") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        IReadOnlyList<string> directoryRoles = Array.Empty<string>();
        if (!info.IsApp)
        {
            // Roles are read from the directory (as Graph evaluates them at call time), in the tenant or a GDAP partner's.
            UserConfig? user = IdentityState.FindUser(tenant, info.ObjectId)
                ?? state.Identity.Partners(tenant).Select(p => IdentityState.FindUser(p, info.ObjectId)).FirstOrDefault(u => u != null);
            directoryRoles = user?.Roles.ToArray() ?? Array.Empty<string>();
        }
        return new GraphCaller(tenant, info, info.IsApp, info.Upn, info.AppId, scopes, info.IsApp ? info.Roles : Array.Empty<string>(), directoryRoles);
    }

    /// <summary>
    /// The tenant's Graph budget (GraphState.Throttle): a request before the last Retry-After ran out is a violation; over
    /// budget, 429 TooManyRequests with Retry-After (whole seconds until a token, at least 1). False when it answered.
    /// </summary>
    public static async Task<bool> TakeBudgetAsync(SandboxState state, HttpContext ctx, RequestRecord record, TenantConfig tenant)
    {
        AdminApi.TenantThrottle throttle = state.Graph.Throttle(tenant);
        string? early = throttle.CheckEarly($"{ctx.Request.Method} {ctx.Request.Path} (Graph)");
        if (early != null) state.AddViolation(early);
        if (throttle.TryTake(out int retryAfter)) return true;
        ctx.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        record.RetryAfter = retryAfter;
        throttle.NoteRetryAfter(retryAfter);
        await WriteErrorAsync(ctx, record, 429, "TooManyRequests", $"Too many requests. The tenant's Microsoft Graph budget is exhausted; retry after {retryAfter} seconds.");
        return false;
    }

    public static async Task UnauthorizedAsync(HttpContext ctx, RequestRecord record, string message, string reason)
    {
        ctx.Response.Headers.WWWAuthenticate =
            $"Bearer realm=\"\", authorization_uri=\"{EntraEndpoints.Origin(ctx)}/common/oauth2/authorize\", client_id=\"{GraphAppId}\"";
        await WriteErrorAsync(ctx, record, 401, "InvalidAuthenticationToken", message);
        record.Error = "Unauthorized:" + reason;
    }

    /// <summary>Graph's error body with innerError date, request-id (the same as the header) and client-request-id.</summary>
    public static JsonObject ErrorBody(RequestRecord record, string code, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["innerError"] = new JsonObject
            {
                ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
                ["request-id"] = record.RequestId ??= Guid.NewGuid().ToString(),
                ["client-request-id"] = record.ClientRequestId ?? record.RequestId,
            },
        },
    };

    public static Task WriteErrorAsync(HttpContext ctx, RequestRecord record, int status, string code, string message)
    {
        record.Error = code;
        return WriteJsonAsync(ctx, record, status, ErrorBody(record, code, message));
    }

    public static Task WriteErrorAsync(HttpContext ctx, RequestRecord record, GraphException ex)
    {
        if (ex.Denied != null) record.Denied = ex.Denied;
        return WriteErrorAsync(ctx, record, ex.Status, ex.Code, ex.Message);
    }

    /// <summary>Writes a JSON answer (or, with a null body, an empty one: 204) with Graph's headers.</summary>
    public static async Task WriteJsonAsync(HttpContext ctx, RequestRecord record, int status, JsonObject? body)
    {
        record.Status = status;
        ctx.Response.StatusCode = status;
        SetHeaders(ctx, record);
        if (body == null) return;
        ctx.Response.ContentType = ContentType;
        byte[] bytes = Encoding.UTF8.GetBytes(body.ToJsonString(Jwt.WireJson));
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    /// <summary>request-id (and client-request-id when the client sent one), as Graph returns them.</summary>
    public static void SetHeaders(HttpContext ctx, RequestRecord record)
    {
        ctx.Response.Headers["request-id"] = record.RequestId ??= Guid.NewGuid().ToString();
        if (record.ClientRequestId != null) ctx.Response.Headers["client-request-id"] = record.ClientRequestId;
    }
}
