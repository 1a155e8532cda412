using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using CalendarFederation.Engine.Auth;

namespace CalendarFederation.Engine.Graph
{
    /// <summary>
    /// A failed Microsoft Graph call: the HTTP status, Graph's error code (code against it, never against the message),
    /// and the request ids support asks for. For a 403, what the call needed and which part the token shows is missing.
    /// </summary>
    public sealed class GraphException : EngineException
    {
        public GraphException(string errorId, ErrorKind kind, string message, int? status = null, string? code = null, string? requestId = null,
            string? clientRequestId = null, string? target = null, bool isRetryable = false, Exception? inner = null)
            : base(errorId, kind, message, target, isRetryable, inner)
        {
            Status = status;
            Code = code;
            RequestId = requestId;
            ClientRequestId = clientRequestId;
            var ids = new List<string>();
            if (clientRequestId != null) ids.Add("client-request-id " + clientRequestId);
            if (requestId != null) ids.Add("request-id " + requestId);
            if (ids.Count > 0) RequestIds = string.Join(", ", ids);
        }

        /// <summary>The HTTP status, when Graph answered.</summary>
        public int? Status { get; }

        /// <summary>Graph's error.code, e.g. Authorization_RequestDenied, Request_ResourceNotFound.</summary>
        public string? Code { get; }

        /// <summary>Graph's request-id (from innerError or the response header).</summary>
        public string? RequestId { get; }

        /// <summary>The client-request-id this module sent with the failed attempt.</summary>
        public string? ClientRequestId { get; }

        /// <summary>Graph's own error.message, redacted; the exception's Message explains it in context.</summary>
        public string? ServiceMessage { get; internal set; }

        /// <summary>For a 403: what the call needed.</summary>
        public GraphRequirement? Requirement { get; internal set; }

        /// <summary>For a 403: the permissions the token shows it lacks (all of the requirement's, since any one would do). Empty when not known.</summary>
        public IReadOnlyList<string> MissingPermissions { get; internal set; } = Array.Empty<string>();

        /// <summary>For a 403: the roles the token shows the signed-in admin lacks. Empty when not known.</summary>
        public IReadOnlyList<EntraRole> MissingRoles { get; internal set; } = Array.Empty<EntraRole>();

        /// <summary>The same failure under another id and message (a call site that knows more, e.g. a 404 that means "no partner").</summary>
        public GraphException As(string errorId, ErrorKind kind, string message, string? target = null) =>
            new GraphException(errorId, kind, message, Status, Code, RequestId, ClientRequestId, target ?? Target, IsRetryable, this)
            {
                ServiceMessage = ServiceMessage,
                Requirement = Requirement,
                MissingPermissions = MissingPermissions,
                MissingRoles = MissingRoles,
            };
    }

    /// <summary>Graph's error body: {"error":{"code","message","innerError":{"request-id","date","client-request-id"}}}.</summary>
    public sealed class GraphErrorBody
    {
        public string? Code { get; private set; }
        public string? Message { get; private set; }
        public string? RequestId { get; private set; }
        public string? ClientRequestId { get; private set; }
        public string? Date { get; private set; }

