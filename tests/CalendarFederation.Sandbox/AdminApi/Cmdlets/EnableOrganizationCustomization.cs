using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Enable-OrganizationCustomization: starts hydration of a dehydrated tenant. IsDehydrated stays true for the tenant's
/// hydration time (0 by default: done at once); meanwhile a second call is "temporarily disabled" and writes still fail
/// as dehydrated. No output.
/// </summary>
public sealed class EnableOrganizationCustomization : IAdminCmdlet
{
    public string Name => "Enable-OrganizationCustomization";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Confirm", "WhatIf" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        ExchangeTenantState exchange = context.Exchange;
        if (context.GetBool("WhatIf") == true)
        {
            // Validation only: the same answers, nothing started.
            if (!exchange.IsDehydrated) throw ExchangeErrorException.CustomizationNotRequired();
            if (exchange.IsHydrating) throw ExchangeErrorException.CustomizationTemporarilyDisabled(context.Tenant.OrganizationDomain);
            if (exchange.CustomizationUnavailable) throw ExchangeErrorException.CustomizationUnavailable();
            return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
        }
        switch (exchange.EnableCustomization())
        {
            case CustomizationResult.NotRequired: throw ExchangeErrorException.CustomizationNotRequired();
            case CustomizationResult.Hydrating: throw ExchangeErrorException.CustomizationTemporarilyDisabled(context.Tenant.OrganizationDomain);
            case CustomizationResult.Unavailable: throw ExchangeErrorException.CustomizationUnavailable();
        }
        return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
    }
}
