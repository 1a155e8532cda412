using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Remove-OrganizationRelationship -Identity [-Confirm:$false]: no output; -WhatIf checks and removes nothing. Without
/// Confirm:$false it removes all the same: over REST the service does not ask (its ShouldProcess is answered by the
/// server's confirm preference, not a person), as CIPP's Remove-* calls without Confirm show (docs/protocol-evidence.md).
/// </summary>
public sealed class RemoveOrganizationRelationship : IAdminCmdlet
{
    public string Name => "Remove-OrganizationRelationship";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "DomainController", "Confirm", "WhatIf" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string identity = ParameterReader.RequiredString(context, "Identity");
        bool whatIf = context.GetBool("WhatIf") == true;
        if (context.Exchange.IsDehydrated) throw ExchangeErrorException.Dehydrated();
        context.Exchange.Relationships.Write(items =>
        {
            OrganizationRelationship target = RelationshipStore.FindIn(items, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            if (!whatIf) items.Remove(target);
            return target;
        });
        return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
    }
}
