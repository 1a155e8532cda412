using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>What the cross-tenant access cmdlets share: progress ids, and the advice each Graph failure needs in this module's terms.</summary>
    public abstract class CrossTenantCommandBase : TenantCommandBase
    {
        protected override int ProgressActivityId => 0x4346_0300;

        /// <summary>The failure as an ErrorRecord, with what the admin can change here.</summary>
        protected ErrorRecord ToCrossTenantError(EngineException ex, object? target) => ErrorRecords.From(ex, target, Advice(ex.ErrorId));

        internal static string? Advice(string errorId) => errorId switch
        {
            ErrorIds.GraphTokenRequired => CrossTenantAccessMessages.ActionGraphTokenRequired,
            ErrorIds.GraphConsentRequired => CrossTenantAccessMessages.ActionGraphConsentRequired,
            ErrorIds.GraphPermissionMissing => CrossTenantAccessMessages.ActionGraphPermissionMissing,
            ErrorIds.GraphRoleMissing => CrossTenantAccessMessages.ActionGraphRoleMissing,
            ErrorIds.GraphAccessDenied => CrossTenantAccessMessages.ActionGraphAccessDenied,
            ErrorIds.PartnerTenantMismatch => CrossTenantAccessMessages.ActionPartnerTenantMismatch,
            ErrorIds.PartnerTenantNotFound => CrossTenantAccessMessages.ActionPartnerTenantNotFound,
            ErrorIds.CrossTenantTrustRestricted => CrossTenantAccessMessages.ActionTrustRestricted,
            ErrorIds.ScopeGroupNotFound => CrossTenantAccessMessages.ActionScopeGroupNotFound,
            ErrorIds.PartnerNotNamed => CrossTenantAccessMessages.ActionPartnerNotNamed,
            ErrorIds.CrossTenantAccessNotAvailable => CrossTenantAccessMessages.ActionNotAvailable,
            _ => null,
        };
    }
}
