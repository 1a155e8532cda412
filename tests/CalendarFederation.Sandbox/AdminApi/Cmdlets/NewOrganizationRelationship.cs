using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// New-OrganizationRelationship -Name -DomainNames [settings]. Checked in Exchange's order: parameter binding (Name at
/// most 64 characters, enums, URIs, domains), the dehydrated tenant, the domain cap (238), domains already in another
/// relationship, the scope groups, then the name. -WhatIf runs every check and writes nothing.
/// </summary>
public sealed class NewOrganizationRelationship : IAdminCmdlet
{
    public const int MaxNameLength = 64;

    public string Name => "New-OrganizationRelationship";

    public IReadOnlyCollection<string> Parameters { get; } =
        RelationshipInput.SettingParameters.Concat(new[] { "Name", "Confirm", "WhatIf" }).ToArray();

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string name = ParameterReader.RequiredString(context, "Name").Trim();
        if (name.Length == 0) throw ExchangeErrorException.EmptyString("Name");
        if (name.Length > MaxNameLength) throw ExchangeErrorException.TooLong(MaxNameLength, name.Length);
        RelationshipInput input = RelationshipInput.Bind(context, forSet: false);
        if (input.Domains?.Replace == null) throw ExchangeErrorException.MissingMandatory("DomainNames");
        List<string> domains = input.Domains.Replace;
        if (domains.Count == 0) throw ExchangeErrorException.EmptyArray("DomainNames");
        bool whatIf = context.GetBool("WhatIf") == true;

        ExchangeTenantState exchange = context.Exchange;
        if (exchange.IsDehydrated) throw ExchangeErrorException.Dehydrated();
        RelationshipInput.CheckDomainCap(exchange, input.Domains, domains);

        OrganizationRelationship created = exchange.Relationships.Write(items =>
        {
            RelationshipInput.CheckDuplicateDomains(items, null, domains);
            input.ResolveGroups(context.Tenant);
            DateTimeOffset now = context.State.Clock.GetUtcNow();
            var r = new OrganizationRelationship
            {
                Guid = Guid.NewGuid(),
                Name = name,
                DomainNames = domains,
                WhenCreated = now,
                WhenChanged = now,
            };
            if (items.Any(x => x.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                throw ExchangeErrorException.AlreadyExists((string)r.ToJson(context.Tenant)["DistinguishedName"]!);
            }
            input.ApplySettings(r);
            if (!whatIf) items.Add(r);
            return r.Clone();
        });
        return Task.FromResult<IReadOnlyList<JsonObject>?>(whatIf ? null : new[] { created.ToJson(context.Tenant) });
    }
}
