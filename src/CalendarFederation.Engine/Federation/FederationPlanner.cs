using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Relationships;

namespace CalendarFederation.Engine.Federation
{
    /// <summary>What one side should share with the other.</summary>
    public sealed class SideSettings
    {
        public string Name { get; set; } = "";
        /// <summary>
        /// None, AvailabilityOnly or LimitedDetails: what the partner may see of this side's calendars. Null keeps an existing
        /// relationship's level when it already shares free/busy, and means AvailabilityOnly otherwise.
        /// </summary>
        public string? FreeBusyAccessLevel { get; set; }
        /// <summary>A group limiting whose free/busy is shared; null leaves the relationship's scope as it is.</summary>
        public string? FreeBusyAccessScope { get; set; }
    }

    public enum SideAction
    {
        None,
        Create,
        Update,
    }

    /// <summary>The change one side needs so that its relationship for the partner is what was asked.</summary>
    public sealed class SidePlan
    {
        public string Organization { get; set; } = "";
        public string Partner { get; set; } = "";
        public string RelationshipName { get; set; } = "";
        public SideAction Action { get; set; }
        public bool NeedsHydration { get; set; }
        /// <summary>Human-readable list of what changes, e.g. "FreeBusyAccessLevel: None -> AvailabilityOnly".</summary>
        public List<string> Changes { get; } = new List<string>();
        public List<string> DomainsToAdd { get; } = new List<string>();
        public List<string> AllPartnerDomains { get; } = new List<string>();
        public List<KeyValuePair<string, object?>> Settings { get; } = new List<KeyValuePair<string, object?>>();
        /// <summary>The level this side will share at once the plan is carried out.</summary>
        public string? FreeBusyAccessLevel { get; set; }
        /// <summary>Things the admin should know that do not stop the plan.</summary>
        public List<string> Notes { get; } = new List<string>();
        /// <summary>Why this side cannot be set up automatically; null when it can.</summary>
        public string? Blocker { get; set; }

        public bool IsNoOp => Action == SideAction.None && !NeedsHydration && Blocker == null;
    }

    /// <summary>
    /// Works out, for each side, the relationship that lets the other side see its free/busy and lets its users reach the
    /// other side: all the partner's accepted domains (since 2025 discovery returns only one), free/busy enabled at the
    /// asked level, and the partner's freshly discovered ApplicationUri and Autodiscover endpoint.
    /// </summary>
    public static class FederationPlanner
    {
        public static SidePlan Plan(TenantSnapshot local, TenantSnapshot partner, FederationInfo? partnerFederation, string? discoveryFailure, SideSettings desired)
        {
            var plan = new SidePlan { Organization = local.Organization, Partner = partner.Organization, RelationshipName = desired.Name, NeedsHydration = local.IsDehydrated };
            plan.AllPartnerDomains.AddRange(partner.Domains);
            List<AdminObject> coveringNow = local.RelationshipsCovering(partner.Domains);
            if (partnerFederation == null && coveringNow.Count != 1)
            {
                plan.Blocker = $"{partner.Organization}'s federation information could not be discovered, so {local.Organization} would not know how to reach it: {discoveryFailure}";
                return plan;
            }

            // Not asked for a level: keep one that already shares; otherwise share availability.
            AdminObject? current = coveringNow.Count == 1 ? coveringNow[0] : null;
            string level = desired.FreeBusyAccessLevel
                ?? (current != null && current.GetBool("FreeBusyAccessEnabled") == true && !string.Equals(current.GetString("FreeBusyAccessLevel"), "None", StringComparison.OrdinalIgnoreCase)
                    ? current.GetString("FreeBusyAccessLevel")!
                    : "AvailabilityOnly");
            bool sharing = !string.Equals(level, "None", StringComparison.OrdinalIgnoreCase);
            plan.FreeBusyAccessLevel = level;
            var desiredSettings = new List<KeyValuePair<string, object?>>
            {
                new KeyValuePair<string, object?>("Enabled", true),
                new KeyValuePair<string, object?>("FreeBusyAccessEnabled", sharing),
                new KeyValuePair<string, object?>("FreeBusyAccessLevel", level),
            };
            if (partnerFederation != null)
            {
                desiredSettings.Add(new KeyValuePair<string, object?>("TargetApplicationUri", partnerFederation.ApplicationUri));
                desiredSettings.Add(new KeyValuePair<string, object?>("TargetAutodiscoverEpr", partnerFederation.TargetAutodiscoverEpr));
            }
            else
            {
                plan.Notes.Add($"{partner.Organization} could not be discovered now, so the stored TargetApplicationUri and TargetAutodiscoverEpr were kept unchecked: {discoveryFailure}");
            }
            if (desired.FreeBusyAccessScope != null) desiredSettings.Add(new KeyValuePair<string, object?>("FreeBusyAccessScope", desired.FreeBusyAccessScope));

            List<AdminObject> covering = coveringNow;
            if (covering.Count > 1)
            {
                plan.Blocker = $"{partner.Organization}'s domains are split across the relationships " +
                    string.Join(", ", covering.Select(r => "'" + r.GetString("Name") + "'")) + $" in {local.Organization}; merge them into one first.";
                return plan;
            }
            if (covering.Count == 0) return Create(plan, local, partner, partnerFederation, desired, desiredSettings, level, sharing);
            return Update(plan, covering[0], partner, desired, desiredSettings);
        }

