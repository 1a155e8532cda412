using System.Management.Automation;
using CalendarFederation.Engine;

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
            ErrorIds.GraphTokenRequired => "Connect again with -GraphAccessToken (a Microsoft Graph token you hold), or with a sign-in mode that can get one.",
            ErrorIds.GraphConsentRequired => "An administrator consents the app to the permissions named above, or Connect-CalendarFederation -GraphAppId names an app that has them.",
            ErrorIds.GraphPermissionMissing => "Grant the permission named above to the app (application permission for app-only, delegated scope with consent otherwise).",
            ErrorIds.GraphRoleMissing => "Assign the role named above to the signed-in account, or sign in as a Global Administrator.",
            ErrorIds.GraphAccessDenied => "Check both the app's permission and the account's role named above.",
            ErrorIds.PartnerTenantMismatch => "Check -DomainName and -PartnerTenantId: they name different tenants. Confirm the partner's tenant id with its admin.",
            ErrorIds.PartnerTenantNotFound => "Check the domain: Microsoft Entra ID knows no tenant for it. A Microsoft 365 partner's .onmicrosoft.com domain always resolves.",
            ErrorIds.CrossTenantTrustRestricted => "Add -Force to replace the partner's trust with all users, or change it in the Entra admin center first.",
            ErrorIds.ScopeGroupNotFound => "Give a mail-enabled security group of this tenant by name, address or object id.",
            ErrorIds.PartnerNotNamed => "Pass -DomainName or -PartnerTenantId, or pipe Get-FederationInformation's output.",
            ErrorIds.CrossTenantAccessNotAvailable => "This cloud does not serve the Microsoft 365 cross-tenant access policy yet; keep the organization relationship (New-CalendarFederation -Method OrganizationRelationship).",
            _ => null,
        };
    }
}
