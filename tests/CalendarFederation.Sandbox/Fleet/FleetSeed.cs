using System.Globalization;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Fleet;

/// <summary>
/// Generates a fleet of sandbox tenants (fleet01..fleetNN) in a mix of federation states, plus the fleet file that
/// describes the intended state (docs/fleet.md §1). Deterministic: ids, secrets and names follow the tenant's number, and
/// the seed only decides which pair gets which state. Tenants are paired (fleet01 with fleet02, ...), so the cost grows
/// with the number of tenants, not with the pairs of a mesh. The tenants are ordinary <see cref="TenantConfig"/>s: every
/// service treats them like sandbox.json's own.
/// </summary>
public static class FleetSeed
{
    /// <summary>One pair of each, so every state is present from 9 pairs (18 tenants) on.</summary>
    public static readonly FleetKind[] EveryKind =
    {
        FleetKind.Migrated, FleetKind.LegacyOnly, FleetKind.LegacyKept, FleetKind.EwsBlocked, FleetKind.OneWay,
        FleetKind.Scoped, FleetKind.Unreadable, FleetKind.DriftCrossTenantAccess, FleetKind.DriftRelationship,
    };

    /// <summary>The further pairs: mostly migrated or legacy, as in a fleet half-way through its move (one unreadable tenant in all).</summary>
    private static readonly FleetKind[] Filler =
    {
        FleetKind.Migrated, FleetKind.LegacyOnly, FleetKind.LegacyOnly, FleetKind.Migrated, FleetKind.EwsBlocked, FleetKind.LegacyKept,
        FleetKind.OneWay, FleetKind.Scoped, FleetKind.DriftCrossTenantAccess, FleetKind.DriftRelationship, FleetKind.Migrated, FleetKind.LegacyOnly,
    };

    /// <summary>The application permissions of every fleet app (those of contoso's automation app in sandbox.json).</summary>
    public static readonly string[] AppRoles =
    {
        "Exchange.ManageAsApp", "Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess", "Policy.ReadWrite.CrossTenantCapability",
        "CrossTenantInformation.ReadBasic.All", "Calendars.ReadBasic.All",
    };

    public const string ScopeGroup = "CalendarSharing";

    public static string Name(int number, int count) => "fleet" + number.ToString(CultureInfo.InvariantCulture).PadLeft(Width(count), '0');

    private static int Width(int count) => Math.Max(2, count.ToString(CultureInfo.InvariantCulture).Length);

    public static Guid TenantId(int number) => Numbered("f1ee0000", number);

    public static Guid AppId(int number) => Numbered("f1eea000", number);

    /// <summary>The client secret of a fleet tenant's app: "{name}-sandbox-secret", as contoso's is "contoso-sandbox-secret".</summary>
    public static string Secret(string name) => name.ToLowerInvariant() + "-sandbox-secret";

    /// <summary>The environment variable the fleet file names for the secret: "FLEET07_SECRET".</summary>
    public static string SecretVariable(string name) => name.ToUpperInvariant() + "_SECRET";

    public static string Organization(string name) => name + ".onmicrosoft.com";

    public static string Domain(string name) => name + ".com";

    private static Guid Numbered(string prefix, int number) =>
        Guid.Parse(prefix + "-0000-4000-8000-" + number.ToString("D12", CultureInfo.InvariantCulture));

    public static FleetWorld Generate(FleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Tenants < 2 || options.Tenants > FleetOptions.MaxTenants)
        {
            throw new InvalidDataException($"fleet.tenants must be between 2 and {FleetOptions.MaxTenants}; it is {options.Tenants}.");
        }
        if (string.IsNullOrWhiteSpace(options.EnvironmentName)) throw new InvalidDataException("fleet.environmentName must not be empty.");
        var tenants = new List<TenantConfig>(options.Tenants);
        for (int n = 1; n <= options.Tenants; n++) tenants.Add(NewTenant(n, options.Tenants));

        List<FleetPair> pairs = AssignKinds(tenants, options.Seed);
        var faults = new List<FaultRule>();
        foreach (FleetPair pair in pairs)
        {
            TenantConfig first = tenants[2 * pair.Index];
            TenantConfig second = tenants[2 * pair.Index + 1];
            FleetStates.Apply(pair.Kind, first, second);
            if (pair.Kind == FleetKind.Unreadable) faults.AddRange(FleetStates.UnreadableFaults(first));
        }