        private static SidePlan Create(SidePlan plan, TenantSnapshot local, TenantSnapshot partner, FederationInfo? partnerFederation, SideSettings desired,
            List<KeyValuePair<string, object?>> desiredSettings, string level, bool sharing)
        {
            if (local.Relationships.Any(r => OrganizationRelationshipService.IsSame(r, desired.Name)))
            {
                plan.Blocker = $"{local.Organization} already has a relationship named '{desired.Name}' for other domains; choose another name.";
                return plan;
            }
            plan.Action = SideAction.Create;
            plan.DomainsToAdd.AddRange(partner.Domains);
            plan.Settings.AddRange(desiredSettings);
            plan.Changes.Add($"Create '{desired.Name}' for {string.Join(", ", partner.Domains)}");
            plan.Changes.Add(sharing ? $"FreeBusyAccessLevel: {level}" : "FreeBusyAccessEnabled: False (level None)");
            plan.Changes.Add($"Target: {partnerFederation!.ApplicationUri} at {partnerFederation.TargetAutodiscoverEpr}");
            if (desired.FreeBusyAccessScope != null) plan.Changes.Add($"FreeBusyAccessScope: {desired.FreeBusyAccessScope}");
            return plan;
        }

        private static SidePlan Update(SidePlan plan, AdminObject existing, TenantSnapshot partner, SideSettings desired, List<KeyValuePair<string, object?>> desiredSettings)
        {
            plan.RelationshipName = existing.GetString("Name") ?? desired.Name;
            var has = new HashSet<string>(existing.GetStrings("DomainNames").Select(d => SmtpDomain.TryNormalize(d, out _) ?? d), StringComparer.OrdinalIgnoreCase);
            foreach (string d in partner.Domains)
            {
                if (!has.Contains(d)) plan.DomainsToAdd.Add(d);
            }
            if (plan.DomainsToAdd.Count > 0) plan.Changes.Add("DomainNames: add " + string.Join(", ", plan.DomainsToAdd));
            foreach (var s in desiredSettings)
            {
                string? stored = existing.GetString(s.Key);
                string wanted = Convert.ToString(s.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                if (!string.Equals(stored ?? "", wanted, StringComparison.OrdinalIgnoreCase))
                {
                    plan.Settings.Add(s);
                    plan.Changes.Add($"{s.Key}: {(string.IsNullOrEmpty(stored) ? "(empty)" : stored)} -> {wanted}");
                }
            }
            plan.Action = plan.Settings.Count > 0 || plan.DomainsToAdd.Count > 0 ? SideAction.Update : SideAction.None;
            return plan;
        }

        /// <summary>
        /// The name Exchange stores for a scope group given by name, alias, address or GUID, so plans compare like with like.
        /// Unknown groups come back unchanged: the service then reports them.
        /// </summary>
        public static async Task<string?> ResolveGroupNameAsync(Auth.TenantSession session, string? group, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(group)) return group;
            try
            {
                AdminApiResult result = await session.AdminApi.InvokeAsync("Get-DistributionGroup",
                    new[] { new KeyValuePair<string, object?>("Identity", group) }, events, cancellationToken).ConfigureAwait(false);
                return result.Values.FirstOrDefault()?.GetString("Name") ?? group;
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                return group;
            }
        }

