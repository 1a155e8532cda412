using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Get-Recipient [-Identity] [-RecipientTypeDetails] [-ResultSize]: mailboxes, then groups, each with RecipientType,
/// RecipientTypeDetails and ExternalDirectoryObjectId (what X-TAP resourceScopes name).
/// </summary>
public sealed class GetRecipient : IAdminCmdlet
{
    public string Name => "Get-Recipient";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "ResultSize", "RecipientTypeDetails", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        TenantConfig tenant = context.Tenant;
        string? identity = ParameterReader.OptionalString(context, "Identity", out _);
        if (identity != null)
        {
            MailboxConfig? m = TenantDirectory.FindMailbox(tenant, identity)
                ?? (Guid.TryParse(identity, out Guid oid) ? TenantDirectory.Mailboxes(tenant).FirstOrDefault(x => TenantDirectory.MailboxObjectId(tenant, x) == oid) : null);
            if (m != null) return Task.FromResult<IReadOnlyList<JsonObject>?>(new[] { RecipientObjects.Mailbox(tenant, m) });
            GroupConfig g = RecipientObjects.FindGroup(tenant, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            return Task.FromResult<IReadOnlyList<JsonObject>?>(new[] { RecipientObjects.Group(tenant, g) });
        }
        IEnumerable<JsonObject> all = TenantDirectory.Mailboxes(tenant).Select(m => RecipientObjects.Mailbox(tenant, m))
            .Concat(TenantDirectory.Groups(tenant).Select(g => RecipientObjects.Group(tenant, g)));
        IReadOnlyList<string>? types = ParameterReader.Strings(context, "RecipientTypeDetails");
        if (types != null) all = all.Where(o => types.Contains((string?)o["RecipientTypeDetails"] ?? "", StringComparer.OrdinalIgnoreCase));
        return Task.FromResult<IReadOnlyList<JsonObject>?>(RecipientObjects.Limit(context, all.ToArray()));
    }
}
