using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Graph;

/// <summary>
/// Microsoft Graph's getSchedule, as the sandbox's availability service: POST /{v1.0|beta}/users/{requester}/calendar/getSchedule
/// and POST /{v1.0|beta}/me/calendar/getSchedule. The bearer token must be the sandbox's (signature, expiry), for this origin
/// or Graph; its tid is the requester's tenant; it must carry a calendar permission (<see cref="DelegatedPermissions"/> in
/// scp, <see cref="ApplicationPermissions"/> in roles), else 403 ErrorAccessDenied as Graph's Outlook APIs answer.
/// App-only tokens may ask as any mailbox or user of that tenant; delegated tokens as /me or their own upn. Each schedule
/// is answered by <see cref="Availability"/>.
/// </summary>
public sealed class ScheduleEndpoint
{
    public const string GraphResource = GraphHttp.GraphResource;
    public const string GraphAppId = GraphHttp.GraphAppId;
    public const int MaxSchedules = 100;
    public const int MaxDays = 62;

    /// <summary>Graph's calendar: getSchedule permissions table, delegated: Calendars.ReadBasic (least), Calendars.Read, Calendars.ReadWrite.</summary>
    public static readonly IReadOnlyList<string> DelegatedPermissions = new[] { "Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite" };

    /// <summary>The same as application permissions: the least privileged one is named Calendars.ReadBasic.All.</summary>
    public static readonly IReadOnlyList<string> ApplicationPermissions = new[] { "Calendars.ReadBasic.All", "Calendars.Read", "Calendars.ReadWrite" };

    public const string AccessDeniedCode = "ErrorAccessDenied";
    public const string AccessDeniedMessage = "Access is denied. Check credentials and try again.";

    private readonly SandboxState _state;

    public ScheduleEndpoint(SandboxState state) => _state = state;

    public void Map(WebApplication app)
    {
        app.MapPost("/{version}/users/{requester}/calendar/getSchedule", (HttpContext ctx, string version, string requester) => HandleAsync(ctx, version, requester));
        app.MapPost("/{version}/me/calendar/getSchedule", (HttpContext ctx, string version) => HandleAsync(ctx, version, null));
    }

