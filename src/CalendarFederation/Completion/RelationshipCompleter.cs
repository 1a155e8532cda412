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
    /// <summary>Completes -Identity with the relationship names of the current (or given) connection; a short timeout keeps typing snappy.</summary>
    public sealed class RelationshipCompleter : IArgumentCompleter
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
                    .Select(r => r.GetString("Name") ?? "")
                    .Where(n => n.Length > 0 && n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                    .Select(n => new CompletionResult(n.IndexOfAny(new[] { ' ', '\'', '"', '$', '`' }) >= 0 ? "'" + n.Replace("'", "''") + "'" : n,
                        n, CompletionResultType.ParameterValue, n));
            }
            catch (Exception ex) when (ex is AdminApiException || ex is OperationCanceledException || ex is Engine.Auth.SignInException)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }
}
