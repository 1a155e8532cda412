using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Identity;

/// <summary>
/// The Azure App Service managed identity endpoint (api-version 2019-08-01), which MSAL uses when IDENTITY_ENDPOINT
/// and IDENTITY_HEADER are set: GET /msi/token?api-version=2019-08-01&amp;resource=...[&amp;client_id=|&amp;mi_res_id=|&amp;object_id=]
/// with the X-IDENTITY-HEADER secret.
/// </summary>
public sealed class ManagedIdentityEndpoint
{
    private readonly SandboxState _state;

    public ManagedIdentityEndpoint(SandboxState state) => _state = state;

    public void Map(WebApplication app)
    {
        app.MapGet("/msi/token", HandleAsync);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        IQueryCollection q = ctx.Request.Query;
        var record = new SignInRecord
        {
            Endpoint = "msi",
            Method = ctx.Request.Method,
            Path = ctx.Request.Path,
            Scheme = ctx.Request.Scheme,
            Port = ctx.Connection.LocalPort,
            GrantType = "managed_identity",
            ClientAuthentication = "identity-header",
            Scope = q["resource"].ToString(),
            Fields = q.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList(),
        };
        foreach (string h in new[] { "User-Agent", "x-ms-client-request-id", "client-request-id", "Metadata" })
        {
            if (ctx.Request.Headers.TryGetValue(h, out var v)) record.Headers[h] = v.ToString();
        }
        Faults.FaultRule? fault = _state.MatchFault("identity", ctx.Request.Method, ctx.Request.Host.Host, ctx.Connection.LocalPort, ctx.Request.Path, null, null, null);
        if (fault != null)
        {
            bool handled = await Faults.JsonFaultWriter.ApplyAsync(ctx, fault, () =>
            {
                (int s, JsonObject b) = Answer(ctx, q, record);
                return Task.FromResult((s, b.ToJsonString(Jwt.WireJson)));
            }, null);
            if (handled)
            {
                record.Status = ctx.Response.StatusCode;
                record.Error = "fault:" + fault.Id;
                _state.Identity.Record(record);
                return;
            }
        }
        (int status, JsonObject body) = Answer(ctx, q, record);
        record.Status = status;
        if (status != 200) record.Error = body["message"]?.GetValue<string>();
        _state.Identity.Record(record);
        await EntraEndpoints.WriteJsonResponseAsync(ctx, status, body);
    }

    private (int, JsonObject) Answer(HttpContext ctx, IQueryCollection q, SignInRecord record)
    {
        ManagedIdentityConfig? mi = _state.Config.ManagedIdentity;
        if (mi == null) return Error(404, "Managed identity is not enabled for this app.");
        string header = ctx.Request.Headers["X-IDENTITY-HEADER"].ToString();
        if (header.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(mi.IdentityHeader)))
        {
            return Error(401, "Unable to authenticate the request: the X-IDENTITY-HEADER header is missing or wrong.");
        }
        if (q["api-version"] != "2019-08-01") return Error(400, $"Unsupported api-version '{q["api-version"]}'. Use 2019-08-01.");
        string resource = q["resource"].ToString();
        if (resource.Length == 0) return Error(400, "Required query variable 'resource' is missing.");

        string clientId = q["client_id"].ToString();
        string resId = q["mi_res_id"].ToString();
        if (resId.Length == 0) resId = q["msi_res_id"].ToString();
        string objectId = q["object_id"].ToString();
        if (objectId.Length == 0) objectId = q["principal_id"].ToString();
        ManagedIdentityPrincipal? principal;
        if (clientId.Length > 0)
        {
            record.ClientId = clientId;
            principal = mi.UserAssigned.FirstOrDefault(u => Guid.TryParse(clientId, out Guid g) && u.EffectiveAppId == g);
        }
        else if (resId.Length > 0)
        {
            principal = mi.UserAssigned.FirstOrDefault(u => string.Equals(u.ResourceId, resId, StringComparison.OrdinalIgnoreCase));
        }
        else if (objectId.Length > 0)
        {
            principal = mi.UserAssigned.FirstOrDefault(u => Guid.TryParse(objectId, out Guid g) && u.PrincipalId == g);
        }
        else
        {
            principal = mi.SystemAssigned;
        }
        if (principal == null)
        {
            return Error(400, "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.");
        }
        TenantConfig? tenant = _state.Config.FindTenant(principal.Tenant);
        if (tenant == null) return Error(500, $"The managed identity's tenant '{principal.Tenant}' is unknown to the sandbox.");
        record.TenantId = tenant.Id;
        record.Tenant = tenant.Name;
        record.ClientId = principal.EffectiveAppId.ToString();
        string audience = resource.EndsWith("/.default", StringComparison.OrdinalIgnoreCase) ? resource[..^"/.default".Length] : resource;
        audience = audience.TrimEnd('/');
        if (!ScopeRequest.IsKnownResource(audience, _state.Config))
        {
            return Error(400, AadError.UnknownResource(audience, tenant.Name).Description);
        }
        bool system = ReferenceEquals(principal, mi.SystemAssigned);
        var subject = new TokenSubject
        {
            IsApp = true,
            ObjectId = principal.PrincipalId,
            HomeTenantId = tenant.Id,
            Roles = mi.Roles.ToArray(),
            ClientAuthentication = "2",
            ManagedIdentityResourceId = principal.ResourceId
                ?? (system ? "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/sandbox/providers/Microsoft.Web/sites/calendarfederation-sandbox"
                           : $"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/sandbox/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{principal.EffectiveAppId}"),
        };
        int lifetime = _state.Identity.TokenLifetimeSeconds;
        string token = _state.Identity.Tokens.IssueAccessToken(EntraEndpoints.Origin(ctx), tenant.Id, audience, principal.EffectiveAppId.ToString(), subject, lifetime, out long expiresOn);
        return (200, new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = expiresOn.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = principal.EffectiveAppId.ToString(),
        });
    }

    private static (int, JsonObject) Error(int status, string message) => (status, new JsonObject
    {
        ["statusCode"] = status,
        ["message"] = message,
        ["correlationId"] = Guid.NewGuid().ToString(),
    });
}
