using System.Text.RegularExpressions;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>Removes anything that looks like a token or a secret-bearing form field from text bound for logs.</summary>
    public static class Redaction
    {
        // A JWT (three base64url parts, the first starting with eyJ), a bearer header, and OAuth form fields.
        private static readonly Regex Jwt = new Regex(@"eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        private static readonly Regex Bearer = new Regex(@"(?i)(bearer\s+)[^\s""',]+", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        private static readonly Regex FormSecrets = new Regex(@"(?i)((?:client_secret|client_assertion|refresh_token|access_token|id_token|code|device_code|password|code_verifier)=)[^&\s""]+", RegexOptions.Compiled | RegexOptions.CultureInvariant);
        private static readonly Regex JsonSecrets = new Regex(@"(?i)(""(?:access_token|refresh_token|id_token|client_secret|client_assertion|device_code)""\s*:\s*"")[^""]*", RegexOptions.Compiled | RegexOptions.CultureInvariant);

        public static string Apply(string? text)
        {
            if (string.IsNullOrEmpty(text)) return text ?? "";
            string s = Jwt.Replace(text!, "[redacted token]");
            s = Bearer.Replace(s, "$1[redacted]");
            s = FormSecrets.Replace(s, "$1[redacted]");
            s = JsonSecrets.Replace(s, "$1[redacted]");
            return s;
        }
    }
}
