using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// Turns the file's Pairs and Exclude into directions (docs/fleet.md §1 "Pairs"): '*' is every other tenant, later
    /// entries refine earlier ones key by key for the same direction, the reverse of a one-way pair is "not shared",
    /// and both directions of a pair must use the same method.
    /// </summary>
    internal static class FleetPairExpander
    {
        private static readonly string[] PairKeys = new[] { "Between", "From", "To" }.Concat(FleetSettingsOverlay.Keys).ToArray();
        private static readonly string[] ExcludeKeys = { "Between" };

        private sealed class Produced
        {
            public Produced(string from, string to, FleetShareSettings settings) { From = from; To = to; Settings = settings; }
            public string From { get; }
            public string To { get; }
            public FleetShareSettings Settings { get; }
            /// <summary>The last Pairs entry that set this direction, for the method conflict's message.</summary>
            public string Entry { get; set; } = "";
        }

        public static void Expand(FleetNode top, FleetDefinition definition, FleetShareSettings defaults, string source)
        {
            var produced = new Dictionary<string, Produced>(StringComparer.OrdinalIgnoreCase);
            var order = new List<Produced>();
            IReadOnlyList<object?> pairs = top.List("Pairs") ?? Array.Empty<object?>();
            for (int i = 0; i < pairs.Count; i++)
            {
                FleetNode node = FleetNode.From(pairs[i], "Pairs[" + i + "]", source);
                node.RequireKnown(PairKeys, "a pair");
                FleetSettingsOverlay overlay = FleetSettingsOverlay.Read(node, defaults.Method);
                foreach ((string from, string to) in Directions(node, definition))
                {
                    string key = from + "->" + to;
                    if (!produced.TryGetValue(key, out Produced? direction))
                    {
                        direction = new Produced(from, to, defaults.Clone());
                        produced[key] = direction;
                        order.Add(direction);
                    }
                    overlay.ApplyTo(direction.Settings);
                    direction.Entry = node.Path;
                }
            }

            IReadOnlyList<object?> excludes = top.List("Exclude") ?? Array.Empty<object?>();
            for (int i = 0; i < excludes.Count; i++)
            {
                FleetNode node = FleetNode.From(excludes[i], "Exclude[" + i + "]", source);
                node.RequireKnown(ExcludeKeys, "an exclusion");
                if (!node.Has("Between")) throw node.Invalid("Between", "is missing: an exclusion names the pair it removes");
                foreach ((string from, string to) in Between(node, definition)) definition.ExcludedPairs.Add(FleetNames.PairKey(from, to));
            }

            foreach (Produced direction in order)
            {
                if (definition.ExcludedPairs.Contains(FleetNames.PairKey(direction.From, direction.To))) continue;
                definition.Directions.Add(new FleetDirection(direction.From, direction.To, shared: true, direction.Settings));
                if (!produced.TryGetValue(direction.To + "->" + direction.From, out Produced? reverse))
                {
                    // The reverse of a one-way pair is managed as "not shared"; it carries the pair's method for the planner.
                    definition.Directions.Add(new FleetDirection(direction.To, direction.From, shared: false, direction.Settings.Clone()));
                }
                else if (reverse.Settings.Method != direction.Settings.Method)
                {
                    throw Conflict(source, direction, reverse);
                }
            }
        }

        private static EngineException Conflict(string source, Produced a, Produced b) =>
            new EngineException(ErrorIds.FleetFileMethodConflict, ErrorKind.InvalidData,
                "The fleet file " + source + " asks for " + a.Settings.Method + " for " + a.From + " -> " + a.To + " (" + a.Entry + ") but " + b.Settings.Method
                + " for " + b.From + " -> " + b.To + " (" + b.Entry + "). Both directions of a pair use the same method: an organization relationship in effect on either side hides the cross-tenant access policy for both.",
                source);

        private static IEnumerable<(string From, string To)> Directions(FleetNode node, FleetDefinition definition)
        {
            bool between = node.Has("Between");
            bool fromTo = node.Has("From") || node.Has("To");
            if (between && fromTo) throw node.Invalid("", "has Between and From/To; give one: Between for both ways, From and To for one way");
            if (between) return Between(node, definition);
            if (!fromTo) throw node.Invalid("", "names no tenants: give Between, or From and To");
            if (!node.Has("From")) throw node.Invalid("From", "is missing: a one-way pair has From and To");
            if (!node.Has("To")) throw node.Invalid("To", "is missing: a one-way pair has From and To");
            string from = node.Text("From")!, to = node.Text("To")!;
            if (from != "*" && to != "*" && string.Equals(from, to, StringComparison.OrdinalIgnoreCase)) throw node.Invalid("To", "pairs '" + to + "' with itself");
            List<string> froms = Expand(node, "From", from, definition, null);
            return froms.SelectMany(f => Expand(node, "To", to, definition, f).Where(t => !string.Equals(t, f, StringComparison.OrdinalIgnoreCase)).Select(t => (f, t))).ToList();
        }

        /// <summary>Both ways: 'a','b'; 'hub','*' (hub and spokes); '*' alone or '*','*' (the full mesh).</summary>
        private static IEnumerable<(string From, string To)> Between(FleetNode node, FleetDefinition definition)
        {
            IReadOnlyList<object?> names = node.List("Between")!;
            if (names.Count < 1 || names.Count > 2) throw node.Invalid("Between", "must name two tenants ('a', 'b'), or '*' for every tenant");
            string[] texts = names.Select((n, i) => n is string s && s.Trim().Length > 0 ? s.Trim() : throw node.Invalid("Between[" + i + "]", "must be a tenant's name")).ToArray();
            if (texts.Length == 1 && texts[0] != "*") throw node.Invalid("Between", "names one tenant; a pair has two ('a', 'b'), or '*' for every other tenant");
            string first = texts[0], second = texts.Length == 2 ? texts[1] : "*";
            if (first != "*" && second != "*" && string.Equals(first, second, StringComparison.OrdinalIgnoreCase))
            {
                throw node.Invalid("Between", "pairs '" + first + "' with itself");
            }
            var result = new List<(string, string)>();
            foreach (string a in Expand(node, "Between[0]", first, definition, null))
            {
                foreach (string b in Expand(node, texts.Length == 2 ? "Between[1]" : "Between[0]", second, definition, a))
                {
                    if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase)) continue;
                    result.Add((a, b));
                    result.Add((b, a));
                }
            }
            return result.Distinct().ToList();
        }

        /// <summary>The tenants a name stands for: itself (as the file spells it in Tenants), or for '*' every tenant but <paramref name="other"/>.</summary>
        private static List<string> Expand(FleetNode node, string key, string name, FleetDefinition definition, string? other)
        {
            if (name == "*")
            {
                return definition.Tenants.Select(t => t.Name).Where(n => other == null || !string.Equals(n, other, StringComparison.OrdinalIgnoreCase)).ToList();
            }
            FleetTenant tenant = definition.FindTenant(name) ?? throw node.Invalid(key, "is '" + name + "', which is not a tenant in Tenants");
            return new List<string> { tenant.Name };
        }
    }
}
