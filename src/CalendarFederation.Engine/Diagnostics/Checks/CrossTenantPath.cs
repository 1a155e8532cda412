using System;
using System.Collections.Generic;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>(Get-OrganizationConfig).EwsEnabled as read.</summary>
    internal enum EwsState
    {
        /// <summary>Not read (no connection, or the read failed).</summary>
        Unknown,
        /// <summary>Blank: Microsoft switches such tenants to False gradually since 2026-10-01 (docs/cross-tenant-access.md §1.5).</summary>
        NotSet,
        True,
        False,
    }

    /// <summary>The legacy objects besides organization relationships that win over the policy (docs/cross-tenant-access.md §1.3, §1.4).</summary>
    internal sealed class LegacyExtras
    {
        public static readonly LegacyExtras None = new LegacyExtras(Array.Empty<string>(), Array.Empty<(string, string)>());

        public LegacyExtras(IReadOnlyList<string> addressSpaces, IReadOnlyList<(string Policy, string Rule)> sharingRules)
        {
            AddressSpaces = addressSpaces;
            SharingRules = sharingRules;
        }

        /// <summary>ForestName of each availability address space for one of the other side's domains (no enable flag: it counts while it exists).</summary>
        public IReadOnlyList<string> AddressSpaces { get; }
        /// <summary>Enabled sharing policies' rules ("domain:CalendarSharingFreeBusy…") naming one of the other side's domains.</summary>
        public IReadOnlyList<(string Policy, string Rule)> SharingRules { get; }
    }

    /// <summary>
    /// Which path the pair is on: whether the policy concerns the partner at all, what each side's policy shows, which
    /// legacy objects are in effect (and so win over the policy), and whether the relationship checks stand down because
    /// the pair is on the policy.
    /// </summary>
    internal sealed class CrossTenantPath
    {
        public static readonly CrossTenantPath NotApplicable = new CrossTenantPath(false, null, null, null, Array.Empty<string>(), false, false);

        public CrossTenantPath(bool applies, TenantLookup? partner, PolicyRead? local, PolicyRead? remote, IReadOnlyList<string> legacyObjects,
            bool enabledRelationship, bool viaCrossTenantAccess)
        {
            Applies = applies;
            Partner = partner;
            Local = local;
            Remote = remote;
            LegacyObjects = legacyObjects;
            EnabledRelationship = enabledRelationship;
            ViaCrossTenantAccess = viaCrossTenantAccess;
        }

        /// <summary>False for an on-premises or hybrid partner: the policy does not replace those relationships (docs/cross-tenant-access.md §1.6).</summary>
        public bool Applies { get; }
        public TenantLookup? Partner { get; }
        /// <summary>Our policy for the partner: what the partner's users see of us. Null when the partner's tenant is not known.</summary>
        public PolicyRead? Local { get; }
        /// <summary>The partner's policy for us: what our users see of the partner. Null without the partner's connection.</summary>
        public PolicyRead? Remote { get; }
        /// <summary>The legacy objects in effect on the sides read, as findings name them.</summary>
        public IReadOnlyList<string> LegacyObjects { get; }
        public bool LegacyInEffect => LegacyObjects.Count > 0;
        /// <summary>An enabled organization relationship for the pair on a side read.</summary>
        public bool EnabledRelationship { get; }
        /// <summary>
        /// The pair is on the policy: no enabled relationship on a side read, and the policy is set up for the pair (a partner
        /// configuration on a side read) or the probe was answered by it. The relationship checks then stand down.
        /// </summary>
        public bool ViaCrossTenantAccess { get; }
        /// <summary>The policy, not a legacy object, answers our users' free/busy questions.</summary>
        public bool ServedByPolicy => ViaCrossTenantAccess && !LegacyInEffect;
        public bool AnyGrant => Local?.Grants == true || Remote?.Grants == true;
    }
}
