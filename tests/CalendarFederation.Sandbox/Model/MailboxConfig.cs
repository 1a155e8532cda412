using System.Text.Json.Serialization;

namespace CalendarFederation.Sandbox.Model;

/// <summary>
/// A free/busy level, lowest first: what the calendar's Default permission or a relationship's FreeBusyAccessLevel
/// lets a requester see.
/// </summary>
public enum FreeBusyLevel
{
    None = 0,
    AvailabilityOnly = 1,
    LimitedDetails = 2,
}

/// <summary>An Exchange mailbox (a user or a room) and its calendar.</summary>
public sealed class MailboxConfig
{
    /// <summary>Calendar folder roles the sandbox knows, and the free/busy level each gives the Default user.</summary>
    public static readonly IReadOnlyDictionary<string, FreeBusyLevel> CalendarRoles = new Dictionary<string, FreeBusyLevel>(StringComparer.OrdinalIgnoreCase)
    {
        ["None"] = FreeBusyLevel.None,
        ["AvailabilityOnly"] = FreeBusyLevel.AvailabilityOnly,
        ["LimitedDetails"] = FreeBusyLevel.LimitedDetails,
        // Roles that can read items see at least subject and location; free/busy never shows more.
        ["Reviewer"] = FreeBusyLevel.LimitedDetails,
        ["Author"] = FreeBusyLevel.LimitedDetails,
        ["NonEditingAuthor"] = FreeBusyLevel.LimitedDetails,
        ["PublishingAuthor"] = FreeBusyLevel.LimitedDetails,
        ["Editor"] = FreeBusyLevel.LimitedDetails,
        ["PublishingEditor"] = FreeBusyLevel.LimitedDetails,
        ["Owner"] = FreeBusyLevel.LimitedDetails,
        // Contributor can create items but not read them: the sandbox gives it times only.
        ["Contributor"] = FreeBusyLevel.AvailabilityOnly,
    };

    public string Address { get; set; } = "";
    public string? DisplayName { get; set; }
    /// <summary>The access right the calendar grants its "Default" user (Exchange's default is AvailabilityOnly).</summary>
    public string CalendarDefaultPermission { get; set; } = "AvailabilityOnly";
    public bool IsRoom { get; set; }
    /// <summary>The calendar. Null: the default day (see <see cref="DefaultEvents"/>) on every day; empty: always free.</summary>
    public List<EventConfig>? Events { get; set; }
    /// <summary>The mailbox's GUID; derived from the address when absent.</summary>
    public Guid? Guid { get; set; }
    /// <summary>
    /// The Entra ID user's object id (ExternalDirectoryObjectId, what X-TAP resourceScopes name): when absent, the object id
    /// of the tenant's user with this address as UPN, else one derived from the address.
    /// </summary>
    public Guid? ObjectId { get; set; }
    /// <summary>The sharing policy assigned to the mailbox; null (blank) means the tenant's default policy.</summary>
    public string? SharingPolicy { get; set; }

    [JsonIgnore]
    public string Alias => Address.Split('@')[0];

    [JsonIgnore]
    public string Domain => Address.Contains('@') ? Address.Substring(Address.IndexOf('@') + 1) : "";

    [JsonIgnore]
    public FreeBusyLevel DefaultLevel => CalendarRoles.GetValueOrDefault(CalendarDefaultPermission, FreeBusyLevel.None);

    /// <summary>The role name as Exchange spells it ("reviewer" becomes "Reviewer").</summary>
    [JsonIgnore]
    public string DefaultPermissionName => CalendarRoles.Keys.FirstOrDefault(k => k.Equals(CalendarDefaultPermission, StringComparison.OrdinalIgnoreCase)) ?? CalendarDefaultPermission;

    public Guid EffectiveGuid(TenantConfig tenant) => Guid ?? AdminApi.ExchangeTenantState.StableGuid(tenant.Id, "Mailbox|" + Address);

