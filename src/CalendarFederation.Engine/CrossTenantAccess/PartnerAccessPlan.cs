using System.Collections.Generic;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    public enum PlanStepKind
    {
        /// <summary>POST partners {"tenantId"}.</summary>
        CreatePartner,
        /// <summary>PATCH partners/{id} m365CollaborationInbound.</summary>
        SetTrust,
        /// <summary>DELETE m365Capabilities/{name}.</summary>
        RemoveCapability,
        /// <summary>isAllowed:false: PATCH when the partner has the capability, POST when it does not.</summary>
        DisableCapability,
        /// <summary>PATCH m365Capabilities/{name} inboundAccess.</summary>
        UpdateCapability,
        /// <summary>POST m365Capabilities.</summary>
        AddCapability,
    }

    /// <summary>One write, explained: what it does and why.</summary>
    public sealed class PlanStep
    {
        internal PlanStep(PlanStepKind kind, string description, string reason, string? capabilityName = null, InboundAccess? access = null,
            CollaborationTrust? trust = null, bool capabilityExists = false)
        {
            Kind = kind;
            Description = description;
            Reason = reason;
            CapabilityName = capabilityName;
            Access = access;
            Trust = trust;
            CapabilityExists = capabilityExists;
        }

        public PlanStepKind Kind { get; }

        /// <summary>"Add crossTenantCalendarAvailabilityBasic for all users".</summary>
        public string Description { get; }

        /// <summary>Why, in the admin's words.</summary>
        public string Reason { get; }

        public string? CapabilityName { get; }

        /// <summary>The inboundAccess written by Add, Update and Disable.</summary>
        public InboundAccess? Access { get; }

        /// <summary>The trust written by SetTrust.</summary>
        public CollaborationTrust? Trust { get; }

        /// <summary>For Disable: the partner has the capability (PATCH) or not (POST).</summary>
        public bool CapabilityExists { get; }

        public override string ToString() => Description;
    }

    /// <summary>The ordered writes that bring one partner to what was asked. Empty when nothing needs to change.</summary>
    public sealed class PartnerAccessPlan
    {
        internal PartnerAccessPlan(string partnerTenantId, IReadOnlyList<PlanStep> steps, IReadOnlyList<string> warnings)
        {
            PartnerTenantId = partnerTenantId;
            Steps = steps;
            Warnings = warnings;
        }

        public string PartnerTenantId { get; }
        public IReadOnlyList<PlanStep> Steps { get; }

        /// <summary>What the plan cannot settle and the admin should know (the default policy's grants, a kept scoped trust).</summary>
        public IReadOnlyList<string> Warnings { get; }

        public bool IsEmpty => Steps.Count == 0;
    }
}
