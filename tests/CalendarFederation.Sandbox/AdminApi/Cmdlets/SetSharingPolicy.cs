using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>
/// Set-SharingPolicy -Identity [-Domains] [-Enabled] [-Name] [-Default]. Domains is a replacement list ("domain:Action[,
/// Action]" strings; null clears) or {"@odata.type":"#Exchange.GenericHashTable","Add":...,"Remove":...}; Remove takes out
/// the entries with that domain and those actions, a domain may appear once. No output; a change that changes nothing
/// answers Exchange's "no settings ... modified" warning.
/// </summary>
public sealed class SetSharingPolicy : IAdminCmdlet
{
    public const string DomainsType = "Microsoft.Exchange.Data.MultiValuedProperty`1[Microsoft.Exchange.Data.Directory.SystemConfiguration.SharingPolicyDomain]";

    public string Name => "Set-SharingPolicy";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "Domains", "Enabled", "Name", "Default", "DomainController", "Confirm", "WhatIf" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        string identity = ParameterReader.RequiredString(context, "Identity");
        (List<SharingDomain>? replace, List<SharingDomain> add, List<SharingDomain> remove)? domains = ReadDomains(context);
        bool? enabled = ParameterReader.Bool(context, "Enabled");
        bool makeDefault = ParameterReader.Bool(context, "Default") == true;
        string? newName = null;
        if (context.Has("Name"))
        {
            newName = ParameterReader.RequiredString(context, "Name").Trim();
            if (newName.Length == 0) throw ExchangeErrorException.EmptyString("Name");
            if (newName.Length > NewOrganizationRelationship.MaxNameLength) throw ExchangeErrorException.TooLong(NewOrganizationRelationship.MaxNameLength, newName.Length);
        }
        bool whatIf = context.GetBool("WhatIf") == true;
        if (context.Exchange.IsDehydrated) throw ExchangeErrorException.Dehydrated();

        string? unchanged = context.Exchange.Legacy.WritePolicies(items =>
        {
            SharingPolicy target = SharingPolicy.FindIn(items, identity) ?? throw ExchangeErrorException.ObjectNotFound(identity);
            SharingPolicy updated = target.Clone();
            if (domains is { } d)
            {
                List<SharingDomain> list = d.replace ?? target.Domains.Where(x => !d.remove.Any(r => r.SameAs(x))).ToList();
                if (d.replace == null) list.AddRange(d.add.Where(a => !list.Any(x => x.SameAs(a))));
                string? twice = list.GroupBy(x => x.Domain, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
                if (twice != null) throw ExchangeErrorException.SharingDomainTwice(twice);
                updated.Domains = list;
            }
            if (enabled != null) updated.Enabled = enabled.Value;
            if (makeDefault) updated.Default = true;
            if (newName != null)
            {
                updated.Name = newName;
                if (items.Any(x => x.Guid != target.Guid && x.Name.Equals(newName, StringComparison.OrdinalIgnoreCase)))
                {
                    throw ExchangeErrorException.AlreadyExists(updated.DistinguishedName(context.Tenant));
                }
            }
            if (Snapshot(updated) == Snapshot(target)) return target.Name;
            if (!whatIf)
            {
                updated.WhenChanged = DateTimeOffset.UtcNow;
                if (makeDefault)
                {
                    foreach (SharingPolicy other in items) other.Default = false;
                }
                items[items.IndexOf(target)] = updated;
            }
            return null;
        });
        if (unchanged != null) context.Warnings.Add($"The command completed successfully but no settings of '{unchanged}' have been modified.");
        return Task.FromResult<IReadOnlyList<JsonObject>?>(null);
    }

    private static string Snapshot(SharingPolicy p) =>
        $"{p.Name}|{p.Enabled}|{p.Default}|{string.Join(";", p.Domains.Select(d => d.ToString()))}";

    /// <summary>Null when Domains is absent; a replacement list, or entries to add and remove.</summary>
    private static (List<SharingDomain>? Replace, List<SharingDomain> Add, List<SharingDomain> Remove)? ReadDomains(CmdletContext context)
    {
        if (!context.Parameters.TryGetValue("Domains", out JsonElement v)) return null;
        if (v.ValueKind == JsonValueKind.Null) return (new List<SharingDomain>(), new List<SharingDomain>(), new List<SharingDomain>());
        if (v.ValueKind == JsonValueKind.Object)
        {
            var add = new List<SharingDomain>();
            var remove = new List<SharingDomain>();
            foreach (JsonProperty p in v.EnumerateObject())
            {
                if (p.Name.Equals("@odata.type", StringComparison.OrdinalIgnoreCase)) continue;
                if (p.Name.Equals("Add", StringComparison.OrdinalIgnoreCase)) add.AddRange(Entries(p.Value));
                else if (p.Name.Equals("Remove", StringComparison.OrdinalIgnoreCase)) remove.AddRange(Entries(p.Value));
                else throw ExchangeErrorException.CannotConvert("Domains", "System.Collections.Hashtable", DomainsType, $"The hashtable key '{p.Name}' isn't valid. Use Add or Remove.");
            }
            return (null, add, remove);
        }
        return (Entries(v), new List<SharingDomain>(), new List<SharingDomain>());
    }

    private static List<SharingDomain> Entries(JsonElement v)
    {
        var texts = new List<string>();
        if (v.ValueKind == JsonValueKind.Null) return new List<SharingDomain>();
        if (v.ValueKind == JsonValueKind.String) texts.Add(v.GetString()!);
        else if (v.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement e in v.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.String) throw ExchangeErrorException.CannotConvert("Domains", e.GetRawText(), DomainsType, "The value isn't a string.");
                texts.Add(e.GetString()!);
            }
        }
        else throw ExchangeErrorException.CannotConvert("Domains", v.GetRawText(), DomainsType, "The value isn't a string or a list of strings.");
        var list = new List<SharingDomain>();
        foreach (string text in texts)
        {
            SharingDomain entry = SharingDomain.TryParse(text, out string? why)
                ?? throw ExchangeErrorException.CannotConvert("Domains", text, SharingDomain.SharingPolicyDomainType, why!);
            list.Add(entry);
        }
        return list;
    }
}
