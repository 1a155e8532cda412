using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Get-DistributionGroupMember -Identity [-ResultSize N|Unlimited]: the listed members, then the generated ones
/// (syntheticMemberCount). 1000 by default, with Exchange's warning when more exist; paged by the usual nextLink.
/// </summary>
public sealed class GetDistributionGroupMember : IAdminCmdlet
{
    public string Name => "Get-DistributionGroupMember";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "ResultSize", "DomainController", "IgnoreDefaultScope", "ReadFromDomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        TenantConfig tenant = context.Tenant;
        string identity = ParameterReader.RequiredString(context, "Identity");
        GroupConfig g = TenantDirectory.FindGroup(tenant, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
        int? size = RecipientObjects.ResultSize(context, out _);
        // Build at most one past the limit: enough to know whether to warn.
        int take = size == null ? int.MaxValue : size.Value + 1;
        var mailboxes = new Dictionary<string, MailboxConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (MailboxConfig m in TenantDirectory.Mailboxes(tenant)) mailboxes[m.Address] = m;
        var members = new List<JsonObject>();
        foreach (string address in TenantDirectory.MemberAddresses(tenant, g).Take(take))
        {
            members.Add(RecipientObjects.Member(tenant, address, mailboxes.GetValueOrDefault(address)));
        }
        return Task.FromResult<IReadOnlyList<JsonObject>?>(RecipientObjects.Limit(context, members));
    }
}
