using System;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>Removes an organization relationship. Asks first (ConfirmImpact High).</summary>
    [Cmdlet(VerbsCommon.Remove, "OrganizationRelationship", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveOrganizationRelationshipCommand : TenantCommandBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, HelpMessage = "The relationship's name or GUID.")]
        [ArgumentCompleter(typeof(Completion.RelationshipCompleter))]
        [ValidateNotNullOrEmpty]
        public string Identity { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The tenant the relationship belongs to. Piped relationships fill it in, so a relationship read through one connection is never changed through another.")]
        [ValidateNotNullOrEmpty]
        public string? Organization { get; set; }

        protected override void ProcessRecord()
        {
            CalendarFederationConnection connection = ResolveConnection();
            if (!BelongsTo(connection, Organization, Identity)) return;
            Func<IEngineEvents, OrganizationRelationshipService> service = events => new OrganizationRelationshipService(connection.Session.AdminApi, events);
            try
            {
                AdminObject? current = ReadExisting(connection, service, Identity);
                if (current == null) return;
                string name = current.GetString("Name") ?? Identity;
                string domains = string.Join(", ", current.GetStrings("DomainNames"));
                if (!ShouldProcess(Text.Format(RelationshipMessages.ConfirmRemoveWhatIf, name, domains, connection.Organization),
                        Text.Format(RelationshipMessages.ConfirmRemoveQuery, name, domains), RelationshipMessages.ConfirmRemoveCaption))
                {
                    return;
                }
                RunEngine(async (events, token) =>
                {
                    await service(events).RemoveAsync(name, token).ConfigureAwait(false);
                    return true;
                });
                WriteVerbose(Text.Format(RelationshipMessages.VerboseRemoved, name));
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.OrganizationRelationshipNotFound, ErrorCategory.ObjectNotFound, Identity));
            }
            catch (EngineException ex)
            {
                WriteError(ToErrorRecord(ex, Identity));
            }
        }
    }
}