        var pairOf = new Dictionary<string, FleetPair>(StringComparer.OrdinalIgnoreCase);
        foreach (FleetPair p in pairs)
        {
            pairOf[p.First] = p;
            pairOf[p.Second] = p;
        }
        List<FleetMember> members = tenants.Select(t => Member(t, pairOf.GetValueOrDefault(t.Name))).ToList();
        return new FleetWorld(options, tenants, faults, members, pairs, FleetFile.Build(options, members, pairs), FleetFile.Expect(pairs));
    }

    /// <summary>fleet01+fleet02, fleet03+fleet04, ...; the kinds shuffled by the seed; an odd last tenant stays unpaired.</summary>
    private static List<FleetPair> AssignKinds(IReadOnlyList<TenantConfig> tenants, int seed)
    {
        int count = tenants.Count / 2;
        var kinds = new FleetKind[count];
        for (int i = 0; i < count; i++) kinds[i] = i < EveryKind.Length ? EveryKind[i] : Filler[(i - EveryKind.Length) % Filler.Length];
        // System.Random with a seed is the same sequence on every run and platform (its seeded algorithm is fixed).
        var random = new Random(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (kinds[i], kinds[j]) = (kinds[j], kinds[i]);
        }
        var pairs = new List<FleetPair>(count);
        for (int i = 0; i < count; i++) pairs.Add(new FleetPair(i, tenants[2 * i].Name, tenants[2 * i + 1].Name, kinds[i]));
        return pairs;
    }

    private static FleetMember Member(TenantConfig t, FleetPair? pair)
    {
        string? partner = pair == null ? null : pair.First == t.Name ? pair.Second : pair.First;
        bool unreadable = pair?.Kind == FleetKind.Unreadable && pair.First == t.Name;
        return new FleetMember(t.Name, t.Id, t.InitialDomain!, Domain(t.Name), t.Apps[0].AppId, SecretVariable(t.Name),
            pair?.Kind ?? FleetKind.Unpaired, partner, unreadable);
    }

    /// <summary>A tenant like sandbox.json's: an admin, one mailbox, the scope group, and an app-only automation app.</summary>
    private static TenantConfig NewTenant(int number, int count)
    {
        string name = Name(number, count);
        string digits = number.ToString("D12", CultureInfo.InvariantCulture);
        string mailbox = "user1@" + Domain(name);
        return new TenantConfig
        {
            Name = name,
            Id = TenantId(number),
            InitialDomain = Organization(name),
            Domains = new List<string> { Domain(name), Organization(name) },
            DisplayName = "Fleet " + number.ToString(CultureInfo.InvariantCulture),
            Users =
            {
                new UserConfig { Upn = "admin@" + Organization(name), DisplayName = name + " Admin", ObjectId = Guid.Parse("f1ee0001-0000-4000-8000-" + digits), Roles = { "Global Administrator" } },
                new UserConfig { Upn = mailbox, DisplayName = name + " User 1", ObjectId = Guid.Parse("f1ee0002-0000-4000-8000-" + digits) },
            },
            Mailboxes = { new MailboxConfig { Address = mailbox, DisplayName = name + " User 1", Guid = Guid.Parse("f1ee0b00-0000-4000-8000-" + digits) } },
            Groups =
            {
                new GroupConfig
                {
                    Name = ScopeGroup, DisplayName = "Calendar sharing", Address = "calendarsharing@" + Domain(name), Members = { mailbox },
                    ObjectId = Guid.Parse("f1ee0a00-0000-4000-8000-" + digits), Guid = Guid.Parse("f1ee0a01-0000-4000-8000-" + digits),
                },
            },
            Apps =
            {
                new AppConfig
                {
                    AppId = AppId(number), DisplayName = name + " Calendar Federation automation", ObjectId = Guid.Parse("f1eeb000-0000-4000-8000-" + digits),
                    Secret = Secret(name), Roles = AppRoles.ToList(), DirectoryRoles = { "Exchange Administrator" },
                },
            },
        };
    }
}
