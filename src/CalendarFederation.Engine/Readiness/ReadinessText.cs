using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Discovery;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>How the rows' reasons and next steps are written: sentences, steps in order, quoted names, grant commands.</summary>
    internal static class ReadinessText
    {
        /// <summary>Steps in order, "; " between them; empty ones (a stop-gap that no longer exists) left out.</summary>
        internal static string Steps(params string[] steps) => string.Join("; ", steps.Where(s => !string.IsNullOrWhiteSpace(s)));

        internal static string Meanwhile(string step) => step.Length == 0 ? "" : "meanwhile " + step;

        /// <summary>A PowerShell single-quoted string.</summary>
        internal static string Q(string value) => "'" + (value ?? "").Replace("'", "''") + "'";

        internal static string Norm(string domain) => SmtpDomain.TryNormalize(domain, out _) ?? domain.Trim().ToLowerInvariant();

        internal static string Sentence(IEnumerable<string> parts)
        {
            string text = string.Join("; ", parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim().TrimEnd('.')));
            return text.Length == 0 ? "" : char.ToUpperInvariant(text[0]) + text.Substring(1) + ".";
        }

        internal static string Grant(string domain, CapabilityNeeds needs)
        {
            var text = new System.Text.StringBuilder("Grant-CrossTenantCalendarAccess -DomainName ").Append(domain);
            if (needs.FreeBusy != FreeBusyAccessLevel.None) text.Append(" -FreeBusyAccessLevel ").Append(needs.FreeBusy);
            if (needs.FreeBusyScope != null) text.Append(" -FreeBusyAccessScope ").Append(Q(needs.FreeBusyScope));
            if (needs.MailTips != MailTipsAccessLevel.None) text.Append(" -MailTipsAccessLevel ").Append(needs.MailTips);
            if (needs.MailTipsScope != null) text.Append(" -MailTipsAccessScope ").Append(Q(needs.MailTipsScope));
            if (needs.CalendarSharing != CalendarSharingAccessLevel.None) text.Append(" -CalendarSharingAccessLevel ").Append(needs.CalendarSharing);
            return text.ToString();
        }
    }
}
