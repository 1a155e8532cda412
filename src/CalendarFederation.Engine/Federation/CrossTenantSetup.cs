using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using EngineFreeBusy = CalendarFederation.Engine.CrossTenantAccess.FreeBusyAccessLevel;

namespace CalendarFederation.Engine.Federation
{
    /// <summary>
    /// The cross-tenant access backend of New-CalendarFederation: each side grants the other's tenant in its own policy
    /// (inbound only), through CrossTenantAccessService; and the choice between it and organization relationships.
    /// </summary>
    internal static class CrossTenantSetup
    {
        /// <summary>
        /// Auto: the cross-tenant access policy when both tenants answer for it (both are Exchange Online tenants, since both
        /// are connected), otherwise organization relationships, saying why.
        /// </summary>
        public static async Task<(FederationMethod Method, string Reason)> ChooseAsync(TenantSnapshot a, TenantSnapshot b, FederationMethod requested,
            IEngineEvents events, CancellationToken cancellationToken)
        {
            if (requested == FederationMethod.OrganizationRelationship) return (requested, "organization relationships, as asked.");
            if (requested == FederationMethod.CrossTenantAccess) return (requested, "the cross-tenant access policy, as asked.");
            Task<string?> probeA = ProbeAsync(a, events, cancellationToken);
            Task<string?> probeB = ProbeAsync(b, events, cancellationToken);
            await Task.WhenAll(probeA, probeB).ConfigureAwait(false);
            string? why = probeA.Result != null ? $"{a.Organization}: {probeA.Result}" : probeB.Result != null ? $"{b.Organization}: {probeB.Result}" : null;
            if (why == null)
            {
                return (FederationMethod.CrossTenantAccess, "the cross-tenant access policy: both tenants are in Exchange Online and it answers in both. " +
                    "It replaces organization relationships, which stop when EWS is blocked on either side, and on 2027-04-01 at the latest.");
            }
            string ews = new[] { a, b }.Any(t => t.EwsEnabled == false)
                ? $" EWS is off in {string.Join(" and ", new[] { a, b }.Where(t => t.EwsEnabled == false).Select(t => t.Organization))}, so organization relationships will not serve free/busy either: fix the cause and run it again."
                : " They stop when EWS is blocked on either side, and on 2027-04-01 at the latest.";
            return (FederationMethod.OrganizationRelationship, $"organization relationships, because the cross-tenant access policy cannot be used ({why}).{ews}");
        }

        // Null when the policy can be read; otherwise why not (no permission, no Graph token, not in this cloud).
        private static async Task<string?> ProbeAsync(TenantSnapshot tenant, IEngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                await new CrossTenantAccessClient(tenant.Session.Graph).ListCapabilitiesAsync(null, events, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (EngineException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return $"{ex.ErrorId}: {ex.Message}";
            }
        }

        /// <summary>What <paramref name="side"/> must grant <paramref name="partner"/>'s tenant so the partner's users see its free/busy.</summary>
        public static async Task<SideProposal> ProposeAsync(TenantSnapshot side, TenantSnapshot partner, string? level, string? scope, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            var proposal = new SideProposal(FederationMethod.CrossTenantAccess, side.Organization, partner.Organization)
            {
                PartnerDomains = partner.Domains.ToArray(),
            };
            string? tenantId = partner.Session.TenantId;
            if (tenantId == null)
            {
                proposal.Blocker = $"{partner.Organization}'s tenant id is not known (its connection's token did not name it), and the cross-tenant access policy is keyed by tenant id.";
                return proposal;
            }
            proposal.Name = tenantId;
            proposal.PartnerTenantId = tenantId;
            try
            {
                var service = CrossTenantAccessService.For(side.Session);
                // Not asked for a level: keep one that already shares, so running this again never lowers sharing.
                PartnerAccessState current = await service.GetStateAsync(tenantId, events, cancellationToken).ConfigureAwait(false);
                EngineFreeBusy wanted = level != null && Enum.TryParse(level, true, out EngineFreeBusy asked) ? asked
                    : current.FreeBusy != EngineFreeBusy.None ? current.FreeBusy : EngineFreeBusy.AvailabilityOnly;
                var request = new PartnerAccessRequest(tenantId)
                {
                    FreeBusy = wanted,
                    FreeBusyScope = scope != null ? new[] { scope } : null,
                };
                PartnerAccessPlan plan = await service.PlanAsync(request, events, cancellationToken).ConfigureAwait(false);
                proposal.Access = request;
                proposal.FreeBusyAccessLevel = wanted.ToString();
                proposal.IsNoOp = plan.IsEmpty;
                proposal.Changes.AddRange(plan.Steps.Select(s => s.Description));
                proposal.Notes.AddRange(plan.Warnings);
                AddPrecedenceNotes(proposal, side, partner);
            }
            catch (EngineException ex) when (!cancellationToken.IsCancellationRequested)
            {
                proposal.Blocker = ex.Message;
                proposal.BlockerError = ex;
            }
            return proposal;
        }

        // Legacy objects win while enabled on either side (docs/xtap-wire.md): say which ones keep the policy from being used.
        private static void AddPrecedenceNotes(SideProposal proposal, TenantSnapshot side, TenantSnapshot partner)
        {
            foreach (AdminObject r in side.RelationshipsCovering(partner.Domains).Where(r => r.GetBool("Enabled") == true))
            {
                proposal.Notes.Add($"{side.Organization}'s organization relationship '{r.GetString("Name")}' for {partner.Organization} is enabled: it takes precedence, " +
                    "so the cross-tenant access policy is not used until both sides disable theirs (Convert-OrganizationRelationship -DisableLegacy does it after checking both grants).");
            }
        }

        public static async Task<SideOutcome> CarryOutAsync(TenantSnapshot side, SideProposal proposal, IEngineEvents events, CancellationToken cancellationToken)
        {
            PartnerAccessResult result = await CrossTenantAccessService.For(side.Session).ApplyAsync(proposal.Access!, events, cancellationToken).ConfigureAwait(false);
            SideOutcomeKind action = result.Executed.Any(s => s.Kind == PlanStepKind.CreatePartner) ? SideOutcomeKind.Created
                : result.Changed ? SideOutcomeKind.Updated : SideOutcomeKind.Unchanged;
            return new SideOutcome { Action = action, Access = result.State };
        }

        public static async Task<SideOutcome> ReadBackAsync(TenantSnapshot side, SideProposal proposal, IEngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                PartnerAccessState state = await CrossTenantAccessService.For(side.Session).GetStateAsync(proposal.PartnerTenantId!, events, cancellationToken).ConfigureAwait(false);
                return new SideOutcome { Action = SideOutcomeKind.Unchanged, Access = state };
            }
            catch (EngineException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return new SideOutcome { Action = SideOutcomeKind.Failed, Error = ex };
            }
        }
    }
}
