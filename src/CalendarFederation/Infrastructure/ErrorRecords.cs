using System;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>Engine failures as ErrorRecords: the engine's stable id, the category of the same name, the target.</summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(Exception exception, object? target, string? recommendedAction = null)
        {
            if (exception is EngineException engine)
            {
                recommendedAction ??= DefaultAction(engine);
                var record = new ErrorRecord(engine, engine.ErrorId, Category(engine.Kind), target ?? engine.Target);
                if (recommendedAction != null) record.ErrorDetails = new ErrorDetails(engine.Message) { RecommendedAction = recommendedAction };
                return record;
            }
            return new ErrorRecord(exception, ErrorIds.UnexpectedError, ErrorCategory.NotSpecified, target);
        }

        /// <summary>
        /// Input the engine refused (e.g. <see cref="ErrorIds.InvalidDomainName"/> from SmtpDomain.Normalize): an ArgumentException,
        /// as PowerShell's own argument errors are, with the engine's id, InvalidArgument, and the input as typed as the target.
        /// </summary>
        public static ErrorRecord InvalidInput(EngineException exception, object? target, string? recommendedAction = null) =>
            Create(new ArgumentException(exception.Message, exception), exception.ErrorId, ErrorCategory.InvalidArgument, target ?? exception.Target, recommendedAction);

        // What fixes an AccessDenied from the admin API: the role to assign (Microsoft's app-only docs need one for the
        // service principal besides Exchange.ManageAsApp; docs/protocol-evidence.md).
        private static string? DefaultAction(EngineException engine) => engine.ErrorId == ErrorIds.AccessDenied
            ? Messages.ActionAccessDenied
            : null;

        /// <summary>An error the cmdlet itself raises, with an id from <see cref="ErrorIds"/>.</summary>
        public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction = null)
        {
            var record = new ErrorRecord(exception, errorId, category, target);
            if (recommendedAction != null) record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommendedAction };
            return record;
        }

        public static ErrorCategory Category(ErrorKind kind) => kind switch
        {
            ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
            ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
            ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
            ErrorKind.InvalidData => ErrorCategory.InvalidData,
            ErrorKind.InvalidResult => ErrorCategory.InvalidResult,
            ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
            ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
            ErrorKind.SecurityError => ErrorCategory.SecurityError,
            ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
            ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
            ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
            ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            ErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
            ErrorKind.WriteError => ErrorCategory.WriteError,
            ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
            _ => ErrorCategory.NotSpecified,
        };
    }
}
