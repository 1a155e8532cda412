using System;
using System.Text.Json;

namespace CalendarFederation.Engine.AdminApi
{
    /// <summary>What kind of failure the admin API reported, so the cmdlets can give each its own error id and category.</summary>
    public enum AdminApiErrorKind
    {
        Other,
        NotFound,
        AlreadyExists,
        DomainInUse,
        Dehydrated,
        AccessDenied,
        Unauthorized,
        Throttled,
        Timeout,
        InvalidArgument,
        ServiceUnavailable,
        MalformedResponse,
        ConnectionFailed,
        /// <summary>The connection was disconnected (Disconnect-CalendarFederation) and cannot be used again.</summary>
        ConnectionClosed,
    }

    /// <summary>A failed admin API call: Exchange's ErrorId|ExceptionType|Message, the HTTP status and the request id.</summary>
    public sealed class AdminApiException : EngineException
    {
        public AdminApiException(AdminApiErrorKind kind, string message, int? statusCode = null, string? serviceErrorId = null,
            string? exceptionType = null, string? clientRequestId = null, Exception? inner = null)
            : base(IdOf(kind), KindOf(kind), message, isRetryable: IsTransient(kind), inner: inner)
        {
            Failure = kind;
            StatusCode = statusCode;
            ServiceErrorId = serviceErrorId;
            ExceptionType = exceptionType;
            ClientRequestId = clientRequestId;
            if (clientRequestId != null) RequestIds = "client-request-id " + clientRequestId + (serviceErrorId != null ? ", Exchange error " + serviceErrorId : "");
        }

        /// <summary>How the admin API failed; the engine branches on it (a lost create met as AlreadyExists, and so on).</summary>
        public AdminApiErrorKind Failure { get; }
        public int? StatusCode { get; }
        /// <summary>Exchange's own error id (the first part of details[0].message), when it sent one.</summary>
        public string? ServiceErrorId { get; }
        /// <summary>Exchange's exception type, e.g. ManagementObjectNotFoundException.</summary>
        public string? ExceptionType { get; }
        public string? ClientRequestId { get; }
        /// <summary>For AccessDenied: which role or permission to assign, already at the end of the message; null when the service's text did not say whom it refused.</summary>
        public string? Advice { get; internal set; }

        private static string IdOf(AdminApiErrorKind kind) => kind switch
        {
            AdminApiErrorKind.NotFound => ErrorIds.ObjectNotFound,
            AdminApiErrorKind.AlreadyExists => ErrorIds.ObjectAlreadyExists,
            AdminApiErrorKind.DomainInUse => ErrorIds.OrganizationRelationshipDomainInUse,
            AdminApiErrorKind.Dehydrated => ErrorIds.OrganizationNotCustomized,
            AdminApiErrorKind.AccessDenied => ErrorIds.AccessDenied,
            AdminApiErrorKind.Unauthorized => ErrorIds.AuthenticationRequired,
            AdminApiErrorKind.Throttled => ErrorIds.Throttled,
            AdminApiErrorKind.Timeout => ErrorIds.AdminApiTimeout,
            AdminApiErrorKind.InvalidArgument => ErrorIds.InvalidArgument,
            AdminApiErrorKind.ServiceUnavailable => ErrorIds.ServiceUnavailable,
            AdminApiErrorKind.MalformedResponse => ErrorIds.MalformedResponse,
            AdminApiErrorKind.ConnectionFailed => ErrorIds.ConnectionFailed,
            AdminApiErrorKind.ConnectionClosed => ErrorIds.ConnectionClosed,
            _ => ErrorIds.AdminApiError,
        };

