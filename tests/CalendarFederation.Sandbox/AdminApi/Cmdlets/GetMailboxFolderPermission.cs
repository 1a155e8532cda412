using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using static CalendarFederation.Sandbox.AdminApi.ExchangeObjects;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Get-MailboxFolderPermission -Identity "mailbox:\Calendar" [-User Default|Anonymous]: the calendar's Default entry (from
/// the mailbox's calendarDefaultPermission) and its Anonymous entry (None). Only the Calendar folder exists.
/// </summary>
public sealed class GetMailboxFolderPermission : IAdminCmdlet
{
    public string Name => "Get-MailboxFolderPermission";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "User", "GroupMailbox", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        TenantConfig tenant = context.Tenant;
        string identity = ParameterReader.RequiredString(context, "Identity");
        int split = identity.IndexOf(":\\", StringComparison.Ordinal);
        string mailboxPart = split < 0 ? identity : identity.Substring(0, split);
        string folder = split < 0 ? "" : identity.Substring(split + 2).Trim('\\');
        MailboxConfig mailbox = TenantDirectory.FindMailbox(tenant, mailboxPart) ?? throw ExchangeErrorException.ObjectNotFound(mailboxPart);
        if (!folder.Equals("Calendar", StringComparison.OrdinalIgnoreCase)) throw ExchangeErrorException.ObjectNotFound(identity);

        var entries = new List<JsonObject>
        {
            Entry(tenant, mailbox, "Default", mailbox.DefaultPermissionName),
            Entry(tenant, mailbox, "Anonymous", "None"),
        };
        string? user = ParameterReader.OptionalString(context, "User", out _);
        if (user != null)
        {
            entries = entries.Where(e => ((string)e["User"]!).Equals(user, StringComparison.OrdinalIgnoreCase)).ToList();
            if (entries.Count == 0) throw ExchangeErrorException.NoPermissionEntry(user);
        }
        return Task.FromResult<IReadOnlyList<JsonObject>?>(entries);
    }

    private static JsonObject Entry(TenantConfig tenant, MailboxConfig mailbox, string user, string right) => new()
    {
        ["Identity"] = mailbox.Address + ":\\Calendar",
        ["FolderName"] = "Calendar",
        ["User"] = user,
        ["AccessRights"] = Strings(new[] { right }),
        ["AccessRights@odata.type"] = "#Collection(String)",
        ["SharingPermissionFlags"] = null,
        ["MailboxGuid"] = mailbox.EffectiveGuid(tenant).ToString(),
        ["IsValid"] = true,
        ["ObjectState"] = "Unchanged",
    };
}
