using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Graph;

/// <summary>
/// Microsoft Graph's Microsoft 365 cross-tenant access policy (docs/cross-tenant-access.md §2), v1.0 and beta, for the
/// token's tenant: /policies/crossTenantAccessPolicy/default[/m365Capabilities[/{name}]] and
/// /policies/crossTenantAccessPolicy/partners[/{tenantId}[/m365Capabilities[/{name}]]]. Every call checks the token,
/// the permission (scp or roles) and, for users, a directory role (<see cref="GraphPermissions"/>); fault rules with
/// service "graph" apply; requests are logged.
/// </summary>
public sealed class CrossTenantAccessEndpoint
{
    private const string Root = "policies/crossTenantAccessPolicy";

    private readonly SandboxState _state;

    public CrossTenantAccessEndpoint(SandboxState state) => _state = state;

    public void Map(WebApplication app)
    {
        app.MapMethods("/{version}/policies/crossTenantAccessPolicy/{**rest}", new[] { "GET", "POST", "PATCH", "DELETE", "PUT" },
            (HttpContext ctx, string version, string? rest) => HandleAsync(ctx, version, rest ?? ""));
    }

    /// <summary>What the path names: the default or a partner (by tenant id), its capability list, or one capability.</summary>
    private sealed record Target(bool IsDefault, Guid? Partner, bool Capabilities, string? Capability, string ContextPath);

