using System.Management.Automation;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>Forgets a connection (by default the session's default one, or all of them) and signs it out: its tokens are dropped from memory and from a persisted cache.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "CalendarFederation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = "Connection")]
    [OutputType(typeof(void))]
    public sealed class DisconnectCalendarFederationCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "Connection", Position = 0, ValueFromPipeline = true, HelpMessage = "The connection to close; by default the session's default.")]
        [ValidateNotNull]
        public CalendarFederationConnection? Connection { get; set; }

        [Parameter(ParameterSetName = "All", Mandatory = true, HelpMessage = "Close every connection of this session.")]
        public SwitchParameter All { get; set; }

        protected override void ProcessRecord()
        {
            if (All)
            {
                foreach (CalendarFederationConnection c in ConnectionStore.All) Close(c);
                return;
            }
            CalendarFederationConnection? connection = Connection ?? ConnectionStore.Default;
            if (connection == null)
            {
                WriteVerbose(ConnectionMessages.VerboseNothingToClose);
                return;
            }
            Close(connection);
        }

        private void Close(CalendarFederationConnection connection)
        {
            if (!ShouldProcess(connection.ToString(), ConnectionMessages.ConfirmDisconnect)) return;
            if (ConnectionStore.Remove(connection))
            {
                // Delegated sign-ins are removed from MSAL's cache too, persisted or not.
                System.Threading.Tasks.Task.Run(() => connection.Session.SignOutAsync()).GetAwaiter().GetResult();
                connection.Session.Dispose();
            }
            WriteVerbose(Text.Format(ConnectionMessages.VerboseDisconnected, connection));
        }
    }
}
