using System;

namespace CalendarFederation
{
    /// <summary>What Convert-OrganizationRelationship did on one side.</summary>
    public enum MigrationOutcome
    {
        /// <summary>Nothing written: -WhatIf, or the change was not confirmed.</summary>
        Planned,
        /// <summary>The cross-tenant access grant was written and verified; the relationship stays as it was.</summary>
        Granted,
        /// <summary>The grant was already there (verified, nothing written), and nothing else was asked or needed.</summary>
        Unchanged,
        /// <summary>The grant is verified and this run disabled the relationship: the policy serves free/busy now.</summary>
        Migrated,
        /// <summary>The grant is verified and the relationship was already disabled.</summary>
        AlreadyMigrated,
        /// <summary>-Rollback enabled the relationship again; the cross-tenant access grant stays.</summary>
        RolledBack,
        /// <summary>The relationship was changed, then changed back because the other side's could not follow: both are as they were.</summary>
        Compensated,
        /// <summary>Not a relationship the cross-tenant access policy replaces (hybrid, on-premises, shared with another tenant): nothing written.</summary>
        NotApplicable,
        /// <summary>A step failed (ErrorId, Message); LegacyEnabled says where the relationship stands.</summary>
        Failed,
    }

    /// <summary>
    /// One side of an organization relationship's migration to the Microsoft 365 cross-tenant access policy: what this
    /// tenant now grants the partner, and whether its legacy relationship is still enabled.
    /// </summary>
    public sealed class OrganizationRelationshipMigration
    {
        /// <summary>The tenant of this side: whose calendars the grant exposes, and whose relationship it is.</summary>
        public string Organization { get; set; } = "";
        /// <summary>The other tenant: its organization, or the relationship's first domain without its connection.</summary>
        public string Partner { get; set; } = "";
        /// <summary>The other tenant's id: the partner configuration this side's grant is on.</summary>
        public string PartnerTenantId { get; set; } = "";
        /// <summary>The organization relationship on this side (its identity); empty when this side has none.</summary>
        public string Relationship { get; set; } = "";
        public MigrationOutcome Outcome { get; set; }
        /// <summary>What the partner's users see of this side's calendars through the policy (granted, or planned).</summary>
        public FreeBusyAccessLevel FreeBusyAccessLevel { get; set; }
        public MailTipsAccessLevel MailTipsAccessLevel { get; set; }
        /// <summary>True when the grant was read back and gives exactly what the relationship shares.</summary>
        public bool Verified { get; set; }
        /// <summary>True while this side's relationship is enabled (and so takes precedence over the policy for both directions).</summary>
        public bool LegacyEnabled { get; set; }
        /// <summary>The writes made (or, with -WhatIf, planned) to the policy and the relationship.</summary>
        public string[] Changes { get; set; } = Array.Empty<string>();
        public string? Message { get; set; }
        /// <summary>The error id of the failure or refusal on this side, as in the error record.</summary>
        public string? ErrorId { get; set; }

        public override string ToString() => $"{Organization}: {Outcome} '{Relationship}'";
    }
}
