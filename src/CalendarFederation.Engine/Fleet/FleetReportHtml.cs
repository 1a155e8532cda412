using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// Writes the federation map as one HTML page (docs/fleet.md §6): inline style and script only, no reference to anything
    /// outside the page, every value HTML-encoded. Each off-diagonal cell carries data-from, data-to and data-health, so
    /// scripts and the browser test (tests/CalendarFederation.Tests/Fleet/FleetMapBrowserTests.cs) can read it.
    /// </summary>
    internal static class FleetReportHtml
    {
        // Legend order: what needs attention last, next to each other.
        private static readonly FleetCellHealthKind[] LegendOrder =
        {
            FleetCellHealthKind.Works, FleetCellHealthKind.WorksUntil2027, FleetCellHealthKind.OneWay,
            FleetCellHealthKind.Broken, FleetCellHealthKind.Unknown, FleetCellHealthKind.Empty,
        };

        public static string Write(FleetReportMatrix m)
        {
            var html = new StringBuilder(4096 + m.Tenants.Count * m.Tenants.Count * 160);
            html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
            // The browser itself refuses any load from elsewhere: no script, style, font or image outside this page.
            html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
            html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Federation map</title>\n");
            html.Append("<style>").Append(FleetReportAssets.Style).Append("</style>\n</head>\n<body>\n");
            Header(html, m);
            Matrix(html, m);
            Details(html, m);
            Readiness(html, m);
            html.Append("<script>").Append(FleetReportAssets.Script).Append("</script>\n</body>\n</html>\n");
            return html.ToString();
        }

        private static void Header(StringBuilder html, FleetReportMatrix m)
        {
            html.Append("<header><h1>Federation map</h1><p class=\"meta\">")
                .Append(E(m.Tenants.Count.ToString(CultureInfo.InvariantCulture))).Append(" tenants; read ")
                .Append(E(m.ReadAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)));
            if (m.SourcePath != null) html.Append("; from ").Append(E(m.SourcePath));
            html.Append(". Row shares its free/busy with column.</p></header>\n");

            html.Append("<div class=\"bar\"><label>Filter <input id=\"filter\" type=\"search\" placeholder=\"tenant name\" autocomplete=\"off\"></label>")
                .Append("<span id=\"shown\">").Append(m.Tenants.Count.ToString(CultureInfo.InvariantCulture)).Append(" tenants</span>\n<ul id=\"legend\">");
            IReadOnlyDictionary<FleetCellHealthKind, int> counts = m.Counts();
            foreach (FleetCellHealthKind h in LegendOrder)
            {
                html.Append("<li data-health=\"").Append(h).Append("\"><i class=\"sw h-").Append(h).Append("\"></i>")
                    .Append(E(Label(h))).Append(" <b data-count=\"").Append(h).Append("\">")
                    .Append(counts[h].ToString(CultureInfo.InvariantCulture)).Append("</b></li>");
            }
            html.Append("</ul>\n<p class=\"codes\">A AvailabilityOnly, L LimitedDetails; X cross-tenant access, R organization relationship; ? unknown</p></div>\n");
        }

        private static void Matrix(StringBuilder html, FleetReportMatrix m)
        {
            html.Append("<div class=\"wrap\" id=\"map\"><table class=\"m\" id=\"matrix\">\n<thead><tr><th class=\"corner\">shares with</th>");
            for (int c = 0; c < m.Tenants.Count; c++)
            {
                string t = E(m.Tenants[c]);
                html.Append("<th class=\"col\" scope=\"col\" data-tenant=\"").Append(t).Append("\"><span>").Append(t).Append("</span></th>");
            }
            html.Append("</tr></thead>\n<tbody>\n");
            for (int r = 0; r < m.Tenants.Count; r++)
            {
                string from = m.Tenants[r];
                html.Append("<tr data-tenant=\"").Append(E(from)).Append("\"><th class=\"row\" scope=\"row\">").Append(E(from)).Append("</th>");
                for (int c = 0; c < m.Tenants.Count; c++)
                {
                    FleetReportCell? cell = r == c ? null : m.Cell(from, m.Tenants[c]);
                    if (cell == null) html.Append("<td class=\"self\"></td>");
                    else Cell(html, cell, r, c);
                }
                html.Append("</tr>\n");
            }
            html.Append("</tbody></table></div>\n");
        }

        private static void Cell(StringBuilder html, FleetReportCell cell, int r, int c)
        {
            string title = cell.From + " shares with " + cell.To + ": " + Label(cell.Health)
                + (cell.Level != null ? ", " + cell.Level : "") + (cell.Method != null && cell.Health != FleetCellHealthKind.Empty ? ", " + cell.Method : "");
            html.Append("<td class=\"h-").Append(cell.Health).Append("\" data-from=\"").Append(E(cell.From)).Append("\" data-to=\"")
                .Append(E(cell.To)).Append("\" data-health=\"").Append(cell.Health).Append("\" title=\"").Append(E(title)).Append("\">");
            string code = E(Code(cell));
            if (HasDetails(cell)) html.Append("<a href=\"#").Append(DetailId(r, c)).Append("\">").Append(code).Append("</a>");
            else html.Append(code);
            html.Append("</td>");
        }

        private static void Details(StringBuilder html, FleetReportMatrix m)
        {
            html.Append("<section id=\"details\"><h2>Broken and unknown</h2>\n");
            int shown = 0;
            for (int r = 0; r < m.Tenants.Count; r++)
            {
                for (int c = 0; c < m.Tenants.Count; c++)
                {
                    FleetReportCell? cell = r == c ? null : m.Cell(m.Tenants[r], m.Tenants[c]);
                    if (cell == null || !HasDetails(cell)) continue;
                    shown++;
                    html.Append("<article id=\"").Append(DetailId(r, c)).Append("\" class=\"h-").Append(cell.Health).Append("\" data-from=\"")
                        .Append(E(cell.From)).Append("\" data-to=\"").Append(E(cell.To)).Append("\" data-health=\"").Append(cell.Health).Append("\"><h3>")
                        .Append(E(cell.From)).Append(" shares with ").Append(E(cell.To)).Append(": ").Append(E(Label(cell.Health))).Append("</h3>");
                    List(html, cell.Reasons, "reasons");
                    if (cell.Findings.Count > 0)
                    {
                        html.Append("<p class=\"findings-of\">Test-OrganizationRelationship (").Append(E(cell.From)).Append(" with ").Append(E(cell.To)).Append("):</p>");
                        List(html, cell.Findings, "findings");
                    }
                    html.Append("</article>\n");
                }
            }
            if (shown == 0) html.Append("<p>None: every direction the file asks for is in place.</p>\n");
            html.Append("</section>\n");
        }

        private static void Readiness(StringBuilder html, FleetReportMatrix m)
        {
            if (m.Readiness.Count == 0) return;
            html.Append("<section id=\"readiness\"><h2>Readiness</h2>\n<table class=\"r\"><thead><tr><th>Tenant</th><th>Object</th><th>Partner</th>")
                .Append("<th>Verdict</th><th>Deadline</th><th>Next step</th></tr></thead><tbody>\n");
            foreach (string tenant in m.Tenants)
            {
                if (!m.Readiness.TryGetValue(tenant, out IReadOnlyList<FleetReportReadiness>? lines)) continue;
                foreach (FleetReportReadiness line in lines)
                {
                    string deadline = line.Deadline?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
                    html.Append("<tr data-tenant=\"").Append(E(tenant)).Append("\" data-verdict=\"").Append(E(line.Verdict)).Append("\"><td>")
                        .Append(E(tenant)).Append("</td><td>").Append(E(line.Identity)).Append("</td><td>").Append(E(line.Partner)).Append("</td><td>")
                        .Append(E(line.Verdict)).Append("</td><td>").Append(E(deadline)).Append("</td><td>").Append(E(line.NextStep)).Append("</td></tr>\n");
                }
            }
            html.Append("</tbody></table></section>\n");
        }

        private static void List(StringBuilder html, IEnumerable<string> items, string kind)
        {
            html.Append("<ul class=\"").Append(kind).Append("\">");
            foreach (string item in items) html.Append("<li>").Append(E(item)).Append("</li>");
            html.Append("</ul>");
        }

        private static bool HasDetails(FleetReportCell cell) =>
            cell.Health == FleetCellHealthKind.Broken || cell.Health == FleetCellHealthKind.Unknown;

        private static string DetailId(int r, int c) => "c-" + r.ToString(CultureInfo.InvariantCulture) + "-" + c.ToString(CultureInfo.InvariantCulture);

        /// <summary>The two letters in a cell: level (A, L) and method (X, R); "?" when unknown; "-" one way; empty when not asked.</summary>
        internal static string Code(FleetReportCell cell)
        {
            switch (cell.Health)
            {
                case FleetCellHealthKind.Empty: return "";
                case FleetCellHealthKind.Unknown: return "?";
                case FleetCellHealthKind.OneWay: return "-";
            }
            string level = string.Equals(cell.Level, "LimitedDetails", StringComparison.OrdinalIgnoreCase) ? "L" : "A";
            string method = string.Equals(cell.Method, "OrganizationRelationship", StringComparison.OrdinalIgnoreCase) ? "R" : "X";
            return level + method;
        }

        internal static string Label(FleetCellHealthKind h) => h switch
        {
            FleetCellHealthKind.Works => "Works",
            FleetCellHealthKind.WorksUntil2027 => "Works until 2027-04-01",
            FleetCellHealthKind.OneWay => "One way by design",
            FleetCellHealthKind.Broken => "Broken",
            FleetCellHealthKind.Unknown => "Unknown",
            _ => "Not shared",
        };

        /// <summary>HTML-encodes text for element content and double- or single-quoted attributes.</summary>
        internal static string E(string? text)
        {
            if (string.IsNullOrEmpty(text)) return "";
            var sb = new StringBuilder(text!.Length + 16);
            foreach (char ch in text)
            {
                switch (ch)
                {
                    case '&': sb.Append("&amp;"); break;
                    case '<': sb.Append("&lt;"); break;
                    case '>': sb.Append("&gt;"); break;
                    case '"': sb.Append("&quot;"); break;
                    case '\'': sb.Append("&#39;"); break;
                    default: sb.Append(ch); break;
                }
            }
            return sb.ToString();
        }
    }
}
