using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>
/// The settings New- and Set-OrganizationRelationship share, bound from the request (binding errors are thrown here,
/// before anything else is checked) and applied to a relationship afterwards. Group parameters are resolved separately,
/// in the order Exchange validates them.
/// </summary>
public sealed class RelationshipInput
{
    public const string FreeBusyAccessLevelType = "Microsoft.Exchange.Data.Directory.SystemConfiguration.FreeBusyAccessLevel";
    public const string MailTipsAccessLevelType = "Microsoft.Exchange.Data.Directory.SystemConfiguration.MailTipsAccessLevel";
    public const string MailboxMoveCapabilityType = "Microsoft.Exchange.Data.Directory.SystemConfiguration.MailboxMoveCapability";

    public static readonly string[] FreeBusyLevels = { "None", "AvailabilityOnly", "LimitedDetails" };
    public static readonly string[] MailTipsLevels = { "None", "Limited", "All" };
    public static readonly string[] MoveCapabilities = { "None", "Inbound", "Outbound", "RemoteInbound", "RemoteOutbound" };

    /// <summary>The parameters both cmdlets bind (besides Name, Identity and the confirmation switches).</summary>
    public static readonly string[] SettingParameters =
    {
        "DomainNames", "Enabled", "FreeBusyAccessEnabled", "FreeBusyAccessLevel", "FreeBusyAccessScope", "MailTipsAccessEnabled",
        "MailTipsAccessLevel", "MailTipsAccessScope", "DeliveryReportEnabled", "ArchiveAccessEnabled", "PhotosEnabled", "MailboxMoveEnabled",
        "MailboxMoveCapability", "MailboxMovePublishedScopes", "OAuthApplicationId", "OrganizationContact", "TargetApplicationUri",
        "TargetAutodiscoverEpr", "TargetOwaURL", "TargetSharingEpr", "DomainController",
    };

    private readonly List<Action<OrganizationRelationship>> _setters = new();

    private RelationshipInput()
    {
    }

    public DomainChange? Domains { get; private set; }

    /// <summary>FreeBusyAccessScope as given: absent (not set), null (cleared) or a group identity.</summary>
    public (bool Present, string? Identity) FreeBusyScope { get; private set; }

    public (bool Present, string? Identity) MailTipsScope { get; private set; }

    public IReadOnlyList<string>? PublishedScopes { get; private set; }

    /// <summary>Binds every setting; throws the first binding error.</summary>
    public static RelationshipInput Bind(CmdletContext c, bool forSet)
    {
        var input = new RelationshipInput { Domains = ParameterReader.Domains(c, "DomainNames", allowChange: forSet) };
        input.Flag(c, "Enabled", (r, v) => r.Enabled = v);
        input.Flag(c, "FreeBusyAccessEnabled", (r, v) => r.FreeBusyAccessEnabled = v);
        input.Flag(c, "MailTipsAccessEnabled", (r, v) => r.MailTipsAccessEnabled = v);
        input.Flag(c, "DeliveryReportEnabled", (r, v) => r.DeliveryReportEnabled = v);
        input.Flag(c, "ArchiveAccessEnabled", (r, v) => r.ArchiveAccessEnabled = v);
        input.Flag(c, "PhotosEnabled", (r, v) => r.PhotosEnabled = v);
        input.Flag(c, "MailboxMoveEnabled", (r, v) => r.MailboxMoveEnabled = v);

        string? level = ParameterReader.Enum(c, "FreeBusyAccessLevel", FreeBusyAccessLevelType, FreeBusyLevels);
        if (level != null) input._setters.Add(r => r.FreeBusyAccessLevel = System.Enum.Parse<FreeBusyLevel>(level));
        string? tips = ParameterReader.Enum(c, "MailTipsAccessLevel", MailTipsAccessLevelType, MailTipsLevels);
        if (tips != null) input._setters.Add(r => r.MailTipsAccessLevel = tips);
        string? move = ParameterReader.Enum(c, "MailboxMoveCapability", MailboxMoveCapabilityType, MoveCapabilities);
        if (move != null) input._setters.Add(r => r.MailboxMoveCapability = move);

        input.Text(ParameterReader.OptionalString(c, "OAuthApplicationId", out bool p), p, (r, v) => r.OAuthApplicationId = v);
        input.Text(ParameterReader.SmtpAddress(c, "OrganizationContact", out p), p, (r, v) => r.OrganizationContact = v);
        input.Text(ParameterReader.Uri(c, "TargetApplicationUri", absolute: false, out p), p, (r, v) => r.TargetApplicationUri = v);
        input.Text(ParameterReader.Uri(c, "TargetAutodiscoverEpr", absolute: true, out p), p, (r, v) => r.TargetAutodiscoverEpr = v);
        input.Text(ParameterReader.Uri(c, "TargetOwaURL", absolute: true, out p), p, (r, v) => r.TargetOwaURL = v);
        input.Text(ParameterReader.Uri(c, "TargetSharingEpr", absolute: true, out p), p, (r, v) => r.TargetSharingEpr = v);

        string? scope = ParameterReader.OptionalString(c, "FreeBusyAccessScope", out p);
        input.FreeBusyScope = (p, scope);
        scope = ParameterReader.OptionalString(c, "MailTipsAccessScope", out p);
        input.MailTipsScope = (p, scope);
        input.PublishedScopes = ParameterReader.Strings(c, "MailboxMovePublishedScopes");
        return input;
    }

