using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using CalendarFederation.Engine;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Infrastructure;

namespace CalendarFederation.Completion
{
    /// <summary>Completes -PartnerTenantId with the partner tenants in the connection's cross-tenant access policy, and 'default'.</summary>
    public sealed class PartnerTenantCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            object? given = fakeBoundParameters?["Connection"];
            CalendarFederationConnection? connection = (given is PSObject pso ? pso.BaseObject : given) as CalendarFederationConnection ?? ConnectionStore.Default;
            // Tab never starts a sign-in: a delegated connection that has not yet signed in to Graph gets no suggestions.
            if (connection == null || connection.IsClosed || connection.Session.Graph.Tokens.MayPrompt) return Array.Empty<CompletionResult>();
            string prefix = (wordToComplete ?? "").Trim('\'', '"');
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                IReadOnlyList<PartnerConfiguration> partners = new CrossTenantAccessClient(connection.Session.Graph)
                    .ListPartnersAsync(NullEngineEvents.Instance, timeout.Token).GetAwaiter().GetResult();
                IEnumerable<string> ids = partners.Select(p => p.TenantId);
                if (commandName.StartsWith("Get-", StringComparison.OrdinalIgnoreCase)) ids = ids.Concat(new[] { CrossTenantAccessInventory.DefaultId });
                return ids.Where(id => id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(id => new CompletionResult(id, id, CompletionResultType.ParameterValue, id)).ToArray();
            }
            catch (Exception ex) when (ex is EngineException || ex is OperationCanceledException)
            {
                // Completion never fails loudly: no suggestions.
                return Array.Empty<CompletionResult>();
            }
        }
    }
}
