using System.Text.Json;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Control;

/// <summary>
/// Knobs and views for the tenants' Exchange side: stored organization relationships, hydration, the domain cap, and
/// mailboxes and groups added at run time. {tenant} may be a GUID, any domain or the name.
/// </summary>
public static class ExchangeControlEndpoints
{
    public static void Map(WebApplication app, SandboxState state)
    {
        RouteGroupBuilder g = app.MapGroup("/_sandbox/tenants/{tenant}");
        JsonSerializerOptions json = ControlEndpoints.SandboxJson;

        g.MapGet("/relationships", (string tenant) => WithTenant(state, tenant, t =>
            Results.Json(state.AdminApi.Exchange(t).Relationships.All(), json)));

        g.MapPut("/hydration", (string tenant, int seconds) => WithTenant(state, tenant, t =>
        {
            if (seconds < 0) return Results.BadRequest("seconds must not be negative.");
            state.AdminApi.Exchange(t).HydrationSeconds = seconds;
            return Results.NoContent();
        }));

        g.MapPut("/customization-unavailable", (string tenant, bool value) => WithTenant(state, tenant, t =>
        {
            state.AdminApi.Exchange(t).CustomizationUnavailable = value;
            return Results.NoContent();
        }));

        g.MapPut("/domain-cap", (string tenant, string? mode, int? limit) => WithTenant(state, tenant, t =>
        {
            ExchangeTenantState exchange = state.AdminApi.Exchange(t);
            if (mode != null)
            {
                if (!Enum.TryParse(mode, true, out DomainCapMode m)) return Results.BadRequest("mode must be request or total.");
                exchange.DomainCapMode = m;
            }
            if (limit != null)
            {
                if (limit < 1) return Results.BadRequest("limit must be at least 1.");
                exchange.DomainCap = limit.Value;
            }
            return Results.NoContent();
        }));

        g.MapPut("/empty-answer", (string tenant, string? shape) => WithTenant(state, tenant, t =>
        {
            if (shape == null || !Enum.TryParse(shape, true, out EmptyAnswer s)) return Results.BadRequest("shape must be NoContent, EmptyArray or NullValue.");
            state.AdminApi.Exchange(t).EmptyAnswer = s;
            return Results.NoContent();
        }));

        g.MapGet("/mailboxes", (string tenant) => WithTenant(state, tenant, t => Results.Json(TenantDirectory.Mailboxes(t), json)));
        g.MapPost("/mailboxes", async (string tenant, HttpRequest request) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            MailboxConfig? mailbox;
            try
            {
                mailbox = await JsonSerializer.DeserializeAsync<MailboxConfig>(request.Body, json);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest("Not a mailbox: " + ex.Message);
            }
            if (mailbox == null) return Results.BadRequest("A mailbox is required.");
            string? problem = TenantDirectory.AddMailbox(state.Config, t, mailbox);
            if (problem != null) return problem.Contains("already in use", StringComparison.Ordinal) ? Results.Conflict(problem) : Results.BadRequest(problem);
            return Results.Json(mailbox, json, statusCode: 201);
        });

        g.MapGet("/groups", (string tenant) => WithTenant(state, tenant, t => Results.Json(TenantDirectory.Groups(t), json)));
        g.MapPost("/groups", async (string tenant, HttpRequest request) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            GroupConfig? group;
            try
            {
                group = await JsonSerializer.DeserializeAsync<GroupConfig>(request.Body, json);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest("Not a group: " + ex.Message);
            }
            if (group == null) return Results.BadRequest("A group is required.");
            string? problem = TenantDirectory.AddGroup(state.Config, t, group);
            if (problem != null) return problem.Contains("already", StringComparison.Ordinal) ? Results.Conflict(problem) : Results.BadRequest(problem);
            return Results.Json(group, json, statusCode: 201);
        });
    }

    private static IResult WithTenant(SandboxState state, string tenant, Func<TenantConfig, IResult> action)
    {
        TenantConfig? t = state.Config.FindTenant(tenant);
        return t == null ? Results.NotFound($"No tenant {tenant}.") : action(t);
    }
}
