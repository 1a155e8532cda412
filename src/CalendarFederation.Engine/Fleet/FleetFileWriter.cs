using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// Writes a <see cref="FleetDefinition"/> as the file <see cref="FleetFileReader"/> reads back to the same definition
    /// (docs/fleet.md §1, §5): both shared directions with equal settings fold into one Between entry; a one-way pair is
    /// a From/To entry (its "not shared" reverse follows from it). Only names of secrets are ever in a definition.
    /// </summary>
    public static class FleetFileWriter
    {
        /// <summary>A PowerShell data file: only literals, so Import-PowerShellDataFile and the module's loader read it without running code.</summary>
        public static string ToPsd1(FleetDefinition d)
        {
            if (d == null) throw new ArgumentNullException(nameof(d));
            var text = new StringBuilder();
            text.Append("@{\n    Tenants = @(\n");
            foreach (FleetTenant tenant in d.Tenants) text.Append("        ").Append(Psd1Table(TenantEntries(tenant))).Append('\n');
            text.Append("    )\n");
            AppendPsd1List(text, "Pairs", PairEntries(d));
            AppendPsd1List(text, "Exclude", ExcludeEntries(d));
            text.Append("}\n");
            return text.ToString();
        }

        public static string ToJson(FleetDefinition d)
        {
            if (d == null) throw new ArgumentNullException(nameof(d));
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                WriteJsonList(writer, "Tenants", d.Tenants.Select(TenantEntries).ToList());
                List<List<KeyValuePair<string, object>>> pairs = PairEntries(d), excludes = ExcludeEntries(d);
                if (pairs.Count > 0) WriteJsonList(writer, "Pairs", pairs);
                if (excludes.Count > 0) WriteJsonList(writer, "Exclude", excludes);
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        }

        /// <summary>PowerShell's single-quoted string: every kind of single quote it ends on (', ‘, ’, ‚, ‛) is doubled.</summary>
        public static string QuotePsd1(string value)
        {
            var quoted = new StringBuilder(value.Length + 2).Append('\'');
            foreach (char c in value)
            {
                quoted.Append(c);
                if (c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B') quoted.Append(c);
            }
            return quoted.Append('\'').ToString();
        }

        private static List<KeyValuePair<string, object>> TenantEntries(FleetTenant tenant)
        {
            var entries = new List<KeyValuePair<string, object>>();
            Add(entries, "Name", tenant.Name);
            Add(entries, "Organization", tenant.Organization);
            Add(entries, "TenantId", tenant.TenantId);
            if (!string.Equals(tenant.ExchangeEnvironmentName, FleetFileReader.DefaultEnvironment, StringComparison.OrdinalIgnoreCase)) Add(entries, "ExchangeEnvironmentName", tenant.ExchangeEnvironmentName);
            FleetConnect c = tenant.Connect;
            Add(entries, "AppId", c.AppId);
            switch (c.Kind)
            {
                case FleetConnectKind.CertificateThumbprint: Add(entries, "CertificateThumbprint", c.CertificateThumbprint); break;
                case FleetConnectKind.CertificateFile:
                    Add(entries, "CertificateFilePath", c.CertificateFilePath);
                    Add(entries, "CertificatePasswordEnvironmentVariable", c.CertificatePasswordEnvironmentVariable);
                    break;
                case FleetConnectKind.ManagedIdentity:
                    entries.Add(new KeyValuePair<string, object>("ManagedIdentity", true));
                    Add(entries, "ManagedIdentityClientId", c.ManagedIdentityClientId);
                    break;
                case FleetConnectKind.ClientSecretEnvironmentVariable: Add(entries, "ClientSecretEnvironmentVariable", c.ClientSecretEnvironmentVariable); break;
                case FleetConnectKind.ClientSecretVault:
                    Add(entries, "ClientSecretVault", c.ClientSecretVault);
                    Add(entries, "ClientSecretName", c.ClientSecretName);
                    break;
                case FleetConnectKind.Connection: Add(entries, "Connection", c.Connection); break;
            }
            return entries;
        }

        /// <summary>One entry per pair when both directions are shared alike, else one per shared direction; in the definition's order.</summary>
        private static List<List<KeyValuePair<string, object>>> PairEntries(FleetDefinition d)
        {
            var byKey = new Dictionary<string, FleetDirection>(StringComparer.OrdinalIgnoreCase);
            foreach (FleetDirection direction in d.Directions) byKey[direction.From + "->" + direction.To] = direction;
            var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var entries = new List<List<KeyValuePair<string, object>>>();
            foreach (FleetDirection direction in d.Directions.Where(x => x.Shared))
            {
                if (!done.Add(direction.From + "->" + direction.To)) continue;
                byKey.TryGetValue(direction.To + "->" + direction.From, out FleetDirection? reverse);
                var entry = new List<KeyValuePair<string, object>>();
                if (reverse != null && reverse.Shared && Same(direction.Settings, reverse.Settings))
                {
                    done.Add(reverse.From + "->" + reverse.To);
                    entry.Add(new KeyValuePair<string, object>("Between", new[] { direction.From, direction.To }));
                }
                else
                {
                    Add(entry, "From", direction.From);
                    Add(entry, "To", direction.To);
                }
                entry.AddRange(SettingEntries(direction.Settings));
                entries.Add(entry);
            }
            return entries;
        }

        private static List<List<KeyValuePair<string, object>>> ExcludeEntries(FleetDefinition d) => d.ExcludedPairs
            .OrderBy(k => k, StringComparer.OrdinalIgnoreCase)
            .Select(k => k.Split('|'))
            .Select(names => new List<KeyValuePair<string, object>>
            {
                new KeyValuePair<string, object>("Between", names.Select(n => d.FindTenant(n)?.Name ?? n).ToArray()),
            }).ToList();

        private static IEnumerable<KeyValuePair<string, object>> SettingEntries(FleetShareSettings s)
        {
            var entries = new List<KeyValuePair<string, object>>();
            if (s.Method != FederationMethod.Auto) Add(entries, "Method", s.Method.ToString());
            Add(entries, "FreeBusyAccessLevel", s.FreeBusyAccessLevel);
            Add(entries, "FreeBusyAccessScope", s.FreeBusyAccessScope);
            Add(entries, "MailTipsAccessLevel", s.MailTipsAccessLevel);
            Add(entries, "CalendarSharingAccessLevel", s.CalendarSharingAccessLevel);
            if (s.RoomBooking is bool roomBooking) entries.Add(new KeyValuePair<string, object>("RoomBooking", roomBooking));
            return entries;
        }

        internal static bool Same(FleetShareSettings a, FleetShareSettings b) =>
            a.Method == b.Method && Eq(a.FreeBusyAccessLevel, b.FreeBusyAccessLevel) && Eq(a.FreeBusyAccessScope, b.FreeBusyAccessScope)
            && Eq(a.MailTipsAccessLevel, b.MailTipsAccessLevel) && Eq(a.CalendarSharingAccessLevel, b.CalendarSharingAccessLevel) && a.RoomBooking == b.RoomBooking;

        private static bool Eq(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        private static void Add(List<KeyValuePair<string, object>> entries, string key, string? value)
        {
            if (value != null) entries.Add(new KeyValuePair<string, object>(key, value));
        }

        private static void AppendPsd1List(StringBuilder text, string name, List<List<KeyValuePair<string, object>>> entries)
        {
            if (entries.Count == 0) return;
            text.Append("    ").Append(name).Append(" = @(\n");
            foreach (var entry in entries) text.Append("        ").Append(Psd1Table(entry)).Append('\n');
            text.Append("    )\n");
        }

        private static string Psd1Table(List<KeyValuePair<string, object>> entries) =>
            "@{ " + string.Join("; ", entries.Select(e => e.Key + " = " + Psd1Value(e.Value))) + " }";

        private static string Psd1Value(object value) => value switch
        {
            bool b => b ? "$true" : "$false",
            string[] list => string.Join(", ", list.Select(QuotePsd1)),
            string s => QuotePsd1(s),
            _ => QuotePsd1(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
        };

        private static void WriteJsonList(Utf8JsonWriter writer, string name, List<List<KeyValuePair<string, object>>> entries)
        {
            writer.WriteStartArray(name);
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                foreach (var pair in entry)
                {
                    switch (pair.Value)
                    {
                        case bool b: writer.WriteBoolean(pair.Key, b); break;
                        case string[] list:
                            writer.WriteStartArray(pair.Key);
                            foreach (string item in list) writer.WriteStringValue(item);
                            writer.WriteEndArray();
                            break;
                        default: writer.WriteString(pair.Key, Convert.ToString(pair.Value, CultureInfo.InvariantCulture)); break;
                    }
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
    }
}
