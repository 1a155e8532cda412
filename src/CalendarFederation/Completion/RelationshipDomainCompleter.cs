using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Infrastructure;

namespace CalendarFederation.Completion
{
    /// <summary>Completes a partner -DomainName with the domains of the current (or given) connection's organization relationships.</summary>
    public sealed class RelationshipDomainCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            object? given = fakeBoundParameters?["Connection"];
            CalendarFederationConnection? connection = (given is PSObject pso ? pso.BaseObject : given) as CalendarFederationConnection ?? ConnectionStore.Default;
            if (connection == null || connection.IsClosed) return Array.Empty<CompletionResult>();
            string prefix = (wordToComplete ?? "").Trim('\'', '"');
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                List<AdminObject> items = new OrganizationRelationshipService(connection.Session.AdminApi, Engine.NullEngineEvents.Instance).GetAsync(null, timeout.Token).GetAwaiter().GetResult();
                return items
                    .SelectMany(r => r.GetStrings("DomainNames"))
                    .Select(d => d.Trim().ToLowerInvariant())
                    .Where(d => d.Length > 0 && d.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Distinct(StringComparer.OrdinalIgnoreCase)
                    .OrderBy(d => d, StringComparer.OrdinalIgnoreCase)
                    .Select(d => new CompletionResult(d, d, CompletionResultType.ParameterValue, d));
            }
            catch (Exception ex) when (ex is Engine.EngineException || ex is OperationCanceledException)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }
}
