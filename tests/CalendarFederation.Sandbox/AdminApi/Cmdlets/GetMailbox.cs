using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Get-Mailbox [-Identity address|alias|display name|GUID] [-RecipientTypeDetails] [-ResultSize].</summary>
public sealed class GetMailbox : IAdminCmdlet
{
    public string Name => "Get-Mailbox";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "ResultSize", "RecipientTypeDetails", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        TenantConfig tenant = context.Tenant;
        string? identity = ParameterReader.OptionalString(context, "Identity", out _);
        if (identity != null)
        {
            MailboxConfig m = TenantDirectory.FindMailbox(tenant, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            return Task.FromResult<IReadOnlyList<JsonObject>?>(new[] { RecipientObjects.Mailbox(tenant, m) });
        }
        IEnumerable<MailboxConfig> all = TenantDirectory.Mailboxes(tenant);
        IReadOnlyList<string>? types = ParameterReader.Strings(context, "RecipientTypeDetails");
        if (types != null) all = all.Where(m => types.Contains(m.IsRoom ? "RoomMailbox" : "UserMailbox", StringComparer.OrdinalIgnoreCase));
        IReadOnlyList<JsonObject> list = all.Select(m => RecipientObjects.Mailbox(tenant, m)).ToArray();
        return Task.FromResult<IReadOnlyList<JsonObject>?>(RecipientObjects.Limit(context, list));
    }
}
