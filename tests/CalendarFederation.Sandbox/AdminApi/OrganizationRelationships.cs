using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using static CalendarFederation.Sandbox.AdminApi.ExchangeObjects;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>One stored organization relationship, in Exchange's property names.</summary>
public sealed class OrganizationRelationship
{
    public Guid Guid { get; set; }
    public string Name { get; set; } = "";
    public List<string> DomainNames { get; set; } = new();
    public bool Enabled { get; set; } = true;
    public bool FreeBusyAccessEnabled { get; set; }
    public FreeBusyLevel FreeBusyAccessLevel { get; set; } = FreeBusyLevel.None;
    /// <summary>The scope group's name, or null.</summary>
    public string? FreeBusyAccessScope { get; set; }
    public bool MailTipsAccessEnabled { get; set; }
    public string MailTipsAccessLevel { get; set; } = "None";
    public string? MailTipsAccessScope { get; set; }
    public bool DeliveryReportEnabled { get; set; }
    public bool ArchiveAccessEnabled { get; set; }
    public bool PhotosEnabled { get; set; }
    public bool MailboxMoveEnabled { get; set; }
    public string MailboxMoveCapability { get; set; } = "None";
    public List<string> MailboxMovePublishedScopes { get; set; } = new();
    public string? OAuthApplicationId { get; set; }
    public string? OrganizationContact { get; set; }
    public string? TargetApplicationUri { get; set; }
    public string? TargetAutodiscoverEpr { get; set; }
    public string? TargetOwaURL { get; set; }
    public string? TargetSharingEpr { get; set; }
    public DateTimeOffset WhenCreated { get; set; }
    public DateTimeOffset WhenChanged { get; set; }

    public bool HasDomain(string domain) => DomainNames.Any(d => d.Equals(domain, StringComparison.OrdinalIgnoreCase));

    /// <summary>TargetApplicationUri plus TargetAutodiscoverEpr or TargetSharingEpr: enough to send a free/busy request.</summary>
    public bool CanReachPartner =>
        !string.IsNullOrEmpty(TargetApplicationUri) && (!string.IsNullOrEmpty(TargetAutodiscoverEpr) || !string.IsNullOrEmpty(TargetSharingEpr));

    public OrganizationRelationship Clone()
    {
        var copy = (OrganizationRelationship)MemberwiseClone();
        copy.DomainNames = new List<string>(DomainNames);
        copy.MailboxMovePublishedScopes = new List<string>(MailboxMovePublishedScopes);
        return copy;
    }

    /// <summary>The object as Get-OrganizationRelationship returns it through the REST admin API.</summary>
    public JsonObject ToJson(TenantConfig tenant)
    {
        var o = new JsonObject
        {
            ["Name"] = Name,
            ["DomainNames"] = Strings(DomainNames),
            ["DomainNames@odata.type"] = "#Collection(String)",
            ["Enabled"] = Enabled,
            ["FreeBusyAccessEnabled"] = FreeBusyAccessEnabled,
            ["FreeBusyAccessLevel"] = FreeBusyAccessLevel.ToString(),
            ["FreeBusyAccessScope"] = FreeBusyAccessScope,
            ["MailTipsAccessEnabled"] = MailTipsAccessEnabled,
            ["MailTipsAccessLevel"] = MailTipsAccessLevel,
            ["MailTipsAccessScope"] = MailTipsAccessScope,
            ["DeliveryReportEnabled"] = DeliveryReportEnabled,
            ["ArchiveAccessEnabled"] = ArchiveAccessEnabled,
            ["PhotosEnabled"] = PhotosEnabled,
            ["MailboxMoveEnabled"] = MailboxMoveEnabled,
            ["MailboxMoveCapability"] = MailboxMoveCapability,
            ["MailboxMovePublishedScopes"] = Strings(MailboxMovePublishedScopes),
            ["MailboxMovePublishedScopes@odata.type"] = "#Collection(String)",
            ["OAuthApplicationId"] = OAuthApplicationId,
            ["OrganizationContact"] = OrganizationContact,
            ["TargetApplicationUri"] = TargetApplicationUri,
            ["TargetAutodiscoverEpr"] = TargetAutodiscoverEpr,
            ["TargetOwaURL"] = TargetOwaURL,
            ["TargetSharingEpr"] = TargetSharingEpr,
            // Properties real Exchange Online returns that the documentation does not list.
            ["IdentityMoveEnabled"] = false,
            ["PeopleSearchEnabled"] = false,
            ["AdminDisplayName"] = "",
            ["ExchangeVersion"] = "0.10 (14.0.100.0)",
            ["ObjectCategory"] = $"{Partition}/Configuration/Schema/ms-Exch-Fed-Sharing-Relationship",
            ["OriginatingServer"] = ExchangeErrorException.ServerName,
        };
        AddCommon(o, Guid, Name, $"CN={Name},CN=Federation,{ConfigurationDn(tenant)}", new[] { "top", "msExchFedSharingRelationship" }, WhenCreated, WhenChanged);
        o["OrganizationId"] = OrganizationId(tenant);
        return o;
    }
}

/// <summary>
/// A tenant's organization relationships. Every check-then-write runs inside <see cref="Write{T}"/>, under one lock, so
/// concurrent New- calls can neither both create the same name nor both claim the same domain.
/// </summary>
public sealed class RelationshipStore
{
    private readonly object _gate = new();
    private readonly List<OrganizationRelationship> _items = new();

    /// <summary>Copies of every relationship, oldest first.</summary>
    public IReadOnlyList<OrganizationRelationship> All()
    {
        lock (_gate) return _items.Select(r => r.Clone()).ToArray();
    }

    /// <summary>A copy of the relationship named <paramref name="identity"/> (case-insensitive) or with that GUID.</summary>
    public OrganizationRelationship? Find(string identity)
    {
        lock (_gate)
        {
            OrganizationRelationship? found = FindIn(_items, identity);
            return found?.Clone();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the live list under the store's lock.</summary>
    public T Write<T>(Func<List<OrganizationRelationship>, T> action)
    {
        lock (_gate) return action(_items);
    }

    public static OrganizationRelationship? FindIn(IEnumerable<OrganizationRelationship> items, string identity)
    {
        identity = identity.Trim();
        if (Guid.TryParse(identity, out Guid g)) return items.FirstOrDefault(r => r.Guid == g);
        return items.FirstOrDefault(r => r.Name.Equals(identity, StringComparison.OrdinalIgnoreCase));
    }
}
