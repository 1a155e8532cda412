using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>
/// Exchange Online's REST admin API: POST /adminapi/{beta|v2.0}/{tenant}/InvokeCommand with
/// {"CmdletInput":{"CmdletName":..,"Parameters":{..}}} and a bearer token from the sandbox's Entra ID.
/// </summary>
public sealed class AdminApiEndpoint
{
    public const string ExchangeAppId = "00000002-0000-0ff1-ce00-000000000000";
    public const string ExchangeResource = "https://outlook.office365.com";
    public const string ManageAsApp = "Exchange.ManageAsApp";
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    private static readonly string[] AdminRoles = { "Exchange Administrator", "Global Administrator" };

    /// <summary>
    /// The Entra roles Microsoft supports for app-only access to Exchange Online PowerShell ("App-only authentication for
    /// unattended scripts", office-docs-powershell exchange/docs-conceptual/app-only-auth-powershell-v2.md, Step 5).
    /// </summary>
    public static readonly string[] AppOnlyRoles =
    {
        "Compliance Administrator", "Exchange Administrator", "Exchange Recipient Administrator", "Global Administrator",
        "Global Reader", "Helpdesk Administrator", "Security Administrator", "Security Reader",
    };

    private readonly SandboxState _state;

    public AdminApiEndpoint(SandboxState state) => _state = state;

    public void Map(WebApplication app)
    {
        app.MapPost("/adminapi/{version}/{tenant}/InvokeCommand", HandleAsync);
    }

