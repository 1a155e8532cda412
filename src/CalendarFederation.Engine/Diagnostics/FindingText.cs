using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.AdminApi;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>Small pieces of finding text shared by the checks.</summary>
    internal static class FindingText
    {
        public static string Join(IEnumerable<string> items) => string.Join(", ", items);

        /// <summary>Domains as PowerShell's @{Add=...} wants them: 'a.com','b.com'.</summary>
        public static string Quoted(IEnumerable<string> items) => string.Join(",", items.Select(m => "'" + m + "'"));

        public static string FirstLines(string? text) => text == null ? "" : string.Join(" ", text.Split('\n').Take(3).Select(l => l.Trim()));

        /// <summary>False when the relationship shares no free/busy: not enabled, or level None.</summary>
        public static bool SharesFreeBusy(AdminObject relationship) =>
            relationship.GetBool("FreeBusyAccessEnabled") == true
            && !string.Equals(relationship.GetString("FreeBusyAccessLevel"), "None", System.StringComparison.OrdinalIgnoreCase);

        public static HashSet<string> DomainSet(AdminObject relationship) =>
            new HashSet<string>(relationship.GetStrings("DomainNames").Select(DiagnosticsContext.Normalize), System.StringComparer.OrdinalIgnoreCase);
    }
}
