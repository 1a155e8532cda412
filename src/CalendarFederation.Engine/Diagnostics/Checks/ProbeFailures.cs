using System;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using Microsoft.Identity.Client;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>
    /// Why the probe got no answer. Missing consent or permission means the question could not run (an Info: nothing is
    /// known about free/busy either way); anything else is a failed question (a Warning). docs/protocol-evidence.md §10.
    /// </summary>
    internal static class ProbeFailures
    {
        // AADSTS65002: a Microsoft first-party client asking a scope it is not preauthorized for; no tenant consent helps then.
        private const string FirstPartyNotPreauthorized = "AADSTS65002";

        /// <summary>The outcome for an exception of the token request or of getSchedule.</summary>
        public static ProbeOutcome From(Exception ex, string scope)
        {
            if (ex is AdminApiException api && api.StatusCode == 403)
            {
                return ProbeOutcome.NotRun($"Microsoft Graph refused getSchedule (HTTP 403: {api.Message})");
            }
            MsalException? msal = FindMsal(ex);
            if ((ex is EngineException engine && engine.ErrorId == ErrorIds.GraphConsentRequired) || (msal != null && IsConsent(msal)))
            {
                string detail = msal != null ? Redaction.Apply(FirstLine(msal.Message)) : ex.Message;
                return ProbeOutcome.NotRun($"no Microsoft Graph token for {scope} ({detail})");
            }
            if (msal != null && ex == msal) return ProbeOutcome.Failed($"Microsoft Graph sign-in failed ({msal.ErrorCode}): {Redaction.Apply(FirstLine(msal.Message))}");
            return ProbeOutcome.Failed(ex.Message);
        }

        /// <summary>consent_required, AADSTS65001 and the other consent codes (an invalid_grant carries them), or a first-party client not preauthorized.</summary>
        internal static bool IsConsent(MsalException ex) =>
            GraphSignInErrors.IsConsent(ex) || ex.Message.IndexOf(FirstPartyNotPreauthorized, StringComparison.OrdinalIgnoreCase) >= 0;

        private static MsalException? FindMsal(Exception? ex)
        {
            for (; ex != null; ex = ex.InnerException)
            {
                if (ex is MsalException msal) return msal;
            }
            return null;
        }

        private static string FirstLine(string s)
        {
            int i = s.IndexOfAny(new[] { '\r', '\n' });
            return i < 0 ? s : s.Substring(0, i);
        }
    }
}
