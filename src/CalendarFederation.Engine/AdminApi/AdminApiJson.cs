using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace CalendarFederation.Engine.AdminApi
{
    /// <summary>An object the admin API returned: its properties in the server's order, open to any the server adds.</summary>
    public sealed class AdminObject
    {
        private readonly List<KeyValuePair<string, object?>> _properties;

        public AdminObject(List<KeyValuePair<string, object?>> properties) => _properties = properties;

        public IReadOnlyList<KeyValuePair<string, object?>> Properties => _properties;

        public object? this[string name]
        {
            get
            {
                foreach (var p in _properties)
                {
                    if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
                }
                return null;
            }
        }

        public bool Has(string name) => _properties.Any(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));

        public string? GetString(string name) => this[name] is object v ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

        public bool? GetBool(string name) => this[name] switch
        {
            bool b => b,
            string s when bool.TryParse(s, out bool parsed) => parsed,
            _ => null,
        };

        public string[] GetStrings(string name) => this[name] switch
        {
            object?[] items => items.Where(i => i != null).Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)!).ToArray(),
            string s => new[] { s },
            _ => Array.Empty<string>(),
        };
    }

    /// <summary>The admin API's JSON: the CmdletInput request envelope and the OData response.</summary>
    public static class AdminApiJson
    {
        public const string GenericHashTableType = "#Exchange.GenericHashTable";

        /// <summary>{"CmdletInput":{"CmdletName":"...","Parameters":{...}}}: arrays for multi-valued parameters, booleans for switches.</summary>
        public static byte[] BuildRequest(string cmdletName, IEnumerable<KeyValuePair<string, object?>> parameters)
        {
            using var stream = new MemoryStream(256);
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WritePropertyName("CmdletInput");
                writer.WriteStartObject();
                writer.WriteString("CmdletName", cmdletName);
                writer.WritePropertyName("Parameters");
                writer.WriteStartObject();
                foreach (var p in parameters)
                {
                    writer.WritePropertyName(p.Key);
                    WriteValue(writer, p.Value, 0);
                }
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            return stream.ToArray();
        }

        private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
        {
            if (depth > 16) throw new ArgumentException("Parameter values are nested too deeply.");
            switch (value)
            {
                case null: writer.WriteNullValue(); break;
                case string s: writer.WriteStringValue(s); break;
                case bool b: writer.WriteBooleanValue(b); break;
                case int i: writer.WriteNumberValue(i); break;
                case long l: writer.WriteNumberValue(l); break;
                case double d: writer.WriteNumberValue(d); break;
                case decimal m: writer.WriteNumberValue(m); break;
                case Enum e: writer.WriteStringValue(e.ToString()); break;
                case Guid g: writer.WriteStringValue(g.ToString("D")); break;
                case Uri u: writer.WriteStringValue(u.OriginalString); break;
                case DateTime dt: writer.WriteStringValue(dt.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)); break;
                case DateTimeOffset dto: writer.WriteStringValue(dto.ToString("o", CultureInfo.InvariantCulture)); break;
                case IDictionary dict:
                    // Exchange's add/remove syntax: @{Add=...; Remove=...}.
                    writer.WriteStartObject();
                    writer.WriteString("@odata.type", GenericHashTableType);
                    foreach (DictionaryEntry entry in dict)
                    {
                        writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                        WriteValue(writer, entry.Value, depth + 1);
                    }
                    writer.WriteEndObject();
                    break;
                case IEnumerable items:
                    writer.WriteStartArray();
                    foreach (object? item in items) WriteValue(writer, item, depth + 1);
                    writer.WriteEndArray();
                    break;
                default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
            }
        }

        /// <summary>One page: values, warnings and the next link. Throws JsonException for a body that is not the expected shape.</summary>
        public static AdminPage ParsePage(byte[] body, int length)
        {
            if (length == 0) return new AdminPage(new List<AdminObject>(), new List<string>(), null, hasValue: false);
            using JsonDocument doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(body, 0, length), new JsonDocumentOptions { MaxDepth = 64 });
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("The response is not a JSON object.");
            var values = new List<AdminObject>();
            var warnings = new List<string>();
            string? next = null;
            bool hasValue = false;
            bool valueIsNull = false;
            foreach (JsonProperty p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "value":
                        // Three shapes mean "no objects": a 204 (no body), "value":[] and "value":null, the last with
                        // warnings in the answers CIPP-API's New-ExoRequest.ps1 turns into output. A null value is the
                        // service saying there is nothing, so it reads as empty; only a *missing* value on a read is
                        // refused by the caller (docs/protocol-evidence.md, empty answers).
                        hasValue = true;
                        if (p.Value.ValueKind == JsonValueKind.Array)
                        {
                            foreach (JsonElement item in p.Value.EnumerateArray())
                            {
                                if (item.ValueKind == JsonValueKind.Object) values.Add(ToObject(item));
                            }
                        }
                        else if (p.Value.ValueKind == JsonValueKind.Null)
                        {
                            valueIsNull = true;
                        }
                        else
                        {
                            throw new JsonException("'value' is not an array.");
                        }
                        break;
                    case "@adminapi.warnings":
                        if (p.Value.ValueKind == JsonValueKind.Array)
                        {
                            foreach (JsonElement w in p.Value.EnumerateArray())
                            {
                                if (w.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(w.GetString())) warnings.Add(w.GetString()!);
                            }
                        }
                        break;
                    case "@odata.nextLink":
                        if (p.Value.ValueKind == JsonValueKind.String) next = p.Value.GetString();
                        break;
                }
            }
            return new AdminPage(values, warnings, next, hasValue) { ValueIsNull = valueIsNull };
        }

        private static AdminObject ToObject(JsonElement element)
        {
            var props = new List<KeyValuePair<string, object?>>();
            foreach (JsonProperty p in element.EnumerateObject())
            {
                // "Prop@odata.type" annotations describe the server's types; they are not properties.
                if (p.Name.IndexOf('@') >= 0) continue;
                props.Add(new KeyValuePair<string, object?>(p.Name, ToValue(p.Value)));
            }
            return new AdminObject(props);
        }

        private static object? ToValue(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Null:
                case JsonValueKind.Undefined: return null;
                case JsonValueKind.Number:
                    if (e.TryGetInt32(out int i)) return i;
                    if (e.TryGetInt64(out long l)) return l;
                    return e.GetDouble();
                case JsonValueKind.Array: return e.EnumerateArray().Select(ToValue).ToArray();
                case JsonValueKind.Object: return ToObject(e);
                default: return e.GetRawText();
            }
        }
    }

    public sealed class AdminPage
    {
        public AdminPage(List<AdminObject> values, List<string> warnings, string? nextLink, bool hasValue = true)
        {
            HasValue = hasValue;
            Values = values;
            Warnings = warnings;
            NextLink = nextLink;
        }

        public List<AdminObject> Values { get; }
        public List<string> Warnings { get; }
        public string? NextLink { get; }

        /// <summary>Whether the answer carried "value" at all (an empty array and null count).</summary>
        public bool HasValue { get; }

        /// <summary>The answer carried "value":null, which reads as no objects.</summary>
        public bool ValueIsNull { get; internal set; }
    }
}
