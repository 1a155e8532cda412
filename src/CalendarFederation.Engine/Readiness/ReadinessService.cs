using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Tenants;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>One tenant to read: its admin API, its Graph (for the policy), and who it is.</summary>
    public sealed class ReadinessTenant
    {
        public ReadinessTenant(string organization, string? tenantId, AdminApiClient adminApi, CrossTenantAccessClient? crossTenantAccess,
            ExchangeEnvironment? environment = null)
        {
            Organization = organization ?? throw new ArgumentNullException(nameof(organization));
            TenantId = tenantId != null && Guid.TryParse(tenantId, out Guid id) ? id.ToString("D") : tenantId;
            AdminApi = adminApi ?? throw new ArgumentNullException(nameof(adminApi));
            CrossTenantAccess = crossTenantAccess;
            Environment = environment;
        }

        public string Organization { get; }
        public string? TenantId { get; }
        public AdminApiClient AdminApi { get; }
        /// <summary>Null when the tenant has no way to call Graph: its policy part is then Unknown.</summary>
        public CrossTenantAccessClient? CrossTenantAccess { get; }
        public ExchangeEnvironment? Environment { get; }

        /// <summary>A signed-in tenant: its admin API, and its Graph client for the cross-tenant access policy.</summary>
        public static ReadinessTenant For(TenantSession session)
        {
            if (session == null) throw new ArgumentNullException(nameof(session));
            return new ReadinessTenant(session.Organization, session.TenantId, session.AdminApi, new CrossTenantAccessClient(session.Graph), session.Environment);
        }
    }

    /// <summary>What to report on.</summary>
    public sealed class ReadinessRequest
    {
        public ReadinessRequest(ReadinessTenant local) => Local = local ?? throw new ArgumentNullException(nameof(local));

        public ReadinessTenant Local { get; }
        /// <summary>The partner tenant, to read its side too (its EWS, its objects for this tenant, its grant back).</summary>
        public ReadinessTenant? Partner { get; set; }
        /// <summary>Only objects naming these domains (or resolving to their tenants).</summary>
        public IReadOnlyList<string> DomainNames { get; set; } = Array.Empty<string>();
        /// <summary>Only objects resolving to these tenants.</summary>
        public IReadOnlyList<string> PartnerTenantIds { get; set; } = Array.Empty<string>();
        /// <summary>Resolves a partner domain to its tenant (anonymous OpenID lookup on the local tenant's sign-in host).</summary>
        public Func<string, CancellationToken, Task<PartnerTenant>>? ResolveTenant { get; set; }
        public int LookupConcurrency { get; set; } = ReadinessDecisions.LookupConcurrency;
        public int CapabilityConcurrency { get; set; } = ReadinessDecisions.CapabilityConcurrency;
        /// <summary>The clock the dates are judged on.</summary>
        public TimeProvider Time { get; set; } = TimeProvider.System;
    }

    /// <summary>
    /// Get-CalendarFederationReadiness's engine: reads each tenant once (one paged read per object type: the organization
    /// configuration, accepted domains, relationships, address spaces, sharing policies, the mailboxes only when they
    /// matter, and the policy's default and partner list), looks up each distinct partner domain once with bounded
    /// concurrency, reads the capabilities of the partner configurations that matter, and hands all of it to the pure
    /// <see cref="ReadinessEvaluator"/>. Nothing is written anywhere.
    /// </summary>
    public static class ReadinessService
    {
        private const string Activity = "Readiness";

        /// <summary>The report for a signed-in tenant (and its partner), with lookups on the local tenant's sign-in host.</summary>
        public static Task<ReadinessReport> RunAsync(TenantSession local, TenantSession? partner, IReadOnlyList<string>? domainNames,
            IReadOnlyList<string>? partnerTenantIds, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (local == null) throw new ArgumentNullException(nameof(local));
            Uri signInHost = PartnerTenantResolver.SignInHost(local.Environment);
            var resolver = new PartnerTenantResolver(local.Http);
            var request = new ReadinessRequest(ReadinessTenant.For(local))
            {
                Partner = partner == null ? null : ReadinessTenant.For(partner),
                DomainNames = domainNames ?? Array.Empty<string>(),
                PartnerTenantIds = partnerTenantIds ?? Array.Empty<string>(),
                ResolveTenant = (domain, token) => resolver.ResolveAsync(signInHost, domain, events, token),
            };
            return RunAndDispose(request, resolver, events, cancellationToken);
        }

        private static async Task<ReadinessReport> RunAndDispose(ReadinessRequest request, IDisposable resolver, IEngineEvents events, CancellationToken cancellationToken)
        {
            using (resolver) return await RunAsync(request, events, cancellationToken).ConfigureAwait(false);
        }

        public static async Task<ReadinessReport> RunAsync(ReadinessRequest request, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (events == null) throw new ArgumentNullException(nameof(events));
            var stats = new ReadinessStatistics();
            Step(events, "Reading " + request.Local.Organization + (request.Partner != null ? " and " + request.Partner.Organization : ""));

            Task<TenantInventory> localRead = ReadTenantAsync(request.Local, stats, events, cancellationToken);
            Task<TenantInventory>? partnerRead = request.Partner == null ? null : ReadTenantAsync(request.Partner, stats, events, cancellationToken);
            TenantInventory local = await localRead.ConfigureAwait(false);
            TenantInventory? partner = partnerRead == null ? null : await partnerRead.ConfigureAwait(false);

            var lookup = new PartnerDomainLookup(request.ResolveTenant ?? NoResolver, request.LookupConcurrency);
            // Tenant ids the capability reads need, per side.
            var localIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var partnerIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            IReadOnlyDictionary<string, DomainLookup> lookups = new Dictionary<string, DomainLookup>();
            var tenantFilter = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string id in request.PartnerTenantIds) tenantFilter.Add(CrossTenantAccessClient.NormalizeTenantId(id));
            string[] domainFilter = request.DomainNames.Select(SmtpDomain.Normalize).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

            if (partner != null)
            {
                // R12: the partner's own domains and tenant id tell which objects are its; nothing to look up but a missing id.
                if (partner.TenantId == null) partner.TenantId = await ResolveOwnIdAsync(lookup, partner, cancellationToken).ConfigureAwait(false);
                if (local.TenantId == null) local.TenantId = await ResolveOwnIdAsync(lookup, local, cancellationToken).ConfigureAwait(false);
                if (partner.TenantId != null) localIds.Add(partner.TenantId);
                if (local.TenantId != null) partnerIds.Add(local.TenantId);
            }
            else
            {
                IEnumerable<string> domains = DomainsToResolve(local).Concat(domainFilter);
                Step(events, "Looking up partner tenants");
                lookups = await lookup.LookupAllAsync(domains, events, cancellationToken).ConfigureAwait(false);
                foreach (DomainLookup l in lookups.Values.Where(l => l.Resolved)) localIds.Add(l.TenantId!);
                foreach (LegacyAddressSpace a in local.AddressSpaces.Where(a => a.TargetTenantId != null)) localIds.Add(XtapInventory.Normalize(a.TargetTenantId!));
            }
            foreach (string d in domainFilter)
            {
                if (lookups.TryGetValue(d, out DomainLookup? l) && l.Resolved) tenantFilter.Add(l.TenantId!);
                else if (partner != null && partner.OwnsDomain(d) && partner.TenantId != null) tenantFilter.Add(partner.TenantId);
            }
            stats.TenantLookups = lookup.Lookups;
            stats.MaxLookupsInFlight = lookup.MaxInFlight;

            Step(events, "Reading the cross-tenant access policy's partner capabilities");
            var reads = new List<Task>
            {
                LoadCapabilitiesAsync(request.Local, local, localIds, request.CapabilityConcurrency, events, cancellationToken),
            };
            if (partner != null) reads.Add(LoadCapabilitiesAsync(request.Partner!, partner, partnerIds, request.CapabilityConcurrency, events, cancellationToken));
            await Task.WhenAll(reads).ConfigureAwait(false);
            stats.CapabilityReads = local.Xtap.CapabilityReads + (partner?.Xtap.CapabilityReads ?? 0);

            foreach (TenantInventory? t in new[] { local, partner })
            {
                if (t != null && t.Xtap.Problem != null && t.Xtap.Availability != XtapStatus.NotAvailable)
                {
                    events.Warning($"The cross-tenant access policy of {t.Organization} could not be read completely; its part of the report says Unknown: {t.Xtap.Problem}");
                }
            }

            List<ReadinessRow> rows = ReadinessEvaluator.Evaluate(new ReadinessInput
            {
                Local = local,
                Partner = partner,
                Lookups = lookups,
                Now = request.Time.GetUtcNow(),
                DomainFilter = domainFilter,
                TenantFilter = tenantFilter,
            });
            events.Verbose(string.Format(CultureInfo.InvariantCulture, "Readiness: {0}; {1} partner tenant lookup(s) (at most {2} at once); {3} partner capability list(s).",
                string.Join(", ", stats.AdminApiPages.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
                    $"{p.Key} {p.Value} request(s) for {stats.AdminApiObjects[p.Key]} object(s)")), stats.TenantLookups, stats.MaxLookupsInFlight, stats.CapabilityReads));
            events.Progress(new ProgressUpdate(Activity, "Done", lane: ProgressLanes.Step, completed: true));
            return new ReadinessReport(rows, stats);
        }

        /// <summary>Reads one tenant: the Exchange objects and the policy side by side; then the mailboxes, only when they matter (R11).</summary>
        internal static async Task<TenantInventory> ReadTenantAsync(ReadinessTenant tenant, ReadinessStatistics stats, IEngineEvents events, CancellationToken cancellationToken)
        {
            Task<AdminApiResult> Invoke(string cmdlet, params KeyValuePair<string, object?>[] parameters) => InvokeAsync(tenant, cmdlet, parameters, stats, events, cancellationToken);

            Task<AdminApiResult> config = Invoke("Get-OrganizationConfig");
            Task<AdminApiResult> accepted = Invoke("Get-AcceptedDomain");
            Task<AdminApiResult> relationships = Invoke("Get-OrganizationRelationship");
            Task<AdminApiResult> addressSpaces = Invoke("Get-AvailabilityAddressSpace");
            Task<AdminApiResult> policies = Invoke("Get-SharingPolicy");
            Task<XtapInventory> xtap = tenant.CrossTenantAccess == null
                ? Task.FromResult(XtapInventory.NotRead($"{tenant.Organization} has no Microsoft Graph connection"))
                : XtapInventory.ReadAsync(tenant.Organization, tenant.CrossTenantAccess, events, cancellationToken);
            // The first Exchange read that failed is the report's failure (R10); the policy's reads never throw but for cancellation.
            await Task.WhenAll(config, accepted, relationships, addressSpaces, policies, xtap).ConfigureAwait(false);

            var domains = new List<(string Domain, bool IsDefault)>();
            foreach (AdminObject d in accepted.Result.Values)
            {
                string? normalized = SmtpDomain.TryNormalize(d.GetString("DomainName") ?? d.GetString("Name"), out _);
                if (normalized != null && !domains.Any(x => string.Equals(x.Domain, normalized, StringComparison.OrdinalIgnoreCase))) domains.Add((normalized, d.GetBool("Default") == true));
            }
            string[] own = domains.Select(d => d.Domain).ToArray();
            var inventory = new TenantInventory
            {
                Organization = tenant.Organization,
                TenantId = tenant.TenantId,
                Domains = own,
                PrimaryDomain = TenantInventory.PickPrimary(domains),
                EwsEnabled = TenantInventory.ParseEws(config.Result.Values.FirstOrDefault()),
                Relationships = relationships.Result.Values.Select(r => LegacyRelationship.From(r, own, tenant.Environment)).ToArray(),
                AddressSpaces = addressSpaces.Result.Values.Select(LegacyAddressSpace.From).ToArray(),
                SharingPolicies = policies.Result.Values.Select(LegacySharingPolicy.From).ToArray(),
                Xtap = xtap.Result,
            };
            await CountMailboxesAsync(tenant, inventory, stats, events, cancellationToken).ConfigureAwait(false);
            events.Verbose($"{tenant.Organization}: EwsEnabled {TenantInventory.Describe(inventory.EwsEnabled)}; {inventory.Relationships.Count} relationship(s), " +
                $"{inventory.AddressSpaces.Count} address space(s), {inventory.SharingPolicies.Count} sharing polic(ies); cross-tenant access policy {inventory.Xtap.Availability}" +
                (inventory.Xtap.Partners != null ? $", {inventory.Xtap.Partners.Count} partner configuration(s)" : "") + ".");
            return inventory;
        }

        private static async Task CountMailboxesAsync(ReadinessTenant tenant, TenantInventory inventory, ReadinessStatistics stats, IEngineEvents events, CancellationToken cancellationToken)
        {
            List<LegacySharingPolicy> candidates = inventory.SharingPolicies.Where(p => p.IsCandidate).ToList();
            if (candidates.Count == 0 || candidates.All(p => p.IsDefault)) return;
            try
            {
                AdminApiResult mailboxes = await InvokeAsync(tenant, "Get-Mailbox", new[] { new KeyValuePair<string, object?>("ResultSize", "Unlimited") }, stats, events,
                    cancellationToken).ConfigureAwait(false);
                TenantInventory.CountMailboxes(inventory.SharingPolicies, mailboxes.Values);
            }
            catch (EngineException ex) when (!cancellationToken.IsCancellationRequested)
            {
                inventory.MailboxProblem = ex.Message.TrimEnd('.');
                events.Warning($"The mailboxes of {tenant.Organization} could not be read, so every enabled sharing policy with a calendar rule is assumed to apply: {ex.Message}");
            }
        }

        private static async Task<AdminApiResult> InvokeAsync(ReadinessTenant tenant, string cmdlet, IEnumerable<KeyValuePair<string, object?>> parameters, ReadinessStatistics stats,
            IEngineEvents events, CancellationToken cancellationToken)
        {
            AdminApiResult result = await tenant.AdminApi.InvokeAsync(cmdlet, parameters, events, cancellationToken).ConfigureAwait(false);
            stats.AddPages(cmdlet, result.Pages, result.Values.Count);
            foreach (string warning in result.Warnings)
            {
                // Exchange's "only the first 1000" warning cannot happen with ResultSize Unlimited; anything else is passed on.
                events.Warning($"{tenant.Organization}: {warning}");
            }
            return result;
        }

        private static Task LoadCapabilitiesAsync(ReadinessTenant tenant, TenantInventory inventory, IEnumerable<string> ids, int concurrency, IEngineEvents events,
            CancellationToken cancellationToken) =>
            tenant.CrossTenantAccess == null ? Task.CompletedTask : inventory.Xtap.LoadCapabilitiesAsync(tenant.CrossTenantAccess, ids, concurrency, events, cancellationToken);

        // R5/R12: only Microsoft 365 (or unknown) partners' domains are looked up, and specific sharing-policy domains.
        private static IEnumerable<string> DomainsToResolve(TenantInventory local)
        {
            foreach (LegacyRelationship r in local.Relationships)
            {
                if (r.Kind == PartnerKind.Microsoft365 || r.Kind == PartnerKind.Unknown)
                {
                    foreach (string d in r.Domains) yield return d;
                }
            }
            foreach (LegacySharingPolicy p in local.SharingPolicies.Where(p => p.IsCandidate && p.Mailboxes != 0))
            {
                foreach (SharingRule rule in p.CalendarRules.Where(x => !x.IsAnyOrganization && !x.IsAnonymous)) yield return rule.Domain;
            }
        }

        private static async Task<string?> ResolveOwnIdAsync(PartnerDomainLookup lookup, TenantInventory tenant, CancellationToken cancellationToken)
        {
            string? domain = tenant.Domains.FirstOrDefault(d => d.EndsWith(".onmicrosoft.com", StringComparison.OrdinalIgnoreCase)) ?? tenant.Domains.FirstOrDefault();
            if (domain == null) return null;
            DomainLookup found = await lookup.LookupAsync(domain, cancellationToken).ConfigureAwait(false);
            return found.TenantId;
        }

        private static Task<PartnerTenant> NoResolver(string domain, CancellationToken cancellationToken) =>
            throw new EngineException(ErrorIds.PartnerTenantLookupFailed, ErrorKind.InvalidOperation, $"No partner tenant lookup was configured for {domain}.", domain);

        private static void Step(IEngineEvents events, string message)
        {
            events.Verbose(message + ".");
            events.Progress(new ProgressUpdate(Activity, message, lane: ProgressLanes.Step));
        }
    }
}
