using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Get-Group [-Identity name|display name|alias|address|GUID|object id] [-ResultSize]: the groups with ExternalDirectoryObjectId.</summary>
public sealed class GetGroup : IAdminCmdlet
{
    public string Name => "Get-Group";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "ResultSize", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        TenantConfig tenant = context.Tenant;
        string? identity = ParameterReader.OptionalString(context, "Identity", out _);
        if (identity != null)
        {
            GroupConfig g = RecipientObjects.FindGroup(tenant, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            return Task.FromResult<IReadOnlyList<JsonObject>?>(new[] { RecipientObjects.DirectoryGroup(tenant, g) });
        }
        IReadOnlyList<JsonObject> list = TenantDirectory.Groups(tenant).Select(g => RecipientObjects.DirectoryGroup(tenant, g)).ToArray();
        return Task.FromResult<IReadOnlyList<JsonObject>?>(RecipientObjects.Limit(context, list));
    }
}
