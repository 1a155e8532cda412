using System;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Infrastructure;

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
            var service = new OrganizationRelationshipService(connection.Session.AdminApi);
            try
            {
                AdminObject? current = ReadExisting(connection, service, Identity);
                if (current == null) return;
                string name = current.GetString("Name") ?? Identity;
                string domains = string.Join(", ", current.GetStrings("DomainNames"));
                if (!ShouldProcess($"Removing organization relationship \"{name}\" ({domains}) from {connection.Organization}.",
                        $"Remove organization relationship \"{name}\" ({domains})?", "Remove-OrganizationRelationship"))
                {
                    return;
                }
                RunEngine(async token =>
                {
                    await service.RemoveAsync(name, token).ConfigureAwait(false);
                    return true;
                });
                foreach (string w in service.LastWarnings.Distinct()) WriteWarning(w);
                WriteVerbose($"Removed '{name}'.");
            }
            catch (AdminApiException ex) when (ex.Kind == AdminApiErrorKind.NotFound)
            {
                WriteError(new ErrorRecord(ex, "OrganizationRelationshipNotFound", ErrorCategory.ObjectNotFound, Identity));
            }
            catch (Exception ex) when (ex is AdminApiException || ex is Engine.Auth.SignInException)
            {
                WriteError(ToErrorRecord(ex, Identity));
            }
        }
    }
}
