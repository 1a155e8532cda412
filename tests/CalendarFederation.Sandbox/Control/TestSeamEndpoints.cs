namespace CalendarFederation.Sandbox.Control;

/// <summary>
/// What lets a test wait for an event instead of sleeping: the sandbox clock, the hold gates, and a wait for the
/// load or the request log to reach a state. In process, tests use <see cref="SandboxState.Clock"/>,
/// <see cref="SandboxState.Gates"/> and <see cref="SandboxState.WaitUntilAsync"/> directly.
/// </summary>
public static class TestSeamEndpoints
{
    public static void Map(WebApplication app, SandboxState state)
    {
        RouteGroupBuilder g = app.MapGroup("/_sandbox");

        g.MapGet("/clock", () => Results.Json(new { Now = state.Clock.GetUtcNow(), OffsetSeconds = state.Clock.Offset.TotalSeconds }, ControlEndpoints.SandboxJson));
        g.MapPost("/clock/advance", (double seconds) =>
        {
            if (seconds < 0) return Results.BadRequest("The sandbox clock only moves forward.");
            state.Clock.Advance(TimeSpan.FromSeconds(seconds));
            return Results.Json(new { Now = state.Clock.GetUtcNow(), OffsetSeconds = state.Clock.Offset.TotalSeconds }, ControlEndpoints.SandboxJson);
        });

        g.MapGet("/gates", () => Results.Json(state.Gates.All, ControlEndpoints.SandboxJson));
        g.MapPost("/gates/{name}/open", (string name) => { state.Gates.Open(name); return Results.NoContent(); });

        // Answers when every condition given holds, or after timeoutMs (default 10 s) with satisfied false. Conditions:
        // inFlight (exactly), inFlightAtLeast, requestsAtLeast (the request log), gate + heldAtLeast (held at that gate).
        g.MapGet("/wait", async (int? inFlight, int? inFlightAtLeast, int? requestsAtLeast, string? gate, int? heldAtLeast, int? timeoutMs, HttpContext ctx) =>
        {
            bool Holds() =>
                (inFlight == null || state.InFlight == inFlight)
                && (inFlightAtLeast == null || state.InFlight >= inFlightAtLeast)
                && (requestsAtLeast == null || state.RequestCount >= requestsAtLeast)
                && (gate == null || state.Gates.Held(gate) >= (heldAtLeast ?? 1));
            bool satisfied = await state.WaitUntilAsync(Holds, TimeSpan.FromMilliseconds(timeoutMs ?? 10_000), ctx.RequestAborted);
            return Results.Json(new
            {
                Satisfied = satisfied,
                state.InFlight,
                state.MaxInFlight,
                Requests = state.RequestCount,
                Held = state.Gates.All,
            }, ControlEndpoints.SandboxJson);
        });
    }
}
