using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Graph;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>What a check of one tenant's policy found for one object, and why.</summary>
    public sealed class GrantCheck
    {
        public GrantCheck(XtapStatus status, string detail)
        {
            Status = status;
            Detail = detail;
        }

        public XtapStatus Status { get; }
        public string Detail { get; }

        public static GrantCheck NotApplicable(string detail) => new GrantCheck(XtapStatus.NotApplicable, detail);

        public override string ToString() => Status + ": " + Detail;
    }

    /// <summary>
    /// One tenant's cross-tenant access policy as the report reads it: whether the Microsoft 365 capabilities are offered
    /// (default/m365Capabilities answers), the default's trust and capabilities, every partner configuration (one paged
    /// read), and the capabilities of the partners that matter (one read each, read on demand). Each part that cannot be
    /// read keeps its reason (ReadinessDecisions R10); checks on it answer Unknown.
    /// </summary>
    public sealed class XtapInventory
    {
        private readonly ConcurrentDictionary<string, IReadOnlyList<M365Capability>> _capabilities = new ConcurrentDictionary<string, IReadOnlyList<M365Capability>>(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentDictionary<string, string> _capabilityProblems = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private int _capabilityReads;

        public string Organization { get; set; } = "";
        /// <summary>Available, NotAvailable or Unknown.</summary>
        public XtapStatus Availability { get; set; } = XtapStatus.Unknown;
        public string? AvailabilityProblem { get; set; }
        /// <summary>The default policy's trust; null when it could not be read.</summary>
        public CollaborationTrust? DefaultTrust { get; set; }
        public string? DefaultProblem { get; set; }
        /// <summary>The default policy's capabilities; null when they could not be read.</summary>
        public IReadOnlyList<M365Capability>? DefaultCapabilities { get; set; }
        /// <summary>Every partner configuration by tenant id; null when the list could not be read.</summary>
        public IReadOnlyDictionary<string, PartnerConfiguration>? Partners { get; set; }
        public string? PartnersProblem { get; set; }

        /// <summary>Partner capability lists read so far.</summary>
        public int CapabilityReads => Volatile.Read(ref _capabilityReads);

        /// <summary>The first reason anything of the policy could not be read, for the OrganizationConfig row and the warning.</summary>
        public string? Problem => AvailabilityProblem ?? PartnersProblem ?? DefaultProblem;

        /// <summary>A policy nobody read (the tenant was not connected, or reading it was not attempted).</summary>
        public static XtapInventory NotRead(string reason) => new XtapInventory
        {
            AvailabilityProblem = reason,
            DefaultProblem = reason,
            PartnersProblem = reason,
        };

        /// <summary>
        /// GET default/m365Capabilities, GET default and GET partners (every page), side by side. A failure of any is kept as
        /// that part's problem; cancellation is not.
        /// </summary>
        public static async Task<XtapInventory> ReadAsync(string organization, CrossTenantAccessClient client, IEngineEvents events, CancellationToken cancellationToken)
        {
            var inventory = new XtapInventory { Organization = organization };
            Task capabilities = Guard(async () =>
            {
                inventory.DefaultCapabilities = await client.ListCapabilitiesAsync(null, events, cancellationToken).ConfigureAwait(false);
                inventory.Availability = XtapStatus.Available;
            }, ex =>
            {
                inventory.Availability = ex.ErrorId == ErrorIds.CrossTenantAccessNotAvailable ? XtapStatus.NotAvailable : XtapStatus.Unknown;
                inventory.AvailabilityProblem = Explain(ex);
            }, cancellationToken);
            Task defaults = Guard(async () =>
            {
                JsonElement body = await client.Graph.GetAsync(CrossTenantAccessClient.DefaultPath, CrossTenantAccessRequirements.ReadPolicy, events, cancellationToken)
                    .ConfigureAwait(false);
                inventory.DefaultTrust = CrossTenantAccessJson.ParseTrust(
                    body.ValueKind == JsonValueKind.Object && body.TryGetProperty("m365CollaborationInbound", out JsonElement inbound) && inbound.ValueKind != JsonValueKind.Null
                        ? inbound : (JsonElement?)null);
            }, ex => inventory.DefaultProblem = Explain(ex), cancellationToken);
            Task partners = Guard(async () =>
            {
                IReadOnlyList<PartnerConfiguration> list = await client.ListPartnersAsync(events, cancellationToken).ConfigureAwait(false);
                var byId = new Dictionary<string, PartnerConfiguration>(StringComparer.OrdinalIgnoreCase);
                foreach (PartnerConfiguration p in list)
                {
                    if (Guid.TryParse(p.TenantId, out Guid id)) byId[id.ToString("D")] = p;
                }
                inventory.Partners = byId;
            }, ex => inventory.PartnersProblem = Explain(ex), cancellationToken);
            await Task.WhenAll(capabilities, defaults, partners).ConfigureAwait(false);
            return inventory;
        }

        /// <summary>Reads the capabilities of each of <paramref name="tenantIds"/> that has a partner configuration, at most <paramref name="concurrency"/> at once.</summary>
        public async Task LoadCapabilitiesAsync(CrossTenantAccessClient client, IEnumerable<string> tenantIds, int concurrency, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            if (Partners == null) return;
            string[] wanted = tenantIds.Where(id => id != null && Partners.ContainsKey(id) && !_capabilities.ContainsKey(id))
                .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            if (wanted.Length == 0) return;
            using var gate = new SemaphoreSlim(Math.Max(1, concurrency));
            await Task.WhenAll(wanted.Select(async id =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await Guard(async () =>
                    {
                        Interlocked.Increment(ref _capabilityReads);
                        _capabilities[id] = await client.ListCapabilitiesAsync(id, events, cancellationToken).ConfigureAwait(false);
                    }, ex => _capabilityProblems[id] = Explain(ex), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        }

        /// <summary>For tests and callers that already hold the list.</summary>
        public void SetCapabilities(string tenantId, IReadOnlyList<M365Capability> capabilities) => _capabilities[Normalize(tenantId)] = capabilities;

        /// <summary>
        /// Does this tenant's policy give partner <paramref name="tenantId"/> (or, null, every organization through the
        /// default policy) what <paramref name="needs"/> asks for? ReadinessDecisions R9.
        /// </summary>
        public GrantCheck Check(string? tenantId, CapabilityNeeds needs)
        {
            if (needs.IsEmpty) return GrantCheck.NotApplicable("nothing to grant");
            if (Availability == XtapStatus.NotAvailable)
            {
                return new GrantCheck(XtapStatus.NotAvailable, $"the cross-tenant access policy's Microsoft 365 capabilities are not offered in {Organization} yet ({AvailabilityProblem})");
            }
            return tenantId == null ? CheckDefault(needs) : CheckPartner(Normalize(tenantId), needs);
        }

        private GrantCheck CheckDefault(CapabilityNeeds needs)
        {
            if (DefaultCapabilities == null) return new GrantCheck(XtapStatus.Unknown, $"the default policy of {Organization} could not be read: {AvailabilityProblem}");
            var state = new PartnerAccessState("default", null, DefaultCapabilities);
            var missing = new List<string>();
            var partial = new List<string>();
            var granted = new List<string>();
            Compare("calendar sharing", needs.CalendarSharing, state.CalendarSharing, granted, partial, missing);
            CalendarSharingAccessLevel anonymous = DefaultCapabilities.Where(c => c.IsAllowed).Select(c => AnonymousLevelOf(c.Name)).DefaultIfEmpty().Max();
            Compare("anonymous calendar sharing", needs.AnonymousSharing, anonymous, granted, partial, missing);
            return Outcome("the default policy", granted, partial, missing, new List<string>());
        }

        private GrantCheck CheckPartner(string tenantId, CapabilityNeeds needs)
        {
            if (Partners == null) return new GrantCheck(XtapStatus.Unknown, $"the partner configurations of {Organization} could not be read: {PartnersProblem}");
            if (!Partners.TryGetValue(tenantId, out PartnerConfiguration? partner))
            {
                string note = DefaultCapabilities != null && needs.FreeBusy != FreeBusyAccessLevel.None
                    && DefaultCapabilities.Any(c => c.IsAllowed && c.Family == CapabilityFamily.FreeBusy)
                    ? "; the default policy allows free/busy, but whether that serves a partner without a configuration of its own is undocumented, so it is not counted" : "";
                return new GrantCheck(XtapStatus.Missing, $"{Organization} has no partner configuration for tenant {tenantId}{note}");
            }
            var notes = new List<string>();
            CollaborationTrust trust = partner.InboundTrust;
            if (trust.State == TrustState.Inherited)
            {
                if (DefaultTrust == null)
                {
                    return new GrantCheck(XtapStatus.Unknown, $"the partner configuration for {tenantId} inherits the default policy's trust, which could not be read: {DefaultProblem}");
                }
                if (DefaultTrust.State != TrustState.AllUsers && DefaultTrust.State != TrustState.Scoped)
                {
                    return new GrantCheck(XtapStatus.Missing, $"the partner configuration for {tenantId} sets no Microsoft 365 collaboration trust and the default policy's is {DefaultTrust.Describe()}, so the partner's users are not let in");
                }
                trust = DefaultTrust;
                notes.Add("the trust is inherited from the default policy");
            }
            if (trust.State == TrustState.Blocked) return new GrantCheck(XtapStatus.Missing, $"the Microsoft 365 collaboration trust for {tenantId} is blocked for all users");
            if (trust.State == TrustState.Scoped) notes.Add("the trust lets in only some of the partner's users (" + trust.Describe() + ")");
            if (!_capabilities.TryGetValue(tenantId, out IReadOnlyList<M365Capability>? capabilities))
            {
                return new GrantCheck(XtapStatus.Unknown, $"the capabilities for {tenantId} could not be read: "
                    + (_capabilityProblems.TryGetValue(tenantId, out string? problem) ? problem : "not read"));
            }
            var state = new PartnerAccessState(tenantId, partner, capabilities);
            var missing = new List<string>();
            var partial = new List<string>();
            var granted = new List<string>();
            Compare("free/busy", needs.FreeBusy, state.FreeBusy, granted, partial, missing);
            Compare("MailTips", needs.MailTips, state.MailTips, granted, partial, missing);
            Compare("calendar sharing", needs.CalendarSharing, state.CalendarSharing, granted, partial, missing);
            ScopeNote(needs.FreeBusy != FreeBusyAccessLevel.None, needs.FreeBusyScope, state.Allowed(CapabilityFamily.FreeBusy), "free/busy", notes);
            ScopeNote(needs.MailTips != MailTipsAccessLevel.None, needs.MailTipsScope, state.Allowed(CapabilityFamily.MailTips), "MailTips", notes);
            return Outcome($"the partner configuration for {tenantId}", granted, partial, missing, notes);
        }

        private static void Compare<T>(string what, T needed, T granted, List<string> ok, List<string> partial, List<string> missing) where T : struct, IComparable
        {
            if (Convert.ToInt32(needed, System.Globalization.CultureInfo.InvariantCulture) == 0) return;
            int g = Convert.ToInt32(granted, System.Globalization.CultureInfo.InvariantCulture);
            int n = Convert.ToInt32(needed, System.Globalization.CultureInfo.InvariantCulture);
            if (g == 0) missing.Add($"{what} {needed} is not granted");
            else if (g < n) partial.Add($"{what} {needed} is needed, {granted} is granted");
            else ok.Add(g > n ? $"{what} {granted} is granted (more than the {needed} the legacy object gives)" : $"{what} {granted} is granted");
        }

        // Scopes are compared as "everyone or not" only: naming the groups would take a lookup per group (R9).
        private static void ScopeNote(bool needed, string? legacyScope, IReadOnlyList<M365Capability> allowed, string what, List<string> notes)
        {
            if (!needed || allowed.Count == 0) return;
            bool everyone = allowed.Any(c => c.InboundAccess.Scopes.Included.Any(s => s.IsEveryone) && c.InboundAccess.Scopes.Excluded.All(s => s.IsEmpty));
            if (legacyScope != null && everyone) notes.Add($"the {what} grant exposes everyone, the legacy object only the group {legacyScope}");
            else if (legacyScope == null && !everyone) notes.Add($"the {what} grant exposes only {allowed[0].InboundAccess.Scopes.Describe()}, the legacy object everyone");
        }

        private static GrantCheck Outcome(string where, List<string> granted, List<string> partial, List<string> missing, List<string> notes)
        {
            string Join(string prefix) =>
                prefix + string.Join("; ", granted.Concat(partial).Concat(missing)) + (notes.Count > 0 ? " (" + string.Join("; ", notes) + ")" : "");
            if (missing.Count == 0 && partial.Count == 0) return new GrantCheck(XtapStatus.Present, Join(where + ": "));
            if (granted.Count == 0 && partial.Count == 0) return new GrantCheck(XtapStatus.Missing, Join(where + ": "));
            return new GrantCheck(XtapStatus.Partial, Join(where + ": "));
        }

        internal static CalendarSharingAccessLevel AnonymousLevelOf(string name) => name switch
        {
            M365CapabilityNames.AnonymousCalendarSharingFreeBusySimple => CalendarSharingAccessLevel.Simple,
            M365CapabilityNames.AnonymousCalendarSharingFreeBusyDetail => CalendarSharingAccessLevel.Detail,
            M365CapabilityNames.AnonymousCalendarSharingFreeBusyReviewer => CalendarSharingAccessLevel.Reviewer,
            _ => CalendarSharingAccessLevel.None,
        };

        internal static string Normalize(string tenantId) => Guid.TryParse(tenantId, out Guid id) ? id.ToString("D") : tenantId;

        /// <summary>The service's explanation of a failed read; a 403 names the missing permission or role (GraphAccessAnalysis).</summary>
        internal static string Explain(EngineException ex) => ex.Message.TrimEnd('.') + " [" + ex.ErrorId + "]";

        private static async Task Guard(Func<Task> read, Action<EngineException> failed, CancellationToken cancellationToken)
        {
            try
            {
                await read().ConfigureAwait(false);
            }
            catch (EngineException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed(ex);
            }
        }
    }
}