    /// <summary>Resolves the group parameters to the groups' names; throws "Couldn't find object" for one that names nothing.</summary>
    public void ResolveGroups(TenantConfig tenant)
    {
        if (FreeBusyScope.Identity != null) FreeBusyScope = (true, ResolveGroup(tenant, FreeBusyScope.Identity));
        if (MailTipsScope.Identity != null) MailTipsScope = (true, ResolveGroup(tenant, MailTipsScope.Identity));
        if (PublishedScopes != null) PublishedScopes = PublishedScopes.Select(g => ResolveGroup(tenant, g)).ToArray();
    }

    private static string ResolveGroup(TenantConfig tenant, string identity) =>
        TenantDirectory.FindGroup(tenant, identity)?.Name ?? throw ExchangeErrorException.RecipientNotFound(identity);

    /// <summary>Applies every setting but the domains (resolve the groups first).</summary>
    public void ApplySettings(OrganizationRelationship r)
    {
        foreach (Action<OrganizationRelationship> set in _setters) set(r);
        if (FreeBusyScope.Present) r.FreeBusyAccessScope = FreeBusyScope.Identity;
        if (MailTipsScope.Present) r.MailTipsAccessScope = MailTipsScope.Identity;
        if (PublishedScopes != null) r.MailboxMovePublishedScopes = ParameterReader.Distinct(PublishedScopes);
    }

    /// <summary>
    /// The 250-subfilter limit, as the sandbox applies it (documented at 238): in Request mode the domains this request
    /// names, in Total mode the relationship's resulting list.
    /// </summary>
    public static void CheckDomainCap(ExchangeTenantState exchange, DomainChange? change, IReadOnlyList<string> resulting)
    {
        int count = exchange.DomainCapMode == DomainCapMode.Total ? resulting.Count : change?.Count ?? 0;
        if (count > exchange.DomainCap) throw ExchangeErrorException.TooManySubfilters();
    }

    /// <summary>Throws the duplicate-domain error when another relationship (not <paramref name="self"/>) holds one of <paramref name="domains"/>.</summary>
    public static void CheckDuplicateDomains(IEnumerable<OrganizationRelationship> all, OrganizationRelationship? self, IReadOnlyList<string> domains)
    {
        foreach (OrganizationRelationship other in all)
        {
            if (self != null && other.Guid == self.Guid) continue;
            if (domains.Any(other.HasDomain)) throw ExchangeErrorException.DuplicateDomains(domains);
        }
    }

    private void Flag(CmdletContext c, string name, Action<OrganizationRelationship, bool> set)
    {
        bool? value = ParameterReader.Bool(c, name);
        if (value != null) _setters.Add(r => set(r, value.Value));
    }

    private void Text(string? value, bool present, Action<OrganizationRelationship, string?> set)
    {
        if (present) _setters.Add(r => set(r, value));
    }
}
