using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Infrastructure;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Hydrates a tenant so organization relationships can be created. Reads IsDehydrated first: an already enabled
    /// tenant gets an informational message, not an error, so scripts can run this every time.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Enable, "OrganizationCustomization", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class EnableOrganizationCustomizationCommand : TenantCommandBase
    {
        protected override void EndProcessing()
        {
            CalendarFederationConnection connection = ResolveConnection();
            var none = new List<KeyValuePair<string, object?>>();
            try
            {
                AdminApiResult config = InvokeAdminApi(connection, "Get-OrganizationConfig", none);
                bool? dehydrated = config.Values.FirstOrDefault()?.GetBool("IsDehydrated");
                if (dehydrated == false)
                {
                    HostInformation.Write(this, $"{connection.Organization} is already enabled for customization (IsDehydrated is False); nothing to do.");
                    return;
                }
                if (!ShouldProcess(connection.Organization, "Enable organization customization")) return;
                InvokeAdminApi(connection, "Enable-OrganizationCustomization", none);
                HostInformation.Write(this, $"Customization is being enabled for {connection.Organization}. Hydration runs in the background and can take up to an hour; " +
                    "commands such as New-OrganizationRelationship may fail until it completes.");
            }
            catch (AdminApiException ex) when (ex.Message.IndexOf("not required", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                // "This operation is not required. Organization is already enabled for customization."
                HostInformation.Write(this, $"{connection.Organization} is already enabled for customization; nothing to do.");
            }
            catch (AdminApiException ex) when (ex.Message.IndexOf("Service Offer", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    $"{connection.Organization}'s subscription does not allow organization customization (the service says: \"{ex.Message}\"). " +
                    "This usually means a plan that cannot be customized; organization relationships cannot be created in it.", ex),
                    ErrorIds.OrganizationCustomizationNotAvailable, ErrorCategory.InvalidOperation, connection.Organization));
            }
            catch (AdminApiException ex) when (ex.Message.IndexOf("temporarily disabled", StringComparison.OrdinalIgnoreCase) >= 0
                || ex.Message.IndexOf("hydrat", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    $"{connection.Organization} is still being prepared (\"{ex.Message}\"). Hydration can take an hour or more: wait and run Enable-OrganizationCustomization again.", ex),
                    ErrorIds.OrganizationHydrationInProgress, ErrorCategory.ResourceBusy, connection.Organization));
            }
            catch (EngineException ex)
            {
                WriteError(ToErrorRecord(ex, connection.Organization));
            }
        }
    }
}
