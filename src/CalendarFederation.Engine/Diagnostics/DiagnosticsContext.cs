using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Relationships;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>
    /// What every check reads: the two tenants as read, the relationship found on each side, the partner's domains,
    /// who asks for whose free/busy, and the partner's kind. Anything that needs a request is a
    /// <see cref="DiagnosticsFact{T}"/>, loaded once on first use, so checks stay small and checks of other kinds
    /// (the cross-tenant access policy) add their facts without changing this class.
    /// </summary>
    public sealed class DiagnosticsContext
    {
        private readonly ConcurrentDictionary<object, object> _facts = new ConcurrentDictionary<object, object>();

        private DiagnosticsContext(DiagnosticsRequest request, TenantSnapshot local, TenantSnapshot? partner, IEngineEvents events, List<string> partnerDomains,
            AdminObject? localRelationship)
        {
            Request = request;
            Local = local;
            Partner = partner;
            Events = events;
            Discover = (options, domain, token) => DiscoverAsync(options, domain, events, token);
            PartnerDomains = partnerDomains;
            LocalRelationship = localRelationship;
            LocalRelationshipsCoveringPartner = local.RelationshipsCovering(partnerDomains);
            PartnerRelationship = partner?.RelationshipsCovering(local.Domains).FirstOrDefault();
            PartnerOrganization = partner?.Organization ?? partnerDomains[0];
            MailboxDomain = DomainOf(request.Mailbox);
            RequesterDomain = DomainOf(request.RequesterMailbox) ?? DomainOf(request.Local.UserPrincipalName);
            PartnerKind = localRelationship == null ? PartnerKind.Unknown
                : PartnerClassifier.Classify(localRelationship, local.Domains, local.Session.Environment);
        }

        /// <summary>
        /// The context for one run. Stops with PartnerNotNamed when nothing names the partner, and with the admin API's
        /// NotFound when the relationship asked for by name does not exist.
        /// </summary>
        public static DiagnosticsContext Create(DiagnosticsRequest request, TenantSnapshot local, TenantSnapshot? partner, IEngineEvents events)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (local == null) throw new ArgumentNullException(nameof(local));
            AdminObject? relationship = FindLocalRelationship(local, partner, request);
            List<string> partnerDomains = partner?.Domains.ToList()
                ?? relationship?.GetStrings("DomainNames").Select(Normalize).ToList()
                ?? new List<string>();
            foreach (string? extra in new[] { request.PartnerDomain, DomainOf(request.Mailbox) })
            {
                if (extra != null && !partnerDomains.Contains(extra, StringComparer.OrdinalIgnoreCase)) partnerDomains.Add(extra);
            }
            if (partnerDomains.Count == 0)
            {
                throw new EngineException(ErrorIds.PartnerNotNamed, ErrorKind.InvalidArgument,
                    "Name the partner: its connection, a relationship, a domain or a mailbox.");
            }
            return new DiagnosticsContext(request, local, partner, events ?? NullEngineEvents.Instance, partnerDomains, relationship);
        }

        public DiagnosticsRequest Request { get; }
        public IEngineEvents Events { get; }
        public TenantSnapshot Local { get; }
        /// <summary>The partner as read through its connection; null when only our side can be checked.</summary>
        public TenantSnapshot? Partner { get; }

        /// <summary>Our organization, as findings name it.</summary>
        public string LocalOrganization => Local.Organization;
        /// <summary>The partner's organization, or its first known domain when it was not read.</summary>
        public string PartnerOrganization { get; }
        /// <summary>The partner's accepted domains when read, otherwise those of our relationship; plus the domains asked about.</summary>
        public IReadOnlyList<string> PartnerDomains { get; }
        /// <summary>The domain of the partner mailbox asked about, lower case.</summary>
        public string? MailboxDomain { get; }
        /// <summary>The domain of the local mailbox (or signed-in user) that asks, lower case.</summary>
        public string? RequesterDomain { get; }

        /// <summary>Our relationship for the partner: the one named, or the first covering the partner's domains.</summary>
        public AdminObject? LocalRelationship { get; }
        public string LocalRelationshipName => LocalRelationship?.GetString("Name") ?? "";
        /// <summary>All our relationships that hold any of the partner's domains (more than one is a split).</summary>
        public IReadOnlyList<AdminObject> LocalRelationshipsCoveringPartner { get; }
        /// <summary>The partner's relationship for our domains; null when it has none or was not read.</summary>
        public AdminObject? PartnerRelationship { get; }
        public string PartnerRelationshipName => PartnerRelationship?.GetString("Name") ?? "";
        /// <summary>Where our relationship's partner runs (<see cref="PartnerClassifier"/>); Unknown without a relationship.</summary>
        public PartnerKind PartnerKind { get; }

        /// <summary>Anonymous discovery with the given options; tests replace it to see what is asked.</summary>
        internal Func<DiscoveryOptions, string, CancellationToken, Task<DiscoveryOutcome>> Discover { get; set; }

        /// <summary>The fact, loaded on first use and shared by every later reader.</summary>
        public Task<T> GetAsync<T>(DiagnosticsFact<T> fact, CancellationToken cancellationToken)
        {
            if (fact == null) throw new ArgumentNullException(nameof(fact));
            var lazy = (Lazy<Task<T>>)_facts.GetOrAdd(fact, _ => new Lazy<Task<T>>(() => fact.Load(this, cancellationToken)));
            return lazy.Value;
        }

        /// <summary>Supplies a fact instead of loading it (tests; a caller that already knows it).</summary>
        public void Provide<T>(DiagnosticsFact<T> fact, T value)
        {
            if (fact == null) throw new ArgumentNullException(nameof(fact));
            _facts[fact] = new Lazy<Task<T>>(() => Task.FromResult(value));
        }

        internal static string Normalize(string domain) => SmtpDomain.TryNormalize(domain, out _) ?? domain;

        internal static string? DomainOf(string? address) =>
            address != null && address.Contains("@") ? address.Substring(address.LastIndexOf('@') + 1).ToLowerInvariant() : null;

        private static AdminObject? FindLocalRelationship(TenantSnapshot local, TenantSnapshot? partner, DiagnosticsRequest request)
        {
            if (request.Identity != null)
            {
                return local.Relationships.FirstOrDefault(r => OrganizationRelationshipService.IsSame(r, request.Identity))
                    ?? throw new AdminApiException(AdminApiErrorKind.NotFound, $"The organization relationship '{request.Identity}' couldn't be found in {local.Organization}.");
            }
            var domains = new List<string>();
            if (partner != null) domains.AddRange(partner.Domains);
            if (request.PartnerDomain != null) domains.Add(request.PartnerDomain);
            if (DomainOf(request.Mailbox) is string mailboxDomain) domains.Add(mailboxDomain);
            return local.RelationshipsCovering(domains.Select(Normalize)).FirstOrDefault();
        }

        private static async Task<DiscoveryOutcome> DiscoverAsync(DiscoveryOptions options, string domain, IEngineEvents events, CancellationToken cancellationToken)
        {
            using var client = new FederationDiscoveryClient(options);
            return await client.DiscoverAsync(domain, events, cancellationToken).ConfigureAwait(false);
        }
    }
}
