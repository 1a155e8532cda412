using System;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>
    /// Every choice the readiness report makes where Microsoft's text is silent or contradicts itself, in one place. Each
    /// entry says what was chosen, the evidence, and what would change it. Keys (JP-*, PS-*, G-*, X-*) and § numbers
    /// are those of docs/cross-tenant-access.md (§7 for the keys); JP-XTAP is jpmessaging/blog
    /// cross-tenant-freebusy-...-cross-tenant-a.md@144e3109 (lastupdate 2026-09-08), the translation of the Exchange
    /// Team post behind MC1446796. The evaluator (<see cref="ReadinessEvaluator"/>) only applies these;
    /// docs/cmdlets/Get-CalendarFederationReadiness.md repeats them.
    /// </summary>
    public static class ReadinessDecisions
    {
        // R1 (§1.5) The two dates.
        // Chosen: 2026-10-01, from when tenants whose EwsEnabled is not set are switched to False "gradually"; 2027-04-01, when
        // EWS is retired with no exceptions and EwsEnabled True stops helping.
        // Evidence: JP-XTAP ("2026 年 10 月 1 日以降 ... EWS の無効化が段階的に開始", "2027 年 4 月 1 日まで利用できます");
        // JP-EWS (2027-04-01, the control removed, no exceptions).
        public static readonly DateTime EwsSwitchStarts = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        public static readonly DateTime EwsRetired = new DateTime(2027, 4, 1, 0, 0, 0, DateTimeKind.Utc);

        // R2 (§1.5, §4.1) What each EwsEnabled value means, and how a deadline is given.
        // Chosen: Deadline is a UTC date (DateTime, date part only) with a DeadlineReason in words: the date by which the
        // object's next step must be done for sharing to go on without a break, computed from the EwsEnabled values read.
        // True: 2027-04-01. Not set: 2026-10-01, a date already past: at risk now, not broken (the switch is gradual and
        // the service does not show when it reaches a tenant; only EwsEnabled is readable). False: EWS is off, the legacy
        // path has stopped: the verdict is BrokenNow and the deadline 2026-10-01 (passed). On or after 2027-04-01 every
        // value is passed. EwsEnabled unreadable counts as not set. A row that depends on nothing has no deadline (null).
        // The dates are fixed, not "today", so a report run every day only changes when the tenants do.
        // Evidence: PS-SOC (True/False/blank); Microsoft's "Control access to EWS in Exchange" (Set-OrganizationConfig
        // -EwsEnabled:$false blocks the whole organization); JP-XTAP (both sides need True for two-way sharing).
        // Would change: the service exposing the switch for a not-set tenant (then a not-set tenant already switched is BrokenNow).
        public static DateTime DeadlineFor(EwsSetting setting, DateTimeOffset now) =>
            now.UtcDateTime >= EwsRetired ? EwsRetired : setting == EwsSetting.True ? EwsRetired : EwsSwitchStarts;

        /// <summary>EWS is off for the tenant: its EwsEnabled is False, or EWS has been retired.</summary>
        public static bool EwsIsOff(EwsSetting setting, DateTimeOffset now) => setting == EwsSetting.False || now.UtcDateTime >= EwsRetired;

        // R3 (§1.5; JP-XTAP FAQ) Which side's EWS breaks what.
        // Chosen: the legacy path to a tenant's calendars fails when that tenant's (the target's) EWS is off; the reader's does
        // not matter. A relationship row is BrokenNow when its own tenant's EWS is off and the relationship exposes free/busy
        // or MailTips, or (with -PartnerConnection) when the partner's EWS is off and the partner still shares back through
        // its own relationship. Without the partner's side, its EWS is not known and the reason says so.
        // Evidence: JP-XTAP FAQ: when the partner's EWS is disabled "your users lose the partner's data; the partner's users
        // still see yours"; the sandbox follows the same rule.

        // R4 (§1.3 "affected when") What depends on EWS.
        // Chosen: an organization relationship that is Enabled with FreeBusyAccessEnabled or MailTipsAccessEnabled, for a
        // partner in Microsoft 365; a sharing policy that is Enabled, has a CalendarSharingFreeBusy* rule (including '*' and
        // 'Anonymous:') and applies to at least one mailbox. One row per such rule. On-premises and hybrid partners do not.
        // Evidence: JP-XTAP's three checks, its FAQ ("a wildcard needs migrating"; "a disabled default sharing policy needs
        // nothing").

        // R5 (§1.6) Partners that keep their organization relationship.
        // Chosen: KeepLegacy for on-premises partners (Exchange Server: "no immediate impact") and hybrid (this tenant's own
        // on-premises organization: the Exchange hybrid app replaces it, not X-TAP), as PartnerClassifier tells them; also
        // for an enabled relationship that shares neither free/busy nor MailTips (mailbox moves, archive, photos: not
        // replaced by X-TAP), and for address spaces other than OrgWideFBToken (cross-forest, Google Workspace: unaffected).
        // A relationship whose targets tell nothing (Unknown) is judged by its domains: a domain Entra knows makes it a
        // Microsoft 365 partner for the verdict (PartnerKind stays Unknown); no Entra tenant for any of them, KeepLegacy.
        // Evidence: JP-XTAP "影響を受けないシナリオ"; X-GUIDE §3 (other relationship features are not migrated).

        // R6 (§1.4) Precedence.
        // Chosen: while a legacy object is in effect on either side, X-TAP is not consulted. So X-TAP in place with the
        // legacy object still enabled is ReadyToCutOver (never Migrated), and an enabled object whose EWS is off is BrokenNow
        // even when X-TAP is in place: the legacy object wins and fails; disabling it is the fix. A relationship is judged as
        // a whole object (Enabled), not per feature.
        // Evidence: JP-XTAP FAQ ("従来の共有設定が有効なままだと、共有要求が新しいクロステナント アクセス ポリシーを経由して
        // 処理されません"); PS-SOR (Enabled $false "completely stops sharing"); per-feature precedence is UNCONFIRMED (§1.4).

        // R7 How a disabled relationship is reported.
        // Chosen: it is always reported, never skipped, and never depends on EWS (no deadline). Disabled with the X-TAP
        // equivalent of its free/busy and MailTips settings in place: Migrated. Disabled with sharing settings but no (or
        // not all of the) X-TAP equivalent: NeedsCrossTenantAccess, because the partner now sees nothing the relationship
        // used to give; the reason says "if that is intended, remove the relationship". Disabled with no sharing settings:
        // Migrated (nothing to migrate).
        // Evidence: the official check counts only Enabled relationships (JP-XTAP); the recommended order grants first and
        // disables after (JP-XTAP "必要な対応" 3), so a disabled relationship without a grant is an outage or a choice, and
        // only the admin knows which.

        // R8 (§1.3, §6.14) OrgWideFBToken address spaces.
        // Chosen (the safe reading, UNCONFIRMED): treated as legacy that must be migrated: a row, NeedsCrossTenantAccess until
        // the partner tenant grants this tenant free/busy (the X-TAP equivalent lives in the partner's policy, so only
        // -PartnerConnection shows it), then ReadyToCutOver (Remove-AvailabilityAddressSpace: it has no enable switch and
        // wins while it exists). Deadline 2027-04-01 whatever EwsEnabled says, and never BrokenNow because of EWS.
        // Evidence: JP-XTAP (2026-08-18 FAQ and the body): "this configuration does not depend on Exchange Web Services, so
        // it is not affected by EWS retirement; consider migrating", while the same post lists it among the three
        // configurations that "have used EWS to fetch free/busy" and that X-TAP replaces. X-RB02 maps it to
        // crossTenantCalendarAvailabilityBasic in the partner's tenant. Treating it as optional would leave a tenant with no
        // warning if the body, not the FAQ, is right; treating it as EWS-dependent would call a working path broken.
        // Would change: Microsoft's migration guide (§6.1) or MC1446796 settling it.
        public static readonly DateTime AddressSpaceDeadline = EwsRetired;

        // R9 (§1.3) The X-TAP equivalent of each object, and when it counts as present.
        // Chosen: relationship: in this tenant's policy, a partner configuration for the partner's tenant, a trust that lets
        // its users in (AllUsers, or a scoped trust with a note; a null trust inherits the default's, and an unset default
        // blocks), and for FreeBusyAccessLevel/MailTipsAccessLevel an allowed capability of at least that level. A
        // higher level counts, with a note that it shows more; a lower level is Partial. Scope groups are compared only as
        // "everyone or not" (no extra lookups), with a note when they differ. Sharing policy rule for a domain: the same,
        // with crossTenantCalendarSharingFreeBusy*; for '*' and 'Anonymous' the default policy's crossTenantCalendarSharing*
        // and anonymousCalendarSharing* capabilities (this module never changes the default policy). Capabilities on
        // the default policy never count for a partner (§6.5 UNCONFIRMED; the sandbox reads it the same way).
        // With -PartnerConnection a relationship is ReadyToCutOver only when the partner's grant back is there too, for a
        // partner that still shares back through its own relationship: cutting over disables both sides at once.

        // R10 A policy that cannot be read.
        // Chosen: a refusal (403), a missing Graph sign-in or a failed read of the cross-tenant access policy never fails
        // the report: that tenant's X-TAP part is Unknown, the reason carries the service's explanation (the missing
        // permission or role, GraphAccessAnalysis), one warning is written, and the verdict is the conservative
        // NeedsCrossTenantAccess (Grant- reads before it writes, so running it is safe if the grant is there after all).
        // "X-TAP available" is whether default/m365Capabilities answers: CrossTenantAccessNotAvailable is NotAvailable.
        // Exchange reads are required (a tenant whose relationships cannot be read has no report); the mailbox read is not.
        // Evidence: G-PERM-DLIST, L-PGET (Policy.Read.All; Global Reader and Security Reader read the policy, Exchange
        // Administrator only the capabilities), XtapDecisions D12, D20.

        // R11 (§4.1) Mailboxes per sharing policy.
        // Chosen: Get-Mailbox -ResultSize Unlimited is read once, and only when an enabled sharing policy with a calendar rule
        // is not the default one; a blank SharingPolicy (or the default's name) counts for the default policy. When the
        // default policy is the only candidate it is assumed to apply (every mailbox without a policy of its own has it),
        // which spares large tenants the read. A failed read assumes every candidate applies, with a warning.
        // Evidence: X-RB02, X-COLLECT (blank means the default); JP-XTAP (assigned to at least one mailbox).

        // R12 Partner tenant lookups.
        // Chosen: one anonymous OpenID lookup per distinct domain (normalised), cached for the call, at most
        // <see cref="LookupConcurrency"/> at once; with -PartnerConnection none is needed (the partner's own accepted domains
        // and tenant id tell which objects are its). A domain that does not resolve is reported on its row, never fatal:
        // Entra knows no tenant (PartnerTenantNotFound, or the consumer tenant) means it is not a Microsoft 365 partner;
        // a failed lookup leaves the X-TAP part Unknown.
        public const int LookupConcurrency = 8;

        /// <summary>Capability lists read at once per tenant (the Graph client's gate allows 4 per tenant anyway).</summary>
        public const int CapabilityConcurrency = 4;

        // R13 Narrowing.
        // Chosen: -DomainName and -PartnerTenantId keep the objects naming that domain or resolving to that tenant (either
        // matches); -PartnerConnection keeps, on each side, the objects about the other. A narrowed report leaves out the
        // '*' and 'Anonymous' sharing rules, which concern every organization. The OrganizationConfig row sums up the rows
        // shown: its verdict is the most urgent of the rows that depend on EWS (Migrated when none does).
    }
}
