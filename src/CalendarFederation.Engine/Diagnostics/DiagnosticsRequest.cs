using CalendarFederation.Engine.Auth;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>What Test-OrganizationRelationship was asked.</summary>
    public sealed class DiagnosticsRequest
    {
        public TenantSession Local { get; set; } = null!;
        public TenantSession? Partner { get; set; }
        /// <summary>The local relationship to test; by default the one covering the partner's domains.</summary>
        public string? Identity { get; set; }
        public string? PartnerDomain { get; set; }
        /// <summary>A partner mailbox for the real free/busy probe.</summary>
        public string? Mailbox { get; set; }
        /// <summary>The local mailbox that asks; by default the signed-in user.</summary>
        public string? RequesterMailbox { get; set; }
        public int ScopeGroupLimit { get; set; } = 10_000;
        /// <summary>Today, for the EWS deadlines (docs/cross-tenant-access.md §1.5); tests pass a fixed clock.</summary>
        public System.TimeProvider Clock { get; set; } = System.TimeProvider.System;
    }
}