        /// <summary>The partner's federation information, discovered anonymously as any partner would be, in the partner's cloud.</summary>
        public static async Task<(FederationInfo? Info, string? Failure)> DiscoverAsync(TenantSnapshot partner, CancellationToken cancellationToken)
        {
            string? domain = partner.InitialDomain ?? partner.Domains.FirstOrDefault();
            if (domain == null) return (null, $"{partner.Organization} lists no accepted domain.");
            return await DiscoverAsync(partner.Session, domain, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Anonymous discovery of <paramref name="domain"/>, asking the cloud of <paramref name="session"/> first.</summary>
        public static async Task<(FederationInfo? Info, string? Failure)> DiscoverAsync(Auth.TenantSession session, string domain, CancellationToken cancellationToken)
        {
            var options = new DiscoveryOptions
            {
                CloudEndpoint = session.Environment.AutodiscoverEndpoint,
                Proxy = session.Http.Proxy,
                BypassAdditionalDomainValidation = true,
            };
            using var client = new FederationDiscoveryClient(options);
            DiscoveryOutcome outcome = await client.DiscoverAsync(domain, NullEngineEvents.Instance, cancellationToken).ConfigureAwait(false);
            return outcome.Succeeded ? (outcome.Result, null) : (null, outcome.FailureMessage);
        }

        /// <summary>Differences between a relationship as read back and the plan; empty when it matches.</summary>
        public static List<string> Verify(AdminObject? actual, SidePlan plan)
        {
            var problems = new List<string>();
            if (actual == null)
            {
                problems.Add($"'{plan.RelationshipName}' is not there when read back.");
                return problems;
            }
            var has = new HashSet<string>(actual.GetStrings("DomainNames").Select(d => SmtpDomain.TryNormalize(d, out _) ?? d), StringComparer.OrdinalIgnoreCase);
            string[] missing = plan.AllPartnerDomains.Where(d => !has.Contains(d)).ToArray();
            if (missing.Length > 0) problems.Add("missing domains: " + string.Join(", ", missing));
            foreach (var s in plan.Settings)
            {
                string wanted = Convert.ToString(s.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                string? current = actual.GetString(s.Key);
                if (!string.Equals(current ?? "", wanted, StringComparison.OrdinalIgnoreCase)) problems.Add($"{s.Key} is {current ?? "(empty)"}, not {wanted}");
            }
            return problems;
        }

        private static void Step(IEngineEvents events, string message)
        {
            events.Verbose(message);
            events.Progress(new ProgressUpdate("New-CalendarFederation", message, lane: ProgressLanes.Step));
        }

        /// <summary>Carries out a plan: hydrates if needed, then creates or updates, and returns the relationship as read back.</summary>
        public static async Task<AdminObject?> ApplyAsync(TenantSnapshot local, SidePlan plan, IEngineEvents events, CancellationToken cancellationToken)
        {
            AdminApiClient api = local.Session.AdminApi;
            var none = new List<KeyValuePair<string, object?>>();
            if (plan.NeedsHydration)
            {
                Step(events, $"{local.Organization}: Enable-OrganizationCustomization");
                try
                {
                    await api.InvokeAsync("Enable-OrganizationCustomization", none, events, cancellationToken).ConfigureAwait(false);
                }
                catch (AdminApiException ex) when (ex.Message.IndexOf("not required", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    // Hydrated meanwhile: what was wanted.
                }
                catch (AdminApiException ex) when (ex.Message.IndexOf("temporarily disabled", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    throw new AdminApiException(AdminApiErrorKind.Dehydrated,
                        $"{local.Organization} is still being enabled for customization (an earlier run started it); hydration can take up to an hour. " +
                        "Run New-CalendarFederation again once Get-OrganizationConfig shows IsDehydrated False.", inner: ex);
                }
                AdminApiResult config = await api.InvokeAsync("Get-OrganizationConfig", none, events, cancellationToken).ConfigureAwait(false);
                if (config.Values.FirstOrDefault()?.GetBool("IsDehydrated") == true)
                {
                    throw new AdminApiException(AdminApiErrorKind.Dehydrated,
                        $"{local.Organization} is being enabled for customization; hydration runs in the background and can take up to an hour. " +
                        "Run New-CalendarFederation again once Get-OrganizationConfig shows IsDehydrated False.");
                }
            }
            var service = new OrganizationRelationshipService(api, events);
            switch (plan.Action)
            {
                case SideAction.Create:
                    Step(events, $"{local.Organization}: New-OrganizationRelationship '{plan.RelationshipName}'");
                    return await service.CreateAsync(plan.RelationshipName, plan.DomainsToAdd, plan.Settings, cancellationToken).ConfigureAwait(false);
                case SideAction.Update:
                    Step(events, $"{local.Organization}: Set-OrganizationRelationship '{plan.RelationshipName}'");
                    return await service.UpdateAsync(plan.RelationshipName, plan.Settings, null, plan.DomainsToAdd.Count > 0 ? plan.DomainsToAdd : null, null, cancellationToken).ConfigureAwait(false);
                default:
                    return (await service.GetAsync(plan.RelationshipName, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            }
        }
    }
}
