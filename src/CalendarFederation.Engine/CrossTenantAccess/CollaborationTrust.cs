using System;
using System.Collections.Generic;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>What a partner's Microsoft 365 collaboration trust (m365CollaborationInbound) allows.</summary>
    public enum TrustState
    {
        /// <summary>null: the partner inherits the default policy's trust, which may be blocked (docs/cross-tenant-access.md §1.1).</summary>
        Inherited,
        /// <summary>allowed for AllUsers.</summary>
        AllUsers,
        /// <summary>allowed or blocked for particular users or groups, or anything not recognised: restricted.</summary>
        Scoped,
        /// <summary>blocked for AllUsers.</summary>
        Blocked,
    }

    /// <summary>One crossTenantAccessPolicyTarget: {target, targetType}.</summary>
    public sealed class AccessTarget
    {
        public AccessTarget(string? target, string? targetType)
        {
            Target = target;
            TargetType = targetType;
        }

        public string? Target { get; }
        public string? TargetType { get; }

        public override string ToString() => Target == XtapDecisions.AllUsersTarget ? "all users" : $"{TargetType ?? "?"} {Target ?? "?"}";
    }

    /// <summary>A partner's (or the default's) m365CollaborationInbound, classified, with the raw access type and targets kept.</summary>
    public sealed class CollaborationTrust
    {
        public CollaborationTrust(TrustState state, string? accessType, IReadOnlyList<AccessTarget> targets)
        {
            State = state;
            AccessType = accessType;
            Targets = targets ?? Array.Empty<AccessTarget>();
        }

        public TrustState State { get; }

        /// <summary>As Graph sent it: allowed, blocked, or a value added later (unknownFutureValue).</summary>
        public string? AccessType { get; }

        public IReadOnlyList<AccessTarget> Targets { get; }

        public static CollaborationTrust Inherited { get; } = new CollaborationTrust(TrustState.Inherited, null, Array.Empty<AccessTarget>());

        /// <summary>What this module writes: allowed for AllUsers (docs/cross-tenant-access.md §2.2).</summary>
        public static CollaborationTrust AllUsersAllowed { get; } = new CollaborationTrust(TrustState.AllUsers, "allowed",
            new[] { new AccessTarget(XtapDecisions.AllUsersTarget, XtapDecisions.AllUsersTargetType) });

        /// <summary>"inherited from the default policy", "allowed for all users", "blocked for all users", "allowed for group 3f…, user 9a…".</summary>
        public string Describe() => State switch
        {
            TrustState.Inherited => "inherited from the default policy",
            TrustState.AllUsers => "allowed for all users",
            TrustState.Blocked => "blocked for all users",
            _ => (AccessType ?? "set") + (Targets.Count == 0 ? " with no targets" : " for " + string.Join(", ", Targets)),
        };

        public override string ToString() => Describe();
    }
}
