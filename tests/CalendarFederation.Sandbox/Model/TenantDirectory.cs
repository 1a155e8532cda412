namespace CalendarFederation.Sandbox.Model;

/// <summary>
/// Look-ups over the tenants' mailboxes and groups. Both lists can grow at run time (POST /_sandbox/tenants/{t}/mailboxes
/// and /groups), so they are read and written under their own lock.
/// </summary>
public static class TenantDirectory
{
    private static readonly object AddGate = new();

    public static IReadOnlyList<MailboxConfig> Mailboxes(TenantConfig tenant)
    {
        lock (tenant.Mailboxes) return tenant.Mailboxes.ToArray();
    }

    public static IReadOnlyList<GroupConfig> Groups(TenantConfig tenant)
    {
        lock (tenant.Groups) return tenant.Groups.ToArray();
    }

    /// <summary>A mailbox of <paramref name="tenant"/> by address, alias, display name or GUID.</summary>
    public static MailboxConfig? FindMailbox(TenantConfig tenant, string? identity)
    {
        if (string.IsNullOrWhiteSpace(identity)) return null;
        identity = identity.Trim();
        IReadOnlyList<MailboxConfig> all = Mailboxes(tenant);
        if (System.Guid.TryParse(identity, out Guid g)) return all.FirstOrDefault(m => m.EffectiveGuid(tenant) == g);
        return all.FirstOrDefault(m => m.Address.Equals(identity, StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault(m => m.Alias.Equals(identity, StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault(m => string.Equals(m.DisplayName, identity, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The tenant that owns <paramref name="address"/>'s domain, and the mailbox if it exists.</summary>
    public static (TenantConfig? Tenant, MailboxConfig? Mailbox) ResolveAddress(SandboxConfig config, string address)
    {
        int at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1) return (null, null);
        string domain = address.Substring(at + 1);
        TenantConfig? tenant = config.FindTenantByDomain(domain)
            ?? config.Tenants.FirstOrDefault(t => string.Equals(t.InitialDomain, domain, StringComparison.OrdinalIgnoreCase));
        if (tenant == null) return (null, null);
        MailboxConfig? mailbox = Mailboxes(tenant).FirstOrDefault(m => m.Address.Equals(address, StringComparison.OrdinalIgnoreCase));
        return (tenant, mailbox);
    }

    /// <summary>A group of <paramref name="tenant"/> by name, display name, alias, address or GUID.</summary>
    public static GroupConfig? FindGroup(TenantConfig tenant, string? identity)
    {
        if (string.IsNullOrWhiteSpace(identity)) return null;
        identity = identity.Trim();
        IReadOnlyList<GroupConfig> all = Groups(tenant);
        if (System.Guid.TryParse(identity, out Guid g)) return all.FirstOrDefault(x => x.EffectiveGuid(tenant) == g);
        return all.FirstOrDefault(x => x.Name.Equals(identity, StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault(x => string.Equals(x.Address, identity, StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault(x => string.Equals(x.DisplayName, identity, StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault(x => x.Alias.Equals(identity, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The Entra ID object id of a mailbox's user (its ExternalDirectoryObjectId): the configured one, else the tenant's
    /// user whose UPN is the address, else one derived from the address.
    /// </summary>
    public static Guid MailboxObjectId(TenantConfig tenant, MailboxConfig mailbox)
    {
        if (mailbox.ObjectId is Guid id) return id;
        UserConfig? user = Identity.IdentityState.FindUser(tenant, mailbox.Address);
        return user?.ObjectId ?? AdminApi.ExchangeTenantState.StableGuid(tenant.Id, "EntraUser|" + mailbox.Address);
    }

    /// <summary>A group of the tenant by its Entra ID object id.</summary>
    public static GroupConfig? FindGroupByObjectId(TenantConfig tenant, Guid objectId) =>
        Groups(tenant).FirstOrDefault(g => g.EffectiveObjectId(tenant) == objectId);

    /// <summary>True when <paramref name="objectId"/> is a user of the tenant or a mailbox's user.</summary>
    public static bool IsUserObject(TenantConfig tenant, Guid objectId) =>
        Identity.IdentityState.FindUser(tenant, objectId) != null || Mailboxes(tenant).Any(m => MailboxObjectId(tenant, m) == objectId);

    public static int MemberCount(GroupConfig group)
    {
        lock (group.Members) return group.Members.Count + group.SyntheticMemberCount;
    }

    /// <summary>The member addresses: the listed ones, then the generated ones.</summary>
    public static IEnumerable<string> MemberAddresses(TenantConfig tenant, GroupConfig group)
    {
        string[] listed;
        lock (group.Members) listed = group.Members.ToArray();
        foreach (string m in listed) yield return m;
        string domain = group.MemberDomain(tenant);
        for (int i = 1; i <= group.SyntheticMemberCount; i++) yield return GroupConfig.SyntheticAddress(domain, i);
    }

    /// <summary>True when <paramref name="address"/> is a listed member, or one of the group's generated members.</summary>
    public static bool IsMember(TenantConfig tenant, GroupConfig group, string address)
    {
        lock (group.Members)
        {
            if (group.Members.Any(m => m.Equals(address, StringComparison.OrdinalIgnoreCase))) return true;
        }
        string domain = group.MemberDomain(tenant);
        for (int i = 1; i <= group.SyntheticMemberCount; i++)
        {
            if (GroupConfig.SyntheticAddress(domain, i).Equals(address, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Adds a mailbox; the problem text when it is invalid or its address is taken anywhere.</summary>
    public static string? AddMailbox(SandboxConfig config, TenantConfig tenant, MailboxConfig mailbox)
    {
        try
        {
            mailbox.Validate(tenant);
        }
        catch (InvalidDataException ex)
        {
            return ex.Message;
        }
        lock (AddGate)
        {
            if (AddressInUse(config, mailbox.Address)) return $"The address {mailbox.Address} is already in use.";
            lock (tenant.Mailboxes) tenant.Mailboxes.Add(mailbox);
        }
        return null;
    }

    /// <summary>Adds a group; the problem text when it is invalid, its name is taken in the tenant or its address anywhere.</summary>
    public static string? AddGroup(SandboxConfig config, TenantConfig tenant, GroupConfig group)
    {
        try
        {
            group.Validate(tenant);
        }
        catch (InvalidDataException ex)
        {
            return ex.Message;
        }
        lock (AddGate)
        {
            if (Groups(tenant).Any(g => g.Name.Equals(group.Name, StringComparison.OrdinalIgnoreCase))) return $"Tenant {tenant.Name} already has a group named {group.Name}.";
            if (group.Address != null && AddressInUse(config, group.Address)) return $"The address {group.Address} is already in use.";
            lock (tenant.Groups) tenant.Groups.Add(group);
        }
        return null;
    }

    private static bool AddressInUse(SandboxConfig config, string address) =>
        config.Tenants.Any(t => Mailboxes(t).Any(m => m.Address.Equals(address, StringComparison.OrdinalIgnoreCase))
            || Groups(t).Any(g => string.Equals(g.Address, address, StringComparison.OrdinalIgnoreCase)));
}
