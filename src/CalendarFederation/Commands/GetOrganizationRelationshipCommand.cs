using System.Collections.Generic;
using System.Management.Automation;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Infrastructure;

namespace CalendarFederation.Commands
{
    /// <summary>Gets one organization relationship by name or GUID, or all of them.</summary>
    [Cmdlet(VerbsCommon.Get, "OrganizationRelationship")]
    [OutputType(typeof(OrganizationRelationship))]
    public sealed class GetOrganizationRelationshipCommand : TenantCommandBase
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, HelpMessage = "A relationship's name or GUID; all when omitted.")]
        [ArgumentCompleter(typeof(Completion.RelationshipCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Identity { get; set; }

        protected override void ProcessRecord()
        {
            CalendarFederationConnection connection = ResolveConnection();
            var service = new OrganizationRelationshipService(connection.Session.AdminApi);
            try
            {
                List<AdminObject> items = RunEngine(token => service.GetAsync(Identity, token));
                foreach (string w in service.LastWarnings) WriteWarning(w);
                foreach (AdminObject item in items) WriteObject(RelationshipMapper.ToPSObject(item, connection.Organization));
            }
            catch (AdminApiException ex) when (ex.Kind == AdminApiErrorKind.NotFound)
            {
                WriteError(new ErrorRecord(ex, "OrganizationRelationshipNotFound", ErrorCategory.ObjectNotFound, Identity));
            }
            catch (System.Exception ex) when (ex is AdminApiException || ex is Engine.Auth.SignInException)
            {
                WriteError(ToErrorRecord(ex, Identity ?? connection.Organization));
            }
        }
    }
}
