using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Discovery;

namespace CalendarFederation.Engine.Federation
{
    /// <summary>What New-CalendarFederation asks for, side by side.</summary>
    public sealed class SetupRequest
    {
        /// <summary>Null names default to the other side's display name (at most 64 characters).</summary>
        public string? LocalName { get; set; }
        public string? PartnerName { get; set; }
        /// <summary>What the partner sees of the local side; null keeps a level that already shares (never lowers it).</summary>
        public string? LocalFreeBusyAccessLevel { get; set; }
        public string? PartnerFreeBusyAccessLevel { get; set; }
        public string? LocalFreeBusyAccessScope { get; set; }
        public string? PartnerFreeBusyAccessScope { get; set; }
        public FederationMethod Method { get; set; } = FederationMethod.Auto;
    }

    /// <summary>Both tenants as read, the method chosen and why, and what each side needs.</summary>
    public sealed class SetupPreparation
    {
        public SetupPreparation(TenantSnapshot local, TenantSnapshot partner, FederationMethod method, string methodReason, SideProposal localSide, SideProposal partnerSide)
        {
            Local = local;
            Partner = partner;
            Method = method;
            MethodReason = methodReason;
            LocalSide = localSide;
            PartnerSide = partnerSide;
        }

        public TenantSnapshot Local { get; }
        public TenantSnapshot Partner { get; }
        public FederationMethod Method { get; }
        public string MethodReason { get; }
        public SideProposal LocalSide { get; }
        public SideProposal PartnerSide { get; }
        public bool IsNoOp => LocalSide.IsNoOp && PartnerSide.IsNoOp;
    }

    public enum SideOutcomeKind
    {
        Unchanged,
        Created,
        Updated,
        /// <summary>Not carried out: -WhatIf, or the admin said no.</summary>
        Planned,
        Failed,
    }

    /// <summary>What happened on one side, with the relationship as read back.</summary>
    public sealed class SideOutcome
    {
        public SideOutcomeKind Action { get; set; }
        public AdminObject? Relationship { get; set; }
        /// <summary>The partner's access as read back (cross-tenant access).</summary>
        public CrossTenantAccess.PartnerAccessState? Access { get; set; }
        /// <summary>Differences between the relationship as read back and the plan; empty when it matches.</summary>
        public System.Collections.Generic.List<string> Problems { get; } = new System.Collections.Generic.List<string>();
        public bool Verified => Action != SideOutcomeKind.Failed && Action != SideOutcomeKind.Planned && Problems.Count == 0;
        public EngineException? Error { get; set; }
    }

    /// <summary>
    /// New-CalendarFederation's work, without the cmdlet: read both tenants, choose the method, and plan each side with the
    /// backend that serves it (organization relationships: FederationPlanner; the cross-tenant access policy:
    /// CrossTenantSetup); then carry a side out. The cmdlet sees proposals and outcomes, never a backend's wire.
    /// </summary>
    public static class FederationSetup
    {
        public static async Task<SetupPreparation> PrepareAsync(TenantSession local, TenantSession partner, SetupRequest request, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            events.Verbose($"Reading {local.Organization} and {partner.Organization}.");
            Task<TenantSnapshot> readLocal = TenantSnapshot.ReadAsync(local, events, cancellationToken);
            Task<TenantSnapshot> readPartner = TenantSnapshot.ReadAsync(partner, events, cancellationToken);
            await Task.WhenAll(readLocal, readPartner).ConfigureAwait(false);
            TenantSnapshot a = readLocal.Result, b = readPartner.Result;

            (FederationMethod method, string reason) = await CrossTenantSetup.ChooseAsync(a, b, request.Method, events, cancellationToken).ConfigureAwait(false);
            events.Verbose("Method: " + reason);
            if (method == FederationMethod.CrossTenantAccess)
            {
                Task<SideProposal> sideA = CrossTenantSetup.ProposeAsync(a, b, request.LocalFreeBusyAccessLevel, request.LocalFreeBusyAccessScope, events, cancellationToken);
                Task<SideProposal> sideB = CrossTenantSetup.ProposeAsync(b, a, request.PartnerFreeBusyAccessLevel ?? request.LocalFreeBusyAccessLevel,
                    request.PartnerFreeBusyAccessScope, events, cancellationToken);
                await Task.WhenAll(sideA, sideB).ConfigureAwait(false);
                return new SetupPreparation(a, b, method, reason, sideA.Result, sideB.Result);
            }

            var discoverA = FederationPlanner.DiscoverAsync(a, cancellationToken);
            var discoverB = FederationPlanner.DiscoverAsync(b, cancellationToken);
            await Task.WhenAll(discoverA, discoverB).ConfigureAwait(false);

            // Exchange stores a scope group's name however it was given; compare like with like.
            string? scopeA = await FederationPlanner.ResolveGroupNameAsync(local, request.LocalFreeBusyAccessScope, events, cancellationToken).ConfigureAwait(false);
            string? scopeB = await FederationPlanner.ResolveGroupNameAsync(partner, request.PartnerFreeBusyAccessScope, events, cancellationToken).ConfigureAwait(false);

            SidePlan planA = FederationPlanner.Plan(a, b, discoverB.Result.Info, discoverB.Result.Failure, new SideSettings
            {
                Name = request.LocalName ?? Truncate(b.DisplayName),
                FreeBusyAccessLevel = request.LocalFreeBusyAccessLevel,
                FreeBusyAccessScope = scopeA,
            });
            SidePlan planB = FederationPlanner.Plan(b, a, discoverA.Result.Info, discoverA.Result.Failure, new SideSettings
            {
                Name = request.PartnerName ?? Truncate(a.DisplayName),
                FreeBusyAccessLevel = request.PartnerFreeBusyAccessLevel ?? request.LocalFreeBusyAccessLevel,
                FreeBusyAccessScope = scopeB,
            });
            return new SetupPreparation(a, b, method, reason, Propose(planA), Propose(planB));
        }

