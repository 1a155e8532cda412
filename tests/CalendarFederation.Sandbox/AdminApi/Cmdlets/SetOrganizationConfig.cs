using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Set-OrganizationConfig -EwsEnabled $true|$false|$null (the only setting the sandbox models). No output; a change that
/// changes nothing answers Exchange's "no settings ... modified" warning. -WhatIf checks and writes nothing.
/// </summary>
public sealed class SetOrganizationConfig : IAdminCmdlet
{
    public string Name => "Set-OrganizationConfig";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "EwsEnabled", "Identity", "DomainController", "Confirm", "WhatIf", "Force" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        bool present = context.Parameters.TryGetValue("EwsEnabled", out JsonElement raw);
        // EwsEnabled is a Nullable<bool>: $null clears it back to "not set".
        bool? value = present && raw.ValueKind != JsonValueKind.Null ? ParameterReader.Bool(context, "EwsEnabled") : null;
        ParameterReader.Bool(context, "Force");
        bool whatIf = context.GetBool("WhatIf") == true;
        if (context.Exchange.IsDehydrated) throw ExchangeErrorException.Dehydrated();
        if (!present || context.Exchange.Legacy.EwsEnabled == value)
        {
            context.Warnings.Add($"The command completed successfully but no settings of '{context.Tenant.OrganizationDomain}' have been modified.");
            return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
        }
        if (!whatIf)
        {
            context.Exchange.Legacy.EwsEnabled = value;
            context.Exchange.WhenChanged = DateTimeOffset.UtcNow;
        }
        return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
    }
}
