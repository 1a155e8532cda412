using System;
using System.Collections.Generic;
using CalendarFederation.Engine.CrossTenantAccess;

namespace CalendarFederation.Engine.Migration
{
    /// <summary>
    /// The choices Convert-OrganizationRelationship makes where Microsoft's documentation leaves room
    /// (docs/cross-tenant-access.md; the § numbers below are its sections), each with its evidence and what would
    /// change it. The X-TAP writes themselves follow XtapDecisions (D1-D20).
    /// </summary>
    public static class MigrationDecisions
    {
        // M1 (§1.2, §1.3) Direction. A relationship in tenant A for partner B's domains says what A shares with B, so it
        // becomes A's inbound grant for B's tenant id (the tenant that holds the mailboxes grants). B's relationship for A's
        // domains becomes B's grant for A.
        // Evidence: "the resource tenant that owns the data decides what to expose" (G-OVW); PS-SOR (FreeBusyAccess* is
        // what the partner may see of this organization).

        // M2 (§1.3) The mapping, one capability per family:
        //   FreeBusyAccessEnabled and FreeBusyAccessLevel AvailabilityOnly -> crossTenantCalendarAvailabilityBasic;
        //   LimitedDetails -> crossTenantCalendarAvailabilityLimitedDetails; None or FreeBusyAccessEnabled $false -> none;
        //   MailTipsAccessEnabled and MailTipsAccessLevel Limited -> crossTenantMailTipsLimited, All -> crossTenantMailTipsAll;
        //   FreeBusyAccessScope / MailTipsAccessScope (a group) -> that capability's resourceScopes.included = the group's
        //   Entra object id (resolved through Exchange, XtapDecisions D15); no scope -> All users (D5).
        // "None" is written as none: an X-TAP grant the relationship does not make is taken away, so the cutover shows
        // the partner exactly what the relationship showed (an X-TAP grant is not in effect while a legacy object is,
        // §1.4, so nothing the partner sees today is lost by it).
        // Would change: Microsoft's own migration guide (§6.1) mapping a level differently.
        public static PartnerAccessRequest RequestFor(LegacyRelationship relationship, string partnerTenantId, ExistingTrustHandling existingTrust)
        {
            if (relationship == null) throw new ArgumentNullException(nameof(relationship));
            FreeBusyAccessLevel freeBusy = relationship.SharedFreeBusy;
            MailTipsAccessLevel mailTips = relationship.SharedMailTips;
            return new PartnerAccessRequest(partnerTenantId)
            {
                FreeBusy = freeBusy,
                FreeBusyScope = freeBusy != FreeBusyAccessLevel.None && relationship.FreeBusyAccessScope != null ? new[] { relationship.FreeBusyAccessScope } : null,
                MailTips = mailTips,
                MailTipsScope = mailTips != MailTipsAccessLevel.None && relationship.MailTipsAccessScope != null ? new[] { relationship.MailTipsAccessScope } : null,
                ExistingTrust = existingTrust,
            };
        }

        // M3 (issue 11 §5; §1.4, §4.2 step 5) Cutover order. The relationships are disabled only after BOTH sides' grants
        // were written and read back at the relationship's level (and scope); A first, then B. Legacy objects take precedence
        // while enabled on EITHER side, so one side disabled and the other enabled serves free/busy in neither direction
        // (the sandbox's getSchedule follows the same rule, tests/CalendarFederation.Sandbox/README.md).
        // Evidence: JP-XTAP FAQ ("both organizations must disable"); X-GUIDE §11, X-RB02 step 6.

        // M4 Compensation. After any failure or stop, the two relationships are left alike: if B's disable fails (or its answer
        // is lost and a read shows B still enabled), A is enabled again; if B's enable fails during a rollback, A is disabled
        // again. A change whose answer was lost is read back before anything is undone. The compensating calls run to the end
        // even after Ctrl+C (within CompensationTimeout), because stopping between the two sides is the one state that
        // serves nobody.
        public static readonly TimeSpan CompensationTimeout = TimeSpan.FromSeconds(60);

