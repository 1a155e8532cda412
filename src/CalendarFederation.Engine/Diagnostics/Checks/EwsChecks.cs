using System;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>EWS off, or about to go, on a side whose organization relationship still serves free/busy.</summary>
    internal static class EwsChecks
    {
        internal static async Task EwsServesRelationships(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
            AdminObject? ours = context.LocalRelationship;
            // Our relationship depends on EWS when it serves a Microsoft 365 partner; the partner's always does (we are Exchange Online).
            if (ours != null && context.PartnerKind == PartnerKind.Microsoft365 && Serves(ours))
            {
                EwsState state = await context.GetAsync(CrossTenantAccessFacts.LocalEws, cancellationToken).ConfigureAwait(false);
                Report(context, findings, state, context.LocalOrganization, context.PartnerOrganization, context.LocalRelationshipName, "", path.Local);
            }
            AdminObject? theirs = context.PartnerRelationship;
            if (theirs != null && Serves(theirs))
            {
                EwsState state = await context.GetAsync(CrossTenantAccessFacts.PartnerEws, cancellationToken).ConfigureAwait(false);
                Report(context, findings, state, context.PartnerOrganization, context.LocalOrganization, context.PartnerRelationshipName,
                    $"-Connection <{context.PartnerOrganization}> ", path.Remote);
            }
        }

        private static bool Serves(AdminObject relationship) => relationship.GetBool("Enabled") != false && FindingText.SharesFreeBusy(relationship);

        private static void Report(DiagnosticsContext context, FindingSink findings, EwsState state, string org, string other, string relationship, string connection,
            PolicyRead? policy)
        {
            bool retired = context.Request.Clock.GetUtcNow() >= EwsDates.Retired;
            string granted = policy?.Grants == true
                ? $"{org}'s cross-tenant access policy already grants {other}: cut over, both sides disabling their relationships: " +
                  $"Convert-OrganizationRelationship {connection}-Identity '{relationship}' -DisableLegacy"
                : $"move to the cross-tenant access policy: Convert-OrganizationRelationship {connection}-Identity '{relationship}'";
            if (retired)
            {
                findings.Add(FindingSeverity.Blocking, org, CheckIds.EwsBlocked,
                    $"EWS was retired on 2027-04-01: '{relationship}' in {org} serves no free/busy any more, whatever EwsEnabled says, so {other}'s users see none of {org}'s.",
                    char.ToUpperInvariant(granted[0]) + granted.Substring(1) + ".");
                return;
            }
            if (state == EwsState.False)
            {
                findings.Add(FindingSeverity.Blocking, org, CheckIds.EwsBlocked,
                    $"EWS is off in {org} (EwsEnabled False), so '{relationship}' serves no free/busy: {other}'s users see none of {org}'s calendars.",
                    $"Set-OrganizationConfig -EwsEnabled $true in {org} keeps the relationship working until 2027-04-01; then {granted}.");
            }
            else if (state == EwsState.NotSet)
            {
                findings.Add(FindingSeverity.Warning, org, CheckIds.EwsAtRisk,
                    $"EwsEnabled is not set in {org}: since 2026-10-01 Microsoft switches such tenants to False, tenant by tenant, and then '{relationship}' " +
                    $"serves {other} no free/busy. EWS ends for every tenant on 2027-04-01.",
                    $"Set-OrganizationConfig -EwsEnabled $true in {org} keeps the relationship working until 2027-04-01; {granted}.");
            }
        }
    }

    /// <summary>The EWS dates the checks go by (docs/cross-tenant-access.md §1.5, JP-EWS).</summary>
    internal static class EwsDates
    {
        /// <summary>EWS off for every tenant; EwsEnabled True no longer helps.</summary>
        public static readonly DateTimeOffset Retired = new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
