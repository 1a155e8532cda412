using System.Globalization;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Graph;

/// <summary>
/// Who may see what of a mailbox's calendar (protocol notes 5), answered as Graph's scheduleInformation. Same tenant: the
/// calendar's Default permission decides. Across tenants: the requester's tenant needs an enabled relationship covering the
/// target's domain that can reach the partner; the target's tenant needs an enabled relationship covering the requester's
/// domain with FreeBusyAccessEnabled; the mailbox must be in its FreeBusyAccessScope (when set); and the level is the lower
/// of that relationship's FreeBusyAccessLevel and the Default permission.
/// </summary>
public static class Availability
{
    public const string UnknownAddressCode = "5009";
    public const string UnknownAddressMessage = "The SMTP address has no mailbox associated with it.";
    public const string NoRelationshipCode = "ErrorNoOrganizationRelationship";
    public const string AccessDeniedCode = "ErrorFreeBusyAccessDenied";
    public const string ScopeCode = "ErrorFreeBusyScopeExcluded";
    public const string LevelNoneCode = "ErrorFreeBusyLevelNone";

    /// <summary>One schedule: the requester (in <paramref name="requesterTenant"/>) asks about <paramref name="target"/>.</summary>
    public static JsonObject Schedule(SandboxState state, TenantConfig requesterTenant, string requesterAddress, string target,
        DateTimeOffset start, DateTimeOffset end, int intervalMinutes)
    {
        int slots = Slots(start, end, intervalMinutes);
        (TenantConfig? targetTenant, MailboxConfig? mailbox) = TenantDirectory.ResolveAddress(state.Config, target);
        string targetDomain = Domain(target);
        string requesterDomain = Domain(requesterAddress);
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
            string r = requesterTenant.OrganizationDomain;
            // The requester's side: a relationship that says where and how to ask.
            OrganizationRelationship? outgoing = state.AdminApi.Exchange(requesterTenant).Relationships.All().FirstOrDefault(x => x.HasDomain(targetDomain));
            if (outgoing == null)
            {
                return Error(target, slots, NoRelationshipCode, $"No organization relationship in {r} covers {targetDomain}, so free/busy for it is not requested.");
            }
            if (!outgoing.Enabled)
            {
                return Error(target, slots, NoRelationshipCode,
                    $"The organization relationship '{outgoing.Name}' in {r} covers {targetDomain} but is disabled, so free/busy for it is not requested.");
            }
            if (!outgoing.CanReachPartner)
            {
                return Error(target, slots, NoRelationshipCode,
                    $"The organization relationship '{outgoing.Name}' in {r} covers {targetDomain} but lacks TargetApplicationUri and TargetAutodiscoverEpr or TargetSharingEpr, so free/busy for it is not requested.");
            }
            // A domain no tenant owns: asked, but nobody answers for the address.
            if (targetTenant == null) return Error(target, slots, UnknownAddressCode, UnknownAddressMessage);
            string t = targetTenant.OrganizationDomain;
            // The target's side: a relationship that shares free/busy with the requester's domain.
            OrganizationRelationship? incoming = state.AdminApi.Exchange(targetTenant).Relationships.All().FirstOrDefault(x => x.HasDomain(requesterDomain));
            if (incoming == null || !incoming.Enabled || !incoming.FreeBusyAccessEnabled)
            {
                return Error(target, slots, AccessDeniedCode, $"{t} does not share free/busy with {requesterDomain}.");
            }
            if (mailbox == null) return Error(target, slots, UnknownAddressCode, UnknownAddressMessage);
            if (incoming.FreeBusyAccessScope != null)
            {
                GroupConfig? scope = TenantDirectory.FindGroup(targetTenant, incoming.FreeBusyAccessScope);
                if (scope == null || !TenantDirectory.IsMember(targetTenant, scope, mailbox.Address))
                {
                    return Error(target, slots, ScopeCode,
                        $"{mailbox.Address} is not in the group '{incoming.FreeBusyAccessScope}' that {t} set as the free/busy scope for {requesterDomain}, so it shares no free/busy.");
                }
            }
            level = (FreeBusyLevel)Math.Min((int)incoming.FreeBusyAccessLevel, (int)mailbox.DefaultLevel);
            if (level == FreeBusyLevel.None)
            {
                return Error(target, slots, LevelNoneCode,
                    $"The effective free/busy level for {mailbox.Address} is None: {t}'s organization relationship '{incoming.Name}' grants {incoming.FreeBusyAccessLevel} " +
                    $"and the calendar's Default permission is {mailbox.DefaultPermissionName}.");
            }
        }

        List<EventConfig> events = mailbox.EventsBetween(start, end).ToList();
        var items = new JsonArray();
        foreach (EventConfig e in events)
        {
            var item = new JsonObject { ["status"] = e.Status };
            if (level >= FreeBusyLevel.LimitedDetails)
            {
                item["subject"] = e.Subject ?? "";
                item["location"] = e.Location ?? "";
            }
            item["start"] = Time(e.Start);
            item["end"] = Time(e.End);
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

    public static JsonObject Time(DateTimeOffset value) => new()
    {
        ["dateTime"] = value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        ["timeZone"] = "UTC",
    };

    private static JsonObject WorkingHours() => new()
    {
        ["daysOfWeek"] = new JsonArray("monday", "tuesday", "wednesday", "thursday", "friday"),
        ["startTime"] = "08:00:00.0000000",
        ["endTime"] = "17:00:00.0000000",
        ["timeZone"] = new JsonObject { ["name"] = "UTC" },
    };

    /// <summary>No data: every digit 4, no items, and why.</summary>
    private static JsonObject Error(string target, int slots, string code, string message) => new()
    {
        ["scheduleId"] = target,
        ["availabilityView"] = new string('4', slots),
        ["scheduleItems"] = new JsonArray(),
        ["error"] = new JsonObject { ["message"] = message, ["responseCode"] = code },
    };

    private static string Domain(string address) => address.Contains('@') ? address.Substring(address.LastIndexOf('@') + 1) : "";
}
