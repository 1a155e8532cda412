using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.CrossTenantAccess;

namespace CalendarFederation.Engine.Migration
{
    /// <summary>
    /// One tenant in a migration: its Exchange side (relationships, accepted domains, enable/disable) and its
    /// cross-tenant access backend. Built from a signed-in session, or from fakes in tests.
    /// </summary>
    public sealed class MigrationSide
    {
        public MigrationSide(string organization, string? tenantId, ILegacySharing legacy, CrossTenantAccessService access)
        {
            Organization = organization ?? throw new ArgumentNullException(nameof(organization));
            TenantId = tenantId == null ? null : Guid.TryParse(tenantId, out Guid id) ? id.ToString("D") : tenantId;
            Legacy = legacy ?? throw new ArgumentNullException(nameof(legacy));
            Access = access ?? throw new ArgumentNullException(nameof(access));
        }

        public static MigrationSide For(TenantSession session) =>
            new MigrationSide(session.Organization, session.TenantId, new AdminApiLegacySharing(session.AdminApi), CrossTenantAccessService.For(session));

        public string Organization { get; }

        /// <summary>The tenant id, lower-case GUID form; null when the connection does not know it.</summary>
        public string? TenantId { get; }

        public ILegacySharing Legacy { get; }
        public CrossTenantAccessService Access { get; }

        public override string ToString() => Organization;
    }

    /// <summary>What a migration was asked to do.</summary>
    public sealed class MigrationOptions
    {
        /// <summary>Disable the relationships after both grants are verified (the cutover).</summary>
        public bool DisableLegacy { get; set; }

        /// <summary>Enable the relationships again; the cross-tenant access grants stay.</summary>
        public bool Rollback { get; set; }

        /// <summary>Without a partner side: the admin says the partner changes its own relationship in the same window (MigrationDecisions M5).</summary>
        public bool PartnerDisablesLegacy { get; set; }

        /// <summary>What to do about a scoped or blocked Microsoft 365 collaboration trust (Replace with -Force).</summary>
        public ExistingTrustHandling ExistingTrust { get; set; } = ExistingTrustHandling.Refuse;

        /// <summary>Read each side's plan (PlanAsync) during preparation: for -WhatIf.</summary>
        public bool Plan { get; set; }
    }

    /// <summary>One side as prepared: its relationship for the other tenant, what it will grant, and what stands in the way.</summary>
    public sealed class SidePreparation
    {
        internal SidePreparation(MigrationSide side, string partnerTenantId, string partnerName)
        {
            Side = side;
            PartnerTenantId = partnerTenantId;
            PartnerName = partnerName;
        }

        public MigrationSide Side { get; }

        /// <summary>The other tenant: the id this side's grant is for.</summary>
        public string PartnerTenantId { get; }

        /// <summary>How the other tenant is named here: its organization, or the relationship's first domain.</summary>
        public string PartnerName { get; }

        /// <summary>This side's relationship for the other tenant; null when it has none (a partner without one, M9).</summary>
        public LegacyRelationship? Relationship { get; internal set; }

        /// <summary>The grant that replaces the relationship; null when there is nothing to grant (no relationship, or not applicable).</summary>
        public PartnerAccessRequest? Request { get; internal set; }

        /// <summary>What an apply would write now (only when planning was asked for).</summary>
        public PartnerAccessPlan? Plan { get; internal set; }

        /// <summary>Why this side cannot be migrated at all (MigrationNotApplicable), or why preparing it failed.</summary>
        public EngineException? Error { get; internal set; }

        /// <summary>Sharing-policy rules and address spaces for the other tenant's domains (read only for a cutover).</summary>
        public IReadOnlyList<OtherLegacySharing> OtherSharing { get; internal set; } = Array.Empty<OtherLegacySharing>();

        /// <summary>True when this side's relationship is enabled now.</summary>
        public bool LegacyEnabled => Relationship?.Enabled == true;

