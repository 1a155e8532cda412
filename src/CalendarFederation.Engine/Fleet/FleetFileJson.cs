using System;
using System.Collections.Generic;
using System.Text.Json;

namespace CalendarFederation.Engine.Fleet
{
    public static partial class FleetFileReader
    {
        private static readonly JsonDocumentOptions JsonOptions = new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };

        /// <summary>The same model as JSON (docs/fleet.md §1): parsed into the neutral graph, then <see cref="Read"/>.</summary>
        public static FleetDefinition ReadJson(string json, string sourcePath)
        {
            if (json == null) throw new ArgumentNullException(nameof(json));
            string source = string.IsNullOrEmpty(sourcePath) ? "(in memory)" : sourcePath;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json, JsonOptions);
            }
            catch (JsonException ex)
            {
                // LineNumber and BytePositionInLine count from 0. The parser's message (and so the exception) is not kept: it can
                // quote the file's text, and the file may hold a pasted secret.
                string where = ex.LineNumber is long line ? "line " + (line + 1) + ", position " + ((ex.BytePositionInLine ?? 0) + 1) : "an unknown place";
                throw new EngineException(ErrorIds.FleetFileInvalid, ErrorKind.InvalidData,
                    "The fleet file " + source + " is not valid JSON: the text breaks off or is malformed at " + where + ".", source);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw FleetNode.Invalid(source, "(the file)", "must be one JSON object");
                return Read((IDictionary<string, object?>)ToGraph(document.RootElement, "", source)!, sourcePath);
            }
        }

        private static object? ToGraph(JsonElement element, string path, string source)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        string child = path.Length == 0 ? property.Name : path + "." + property.Name;
                        if (map.ContainsKey(property.Name)) throw FleetNode.Invalid(source, child, "is given twice (keys are case-insensitive)");
                        map[property.Name] = ToGraph(property.Value, child, source);
                    }
                    return map;
                case JsonValueKind.Array:
                    var list = new List<object?>();
                    int i = 0;
                    foreach (JsonElement item in element.EnumerateArray()) list.Add(ToGraph(item, path + "[" + i++ + "]", source));
                    return list;
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    return element.TryGetInt64(out long whole) ? whole : (object)element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }
    }
}
