using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Completion;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Writes a fleet file from what a set of tenants hold today (docs/fleet.md §5): the start for an MSP that already
    /// shares free/busy by hand. Each connection is read as Get-CalendarFederationPlan reads a tenant (FleetStateReader);
    /// src/CalendarFederation.Engine/Fleet/FleetExport.cs turns the states into the file's model. A tenant that cannot be
    /// read is listed and shares nothing in the file, with one FleetTenantUnreadable error: it is never exported as "not
    /// shared" silently.
    /// </summary>
    [Cmdlet(VerbsData.Export, "CalendarFederationPlan", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportCalendarFederationPlanCommand : TenantCommandBase
    {
        [Parameter(Mandatory = true, HelpMessage = "The tenants' connections (Connect-CalendarFederation -PassThru), two or more.")]
        [ArgumentCompleter(typeof(ConnectionCompleter))]
        [ValidateNotNullOrEmpty]
        public new CalendarFederationConnection[] Connection { get; set; } = Array.Empty<CalendarFederationConnection>();

        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The fleet file to write: .psd1 or .json (an existing file is replaced).")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter(HelpMessage = "How many tenants are read at once. Default: 8.")]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = FleetStateReader.DefaultConcurrency;

        protected override int ProgressActivityId => 0x4346_0E00;

        protected override void EndProcessing()
        {
            CalendarFederationConnection[] connections = Connection.Where(c => c != null).Distinct().ToArray();
            if (connections.Length < 2)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(FleetFileMessages.ErrorExportNoTenants), ErrorIds.FleetFileInvalid,
                    ErrorCategory.InvalidArgument, Connection));
            }
            new Run(this).Export(connections);
        }

        // The engine-typed work, in a class of its own so that reflecting over the cmdlet never loads the engine.
        private sealed class Run
        {
            private readonly ExportCalendarFederationPlanCommand _cmd;

            public Run(ExportCalendarFederationPlanCommand cmd) { _cmd = cmd; }

            public void Export(IReadOnlyList<CalendarFederationConnection> connections)
            {
                // Every tenant through its own connection: nothing is signed in, and nothing the caller owns is closed.
                var read = new FleetDefinition();
                // The file's short names: the organization's first label (contoso), unless two tenants share it.
                var labels = connections.GroupBy(c => c.Organization.Split('.')[0], StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
                foreach (CalendarFederationConnection c in connections)
                {
                    string label = c.Organization.Split('.')[0];
                    read.Tenants.Add(new FleetTenant
                    {
                        Name = labels[label] == 1 ? label : c.Organization,
                        Organization = c.Organization,
                        TenantId = c.TenantId,
                        ExchangeEnvironmentName = c.ExchangeEnvironmentName,
                        Connect = new FleetConnect { Kind = FleetConnectKind.Connection, Connection = c.Organization },
                    });
                }
                FleetConnector connector = FleetConnector.Prepare(_cmd, read, connections);
                IReadOnlyDictionary<string, FleetTenantState> states = _cmd.RunEngine((events, token) =>
                {
                    events.Progress(new ProgressUpdate(_cmd.MyInvocation.MyCommand.Name, Text.Format(FleetFileMessages.ProgressExport, read.Tenants.Count)));
                    return FleetStateReader.ReadAllAsync(read, connector, events, token, _cmd.ThrottleLimit);
                });
                List<FleetTenantState> ordered = read.Tenants.Select(t => states[t.Name]).ToList();
                List<FleetTenantState> unreadable = ordered.Where(s => !s.IsReadable).ToList();
                foreach (FleetTenantState state in unreadable) _cmd.WriteError(FleetPlanCommandBase.UnreadableError(state));
                if (unreadable.Count > 0) _cmd.WriteWarning(Text.Format(FleetFileMessages.WarnExportUnreadable, unreadable.Count, ordered.Count));

                FleetDefinition file = FleetExport.FromStates(ordered);
                int shared = file.Directions.Count(d => d.Shared);
                string path = _cmd.GetUnresolvedProviderPathFromPSPath(_cmd.Path);
                if (!_cmd.ShouldProcess(path, Text.Format(FleetFileMessages.ConfirmExportAction, file.Tenants.Count, shared))) return;
                try
                {
                    FleetFileLoader.Save(file, path);
                }
                catch (EngineException ex)
                {
                    _cmd.WriteError(ErrorRecords.From(ex, path));
                    return;
                }
                _cmd.WriteVerbose(Text.Format(FleetFileMessages.VerboseExported, file.Tenants.Count, shared, path));
                _cmd.WriteObject(new FileInfo(path));
            }
        }
    }
}
