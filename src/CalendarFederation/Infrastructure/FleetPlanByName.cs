using System.Collections;
using System.Linq;
using System.Management.Automation;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Plans a fleet file as a user would: Get-CalendarFederationPlan, called by name in the caller's session, so its
    /// errors (FleetTenantUnreadable, say) are written as it writes them and the caller does not depend on how it reads the
    /// file. Invoke-CalendarFederationPlan -Path and Export-CalendarFederationReport -FleetPath use it.
    /// </summary>
    internal static class FleetPlanByName
    {
        private const string Planner = "Get-CalendarFederationPlan";

        /// <summary>The plan's rows; a terminating error of the planner ends the caller too (nothing can be planned).</summary>
        public static CalendarFederationPlanChange[] Plan(PSCmdlet cmdlet, string path, CalendarFederationConnection[]? connections = null)
        {
            var arguments = new Hashtable { ["Path"] = path };
            if (connections != null) arguments["Connection"] = connections;
            try
            {
                return cmdlet.InvokeCommand.InvokeScript(cmdlet.SessionState, ScriptBlock.Create("param($a) " + Planner + " @a"), arguments)
                    .Select(o => o?.BaseObject).OfType<CalendarFederationPlanChange>().ToArray();
            }
            catch (RuntimeException ex) when (!(ex is PipelineStoppedException))
            {
                cmdlet.ThrowTerminatingError(ex.ErrorRecord);
                throw;
            }
        }
    }
}