        // M5 One side only. Without the partner's connection the module cannot disable the partner's relationship, and
        // disabling (or, with -Rollback, enabling) only this side leaves the pair unlike until the partner does the same:
        // both directions lose free/busy meanwhile (M3). So it is refused (PartnerCutoverNotAcknowledged) unless the admin
        // says, with -PartnerDisablesLegacy, that the partner changes its side in the same window. The grant itself needs no
        // acknowledgement: it changes nothing users see while the legacy objects are enabled.

        // M6 (§1.6, §4.2) Features the cross-tenant access policy does not carry: MailboxMoveEnabled, ArchiveAccessEnabled,
        // DeliveryReportEnabled, PhotosEnabled. A relationship with any of them on (either side) is not disabled
        // (LegacyFeaturesInUse); its grant is still written. The admin splits the relationship first: mailbox moves go to a
        // relationship of their own (Microsoft's cross-tenant mailbox migration names the partner by its tenant id in
        // DomainNames, so it needs none of the partner's mail domains), and the others are turned off where no longer
        // needed. Whether an enabled relationship without free/busy or MailTips still takes precedence is UNCONFIRMED
        // (§1.4); keeping such a relationship for the partner's mail domains is not offered.

        // M7 (§1.3, §1.4) Other legacy objects. An enabled sharing policy with a rule that gives a partner domain a
        // CalendarSharingFreeBusy* action keeps the legacy path in effect after the relationships are disabled, and on that
        // path no relationship answers any more: the cutover is refused (LegacyFeaturesInUse) until the rule is removed
        // (Set-SharingPolicy -Domains @{Remove=...}; its X-TAP equivalent is crossTenantCalendarSharingFreeBusy*, which this
        // command does not write). Whether the policy is assigned to a mailbox is not checked (that needs every mailbox
        // read), so an unassigned policy also blocks: the cautious side. An OrgWideFBToken availability address space for a
        // partner domain keeps serving this tenant's users from its own path (no EWS dependency, JP-XTAP 2026-08-18), so it
        // does not block; the result says it stays.

        // M8 Not applicable. Relationships the cross-tenant access policy does not replace are left alone: hybrid (this
        // tenant's own on-premises organization, or a Hybrid Configuration Wizard relationship) and on-premises
        // partners, as PartnerClassifier tells them (§1.6: "keep the hybrid OrgRels"; Exchange Server partners: "no
        // immediate impact"). So is a partner relationship that also covers domains of a third tenant, or several
        // relationships in the partner for this tenant: splitting or merging them is the admin's choice.
        // MigrationNotApplicable, with the reason.

        // M9 The partner's relationship. With a partner connection, the partner's relationship for this tenant is the one
        // whose DomainNames hold this tenant's accepted domains (exactly one). A partner without one has nothing to migrate
        // or disable: its grant is not touched and the cutover disables only this side (no legacy object remains there).

        // M10 Requests. Each side's grant is one CrossTenantAccessService.ApplyAsync (reads, writes, read-back). The plan is
        // read separately (PlanAsync) only for -WhatIf: for ShouldProcess the request itself describes the grant, so a
        // normal run reads each partner once. The sides' grants run at the same time (they are independent tenants and
        // change nothing users see); the cutover's writes run one after the other (M3).

        /// <summary>"Free/busy AvailabilityOnly for group X; MailTips None": what a grant gives, in Exchange's terms.</summary>
        public static string Describe(PartnerAccessRequest request)
        {
            var parts = new List<string>
            {
                "free/busy " + (request.FreeBusy ?? FreeBusyAccessLevel.None) + Scope(request.FreeBusy != FreeBusyAccessLevel.None, request.FreeBusyScope),
                "MailTips " + (request.MailTips ?? MailTipsAccessLevel.None) + Scope(request.MailTips != MailTipsAccessLevel.None, request.MailTipsScope),
            };
            return string.Join(", ", parts);
        }

        private static string Scope(bool granted, IReadOnlyList<string>? scope) =>
            !granted ? "" : scope == null || scope.Count == 0 ? " for all users" : " for " + string.Join(", ", scope);
    }
}
