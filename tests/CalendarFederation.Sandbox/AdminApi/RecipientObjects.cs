using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using static CalendarFederation.Sandbox.AdminApi.ExchangeObjects;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>Mailboxes, groups and group members as the recipient cmdlets return them, and Exchange's -ResultSize.</summary>
public static class RecipientObjects
{
    public const int DefaultResultSize = 1000;

    public const string DefaultResultSizeWarning =
        "By default, only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. " +
        "To return all items, specify \"-ResultSize Unlimited\". Be aware that, depending upon the actual number of items, returning all items " +
        "can take a long time and consume a large amount of memory. Also, we don't recommend storing the results in a variable. " +
        "Instead, pipe the results to another task or script to perform batch changes.";

    public const string MoreResultsWarning =
        "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.";

    private static readonly DateTimeOffset Created = new(2021, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static JsonObject Mailbox(TenantConfig tenant, MailboxConfig m)
    {
        string type = m.IsRoom ? "RoomMailbox" : "UserMailbox";
        var o = new JsonObject
        {
            ["Name"] = m.Alias,
            ["DisplayName"] = m.DisplayName ?? m.Alias,
            ["Alias"] = m.Alias,
            ["PrimarySmtpAddress"] = m.Address,
            ["UserPrincipalName"] = m.Address,
            ["WindowsEmailAddress"] = m.Address,
            ["EmailAddresses"] = Strings(new[] { "SMTP:" + m.Address }),
            ["EmailAddresses@odata.type"] = "#Collection(String)",
            ["RecipientType"] = "UserMailbox",
            ["RecipientTypeDetails"] = type,
            ["ResourceType"] = m.IsRoom ? "Room" : null,
            ["IsResource"] = m.IsRoom,
            ["ExternalDirectoryObjectId"] = TenantDirectory.MailboxObjectId(tenant, m).ToString(),
            // Blank (null) means the tenant's default sharing policy (docs/cross-tenant-access.md §4.1).
            ["SharingPolicy"] = string.IsNullOrWhiteSpace(m.SharingPolicy) ? null : m.SharingPolicy,
        };
        AddCommon(o, m.EffectiveGuid(tenant), m.Alias, $"CN={m.Alias},OU={tenant.OrganizationDomain},OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM",
            new[] { "top", "person", "organizationalPerson", "user" }, Created, Created);
        o["OrganizationId"] = OrganizationId(tenant);
        return o;
    }

    public static JsonObject Group(TenantConfig tenant, GroupConfig g)
    {
        string type = g.SecurityEnabled ? "MailUniversalSecurityGroup" : "MailUniversalDistributionGroup";
        var o = new JsonObject
        {
            ["Name"] = g.Name,
            ["DisplayName"] = g.DisplayName ?? g.Name,
            ["Alias"] = g.Alias,
            ["PrimarySmtpAddress"] = g.Address,
            ["RecipientType"] = type,
            ["RecipientTypeDetails"] = type,
            ["GroupType"] = g.SecurityEnabled ? "Universal, SecurityEnabled" : "Universal",
            ["MemberJoinRestriction"] = "Closed",
            ["MemberDepartRestriction"] = "Closed",
            ["ExternalDirectoryObjectId"] = g.EffectiveObjectId(tenant).ToString(),
        };
        AddCommon(o, g.EffectiveGuid(tenant), g.Name, $"CN={g.Name},OU={tenant.OrganizationDomain},OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM",
            new[] { "top", "group" }, Created, Created);
        o["OrganizationId"] = OrganizationId(tenant);
        return o;
    }

    /// <summary>A group as Get-Group returns it (the directory view: no mail properties beyond WindowsEmailAddress).</summary>
    public static JsonObject DirectoryGroup(TenantConfig tenant, GroupConfig g)
    {
        string type = g.SecurityEnabled ? "MailUniversalSecurityGroup" : "MailUniversalDistributionGroup";
        var o = new JsonObject
        {
            ["Name"] = g.Name,
            ["DisplayName"] = g.DisplayName ?? g.Name,
            ["WindowsEmailAddress"] = g.Address,
            ["RecipientType"] = type,
            ["RecipientTypeDetails"] = type,
            ["GroupType"] = g.SecurityEnabled ? "Universal, SecurityEnabled" : "Universal",
            ["IsDirSynced"] = false,
            ["ExternalDirectoryObjectId"] = g.EffectiveObjectId(tenant).ToString(),
        };
        AddCommon(o, g.EffectiveGuid(tenant), g.Name, $"CN={g.Name},OU={tenant.OrganizationDomain},OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM",
            new[] { "top", "group" }, Created, Created);
        o["OrganizationId"] = OrganizationId(tenant);
        return o;
    }

    /// <summary>A group by name, display name, alias, address, Exchange GUID or Entra object id.</summary>
    public static GroupConfig? FindGroup(TenantConfig tenant, string identity) =>
        TenantDirectory.FindGroup(tenant, identity)
        ?? (Guid.TryParse(identity, out Guid id) ? TenantDirectory.FindGroupByObjectId(tenant, id) : null);

    /// <summary>A group member: the tenant's mailbox with that address, or a mail user for any other address.</summary>
    public static JsonObject Member(TenantConfig tenant, string address, MailboxConfig? mailbox)
    {
        if (mailbox != null) return Mailbox(tenant, mailbox);
        string alias = address.Split('@')[0];
        Guid guid = ExchangeTenantState.StableGuid(tenant.Id, "MailUser|" + address);
        var o = new JsonObject
        {
            ["Name"] = alias,
            ["DisplayName"] = alias,
            ["Alias"] = alias,
            ["PrimarySmtpAddress"] = address,
            ["RecipientType"] = "MailUser",
            ["RecipientTypeDetails"] = "MailUser",
            ["ExternalDirectoryObjectId"] = guid.ToString(),
        };
        AddCommon(o, guid, alias, $"CN={alias},OU={tenant.OrganizationDomain},OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM",
            new[] { "top", "person", "organizationalPerson", "user" }, Created, Created);
        return o;
    }

    /// <summary>-ResultSize: a number or "Unlimited" (null); 1000 when absent.</summary>
    public static int? ResultSize(CmdletContext context, out bool given)
    {
        given = context.Parameters.TryGetValue("ResultSize", out JsonElement v) && v.ValueKind != JsonValueKind.Null;
        if (!given) return DefaultResultSize;
        string text = v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim() : v.GetRawText();
        if (text.Equals("Unlimited", StringComparison.OrdinalIgnoreCase)) return null;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0) return n;
        throw ExchangeErrorException.CannotConvert("ResultSize", text, "Microsoft.Exchange.Data.Unlimited`1[System.UInt32]",
            $"Cannot convert value \"{text}\" to type \"System.UInt32\". Error: \"Input string was not in a correct format.\"");
    }

    /// <summary>Cuts <paramref name="all"/> to -ResultSize, with Exchange's warning when results were left out.</summary>
    public static IReadOnlyList<T> Limit<T>(CmdletContext context, IReadOnlyList<T> all)
    {
        int? size = ResultSize(context, out bool given);
        if (size == null || all.Count <= size.Value) return all;
        context.Warnings.Add(given ? MoreResultsWarning : DefaultResultSizeWarning);
        return all.Take(size.Value).ToArray();
    }
}
