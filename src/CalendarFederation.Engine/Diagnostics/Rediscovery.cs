using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>Where a fresh discovery of the partner asks.</summary>
    public enum RediscoveryRoute
    {
        /// <summary>The cloud's own endpoint first, then the partner's hosts: how a Microsoft 365 partner is discovered.</summary>
        CloudFirst,
        /// <summary>Only the relationship's TargetAutodiscoverEpr: how an on-premises or hybrid relationship was built.</summary>
        StoredEndpoint,
        /// <summary>Only the partner's own Autodiscover hosts, as Exchange's Get-FederationInformation asks (no cloud endpoint).</summary>
        PartnerHosts,
    }

    /// <summary>What a fresh discovery asks: which domain, and where.</summary>
    public sealed class RediscoveryPlan
    {
        public RediscoveryPlan(RediscoveryRoute route, string domain, Uri? endpoint)
        {
            Route = route;
            Domain = domain;
            Endpoint = endpoint;
        }

        public RediscoveryRoute Route { get; }
        public string Domain { get; }
        /// <summary>The stored endpoint asked, for <see cref="RediscoveryRoute.StoredEndpoint"/>.</summary>
        public Uri? Endpoint { get; }
    }

    /// <summary>A fresh discovery's answer, and for an on-premises partner what the cloud says of the same domain.</summary>
    public sealed class RediscoveryResult
    {
        public RediscoveryResult(RediscoveryPlan plan, FederationInfo? info, string? failure, FederationInfo? cloudAnswer)
        {
            Plan = plan;
            Info = info;
            Failure = failure;
            CloudAnswer = cloudAnswer;
        }

        public RediscoveryPlan Plan { get; }
        public FederationInfo? Info { get; }
        public string? Failure { get; }
        /// <summary>
        /// The cloud endpoint's own answer for the domain, asked only when the relationship points on-premises: a Microsoft
        /// 365 answer there (outlook.com) means the partner is hybrid. Null when not asked or not answered.
        /// </summary>
        public FederationInfo? CloudAnswer { get; }

        /// <summary>True when Microsoft 365 also serves the domain of an on-premises-style relationship.</summary>
        public bool CloudAlsoServes => CloudAnswer != null
            && PartnerClassifier.ClassifyTargets(CloudAnswer.ApplicationUri, null, null) == PartnerKind.Microsoft365;
    }

    /// <summary>
    /// Re-discovers the partner the way our relationship was built, so the stored targets are compared with like. A
    /// Microsoft 365 partner is asked through the cloud endpoint first. A hybrid or on-premises partner is asked at the
    /// relationship's own TargetAutodiscoverEpr: the cloud endpoint answers outlook.com for a hybrid organization's
    /// domains, which is no reason to call an on-premises TargetApplicationUri stale (issue 13).
    /// </summary>
    public static class Rediscovery
    {
        public static readonly DiagnosticsFact<RediscoveryResult?> Fact = new DiagnosticsFact<RediscoveryResult?>("Rediscovery", RunAsync);

        /// <summary>The plan for the context's relationship; null without one.</summary>
        public static RediscoveryPlan? Plan(DiagnosticsContext context)
        {
            if (context.LocalRelationship == null) return null;
            if (context.PartnerKind != PartnerKind.OnPremises && context.PartnerKind != PartnerKind.Hybrid)
            {
                return new RediscoveryPlan(RediscoveryRoute.CloudFirst, context.Partner?.InitialDomain ?? context.PartnerDomains[0], null);
            }
            // The domain the relationship was discovered for: one of its own, the on-premises organization's rather than *.onmicrosoft.com.
            string[] own = context.LocalRelationship.GetStrings("DomainNames").Select(DiagnosticsContext.Normalize).ToArray();
            string domain = own.FirstOrDefault(d => !d.EndsWith(".onmicrosoft.com", StringComparison.OrdinalIgnoreCase))
                ?? own.FirstOrDefault() ?? context.PartnerDomains[0];
            string? stored = context.LocalRelationship.GetString("TargetAutodiscoverEpr");
            return Uri.TryCreate(stored, UriKind.Absolute, out Uri? endpoint)
                ? new RediscoveryPlan(RediscoveryRoute.StoredEndpoint, domain, endpoint)
                : new RediscoveryPlan(RediscoveryRoute.PartnerHosts, domain, null);
        }

        private static async Task<RediscoveryResult?> RunAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            RediscoveryPlan? plan = Plan(context);
            if (plan == null) return null;
            var session = context.Partner?.Session ?? context.Request.Local;
            var options = new DiscoveryOptions { Proxy = session.Http.Proxy, BypassAdditionalDomainValidation = true };
            if (plan.Route == RediscoveryRoute.CloudFirst) options.CloudEndpoint = session.Environment.AutodiscoverEndpoint;
            if (plan.Route == RediscoveryRoute.StoredEndpoint) options.AutodiscoverUri = plan.Endpoint;
            Task<DiscoveryOutcome> asked = context.Discover(options, plan.Domain, cancellationToken);

            // For an on-premises-style partner, also what the cloud alone says of the domain: that tells hybrid from on-premises.
            Uri? cloud = session.Environment.AutodiscoverEndpoint;
            Task<DiscoveryOutcome>? cloudAsked = plan.Route != RediscoveryRoute.CloudFirst && context.PartnerKind == PartnerKind.OnPremises && cloud != null
                ? context.Discover(new DiscoveryOptions { AutodiscoverUri = cloud, Proxy = session.Http.Proxy, BypassAdditionalDomainValidation = true },
                    plan.Domain, cancellationToken)
                : null;
            DiscoveryOutcome outcome = await asked.ConfigureAwait(false);
            DiscoveryOutcome? cloudOutcome = cloudAsked == null ? null : await cloudAsked.ConfigureAwait(false);
            return new RediscoveryResult(plan, outcome.Result, outcome.Succeeded ? null : Describe(outcome), cloudOutcome?.Result);
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
