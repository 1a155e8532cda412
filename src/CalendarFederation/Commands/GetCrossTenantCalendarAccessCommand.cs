using System.Linq;
using System.Management.Automation;
using CalendarFederation.Completion;
using CalendarFederation.Engine;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// What the connected tenant lets partner tenants' users see of its calendars through the Microsoft 365 cross-tenant access
    /// policy: one row per partner, and the default policy as a row of its own ('default').
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "CrossTenantCalendarAccess")]
    [OutputType(typeof(CrossTenantCalendarAccess))]
    public sealed class GetCrossTenantCalendarAccessCommand : CrossTenantCommandBase
    {
        // By property name only: by value, any piped object would bind as its text (a FederationInformation as its domain).
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true,
            HelpMessage = "Partner tenant ids, or 'default' for the default policy; every partner and the default when omitted.")]
        [ArgumentCompleter(typeof(PartnerTenantCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? PartnerTenantId { get; set; }

        protected override void ProcessRecord()
        {
            CalendarFederationConnection connection = ResolveConnection();
            CrossTenantAccessInventory inventory;
            try
            {
                inventory = RunEngine((events, token) => CrossTenantAccessInventory.ReadAsync(connection.Session, PartnerTenantId, events, token));
            }
            catch (EngineException ex)
            {
                WriteError(ToCrossTenantError(ex, connection.Organization));
                return;
            }
            if (inventory.Default != null) WriteObject(CrossTenantAccessMapper.ToOutput(connection.Organization, inventory.Default, inventory.GroupNames));
            foreach (PartnerAccessState partner in inventory.Partners)
            {
                string[] domains = inventory.DefaultDomains.TryGetValue(partner.PartnerTenantId, out string? domain) ? new[] { domain } : System.Array.Empty<string>();
                WriteObject(CrossTenantAccessMapper.ToOutput(connection.Organization, partner, domains, inventory.GroupNames));
            }
            foreach (string missing in inventory.Missing)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException(
                        Text.Format(CrossTenantAccessMessages.ErrorNoPartnerConfiguration, connection.Organization, missing)),
                    ErrorIds.CrossTenantAccessNotFound, ErrorCategory.ObjectNotFound, missing));
            }
        }
    }
}
