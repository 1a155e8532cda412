using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>One tenant's policy, seen as the side that serves free/busy to the other.</summary>
    internal sealed class PolicySide
    {
        public PolicySide(PolicyRead policy, bool isPartner, string otherDomain, string connection)
        {
            Policy = policy;
            IsPartner = isPartner;
            OtherDomain = otherDomain;
            Connection = connection;
        }

        public PolicyRead Policy { get; }
        /// <summary>The partner's policy: what our users see.</summary>
        public bool IsPartner { get; }
        public string Org => Policy.Organization;
        public string Other => Policy.Other;
        public string OtherDomain { get; }
        /// <summary>"" for our tenant, "-Connection &lt;partner&gt; " for the partner's.</summary>
        public string Connection { get; }

        public string Grant(string extra = " -FreeBusyAccessLevel AvailabilityOnly") =>
            $"Grant-CrossTenantCalendarAccess {Connection}-PartnerTenantId {Policy.OtherTenantId}{extra}";

        internal static IEnumerable<PolicySide> Sides(DiagnosticsContext context, CrossTenantPath path)
        {
            if (path.Local is PolicyRead local) yield return new PolicySide(local, false, CrossTenantAccessFacts.PartnerDomain(context), "");
            if (path.Remote is PolicyRead remote) yield return new PolicySide(remote, true, CrossTenantAccessFacts.LocalDomain(context), $"-Connection <{context.PartnerOrganization}> ");
        }

        /// <summary>The sides whose configuration is checked: every side read when the pair is on the policy, else those set up for the pair.</summary>
        internal static IEnumerable<PolicySide> Checked(DiagnosticsContext context, CrossTenantPath path) =>
            Sides(context, path).Where(s => s.Policy.IsRead && (path.ViaCrossTenantAccess || s.Policy.HasPartner));

        /// <summary>Blocking for the partner's policy when it is what answers; otherwise (ours, or a legacy object still answering) a Warning.</summary>
        internal static FindingSeverity Severity(PolicySide side, CrossTenantPath path) =>
            side.IsPartner && path.ServedByPolicy ? FindingSeverity.Blocking : FindingSeverity.Warning;

        internal static string Consequence(PolicySide side, CrossTenantPath path) =>
            path.ServedByPolicy || !path.LegacyInEffect
                ? $"{side.Other}'s users see no free/busy of {side.Org} through the policy"
                : $"once the legacy objects are disabled, {side.Other}'s users will see no free/busy of {side.Org}";
    }
}