    private async Task HandleAsync(HttpContext ctx, string version, string? routeRequester)
    {
        RequestRecord record = GraphHttp.NewRecord(_state, ctx);
        record.Requester = routeRequester;
        try
        {
            if (!GraphHttp.IsVersion(version))
            {
                await WriteErrorAsync(ctx, record, 400, "BadRequest", $"Invalid version: {version}");
                return;
            }

            // The token
            GraphCaller? caller = await GraphHttp.AuthenticateAsync(_state, ctx, record);
            if (caller == null) return;
            TenantConfig tenant = caller.Tenant;
            AccessTokenInfo info = caller.Token;

            // The permission, before the requester is looked at: a token without a calendar permission is refused outright.
            if (!HoldsCalendarPermission(caller))
            {
                await WriteErrorAsync(ctx, record, 403, AccessDeniedCode, AccessDeniedMessage);
                return;
            }

            // The requester: /me (delegated only) or a mailbox or user of the token's tenant.
            string? requesterKey = routeRequester;
            if (requesterKey == null)
            {
                if (info.IsApp)
                {
                    await WriteErrorAsync(ctx, record, 400, "BadRequest", "/me request is only valid with delegated authentication flow.");
                    return;
                }
                requesterKey = info.Upn ?? info.ObjectId.ToString();
            }
            string? requester = ResolveRequester(tenant, requesterKey);
            if (requester == null)
            {
                await WriteErrorAsync(ctx, record, 404, "ErrorInvalidUser", $"The requested user '{requesterKey}' is invalid.");
                return;
            }
            record.Requester = requester;
            if (!info.IsApp && routeRequester != null
                && !requester.Equals(info.Upn, StringComparison.OrdinalIgnoreCase)
                && !(Guid.TryParse(routeRequester, out Guid routeId) && routeId == info.ObjectId))
            {
                await WriteErrorAsync(ctx, record, 403, AccessDeniedCode, AccessDeniedMessage);
                return;
            }

            // The body
            ScheduleRequest? request;
            string? invalid;
            try
            {
                using JsonDocument doc = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
                request = ScheduleRequest.Read(doc.RootElement, out invalid);
            }
            catch (JsonException)
            {
                await WriteErrorAsync(ctx, record, 400, "BadRequest",
                    "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
                return;
            }
            if (request == null)
            {
                await WriteErrorAsync(ctx, record, 400, "ErrorInvalidParameter", invalid!);
                return;
            }
            record.Schedules = request.Schedules.ToList();

            // Prefer: outlook.timezone="..." gives the items' times in that zone, as Graph does; an unknown zone is ignored (UTC).
            string? zoneName = PreferredTimeZone(ctx);
            TimeZoneInfo? zone = TimeZones.Find(zoneName);
            if (zone != null) ctx.Response.Headers["Preference-Applied"] = $"outlook.timezone=\"{zoneName}\"";
            else zoneName = null;
            if (zone == TimeZoneInfo.Utc) (zone, zoneName) = (null, null);
            request = request with { Zone = zone, ZoneName = zoneName };

            int latency = _state.LatencyMs + tenant.LatencyMs;
            if (latency > 0) await SandboxDelay.AtLeastAsync(latency, ctx.RequestAborted);

            FaultRule? fault = _state.MatchFault("graph", ctx.Request.Method, ctx.Request.Host.Host, ctx.Connection.LocalPort, ctx.Request.Path, null, tenant, null);
            record.Fault = fault?.Id;
            if (fault != null)
            {
                bool handled = await JsonFaultWriter.ApplyAsync(ctx, fault,
                    () => Task.FromResult((200, Answer(ctx, version, tenant, requester, request).ToJsonString(Jwt.WireJson))),
                    seconds => record.RetryAfter = seconds);
                if (handled)
                {
                    record.Status = ctx.Response.StatusCode;
                    return;
                }
            }
            await WriteJsonAsync(ctx, record, 200, Answer(ctx, version, tenant, requester, request));
        }
        finally
        {
            if (record.Status == 0) record.Status = ctx.Response.StatusCode;
            _state.Record(record);
        }
    }

    private JsonObject Answer(HttpContext ctx, string version, TenantConfig tenant, string requester, ScheduleRequest request)
    {
        var values = new JsonArray();
        foreach (string target in request.Schedules)
        {
            values.Add(Availability.Schedule(_state, tenant, requester, target, request.Start, request.End, request.IntervalMinutes, request.Zone, request.ZoneName));
        }
        return new JsonObject
        {
            ["@odata.context"] = $"{EntraEndpoints.Origin(ctx)}/{version}/$metadata#Collection(microsoft.graph.scheduleInformation)",
            ["value"] = values,
        };
    }

    /// <summary>A delegated token's scp holds one of <see cref="DelegatedPermissions"/>, an app-only token's roles one of <see cref="ApplicationPermissions"/>.</summary>
    public static bool HoldsCalendarPermission(GraphCaller caller)
    {
        IReadOnlyList<string> held = caller.IsApp ? caller.AppRoles : caller.Scopes;
        IReadOnlyList<string> wanted = caller.IsApp ? ApplicationPermissions : DelegatedPermissions;
        return wanted.Any(p => held.Contains(p, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The zone named by a Prefer: outlook.timezone="..." preference (quoted or not), if any.</summary>
    public static string? PreferredTimeZone(HttpContext ctx)
    {
        foreach (string? header in ctx.Request.Headers["Prefer"])
        {
            if (header == null) continue;
            foreach (string part in header.Split(','))
            {
                string[] kv = part.Trim().Split('=', 2);
                if (kv.Length == 2 && kv[0].Trim().Equals("outlook.timezone", StringComparison.OrdinalIgnoreCase))
                {
                    string value = kv[1].Trim().Trim('"').Trim();
                    if (value.Length > 0) return value;
                }
            }
        }
        return null;
    }

    /// <summary>The requester's address: a mailbox of the tenant (address, alias or GUID) or a user (UPN or object id).</summary>
    private static string? ResolveRequester(TenantConfig tenant, string key)
    {
        MailboxConfig? mailbox = TenantDirectory.FindMailbox(tenant, key);
        if (mailbox != null) return mailbox.Address;
        UserConfig? user = Guid.TryParse(key, out Guid oid) ? IdentityState.FindUser(tenant, oid) : IdentityState.FindUser(tenant, key);
        return user?.Upn;
    }

    private static Task WriteErrorAsync(HttpContext ctx, RequestRecord record, int status, string code, string message) =>
        GraphHttp.WriteErrorAsync(ctx, record, status, code, message);

    private static Task WriteJsonAsync(HttpContext ctx, RequestRecord record, int status, JsonObject body) =>
        GraphHttp.WriteJsonAsync(ctx, record, status, body);
}

/// <summary>A getSchedule body: schedules, startTime, endTime (dateTimeTimeZone), availabilityViewInterval. Names are case-insensitive.</summary>
public sealed record ScheduleRequest(IReadOnlyList<string> Schedules, DateTimeOffset Start, DateTimeOffset End, int IntervalMinutes)
{
    /// <summary>The zone the answer's times are given in (Prefer: outlook.timezone); null for UTC.</summary>
    public TimeZoneInfo? Zone { get; init; }

    /// <summary>The zone as the client named it (the answer's timeZone).</summary>
    public string? ZoneName { get; init; }

    public static ScheduleRequest? Read(JsonElement root, out string? problem)
    {
        problem = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "The request body must be a JSON object.";
            return null;
        }
        JsonElement? Get(string name)
        {
            foreach (JsonProperty p in root.EnumerateObject())
            {
                if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return p.Value;
            }
            return null;
        }

        if (Get("schedules") is not { ValueKind: JsonValueKind.Array } schedules || schedules.GetArrayLength() == 0
            || schedules.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(s.GetString())))
        {
            problem = "The 'schedules' parameter must be a non-empty array of SMTP addresses.";
            return null;
        }
        if (schedules.GetArrayLength() > ScheduleEndpoint.MaxSchedules)
        {
            problem = $"At most {ScheduleEndpoint.MaxSchedules} schedules can be requested at once.";
            return null;
        }
        DateTimeOffset? start = ReadTime(Get("startTime"), "startTime", ref problem);
        if (start == null) return null;
        DateTimeOffset? end = ReadTime(Get("endTime"), "endTime", ref problem);
        if (end == null) return null;
        if (end <= start)
        {
            problem = "The end time must be later than the start time.";
            return null;
        }
        if ((end.Value - start.Value).TotalDays > ScheduleEndpoint.MaxDays)
        {
            problem = $"The time range can't exceed {ScheduleEndpoint.MaxDays} days.";
            return null;
        }
        int interval = 30;
        if (Get("availabilityViewInterval") is { } iv && iv.ValueKind != JsonValueKind.Null)
        {
            bool ok = iv.ValueKind == JsonValueKind.Number ? iv.TryGetInt32(out interval)
                : iv.ValueKind == JsonValueKind.String && int.TryParse(iv.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out interval);
            if (!ok || interval < 5 || interval > 1440)
            {
                problem = "availabilityViewInterval must be a number of minutes from 5 to 1440.";
                return null;
            }
        }
        return new ScheduleRequest(schedules.EnumerateArray().Select(s => s.GetString()!.Trim()).ToArray(), start.Value, end.Value, interval);
    }

    private static DateTimeOffset? ReadTime(JsonElement? value, string name, ref string? problem)
    {
        if (value is not { ValueKind: JsonValueKind.Object } v)
        {
            problem = $"The '{name}' parameter must be a dateTimeTimeZone object with dateTime and timeZone.";
            return null;
        }
        string? dateTime = null;
        string? zone = null;
        foreach (JsonProperty p in v.EnumerateObject())
        {
            if (p.Name.Equals("dateTime", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String) dateTime = p.Value.GetString();
            if (p.Name.Equals("timeZone", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String) zone = p.Value.GetString();
        }
        if (dateTime == null || !DateTime.TryParse(dateTime, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime local))
        {
            problem = $"{name}.dateTime '{dateTime}' is not a date and time.";
            return null;
        }
        if (local.Kind != DateTimeKind.Unspecified) return new DateTimeOffset(local.ToUniversalTime(), TimeSpan.Zero);
        if (string.IsNullOrEmpty(zone)) return new DateTimeOffset(local, TimeSpan.Zero);
        TimeZoneInfo? tz = TimeZones.Find(zone);
        if (tz == null)
        {
            problem = $"{name}.timeZone '{zone}' is not a time zone the sandbox knows (use UTC).";
            return null;
        }
        return new DateTimeOffset(local, tz.GetUtcOffset(local)).ToUniversalTime();
    }
}
