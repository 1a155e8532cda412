using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Completion;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// What every tenant cmdlet shares: -Connection (or the runspace's default), one CancellationTokenSource per
    /// call cancelled by Ctrl+C, and engine calls whose events are written on the pipeline thread.
    /// </summary>
    public abstract class TenantCommandBase : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private EngineEventQueue? _events;

        [Parameter(HelpMessage = "The connection to use; by default the last one made in this session with Connect-CalendarFederation.")]
        [ArgumentCompleter(typeof(ConnectionCompleter))]
        [ValidateNotNull]
        public CalendarFederationConnection? Connection { get; set; }

        protected CancellationToken CancellationToken => _cancellation.Token;

        /// <summary>The connection this call works on. Stops the command with AuthenticationRequired when there is none.</summary>
        protected CalendarFederationConnection ResolveConnection()
        {
            CalendarFederationConnection? connection = Connection ?? ConnectionStore.Default;
            if (connection == null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException(ConnectionMessages.ErrorNoConnection),
                    ErrorIds.AuthenticationRequired, ErrorCategory.AuthenticationError, null));
            }
            return RequireOpen(connection!);
        }

        /// <summary>The connection, or a stop with ConnectionClosed when Disconnect-CalendarFederation closed it.</summary>
        protected CalendarFederationConnection RequireOpen(CalendarFederationConnection connection)
        {
            if (connection.IsClosed)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException(Text.Format(ConnectionMessages.ErrorConnectionClosed, connection.Organization)),
                    ErrorIds.ConnectionClosed, ErrorCategory.ConnectionError, connection));
            }
            return connection;
        }

        /// <summary>
        /// False, with an OrganizationMismatch error for the item, when a piped relationship belongs to another tenant than
        /// the connection this call works on.
        /// </summary>
        protected bool BelongsTo(CalendarFederationConnection connection, string? organization, string identity)
        {
            if (organization == null
                || string.Equals(organization, connection.Organization, StringComparison.OrdinalIgnoreCase)
                || string.Equals(organization, connection.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            WriteError(new ErrorRecord(new InvalidOperationException(
                Text.Format(ConnectionMessages.ErrorOrganizationMismatch, identity, organization, connection.Organization)),
                "OrganizationMismatch", ErrorCategory.InvalidArgument, identity));
            return false;
        }

        /// <summary>The relationship as it is now, or null after writing OrganizationRelationshipNotFound for the item.</summary>
        protected AdminObject? ReadExisting(CalendarFederationConnection connection, Func<IEngineEvents, Engine.Relationships.OrganizationRelationshipService> service, string identity)
        {
            AdminObject? current = System.Linq.Enumerable.FirstOrDefault(RunEngine((events, token) => service(events).GetAsync(identity, token)));
            if (current == null)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException(Text.Format(RelationshipMessages.ErrorRelationshipNotFound, identity, connection.Organization)),
                    "OrganizationRelationshipNotFound", ErrorCategory.ObjectNotFound, identity));
            }
            return current;
        }

        /// <summary>The cmdlet's stable Write-Progress activity id; engine progress lanes add to it.</summary>
        protected virtual int ProgressActivityId => 0x4346_0100;

        /// <summary>
        /// Runs engine work, handing it this call's event channel, and writes its warnings, tracing, progress and questions
        /// on this thread as they come.
        /// </summary>
        protected T RunEngine<T>(Func<IEngineEvents, CancellationToken, Task<T>> work)
        {
            _events ??= new EngineEventQueue(this, ProgressActivityId);
            try
            {
                return _events.Run(work, _cancellation.Token);
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>An admin API call; the service's warnings are written as PowerShell warnings.</summary>
        protected AdminApiResult InvokeAdminApi(CalendarFederationConnection connection, string cmdletName,
            System.Collections.Generic.IEnumerable<System.Collections.Generic.KeyValuePair<string, object?>> parameters)
        {
            return RunEngine(async (events, token) =>
            {
                AdminApiResult result = await connection.Session.AdminApi.InvokeAsync(cmdletName, parameters, events, token).ConfigureAwait(false);
                foreach (string warning in result.Warnings) events.Warning(warning);
                return result;
            });
        }

        protected override void StopProcessing() => _cancellation.Cancel();

        public void Dispose()
        {
            _cancellation.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Maps an engine failure to an ErrorRecord with its stable id and real category.</summary>
        protected static ErrorRecord ToErrorRecord(Exception exception, object? target) => ErrorRecords.From(exception, target);
    }
}