        private static ErrorKind KindOf(AdminApiErrorKind kind) => kind switch
        {
            AdminApiErrorKind.NotFound => ErrorKind.ObjectNotFound,
            AdminApiErrorKind.AlreadyExists => ErrorKind.ResourceExists,
            AdminApiErrorKind.DomainInUse => ErrorKind.InvalidOperation,
            AdminApiErrorKind.Dehydrated => ErrorKind.InvalidOperation,
            AdminApiErrorKind.AccessDenied => ErrorKind.PermissionDenied,
            AdminApiErrorKind.Unauthorized => ErrorKind.AuthenticationError,
            AdminApiErrorKind.Throttled => ErrorKind.LimitsExceeded,
            AdminApiErrorKind.Timeout => ErrorKind.OperationTimeout,
            AdminApiErrorKind.InvalidArgument => ErrorKind.InvalidArgument,
            AdminApiErrorKind.ServiceUnavailable => ErrorKind.ResourceUnavailable,
            AdminApiErrorKind.MalformedResponse => ErrorKind.InvalidData,
            AdminApiErrorKind.ConnectionFailed => ErrorKind.ConnectionError,
            AdminApiErrorKind.ConnectionClosed => ErrorKind.ConnectionError,
            _ => ErrorKind.NotSpecified,
        };

        private static bool IsTransient(AdminApiErrorKind kind) =>
            kind == AdminApiErrorKind.Throttled || kind == AdminApiErrorKind.Timeout || kind == AdminApiErrorKind.ServiceUnavailable || kind == AdminApiErrorKind.ConnectionFailed;
    }

    /// <summary>
    /// Parses the admin API's failure bodies: {"error":{"code","message","details":[{"message":"ErrorId|ExceptionType|Message"}]}},
    /// or plain text. Never throws: anything unreadable becomes its text.
    /// </summary>
    public static class AdminApiErrorParser
    {
        public const string ConcurrencyLimitText = "maximum number of concurrent requests";

        public static AdminApiException Parse(int statusCode, string? body, string? clientRequestId)
        {
            string? errorId = null;
            string? exceptionType = null;
            string message = "";
            string text = body ?? "";
            if (LooksLikeJson(text))
            {
                try
                {
                    using JsonDocument doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out JsonElement error))
                    {
                        if (error.ValueKind == JsonValueKind.Object)
                        {
                            message = GetString(error, "message") ?? "";
                            if (error.TryGetProperty("details", out JsonElement details) && details.ValueKind == JsonValueKind.Array)
                            {
                                foreach (JsonElement detail in details.EnumerateArray())
                                {
                                    string? detailMessage = detail.ValueKind == JsonValueKind.Object ? GetString(detail, "message") : null;
                                    if (string.IsNullOrEmpty(detailMessage)) continue;
                                    string[] parts = detailMessage!.Split(new[] { '|' }, 3);
                                    if (parts.Length == 3)
                                    {
                                        errorId = parts[0].Trim();
                                        exceptionType = parts[1].Trim();
                                        message = parts[2].Trim();
                                    }
                                    else
                                    {
                                        message = detailMessage;
                                    }
                                    break;
                                }
                            }
                            if (exceptionType == null && error.TryGetProperty("innererror", out JsonElement inner) && inner.ValueKind == JsonValueKind.Object)
                            {
                                exceptionType = GetString(inner, "type");
                                if (string.IsNullOrEmpty(message) || message == "Error executing cmdlet") message = GetString(inner, "message") ?? message;
                            }
                        }
                        else if (error.ValueKind == JsonValueKind.String)
                        {
                            message = error.GetString() ?? "";
                        }
                    }
                    else if (doc.RootElement.ValueKind == JsonValueKind.Object)
                    {
                        message = GetString(doc.RootElement, "Message") ?? GetString(doc.RootElement, "message") ?? text;
                    }
                }
                catch (JsonException)
                {
                    message = text;
                }
            }
            else
            {
                message = text;
            }
            message = Clip(message.Trim());
            if (message.Length == 0) message = $"The admin API answered HTTP {statusCode} with no explanation.";

