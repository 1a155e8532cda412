using System.Collections;
using System.Linq;
using System.Management.Automation;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Plans a fleet file as a user would: Get-CalendarFederationPlan, called by name in the caller's session, so its
    /// errors (FleetTenantUnreadable, say) are written as it writes them and the caller does not depend on how it reads the
    /// file. Invoke-CalendarFederationPlan -Path and Export-CalendarFederationReport -FleetPath use it; the report's
    /// -Connection set first writes the connections' fleet file with Export-CalendarFederationPlan (<see cref="Export"/>).
    /// </summary>
    internal static class FleetPlanByName
    {
        private const string Planner = "Get-CalendarFederationPlan";
        private const string Exporter = "Export-CalendarFederationPlan";

        /// <summary>The plan's rows; a terminating error of the planner ends the caller too (nothing can be planned).</summary>
        public static CalendarFederationPlanChange[] Plan(PSCmdlet cmdlet, string path, CalendarFederationConnection[]? connections = null)
        {
            var arguments = new Hashtable { ["Path"] = path };
            if (connections != null) arguments["Connection"] = connections;
            return Invoke(cmdlet, Planner, arguments).OfType<CalendarFederationPlanChange>().ToArray();
        }

        /// <summary>
        /// Writes the connections' fleet file to <paramref name="path"/>. Its own errors and warnings are left out: the plan
        /// of the file reads the same tenants again and reports every tenant it cannot read, once.
        /// </summary>
        public static void Export(PSCmdlet cmdlet, string path, CalendarFederationConnection[] connections)
        {
            var arguments = new Hashtable
            {
                ["Path"] = path,
                ["Connection"] = connections,
                ["Confirm"] = false,
                ["WhatIf"] = false,
                ["ErrorAction"] = ActionPreference.SilentlyContinue,
                ["WarningAction"] = ActionPreference.SilentlyContinue,
            };
            Invoke(cmdlet, Exporter, arguments);
        }

        // A terminating error of the command called ends the caller too (nothing can be planned).
        private static object?[] Invoke(PSCmdlet cmdlet, string command, Hashtable arguments)
        {
            try
            {
                return cmdlet.InvokeCommand.InvokeScript(cmdlet.SessionState, ScriptBlock.Create("param($a) " + command + " @a"), arguments)
                    .Select(o => o?.BaseObject).ToArray();
            }
            catch (RuntimeException ex) when (!(ex is PipelineStoppedException))
            {
                cmdlet.ThrowTerminatingError(ex.ErrorRecord);
                throw;
            }
        }
    }
}