    private async Task HandleAsync(HttpContext ctx, string version, string rest)
    {
        RequestRecord record = GraphHttp.NewRecord(_state, ctx);
        try
        {
            if (!GraphHttp.IsVersion(version))
            {
                await GraphHttp.WriteErrorAsync(ctx, record, 400, "BadRequest", $"Invalid version: {version}");
                return;
            }
            GraphCaller? caller = await GraphHttp.AuthenticateAsync(_state, ctx, record);
            if (caller == null) return;
            string method = ctx.Request.Method;
            if (!await GraphHttp.TakeBudgetAsync(_state, ctx, record, caller.Tenant)) return;
            Target target;
            GraphPermission need;
            JsonObject? body = null;
            try
            {
                target = ParseTarget(rest);
                need = Permission(target, method, null);
                GraphPermissions.RequirePermission(caller, need);
                if (method is "POST" or "PATCH")
                {
                    body = await ReadBodyAsync(ctx);
                }
                if (target.Capabilities && method == "POST")
                {
                    // The role an Exchange Administrator needs depends on the capability type in the body.
                    string? type = body!["@odata.type"] is JsonValue tv && tv.TryGetValue(out string? t) ? t : null;
                    string name = type?.TrimStart('#').Replace("microsoft.graph.", "", StringComparison.Ordinal) ?? "";
                    need = Permission(target, method, name);
                }
                GraphPermissions.RequireRole(caller, need);
            }
            catch (GraphException ex)
            {
                await GraphHttp.WriteErrorAsync(ctx, record, ex);
                return;
            }

            int latency = _state.LatencyMs + caller.Tenant.LatencyMs;
            if (latency > 0) await SandboxDelay.AtLeastAsync(latency, ctx.RequestAborted);
            CrossTenantAccessPolicy policy = _state.Graph.Policy(caller.Tenant);
            string origin = EntraEndpoints.Origin(ctx);

            FaultRule? fault = _state.MatchFault("graph", method, ctx.Request.Host.Host, ctx.Connection.LocalPort, ctx.Request.Path, null, caller.Tenant, null);
            record.Fault = fault?.Id;
            if (fault != null)
            {
                bool handled = await JsonFaultWriter.ApplyAsync(ctx, fault, () =>
                {
                    (int s, JsonObject? b) = Execute(ctx, record, caller, policy, target, body, origin, version);
                    return Task.FromResult((s, b?.ToJsonString(Jwt.WireJson) ?? ""));
                }, seconds => record.RetryAfter = seconds);
                if (handled)
                {
                    record.Status = ctx.Response.StatusCode;
                    return;
                }
            }
            (int status, JsonObject? answer) = Execute(ctx, record, caller, policy, target, body, origin, version);
            await GraphHttp.WriteJsonAsync(ctx, record, status, answer);
        }
        finally
        {
            if (record.Status == 0) record.Status = ctx.Response.StatusCode;
            _state.Record(record);
        }
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpContext ctx)
    {
        try
        {
            JsonNode? node = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
            return node as JsonObject ?? throw GraphException.OData("The request body must be a JSON object.");
        }
        catch (JsonException)
        {
            throw GraphException.OData("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
        }
    }

    private static Target ParseTarget(string rest)
    {
        string[] seg = rest.Trim('/').Split('/');
        if (seg.Length == 0 || seg[0].Length == 0) throw GraphException.OData("Resource not found for the segment 'crossTenantAccessPolicy'.");
        bool Is(int i, string literal) => seg.Length > i && seg[i].Equals(literal, StringComparison.OrdinalIgnoreCase);
        if (Is(0, "default"))
        {
            if (seg.Length == 1) return new Target(true, null, false, null, $"{Root}/default");
            if (!Is(1, "m365Capabilities")) throw GraphException.OData($"Resource not found for the segment '{seg[1]}'.");
            if (seg.Length == 2) return new Target(true, null, true, null, $"{Root}/default/m365Capabilities");
            if (seg.Length == 3) return new Target(true, null, true, seg[2], $"{Root}/default/m365Capabilities");
        }
        else if (Is(0, "partners"))
        {
            if (seg.Length == 1) return new Target(false, null, false, null, $"{Root}/partners");
            if (!Guid.TryParse(seg[1], out Guid id)) throw GraphException.BadRequest($"Invalid object identifier '{seg[1]}'.");
            if (seg.Length == 2) return new Target(false, id, false, null, $"{Root}/partners");
            if (!Is(2, "m365Capabilities")) throw GraphException.OData($"Resource not found for the segment '{seg[2]}'.");
            if (seg.Length == 3) return new Target(false, id, true, null, $"{Root}/partners('{id}')/m365Capabilities");
            if (seg.Length == 4) return new Target(false, id, true, seg[3], $"{Root}/partners('{id}')/m365Capabilities");
        }
        throw GraphException.OData($"Resource not found for the segment '{seg[0]}'.");
    }

    /// <summary>The permission the call needs (the capability's name decides an Exchange Administrator's writes).</summary>
    private static GraphPermission Permission(Target target, string method, string? capability)
    {
        bool read = method == "GET";
        bool allowed = target switch
        {
            { Capabilities: true, Capability: null } => method is "GET" or "POST",
            { Capabilities: true } => method is "GET" or "PATCH" or "DELETE",
            { IsDefault: true } => method is "GET" or "PATCH",
            { Partner: null } => method is "GET" or "POST",
            _ => method is "GET" or "PATCH" or "DELETE",
        };
        if (!allowed) throw new GraphException(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
        if (target.Capabilities) return read ? GraphPermissions.ReadCapabilities : GraphPermissions.WriteCapability(target.Capability ?? capability ?? "");
        return read ? GraphPermissions.ReadPolicy : GraphPermissions.WritePolicy;
    }

    /// <summary>Runs the call on the policy under its lock: the status and the body (null for 204), Graph's error on failure.</summary>
    private (int, JsonObject?) Execute(HttpContext ctx, RequestRecord record, GraphCaller caller, CrossTenantAccessPolicy policy, Target target,
        JsonObject? body, string origin, string version)
    {
        string metadata = $"{origin}/{version}/$metadata#";
        try
        {
            lock (policy.Gate)
            {
                string method = ctx.Request.Method;
                if (target.IsDefault && !target.Capabilities)
                {
                    if (method == "GET") return (200, WithContext(policy.DefaultJson(), metadata + target.ContextPath + "/$entity"));
                    CrossTenantAccessPolicy.ApplySettings(policy.DefaultSettings, body!, CrossTenantAccessPolicy.DefaultProperties,
                        "crossTenantAccessPolicyConfigurationDefault", allowNull: false);
                    policy.IsServiceDefault = false;
                    return (204, null);
                }
                if (!target.IsDefault && !target.Capabilities)
                {
                    return target.Partner == null ? Partners(ctx, caller, policy, body, metadata, origin, version) : Partner(ctx, policy, target.Partner.Value, body, metadata);
                }
                // Capabilities of the default or of a partner.
                PartnerPolicy? partner = null;
                if (!target.IsDefault)
                {
                    partner = policy.Partner(target.Partner!.Value) ?? throw GraphException.NotFound(target.Partner.Value.ToString());
                }
                List<M365Capability> list = partner?.Capabilities ?? policy.DefaultCapabilities;
                if (target.Capability == null)
                {
                    if (method == "GET")
                    {
                        return (200, new JsonObject
                        {
                            ["@odata.context"] = metadata + target.ContextPath,
                            ["value"] = new JsonArray(list.Select(c => (JsonNode?)c.ToJson()).ToArray()),
                        });
                    }
                    if (partner != null && policy.Replicating(partner)) throw GraphException.NotFound(partner.TenantId.ToString());
                    M365Capability created = M365Capability.FromCreate(body!, caller.Tenant);
                    if (list.Any(c => c.Name == created.Name))
                    {
                        // Not documented (docs/cross-tenant-access.md §6.2): modelled as the directory's duplicate-key conflict, as for partners.
                        throw new GraphException(409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property name already exists.");
                    }
                    list.Add(created);
                    return (201, WithContext(created.ToJson(), metadata + target.ContextPath + "/$entity"));
                }
                // Names are case-sensitive keys.
                M365Capability capability = list.FirstOrDefault(c => c.Name == target.Capability) ?? throw GraphException.NotFound(target.Capability);
                switch (method)
                {
                    case "GET":
                        return (200, WithContext(capability.ToJson(), metadata + target.ContextPath + "/$entity"));
                    case "PATCH":
                        M365Capability updated = capability.Clone();
                        updated.ApplyUpdate(body!, caller.Tenant);
                        list[list.IndexOf(capability)] = updated;
                        return (204, null);
                    default:
                        list.Remove(capability);
                        return (204, null);
                }
            }
        }
        catch (GraphException ex)
        {
            if (ex.Denied != null) record.Denied = ex.Denied;
            record.Error = ex.Code;
            return (ex.Status, GraphHttp.ErrorBody(record, ex.Code, ex.Message));
        }
    }

    /// <summary>GET /partners (paged: $top or the page-size knob, then @odata.nextLink with $skiptoken) and POST /partners.</summary>
    private static (int, JsonObject?) Partners(HttpContext ctx, GraphCaller caller, CrossTenantAccessPolicy policy, JsonObject? body, string metadata, string origin, string version)
    {
        string context = metadata + Root + "/partners";
        if (ctx.Request.Method == "POST")
        {
            Guid id = CrossTenantAccessPolicy.PartnerTenantId(body!, caller.Tenant);
            if (policy.Partner(id) != null)
            {
                // Entra's answer per its cross-tenant synchronization troubleshooting (code and message); the status is the sandbox's choice.
                throw new GraphException(409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property tenantId already exists.");
            }
            JsonObject settings = CrossTenantAccessPolicy.NewPartnerSettings();
            CrossTenantAccessPolicy.ApplySettings(settings, body!, CrossTenantAccessPolicy.PartnerProperties, "crossTenantAccessPolicyConfigurationPartner", allowNull: true);
            var partner = new PartnerPolicy
            {
                TenantId = id,
                Settings = settings,
                CreatedAt = DateTimeOffset.UtcNow,
                ReplicationCallsLeft = policy.ReplicationCalls,
            };
            policy.Partners.Add(partner);
            return (201, WithContext(partner.ToJson(), context + "/$entity"));
        }
        int pageSize = policy.PageSize;
        string? top = ctx.Request.Query["$top"];
        if (top != null)
        {
            if (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > 999)
            {
                throw GraphException.BadRequest($"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.");
            }
        }
        int offset = 0;
        string? skip = ctx.Request.Query["$skiptoken"];
        if (skip != null && !TryReadSkipToken(skip, out offset)) throw GraphException.BadRequest($"The skip token '{skip}' is not valid.");
        var page = policy.Partners.Skip(offset).Take(pageSize).Select(p => (JsonNode?)p.ToJson()).ToArray();
        var answer = new JsonObject { ["@odata.context"] = context };
        if (offset + pageSize < policy.Partners.Count)
        {
            string next = $"{origin}/{version}/{Root}/partners?" + (top != null ? $"$top={pageSize}&" : "") + "$skiptoken=" + Uri.EscapeDataString(SkipToken(offset + pageSize));
            answer["@odata.nextLink"] = next;
        }
        answer["value"] = new JsonArray(page);
        return (200, answer);
    }

    /// <summary>GET, PATCH (each property sent replaces the stored one; 404 while replicating) and DELETE of one partner.</summary>
    private static (int, JsonObject?) Partner(HttpContext ctx, CrossTenantAccessPolicy policy, Guid id, JsonObject? body, string metadata)
    {
        PartnerPolicy partner = policy.Partner(id) ?? throw GraphException.NotFound(id.ToString());
        switch (ctx.Request.Method)
        {
            case "GET":
                return (200, WithContext(partner.ToJson(), metadata + Root + "/partners/$entity"));
            case "PATCH":
                if (policy.Replicating(partner)) throw GraphException.NotFound(id.ToString());
                if (body!["tenantId"] is JsonNode given && (!Guid.TryParse((string?)given, out Guid same) || same != id))
                {
                    throw GraphException.BadRequest("The property 'tenantId' can't be changed.");
                }
                JsonObject settings = (JsonObject)partner.Settings.DeepClone();
                CrossTenantAccessPolicy.ApplySettings(settings, body, CrossTenantAccessPolicy.PartnerProperties, "crossTenantAccessPolicyConfigurationPartner", allowNull: true);
                partner.Settings = settings;
                return (204, null);
            default:
                policy.Partners.Remove(partner);
                return (204, null);
        }
    }

    private static JsonObject WithContext(JsonObject o, string context)
    {
        var result = new JsonObject { ["@odata.context"] = context };
        foreach ((string key, JsonNode? value) in o) result[key] = value?.DeepClone();
        return result;
    }

    private static string SkipToken(int offset) => Jwt.Base64UrlEncode("partners:" + offset.ToString(CultureInfo.InvariantCulture));

    private static bool TryReadSkipToken(string token, out int offset)
    {
        offset = 0;
        try
        {
            string text = Encoding.UTF8.GetString(Jwt.Base64UrlDecode(token));
            return text.StartsWith("partners:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