            AdminApiErrorKind kind = Classify(statusCode, errorId, exceptionType, message);
            string? advice = kind == AdminApiErrorKind.AccessDenied ? AccessAdvice(message) : null;
            return new AdminApiException(kind, advice == null ? message : message + " " + advice, statusCode, errorId, exceptionType, clientRequestId)
            {
                Advice = advice,
            };
        }

        /// <summary>Exchange's refusal of an app-only caller whose service principal has no supported Entra role.</summary>
        public const string RoleNotSupportedText = "isn't supported in this scenario";

        /// <summary>App-only access: the permission and the role Microsoft's app-only docs require (docs/protocol-evidence.md).</summary>
        public const string AppOnlyAccessAdvice = "App-only access needs the application permission Exchange.ManageAsApp with admin consent and, for the app's service principal, " +
            "the Entra role Exchange Administrator (Global Administrator also works).";

        /// <summary>Delegated access: the role that covers organization relationships.</summary>
        public const string DelegatedAccessAdvice = "The signed-in account needs the Entra role Exchange Administrator (Global Administrator also works) in this tenant.";

        /// <summary>Which role to assign, judged from the service's text (it names an application or a user); null when it names neither.</summary>
        public static string? AccessAdvice(string serviceMessage)
        {
            if (serviceMessage.IndexOf("application", StringComparison.OrdinalIgnoreCase) >= 0) return AppOnlyAccessAdvice;
            if (serviceMessage.IndexOf("user", StringComparison.OrdinalIgnoreCase) >= 0 || serviceMessage.IndexOf("management role", StringComparison.OrdinalIgnoreCase) >= 0)
                return DelegatedAccessAdvice;
            return null;
        }

        public static AdminApiErrorKind Classify(int statusCode, string? errorId, string? exceptionType, string message)
        {
            string type = exceptionType ?? "";
            string id = errorId ?? "";
            if (message.IndexOf(ConcurrencyLimitText, StringComparison.OrdinalIgnoreCase) >= 0 || statusCode == 429) return AdminApiErrorKind.Throttled;
            if (type.IndexOf("DehydratedContext", StringComparison.OrdinalIgnoreCase) >= 0
                || message.IndexOf("Enable-OrganizationCustomization", StringComparison.OrdinalIgnoreCase) >= 0)
                return AdminApiErrorKind.Dehydrated;
            if (message.IndexOf("already exist in another organization relationship", StringComparison.OrdinalIgnoreCase) >= 0) return AdminApiErrorKind.DomainInUse;
            if (type.IndexOf("NotFound", StringComparison.OrdinalIgnoreCase) >= 0 || id.IndexOf("NotFound", StringComparison.OrdinalIgnoreCase) >= 0
                || message.IndexOf("couldn't be found", StringComparison.OrdinalIgnoreCase) >= 0)
                return AdminApiErrorKind.NotFound;
            if (type.IndexOf("AlreadyExists", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("already exists", StringComparison.OrdinalIgnoreCase) >= 0)
                return AdminApiErrorKind.AlreadyExists;
            // "The role assigned to application|user ... isn't supported in this scenario": a missing role, whatever the status.
            if (message.IndexOf(RoleNotSupportedText, StringComparison.OrdinalIgnoreCase) >= 0 && message.IndexOf("role assigned", StringComparison.OrdinalIgnoreCase) >= 0)
                return AdminApiErrorKind.AccessDenied;
            if (statusCode == 401) return AdminApiErrorKind.Unauthorized;
            if (statusCode == 403 || type.IndexOf("AccessDenied", StringComparison.OrdinalIgnoreCase) >= 0
                || message.IndexOf("isn't authorized", StringComparison.OrdinalIgnoreCase) >= 0
                || message.IndexOf("access denied", StringComparison.OrdinalIgnoreCase) >= 0)
                return AdminApiErrorKind.AccessDenied;
            if (statusCode == 408 || statusCode == 504) return AdminApiErrorKind.Timeout;
            if (statusCode == 503) return AdminApiErrorKind.ServiceUnavailable;
            if (statusCode == 400 || type.IndexOf("ParameterBinding", StringComparison.OrdinalIgnoreCase) >= 0
                || type.IndexOf("Argument", StringComparison.OrdinalIgnoreCase) >= 0)
                return AdminApiErrorKind.InvalidArgument;
            return AdminApiErrorKind.Other;
        }

        private static bool LooksLikeJson(string text)
        {
            foreach (char c in text)
            {
                if (char.IsWhiteSpace(c)) continue;
                return c == '{' || c == '[';
            }
            return false;
        }

        private static string? GetString(JsonElement element, string name) =>
            element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static string Clip(string s)
        {
            s = s.Replace("\r", " ").Replace("\n", " ");
            return s.Length > 2000 ? s.Substring(0, 2000) + "..." : s;
        }
    }
}
