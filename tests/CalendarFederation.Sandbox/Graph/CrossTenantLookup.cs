using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Graph;

/// <summary>
/// One cross-tenant free/busy question, a requester in R about a mailbox (address) in T, decided as Exchange Online does
/// since the Microsoft 365 cross-tenant access policy (X-TAP): legacy objects first while any is in effect on either side,
/// else T's X-TAP (see <see cref="Availability"/> and the sandbox README's table).
/// </summary>
internal sealed class CrossTenantLookup
{
    private readonly SandboxState _state;
    private readonly TenantConfig _r;
    private readonly string _requester;
    private readonly TenantConfig? _t;
    private readonly MailboxConfig? _mailbox;
    private readonly string _target;
    private readonly string _targetDomain;
    private readonly string _requesterDomain;

    public CrossTenantLookup(SandboxState state, TenantConfig requesterTenant, string requesterAddress, TenantConfig? targetTenant, MailboxConfig? mailbox, string target)
    {
        _state = state;
        _r = requesterTenant;
        _requester = requesterAddress;
        _t = targetTenant;
        _mailbox = mailbox;
        _target = target;
        _targetDomain = Availability.Domain(target);
        _requesterDomain = Availability.Domain(requesterAddress);
    }

    /// <summary>Null (shared, at <paramref name="level"/>) or the schedule's refusal.</summary>
    public JsonObject? Decide(int slots, out FreeBusyLevel level)
    {
        level = FreeBusyLevel.None;
        OrganizationRelationship? outgoing = _state.AdminApi.Exchange(_r).Relationships.All().FirstOrDefault(x => x.HasDomain(_targetDomain));
        OrganizationRelationship? incoming = _t == null ? null : _state.AdminApi.Exchange(_t).Relationships.All().FirstOrDefault(x => x.HasDomain(_requesterDomain));
        AvailabilityAddressSpace? space = _state.AdminApi.Exchange(_r).Legacy.AddressSpaces()
            .FirstOrDefault(a => a.AccessMethod == "OrgWideFBToken" && a.ForestName.Equals(_targetDomain, StringComparison.OrdinalIgnoreCase));

        // Legacy takes precedence while enabled on either side (docs/cross-tenant-access.md §1.4): X-TAP is consulted only when none is in effect.
        bool legacy = outgoing?.Enabled == true
            || incoming is { Enabled: true, FreeBusyAccessEnabled: true }
            || space != null
            || SharingRuleApplies();
        if (legacy) return Legacy(slots, outgoing, incoming, space, out level);
        // A domain no Microsoft 365 tenant owns: only an organization relationship could reach it.
        if (_t == null) return NoRelationship(slots);
        return Xtap(slots, out level);
    }

    /// <summary>
    /// A sharing-policy rule in effect between the two: the target mailbox's policy (its own or T's default) names the
    /// requester's domain, or the requester mailbox's policy names the target's domain, with a calendar free/busy action, in
    /// an enabled policy. "*" and "Anonymous" entries do not count (they map to default-policy capabilities, not partners).
    /// </summary>
    private bool SharingRuleApplies()
    {
        if (_t != null && _mailbox != null && _state.AdminApi.Exchange(_t).Legacy.PolicyFor(_mailbox)?.SharesCalendarWith(_requesterDomain) == true) return true;
        MailboxConfig? own = TenantDirectory.FindMailbox(_r, _requester);
        return own != null && _state.AdminApi.Exchange(_r).Legacy.PolicyFor(own)?.SharesCalendarWith(_targetDomain) == true;
    }

    private JsonObject? Legacy(int slots, OrganizationRelationship? outgoing, OrganizationRelationship? incoming, AvailabilityAddressSpace? space, out FreeBusyLevel level)
    {
        level = FreeBusyLevel.None;
        string r = _r.OrganizationDomain;
        if (outgoing is { Enabled: true, CanReachPartner: true }) return Relationship(slots, incoming, out level);
        if (space != null) return AddressSpace(slots, space, out level);
        if (outgoing == null) return NoRelationship(slots);
        if (!outgoing.Enabled)
        {
            return Availability.Error(_target, slots, Availability.NoRelationshipCode,
                $"The organization relationship '{outgoing.Name}' in {r} covers {_targetDomain} but is disabled, so free/busy for it is not requested.");
        }
        return Availability.Error(_target, slots, Availability.NoRelationshipCode,
            $"The organization relationship '{outgoing.Name}' in {r} covers {_targetDomain} but lacks TargetApplicationUri and TargetAutodiscoverEpr or TargetSharingEpr, so free/busy for it is not requested.");
    }

