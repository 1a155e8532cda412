using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Remove-AvailabilityAddressSpace -Identity ForestName|GUID [-Confirm:$false]: there is no disable switch, only removal.</summary>
public sealed class RemoveAvailabilityAddressSpace : IAdminCmdlet
{
    public string Name => "Remove-AvailabilityAddressSpace";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "DomainController", "Confirm", "WhatIf" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string identity = ParameterReader.RequiredString(context, "Identity");
        bool whatIf = context.GetBool("WhatIf") == true;
        if (context.Exchange.IsDehydrated) throw ExchangeErrorException.Dehydrated();
        context.Exchange.Legacy.WriteAddressSpaces(items =>
        {
            AvailabilityAddressSpace target = AvailabilityAddressSpace.FindIn(items, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            if (!whatIf) items.Remove(target);
            return target;
        });
        return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
    }
}
