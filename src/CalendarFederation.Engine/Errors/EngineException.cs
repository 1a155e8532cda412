using System;

namespace CalendarFederation.Engine
{
    /// <summary>
    /// What kind of failure an engine error is. The cmdlets map each to the PowerShell ErrorCategory of the same name
    /// (src/CalendarFederation/Infrastructure/ErrorRecords.cs), so -ErrorAction, try/catch and category filters work.
    /// </summary>
    public enum ErrorKind
    {
        NotSpecified,
        ObjectNotFound,
        ResourceExists,
        InvalidArgument,
        InvalidOperation,
        InvalidData,
        InvalidResult,
        PermissionDenied,
        AuthenticationError,
        SecurityError,
        LimitsExceeded,
        OperationTimeout,
        ConnectionError,
        ResourceUnavailable,
        ResourceBusy,
        WriteError,
        OperationStopped,
    }

    /// <summary>
    /// The one shape of every engine failure: a stable id from <see cref="ErrorIds"/>, a kind, what it is about, and
    /// whether trying again later may help. Messages say what happened in the admin's terms; they never name cmdlet
    /// parameters, which is the cmdlet's advice to add.
    /// </summary>
    public class EngineException : Exception
    {
        public EngineException(string errorId, ErrorKind kind, string message, string? target = null, bool isRetryable = false, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
            Kind = kind;
            Target = target;
            IsRetryable = isRetryable;
        }

        /// <summary>The stable id (an <see cref="ErrorIds"/> constant): scripts and tests match on it.</summary>
        public string ErrorId { get; }

        public ErrorKind Kind { get; }

        /// <summary>The object the failure is about (a domain, a tenant, a relationship), when the engine knows it.</summary>
        public string? Target { get; }

        /// <summary>True when the same call may succeed later unchanged (throttling, a timeout, an outage).</summary>
        public bool IsRetryable { get; }

        /// <summary>Service request ids for support (client-request-id, request-id), when there were any.</summary>
        public string? RequestIds { get; set; }
    }
}
