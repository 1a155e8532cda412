using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Get-AvailabilityAddressSpace [[-Identity] ForestName|GUID]: all, or one.</summary>
public sealed class GetAvailabilityAddressSpace : IAdminCmdlet
{
    public string Name => "Get-AvailabilityAddressSpace";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string? identity = ParameterReader.OptionalString(context, "Identity", out _);
        IReadOnlyList<AvailabilityAddressSpace> all = context.Exchange.Legacy.AddressSpaces();
        if (identity != null)
        {
            AvailabilityAddressSpace one = AvailabilityAddressSpace.FindIn(all, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            return Task.FromResult<IReadOnlyList<JsonObject>?>(new[] { one.ToJson(context.Tenant) });
        }
        return Task.FromResult<IReadOnlyList<JsonObject>?>(all.Select(a => a.ToJson(context.Tenant)).ToArray());
    }
}
