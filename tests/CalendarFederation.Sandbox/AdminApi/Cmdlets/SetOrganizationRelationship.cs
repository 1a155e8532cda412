using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Set-OrganizationRelationship -Identity [-Name] [settings]. DomainNames is a replacement list or the add/remove
/// hashtable; the duplicate-domain check skips the relationship itself. Changing Enabled asks Exchange's question
/// (ShouldContinue) unless -Force: over REST nobody can answer it, so the call fails with PowerShell's HostException, as
/// a prompt in a non-interactive host does (docs/protocol-evidence.md, server-side confirmation). -WhatIf stops before
/// the question. No output; a change that changes nothing answers Exchange's "no settings ... modified" warning.
/// </summary>
public sealed class SetOrganizationRelationship : IAdminCmdlet
{
    public string Name => "Set-OrganizationRelationship";

    public IReadOnlyCollection<string> Parameters { get; } =
        RelationshipInput.SettingParameters.Concat(new[] { "Identity", "Name", "Force", "Confirm", "WhatIf" }).ToArray();

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string identity = ParameterReader.RequiredString(context, "Identity");
        string? newName = null;
        if (context.Has("Name"))
        {
            newName = ParameterReader.RequiredString(context, "Name").Trim();
            if (newName.Length == 0) throw ExchangeErrorException.EmptyString("Name");
            if (newName.Length > NewOrganizationRelationship.MaxNameLength) throw ExchangeErrorException.TooLong(NewOrganizationRelationship.MaxNameLength, newName.Length);
        }
        RelationshipInput input = RelationshipInput.Bind(context, forSet: true);
        bool force = ParameterReader.Bool(context, "Force") == true;
        bool whatIf = context.GetBool("WhatIf") == true;

        ExchangeTenantState exchange = context.Exchange;
        if (exchange.IsDehydrated) throw ExchangeErrorException.Dehydrated();

        string? unchanged = exchange.Relationships.Write(items =>
        {
            OrganizationRelationship target = RelationshipStore.FindIn(items, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            List<string> domains = input.Domains?.ApplyTo(target.DomainNames) ?? new List<string>(target.DomainNames);
            RelationshipInput.CheckDomainCap(exchange, input.Domains, domains);
            RelationshipInput.CheckDuplicateDomains(items, target, domains);
            input.ResolveGroups(context.Tenant);
            OrganizationRelationship updated = target.Clone();
            updated.DomainNames = domains;
            input.ApplySettings(updated);
            if (newName != null)
            {
                updated.Name = newName;
                if (items.Any(x => x.Guid != target.Guid && x.Name.Equals(newName, StringComparison.OrdinalIgnoreCase)))
                {
                    throw ExchangeErrorException.AlreadyExists((string)updated.ToJson(context.Tenant)["DistinguishedName"]!);
                }
            }
            if (Snapshot(updated) == Snapshot(target)) return target.Name;
            if (!whatIf && !force && updated.Enabled != target.Enabled)
            {
                throw ExchangeErrorException.PromptNotPossible(updated.Enabled
                    ? $"You are about to enable an organization relationship with \"{target.Name}\". Are you sure you want to continue?"
                    : $"You are about to disable this organization relationship with \"{target.Name}\". Are you sure you want to continue?");
            }
            if (!whatIf)
            {
                updated.WhenChanged = context.State.Clock.GetUtcNow();
                items[items.IndexOf(target)] = updated;
            }
            return null;
        });
        if (unchanged != null) context.Warnings.Add($"The command completed successfully but no settings of '{unchanged}' have been modified.");
        return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
    }

    private static string Snapshot(OrganizationRelationship r)
    {
        OrganizationRelationship copy = r.Clone();
        copy.WhenChanged = default;
        return JsonSerializer.Serialize(copy);
    }
}