    private JsonObject NoRelationship(int slots) =>
        Availability.Error(_target, slots, Availability.NoRelationshipCode,
            $"No organization relationship in {_r.OrganizationDomain} covers {_targetDomain}, so free/busy for it is not requested.");

    /// <summary>The organization relationship path (docs/protocol.md §5), refused when T's EWS is blocked (docs/cross-tenant-access.md §1.5: the partner's EWS decides).</summary>
    private JsonObject? Relationship(int slots, OrganizationRelationship? incoming, out FreeBusyLevel level)
    {
        level = FreeBusyLevel.None;
        // A domain no tenant owns: asked, but nobody answers for the address.
        if (_t == null) return Availability.Error(_target, slots, Availability.UnknownAddressCode, Availability.UnknownAddressMessage);
        string t = _t.OrganizationDomain;
        LegacySharingState legacy = _state.AdminApi.Exchange(_t).Legacy;
        if (legacy.EwsBlocked(_state.EwsRetired))
        {
            string why = _state.EwsRetired
                ? $"EWS was retired on 2027-04-01, so {t} serves no free/busy through organization relationships."
                : $"{t} blocks EWS (EwsEnabled is {(legacy.EwsEnabled == null ? "not set" : legacy.EwsEnabled.Value ? "True" : "False")}), so it serves no free/busy through organization relationships.";
            return Availability.Error(_target, slots, Availability.EwsBlockedCode, why);
        }
        if (incoming == null || !incoming.Enabled || !incoming.FreeBusyAccessEnabled)
        {
            return Availability.Error(_target, slots, Availability.AccessDeniedCode, $"{t} does not share free/busy with {_requesterDomain}.");
        }
        if (_mailbox == null) return Availability.Error(_target, slots, Availability.UnknownAddressCode, Availability.UnknownAddressMessage);
        if (incoming.FreeBusyAccessScope != null)
        {
            GroupConfig? scope = TenantDirectory.FindGroup(_t, incoming.FreeBusyAccessScope);
            if (scope == null || !TenantDirectory.IsMember(_t, scope, _mailbox.Address))
            {
                return Availability.Error(_target, slots, Availability.ScopeCode,
                    $"{_mailbox.Address} is not in the group '{incoming.FreeBusyAccessScope}' that {t} set as the free/busy scope for {_requesterDomain}, so it shares no free/busy.");
            }
        }
        level = (FreeBusyLevel)Math.Min((int)incoming.FreeBusyAccessLevel, (int)_mailbox.DefaultLevel);
        if (level == FreeBusyLevel.None)
        {
            return Availability.Error(_target, slots, Availability.LevelNoneCode,
                $"The effective free/busy level for {_mailbox.Address} is None: {t}'s organization relationship '{incoming.Name}' grants {incoming.FreeBusyAccessLevel} " +
                $"and the calendar's Default permission is {_mailbox.DefaultPermissionName}.");
        }
        return null;
    }

    /// <summary>
    /// R's OrgWideFBToken address space: "only the default free/busy for each user can be requested" (PS-AAS), so the
    /// calendar's Default permission decides. It does not depend on EWS (JP-XTAP, 2026-08-18), so no EWS block applies.
    /// </summary>
    private JsonObject? AddressSpace(int slots, AvailabilityAddressSpace space, out FreeBusyLevel level)
    {
        level = FreeBusyLevel.None;
        if (_t == null) return Availability.Error(_target, slots, Availability.UnknownAddressCode, Availability.UnknownAddressMessage);
        if (!Guid.TryParse(space.TargetTenantId, out Guid aim) || aim != _t.Id)
        {
            return Availability.Error(_target, slots, Availability.AddressSpaceCode,
                $"The availability address space '{space.ForestName}' in {_r.OrganizationDomain} targets tenant {space.TargetTenantId}, but {_targetDomain} belongs to tenant {_t.Id}, so free/busy for it is not served.");
        }
        if (_mailbox == null) return Availability.Error(_target, slots, Availability.UnknownAddressCode, Availability.UnknownAddressMessage);
        level = _mailbox.DefaultLevel;
        if (level == FreeBusyLevel.None)
        {
            return Availability.Error(_target, slots, Availability.LevelNoneCode, $"The calendar of {_mailbox.Address} grants its Default user None, so it shares no free/busy.");
        }
        return null;
    }

