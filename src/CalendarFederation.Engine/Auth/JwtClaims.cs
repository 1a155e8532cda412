using System;
using System.Text;
using System.Text.Json;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>
    /// Reads the claims of an access token the caller brought, to learn its tenant, account and expiry.
    /// No signature check: the admin API does that; this only decides where to send the token.
    /// </summary>
    public sealed class JwtClaims
    {
        private JwtClaims() { }

        public string? TenantId { get; private set; }
        public string? UserPrincipalName { get; private set; }
        public string? AppId { get; private set; }
        public string? Audience { get; private set; }
        public DateTimeOffset? ExpiresOn { get; private set; }
        public bool IsAppOnly { get; private set; }

        public static JwtClaims? TryParse(string? token)
        {
            if (string.IsNullOrEmpty(token)) return null;
            string[] parts = token!.Split('.');
            if (parts.Length != 3) return null;
            try
            {
                byte[] payload = Base64UrlDecode(parts[1]);
                using JsonDocument doc = JsonDocument.Parse(payload);
                JsonElement root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                var claims = new JwtClaims
                {
                    TenantId = GetString(root, "tid"),
                    UserPrincipalName = GetString(root, "upn") ?? GetString(root, "preferred_username") ?? GetString(root, "unique_name"),
                    AppId = GetString(root, "appid") ?? GetString(root, "azp"),
                    Audience = GetString(root, "aud"),
                };
                if (root.TryGetProperty("exp", out JsonElement exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out long seconds))
                {
                    claims.ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(seconds);
                }
                claims.IsAppOnly = claims.UserPrincipalName == null
                    && (GetString(root, "idtyp") == "app" || !root.TryGetProperty("scp", out _));
                return claims;
            }
            catch (Exception ex) when (ex is FormatException || ex is JsonException || ex is ArgumentException)
            {
                return null;
            }
        }

        private static string? GetString(JsonElement root, string name) =>
            root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        internal static byte[] Base64UrlDecode(string s)
        {
            string b = s.Replace('-', '+').Replace('_', '/');
            switch (b.Length % 4)
            {
                case 2: b += "=="; break;
                case 3: b += "="; break;
                case 1: throw new FormatException("Not base64url.");
            }
            return Convert.FromBase64String(b);
        }

        internal static string Describe(byte[] bytes) => Encoding.UTF8.GetString(bytes);
    }
}
