using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Get-OrganizationRelationship [-Identity name|GUID]: one relationship, or all of them (oldest first).</summary>
public sealed class GetOrganizationRelationship : IAdminCmdlet
{
    public string Name => "Get-OrganizationRelationship";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string? identity = ParameterReader.OptionalString(context, "Identity", out _);
        IReadOnlyList<OrganizationRelationship> list;
        if (identity == null)
        {
            list = context.Exchange.Relationships.All();
        }
        else
        {
            list = new[] { context.Exchange.Relationships.Find(identity) ?? throw ExchangeErrorException.ObjectNotFound(identity) };
        }
        return Task.FromResult<IReadOnlyList<JsonObject>?>(list.Select(r => r.ToJson(context.Tenant)).ToArray());
    }
}
