using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using CalendarFederation.Infrastructure;

namespace CalendarFederation.Completion
{
    /// <summary>Completes -Connection with this session's connections, as an expression that selects one by Id.</summary>
    public sealed class ConnectionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? "").Trim('\'', '"');
            return ConnectionStore.All
                .Where(c => c.Organization.StartsWith(prefix, System.StringComparison.OrdinalIgnoreCase) || prefix.Length == 0)
                .Select(c => new CompletionResult(
                    $"(Get-CalendarFederationConnection -Id '{c.Id}')",
                    c.Organization,
                    CompletionResultType.ParameterValue,
                    c.ToString()));
        }
    }
}
