using System;
using System.Collections.Generic;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Graph;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>How a capability that must stop granting is taken away.</summary>
    public enum CapabilityRemoval
    {
        /// <summary>DELETE the partner's capability: not configured means disabled.</summary>
        Delete,
        /// <summary>Keep (or create) the partner's capability with isAllowed:false: an explicit partner setting.</summary>
        Disable,
    }

    /// <summary>
    /// Every choice the cross-tenant access backend makes where Microsoft's documentation is silent or contradicts itself
    /// (the UNCONFIRMED list, docs/cross-tenant-access.md §6; the § numbers below are that file's sections). Each entry
    /// says what was chosen, the evidence, and what would change it. Nothing else in the engine decides these;
    /// docs/xtap-wire.md lists them too.
    /// </summary>
    public static class XtapDecisions
    {
        // D1 (§2.0, §6.11, §6.12) API version.
        // Chosen: Graph v1.0 only, on the environment's Graph host; no beta fallback.
        // Evidence: v1.0 pages for partner CRUD (L-PUPD, L-PPOST, L-PGET) and m365Capabilities (G-V1POST/LIST/UPD/DEL, 2026-08-07)
        // exist; the only community lab on v1.0 (X-GUIDE) worked; beta is a preview contract.
        // Would change: a sovereign cloud that serves m365Capabilities on beta only (the v1.0 pages say "Global only"). The
        // failure is then CrossTenantAccessNotAvailable (D20), and GraphClientOptions.ApiVersion is the one knob to turn.
        public const string ApiVersion = "v1.0";

        // D2 (§6.3) Creating a partner.
        // Chosen: POST /partners {"tenantId":…} only, then PATCH m365CollaborationInbound.
        // Evidence: m365CollaborationInbound is not in the documented create table (L-PPOST); PATCH of it is documented (L-PUPD
        // example 4). The guide's one-call create (X-MEDIUM, X-JB, X-APPLY) works per the community but is undocumented.
        // Would change: the create page documenting m365CollaborationInbound (one call fewer, no window without a trust).
        public static readonly bool CreatePartnerWithTrust = false;

        // D3 (§6.2) A second POST of the same partner or capability.
        // Chosen: GET before every write; a 409 on POST means "already there" (re-read, then PATCH if it differs); a 400 on a
        // capability POST is followed by a re-read, and a capability that now exists counts as there.
        // Evidence: no status documented; X-FAKE simulates 409; X-ENABLE, X-APPLY and X-GUIDE do GET-then-write.
        // Would change: a documented duplicate status (it would replace the 400 re-read).
        public static bool IsAlreadyThere(int status) => status == 409;

        // D4 (§6.6, §6.5) Two levels of one family (Basic and LimitedDetails) at once, and a default policy that grants.
        // Chosen: exactly one level of a family stays allowed. Another level is DELETED, unless the default policy allows
        // that same capability: then the partner keeps (or gets) it with isAllowed:false. Revoking uses the same rule. With
        // no partner configuration nothing is created just to deny; the plan warns that the default applies.
        // Evidence: "not configured = disabled" and "a partner policy takes precedence over the default policy" (G-OVW); which
        // of two allowed levels wins is undocumented (§6.6); whether a partner without a capability falls back to the
        // default's capability of that name is undocumented (§6.5), so only an explicit partner object is sure to override
        // it. X-GUIDE's DisableOtherLevels and X-APPLY's isAllowed:false show disabling works; deletion avoids leaving two
        // objects of one family when nothing needs overriding.
        // Would change: documented per-name fallback (or none) to the default policy, or documented precedence of levels.
        public static CapabilityRemoval RemovalFor(string capabilityName, CrossTenantDefaultPolicy? defaults) =>
            defaults != null && defaults.Grants(capabilityName) ? CapabilityRemoval.Disable : CapabilityRemoval.Delete;

        // D5 (§6.7) resourceType for "everyone".
        // Chosen: {"resourceId":"All","resourceType":"user"} for free/busy, MailTips and room booking; "group" for calendar
        // sharing. Scopes are compared exactly (All+user is not taken as equal to All+group).
        // Evidence: "All" is documented (G-SCOPE); the guide is quoted as using "group" for calendar sharing and "user" for the
        // rest (X-ENABLE, X-RB02). Room booking is not quoted: its resources are room mailboxes, which are users.
        // Would change: the guide's text, or Graph normalising the type.
        public const string EveryoneResourceId = "All";
        public const string UserResourceType = "user";
        public const string GroupResourceType = "group";

        public static string EveryoneResourceType(CapabilityFamily family) =>
            family == CapabilityFamily.CalendarSharing ? GroupResourceType : UserResourceType;

        // D6 (§6.8) The empty exclusion.
        // Chosen: send "excluded": [] always (both arrays, always); when reading, an entry without resourceId (the guide's
        // "excluded":[{}]) means nothing and is ignored in comparisons.
        // Evidence: every Graph example uses [] (G-V1POST, G-V1UPD); the guide's [{}] is seen in X-GOTEST and X-JB.
        public static readonly bool SendEmptyExcludedArray = true;

        // D7 (§2.4) PATCH of resourceScopes: merge or replace is undocumented.
        // Chosen: every capability PATCH sends the whole inboundAccess (isAllowed and both scope arrays), so either reading
        // gives the same result. A disable keeps the scopes that were there.
        public static readonly bool PatchSendsWholeInboundAccess = true;

        // D8 (§2.4) Reading one capability.
        // Chosen: list m365Capabilities and filter by name; never GET /m365Capabilities/{name}.
        // Evidence: the single GET exists only in the generated SDK routes (MGSDK-PS), no docs page.
        public static readonly bool ReadCapabilityByList = true;

        // D9 (§2.7, §4.5, §6.16) Replication after a create.
        // Chosen: once this apply created the partner (or met a 409 on it) or wrote the trust, a 400 or 404 on a dependent
        // call is retried after 10, 20, 30, 40 and 50 s (150 s in all), on the injected TimeProvider; the read-back that
        // verifies the result waits on the same schedule before it reports CrossTenantAccessNotVerified.
        // Evidence: X-APPLY retries dependent 400/404 four times, 15 s × attempt; nothing official.
        // Would change: a documented replication figure, or errors that tell replication from a real 400.
        public static IReadOnlyList<TimeSpan> ReplicationRetryDelays { get; } = new[]
        {
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(50),
        };

        public static bool IsReplicationLag(int? status) => status == 400 || status == 404;

        // D10 (§2.2, §6.17) The trust written.
        // Chosen: m365CollaborationInbound users allowed for AllUsers, written explicitly before any capability, never
        // inherited; who is exposed is scoped per capability instead. m365CollaborationOutbound is never touched.
        // Evidence: L-PUPD example 4; X-RB02 and X-APPLY scope per capability; X-CHG saw a blocked default; the docs call the
        // control inbound-only.
        // Would change: evidence that the reading tenant's outbound setting matters for free/busy.
        public const string AllUsersTarget = "AllUsers";
        public const string AllUsersTargetType = "user";

        // D11 (§2.2) What counts as a restricted trust that is never widened.
        // Chosen: anything but "allowed for AllUsers" or null (inherited): blocked for AllUsers is Blocked; allowed or blocked for
        // particular targets, or an access type not known, is Scoped. A Scoped or Blocked trust stops a granting plan with
        // CrossTenantTrustRestricted unless the request says Replace (-Force); Keep keeps a Scoped one (never a Blocked one).
        // Evidence: PATCH replaces the whole block (X-RB02 appendix).

        // D12 (§3, §6.18) Roles named in a 403 (delegated).
        // Chosen: trust writes: Security Administrator or Global Administrator (Teams Administrator is documented, with
        // "excluding identity synchronization settings", but not offered: the guide is quoted as requiring Global
        // Administrator). Capability writes: Exchange Administrator or Global Administrator for free/busy, MailTips and
        // calendar sharing; Global Administrator alone for the rest (room booking). Partner and default reads: Global Reader,
        // Security Reader, Security Administrator, Teams Administrator, Global Secure Access Administrator, Global
        // Administrator. Capability reads: Exchange Administrator or Global Administrator.
        // Evidence: L-PUPD, L-PPOST, L-PGET, G-RBAC-W, L-DLIST; X-GUIDE §5.
        // Would change: the migration guide's own text (§6.1).
        public static readonly IReadOnlyList<EntraRole> TrustWriteRoles = new[] { EntraRole.SecurityAdministrator, EntraRole.GlobalAdministrator };

        public static IReadOnlyList<EntraRole> CapabilityWriteRoles(string capabilityName) =>
            M365CapabilityNames.FamilyOf(capabilityName) is CapabilityFamily.FreeBusy or CapabilityFamily.MailTips or CapabilityFamily.CalendarSharing
                ? new[] { EntraRole.ExchangeAdministrator, EntraRole.GlobalAdministrator }
                : new[] { EntraRole.GlobalAdministrator };

        public static readonly IReadOnlyList<EntraRole> PolicyReadRoles = new[]
        {
            EntraRole.GlobalReader, EntraRole.SecurityReader, EntraRole.SecurityAdministrator, EntraRole.TeamsAdministrator,
            EntraRole.GlobalSecureAccessAdministrator, EntraRole.GlobalAdministrator,
        };

        public static readonly IReadOnlyList<EntraRole> CapabilityReadRoles = new[] { EntraRole.ExchangeAdministrator, EntraRole.GlobalAdministrator };

        // D13 (§3) The delegated Graph client.
        // Chosen: a public client of its own (never the Exchange client fb78d390-…): SignInRequest.GraphClientId, else the
        // admin's own -AppId, else Microsoft Graph Command Line Tools 14d82eec-…, with redirect http://localhost.
        // Evidence: the community uses 14d82eec for these calls (X-RB02); whether third parties may reuse it is not stated.
        // Would change: Microsoft asking third parties to register their own app; then the default goes and GraphClientId is required.
        public const string DefaultGraphClientId = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

        // D14 (§3) Delegated scopes asked for.
        // Chosen: Policy.Read.All, Policy.ReadWrite.CrossTenantAccess and Policy.ReadWrite.CrossTenantCapability at once
        // (one consent); SignInRequest.GraphScopes narrows it (a read-only check asks for Policy.Read.All alone).
        // Evidence: G-OVW names both write permissions; L-PGET and L-DLIST name Policy.Read.All for reads.
        public static IReadOnlyList<string> DelegatedGraphScopes => GraphScopes.CrossTenantAccess;

        // D15 (§1.3, PS-SOR) Scope groups.
        // Chosen: a scope is a group Exchange knows (Get-DistributionGroup -Identity: name, address, alias or GUID) and its
        // ExternalDirectoryObjectId is the Entra object id sent. A GUID is not taken as given: it must resolve the same way
        // (no Graph permission to read groups is asked for, and a wrong id would silently expose nobody). A GUID that
        // Get-DistributionGroup does not know is tried as an Entra object id with Get-Recipient (UNCONFIRMED that the REST
        // admin API's Get-Recipient takes it, as the sandbox's does). A group that is not
        // security-enabled gives a warning, not an error.
        // Evidence: X-COLLECT resolves with Get-Recipient/Get-Group and ExternalDirectoryObjectId; Exchange's scopes were
        // mail-enabled security groups (PS-SOR); whether X-TAP accepts distribution lists is undocumented.
        // Would change: a need for non-mail-enabled security groups (then a Graph group lookup with Group.Read.All).

        // D16 (§6.9, §1.3) Anonymous calendar sharing.
        // Chosen: Graph's names (anonymousCalendarSharingFreeBusy*); read and kept, never planned for a partner (they belong
        // to the default policy, which this module never changes for a partner).

        // D17 (§6.10) The navigation property is m365Capabilities; microsoft365CapabilitiesInbound is never used.

        // D18 (§6.4) A capability without a trust: the trust is always written first, so that case is never met.

        // D19 (§6.21) Graph error codes for these endpoints are undocumented: the backend branches on the HTTP status
        // only (404 absent, 409 exists, 400/404 replication); codes are kept for messages and support.

        // D20 (§6.11, §6.12) X-TAP not offered: a 400 or 404 whose message names the segment 'm365Capabilities'
        // (OData's "Resource not found for the segment") is CrossTenantAccessNotAvailable, not a missing partner.
        public static bool IsCapabilitiesSegmentUnknown(GraphException ex) =>
            (ex.Status == 400 || ex.Status == 404) && ex.ServiceMessage != null
            && ex.ServiceMessage.IndexOf("segment 'm365Capabilities'", StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
