namespace CalendarFederation.Engine.Federation
{
    /// <summary>How two tenants share free/busy: the backend New-CalendarFederation (and the fleet plan) set up.</summary>
    public enum FederationMethod
    {
        /// <summary>The cross-tenant access policy when both tenants are in Exchange Online and it is available in both; otherwise organization relationships.</summary>
        Auto,
        /// <summary>The Microsoft 365 cross-tenant access policy in Microsoft Graph: each tenant grants the other.</summary>
        CrossTenantAccess,
        /// <summary>Organization relationships (EWS inside Exchange Online; on-premises and hybrid partners).</summary>
        OrganizationRelationship,
    }

    /// <summary>What one side needs, whichever backend serves it; the cmdlet shows it and asks before carrying it out.</summary>
    public sealed class SideProposal
    {
        internal SideProposal(FederationMethod method, string organization, string partner)
        {
            Method = method;
            Organization = organization;
            Partner = partner;
        }

        public FederationMethod Method { get; }
        public string Organization { get; }
        public string Partner { get; }
        /// <summary>The relationship's name, or the partner's tenant id for the cross-tenant access policy.</summary>
        public string Name { get; internal set; } = "";
        public bool NeedsHydration { get; internal set; }
        public System.Collections.Generic.List<string> Changes { get; } = new System.Collections.Generic.List<string>();
        public System.Collections.Generic.List<string> Notes { get; } = new System.Collections.Generic.List<string>();
        public string? Blocker { get; internal set; }
        /// <summary>The failure behind <see cref="Blocker"/>, when there was one (its id is the error's).</summary>
        public EngineException? BlockerError { get; internal set; }
        public bool IsNoOp { get; internal set; }
        /// <summary>What the partner will see of this side: None, AvailabilityOnly or LimitedDetails.</summary>
        public string? FreeBusyAccessLevel { get; internal set; }
        public System.Collections.Generic.IReadOnlyList<string> PartnerDomains { get; internal set; } = System.Array.Empty<string>();
        /// <summary>The partner's tenant id (cross-tenant access).</summary>
        public string? PartnerTenantId { get; internal set; }

        internal SidePlan? Relationship { get; set; }
        internal CrossTenantAccess.PartnerAccessRequest? Access { get; set; }
    }
}
