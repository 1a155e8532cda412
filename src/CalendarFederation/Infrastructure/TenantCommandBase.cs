using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Completion;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;

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
                    new InvalidOperationException("There is no connection. Run Connect-CalendarFederation first, or pass -Connection."),
                    "AuthenticationRequired", ErrorCategory.AuthenticationError, null));
            }
            return connection!;
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
                $"'{identity}' belongs to {organization}, but this command works on {connection.Organization}. Pass -Connection for {organization}."),
                "OrganizationMismatch", ErrorCategory.InvalidArgument, identity));
            return false;
        }

        /// <summary>The relationship as it is now, or null after writing OrganizationRelationshipNotFound for the item.</summary>
        protected AdminObject? ReadExisting(CalendarFederationConnection connection, Engine.Relationships.OrganizationRelationshipService service, string identity)
        {
            AdminObject? current = System.Linq.Enumerable.FirstOrDefault(RunEngine(token => service.GetAsync(identity, token)));
            if (current == null)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"The organization relationship '{identity}' couldn't be found in {connection.Organization}."),
                    "OrganizationRelationshipNotFound", ErrorCategory.ObjectNotFound, identity));
            }
            return current;
        }

        /// <summary>Runs engine work, writing its warnings, verbose and debug lines on this thread as they come.</summary>
        protected T RunEngine<T>(Func<CancellationToken, Task<T>> work)
        {
            _events ??= new EngineEventQueue();
            try
            {
                return _events.Run(this, work, _cancellation.Token);
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>An admin API call: its result, with the service's warnings written as PowerShell warnings.</summary>
        protected AdminApiResult InvokeAdminApi(CalendarFederationConnection connection, string cmdletName,
            System.Collections.Generic.IEnumerable<System.Collections.Generic.KeyValuePair<string, object?>> parameters)
        {
            AdminApiResult result = RunEngine(token => connection.Session.AdminApi.InvokeAsync(cmdletName, parameters, token));
            foreach (string warning in result.Warnings) WriteWarning(warning);
            return result;
        }

        protected override void StopProcessing() => _cancellation.Cancel();

        public void Dispose()
        {
            _cancellation.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Maps an engine failure to an ErrorRecord with a stable id and a real category.</summary>
        protected static ErrorRecord ToErrorRecord(Exception exception, object? target)
        {
            switch (exception)
            {
                case AdminApiException api:
                {
                    (string id, ErrorCategory category) = api.Kind switch
                    {
                        AdminApiErrorKind.NotFound => ("ObjectNotFound", ErrorCategory.ObjectNotFound),
                        AdminApiErrorKind.AlreadyExists => ("ObjectAlreadyExists", ErrorCategory.ResourceExists),
                        AdminApiErrorKind.DomainInUse => ("OrganizationRelationshipDomainInUse", ErrorCategory.InvalidOperation),
                        AdminApiErrorKind.Dehydrated => ("OrganizationNotCustomized", ErrorCategory.InvalidOperation),
                        AdminApiErrorKind.AccessDenied => ("AccessDenied", ErrorCategory.PermissionDenied),
                        AdminApiErrorKind.Unauthorized => ("AuthenticationRequired", ErrorCategory.AuthenticationError),
                        AdminApiErrorKind.Throttled => ("Throttled", ErrorCategory.LimitsExceeded),
                        AdminApiErrorKind.Timeout => ("AdminApiTimeout", ErrorCategory.OperationTimeout),
                        AdminApiErrorKind.InvalidArgument => ("InvalidArgument", ErrorCategory.InvalidArgument),
                        AdminApiErrorKind.ServiceUnavailable => ("ServiceUnavailable", ErrorCategory.ResourceUnavailable),
                        AdminApiErrorKind.MalformedResponse => ("MalformedResponse", ErrorCategory.InvalidData),
                        AdminApiErrorKind.ConnectionFailed => ("ConnectionFailed", ErrorCategory.ConnectionError),
                        _ => ("AdminApiError", ErrorCategory.NotSpecified),
                    };
                    var record = new ErrorRecord(api, id, category, target);
                    if (api.ClientRequestId != null)
                    {
                        record.ErrorDetails = new ErrorDetails(api.Message) { RecommendedAction = "client-request-id " + api.ClientRequestId + (api.ErrorId != null ? ", Exchange error " + api.ErrorId : "") };
                    }
                    return record;
                }
                case SignInException signIn:
                    return new ErrorRecord(signIn, signIn.ErrorId, ErrorCategory.AuthenticationError, target);
                default:
                    return new ErrorRecord(exception, "UnexpectedError", ErrorCategory.NotSpecified, target);
            }
        }
    }
}
