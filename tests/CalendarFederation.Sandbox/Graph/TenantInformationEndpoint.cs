using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Graph;

/// <summary>
/// GET /{v1.0|beta}/tenantRelationships/findTenantInformationByDomainName(domainName='x') (and ...ByTenantId(tenantId='x')):
/// tenantInformation for any domain of any sandbox tenant. Needs CrossTenantInformation.ReadBasic.All, no directory role
/// (L-FTI). An unknown domain (or a consumer domain, which no Entra tenant owns) is 404 Request_ResourceNotFound.
/// </summary>
public sealed partial class TenantInformationEndpoint
{
    private readonly SandboxState _state;

    public TenantInformationEndpoint(SandboxState state) => _state = state;

    [GeneratedRegex(@"^findTenantInformationBy(?<kind>DomainName|TenantId)\((?<name>domainName|tenantId)='(?<value>(?:[^']|'')*)'\)$", RegexOptions.IgnoreCase)]
    private static partial Regex FunctionPattern();

    public void Map(WebApplication app)
    {
        app.MapGet("/{version}/tenantRelationships/{**rest}", (HttpContext ctx, string version, string? rest) => HandleAsync(ctx, version, rest ?? ""));
    }

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
            Match m = FunctionPattern().Match(rest);
            try
            {
                if (!m.Success) throw GraphException.OData($"Resource not found for the segment '{rest.Split('/')[0]}'.");
                GraphPermissions.Require(caller, GraphPermissions.ReadTenantInformation);
            }
            catch (GraphException ex)
            {
                await GraphHttp.WriteErrorAsync(ctx, record, ex);
                return;
            }
            string value = m.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal);
            bool byId = m.Groups["kind"].Value.Equals("TenantId", StringComparison.OrdinalIgnoreCase);
            record.Domain = value;

            int latency = _state.LatencyMs + caller.Tenant.LatencyMs;
            if (latency > 0) await SandboxDelay.AtLeastAsync(latency, ctx.RequestAborted);
            string origin = EntraEndpoints.Origin(ctx);
            FaultRule? fault = _state.MatchFault("graph", ctx.Request.Method, ctx.Request.Host.Host, ctx.Connection.LocalPort, ctx.Request.Path, value, caller.Tenant, null);
            record.Fault = fault?.Id;
            if (fault != null)
            {
                bool handled = await JsonFaultWriter.ApplyAsync(ctx, fault, () =>
                {
                    (int s, JsonObject b) = Answer(record, origin, version, value, byId);
                    return Task.FromResult((s, b.ToJsonString(Jwt.WireJson)));
                }, seconds => record.RetryAfter = seconds);
                if (handled)
                {
                    record.Status = ctx.Response.StatusCode;
                    return;
                }
            }
            (int status, JsonObject body) = Answer(record, origin, version, value, byId);
            await GraphHttp.WriteJsonAsync(ctx, record, status, body);
        }
        finally
        {
            if (record.Status == 0) record.Status = ctx.Response.StatusCode;
            _state.Record(record);
        }
    }

    private (int, JsonObject) Answer(RequestRecord record, string origin, string version, string value, bool byId)
    {
        TenantConfig? t = byId
            ? (Guid.TryParse(value, out Guid id) ? _state.Config.Tenants.FirstOrDefault(x => x.Id == id) : null)
            : _state.Config.FindTenantByDomain(value)
                ?? _state.Config.Tenants.FirstOrDefault(x => string.Equals(x.InitialDomain, value, StringComparison.OrdinalIgnoreCase));
        if (t == null)
        {
            GraphException ex = GraphException.NotFound(value);
            record.Error = ex.Code;
            return (ex.Status, GraphHttp.ErrorBody(record, ex.Code, ex.Message));
        }
        return (200, new JsonObject
        {
            ["@odata.context"] = $"{origin}/{version}/$metadata#microsoft.graph.tenantInformation",
            ["tenantId"] = t.Id.ToString(),
            ["federationBrandName"] = null,
            ["displayName"] = t.DisplayName ?? t.Name,
            ["defaultDomainName"] = t.DefaultDomain ?? t.InitialDomain ?? t.Domains.FirstOrDefault(),
        });
    }
}