    /// <summary>
    /// T's X-TAP (docs/cross-tenant-access.md §1.1, §1.2, §2.6): partner(R) must exist, its trust (null: T's default's)
    /// must let the requester in, and an allowed free/busy capability must hold the mailbox in its resourceScopes.
    /// Default-policy capabilities are not used (the conservative reading of §6.5). With both levels in scope the lower
    /// one applies (§6.6).
    /// </summary>
    private JsonObject? Xtap(int slots, out FreeBusyLevel level)
    {
        level = FreeBusyLevel.None;
        TenantConfig t = _t!;
        JsonObject NotServed() => Availability.Error(_target, slots, Availability.XtapNotServedCode,
            $"GetSchedule is not supported for domain: {_targetDomain}. 62382", emptyView: true);
        CrossTenantAccessPolicy policy = _state.Graph.Policy(t);
        List<M365Capability> capabilities;
        lock (policy.Gate)
        {
            PartnerPolicy? partner = policy.Partner(_r.Id);
            if (partner == null) return NotServed();
            JsonObject? trust = partner.M365Inbound ?? policy.DefaultSettings["m365CollaborationInbound"] as JsonObject;
            (Guid? user, IReadOnlyCollection<Guid> groups) = RequesterIdentity();
            if (!CrossTenantAccessPolicy.TrustAllows(trust, user, groups)) return NotServed();
            capabilities = partner.Capabilities
                .Where(c => c.IsAllowed && c.Name is M365CapabilityNames.AvailabilityBasic or M365CapabilityNames.AvailabilityLimitedDetails)
                .Select(c => c.Clone()).ToList();
        }
        if (capabilities.Count == 0) return NotServed();
        if (_mailbox == null) return Availability.Error(_target, slots, Availability.UnknownAddressCode, Availability.UnknownAddressMessage);
        List<M365Capability> inScope = capabilities.Where(c => c.Covers(t, _mailbox)).ToList();
        if (inScope.Count == 0) return Availability.Error(_target, slots, Availability.XtapScopeCode, Availability.XtapScopeMessage, emptyView: true);
        M365Capability granted = inScope.OrderBy(c => c.Name == M365CapabilityNames.AvailabilityBasic ? 0 : 1).First();
        FreeBusyLevel capabilityLevel = granted.Name == M365CapabilityNames.AvailabilityBasic ? FreeBusyLevel.AvailabilityOnly : FreeBusyLevel.LimitedDetails;
        level = (FreeBusyLevel)Math.Min((int)capabilityLevel, (int)_mailbox.DefaultLevel);
        if (level == FreeBusyLevel.None)
        {
            return Availability.Error(_target, slots, Availability.LevelNoneCode,
                $"The effective free/busy level for {_mailbox.Address} is None: {t.OrganizationDomain}'s cross-tenant access policy grants {granted.Name} " +
                $"and the calendar's Default permission is {_mailbox.DefaultPermissionName}.");
        }
        return null;
    }

    /// <summary>The requester's Entra object id in R and the ids of R's groups holding it (what a trust's targets name).</summary>
    private (Guid? User, IReadOnlyCollection<Guid> Groups) RequesterIdentity()
    {
        Guid? user = IdentityState.FindUser(_r, _requester)?.ObjectId;
        MailboxConfig? own = TenantDirectory.FindMailbox(_r, _requester);
        if (user == null && own != null) user = TenantDirectory.MailboxObjectId(_r, own);
        var groups = TenantDirectory.Groups(_r).Where(g => TenantDirectory.IsMember(_r, g, _requester)).Select(g => g.EffectiveObjectId(_r)).ToList();
        return (user, groups);
    }
}
