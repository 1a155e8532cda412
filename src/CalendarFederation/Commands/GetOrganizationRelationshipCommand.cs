using System.Collections.Generic;
using System.Management.Automation;
using CalendarFederation.Engine;
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
            try
            {
                List<AdminObject> items = RunEngine((events, token) => new OrganizationRelationshipService(connection.Session.AdminApi, events).GetAsync(Identity, token));
                foreach (AdminObject item in items) WriteObject(RelationshipMapper.ToPSObject(item, connection.Organization));
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.OrganizationRelationshipNotFound, ErrorCategory.ObjectNotFound, Identity));
            }
            catch (EngineException ex)
            {
                WriteError(ToErrorRecord(ex, Identity ?? connection.Organization));
            }
        }
    }
}
