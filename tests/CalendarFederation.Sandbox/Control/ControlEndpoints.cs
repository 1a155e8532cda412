using System.Text.Json;
using CalendarFederation.Sandbox.Faults;

namespace CalendarFederation.Sandbox.Control;

/// <summary>The tests' handle on the sandbox: fault knobs, latency, and what the sandbox was asked.</summary>
public static class ControlEndpoints
{
    public static void Map(WebApplication app, SandboxState state)
    {
        RouteGroupBuilder g = app.MapGroup("/_sandbox");
        g.MapGet("/info", () => Results.Json(new
        {
            Url = $"http://127.0.0.1:{state.Ports[0]}",
            Ports = state.Ports,
            HttpsPorts = state.HttpsPorts,
            Tenants = state.Config.Tenants.Select(t => new { t.Name, t.Id, t.InitialDomain, t.Domains, t.Federated }),
            SigningKeyId = state.Identity.Tokens.KeyId,
        }, SandboxJson));
        g.MapGet("/requests", (long? since) => Results.Json(state.Requests.Where(r => since == null || r.Sequence > since), SandboxJson));
        g.MapDelete("/requests", () => { state.ClearRequests(); return Results.NoContent(); });
        g.MapGet("/proxy", () => Results.Json(state.Proxy?.Log.ToArray() ?? Array.Empty<Proxy.ProxyRecord>(), SandboxJson));
        g.MapDelete("/proxy", () => { state.Proxy?.Log.Clear(); return Results.NoContent(); });
        g.MapPut("/proxy/credentials", (string? value) => { if (state.Proxy != null) state.Proxy.Credentials = string.IsNullOrEmpty(value) ? null : value; return Results.NoContent(); });
        g.MapGet("/load", () => Results.Json(new
        {
            state.InFlight,
            state.MaxInFlight,
            Tenants = state.AdminApi.Throttles.ToDictionary(t => t.Tenant, t => new { t.InFlight, t.MaxInFlight, t.Throttled }),
        }, SandboxJson));
        g.MapDelete("/load", () =>
        {
            state.ResetMaxInFlight();
            state.AdminApi.ResetMaxInFlight();
            return Results.NoContent();
        });
        g.MapGet("/violations", () => Results.Json(state.Violations, SandboxJson));
        g.MapDelete("/violations", () => { state.ClearViolations(); return Results.NoContent(); });
        g.MapGet("/faults", () => Results.Json(state.Faults, SandboxJson));
        g.MapPost("/faults", async (HttpRequest request) =>
        {
            FaultRule? rule = await JsonSerializer.DeserializeAsync<FaultRule>(request.Body, SandboxJson);
            if (rule == null) return Results.BadRequest("A fault rule is required.");
            return Results.Json(new { Id = state.AddFault(rule) }, SandboxJson);
        });
        g.MapDelete("/faults", () => { state.ClearFaults(); return Results.NoContent(); });
        g.MapDelete("/faults/{id}", (string id) => { state.ClearFaults(id); return Results.NoContent(); });
        // The generated fleet (--fleet N, sandbox.json "fleet"): who is in which state, the expected plan, and the fleet file.
        g.MapGet("/fleet", () => FleetAnswer(state, f => f.ToControlJson()));
        g.MapGet("/fleet/file", () => FleetAnswer(state, f => f.File));
        g.MapPut("/latency", (int ms) => { state.LatencyMs = ms; return Results.NoContent(); });
        g.MapPost("/reset", () =>
        {
            state.ClearFaults();
            state.AddStandingFaults();
            state.ClearRequests();
            state.ClearViolations();
            state.ResetMaxInFlight();
            state.LatencyMs = state.Config.LatencyMs;
            state.Identity.ResetKnobs();
            state.Identity.ClearSignIns();
            state.AdminApi.Reset();
            state.Graph.Reset();
            state.EwsRetired = state.Config.EwsRetired;
            state.Gates.Reset();
            return Results.NoContent();
        });
    }

    private static IResult FleetAnswer(SandboxState state, Func<Fleet.FleetWorld, System.Text.Json.Nodes.JsonObject> view) =>
        state.Config.GeneratedFleet is { } fleet
            ? Results.Text(view(fleet).ToJsonString(SandboxJson), "application/json; charset=utf-8")
            : Results.NotFound(new { Error = "No fleet was generated: start the sandbox with --fleet N or sandbox.json \"fleet\"." });

    public static readonly JsonSerializerOptions SandboxJson = Model.SandboxConfig.Json;
}
