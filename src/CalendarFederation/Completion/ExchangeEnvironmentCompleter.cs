using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using CalendarFederation.Engine.Environments;

namespace CalendarFederation.Completion
{
    /// <summary>Completes -ExchangeEnvironmentName with the built-in clouds and any custom environments.</summary>
    public sealed class ExchangeEnvironmentCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? "").Trim('\'', '"');
            return EnvironmentRegistry.All
                .Where(e => e.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(e => new CompletionResult(e.Name, e.Name, CompletionResultType.ParameterValue, e.AdminApi.Host));
        }
    }
}
