using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// One table of the fleet file's neutral graph (dictionaries, lists, text, bool, numbers, null), with the key path
    /// every error names ("Tenants[2].Organization"). Keys are matched case-insensitively (docs/fleet.md §1).
    /// </summary>
    internal sealed class FleetNode
    {
        private readonly Dictionary<string, object?> _map;

        private FleetNode(Dictionary<string, object?> map, string path, string source)
        {
            _map = map;
            Path = path;
            Source = source;
        }

        public string Path { get; }
        public string Source { get; }
        public IEnumerable<string> Keys => _map.Keys;

        public static FleetNode From(object? value, string path, string source)
        {
            var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            IEnumerable<KeyValuePair<string, object?>> pairs = value switch
            {
                IDictionary<string, object?> generic => generic,
                IDictionary plain => plain.Keys.Cast<object>().Select(k => new KeyValuePair<string, object?>(Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture) ?? "", plain[k])),
                _ => throw Invalid(source, path, "must be a table (@{ ... } or a JSON object)"),
            };
            foreach (var pair in pairs)
            {
                if (map.ContainsKey(pair.Key)) throw Invalid(source, Join(path, pair.Key), "is given twice (keys are case-insensitive)");
                map[pair.Key] = pair.Value;
            }
            return new FleetNode(map, path, source);
        }

        public string PathOf(string key) => Join(Path, key);

        private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

        /// <summary>Unknown keys are errors, so a typo never silently means "default"; a secret-looking one is refused as a secret.</summary>
        public void RequireKnown(IReadOnlyCollection<string> known, string what)
        {
            foreach (string key in _map.Keys)
            {
                if (known.Contains(key, StringComparer.OrdinalIgnoreCase)) continue;
                if (FleetSecretNames.IsSecretKey(key)) throw FleetSecretNames.Inline(Source, PathOf(key));
                throw Invalid(Source, PathOf(key), "is not a key " + what + " has (known: " + string.Join(", ", known) + ")");
            }
        }

        public bool Has(string key) => _map.TryGetValue(key, out object? v) && v != null;

        public object? Raw(string key) => _map.TryGetValue(key, out object? v) ? v : null;

        /// <summary>Text, trimmed; null when absent or $null. Anything else, or an empty text, is an error.</summary>
        public string? Text(string key)
        {
            object? value = Raw(key);
            if (value == null) return null;
            if (!(value is string s)) throw Invalid(Source, PathOf(key), "must be text");
            if (s.Trim().Length == 0) throw Invalid(Source, PathOf(key), "is empty");
            return s.Trim();
        }

        public bool? Bool(string key)
        {
            object? value = Raw(key);
            if (value == null) return null;
            if (value is bool b) return b;
            throw Invalid(Source, PathOf(key), "must be $true or $false");
        }

        /// <summary>A list; one text stands for a list of one. Null when absent.</summary>
        public IReadOnlyList<object?>? List(string key)
        {
            object? value = Raw(key);
            return value == null ? null : AsList(value, PathOf(key), Source);
        }

        public static IReadOnlyList<object?> AsList(object value, string path, string source)
        {
            if (value is string) return new[] { value };
            if (value is IDictionary || value is IDictionary<string, object?>) throw Invalid(source, path, "must be a list (@( ... ) or a JSON array)");
            if (value is IEnumerable items) return items.Cast<object?>().ToList();
            throw Invalid(source, path, "must be a list (@( ... ) or a JSON array)");
        }

        /// <summary>An enum value by name (case-insensitive, never a number), in its canonical spelling.</summary>
        public T? Enum<T>(string key, IReadOnlyCollection<T> allowed) where T : struct, System.Enum
        {
            string? text = Text(key);
            if (text == null) return null;
            if (System.Enum.TryParse(text, true, out T value) && !char.IsDigit(text[0]) && text[0] != '-' && allowed.Contains(value)) return value;
            throw Invalid(Source, PathOf(key), "is '" + text + "'; it must be one of " + string.Join(", ", allowed));
        }

        public static EngineException Invalid(string source, string path, string what) =>
            new EngineException(ErrorIds.FleetFileInvalid, ErrorKind.InvalidData, "The fleet file " + source + " is not valid: " + path + " " + what + ".", source);

        public EngineException Invalid(string key, string what) => Invalid(Source, key.Length == 0 ? Path : PathOf(key), what);
    }

    /// <summary>Names of secrets are allowed in the file; secrets are not (docs/fleet.md §1).</summary>
    internal static class FleetSecretNames
    {
        private static readonly Regex EnvironmentVariableName = new Regex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", RegexOptions.CultureInvariant);
        // SecretManagement accepts more, but a name longer than this or with other characters is far more likely a pasted secret.
        private static readonly Regex VaultEntryName = new Regex("^[A-Za-z0-9][A-Za-z0-9_.\\- ]{0,63}$", RegexOptions.CultureInvariant);

        public static bool IsSecretKey(string key) =>
            key.IndexOf("Secret", StringComparison.OrdinalIgnoreCase) >= 0 || key.IndexOf("Password", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>The text of a key that must hold the name of an environment variable (or a vault entry); never echoed.</summary>
        public static string? Name(FleetNode node, string key, bool environmentVariable)
        {
            object? value = node.Raw(key);
            if (value == null) return null;
            if (!(value is string s) || !(environmentVariable ? EnvironmentVariableName : VaultEntryName).IsMatch(s.Trim()))
            {
                throw Inline(node.Source, node.PathOf(key));
            }
            return s.Trim();
        }

        // The message names the key, never the value.
        public static EngineException Inline(string source, string path) =>
            new EngineException(ErrorIds.FleetFileSecretInline, ErrorKind.SecurityError,
                "The fleet file " + source + " holds a secret at " + path + ": give the name of an environment variable or a vault entry there, never the secret itself.", source);
    }
}
