using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Discovery;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>What a fresh discovery asks: which domain.</summary>
    public sealed class RediscoveryPlan
    {
        public RediscoveryPlan(string domain) => Domain = domain;

        public string Domain { get; }
    }

    /// <summary>A fresh discovery's answer, or why there is none.</summary>
    public sealed class RediscoveryResult
    {
        public RediscoveryResult(RediscoveryPlan plan, FederationInfo? info, string? failure)
        {
            Plan = plan;
            Info = info;
            Failure = failure;
        }

        public RediscoveryPlan Plan { get; }
        public FederationInfo? Info { get; }
        public string? Failure { get; }
    }

    /// <summary>The partner discovered again, anonymously as any partner would be, asking the partner's cloud first.</summary>
    public static class Rediscovery
    {
        public static readonly DiagnosticsFact<RediscoveryResult?> Fact = new DiagnosticsFact<RediscoveryResult?>("Rediscovery", RunAsync);

        /// <summary>The plan for the context's relationship; null without one.</summary>
        public static RediscoveryPlan? Plan(DiagnosticsContext context) =>
            context.LocalRelationship == null ? null : new RediscoveryPlan(context.Partner?.InitialDomain ?? context.PartnerDomains[0]);

        private static async Task<RediscoveryResult?> RunAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            RediscoveryPlan? plan = Plan(context);
            if (plan == null) return null;
            var session = context.Partner?.Session ?? context.Request.Local;
            var options = new DiscoveryOptions
            {
                CloudEndpoint = session.Environment.AutodiscoverEndpoint,
                Proxy = session.Http.Proxy,
                BypassAdditionalDomainValidation = true,
            };
            DiscoveryOutcome outcome = await context.Discover(options, plan.Domain, cancellationToken).ConfigureAwait(false);
            return new RediscoveryResult(plan, outcome.Result, outcome.Succeeded ? null : Describe(outcome));
        }

        // Discovery's own failure text, but naming no cmdlet parameter: an untrusted host is named, the fix is the recommendation's.
        private static string Describe(DiscoveryOutcome outcome)
        {
            var lines = new System.Collections.Generic.List<string> { "Federation information could not be received from the external organization." };
            lines.AddRange(outcome.Attempts.Select(a => $"  {a.Method} {a.Url}: {a.Result}"));
            lines.AddRange(outcome.Alternates.Select(a => $"  {a.Endpoint} would be asked only if {a.Host} were trusted."));
            return string.Join("\n", lines);
        }
    }
}
