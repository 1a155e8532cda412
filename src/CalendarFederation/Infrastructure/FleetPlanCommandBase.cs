using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Completion;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// What Get-CalendarFederationPlan and Test-CalendarFederationPlan share (docs/fleet.md §2, §4): the file, the
    /// connections that win over it, and one plan: every tenant read side by side (FleetStateReader), then planned
    /// (FleetPlanner). Each unreadable tenant is one FleetTenantUnreadable error (or, for the drift test, part of one
    /// FleetDrift error); its pairs are Unknown.
    /// </summary>
    public abstract class FleetPlanCommandBase : TenantCommandBase
    {
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The fleet file: a PowerShell data file (.psd1) or the same model as JSON (.json).")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter(HelpMessage = "Connections to use for their tenants (matched by tenant id or organization); they win over the file's connect settings.")]
        [ArgumentCompleter(typeof(ConnectionCompleter))]
        [ValidateNotNull]
        public new CalendarFederationConnection[]? Connection { get; set; }

        protected override int ProgressActivityId => 0x4346_0D00;

        /// <summary>Tenants read at once.</summary>
        protected virtual int Concurrency => FleetStateReader.DefaultConcurrency;

        /// <summary>
        /// Reads the file and every tenant and plans. The sessions of readable tenants stay open in the plan (the executor
        /// writes through them) unless <paramref name="keepSessions"/> is false; those of unreadable tenants are closed.
        /// </summary>
        internal FleetPlan ReadPlan(bool keepSessions)
        {
            FleetDefinition definition = LoadDefinition();
            FleetConnector connector = FleetConnector.Prepare(this, definition, Connection ?? Array.Empty<CalendarFederationConnection>());
            IReadOnlyDictionary<string, FleetTenantState> states;
            try
            {
                states = RunEngine((events, token) => FleetStateReader.ReadAllAsync(definition, connector, events, token, Concurrency));
            }
            catch
            {
                connector.DisposeCreated();
                throw;
            }
            var keep = new HashSet<TenantSession>();
            foreach (FleetTenantState state in states.Values)
            {
                state.SessionIsBorrowed = connector.IsBorrowed(state.Name);
                if (state.Session == null) continue;
                if (keepSessions && state.IsReadable) keep.Add(state.Session);
                else if (!state.SessionIsBorrowed) state.Session = null;
            }
            connector.DisposeCreated(keep);
            return FleetPlanner.Plan(definition, states, DateTimeOffset.UtcNow);
        }

        /// <summary>Closes the sessions the plan signed in (not the caller's connections), for a plan that is not returned.</summary>
        internal static void ReleaseSessions(FleetPlan plan)
        {
            foreach (FleetTenantState state in plan.States.Values)
            {
                if (state.Session != null && !state.SessionIsBorrowed) state.Session.Dispose();
                state.Session = null;
            }
        }

        /// <summary>The tenants that could not be read, in the file's order.</summary>
        internal static IReadOnlyList<FleetTenantState> Unreadable(FleetPlan plan) =>
            plan.Definition.Tenants.Select(t => plan.States.TryGetValue(t.Name, out FleetTenantState? s) ? s : null)
                .Where(s => s != null && !s.IsReadable).Select(s => s!).ToList();

        /// <summary>FleetTenantUnreadable for one tenant: the cause's category, its id and message, and what fixes it.</summary>
        internal static ErrorRecord UnreadableError(FleetTenantState state)
        {
            EngineException cause = state.ReadError!;
            var error = new EngineException(ErrorIds.FleetTenantUnreadable, cause.Kind,
                Text.Format(FleetMessages.ErrorTenantUnreadable, state.Name, cause.ErrorId, cause.Message), state.Name, inner: cause);
            return ErrorRecords.From(error, state.Name, Advice(cause));
        }

        private static string? Advice(EngineException cause) => cause.ErrorId switch
        {
            ErrorIds.AccessDenied => Messages.ActionAccessDenied,
            ErrorIds.FleetTenantIdMismatch => FleetMessages.ActionTenantIdMismatch,
            ErrorIds.FleetTenantConnectFailed => FleetMessages.ActionConnectFailed,
            _ => CrossTenantCommandBase.Advice(cause.ErrorId),
        };

        private FleetDefinition LoadDefinition()
        {
            string path = GetUnresolvedProviderPathFromPSPath(Path);
            try
            {
                return TestHooks.FleetLoader != null ? TestHooks.FleetLoader(path) : FleetFileLoader.Load(path);
            }
            catch (EngineException ex)
            {
                // Without the file nothing can be planned.
                ThrowTerminatingError(ErrorRecords.From(ex, Path));
                return null!;
            }
        }
    }
}