        /// <summary>Never throws: anything that is not Graph's shape gives an empty body (the status still tells what happened).</summary>
        public static GraphErrorBody Parse(string? text)
        {
            var body = new GraphErrorBody();
            if (string.IsNullOrWhiteSpace(text) || text!.TrimStart()[0] != '{') return body;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !TryGet(doc.RootElement, "error", out JsonElement error)) return body;
                if (error.ValueKind == JsonValueKind.String)
                {
                    body.Message = error.GetString();
                    return body;
                }
                if (error.ValueKind != JsonValueKind.Object) return body;
                body.Code = GetString(error, "code");
                body.Message = GetString(error, "message");
                if (TryGet(error, "innerError", out JsonElement inner) && inner.ValueKind == JsonValueKind.Object)
                {
                    body.RequestId = GetString(inner, "request-id");
                    body.ClientRequestId = GetString(inner, "client-request-id");
                    body.Date = GetString(inner, "date");
                }
            }
            catch (JsonException)
            {
            }
            return body;
        }

        // Graph spells it innerError; some services innererror.
        private static bool TryGet(JsonElement element, string name, out JsonElement value)
        {
            foreach (JsonProperty p in element.EnumerateObject())
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = p.Value;
                    return true;
                }
            }
            value = default;
            return false;
        }

        private static string? GetString(JsonElement element, string name) =>
            TryGet(element, name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    /// <summary>
    /// Turns a 403 into an error that names what is missing. The token's claims decide which: an app-only token's roles
    /// claim or a delegated token's scp lacks every permission the call accepts (GraphPermissionMissing); the scope is
    /// there but the wids claim shows none of the roles (GraphRoleMissing). When the token cannot be read, both
    /// possibilities are named (GraphAccessDenied).
    /// </summary>
    internal static class GraphAccessAnalysis
    {
        public static GraphException Explain(GraphRequirement requirement, GraphTokenClaims? claims, int status, GraphErrorBody error,
            string tenant, string? appId, string? requestId, string? clientRequestId)
        {
            string service = Service(status, error);
            string permissions = requirement.DescribePermissions();
            string roles = requirement.DescribeRoles();
            string app = appId ?? claims?.AppId ?? "the app";
            string who = claims?.UserPrincipalName ?? "the signed-in account";
            string id;
            string message;
            IReadOnlyList<string> missingPermissions = Array.Empty<string>();
            IReadOnlyList<EntraRole> missingRoles = Array.Empty<EntraRole>();
            bool? hasPermission = claims == null ? null : AnyPermission(requirement, claims);
            if (claims == null || hasPermission == null)
            {
                id = ErrorIds.GraphAccessDenied;
                message = $"Microsoft Graph refused to {requirement.Action} in {tenant} ({service}). This needs the permission {permissions} granted to {app}"
                    + (requirement.Roles.Count > 0 && claims?.IsAppOnly != true ? $", and a signed-in admin also needs one of the roles {roles}" : "")
                    + ". The token does not show which of these is missing.";
            }
            else if (claims.IsAppOnly)
            {
                if (hasPermission == false)
                {
                    id = ErrorIds.GraphPermissionMissing;
                    missingPermissions = requirement.Permissions;
                    message = $"Microsoft Graph refused to {requirement.Action} in {tenant} ({service}): the app {app} does not hold the application permission {permissions}. "
                        + $"Grant it to the app and give admin consent in {tenant}. The token carries: {Describe(claims.AppRoles)}.";
                }
                else
                {
                    id = ErrorIds.GraphAccessDenied;
                    message = $"Microsoft Graph refused to {requirement.Action} in {tenant} ({service}), although the token of app {app} carries {Held(requirement, claims)}.";
                }
            }
            else
            {
                bool? hasRole = AnyRole(requirement, claims);
                if (hasPermission == false)
                {
                    id = ErrorIds.GraphPermissionMissing;
                    missingPermissions = requirement.Permissions;
                    message = $"Microsoft Graph refused to {requirement.Action} in {tenant} ({service}): the delegated permission {permissions} is not granted to {app} for {who}. "
                        + $"Consent it for {app}. The token carries: {Describe(claims.Scopes)}.";
                    if (hasRole == false)
                    {
                        missingRoles = requirement.Roles;
                        message += $" {who} also holds none of the roles {roles}.";
                    }
                }
                else if (hasRole == false)
                {
                    id = ErrorIds.GraphRoleMissing;
                    missingRoles = requirement.Roles;
                    message = $"Microsoft Graph refused to {requirement.Action} in {tenant} ({service}): {who} holds none of the roles {roles} (the permission {Held(requirement, claims)} is granted). "
                        + "Assign one, or activate it if it is eligible through Privileged Identity Management, then sign in again.";
                }
                else if (hasRole == null && requirement.Roles.Count > 0)
                {
                    id = ErrorIds.GraphRoleMissing;
                    missingRoles = requirement.Roles;
                    message = $"Microsoft Graph refused to {requirement.Action} in {tenant} ({service}). The token carries the permission {Held(requirement, claims)} but does not list {who}'s roles, "
                        + $"so the likely cause is that {who} holds none of the roles {roles} (an eligible role must be activated first).";
                }
                else
                {
                    id = ErrorIds.GraphAccessDenied;
                    message = $"Microsoft Graph refused to {requirement.Action} in {tenant} ({service}), although the token carries {Held(requirement, claims)}"
                        + (requirement.Roles.Count > 0 ? $" and {who} holds one of the roles {roles}" : "") + ".";
                }
            }
            return new GraphException(id, ErrorKind.PermissionDenied, message, status, error.Code, requestId, clientRequestId, tenant)
            {
                ServiceMessage = error.Message == null ? null : Redaction.Apply(error.Message),
                Requirement = requirement,
                MissingPermissions = missingPermissions,
                MissingRoles = missingRoles,
            };
        }

        internal static string Service(int status, GraphErrorBody error)
        {
            string code = error.Code != null ? " " + error.Code : "";
            string text = error.Message != null ? ": " + Redaction.Apply(OneLine(error.Message)) : "";
            return "HTTP " + status + code + text;
        }

        private static bool? AnyPermission(GraphRequirement requirement, GraphTokenClaims claims)
        {
            bool? any = false;
            foreach (string p in requirement.Permissions)
            {
                bool? has = claims.HasPermission(p);
                if (has == null) return null;
                if (has == true) any = true;
            }
            return any;
        }

        private static bool? AnyRole(GraphRequirement requirement, GraphTokenClaims claims)
        {
            if (requirement.Roles.Count == 0) return true;
            if (claims.DirectoryRoleIds == null) return null;
            return requirement.Roles.Any(r => claims.DirectoryRoleIds.Any(w => string.Equals(w, r.TemplateId, StringComparison.OrdinalIgnoreCase)));
        }

        private static string Held(GraphRequirement requirement, GraphTokenClaims claims) =>
            string.Join(", ", requirement.Permissions.Where(p => claims.HasPermission(p) == true));

        private static string Describe(IReadOnlyList<string>? values) => values == null || values.Count == 0 ? "none" : string.Join(" ", values);

        internal static string OneLine(string s)
        {
            s = s.Replace("\r", " ").Replace("\n", " ");
            return s.Length > 1000 ? s.Substring(0, 1000) + "..." : s;
        }
    }
}
