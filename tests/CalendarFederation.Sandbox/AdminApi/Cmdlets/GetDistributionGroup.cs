using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Get-DistributionGroup [-Identity name|alias|address|GUID] [-ResultSize].</summary>
public sealed class GetDistributionGroup : IAdminCmdlet
{
    public string Name => "Get-DistributionGroup";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "ResultSize", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        TenantConfig tenant = context.Tenant;
        string? identity = ParameterReader.OptionalString(context, "Identity", out _);
        if (identity != null)
        {
            GroupConfig g = TenantDirectory.FindGroup(tenant, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            return Task.FromResult<IReadOnlyList<JsonObject>?>(new[] { RecipientObjects.Group(tenant, g) });
        }
        IReadOnlyList<JsonObject> list = TenantDirectory.Groups(tenant).Select(g => RecipientObjects.Group(tenant, g)).ToArray();
        return Task.FromResult<IReadOnlyList<JsonObject>?>(RecipientObjects.Limit(context, list));
    }
}
