using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

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
                    HostInformation.Write(this, Text.Format(RelationshipMessages.InfoCustomizationAlreadyEnabled, connection.Organization));
                    return;
                }
                if (!ShouldProcess(connection.Organization, RelationshipMessages.ConfirmEnableCustomization)) return;
                InvokeAdminApi(connection, "Enable-OrganizationCustomization", none);
                HostInformation.Write(this, Text.Format(RelationshipMessages.InfoCustomizationEnabling, connection.Organization));
            }
            catch (AdminApiException ex) when (ex.Message.IndexOf("not required", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                // "This operation is not required. Organization is already enabled for customization."
                HostInformation.Write(this, Text.Format(RelationshipMessages.InfoCustomizationNotRequired, connection.Organization));
            }
            catch (AdminApiException ex) when (ex.Message.IndexOf("Service Offer", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    Text.Format(RelationshipMessages.ErrorCustomizationNotAvailable, connection.Organization, ex.Message), ex),
                    ErrorIds.OrganizationCustomizationNotAvailable, ErrorCategory.InvalidOperation, connection.Organization));
            }
            catch (AdminApiException ex) when (ex.Message.IndexOf("temporarily disabled", StringComparison.OrdinalIgnoreCase) >= 0
                || ex.Message.IndexOf("hydrat", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                    Text.Format(RelationshipMessages.ErrorHydrationInProgress, connection.Organization, ex.Message), ex),
                    ErrorIds.OrganizationHydrationInProgress, ErrorCategory.ResourceBusy, connection.Organization));
            }
            catch (EngineException ex)
            {
                WriteError(ToErrorRecord(ex, connection.Organization));
            }
        }
    }
}
