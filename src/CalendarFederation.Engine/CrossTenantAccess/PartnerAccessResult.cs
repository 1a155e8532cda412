using System.Collections.Generic;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>What an apply did and what the tenant shows afterwards.</summary>
    public sealed class PartnerAccessResult
    {
        internal PartnerAccessResult(PartnerAccessPlan plan, IReadOnlyList<PlanStep> executed, PartnerAccessState state, IReadOnlyList<ScopeGroup> scopeGroups)
        {
            Plan = plan;
            Executed = executed;
            State = state;
            ScopeGroups = scopeGroups;
        }

        /// <summary>The plan made from the state first read (its warnings included).</summary>
        public PartnerAccessPlan Plan { get; }

        /// <summary>The writes made, in order (a write found already done by someone else is not listed).</summary>
        public IReadOnlyList<PlanStep> Executed { get; }

        /// <summary>The partner as read back after the writes; it equals what was asked (otherwise the apply fails).</summary>
        public PartnerAccessState State { get; }

        /// <summary>The scope groups as resolved.</summary>
        public IReadOnlyList<ScopeGroup> ScopeGroups { get; }

        public bool Changed => Executed.Count > 0;
    }

    /// <summary>The read-back after an apply still differs from what was asked: what is there, and what is still to do.</summary>
    public sealed class CrossTenantAccessNotVerifiedException : EngineException
    {
        internal CrossTenantAccessNotVerifiedException(string message, string partnerTenantId, PartnerAccessState state, IReadOnlyList<PlanStep> outstanding)
            : base(ErrorIds.CrossTenantAccessNotVerified, ErrorKind.InvalidResult, message, partnerTenantId, isRetryable: true)
        {
            State = state;
            Outstanding = outstanding;
        }

        public PartnerAccessState State { get; }
        public IReadOnlyList<PlanStep> Outstanding { get; }
    }
}
