using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// The connections made in each runspace, and which one is the default. Keyed by runspace, never process-wide,
    /// so ForEach-Object -Parallel and jobs each start with no default connection and scripts pass -Connection.
    /// </summary>
    internal static class ConnectionStore
    {
        private static readonly ConditionalWeakTable<Runspace, State> States = new ConditionalWeakTable<Runspace, State>();

        private sealed class State
        {
            public readonly List<CalendarFederationConnection> All = new List<CalendarFederationConnection>();
            public CalendarFederationConnection? Default;
        }

        private static State Current => States.GetValue(Runspace.DefaultRunspace, _ => new State());

        public static CalendarFederationConnection? Default
        {
            get
            {
                State s = Current;
                lock (s) return s.Default;
            }
        }

        public static IReadOnlyList<CalendarFederationConnection> All
        {
            get
            {
                State s = Current;
                lock (s) return s.All.ToArray();
            }
        }

        public static void Add(CalendarFederationConnection connection, bool makeDefault)
        {
            State s = Current;
            lock (s)
            {
                s.All.Add(connection);
                if (makeDefault) s.Default = connection;
            }
        }

        public static bool Remove(CalendarFederationConnection connection)
        {
            State s = Current;
            lock (s)
            {
                bool removed = s.All.Remove(connection);
                if (ReferenceEquals(s.Default, connection)) s.Default = s.All.LastOrDefault();
                return removed;
            }
        }

        public static bool IsDefault(CalendarFederationConnection connection)
        {
            State s = Current;
            lock (s) return ReferenceEquals(s.Default, connection);
        }
    }
}
