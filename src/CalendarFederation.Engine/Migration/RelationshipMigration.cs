using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Migration
{
    /// <summary>
    /// The migration of one organization relationship (and, with the partner's side, its counterpart) to the Microsoft 365
    /// cross-tenant access policy, in the phases the cmdlet confirms one by one: prepare (reads only), grant each side
    /// (CrossTenantAccessService.ApplyAsync: written, read back, level checked), then the cutover that disables both
    /// relationships, or the rollback that enables them again, with compensation so the two sides never stay unlike
    /// (MigrationDecisions M3-M5). Every phase can be run again: it starts from what the tenants show.
    /// </summary>
    public sealed class RelationshipMigration
    {
        public const string Activity = "Migrating to the cross-tenant access policy";

        private readonly IPartnerTenantLookup _lookup;
        private readonly TimeProvider _time;

        /// <summary>On the system clock. (The cmdlet assembly calls this one: it must not name TimeProvider, which only the engine's load context resolves.)</summary>
        public RelationshipMigration(IPartnerTenantLookup lookup)
            : this(lookup, null)
        {
        }

        /// <param name="time">The clock the compensation bound runs on (tests pass a fake one).</param>
        public RelationshipMigration(IPartnerTenantLookup lookup, TimeProvider? time)
        {
            _lookup = lookup ?? throw new ArgumentNullException(nameof(lookup));
            _time = time ?? TimeProvider.System;
        }

        /// <summary>
        /// PartnerCutoverNotAcknowledged when the options would change one side's relationship without the other (M5);
        /// null when they are fine. The cmdlet asks this before it reads anything.
        /// </summary>
        public static EngineException? CheckOneSided(bool hasPartnerSide, MigrationOptions options)
        {
            if (hasPartnerSide || options.PartnerDisablesLegacy || !(options.DisableLegacy || options.Rollback)) return null;
            string change = options.Rollback ? "Enabling" : "Disabling";
            string other = options.Rollback ? "enables" : "disables";
            return new EngineException(ErrorIds.PartnerCutoverNotAcknowledged, ErrorKind.InvalidOperation,
                $"{change} the organization relationship on this side only was refused: a legacy relationship takes precedence while it is enabled on "
                + $"either side, so until the partner {other} its own as well, free/busy fails in both directions. Change both sides at once with the "
                + "partner's connection, or confirm that the partner changes its side in the same window.");
        }

        /// <summary>Reads both sides and decides what each grants; writes nothing.</summary>
        public async Task<MigrationPreparation> PrepareAsync(MigrationSide local, MigrationSide? partner, string identity, MigrationOptions options,
            IEngineEvents events, CancellationToken cancellationToken)
        {
            CheckArguments(local, partner, identity, options, events);

            Step(events, $"Reading the organization relationship '{identity}' in {local.Organization}", 5);
            Task<LegacyRelationship?> readRelationship = local.Legacy.GetRelationshipAsync(identity, events, cancellationToken);
            Task<IReadOnlyList<string>> readDomains = local.Legacy.GetAcceptedDomainsAsync(events, cancellationToken);
            await Task.WhenAll(readRelationship, readDomains).ConfigureAwait(false);
            LegacyRelationship relationship = readRelationship.Result
                ?? throw new EngineException(ErrorIds.OrganizationRelationshipNotFound, ErrorKind.ObjectNotFound,
                    $"The organization relationship '{identity}' couldn't be found in {local.Organization}.", identity);
            IReadOnlyList<string> ownDomains = readDomains.Result;
            string partnerLabel = partner?.Organization ?? relationship.DomainNames.FirstOrDefault() ?? relationship.Name;

            // What the relationship is for (M8): hybrid and on-premises partners stay as they are.
            string? notApplicable = NotApplicableReason(relationship, PartnerClassifier.Classify(relationship.Raw, ownDomains), local.Organization);
            if (notApplicable != null) return NotApplicable(local, partner, relationship, partnerLabel, notApplicable, options);

            Step(events, $"Resolving the partner tenant of {string.Join(", ", relationship.DomainNames.Take(3))}{(relationship.DomainNames.Count > 3 ? ", ..." : "")}", 15);
            Guid tenant = await PartnerTenantOfDomains.ResolveAsync(_lookup, relationship.Name, relationship.DomainNames, events, cancellationToken).ConfigureAwait(false);
            string partnerTenantId = tenant.ToString("D");
            if (string.Equals(partnerTenantId, local.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                return NotApplicable(local, partner, relationship, partnerLabel,
                    $"The organization relationship '{relationship.Name}' covers domains of {local.Organization}'s own tenant ({partnerTenantId}); the cross-tenant access policy is for other tenants.",
                    options);
            }
            if (partner != null && !string.Equals(partner.TenantId, partnerTenantId, StringComparison.OrdinalIgnoreCase))
            {
                throw new EngineException(ErrorIds.PartnerTenantMismatch, ErrorKind.InvalidArgument,
                    $"The organization relationship '{relationship.Name}' in {local.Organization} is for tenant {partnerTenantId} (its domains say so), but the partner's connection "
                    + $"is to {partner.Organization}, tenant {partner.TenantId ?? "(unknown)"}. Nothing was changed.", relationship.Name);
            }
            var localSide = new SidePreparation(local, partnerTenantId, partnerLabel)
            {
                Relationship = relationship,
                Request = MigrationDecisions.RequestFor(relationship, partnerTenantId, options.ExistingTrust),
            };
            SidePreparation? partnerSide = partner == null ? null : await ReadPartnerAsync(partner, local, ownDomains, options, events, cancellationToken).ConfigureAwait(false);

            var preparation = new MigrationPreparation(localSide, partnerSide, options);
            if (preparation.Blocker != null) return preparation;
            await ReadAheadAsync(preparation, relationship.DomainNames, ownDomains, options, events, cancellationToken).ConfigureAwait(false);
            return preparation;
        }

        private static void CheckArguments(MigrationSide local, MigrationSide? partner, string identity, MigrationOptions options, IEngineEvents events)
        {
            if (local == null) throw new ArgumentNullException(nameof(local));
            if (events == null) throw new ArgumentNullException(nameof(events));
            if (options == null) throw new ArgumentNullException(nameof(options));
            if (string.IsNullOrWhiteSpace(identity)) throw new EngineException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, "Name the organization relationship.");
            if (options.DisableLegacy && options.Rollback)
            {
                throw new EngineException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, "Disabling the relationships and rolling them back are opposites; ask for one.");
            }
            EngineException? oneSided = CheckOneSided(partner != null, options);
            if (oneSided != null) throw oneSided;
            if (partner != null && (ReferenceEquals(partner, local) || (local.TenantId != null && string.Equals(local.TenantId, partner.TenantId, StringComparison.OrdinalIgnoreCase))))
            {
                throw new EngineException(ErrorIds.SameTenant, ErrorKind.InvalidArgument, "The partner's side is this tenant itself; the migration needs the other tenant.", partner.Organization);
            }
        }

        private async Task<SidePreparation> ReadPartnerAsync(MigrationSide partner, MigrationSide local, IReadOnlyList<string> ownDomains, MigrationOptions options,
            IEngineEvents events, CancellationToken cancellationToken)
        {
            if (local.TenantId == null)
            {
                throw new EngineException(ErrorIds.TenantUnknown, ErrorKind.InvalidOperation,
                    $"The connection to {local.Organization} does not know its tenant id, which the partner's grant is for; connect again.", local.Organization);
            }
            Step(events, $"Reading {partner.Organization}'s organization relationships for {local.Organization}", 25);
            IReadOnlyList<LegacyRelationship> theirs = await partner.Legacy.GetRelationshipsAsync(events, cancellationToken).ConfigureAwait(false);
            return PreparePartner(partner, local, theirs, ownDomains, options);
        }

        // What the cutover and -Plan need besides the relationships: the other legacy sharing with the partner, and each grant's plan.
        private static async Task ReadAheadAsync(MigrationPreparation preparation, IReadOnlyCollection<string> partnerDomains, IReadOnlyList<string> ownDomains,
            MigrationOptions options, IEngineEvents events, CancellationToken cancellationToken)
        {
            SidePreparation localSide = preparation.Local;
            SidePreparation? partnerSide = preparation.Partner;
            if (options.DisableLegacy)
            {
                Step(events, "Looking for other legacy sharing with the partner (sharing policies, availability address spaces)", 35);
                var reads = new List<Task>
                {
                    ReadOtherSharingAsync(localSide, partnerDomains, events, cancellationToken),
                };
                if (partnerSide?.Relationship != null) reads.Add(ReadOtherSharingAsync(partnerSide, ownDomains, events, cancellationToken));
                await Task.WhenAll(reads).ConfigureAwait(false);
            }
            if (options.Plan && !options.Rollback)
            {
                Step(events, "Planning the cross-tenant access grants", 45);
                await Task.WhenAll(preparation.Sides.Where(s => s.Request != null).Select(s => PlanAsync(s, events, cancellationToken))).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Writes this side's grant (or finds it there) and checks, on the state read back, that the partner gets exactly the
        /// relationship's free/busy and MailTips levels and scopes (MigrationNotVerified otherwise).
        /// </summary>
        public async Task<SideGrant> GrantAsync(SidePreparation side, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (side?.Request == null) throw new ArgumentException("This side has nothing to grant.", nameof(side));
            PartnerAccessRequest request = side.Request;
            events.Verbose($"{side.Side.Organization}: granting {side.PartnerName} ({side.PartnerTenantId}) {MigrationDecisions.Describe(request)}, as the organization relationship "
                + $"'{side.Relationship?.Name}' shares.");
            PartnerAccessResult result = await side.Side.Access.ApplyAsync(request, events, cancellationToken).ConfigureAwait(false);
            PartnerAccessState state = result.State;
            IReadOnlyList<string> problems = Differences(state, request, result.ScopeGroups);
            if (problems.Count > 0)
            {
                throw new EngineException(ErrorIds.MigrationNotVerified, ErrorKind.InvalidResult,
                    $"{side.Side.Organization}'s cross-tenant access policy for {side.PartnerName} ({side.PartnerTenantId}), read back, does not give what the organization "
                    + $"relationship '{side.Relationship?.Name}' shares: {string.Join("; ", problems)}. The relationship was left as it is.", side.PartnerTenantId, isRetryable: true);
            }
            events.Verbose($"{side.Side.Organization}: read back, {side.PartnerName} gets free/busy {state.FreeBusy} and MailTips {state.MailTips}, as the relationship shares.");
            return new SideGrant(result, state.FreeBusy, state.MailTips);
        }

        /// <summary>
        /// The cutover (<paramref name="enable"/> false) or the rollback (true): the local relationship, then the partner's.
        /// When the second cannot follow, the first is changed back (M4), so the pair ends alike. A stop before the first
        /// change throws; after it, the change is finished or undone first, and the result says the run was stopped.
        /// </summary>
        public Task<LegacyChangeResult> ChangeLegacyAsync(MigrationPreparation preparation, bool enable, IEngineEvents events, CancellationToken cancellationToken) =>
            new LegacyCutover(_time).ChangeAsync(preparation, enable, events, cancellationToken);

        private SidePreparation PreparePartner(MigrationSide partner, MigrationSide local, IReadOnlyList<LegacyRelationship> theirs, IReadOnlyList<string> localDomains,
            MigrationOptions options)
        {
            var own = new HashSet<string>(localDomains, StringComparer.OrdinalIgnoreCase);
            var side = new SidePreparation(partner, local.TenantId!, local.Organization);
            LegacyRelationship[] covering = theirs.Where(r => r.DomainNames.Any(own.Contains)).ToArray();
            if (covering.Length == 0)
            {
                return side;
            }
            if (covering.Length > 1)
            {
                side.Relationship = covering[0];
                side.Error = NotApplicableError(covering[0].Name,
                    $"{partner.Organization} has {covering.Length} organization relationships for {local.Organization} ({string.Join(", ", covering.Select(r => "'" + r.Name + "'"))}); "
                    + "the cross-tenant access policy has one grant per tenant, so merge them into one first.");
                return side;
            }
            LegacyRelationship relationship = covering[0];
            side.Relationship = relationship;
            string[] others = relationship.DomainNames.Where(d => !own.Contains(d)).ToArray();
            if (others.Length > 0)
            {
                side.Error = NotApplicableError(relationship.Name,
                    $"{partner.Organization}'s organization relationship '{relationship.Name}' also covers {string.Join(", ", others)}, which are not domains of {local.Organization}; "
                    + "disabling it would stop free/busy with them too. Move those domains to a relationship of their own first.");
                return side;
            }
            string? reason = NotApplicableReason(relationship, PartnerClassifier.Classify(relationship.Raw, Array.Empty<string>()), partner.Organization);
            if (reason != null)
            {
                side.Error = NotApplicableError(relationship.Name, reason);
                return side;
            }
            side.Request = MigrationDecisions.RequestFor(relationship, local.TenantId!, options.ExistingTrust);
            return side;
        }

        private static MigrationPreparation NotApplicable(MigrationSide local, MigrationSide? partner, LegacyRelationship relationship, string partnerLabel, string reason,
            MigrationOptions options)
        {
            EngineException error = NotApplicableError(relationship.Name, reason);
            var localSide = new SidePreparation(local, "", partnerLabel) { Relationship = relationship, Error = error };
            SidePreparation? partnerSide = partner == null ? null : new SidePreparation(partner, local.TenantId ?? "", local.Organization) { Error = error };
            return new MigrationPreparation(localSide, partnerSide, options);
        }

        private static string? NotApplicableReason(LegacyRelationship relationship, PartnerKind kind, string organization) => kind switch
        {
            PartnerKind.Hybrid => $"The organization relationship '{relationship.Name}' in {organization} is a hybrid one (for the tenant's own on-premises organization): "
                + "Exchange hybrid free/busy moves to the dedicated hybrid app, not to the cross-tenant access policy, so it stays as it is.",
            PartnerKind.OnPremises => $"The organization relationship '{relationship.Name}' in {organization} is for an on-premises Exchange organization (its targets are "
                + "not Exchange Online): the cross-tenant access policy serves Microsoft 365 tenants only, so it stays as it is.",
            _ => null,
        };

        private static EngineException NotApplicableError(string relationship, string reason) =>
            new EngineException(ErrorIds.MigrationNotApplicable, ErrorKind.InvalidOperation, reason, relationship);

        private static async Task ReadOtherSharingAsync(SidePreparation side, IReadOnlyCollection<string> partnerDomains, IEngineEvents events, CancellationToken cancellationToken)
        {
            side.OtherSharing = await side.Side.Legacy.GetOtherSharingAsync(partnerDomains, events, cancellationToken).ConfigureAwait(false);
            foreach (OtherLegacySharing other in side.OtherSharing.Where(o => !o.BlocksCutover))
            {
                events.Warning($"{side.Side.Organization} keeps the {other} for {side.PartnerName}: it still serves {side.Side.Organization}'s users on its own path (it does not "
                    + "depend on EWS) and takes precedence over the cross-tenant access policy for them; remove it when the policy should serve them.");
            }
        }

        private static async Task PlanAsync(SidePreparation side, IEngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                side.Plan = await side.Side.Access.PlanAsync(side.Request!, events, cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                side.Error = ex;
            }
        }

        /// <summary>
        /// How the state read back differs from what the request grants: the free/busy and MailTips levels (the highest one
        /// allowed, as the partner would get it) and the allowed capability's scopes (groups by their resolved object ids).
        /// Empty when it gives exactly what was asked.
        /// </summary>
        public static IReadOnlyList<string> Differences(PartnerAccessState state, PartnerAccessRequest request, IReadOnlyList<ScopeGroup> groups)
        {
            var problems = new List<string>();
            FreeBusyAccessLevel freeBusy = request.FreeBusy ?? FreeBusyAccessLevel.None;
            MailTipsAccessLevel mailTips = request.MailTips ?? MailTipsAccessLevel.None;
            if (state.FreeBusy != freeBusy) problems.Add($"free/busy is {state.FreeBusy}, not {freeBusy}");
            if (state.MailTips != mailTips) problems.Add($"MailTips is {state.MailTips}, not {mailTips}");
            CheckScope(state, CapabilityFamily.FreeBusy, freeBusy != FreeBusyAccessLevel.None, request.FreeBusyScope, groups, problems);
            CheckScope(state, CapabilityFamily.MailTips, mailTips != MailTipsAccessLevel.None, request.MailTipsScope, groups, problems);
            return problems;
        }

        private static void CheckScope(PartnerAccessState state, CapabilityFamily family, bool granted, IReadOnlyList<string>? scope, IReadOnlyList<ScopeGroup> groups,
            List<string> problems)
        {
            if (!granted) return;
            M365Capability? allowed = state.Allowed(family).FirstOrDefault();
            if (allowed == null) return; // the level check reports it
            ResourceScopes expected = scope == null || scope.Count == 0
                ? ResourceScopes.Everyone(XtapDecisions.EveryoneResourceType(family))
                : ResourceScopes.Groups(scope.Select(s => groups.FirstOrDefault(g => string.Equals(g.Identity, s, StringComparison.OrdinalIgnoreCase))?.ObjectId ?? s));
            if (!allowed.InboundAccess.Scopes.SameAs(expected))
            {
                problems.Add($"{allowed.Name} is for {PartnerAccessPlanner.DescribeScope(allowed.InboundAccess.Scopes)}, not {PartnerAccessPlanner.DescribeScope(expected)}");
            }
        }

        internal static void Step(IEngineEvents events, string status, int percent)
        {
            events.Verbose(status + ".");
            events.Progress(new ProgressUpdate(Activity, status, percent, ProgressLanes.Main));
        }

        internal static void Done(IEngineEvents events) => events.Progress(new ProgressUpdate(Activity, "Done", 100, ProgressLanes.Main, completed: true));
    }
}
