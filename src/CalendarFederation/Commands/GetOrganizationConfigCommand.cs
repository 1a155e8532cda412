using System.Collections.Generic;
using System.Management.Automation;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Infrastructure;

namespace CalendarFederation.Commands
{
    /// <summary>Reads the tenant's organization configuration, e.g. IsDehydrated, through the admin API.</summary>
    [Cmdlet(VerbsCommon.Get, "OrganizationConfig")]
    [OutputType(typeof(PSObject))]
    public sealed class GetOrganizationConfigCommand : TenantCommandBase
    {
        protected override void EndProcessing()
        {
            CalendarFederationConnection connection = ResolveConnection();
            try
            {
                AdminApiResult result = InvokeAdminApi(connection, "Get-OrganizationConfig", new List<KeyValuePair<string, object?>>());
                foreach (AdminObject item in result.Values) WriteObject(AdminObjects.ToPSObject(item, "CalendarFederation.OrganizationConfig"));
            }
            catch (Engine.EngineException ex)
            {
                WriteError(ToErrorRecord(ex, connection.Organization));
            }
        }
    }
}