    private async Task HandleAsync(HttpContext ctx, string version, string tenant)
    {
        var record = new RequestRecord
        {
            Service = "adminapi",
            Method = ctx.Request.Method,
            Scheme = ctx.Request.Scheme,
            Host = ctx.Request.Host.Host,
            Port = ctx.Connection.LocalPort,
            Path = ctx.Request.Path,
            Query = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value : null,
            UserAgent = ctx.Request.Headers.UserAgent.ToString(),
            HasAuthorization = ctx.Request.Headers.ContainsKey("Authorization"),
            HasCookie = ctx.Request.Headers.ContainsKey("Cookie"),
            Tenant = tenant,
            AnchorMailbox = Header(ctx, "X-AnchorMailbox"),
            ClientRequestId = Header(ctx, "client-request-id"),
            Prefer = Header(ctx, "Prefer"),
            CmdletNameHeader = Header(ctx, "X-CmdletName"),
        };
        _state.RecordWhenAnswered(ctx, record);
        TenantThrottle? throttle = null;
        try
        {
            if (version != "beta" && version != "v2.0")
            {
                await WriteJsonAsync(ctx, record, 404, JsonFaultWriter.DefaultError(404));
                return;
            }
            TenantConfig? t = _state.Config.FindTenant(tenant);
            if (t == null)
            {
                await WriteErrorAsync(ctx, record, new ExchangeErrorException("TenantNotFound", "Microsoft.Exchange.Management.Tasks.TenantNotFoundException",
                    $"The tenant '{tenant}' could not be found.", 404));
                return;
            }
            record.Tenant = t.Name;
            throttle = _state.AdminApi.Throttle(t);
            int inFlight = throttle.Enter();
            string? early = throttle.CheckEarly($"{ctx.Request.Method} {ctx.Request.Path}");
            if (early != null) _state.AddViolation(early);

            // Authentication and authorization
            AdminCaller? caller = await AuthorizeAsync(ctx, record, t);
            if (caller == null) return;
            record.Caller = caller.IsApp ? caller.AppId : caller.Upn;

            // Body
            string cmdletName;
            Dictionary<string, JsonElement> parameters;
            try
            {
                using JsonDocument doc = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                if (!doc.RootElement.TryGetProperty("CmdletInput", out JsonElement input) || input.ValueKind != JsonValueKind.Object
                    || !input.TryGetProperty("CmdletName", out JsonElement name) || name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
                {
                    await WriteErrorAsync(ctx, record, new ExchangeErrorException("InvalidRequest", "Microsoft.Exchange.Admin.OData.Core.ODataBadRequestException",
                        "The request body must be {\"CmdletInput\":{\"CmdletName\":\"...\",\"Parameters\":{...}}}."));
                    return;
                }
                cmdletName = name.GetString()!;
                parameters = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
                if (input.TryGetProperty("Parameters", out JsonElement ps) && ps.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty p in ps.EnumerateObject()) parameters[p.Name] = p.Value.Clone();
                }
            }
            catch (JsonException ex)
            {
                await WriteErrorAsync(ctx, record, new ExchangeErrorException("InvalidRequest", "Microsoft.Exchange.Admin.OData.Core.ODataBadRequestException",
                    "The request body is not valid JSON: " + ex.Message));
                return;
            }
            record.CmdletName = cmdletName;
            record.ParameterNames = parameters.Keys.ToList();
            string verb = cmdletName.Split('-')[0];
            record.IsWrite = !verb.Equals("Get", StringComparison.OrdinalIgnoreCase) && !verb.Equals("Test", StringComparison.OrdinalIgnoreCase);
            if (parameters.TryGetValue("WhatIf", out JsonElement whatIf))
            {
                record.WhatIf = whatIf.ValueKind == JsonValueKind.True || (whatIf.ValueKind == JsonValueKind.String && bool.TryParse(whatIf.GetString(), out bool w) && w);
            }

            // Throttling: the tenant's budget, then its concurrency cap
            if (!throttle.TryTake(out int retryAfter))
            {
                ctx.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                record.RetryAfter = retryAfter;
                throttle.NoteRetryAfter(retryAfter);
                await WriteJsonAsync(ctx, record, 429, ExchangeErrorException.Render("TooManyRequests",
                    $"The tenant's request budget is exhausted. Retry after {retryAfter} seconds.",
                    $"|Microsoft.Exchange.Admin.OData.Core.ThrottlingException|The tenant's request budget is exhausted. Retry after {retryAfter} seconds.",
                    "Too many requests.", "Microsoft.Exchange.Admin.OData.Core.ThrottlingException", "Throttled"));
                return;
            }
            if (throttle.MaxConcurrent != null && inFlight > throttle.MaxConcurrent)
            {
                record.Status = 429;
                record.Error = "ConcurrencyLimit";
                ctx.Response.StatusCode = 429;
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync(JsonFaultWriter.ConcurrencyText, ctx.RequestAborted);
                return;
            }

            int latency = _state.LatencyMs + t.LatencyMs;
            if (latency > 0) await SandboxDelay.AtLeastAsync(latency, ctx.RequestAborted);

            FaultRule? fault = _state.MatchFault("adminapi", ctx.Request.Method, ctx.Request.Host.Host, ctx.Connection.LocalPort, ctx.Request.Path, null, t, cmdletName);
            record.Fault = fault?.Id;
            if (fault != null)
            {
                bool handled = await JsonFaultWriter.ApplyAsync(ctx, fault,
                    async () =>
                    {
                        (int s, JsonObject? b) = await RunAsync(ctx, t, caller, cmdletName, parameters, version, tenant, record.AnchorMailbox);
                        return (s, b?.ToJsonString(CalendarFederation.Sandbox.Identity.Jwt.WireJson) ?? "");
                    },
                    seconds =>
                    {
                        record.RetryAfter = seconds;
                        throttle.NoteRetryAfter(seconds);
                    });
                if (handled)
                {
                    record.Status = ctx.Response.StatusCode;
                    return;
                }
            }

            (int status, JsonObject? body) = await RunAsync(ctx, t, caller, cmdletName, parameters, version, tenant, record.AnchorMailbox);
            if (body == null)
            {
                record.Status = 204;
                ctx.Response.StatusCode = 204;
                return;
            }
            await WriteJsonAsync(ctx, record, status, body);
        }
        finally
        {
            throttle?.Leave();
            if (record.Status == 0) record.Status = ctx.Response.StatusCode;
            _state.Record(record);
        }
    }

