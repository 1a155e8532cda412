using System;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>Lists the connections made in this session; the default one first.</summary>
    [Cmdlet(VerbsCommon.Get, "CalendarFederationConnection", DefaultParameterSetName = "All")]
    [OutputType(typeof(CalendarFederationConnection))]
    public sealed class GetCalendarFederationConnectionCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "Id", Mandatory = true, HelpMessage = "A connection's Id.")]
        public Guid Id { get; set; }

        [Parameter(ParameterSetName = "Default", Mandatory = true, HelpMessage = "Only the default connection.")]
        public SwitchParameter Default { get; set; }

        protected override void EndProcessing()
        {
            var all = ConnectionStore.All;
            switch (ParameterSetName)
            {
                case "Id":
                    CalendarFederationConnection? match = all.FirstOrDefault(c => c.Id == Id);
                    if (match == null)
                    {
                        WriteError(new ErrorRecord(new ItemNotFoundException(Text.Format(ConnectionMessages.ErrorConnectionNotFound, Id)),
                            "ConnectionNotFound", ErrorCategory.ObjectNotFound, Id));
                    }
                    else
                    {
                        WriteObject(match);
                    }
                    break;
                case "Default":
                    if (ConnectionStore.Default != null) WriteObject(ConnectionStore.Default);
                    break;
                default:
                    foreach (CalendarFederationConnection c in all.OrderByDescending(ConnectionStore.IsDefault)) WriteObject(c);
                    break;
            }
        }
    }
}
