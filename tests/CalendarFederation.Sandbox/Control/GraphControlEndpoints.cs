using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Graph;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Control;

/// <summary>
/// Knobs and views for the cross-tenant access policy (Graph), the legacy sharing objects and EWS state (Exchange), and
/// consent (Entra ID). {tenant} may be a GUID, any domain or the name.
/// </summary>
public static class GraphControlEndpoints
{
    public static void Map(WebApplication app, SandboxState state)
    {
        JsonSerializerOptions json = ControlEndpoints.SandboxJson;
        RouteGroupBuilder g = app.MapGroup("/_sandbox/tenants/{tenant}");

        g.MapGet("/cross-tenant-access", (string tenant) => With(state, tenant, t =>
        {
            CrossTenantAccessPolicy policy = state.Graph.Policy(t);
            lock (policy.Gate) return Json(policy.ToControlJson());
        }));
        g.MapPut("/cross-tenant-access", async (string tenant, HttpRequest request) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            JsonObject? seed;
            try
            {
                seed = await JsonNode.ParseAsync(request.Body) as JsonObject;
            }
            catch (JsonException ex)
            {
                return Results.BadRequest("Not JSON: " + ex.Message);
            }
            try
            {
                state.Graph.Seed(t, CrossTenantAccessPolicy.Parse(t, seed ?? new JsonObject()));
            }
            catch (GraphException ex)
            {
                return Results.BadRequest($"{ex.Code}: {ex.Message}");
            }
            return Results.NoContent();
        });
        g.MapPut("/cross-tenant-access/replication", (string tenant, int? calls, int? seconds) => With(state, tenant, t =>
        {
            if (calls < 0 || seconds < 0) return Results.BadRequest("calls and seconds must not be negative.");
            CrossTenantAccessPolicy policy = state.Graph.Policy(t);
            lock (policy.Gate)
            {
                if (calls != null) policy.ReplicationCalls = calls.Value;
                if (seconds != null) policy.ReplicationSeconds = seconds.Value;
            }
            return Results.NoContent();
        }));
        g.MapPut("/cross-tenant-access/page-size", (string tenant, int value) => With(state, tenant, t =>
        {
            if (value < 1) return Results.BadRequest("value must be at least 1.");
            CrossTenantAccessPolicy policy = state.Graph.Policy(t);
            lock (policy.Gate) policy.PageSize = value;
            return Results.NoContent();
        }));

        g.MapPut("/graph-budget", (string tenant, double? requestsPerSecond) => With(state, tenant, t =>
        {
            if (requestsPerSecond is <= 0) return Results.BadRequest("requestsPerSecond must be positive.");
            state.Graph.Throttle(t).SetBudget(requestsPerSecond, null);
            return Results.NoContent();
        }));
        g.MapDelete("/graph-budget", (string tenant) => With(state, tenant, t =>
        {
            state.Graph.Throttle(t).SetBudget(null, null);
            return Results.NoContent();
        }));
        g.MapGet("/graph-load", (string tenant) => With(state, tenant, t =>
        {
            TenantThrottle th = state.Graph.Throttle(t);
            return Json(new JsonObject { ["requestsPerSecond"] = th.RequestsPerSecond, ["throttled"] = th.Throttled });
        }));

        g.MapPut("/ews-block", (string tenant, bool value) => With(state, tenant, t =>
        {
            state.AdminApi.Exchange(t).Legacy.EwsBlock = value;
            return Results.NoContent();
        }));
        g.MapGet("/legacy-sharing", (string tenant) => With(state, tenant, t =>
        {
            LegacySharingState legacy = state.AdminApi.Exchange(t).Legacy;
            return Results.Json(new
            {
                legacy.EwsEnabled,
                legacy.EwsBlock,
                EwsBlocked = legacy.EwsBlocked(state.EwsRetired),
                state.EwsRetired,
                AddressSpaces = legacy.AddressSpaces().Select(a => new { a.ForestName, a.AccessMethod, a.TargetAutodiscoverEpr, a.TargetServiceEpr, a.TargetTenantId, a.ProxyUrl }),
                SharingPolicies = legacy.SharingPolicies().Select(p => new { p.Name, Domains = p.Domains.Select(d => d.ToString()), p.Enabled, p.Default }),
            }, json);
        }));

        g.MapGet("/consents/{clientId}", (string tenant, string clientId) => With(state, tenant, t =>
            Results.Json(state.Identity.Consented(t, clientId), json)));
        g.MapPut("/consents/{clientId}", async (string tenant, string clientId, HttpRequest request) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            if (!Guid.TryParse(clientId, out Guid client)) return Results.BadRequest("The client id must be a GUID.");
            string[]? scopes;
            try
            {
                scopes = await JsonSerializer.DeserializeAsync<string[]>(request.Body, json);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest("Not a JSON array of scope names: " + ex.Message);
            }
            state.Identity.SetConsent(t, client, scopes ?? Array.Empty<string>());
            return Results.NoContent();
        });
        g.MapDelete("/consents/{clientId}", (string tenant, string clientId) => With(state, tenant, t =>
        {
            if (!Guid.TryParse(clientId, out Guid client)) return Results.BadRequest("The client id must be a GUID.");
            state.Identity.SetConsent(t, client, null);
            return Results.NoContent();
        }));

        RouteGroupBuilder root = app.MapGroup("/_sandbox");
        root.MapPut("/ews-retired", (bool value) =>
        {
            state.EwsRetired = value;
            return Results.NoContent();
        });
        root.MapPut("/consent-mode", (string mode) =>
        {
            if (!Enum.TryParse(mode, true, out ConsentMode m)) return Results.BadRequest("mode must be omit or error.");
            state.Identity.ConsentMode = m;
            return Results.NoContent();
        });
    }

    private static IResult Json(JsonNode node) => Results.Content(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), "application/json; charset=utf-8");

    private static IResult With(SandboxState state, string tenant, Func<TenantConfig, IResult> action)
    {
        TenantConfig? t = state.Config.FindTenant(tenant);
        return t == null ? Results.NotFound($"No tenant {tenant}.") : action(t);
    }
}
