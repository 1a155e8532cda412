using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Get-SharingPolicy [[-Identity] name|GUID]: Name, Domains ("domain:Action" strings), Enabled, Default, ...</summary>
public sealed class GetSharingPolicy : IAdminCmdlet
{
    public string Name => "Get-SharingPolicy";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string? identity = ParameterReader.OptionalString(context, "Identity", out _);
        IReadOnlyList<SharingPolicy> all = context.Exchange.Legacy.SharingPolicies();
        if (identity != null)
        {
            SharingPolicy one = SharingPolicy.FindIn(all, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            return Task.FromResult<IReadOnlyList<JsonObject>?>(new[] { one.ToJson(context.Tenant) });
        }
        return Task.FromResult<IReadOnlyList<JsonObject>?>(all.Select(p => p.ToJson(context.Tenant)).ToArray());
    }
}
