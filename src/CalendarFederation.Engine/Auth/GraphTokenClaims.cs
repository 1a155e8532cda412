using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>
    /// What a Microsoft Graph access token says about its caller, read without checking the signature (Graph does that):
    /// the tenant and audience, to decide whether a supplied token may be used, and the delegated scopes (scp), app
    /// permissions (roles) and directory roles (wids), to explain a 403. Graph tokens are not meant to be read by
    /// clients and may become opaque: every use tolerates <see cref="TryParse"/> returning null.
    /// </summary>
    public sealed class GraphTokenClaims
    {
        private GraphTokenClaims() { }

        public string? TenantId { get; private set; }
        public string? Audience { get; private set; }
        public string? AppId { get; private set; }
        public string? UserPrincipalName { get; private set; }
        public DateTimeOffset? ExpiresOn { get; private set; }

        /// <summary>True for an app-only token (client credentials or managed identity).</summary>
        public bool IsAppOnly { get; private set; }

        /// <summary>Delegated permissions (the scp claim); null when the claim is absent.</summary>
        public IReadOnlyList<string>? Scopes { get; private set; }

        /// <summary>Application permissions (the roles claim); null when the claim is absent.</summary>
        public IReadOnlyList<string>? AppRoles { get; private set; }

        /// <summary>The signed-in user's active directory role template ids (the wids claim); null when absent.</summary>
        public IReadOnlyList<string>? DirectoryRoleIds { get; private set; }

        public static GraphTokenClaims? TryParse(string? token)
        {
            if (string.IsNullOrEmpty(token)) return null;
            string[] parts = token!.Split('.');
            if (parts.Length != 3) return null;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(JwtClaims.Base64UrlDecode(parts[1]));
                JsonElement root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                var claims = new GraphTokenClaims
                {
                    TenantId = GetString(root, "tid"),
                    Audience = GetString(root, "aud"),
                    AppId = GetString(root, "appid") ?? GetString(root, "azp"),
                    UserPrincipalName = GetString(root, "upn") ?? GetString(root, "preferred_username") ?? GetString(root, "unique_name"),
                    AppRoles = GetStrings(root, "roles"),
                    DirectoryRoleIds = GetStrings(root, "wids"),
                };
                string? scp = GetString(root, "scp");
                if (scp != null) claims.Scopes = scp.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                if (root.TryGetProperty("exp", out JsonElement exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out long seconds))
                {
                    claims.ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(seconds);
                }
                claims.IsAppOnly = GetString(root, "idtyp") == "app" || (scp == null && claims.UserPrincipalName == null);
                return claims;
            }
            catch (Exception ex) when (ex is FormatException || ex is JsonException || ex is ArgumentException)
            {
                return null;
            }
        }

        /// <summary>True when the token carries <paramref name="permission"/> as a scope (delegated) or an app role (app-only).</summary>
        public bool? HasPermission(string permission)
        {
            IReadOnlyList<string>? granted = IsAppOnly ? AppRoles : Scopes;
            if (granted == null) return null;
            return granted.Any(p => string.Equals(p, permission, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>The audience is this Graph host (its URL, with or without a trailing slash) or Graph's well-known app id.</summary>
        public bool IsForGraph(Uri graph)
        {
            if (Audience == null) return false;
            if (string.Equals(Audience, GraphAppId, StringComparison.OrdinalIgnoreCase)) return true;
            string host = graph.GetLeftPart(UriPartial.Authority);
            return string.Equals(Audience.TrimEnd('/'), host.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Microsoft Graph's application id, which access tokens for it may carry as their audience.</summary>
        public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

        private static string? GetString(JsonElement root, string name) =>
            root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static IReadOnlyList<string>? GetStrings(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Array) return null;
            return value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray();
        }
    }
}