        /// <summary>LegacyFeaturesInUse when the cutover must leave the relationship enabled (M6, M7); otherwise null.</summary>
        public EngineException? CutoverBlocker
        {
            get
            {
                if (Relationship == null) return null;
                var reasons = new List<string>();
                if (Relationship.FeaturesInUse.Count > 0)
                {
                    reasons.Add($"the organization relationship '{Relationship.Name}' in {Side.Organization} also carries {string.Join(", ", Relationship.FeaturesInUse)}, "
                        + "which the cross-tenant access policy does not replace and which stop when it is disabled");
                }
                OtherLegacySharing[] blocking = OtherSharing.Where(o => o.BlocksCutover).ToArray();
                if (blocking.Length > 0)
                {
                    reasons.Add($"{Side.Organization} also shares calendars with {PartnerName} through {string.Join("; ", blocking.Select(b => b.ToString()))}: "
                        + "a legacy object like that keeps taking precedence, and once the relationship is disabled nothing would answer free/busy");
                }
                if (reasons.Count == 0) return null;
                return new EngineException(ErrorIds.LegacyFeaturesInUse, ErrorKind.InvalidOperation,
                    "The relationships were kept enabled: " + string.Join("; and ", reasons) + ".", Relationship.Name);
            }
        }
    }

    /// <summary>Both sides as read and resolved, before anything is written.</summary>
    public sealed class MigrationPreparation
    {
        internal MigrationPreparation(SidePreparation local, SidePreparation? partner, MigrationOptions options)
        {
            Local = local;
            Partner = partner;
            Options = options;
        }

        public SidePreparation Local { get; }

        /// <summary>The partner's side; null without a partner connection.</summary>
        public SidePreparation? Partner { get; }

        public MigrationOptions Options { get; }

        public IEnumerable<SidePreparation> Sides => Partner == null ? new[] { Local } : new[] { Local, Partner };

        /// <summary>The first side's error that stops the whole pair (not applicable, or could not be prepared).</summary>
        public EngineException? Blocker => Sides.Select(s => s.Error).FirstOrDefault(e => e != null);
    }

    /// <summary>A side's grant, applied and read back.</summary>
    public sealed class SideGrant
    {
        internal SideGrant(PartnerAccessResult result, FreeBusyAccessLevel freeBusy, MailTipsAccessLevel mailTips)
        {
            Result = result;
            FreeBusy = freeBusy;
            MailTips = mailTips;
        }

        public PartnerAccessResult Result { get; }

        /// <summary>The free/busy level the tenant grants the partner now, as read back.</summary>
        public FreeBusyAccessLevel FreeBusy { get; }

        public MailTipsAccessLevel MailTips { get; }

        public bool Changed => Result.Changed;
    }

    /// <summary>What happened to one side's relationship in a cutover or rollback.</summary>
    public sealed class LegacyChange
    {
        /// <summary>This run changed Enabled (and it stayed changed).</summary>
        public bool Changed { get; internal set; }

        /// <summary>This run changed it, then changed it back (M4).</summary>
        public bool Compensated { get; internal set; }

        /// <summary>Enabled as it is after the run, as far as the run knows (read back after any failure); null when unknown.</summary>
        public bool? EnabledAfter { get; internal set; }

        /// <summary>Why this side could not be changed (or changed back).</summary>
        public EngineException? Error { get; internal set; }
    }

    /// <summary>The cutover (or rollback) of both sides.</summary>
    public sealed class LegacyChangeResult
    {
        internal LegacyChangeResult(LegacyChange local, LegacyChange? partner)
        {
            Local = local;
            Partner = partner;
        }

        public LegacyChange Local { get; }
        public LegacyChange? Partner { get; }

        /// <summary>True when both relationships ended alike (both enabled or both disabled, or one side only).</summary>
        public bool Consistent => Partner == null || (Local.EnabledAfter != null && Local.EnabledAfter == Partner.EnabledAfter);
    }
}
