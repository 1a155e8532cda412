using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;
using static CalendarFederation.Sandbox.AdminApi.ExchangeObjects;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>
/// A tenant's legacy (EWS-era) cross-tenant sharing objects besides organization relationships: EwsEnabled and the EWS
/// block, availability address spaces and sharing policies (docs/cross-tenant-access.md §1.3, §1.5, §4.1). Thread-safe.
/// </summary>
public sealed class LegacySharingState
{
    private readonly object _gate = new();
    private readonly List<AvailabilityAddressSpace> _addressSpaces = new();
    private readonly List<SharingPolicy> _policies = new();
    private bool? _ewsEnabled;
    private bool _ewsBlock;

    public LegacySharingState(TenantConfig tenant)
    {
        _ewsEnabled = tenant.EwsBlock && tenant.EwsEnabled == null ? false : tenant.EwsEnabled;
        _ewsBlock = tenant.EwsBlock;
        DateTimeOffset created = new DateTimeOffset(2021, 3, 1, 8, 0, 0, TimeSpan.Zero);
        foreach (AvailabilityAddressSpaceConfig a in tenant.AvailabilityAddressSpaces)
        {
            _addressSpaces.Add(new AvailabilityAddressSpace
            {
                Guid = ExchangeTenantState.StableGuid(tenant.Id, "AvailabilityAddressSpace|" + a.ForestName),
                ForestName = a.ForestName,
                AccessMethod = AvailabilityAddressSpace.AccessMethods.FirstOrDefault(m => m.Equals(a.AccessMethod, StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidDataException($"Tenant {tenant.Name}: availability address space {a.ForestName} has an unknown accessMethod '{a.AccessMethod}'."),
                TargetAutodiscoverEpr = a.TargetAutodiscoverEpr,
                TargetServiceEpr = a.TargetServiceEpr,
                TargetTenantId = a.TargetTenantId,
                ProxyUrl = a.ProxyUrl,
                UseServiceAccount = a.UseServiceAccount,
                WhenCreated = created,
                WhenChanged = created,
            });
        }
        IEnumerable<SharingPolicyConfig> policies = (IEnumerable<SharingPolicyConfig>?)tenant.SharingPolicies ?? new[]
        {
            // Exchange Online's default, as a real tenant exports it (Microsoft365DSC EXOSharingPolicy).
            new SharingPolicyConfig
            {
                Name = SharingPolicy.DefaultName,
                Domains = new List<string> { "Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple" },
                Enabled = true,
                Default = true,
            },
        };
        foreach (SharingPolicyConfig p in policies)
        {
            var domains = new List<SharingDomain>();
            foreach (string d in p.Domains)
            {
                domains.Add(SharingDomain.TryParse(d, out string? why) ?? throw new InvalidDataException($"Tenant {tenant.Name}: sharing policy {p.Name}: {why}"));
            }
            _policies.Add(new SharingPolicy
            {
                Guid = ExchangeTenantState.StableGuid(tenant.Id, "SharingPolicy|" + p.Name),
                Name = p.Name,
                Domains = domains,
                Enabled = p.Enabled,
                Default = p.Default,
                WhenCreated = created,
                WhenChanged = created,
            });
        }
    }

    /// <summary>(Get-OrganizationConfig).EwsEnabled: true, false or null.</summary>
    public bool? EwsEnabled
    {
        get { lock (_gate) return _ewsEnabled; }
        set { lock (_gate) _ewsEnabled = value; }
    }

    /// <summary>
    /// Microsoft's EWS block is in effect for the tenant (rolled out tenant by tenant since 2026-10-01). It is the switch of a
    /// tenant whose EwsEnabled is not set to False, as Microsoft describes it ("tenants with EWSEnabled = Null are switched
    /// to False", docs/cross-tenant-access.md §1.5), so Get-OrganizationConfig shows False from then on; a tenant that
    /// set True keeps it.
    /// </summary>
    public bool EwsBlock
    {
        get { lock (_gate) return _ewsBlock; }
        set
        {
            lock (_gate)
            {
                _ewsBlock = value;
                if (value && _ewsEnabled == null) _ewsEnabled = false;
            }
        }
    }

    /// <summary>
    /// EWS, and so free/busy served through organization relationships, is blocked for the tenant: after the 2027-04-01
    /// retirement always; with the block in effect unless EwsEnabled is true (docs/cross-tenant-access.md §1.5).
    /// </summary>
    public bool EwsBlocked(bool retired)
    {
        lock (_gate) return retired || (_ewsBlock && _ewsEnabled != true);
    }

    public IReadOnlyList<AvailabilityAddressSpace> AddressSpaces()
    {
        lock (_gate) return _addressSpaces.Select(a => a.Clone()).ToArray();
    }

    public IReadOnlyList<SharingPolicy> SharingPolicies()
    {
        lock (_gate) return _policies.Select(p => p.Clone()).ToArray();
    }

    /// <summary>Runs <paramref name="action"/> on the live address space list under the lock.</summary>
    public T WriteAddressSpaces<T>(Func<List<AvailabilityAddressSpace>, T> action)
    {
        lock (_gate) return action(_addressSpaces);
    }

    /// <summary>Runs <paramref name="action"/> on the live sharing policy list under the lock.</summary>
    public T WritePolicies<T>(Func<List<SharingPolicy>, T> action)
    {
        lock (_gate) return action(_policies);
    }

    /// <summary>The policy a mailbox follows: its own (by name or GUID), or the default policy when it has none.</summary>
    public SharingPolicy? PolicyFor(MailboxConfig mailbox)
    {
        lock (_gate)
        {
            SharingPolicy? found = string.IsNullOrWhiteSpace(mailbox.SharingPolicy)
                ? _policies.FirstOrDefault(p => p.Default)
                : SharingPolicy.FindIn(_policies, mailbox.SharingPolicy);
            return found?.Clone();
        }
    }
}

/// <summary>An availability address space, in Exchange's property names.</summary>
public sealed class AvailabilityAddressSpace
{
    public const string AccessMethodType = "Microsoft.Exchange.Data.Directory.SystemConfiguration.AvailabilityAccessMethod";

    /// <summary>The AvailabilityAccessMethod names (numbers bind by position).</summary>
    public static readonly string[] AccessMethods = { "PerUserFB", "OrgWideFB", "InternalProxy", "PublicFolder", "OrgWideFBToken" };

    public Guid Guid { get; set; }
    public string ForestName { get; set; } = "";
    public string AccessMethod { get; set; } = "OrgWideFBToken";
    public string? TargetAutodiscoverEpr { get; set; }
    public string? TargetServiceEpr { get; set; }
    public string? TargetTenantId { get; set; }
    public string? ProxyUrl { get; set; }
    public bool UseServiceAccount { get; set; }
    public string? UserName { get; set; }
    public DateTimeOffset WhenCreated { get; set; }
    public DateTimeOffset WhenChanged { get; set; }

    public AvailabilityAddressSpace Clone() => (AvailabilityAddressSpace)MemberwiseClone();

    public static AvailabilityAddressSpace? FindIn(IEnumerable<AvailabilityAddressSpace> items, string identity)
    {
        identity = identity.Trim();
        if (Guid.TryParse(identity, out Guid g)) return items.FirstOrDefault(a => a.Guid == g);
        return items.FirstOrDefault(a => a.ForestName.Equals(identity, StringComparison.OrdinalIgnoreCase));
    }

    public string DistinguishedName(TenantConfig tenant) => $"CN={ForestName},CN=Availability Configuration,{ConfigurationDn(tenant)}";

    /// <summary>The object as Get-AvailabilityAddressSpace returns it through the REST admin API (Identity and Name are the ForestName).</summary>
    public JsonObject ToJson(TenantConfig tenant)
    {
        var o = new JsonObject
        {
            ["ForestName"] = ForestName,
            ["UserName"] = UserName,
            ["UseServiceAccount"] = UseServiceAccount,
            ["AccessMethod"] = AccessMethod,
            ["ProxyUrl"] = ProxyUrl,
            ["TargetAutodiscoverEpr"] = TargetAutodiscoverEpr,
            ["TargetServiceEpr"] = TargetServiceEpr,
            ["TargetTenantId"] = TargetTenantId,
            ["ParentPathId"] = "CN=Availability Configuration",
            ["AdminDisplayName"] = "",
            ["ExchangeVersion"] = "0.1 (8.0.535.0)",
            ["Name"] = ForestName,
            ["ObjectCategory"] = $"{Partition}/Configuration/Schema/ms-Exch-Availability-Address-Space",
            ["OriginatingServer"] = ExchangeErrorException.ServerName,
        };
        AddCommon(o, Guid, ForestName, DistinguishedName(tenant), new[] { "top", "msExchAvailabilityAddressSpace" }, WhenCreated, WhenChanged);
        o["OrganizationId"] = OrganizationId(tenant);
        return o;
    }
}

/// <summary>One "domain:Action[, Action]" entry of a sharing policy.</summary>
public sealed record SharingDomain(string Domain, IReadOnlyList<string> Actions)
{
    public const string SharingPolicyDomainType = "Microsoft.Exchange.Data.Directory.SystemConfiguration.SharingPolicyDomain";

    public static readonly string[] ActionNames =
    {
        "CalendarSharingFreeBusySimple", "CalendarSharingFreeBusyDetail", "CalendarSharingFreeBusyReviewer", "ContactsSharing",
    };

    /// <summary>True for a calendar free/busy action (the ones X-TAP's calendar sharing capabilities replace).</summary>
    public bool SharesCalendar => Actions.Any(a => a.StartsWith("CalendarSharingFreeBusy", StringComparison.Ordinal));

    /// <summary>The entry as Exchange shows it: "Anonymous:CalendarSharingFreeBusyReviewer", "fabrikam.com:CalendarSharingFreeBusyDetail, ContactsSharing".</summary>
    public override string ToString() => Domain + ":" + string.Join(", ", Actions);

    /// <summary>"domain: Action, Action" (spaces optional, actions in any case); null with the reason when it is not one.</summary>
    public static SharingDomain? TryParse(string text, out string? problem)
    {
        problem = null;
        int colon = text.IndexOf(':');
        if (colon <= 0)
        {
            problem = $"\"{text}\" isn't a sharing policy domain: use \"domain:Action\", for example \"contoso.com:CalendarSharingFreeBusySimple\".";
            return null;
        }
        string domain = text.Substring(0, colon).Trim();
        if (domain != "*" && !domain.Equals("Anonymous", StringComparison.OrdinalIgnoreCase) && !ParameterReader.IsSmtpDomain(domain))
        {
            problem = $"\"{domain}\" isn't a valid SMTP domain, \"*\" or \"Anonymous\".";
            return null;
        }
        if (domain.Equals("Anonymous", StringComparison.OrdinalIgnoreCase)) domain = "Anonymous";
        var actions = new List<string>();
        foreach (string part in text.Substring(colon + 1).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string? action = ActionNames.FirstOrDefault(a => a.Equals(part, StringComparison.OrdinalIgnoreCase));
            if (action == null)
            {
                problem = $"\"{part}\" isn't a sharing action. Use {string.Join(", ", ActionNames)}.";
                return null;
            }
            if (!actions.Contains(action)) actions.Add(action);
        }
        if (actions.Count == 0)
        {
            problem = $"\"{text}\" names no sharing action.";
            return null;
        }
        return new SharingDomain(domain, actions);
    }

    /// <summary>The same domain (case-insensitive) and the same actions (in any order).</summary>
    public bool SameAs(SharingDomain other) =>
        Domain.Equals(other.Domain, StringComparison.OrdinalIgnoreCase) && Actions.OrderBy(a => a).SequenceEqual(other.Actions.OrderBy(a => a));
}

/// <summary>A sharing policy, in Exchange's property names.</summary>
public sealed class SharingPolicy
{
    public const string DefaultName = "Default Sharing Policy";

    public Guid Guid { get; set; }
    public string Name { get; set; } = "";
    public List<SharingDomain> Domains { get; set; } = new();
    public bool Enabled { get; set; } = true;
    public bool Default { get; set; }
    public DateTimeOffset WhenCreated { get; set; }
    public DateTimeOffset WhenChanged { get; set; }

    public SharingPolicy Clone()
    {
        var copy = (SharingPolicy)MemberwiseClone();
        copy.Domains = new List<SharingDomain>(Domains);
        return copy;
    }

    public static SharingPolicy? FindIn(IEnumerable<SharingPolicy> items, string identity)
    {
        identity = identity.Trim();
        if (Guid.TryParse(identity, out Guid g)) return items.FirstOrDefault(p => p.Guid == g);
        return items.FirstOrDefault(p => p.Name.Equals(identity, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>An entry naming exactly <paramref name="domain"/> (not "*" nor Anonymous) with a calendar free/busy action.</summary>
    public bool SharesCalendarWith(string domain) =>
        Enabled && Domains.Any(d => d.SharesCalendar && d.Domain.Equals(domain, StringComparison.OrdinalIgnoreCase));

    public string DistinguishedName(TenantConfig tenant) => $"CN={Name},CN=Federation,{ConfigurationDn(tenant)}";

    /// <summary>The object as Get-SharingPolicy returns it through the REST admin API.</summary>
    public JsonObject ToJson(TenantConfig tenant)
    {
        var o = new JsonObject
        {
            ["Name"] = Name,
            ["Domains"] = Strings(Domains.Select(d => d.ToString())),
            ["Domains@odata.type"] = "#Collection(String)",
            ["Enabled"] = Enabled,
            ["Default"] = Default,
            ["AdminDisplayName"] = "",
            ["ExchangeVersion"] = "0.10 (14.0.100.0)",
            ["ObjectCategory"] = $"{Partition}/Configuration/Schema/ms-Exch-Sharing-Policy",
            ["OriginatingServer"] = ExchangeErrorException.ServerName,
        };
        AddCommon(o, Guid, Name, DistinguishedName(tenant), new[] { "top", "msExchSharingPolicy" }, WhenCreated, WhenChanged);
        o["OrganizationId"] = OrganizationId(tenant);
        return o;
    }
}
