using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Add-AvailabilityAddressSpace -ForestName -AccessMethod [-TargetAutodiscoverEpr] [-TargetServiceEpr] [-TargetTenantId]
/// [-ProxyUrl] [-UseServiceAccount] [-Credentials]. OrgWideFBToken needs TargetTenantId and TargetServiceEpr (the docs);
/// a second address space for the same ForestName fails as the object exists. Output: none (the cmdlet returns nothing).
/// </summary>
public sealed class AddAvailabilityAddressSpace : IAdminCmdlet
{
    public string Name => "Add-AvailabilityAddressSpace";

    public IReadOnlyCollection<string> Parameters { get; } = new[]
    {
        "ForestName", "AccessMethod", "TargetAutodiscoverEpr", "TargetServiceEpr", "TargetTenantId", "ProxyUrl", "UseServiceAccount", "Credentials",
        "DomainController", "Confirm", "WhatIf",
    };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string forest = ParameterReader.RequiredString(context, "ForestName").Trim();
        if (!context.Has("AccessMethod")) throw ExchangeErrorException.MissingMandatory("AccessMethod");
        string method = ParameterReader.Enum(context, "AccessMethod", AvailabilityAddressSpace.AccessMethodType, AvailabilityAddressSpace.AccessMethods)!;
        string? autodiscover = ParameterReader.Uri(context, "TargetAutodiscoverEpr", absolute: true, out _);
        string? serviceEpr = ParameterReader.OptionalString(context, "TargetServiceEpr", out _);
        string? tenantId = ParameterReader.OptionalString(context, "TargetTenantId", out _);
        string? proxy = ParameterReader.Uri(context, "ProxyUrl", absolute: true, out _);
        bool useServiceAccount = ParameterReader.Bool(context, "UseServiceAccount") ?? false;
        string? userName = context.Has("Credentials") ? context.GetString("Credentials") : null;
        bool whatIf = context.GetBool("WhatIf") == true;
        if (method == "OrgWideFBToken" && (string.IsNullOrWhiteSpace(tenantId) || string.IsNullOrWhiteSpace(serviceEpr)))
        {
            throw ExchangeErrorException.TokenAddressSpaceIncomplete();
        }
        if (context.Exchange.IsDehydrated) throw ExchangeErrorException.Dehydrated();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var created = new AvailabilityAddressSpace
        {
            Guid = Guid.NewGuid(),
            ForestName = forest,
            AccessMethod = method,
            TargetAutodiscoverEpr = autodiscover,
            TargetServiceEpr = serviceEpr,
            TargetTenantId = tenantId,
            ProxyUrl = proxy,
            UseServiceAccount = useServiceAccount,
            UserName = userName,
            WhenCreated = now,
            WhenChanged = now,
        };
        context.Exchange.Legacy.WriteAddressSpaces(items =>
        {
            if (AvailabilityAddressSpace.FindIn(items, forest) != null) throw ExchangeErrorException.AlreadyExists(created.DistinguishedName(context.Tenant));
            if (!whatIf) items.Add(created);
            return created;
        });
        return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
    }
}
