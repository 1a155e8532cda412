using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Warnings a pipeline would otherwise repeat per item: each kind is said once, at the end, with the count and the
    /// names ("20 relationships cover one partner domain each: A, B, C and 17 more ..."). Items that failed add nothing.
    /// </summary>
    internal sealed class WarningDigest
    {
        private const int NamesShown = 3;
        private readonly List<(string Kind, string One, string Many, List<string> Names)> _kinds = new List<(string, string, string, List<string>)>();

        /// <param name="one">A resource text for one name: {1} is the name.</param>
        /// <param name="many">For several: {0} is the count, {1} the names; by default <paramref name="one"/>.</param>
        public void Add(string kind, string one, string name, string? many = null)
        {
            int i = _kinds.FindIndex(k => k.Kind == kind);
            if (i < 0)
            {
                _kinds.Add((kind, one, many ?? one, new List<string>()));
                i = _kinds.Count - 1;
            }
            if (!_kinds[i].Names.Contains(name, StringComparer.OrdinalIgnoreCase)) _kinds[i].Names.Add(name);
        }

        public bool IsEmpty => _kinds.Count == 0;

        public void Flush(Cmdlet cmdlet)
        {
            foreach ((string _, string one, string many, List<string> names) in _kinds)
            {
                cmdlet.WriteWarning(string.Format(CultureInfo.CurrentCulture, names.Count == 1 ? one : many, names.Count, Names(names)));
            }
            _kinds.Clear();
        }

        private static string Names(List<string> names)
        {
            string shown = string.Join(", ", names.Take(NamesShown));
            return names.Count <= NamesShown ? shown : string.Format(CultureInfo.CurrentCulture, Resources.Messages.AndMore, shown, names.Count - NamesShown);
        }
    }
}
