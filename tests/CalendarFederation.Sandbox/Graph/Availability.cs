using System.Globalization;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Graph;

/// <summary>
/// Who may see what of a mailbox's calendar, answered as Graph's scheduleInformation. Same tenant: the calendar's Default
/// permission decides. Across tenants (requester in R, mailbox in T), as the service decides since X-TAP
/// (docs/cross-tenant-access.md §1.4): while a legacy object is in effect on either side (R's enabled relationship
/// covering T's domain, T's enabled relationship sharing free/busy with R's domain, R's OrgWideFBToken address space
/// for T's domain, or a sharing-policy rule naming the other side's domain) the legacy path answers: organization
/// relationships (refused when T's EWS is blocked) or the address space. Otherwise T's Microsoft 365 cross-tenant
/// access policy: partner(R), its trust (null inherits T's default), and an allowed free/busy capability whose
/// resourceScopes hold the mailbox. The calendar's Default permission caps the level.
/// </summary>
public static class Availability
{
    public const string UnknownAddressCode = "5009";
    public const string UnknownAddressMessage = "The SMTP address has no mailbox associated with it.";
    public const string NoRelationshipCode = "ErrorNoOrganizationRelationship";
    public const string AccessDeniedCode = "ErrorFreeBusyAccessDenied";
    public const string ScopeCode = "ErrorFreeBusyScopeExcluded";
    public const string LevelNoneCode = "ErrorFreeBusyLevelNone";
    /// <summary>The sandbox's own code: the legacy path is in effect but EWS is blocked in the target tenant (or retired).</summary>
    public const string EwsBlockedCode = "ErrorLegacyFreeBusyBlocked";
    /// <summary>The sandbox's own code: R's address space for the domain names another tenant than the one that owns it.</summary>
    public const string AddressSpaceCode = "ErrorAvailabilityAddressSpaceMismatch";
    /// <summary>X-TAP: the mailbox is not in the capability's resourceScopes (observed, docs/cross-tenant-access.md §5).</summary>
    public const string XtapScopeCode = "5016";
    public const string XtapScopeMessage = "Cross-tenant access denied: the user or group restrictions in the cross-tenant policy could not be evaluated";
    /// <summary>X-TAP: the resource tenant does not serve the domain to the requester's tenant (observed, docs/cross-tenant-access.md §5).</summary>
    public const string XtapNotServedCode = "7002";

    /// <summary>One schedule: the requester (in <paramref name="requesterTenant"/>) asks about <paramref name="target"/>.</summary>
    public static JsonObject Schedule(SandboxState state, TenantConfig requesterTenant, string requesterAddress, string target,
        DateTimeOffset start, DateTimeOffset end, int intervalMinutes, TimeZoneInfo? zone = null, string? zoneName = null)
    {
        int slots = Slots(start, end, intervalMinutes);
        (TenantConfig? targetTenant, MailboxConfig? mailbox) = TenantDirectory.ResolveAddress(state.Config, target);
        FreeBusyLevel level;

        if (targetTenant?.Id == requesterTenant.Id)
        {
            if (mailbox == null) return Error(target, slots, UnknownAddressCode, UnknownAddressMessage);
            level = mailbox.DefaultLevel;
            if (level == FreeBusyLevel.None)
            {
                return Error(target, slots, LevelNoneCode, $"The calendar of {mailbox.Address} grants its Default user None, so it shares no free/busy.");
            }
        }
        else
        {
            var lookup = new CrossTenantLookup(state, requesterTenant, requesterAddress, targetTenant, mailbox, target);
            JsonObject? refusal = lookup.Decide(slots, out level);
            if (refusal != null) return refusal;
        }

        List<EventConfig> events = mailbox!.EventsBetween(start, end).ToList();
        var items = new JsonArray();
        foreach (EventConfig e in events)
        {
            var item = new JsonObject { ["status"] = e.Status };
            if (level >= FreeBusyLevel.LimitedDetails)
            {
                item["subject"] = e.Subject ?? "";
                item["location"] = e.Location ?? "";
            }
            item["start"] = Time(e.Start, zone, zoneName);
            item["end"] = Time(e.End, zone, zoneName);
            items.Add(item);
        }
        return new JsonObject
        {
            ["scheduleId"] = target,
            ["availabilityView"] = View(events, start, intervalMinutes, slots),
            ["scheduleItems"] = items,
            ["workingHours"] = WorkingHours(),
        };
    }

    /// <summary>The number of availabilityView digits: whole intervals, the last one partial.</summary>
    public static int Slots(DateTimeOffset start, DateTimeOffset end, int intervalMinutes) =>
        (int)Math.Ceiling((end - start).TotalMinutes / intervalMinutes);

    /// <summary>One digit per interval, the busiest status of the events overlapping it (3 oof > 2 busy > 1 tentative > 0 free).</summary>
    public static string View(IReadOnlyList<EventConfig> events, DateTimeOffset start, int intervalMinutes, int slots)
    {
        var digits = new char[slots];
        for (int i = 0; i < slots; i++)
        {
            DateTimeOffset from = start.AddMinutes((double)i * intervalMinutes);
            DateTimeOffset to = from.AddMinutes(intervalMinutes);
            int digit = 0;
            foreach (EventConfig e in events)
            {
                if (e.Start < to && e.End > from) digit = Math.Max(digit, e.Digit);
            }
            digits[i] = (char)('0' + digit);
        }
        return new string(digits);
    }

    /// <summary>A dateTimeTimeZone: UTC, or the local time in <paramref name="zone"/> labelled as the client named it (Prefer: outlook.timezone).</summary>
    public static JsonObject Time(DateTimeOffset value, TimeZoneInfo? zone = null, string? zoneName = null) => new()
    {
        ["dateTime"] = (zone == null ? value.UtcDateTime : TimeZoneInfo.ConvertTimeFromUtc(value.UtcDateTime, zone))
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        ["timeZone"] = zone == null ? "UTC" : zoneName ?? zone.Id,
    };

    private static JsonObject WorkingHours() => new()
    {
        ["daysOfWeek"] = new JsonArray("monday", "tuesday", "wednesday", "thursday", "friday"),
        ["startTime"] = "08:00:00.0000000",
        ["endTime"] = "17:00:00.0000000",
        ["timeZone"] = new JsonObject { ["name"] = "UTC" },
    };

    /// <summary>No data: every digit 4 (or, as X-TAP's refusals show, an empty view), no items, and why.</summary>
    internal static JsonObject Error(string target, int slots, string code, string message, bool emptyView = false) => new()
    {
        ["scheduleId"] = target,
        ["availabilityView"] = emptyView ? "" : new string('4', slots),
        ["scheduleItems"] = new JsonArray(),
        ["error"] = new JsonObject { ["message"] = message, ["responseCode"] = code },
    };

    internal static string Domain(string address) => address.Contains('@') ? address.Substring(address.LastIndexOf('@') + 1) : "";
}