        private static SideProposal Propose(SidePlan plan)
        {
            var proposal = new SideProposal(FederationMethod.OrganizationRelationship, plan.Organization, plan.Partner)
            {
                Name = plan.RelationshipName,
                NeedsHydration = plan.NeedsHydration,
                Blocker = plan.Blocker,
                IsNoOp = plan.IsNoOp,
                FreeBusyAccessLevel = plan.FreeBusyAccessLevel,
                PartnerDomains = plan.AllPartnerDomains.ToArray(),
                Relationship = plan,
            };
            if (plan.NeedsHydration) proposal.Changes.Add("Enable-OrganizationCustomization");
            proposal.Changes.AddRange(plan.Changes);
            proposal.Notes.AddRange(plan.Notes);
            return proposal;
        }

        /// <summary>A side that needs nothing: as it is, verified against the plan.</summary>
        public static async Task<SideOutcome> UnchangedAsync(TenantSnapshot side, SideProposal proposal, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (proposal.Method == FederationMethod.CrossTenantAccess)
            {
                return await CrossTenantSetup.ReadBackAsync(side, proposal, events, cancellationToken).ConfigureAwait(false);
            }
            SidePlan plan = proposal.Relationship!;
            var outcome = new SideOutcome { Action = SideOutcomeKind.Unchanged, Relationship = side.RelationshipsCovering(plan.AllPartnerDomains).FirstOrDefault() };
            outcome.Problems.AddRange(FederationPlanner.Verify(outcome.Relationship, plan));
            return outcome;
        }

        /// <summary>Carries out one side's proposal and verifies it; a failure comes back in the outcome, not as an exception.</summary>
        public static async Task<SideOutcome> CarryOutAsync(TenantSnapshot side, SideProposal proposal, IEngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                if (proposal.Method == FederationMethod.CrossTenantAccess)
                {
                    return await CrossTenantSetup.CarryOutAsync(side, proposal, events, cancellationToken).ConfigureAwait(false);
                }
                SidePlan plan = proposal.Relationship!;
                AdminObject? current = await FederationPlanner.ApplyAsync(side, plan, events, cancellationToken).ConfigureAwait(false);
                var outcome = new SideOutcome
                {
                    Action = plan.Action == SideAction.Create ? SideOutcomeKind.Created : plan.Action == SideAction.Update ? SideOutcomeKind.Updated : SideOutcomeKind.Unchanged,
                    Relationship = current,
                };
                outcome.Problems.AddRange(FederationPlanner.Verify(current, plan));
                return outcome;
            }
            catch (EngineException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return new SideOutcome { Action = SideOutcomeKind.Failed, Error = ex };
            }
        }

        private static string Truncate(string name) => name.Length <= Relationships.RelationshipRules.MaxNameLength ? name : name.Substring(0, Relationships.RelationshipRules.MaxNameLength);
    }
}
