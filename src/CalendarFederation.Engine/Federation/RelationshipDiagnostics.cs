using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Availability;
using CalendarFederation.Engine.Discovery;

namespace CalendarFederation.Engine.Federation
{
    public enum FindingSeverity
    {
        /// <summary>Free/busy cannot work until this is fixed.</summary>
        Blocking = 0,
        /// <summary>Free/busy works for some people or some of the time, or will break.</summary>
        Warning = 1,
        Info = 2,
        Pass = 3,
    }

    public sealed class Finding
    {
        public Finding(FindingSeverity severity, string side, string check, string message, string? recommendation = null)
        {
            Severity = severity;
            Side = side;
            Check = check;
            Message = message;
            Recommendation = recommendation;
        }

        public int Rank { get; internal set; }
        public FindingSeverity Severity { get; }
        /// <summary>The tenant the finding is about, or "Probe".</summary>
        public string Side { get; }
        /// <summary>A stable id, e.g. PartnerRelationshipMissing.</summary>
        public string Check { get; }
        public string Message { get; }
        public string? Recommendation { get; }
    }

    public sealed class DiagnosticsRequest
    {
        public TenantSession Local { get; set; } = null!;
        public TenantSession? Partner { get; set; }
        /// <summary>The local relationship to test; by default the one covering the partner's domains.</summary>
        public string? Identity { get; set; }
        public string? PartnerDomain { get; set; }
        /// <summary>A partner mailbox for the real free/busy probe.</summary>
        public string? Mailbox { get; set; }
        /// <summary>The local mailbox that asks; by default the signed-in user.</summary>
        public string? RequesterMailbox { get; set; }
        public int ScopeGroupLimit { get; set; } = 10_000;
    }

    /// <summary>
    /// Why free/busy between two tenants does or does not work, ranked by how likely each finding breaks it. Goes beyond
    /// Exchange's Test-OrganizationRelationship, which checks configuration only: both sides, domain coverage, fresh
    /// discovery, scope groups, hydration, the calendar's Default permission, and a real free/busy question.
    /// </summary>
    public static class RelationshipDiagnostics
    {
        // The order findings of the same severity are listed in: most likely cause first.
        private static readonly string[] CheckOrder =
        {
            "TenantDehydrated", "LocalRelationshipMissing", "LocalRelationshipDisabled", "PartnerRelationshipMissing", "PartnerRelationshipDisabled",
            "PartnerFreeBusyNotShared", "TargetApplicationUriMissing", "TargetAutodiscoverEprMissing", "TargetApplicationUriStale",
            "LocalDomainsNotCoveredByPartner", "PartnerDomainsNotCovered", "CalendarDefaultPermissionNone", "PartnerScopeGroupMissing",
            "PartnerScopeExcludesMailbox", "FreeBusyProbeFailed", "FreeBusyNotVisible", "TargetAutodiscoverEprStale", "PartnerDiscoveryFailed", "PartnerDomainsSplit",
            "LocalFreeBusyNotShared", "LocalScopeGroupMissing", "PartnerScopeGroupTooLarge", "LocalScopeGroupTooLarge", "PartnerTargetsMissing",
            "FreeBusyLevelsDiffer", "PartnerScopeMembershipUnchecked", "PartnerDomainsUnknown", "PartnerSideNotChecked", "ProbeSkipped", "EffectiveLevel",
            "FreeBusyVisibleLimitedDetails", "FreeBusyVisibleAvailabilityOnly", "NoProblemsFound",
        };