    /// <summary>Dispatches to the cmdlet and builds the answer, one page of it. A null body means 204.</summary>
    private async Task<(int, JsonObject?)> RunAsync(HttpContext ctx, TenantConfig tenant, AdminCaller caller, string cmdletName,
        Dictionary<string, JsonElement> parameters, string version, string routeTenant, string? anchorMailbox)
    {
        IAdminCmdlet? cmdlet = _state.AdminApi.Cmdlets.Find(cmdletName);
        if (cmdlet == null) return Error(ExchangeErrorException.CommandNotFound(cmdletName));
        foreach (string p in parameters.Keys)
        {
            if (!CmdletContext.IsCommonParameter(p) && !cmdlet.Parameters.Contains(p, StringComparer.OrdinalIgnoreCase))
            {
                return Error(ExchangeErrorException.ParameterNotFound(cmdlet.Name, p));
            }
        }
        // The binder turns only annotated objects into hashtables (real clients all annotate: CIPP, ExoHelper).
        foreach (KeyValuePair<string, JsonElement> p in parameters)
        {
            if (p.Value.ValueKind == JsonValueKind.Object && !IsGenericHashTable(p.Value))
            {
                return Error(ExchangeErrorException.UnannotatedHashtable(p.Key, p.Value.GetRawText()));
            }
        }
        // A write anchored on another tenant's mailbox lands on a server that cannot run it for this tenant.
        if (IsWriteVerb(cmdlet.Name) && AnchorTenant(anchorMailbox) is TenantConfig anchored && anchored.Id != tenant.Id)
        {
            return Error(ExchangeErrorException.CmdletNeedsProxy(MailboxServer(anchored), MailboxServer(tenant)));
        }
        int offset = 0;
        string? skip = ctx.Request.Query["$skiptoken"];
        if (skip != null && !TryReadSkipToken(skip, out offset))
        {
            return Error(new ExchangeErrorException("InvalidSkipToken", "Microsoft.Exchange.Admin.OData.Core.ODataBadRequestException", $"The skip token '{skip}' is not valid."));
        }
        var context = new CmdletContext
        {
            CmdletName = cmdlet.Name,
            Tenant = tenant,
            Exchange = _state.AdminApi.Exchange(tenant),
            Caller = caller,
            Parameters = parameters,
            State = _state,
        };
        IReadOnlyList<JsonObject>? output;
        try
        {
            output = await cmdlet.InvokeAsync(context, ctx.RequestAborted);
        }
        catch (ExchangeErrorException ex)
        {
            return Error(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Error(new ExchangeErrorException("InternalError", ex.GetType().FullName ?? "System.Exception", ex.Message, 500));
        }
        EmptyAnswer shape = context.Exchange.EmptyAnswer;
        if (output == null && context.Warnings.Count == 0 && shape == EmptyAnswer.NoContent) return (204, null);
        bool nullValue = output == null && shape == EmptyAnswer.NullValue;
        output ??= Array.Empty<JsonObject>();

        int pageSize = PageSize(ctx, out bool asked);
        if (asked) ctx.Response.Headers["Preference-Applied"] = $"odata.maxpagesize={pageSize}";
        string origin = EntraEndpoints.Origin(ctx);
        string basePath = $"{origin}/adminapi/{version}/{routeTenant}";
        string[]? select = Select(ctx);
        var body = new JsonObject
        {
            ["@odata.context"] = $"{basePath}/$metadata#Collection(Exchange.GenericHashTable)",
            ["@adminapi.warnings"] = new JsonArray(context.Warnings.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
            ["value"] = nullValue ? null : new JsonArray(output.Skip(offset).Take(pageSize).Select(o => (JsonNode?)Project(o, select)).ToArray()),
        };
        if (offset + pageSize < output.Count)
        {
            // OData next links carry the request's query options ($select) besides the skip token.
            string query = select == null ? "" : "$select=" + Uri.EscapeDataString(string.Join(",", select)) + "&";
            body["@odata.nextLink"] = $"{basePath}/InvokeCommand?{query}$skiptoken={Uri.EscapeDataString(SkipToken(offset + pageSize))}";
        }
        return (200, body);
    }

    /// <summary>
    /// <c>$select=A,B</c> on the query string, as CIPP (New-ExoRequest.ps1) and ExoHelper (Invoke-ExoCommand.ps1 -PropertiesToLoad)
    /// send it; null when absent.
    /// </summary>
    private static string[]? Select(HttpContext ctx)
    {
        string? raw = ctx.Request.Query["$select"];
        if (string.IsNullOrWhiteSpace(raw)) return null;
        return raw.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>The object with only the selected properties (names in any case) and their "@odata.type" annotations, in the object's order.</summary>
    private static JsonObject Project(JsonObject o, string[]? select)
    {
        if (select == null) return (JsonObject)o.DeepClone();
        var result = new JsonObject();
        foreach (KeyValuePair<string, JsonNode?> p in o)
        {
            int at = p.Key.IndexOf('@');
            string property = at > 0 ? p.Key[..at] : p.Key;
            if (select.Contains(property, StringComparer.OrdinalIgnoreCase)) result[p.Key] = p.Value?.DeepClone();
        }
        return result;
    }

    private static bool IsGenericHashTable(JsonElement value) =>
        value.TryGetProperty("@odata.type", out JsonElement type) && type.ValueKind == JsonValueKind.String
        && string.Equals(type.GetString(), "#Exchange.GenericHashTable", StringComparison.OrdinalIgnoreCase);

    private static bool IsWriteVerb(string cmdletName)
    {
        string verb = cmdletName.Split('-')[0];
        return !verb.Equals("Get", StringComparison.OrdinalIgnoreCase) && !verb.Equals("Test", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The tenant an X-AnchorMailbox names after its '@' (UPN:, SMTP:, APP: or bare; a domain or a tenant id, as CIPP's
    /// APP:SystemMailbox{...}@{tenant id}); null when absent or naming no tenant the sandbox knows.
    /// </summary>
    private TenantConfig? AnchorTenant(string? anchor)
    {
        if (string.IsNullOrWhiteSpace(anchor)) return null;
        int at = anchor.LastIndexOf('@');
        if (at < 0 || at == anchor.Length - 1) return null;
        string target = anchor[(at + 1)..].Trim();
        return Guid.TryParse(target, out _) || target.Contains('.') ? _state.Config.FindTenant(target) : null;
    }

    /// <summary>A stable, made-up mailbox server for a tenant, in Exchange Online's naming.</summary>
    private static string MailboxServer(TenantConfig tenant) =>
        $"AM0PR01MB{tenant.Id.ToByteArray()[0] * 31 % 9000 + 1000}.EURPRD01.PROD.OUTLOOK.COM";

    private static (int, JsonObject?) Error(ExchangeErrorException ex) => (ex.HttpStatus, ex.ToJson());

    private static string SkipToken(int offset) => Jwt.Base64UrlEncode("skip:" + offset.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static bool TryReadSkipToken(string token, out int offset)
    {
        offset = 0;
        try
        {
            string text = Encoding.UTF8.GetString(Jwt.Base64UrlDecode(token));
            return text.StartsWith("skip:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), out offset) && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Prefer: odata.maxpagesize=N (1..1000); 100 without it.</summary>
    private static int PageSize(HttpContext ctx, out bool asked)
    {
        asked = false;
        foreach (string? header in ctx.Request.Headers["Prefer"])
        {
            if (header == null) continue;
            foreach (string part in header.Split(','))
            {
                string[] kv = part.Trim().Split('=', 2);
                if (kv.Length == 2 && kv[0].Trim().Equals("odata.maxpagesize", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(kv[1].Trim().Trim('"'), out int n) && n > 0)
                {
                    asked = true;
                    return Math.Min(n, MaxPageSize);
                }
            }
        }
        return DefaultPageSize;
    }

    // ---------------------------------------------------------------- authentication

    /// <summary>Validates the bearer token for this tenant; writes the 401/403 itself and returns null on failure.</summary>
    private async Task<AdminCaller?> AuthorizeAsync(HttpContext ctx, RequestRecord record, TenantConfig tenant)
    {
        string auth = ctx.Request.Headers.Authorization.ToString();
        string? token = auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth.Substring(7).Trim() : null;
        TokenProblem problem = _state.Identity.Tokens.Validate(token, out AccessTokenInfo? info);
        if (problem != TokenProblem.None)
        {
            string why = problem switch
            {
                TokenProblem.Missing => "The request has no bearer token.",
                TokenProblem.Expired => "The access token has expired.",
                TokenProblem.NotYetValid => "The access token is not yet valid.",
                TokenProblem.BadSignature => "The access token's signature is not valid.",
                _ => "The access token is malformed.",
            };
            await UnauthorizedAsync(ctx, record, problem == TokenProblem.Missing ? null : "invalid_token", why, problem.ToString());
            return null;
        }
        string origin = EntraEndpoints.Origin(ctx);
        var accepted = new[] { origin, "https://" + ctx.Request.Host.Value, ExchangeResource, ExchangeAppId };
        if (!info!.Audiences.Any(a => accepted.Contains(a.TrimEnd('/'), StringComparer.OrdinalIgnoreCase)))
        {
            await UnauthorizedAsync(ctx, record, "invalid_token", $"The access token's audience '{string.Join(", ", info.Audiences)}' is not this service.", "Audience");
            return null;
        }
        bool partner = false;
        if (info.TenantId != tenant.Id)
        {
            partner = !info.IsApp && _state.Identity.Partners(tenant).Any(p => p.Id == info.TenantId);
            if (!partner)
            {
                await UnauthorizedAsync(ctx, record, "invalid_token", $"The access token was issued for tenant {info.TenantId}, not for {tenant.Name} ({tenant.Id}).", "Tenant");
                return null;
            }
        }
        if (info.IsApp)
        {
            if (!info.Roles.Contains(ManageAsApp, StringComparer.Ordinal))
            {
                await ForbiddenAsync(ctx, record, $"The application '{info.AppId}' has no '{ManageAsApp}' permission in tenant '{tenant.OrganizationDomain}'.");
                return null;
            }
            // The permission alone is not enough: the service principal needs a supported Entra role, read from the
            // directory at call time. Exchange's text, as admins report it (docs/protocol-evidence.md, app-only roles).
            IReadOnlyList<string> directoryRoles = _state.Identity.ServicePrincipalRoles(tenant, info.AppId, info.ObjectId);
            if (!directoryRoles.Any(r => AppOnlyRoles.Contains(r, StringComparer.OrdinalIgnoreCase)))
            {
                record.Error = "RoleNotSupported";
                var ex = new ExchangeErrorException("UnAuthorized", "Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException",
                    $"The role assigned to application {info.AppId} isn't supported in this scenario. Please check online documentation for assigning " +
                    "correct Directory Roles to Azure AD Application for EXO App-Only Authentication.", 403, errorType: "AccessDenied", code: "Forbidden");
                await WriteJsonAsync(ctx, record, ex.HttpStatus, ex.ToJson(), keepError: true);
                return null;
            }
            return new AdminCaller(true, info.TenantId, info.ObjectId, null, info.AppId, null);
        }
        if (!(info.Jwt.Claim("scp") ?? "").Split(' ').Contains("Exchange.Manage", StringComparer.Ordinal))
        {
            await ForbiddenAsync(ctx, record, "The access token has no 'Exchange.Manage' scope.");
            return null;
        }
        // The user, in this tenant or (GDAP) in a partner tenant; roles are read from the directory, not the token.
        UserConfig? user = IdentityState.FindUser(tenant, info.ObjectId);
        if (user == null)
        {
            foreach (TenantConfig p in _state.Identity.Partners(tenant))
            {
                user = IdentityState.FindUser(p, info.ObjectId);
                if (user != null) break;
            }
        }
        if (user == null && partner) user = _state.Config.Tenants.Where(x => x.Id == info.TenantId).Select(x => IdentityState.FindUser(x, info.ObjectId)).FirstOrDefault();
        if (user == null)
        {
            await ForbiddenAsync(ctx, record, $"The user '{info.Upn}' has no access to tenant '{tenant.OrganizationDomain}'.");
            return null;
        }
        if (!user.Roles.Any(r => AdminRoles.Contains(r, StringComparer.OrdinalIgnoreCase)))
        {
            await ForbiddenAsync(ctx, record, $"The user '{user.Upn}' isn't assigned to any management roles.");
            return null;
        }
        return new AdminCaller(false, info.TenantId, info.ObjectId, user.Upn, info.AppId, user);
    }

    private async Task UnauthorizedAsync(HttpContext ctx, RequestRecord record, string? error, string description, string reason)
    {
        string origin = EntraEndpoints.Origin(ctx);
        var header = new StringBuilder("Bearer client_id=\"").Append(ExchangeAppId)
            .Append("\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\"")
            .Append(", authorization_uri=\"").Append(origin).Append("/common/oauth2/authorize\"");
        if (error != null) header.Append(", error=\"").Append(error).Append("\", error_description=\"").Append(description.Replace("\"", "'")).Append('"');
        ctx.Response.Headers.WWWAuthenticate = header.ToString();
        record.Error = "Unauthorized:" + reason;
        await WriteJsonAsync(ctx, record, 401, ExchangeErrorException.Render("Unauthorized", description,
            $"|Microsoft.Exchange.Admin.OData.Core.UnauthorizedAccessException|{description}", description,
            "Microsoft.Exchange.Admin.OData.Core.UnauthorizedAccessException", "Unauthorized"), keepError: true);
    }

    private async Task ForbiddenAsync(HttpContext ctx, RequestRecord record, string message)
    {
        var ex = new ExchangeErrorException("UnAuthorized", "Microsoft.Exchange.Configuration.Tasks.ThrowTerminatingErrorException",
            message, 403, errorType: "AccessDenied", code: "Forbidden");
        await WriteErrorAsync(ctx, record, ex);
    }

    private Task WriteErrorAsync(HttpContext ctx, RequestRecord record, ExchangeErrorException ex) => WriteJsonAsync(ctx, record, ex.HttpStatus, ex.ToJson());

    private static async Task WriteJsonAsync(HttpContext ctx, RequestRecord record, int status, JsonObject body, bool keepError = false)
    {
        record.Status = status;
        if (!keepError && body["error"] is JsonObject err) record.Error = (string?)err["code"];
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
        ctx.Response.Headers["request-id"] = Guid.NewGuid().ToString();
        if (record.ClientRequestId != null) ctx.Response.Headers["client-request-id"] = record.ClientRequestId;
        ctx.Response.Headers["X-CalculatedBETarget"] = "AM0PR01MB0001.EURPRD01.PROD.OUTLOOK.COM";
        byte[] bytes = Encoding.UTF8.GetBytes(body.ToJsonString(CalendarFederation.Sandbox.Identity.Jwt.WireJson));
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    private static string? Header(HttpContext ctx, string name) =>
        ctx.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null;
}
