using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Tenants;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>
    /// What the cross-tenant access checks need to ask, each loaded once per run (<see cref="DiagnosticsContext.GetAsync{T}"/>):
    /// the partner's tenant id (anonymously, <see cref="PartnerTenantResolver"/>), each side's policy about the other (Graph),
    /// each side's EwsEnabled and other legacy objects (the admin API), and the mailbox's place in the partner's scopes.
    /// Every failure becomes part of the fact (and so a finding); only cancellation escapes.
    /// </summary>
    internal static class CrossTenantAccessFacts
    {
        /// <summary>The partner's tenant: from its connection, else looked up by the partner domain asked about.</summary>
        public static readonly DiagnosticsFact<TenantLookup?> PartnerTenant = new DiagnosticsFact<TenantLookup?>("PartnerTenant", LoadPartnerTenantAsync);

        /// <summary>Our own tenant id: the connection's, else looked up by our initial domain.</summary>
        public static readonly DiagnosticsFact<TenantLookup?> LocalTenant = new DiagnosticsFact<TenantLookup?>("LocalTenant", LoadLocalTenantAsync);

        /// <summary>Our policy for the partner's tenant; null when the policy does not apply or the partner's tenant is not known.</summary>
        public static readonly DiagnosticsFact<PolicyRead?> LocalPolicy = new DiagnosticsFact<PolicyRead?>("LocalPolicy", LoadLocalPolicyAsync);

        /// <summary>The partner's policy for our tenant; null without the partner's connection or when the policy does not apply.</summary>
        public static readonly DiagnosticsFact<PolicyRead?> PartnerPolicy = new DiagnosticsFact<PolicyRead?>("PartnerPolicy", LoadPartnerPolicyAsync);

        public static readonly DiagnosticsFact<EwsState> LocalEws = new DiagnosticsFact<EwsState>("LocalEws",
            (context, token) => ReadEwsAsync(context.Request.Local.AdminApi, context.LocalOrganization, context.Events, token));

        public static readonly DiagnosticsFact<EwsState> PartnerEws = new DiagnosticsFact<EwsState>("PartnerEws",
            (context, token) => context.Partner == null ? Task.FromResult(EwsState.Unknown) : ReadEwsAsync(context.Partner.Session.AdminApi, context.PartnerOrganization, context.Events, token));

        public static readonly DiagnosticsFact<LegacyExtras> LocalExtras = new DiagnosticsFact<LegacyExtras>("LocalLegacyExtras",
            (context, token) => ReadExtrasAsync(context.Request.Local.AdminApi, context.LocalOrganization, context.PartnerDomains, context.Events, token));

        public static readonly DiagnosticsFact<LegacyExtras> PartnerExtras = new DiagnosticsFact<LegacyExtras>("PartnerLegacyExtras",
            (context, token) => context.Partner == null ? Task.FromResult(LegacyExtras.None) : ReadExtrasAsync(context.Partner.Session.AdminApi, context.PartnerOrganization, context.Local.Domains, context.Events, token));

        /// <summary>The mailbox asked about against the partner's allowed free/busy capabilities; null when not checkable.</summary>
        public static readonly DiagnosticsFact<MailboxScopeRead?> MailboxScope = new DiagnosticsFact<MailboxScopeRead?>("CrossTenantMailboxScope", LoadMailboxScopeAsync);

        public static readonly DiagnosticsFact<CrossTenantPath> Path = new DiagnosticsFact<CrossTenantPath>("CrossTenantPath", LoadPathAsync);

        /// <summary>The probe's X-TAP refusals (docs/cross-tenant-access.md §5): 7002 not served for this pair, 5016 outside the user or group restrictions.</summary>
        public const string NotServedCode = "7002";
        public const string ScopeDeniedCode = "5016";

        public static bool IsPolicyRefusal(string? responseCode) => responseCode == NotServedCode || responseCode == ScopeDeniedCode;

        /// <summary>The policy concerns the partner: not an on-premises organization or this tenant's own (hybrid), docs/cross-tenant-access.md §1.6.</summary>
        public static bool Applies(DiagnosticsContext context) => context.PartnerKind != PartnerKind.OnPremises && context.PartnerKind != PartnerKind.Hybrid;

        /// <summary>The domain that names the partner best: the mailbox's, the one asked about, else its first.</summary>
        public static string PartnerDomain(DiagnosticsContext context) => context.MailboxDomain ?? context.Request.PartnerDomain ?? context.PartnerDomains[0];

        /// <summary>The domain our tenant is looked up and granted by.</summary>
        public static string LocalDomain(DiagnosticsContext context) => context.Local.InitialDomain ?? context.Local.Domains.FirstOrDefault() ?? context.LocalOrganization;

        private static async Task<TenantLookup?> LoadPartnerTenantAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            if (!Applies(context)) return null;
            string domain = context.Partner?.InitialDomain ?? PartnerDomain(context);
            TenantLookup found = Normalize(context.Partner?.Session.TenantId) is string known ? TenantLookup.Known(domain, known)
                : await LookUpAsync(context, domain, cancellationToken).ConfigureAwait(false);
            // The policy is for other tenants: a "partner" that is this tenant has none.
            return found.TenantId != null && found.TenantId == Normalize(context.Request.Local.TenantId) ? null : found;
        }

        private static async Task<TenantLookup?> LoadLocalTenantAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            string domain = LocalDomain(context);
            if (Normalize(context.Request.Local.TenantId) is string known) return TenantLookup.Known(domain, known);
            return await LookUpAsync(context, domain, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<TenantLookup> LookUpAsync(DiagnosticsContext context, string domain, CancellationToken cancellationToken)
        {
            TenantSession local = context.Request.Local;
            try
            {
                PartnerTenant tenant = await PartnerTenantResolver.ResolveAsync(PartnerTenantResolver.SignInHost(local.Environment), domain, local.Http, context.Events,
                    cancellationToken).ConfigureAwait(false);
                return TenantLookup.Known(domain, tenant.TenantId.ToString("D"));
            }
            catch (EngineException ex)
            {
                context.Events.Verbose($"The tenant of {domain} was not found: {ex.ErrorId}: {ex.Message}");
                return TenantLookup.Failed(domain, ex);
            }
        }

        private static async Task<PolicyRead?> LoadLocalPolicyAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            TenantLookup? partner = await context.GetAsync(PartnerTenant, cancellationToken).ConfigureAwait(false);
            if (partner?.TenantId == null) return null;
            return await ReadPolicyAsync(() => new CrossTenantAccessClient(context.Request.Local.Graph), context.LocalOrganization, context.PartnerOrganization,
                partner.TenantId, context.Events, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<PolicyRead?> LoadPartnerPolicyAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            if (context.Partner == null || !Applies(context)) return null;
            TenantLookup? local = await context.GetAsync(LocalTenant, cancellationToken).ConfigureAwait(false);
            if (local?.TenantId == null)
            {
                return PolicyRead.Failed(context.PartnerOrganization, context.LocalOrganization, "",
                    $"{context.LocalOrganization}'s own tenant id is not known ({local?.Failure ?? "the connection does not say"}), so {context.PartnerOrganization}'s policy for it was not read.",
                    null);
            }
            TenantSession partner = context.Partner.Session;
            return await ReadPolicyAsync(() => new CrossTenantAccessClient(partner.Graph), context.PartnerOrganization, context.LocalOrganization, local.TenantId,
                context.Events, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// One side's policy for the other tenant: its partner configuration and capabilities and, when the trust is inherited,
        /// the default's trust. A Graph failure (no token, no permission, no role, not offered) becomes <see cref="PolicyRead.Failure"/>.
        /// </summary>
        internal static async Task<PolicyRead> ReadPolicyAsync(Func<CrossTenantAccessClient> client, string organization, string other, string otherTenantId,
            IEngineEvents events, CancellationToken cancellationToken)
        {
            CrossTenantAccessClient graph;
            PartnerAccessState state;
            try
            {
                graph = client();
                state = await graph.GetPartnerStateAsync(otherTenantId, events, cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                events.Verbose($"{organization}'s cross-tenant access policy for {other} could not be read: {ex.ErrorId}: {ex.Message}");
                return PolicyRead.Failed(organization, other, otherTenantId, ex.Message, Advice(ex));
            }
            if (!state.Exists || state.Trust.State != TrustState.Inherited) return new PolicyRead(organization, other, otherTenantId, state, null);
            try
            {
                JsonElement body = await graph.Graph.GetAsync(CrossTenantAccessClient.DefaultPath, CrossTenantAccessRequirements.ReadPolicy, events, cancellationToken)
                    .ConfigureAwait(false);
                JsonElement? inbound = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("m365CollaborationInbound", out JsonElement v) && v.ValueKind != JsonValueKind.Null
                    ? v : (JsonElement?)null;
                CollaborationTrust trust = CrossTenantAccessJson.ParseTrust(inbound);
                // The default always has a trust; one that says nothing is the system default, blocked (docs/cross-tenant-access.md §1.1, X-CHG).
                if (trust.State == TrustState.Inherited) trust = new CollaborationTrust(TrustState.Blocked, null, Array.Empty<AccessTarget>());
                return new PolicyRead(organization, other, otherTenantId, state, trust);
            }
            catch (EngineException ex)
            {
                events.Verbose($"{organization}'s default cross-tenant access policy could not be read: {ex.ErrorId}: {ex.Message}");
                return new PolicyRead(organization, other, otherTenantId, state, null, ex.Message);
            }
        }

        /// <summary>What the admin can change for a failed policy read, in this module's terms.</summary>
        internal static string Advice(EngineException ex)
        {
            GraphRequirement requirement = (ex as GraphException)?.Requirement ?? CrossTenantAccessRequirements.ReadPolicy;
            return ex.ErrorId switch
            {
                ErrorIds.GraphPermissionMissing => $"Grant {requirement.DescribePermissions()} to the connection's app (an application permission with admin consent for app-only connections), then connect again.",
                ErrorIds.GraphRoleMissing => $"Assign the signed-in account one of the roles {requirement.DescribeRoles()} (or activate it), then connect again.",
                ErrorIds.GraphAccessDenied => $"Check both the app's permission ({requirement.DescribePermissions()}) and the account's role ({requirement.DescribeRoles()}).",
                ErrorIds.GraphConsentRequired => $"An administrator consents the app to {requirement.DescribePermissions()}, or Connect-CalendarFederation -GraphAppId names an app that has it.",
                ErrorIds.GraphTokenRequired => "Connect again with -GraphAccessToken (a Microsoft Graph token you hold), or with a sign-in mode that can get one.",
                ErrorIds.CrossTenantAccessNotAvailable => "Keep the organization relationship for now: the policy's Microsoft 365 capabilities are not offered to this tenant or cloud yet.",
                _ => "Run it again; Get-CrossTenantCalendarAccess -Verbose shows the calls.",
            };
        }

        internal static async Task<EwsState> ReadEwsAsync(AdminApiClient api, string organization, IEngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                AdminApiResult config = await api.InvokeAsync("Get-OrganizationConfig", new List<KeyValuePair<string, object?>>(), events, cancellationToken)
                    .ConfigureAwait(false);
                AdminObject? org = config.Values.FirstOrDefault();
                if (org == null || !org.Has("EwsEnabled")) return EwsState.Unknown;
                bool? value = org.GetBool("EwsEnabled");
                return value == null ? EwsState.NotSet : value.Value ? EwsState.True : EwsState.False;
            }
            catch (AdminApiException ex)
            {
                events.Verbose($"EwsEnabled of {organization} could not be read: {ex.Message}");
                return EwsState.Unknown;
            }
        }

        /// <summary>Address spaces and sharing-policy rules for the other side's domains; a read that fails counts as none (said in verbose).</summary>
        internal static async Task<LegacyExtras> ReadExtrasAsync(AdminApiClient api, string organization, IReadOnlyList<string> otherDomains, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            var domains = new HashSet<string>(otherDomains, StringComparer.OrdinalIgnoreCase);
            var none = new List<KeyValuePair<string, object?>>();
            var spaces = new List<string>();
            var rules = new List<(string, string)>();
            try
            {
                AdminApiResult result = await api.InvokeAsync("Get-AvailabilityAddressSpace", none, events, cancellationToken).ConfigureAwait(false);
                spaces.AddRange(result.Values.Select(a => a.GetString("ForestName")).Where(f => f != null && domains.Contains(f)).Select(f => f!));
            }
            catch (AdminApiException ex)
            {
                events.Verbose($"The availability address spaces of {organization} could not be read: {ex.Message}");
            }
            try
            {
                AdminApiResult result = await api.InvokeAsync("Get-SharingPolicy", none, events, cancellationToken).ConfigureAwait(false);
                foreach (AdminObject policy in result.Values.Where(p => p.GetBool("Enabled") != false))
                {
                    foreach (string rule in policy.GetStrings("Domains"))
                    {
                        int colon = rule.IndexOf(':');
                        if (colon <= 0) continue;
                        string domain = rule.Substring(0, colon).Trim();
                        if (domains.Contains(domain) && rule.IndexOf("CalendarSharingFreeBusy", colon, StringComparison.OrdinalIgnoreCase) >= 0)
                        {
                            rules.Add((policy.GetString("Name") ?? "", rule.Trim()));
                        }
                    }
                }
            }
            catch (AdminApiException ex)
            {
                events.Verbose($"The sharing policies of {organization} could not be read: {ex.Message}");
            }
            return spaces.Count == 0 && rules.Count == 0 ? LegacyExtras.None : new LegacyExtras(spaces, rules);
        }

        private static async Task<MailboxScopeRead?> LoadMailboxScopeAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            string? mailbox = context.Request.Mailbox;
            if (context.Partner == null || mailbox == null) return null;
            PolicyRead? remote = await context.GetAsync(PartnerPolicy, cancellationToken).ConfigureAwait(false);
            if (remote?.HasPartner != true || remote.FreeBusy.Count == 0) return null;
            return await ScopeReader.ReadAsync(context.Partner.Session.AdminApi, mailbox, remote.FreeBusy, context.Request.ScopeGroupLimit, context.Events, cancellationToken)
                .ConfigureAwait(false);
        }

        private static async Task<CrossTenantPath> LoadPathAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            if (!Applies(context)) return CrossTenantPath.NotApplicable;
            // The two policies are read at once; each waits for the tenant id it needs.
            Task<PolicyRead?> localRead = context.GetAsync(LocalPolicy, cancellationToken);
            Task<PolicyRead?> remoteRead = context.GetAsync(PartnerPolicy, cancellationToken);
            TenantLookup? partner = await context.GetAsync(PartnerTenant, cancellationToken).ConfigureAwait(false);
            PolicyRead? local = await localRead.ConfigureAwait(false);
            PolicyRead? remote = await remoteRead.ConfigureAwait(false);

            var legacy = new List<string>();
            foreach (AdminObject r in context.LocalRelationshipsCoveringPartner.Where(r => r.GetBool("Enabled") != false))
            {
                legacy.Add($"the organization relationship '{r.GetString("Name")}' in {context.LocalOrganization}");
            }
            if (context.PartnerRelationship != null && context.PartnerRelationship.GetBool("Enabled") != false)
            {
                legacy.Add($"the organization relationship '{context.PartnerRelationshipName}' in {context.PartnerOrganization}");
            }
            bool enabled = legacy.Count > 0;
            bool anyRelationship = context.LocalRelationshipsCoveringPartner.Count > 0 || context.PartnerRelationship != null;
            bool configured = local?.HasPartner == true || remote?.HasPartner == true;
            // With no relationship at all, an answer only the policy can give says the pair is on it.
            bool probeSays = false;
            if (!anyRelationship && !configured && ProbeChecks.WillAsk(context))
            {
                ProbeOutcome? outcome = await context.GetAsync(ProbeChecks.Probe, cancellationToken).ConfigureAwait(false);
                probeSays = outcome?.Result is { } answer && (IsPolicyRefusal(answer.ErrorCode) || answer.ErrorMessage == null);
            }
            if (configured || probeSays)
            {
                Task<LegacyExtras> ours = context.GetAsync(LocalExtras, cancellationToken);
                Task<LegacyExtras> theirs = context.GetAsync(PartnerExtras, cancellationToken);
                Describe(await ours.ConfigureAwait(false), context.LocalOrganization, legacy);
                Describe(await theirs.ConfigureAwait(false), context.PartnerOrganization, legacy);
            }
            return new CrossTenantPath(true, partner, local, remote, legacy, enabled, !enabled && (configured || probeSays));
        }

        private static void Describe(LegacyExtras extras, string organization, List<string> into)
        {
            into.AddRange(extras.AddressSpaces.Select(a => $"the availability address space '{a}' in {organization}"));
            into.AddRange(extras.SharingRules.Select(r => $"the sharing policy '{r.Policy}' in {organization} ({r.Rule})"));
        }

        private static string? Normalize(string? tenantId) => Guid.TryParse(tenantId, out Guid id) && id != Guid.Empty ? id.ToString("D") : null;
    }
}