    public void Validate(TenantConfig tenant)
    {
        if (string.IsNullOrWhiteSpace(Address) || Address.Count(c => c == '@') != 1 || Address.StartsWith('@') || Address.EndsWith('@'))
        {
            throw new InvalidDataException($"A mailbox of tenant {tenant.Name} has no valid address ('{Address}').");
        }
        if (!OwnsDomain(tenant, Domain)) throw new InvalidDataException($"Mailbox {Address}: {Domain} is not a domain of tenant {tenant.Name}.");
        if (!CalendarRoles.ContainsKey(CalendarDefaultPermission))
        {
            throw new InvalidDataException($"Mailbox {Address}: calendarDefaultPermission '{CalendarDefaultPermission}' is not one of {string.Join(", ", CalendarRoles.Keys)}.");
        }
        foreach (EventConfig e in Events ?? new List<EventConfig>())
        {
            if (e.End <= e.Start) throw new InvalidDataException($"Mailbox {Address}: an event ends before it starts ({e.Start:o} - {e.End:o}).");
            if (!EventConfig.ShowAsValues.Contains(e.ShowAs, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Mailbox {Address}: showAs '{e.ShowAs}' is not one of {string.Join(", ", EventConfig.ShowAsValues)}.");
            }
        }
    }

    internal static bool OwnsDomain(TenantConfig tenant, string domain) =>
        tenant.Domains.Any(d => d.Equals(domain, StringComparison.OrdinalIgnoreCase))
        || string.Equals(tenant.InitialDomain, domain, StringComparison.OrdinalIgnoreCase);

    /// <summary>The calendar's events that overlap [start, end): the configured ones, or the default day repeated daily.</summary>
    public IEnumerable<EventConfig> EventsBetween(DateTimeOffset start, DateTimeOffset end)
    {
        if (Events != null)
        {
            return Events.Where(e => e.Start < end && e.End > start).OrderBy(e => e.Start).ToList();
        }
        var list = new List<EventConfig>();
        for (DateTime day = start.UtcDateTime.Date.AddDays(-1); day < end.UtcDateTime; day = day.AddDays(1))
        {
            list.AddRange(DefaultEvents(day).Where(e => e.Start < end && e.End > start));
        }
        return list;
    }

    /// <summary>The default day (UTC): 09:00-10:00 busy, 13:00-14:00 tentative, 15:00-16:00 out of office.</summary>
    public static IEnumerable<EventConfig> DefaultEvents(DateTime dayUtc)
    {
        var day = new DateTimeOffset(dayUtc.Date, TimeSpan.Zero);
        yield return new EventConfig { Start = day.AddHours(9), End = day.AddHours(10), Subject = "Project sync", Location = "Room 1", ShowAs = "busy" };
        yield return new EventConfig { Start = day.AddHours(13), End = day.AddHours(14), Subject = "Lunch & learn", Location = "Cafeteria", ShowAs = "tentative" };
        yield return new EventConfig { Start = day.AddHours(15), End = day.AddHours(16), Subject = "Dentist", Location = "", ShowAs = "oof" };
    }
}

/// <summary>One calendar event.</summary>
public sealed class EventConfig
{
    public static readonly string[] ShowAsValues = { "free", "tentative", "busy", "oof", "workingElsewhere" };

    public DateTimeOffset Start { get; set; }
    public DateTimeOffset End { get; set; }
    public string? Subject { get; set; }
    public string? Location { get; set; }
    /// <summary>"busy", "tentative", "oof", "free" or "workingElsewhere".</summary>
    public string ShowAs { get; set; } = "busy";

    /// <summary>The availabilityView digit: 0 free (and working elsewhere, as Graph does), 1 tentative, 2 busy, 3 out of office.</summary>
    [JsonIgnore]
    public int Digit => ShowAs.ToLowerInvariant() switch
    {
        "tentative" => 1,
        "busy" => 2,
        "oof" => 3,
        _ => 0,
    };

    /// <summary>Graph's freeBusyStatus spelling.</summary>
    [JsonIgnore]
    public string Status => ShowAsValues.First(v => v.Equals(ShowAs, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A mail-enabled group; members are addresses, plus <see cref="SyntheticMemberCount"/> generated ones.</summary>
public sealed class GroupConfig
{
    public string Name { get; set; } = "";
    public string? DisplayName { get; set; }
    /// <summary>The group's primary SMTP address.</summary>
    public string? Address { get; set; }
    /// <summary>A mail-enabled security group (MailUniversalSecurityGroup) unless false (MailUniversalDistributionGroup).</summary>
    public bool SecurityEnabled { get; set; } = true;
    public List<string> Members { get; set; } = new();
    /// <summary>Adds this many generated members (member00001@{group domain} ...) after the listed ones.</summary>
    public int SyntheticMemberCount { get; set; }
    /// <summary>The Exchange object's GUID; derived from the name when absent.</summary>
    public Guid? Guid { get; set; }
    /// <summary>The Entra ID group's object id (ExternalDirectoryObjectId, what X-TAP resourceScopes name); derived from the name when absent.</summary>
    public Guid? ObjectId { get; set; }

    [JsonIgnore]
    public string Alias => Address != null && Address.Contains('@') ? Address.Split('@')[0] : Name.Replace(" ", "", StringComparison.Ordinal);

    public Guid EffectiveGuid(TenantConfig tenant) => Guid ?? AdminApi.ExchangeTenantState.StableGuid(tenant.Id, "Group|" + Name);

    public Guid EffectiveObjectId(TenantConfig tenant) => ObjectId ?? AdminApi.ExchangeTenantState.StableGuid(tenant.Id, "EntraGroup|" + Name);

    public void Validate(TenantConfig tenant)
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new InvalidDataException($"A group of tenant {tenant.Name} has no name.");
        if (Address != null)
        {
            int at = Address.IndexOf('@');
            if (at <= 0 || at == Address.Length - 1 || !MailboxConfig.OwnsDomain(tenant, Address.Substring(at + 1)))
            {
                throw new InvalidDataException($"Group {Name}: '{Address}' is not an address in a domain of tenant {tenant.Name}.");
            }
        }
        if (SyntheticMemberCount < 0) throw new InvalidDataException($"Group {Name}: syntheticMemberCount must not be negative.");
    }

    /// <summary>The domain generated members are in: the group's, or the tenant's organization domain.</summary>
    public string MemberDomain(TenantConfig tenant) =>
        Address != null && Address.Contains('@') ? Address.Substring(Address.IndexOf('@') + 1) : tenant.OrganizationDomain;

    public static string SyntheticAddress(string domain, int index) => $"member{index:00000}@{domain}";
}