        public static async Task<List<Finding>> RunAsync(DiagnosticsRequest request, IEngineEvents events, CancellationToken cancellationToken)
        {
            var findings = new List<Finding>();
            Task<TenantSnapshot> readLocal = TenantSnapshot.ReadAsync(request.Local, events, cancellationToken);
            Task<TenantSnapshot>? readPartner = request.Partner == null ? null : TenantSnapshot.ReadAsync(request.Partner, events, cancellationToken);
            TenantSnapshot local = await readLocal.ConfigureAwait(false);
            TenantSnapshot? partner = readPartner == null ? null : await readPartner.ConfigureAwait(false);
            string L = local.Organization;

            AdminObject? relL = FindLocalRelationship(local, partner, request);
            string? requesterDomain = request.RequesterMailbox != null && request.RequesterMailbox.Contains("@")
                ? request.RequesterMailbox.Substring(request.RequesterMailbox.LastIndexOf('@') + 1).ToLowerInvariant()
                : request.Local.UserPrincipalName != null && request.Local.UserPrincipalName.Contains("@")
                    ? request.Local.UserPrincipalName.Substring(request.Local.UserPrincipalName.LastIndexOf('@') + 1).ToLowerInvariant() : null;
            List<string> partnerDomains = partner?.Domains.ToList()
                ?? relL?.GetStrings("DomainNames").Select(d => SmtpDomain.TryNormalize(d, out _) ?? d).ToList()
                ?? new List<string>();
            string? mailboxDomain = request.Mailbox != null && request.Mailbox.Contains("@") ? request.Mailbox.Substring(request.Mailbox.LastIndexOf('@') + 1).ToLowerInvariant() : null;
            if (request.PartnerDomain != null && !partnerDomains.Contains(request.PartnerDomain, StringComparer.OrdinalIgnoreCase)) partnerDomains.Add(request.PartnerDomain);
            if (mailboxDomain != null && !partnerDomains.Contains(mailboxDomain, StringComparer.OrdinalIgnoreCase)) partnerDomains.Add(mailboxDomain);
            if (partnerDomains.Count == 0)
            {
                throw new EngineException(ErrorIds.PartnerNotNamed, ErrorKind.InvalidArgument,
                    "Name the partner: its connection, a relationship, a domain or a mailbox.");
            }
            string P = partner?.Organization ?? partnerDomains[0];

            if (local.IsDehydrated)
            {
                findings.Add(new Finding(FindingSeverity.Blocking, L, "TenantDehydrated", $"{L} is not enabled for customization (IsDehydrated), so it cannot hold organization relationships.",
                    "Run Enable-OrganizationCustomization; if it answers 'temporarily disabled', hydration is already running: wait (up to an hour) and test again."));
            }
            if (partner?.IsDehydrated == true)
            {
                findings.Add(new Finding(FindingSeverity.Blocking, P, "TenantDehydrated", $"{P} is not enabled for customization (IsDehydrated), so it cannot hold organization relationships.",
                    $"Run Enable-OrganizationCustomization -Connection <{P}>; if it answers 'temporarily disabled', hydration is already running: wait and test again."));
            }

            // Our side: how our users reach the partner, and what the partner may see of us.
            if (relL == null)
            {
                findings.Add(new Finding(FindingSeverity.Blocking, L, "LocalRelationshipMissing",
                    $"{L} has no organization relationship for {Join(partnerDomains)}: its users cannot ask {P} for free/busy, and {P} sees none of {L}'s.",
                    "Run New-CalendarFederation, or Get-FederationInformation -DomainName <partner domain> | New-OrganizationRelationship."));
            }
            else
            {
                string name = relL.GetString("Name") ?? "";
                if (relL.GetBool("Enabled") == false)
                {
                    findings.Add(new Finding(FindingSeverity.Blocking, L, "LocalRelationshipDisabled", $"'{name}' in {L} is disabled.",
                        $"Set-OrganizationRelationship -Identity '{name}' -Enabled $true"));
                }
                if (string.IsNullOrEmpty(relL.GetString("TargetApplicationUri")))
                {
                    findings.Add(new Finding(FindingSeverity.Blocking, L, "TargetApplicationUriMissing", $"'{name}' in {L} has no TargetApplicationUri, so {L} cannot get a token to ask {P}.",
                        "Pipe Get-FederationInformation for the partner into Set-OrganizationRelationship, or set -TargetApplicationUri."));
                }
                if (string.IsNullOrEmpty(relL.GetString("TargetAutodiscoverEpr")) && string.IsNullOrEmpty(relL.GetString("TargetSharingEpr")))
                {
                    findings.Add(new Finding(FindingSeverity.Blocking, L, "TargetAutodiscoverEprMissing", $"'{name}' in {L} has neither TargetAutodiscoverEpr nor TargetSharingEpr, so {L} does not know where to ask {P}.",
                        "Set -TargetAutodiscoverEpr from Get-FederationInformation's output."));
                }
                var has = new HashSet<string>(relL.GetStrings("DomainNames").Select(d => SmtpDomain.TryNormalize(d, out _) ?? d), StringComparer.OrdinalIgnoreCase);
                // The partner's domains may be spread over several of our relationships: each serves its own domains.
                List<AdminObject> covering = local.RelationshipsCovering(partnerDomains);
                if (covering.Count > 1)
                {
                    findings.Add(new Finding(FindingSeverity.Warning, L, "PartnerDomainsSplit",
                        $"{P}'s domains are spread over {covering.Count} relationships in {L}: " +
                        string.Join("; ", covering.Select(r => $"'{r.GetString("Name")}' ({string.Join(", ", r.GetStrings("DomainNames"))})")) +
                        ". Each works for its own domains, but their settings can drift apart.",
                        "Merge them into one (Remove- the smaller, then Set- the other with -DomainNames @{Add=...}); New-CalendarFederation refuses to guess."));
                    foreach (AdminObject other in covering) foreach (string d in other.GetStrings("DomainNames")) has.Add(SmtpDomain.TryNormalize(d, out _) ?? d);
                }
                if (partner != null)
                {
                    string[] missing = partner.Domains.Where(d => !has.Contains(d)).ToArray();
                    if (missing.Length > 0)
                    {
                        // Blocking when the very mailbox being asked about is at an uncovered domain.
                        bool hitsMailbox = mailboxDomain != null && missing.Contains(mailboxDomain, StringComparer.OrdinalIgnoreCase);
                        findings.Add(new Finding(hitsMailbox ? FindingSeverity.Blocking : FindingSeverity.Warning, L, "PartnerDomainsNotCovered",
                            $"No relationship in {L} lists {Join(missing)}: people at those domains of {P} show no free/busy.",
                            covering.Count > 1 ? "Add them to one of the relationships above, after merging."
                                : $"Set-OrganizationRelationship -Identity '{name}' -DomainNames @{{Add={string.Join(",", missing.Select(m => "'" + m + "'"))}}}"));
                    }
                }
                else if (has.Count <= 1)
                {
                    findings.Add(new Finding(FindingSeverity.Info, L, "PartnerDomainsUnknown",
                        $"'{name}' lists {has.Count} partner domain(s). Since 2025 discovery returns only the domain asked for, so other domains of {P} may be missing.",
                        "Pass -PartnerConnection to compare with the partner's accepted domains."));
                }
                if (relL.GetBool("FreeBusyAccessEnabled") != true || string.Equals(relL.GetString("FreeBusyAccessLevel"), "None", StringComparison.OrdinalIgnoreCase))
                {
                    findings.Add(new Finding(FindingSeverity.Warning, L, "LocalFreeBusyNotShared", $"'{name}' in {L} shares no free/busy, so {P} sees none of {L}'s calendars.",
                        $"Set-OrganizationRelationship -Identity '{name}' -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly"));
                }
                await CheckScopeAsync(findings, request.Local, relL, L, "Local", request.ScopeGroupLimit, null, events, cancellationToken).ConfigureAwait(false);

                // Stored endpoints against a fresh discovery.
                string discoveryDomain = partner?.InitialDomain ?? partnerDomains[0];
                var discovery = await FederationPlanner.DiscoverAsync(partner?.Session ?? request.Local, discoveryDomain, cancellationToken).ConfigureAwait(false);
                if (discovery.Info == null)
                {
                    findings.Add(new Finding(FindingSeverity.Warning, P, "PartnerDiscoveryFailed", $"Fresh discovery of {discoveryDomain} failed: {FirstLines(discovery.Failure)}",
                        "Check the partner's Autodiscover; Get-FederationInformation -Verbose shows each candidate."));
                }
                else
                {
                    string? storedApp = relL.GetString("TargetApplicationUri");
                    if (!string.IsNullOrEmpty(storedApp) && !string.Equals(storedApp, discovery.Info.ApplicationUri, StringComparison.OrdinalIgnoreCase))
                    {
                        findings.Add(new Finding(FindingSeverity.Blocking, L, "TargetApplicationUriStale",
                            $"'{name}' has TargetApplicationUri {storedApp}, but {discoveryDomain} now answers {discovery.Info.ApplicationUri} (the partner may have moved, e.g. gone hybrid).",
                            $"Set-OrganizationRelationship -Identity '{name}' -TargetApplicationUri {discovery.Info.ApplicationUri}"));
                    }
                    string? storedEpr = relL.GetString("TargetAutodiscoverEpr");
                    if (storedEpr != null && storedEpr.Length > 0 && !string.Equals(storedEpr.TrimEnd('/'), discovery.Info.TargetAutodiscoverEpr.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
                    {
                        findings.Add(new Finding(FindingSeverity.Warning, L, "TargetAutodiscoverEprStale",
                            $"'{name}' has TargetAutodiscoverEpr {storedEpr}, but discovery now gives {discovery.Info.TargetAutodiscoverEpr}.",
                            $"Set-OrganizationRelationship -Identity '{name}' -TargetAutodiscoverEpr {discovery.Info.TargetAutodiscoverEpr}"));
                    }
                }
            }

            // Their side: what they let our users see.
            AdminObject? relP = null;
            if (partner == null)
            {
                findings.Add(new Finding(FindingSeverity.Info, P, "PartnerSideNotChecked",
                    $"{P}'s side was not checked. Free/busy needs {P} to have a relationship for {L}'s domains with FreeBusyAccessEnabled.",
                    "Pass -PartnerConnection, or ask the partner's admin to run Test-OrganizationRelationship."));
            }
            else
            {
                relP = partner.RelationshipsCovering(local.Domains).FirstOrDefault();
                if (relP == null)
                {
                    findings.Add(new Finding(FindingSeverity.Blocking, P, "PartnerRelationshipMissing",
                        $"{P} has no organization relationship for {L}: {L}'s users see no free/busy of {P} (hash marks). Relationships are one-way.",
                        "Run New-CalendarFederation to create the other side."));
                }
                else
                {
                    string name = relP.GetString("Name") ?? "";
                    if (relP.GetBool("Enabled") == false)
                    {
                        findings.Add(new Finding(FindingSeverity.Blocking, P, "PartnerRelationshipDisabled", $"'{name}' in {P} is disabled.",
                            $"Set-OrganizationRelationship -Connection <{P}> -Identity '{name}' -Enabled $true -Force"));
                    }
                    if (relP.GetBool("FreeBusyAccessEnabled") != true || string.Equals(relP.GetString("FreeBusyAccessLevel"), "None", StringComparison.OrdinalIgnoreCase))
                    {
                        findings.Add(new Finding(FindingSeverity.Blocking, P, "PartnerFreeBusyNotShared", $"'{name}' in {P} shares no free/busy with {L}.",
                            $"Set-OrganizationRelationship -Connection <{P}> -Identity '{name}' -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly"));
                    }
                    var listed = new HashSet<string>(relP.GetStrings("DomainNames").Select(d => SmtpDomain.TryNormalize(d, out _) ?? d), StringComparer.OrdinalIgnoreCase);
                    string[] missing = local.Domains.Where(d => !listed.Contains(d)).ToArray();
                    if (missing.Length > 0)
                    {
                        bool hitsRequester = requesterDomain != null && missing.Contains(requesterDomain, StringComparer.OrdinalIgnoreCase);
                        findings.Add(new Finding(hitsRequester ? FindingSeverity.Blocking : FindingSeverity.Warning, P, "LocalDomainsNotCoveredByPartner",
                            $"'{name}' in {P} does not list {Join(missing)}: free/busy requests from users at those domains of {L} are refused.",
                            $"Set-OrganizationRelationship -Connection <{P}> -Identity '{name}' -DomainNames @{{Add={string.Join(",", missing.Select(m => "'" + m + "'"))}}}"));
                    }
                    if (string.IsNullOrEmpty(relP.GetString("TargetApplicationUri")) || (string.IsNullOrEmpty(relP.GetString("TargetAutodiscoverEpr")) && string.IsNullOrEmpty(relP.GetString("TargetSharingEpr"))))
                    {
                        findings.Add(new Finding(FindingSeverity.Warning, P, "PartnerTargetsMissing",
                            $"'{name}' in {P} lacks TargetApplicationUri or TargetAutodiscoverEpr, so {P}'s users cannot see {L}'s free/busy.",
                            "Run New-CalendarFederation, which fills them from discovery."));
                    }
                    await CheckScopeAsync(findings, partner.Session, relP, P, "Partner", request.ScopeGroupLimit, request.Mailbox, events, cancellationToken).ConfigureAwait(false);
                    if (relL != null && !string.Equals(relL.GetString("FreeBusyAccessLevel"), relP.GetString("FreeBusyAccessLevel"), StringComparison.OrdinalIgnoreCase))
                    {
                        findings.Add(new Finding(FindingSeverity.Info, L, "FreeBusyLevelsDiffer",
                            $"The levels differ: {P} sees {relL.GetString("FreeBusyAccessLevel")} of {L}; {L} sees {relP.GetString("FreeBusyAccessLevel")} of {P}."));
                    }
                }
            }

            if (request.Mailbox != null)
            {
                await ProbeAsync(findings, request, relP, partner, events, cancellationToken).ConfigureAwait(false);
            }

            if (!findings.Any(f => f.Severity == FindingSeverity.Blocking || f.Severity == FindingSeverity.Warning))
            {
                findings.Add(new Finding(FindingSeverity.Pass, L, "NoProblemsFound", $"No problem found between {L} and {P}."));
            }
            List<Finding> ranked = findings
                .OrderBy(f => f.Severity)
                .ThenBy(f => Array.IndexOf(CheckOrder, f.Check) is int i && i >= 0 ? i : int.MaxValue)
                .ToList();
            for (int i = 0; i < ranked.Count; i++) ranked[i].Rank = i + 1;
            return ranked;
        }

        private static AdminObject? FindLocalRelationship(TenantSnapshot local, TenantSnapshot? partner, DiagnosticsRequest request)
        {
            if (request.Identity != null)
            {
                return local.Relationships.FirstOrDefault(r => Relationships.OrganizationRelationshipService.IsSame(r, request.Identity))
                    ?? throw new AdminApiException(AdminApiErrorKind.NotFound, $"The organization relationship '{request.Identity}' couldn't be found in {local.Organization}.");
            }
            var domains = new List<string>();
            if (partner != null) domains.AddRange(partner.Domains);
            if (request.PartnerDomain != null) domains.Add(request.PartnerDomain);
            if (request.Mailbox != null && request.Mailbox.Contains("@")) domains.Add(request.Mailbox.Substring(request.Mailbox.LastIndexOf('@') + 1));
            return local.RelationshipsCovering(domains.Select(d => SmtpDomain.TryNormalize(d, out _) ?? d)).FirstOrDefault();
        }

        private static async Task CheckScopeAsync(List<Finding> findings, TenantSession session, AdminObject relationship, string org, string sideLabel, int limit,
            string? mailbox, IEngineEvents events, CancellationToken cancellationToken)
        {
            string? scope = relationship.GetString("FreeBusyAccessScope");
            if (string.IsNullOrEmpty(scope)) return;
            string name = relationship.GetString("Name") ?? "";
            AdminApiResult members;
            try
            {
                await session.AdminApi.InvokeAsync("Get-DistributionGroup", new[] { new KeyValuePair<string, object?>("Identity", scope) }, events, cancellationToken).ConfigureAwait(false);
                members = await session.AdminApi.InvokeAsync("Get-DistributionGroupMember", new[]
                {
                    new KeyValuePair<string, object?>("Identity", scope),
                    new KeyValuePair<string, object?>("ResultSize", (limit + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                }, events, cancellationToken).ConfigureAwait(false);
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                findings.Add(new Finding(sideLabel == "Local" ? FindingSeverity.Warning : FindingSeverity.Blocking, org, sideLabel + "ScopeGroupMissing",
                    $"'{name}' in {org} limits free/busy to the group '{scope}', which does not exist: nobody's free/busy is shared.",
                    $"Create the group, or clear the scope: Set-OrganizationRelationship -Identity '{name}' -FreeBusyAccessScope $null"));
                return;
            }
            if (members.Values.Count > limit)
            {
                findings.Add(new Finding(FindingSeverity.Warning, org, sideLabel + "ScopeGroupTooLarge",
                    $"The scope group '{scope}' of '{name}' in {org} has more than {limit:N0} members; Microsoft advises fewer, and lookups may fail.",
                    "Split the group or use a smaller one."));
            }
            if (mailbox != null && sideLabel == "Partner" && members.Values.Count > limit)
            {
                // Only the first members were read: absence from them proves nothing.
                findings.Add(new Finding(FindingSeverity.Info, org, "PartnerScopeMembershipUnchecked",
                    $"Whether {mailbox} is in '{scope}' was not checked: the group is too large to list; the free/busy probe shows the outcome."));
            }
            else if (mailbox != null && sideLabel == "Partner"
                && !members.Values.Any(m => string.Equals(m.GetString("PrimarySmtpAddress"), mailbox, StringComparison.OrdinalIgnoreCase)))
            {
                findings.Add(new Finding(FindingSeverity.Blocking, org, "PartnerScopeExcludesMailbox",
                    $"{mailbox} is not a member of '{scope}', the only group whose free/busy '{name}' in {org} shares.",
                    $"Add {mailbox} to '{scope}', or clear the scope."));
            }
        }

        private static async Task ProbeAsync(List<Finding> findings, DiagnosticsRequest request, AdminObject? relP, TenantSnapshot? partner, IEngineEvents events, CancellationToken cancellationToken)
        {
            TenantSession local = request.Local;
            string? requester = request.RequesterMailbox ?? (local.IsAppOnly ? null : "me");
            if (requester == null)
            {
                findings.Add(new Finding(FindingSeverity.Info, "Probe", "ProbeSkipped",
                    "An app-only connection needs -RequesterMailbox (a mailbox of your tenant) to ask for free/busy."));
                return;
            }

            // The calendar's own Default permission caps what any partner sees.
            string? permission = null;
            if (partner != null)
            {
                try
                {
                    AdminApiResult perm = await partner.Session.AdminApi.InvokeAsync("Get-MailboxFolderPermission", new[]
                    {
                        new KeyValuePair<string, object?>("Identity", request.Mailbox + ":\\Calendar"),
                        new KeyValuePair<string, object?>("User", "Default"),
                    }, events, cancellationToken).ConfigureAwait(false);
                    permission = perm.Values.FirstOrDefault()?.GetStrings("AccessRights").FirstOrDefault();
                }
                catch (AdminApiException)
                {
                    permission = null;
                }
                if (string.Equals(permission, "None", StringComparison.OrdinalIgnoreCase))
                {
                    findings.Add(new Finding(FindingSeverity.Blocking, partner.Organization, "CalendarDefaultPermissionNone",
                        $"{request.Mailbox}'s calendar grants Default 'None', which shows nothing to anyone outside, whatever the relationship allows.",
                        $"Set-MailboxFolderPermission -Identity '{request.Mailbox}:\\Calendar' -User Default -AccessRights AvailabilityOnly (in {partner.Organization})"));
                }
                else if (permission != null && relP != null && !findings.Any(f => f.Severity == FindingSeverity.Blocking))
                {
                    findings.Add(new Finding(FindingSeverity.Info, partner.Organization, "EffectiveLevel",
                        $"Effective level for {request.Mailbox}: the lower of the relationship's {relP.GetString("FreeBusyAccessLevel")} and the calendar's Default {permission}."));
                }
            }

            var start = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
            ScheduleResult result;
            try
            {
                using var client = new ScheduleClient(local.Environment.Graph, local.Environment.GraphScope, local.Tokens, local.Http.CreateHandler());
                result = await client.GetScheduleAsync(requester, request.Mailbox!, start, start.AddDays(1), 30, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AdminApiException || ex is SignInException)
            {
                findings.Add(new Finding(FindingSeverity.Warning, "Probe", "FreeBusyProbeFailed", $"The free/busy question could not be asked: {ex.Message}",
                    "The probe uses Microsoft Graph getSchedule; an app-only connection needs the Calendars.Read application permission."));
                return;
            }
            if (result.ErrorMessage != null)
            {
                findings.Add(new Finding(FindingSeverity.Blocking, "Probe", "FreeBusyNotVisible",
                    $"Asked for {request.Mailbox}'s free/busy: {result.ErrorMessage}{(result.ErrorCode != null ? " (" + result.ErrorCode + ")" : "")}"));
                return;
            }
            bool details = result.Items.Any(i => i.Subject != null || i.Location != null);
            bool any = result.Items.Count > 0 || (result.AvailabilityView?.Any(c => c != '4') ?? false);
            if (!any)
            {
                findings.Add(new Finding(FindingSeverity.Blocking, "Probe", "FreeBusyNotVisible", $"Asked for {request.Mailbox}'s free/busy: no data came back."));
            }
            else if (details)
            {
                findings.Add(new Finding(FindingSeverity.Pass, "Probe", "FreeBusyVisibleLimitedDetails",
                    $"{request.Mailbox}: {result.Items.Count} item(s) today with times, subjects and locations (LimitedDetails). " + Sample(result)));
            }
            else
            {
                findings.Add(new Finding(FindingSeverity.Pass, "Probe", "FreeBusyVisibleAvailabilityOnly",
                    $"{request.Mailbox}: {result.Items.Count} item(s) today, times and busy type only (AvailabilityOnly). " + Sample(result)));
            }
        }

        private static string Sample(ScheduleResult result)
        {
            ScheduleItem? first = result.Items.FirstOrDefault();
            if (first == null) return "";
            return $"First: {first.Start:HH:mm}-{first.End:HH:mm} UTC {first.Status}" + (first.Subject != null ? $" \"{first.Subject}\"" : "") + (first.Location != null ? $" at {first.Location}" : "") + ".";
        }

        private static string Join(IEnumerable<string> items) => string.Join(", ", items);

        private static string FirstLines(string? text) => text == null ? "" : string.Join(" ", text.Split('\n').Take(3).Select(l => l.Trim()));
    }
}
