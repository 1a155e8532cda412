using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Availability;
using Microsoft.Identity.Client;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>The probe's outcome: the answer, or why the question could not be asked (or could not run at all).</summary>
    internal sealed class ProbeOutcome
    {
        public ProbeOutcome(ScheduleResult? result, string? failure, bool lacksAccess = false)
        {
            Result = result;
            Failure = failure;
            LacksAccess = lacksAccess;
        }

        public ScheduleResult? Result { get; }
        public string? Failure { get; }

        /// <summary>No token with the probe's permission, or getSchedule refused it (403): the probe did not run.</summary>
        public bool LacksAccess { get; }

        public static ProbeOutcome NotRun(string reason) => new ProbeOutcome(null, reason, lacksAccess: true);

        public static ProbeOutcome Failed(string reason) => new ProbeOutcome(null, reason);
    }

    /// <summary>One partner mailbox: its calendar's Default permission, and a real free/busy question about it.</summary>
    internal static class ProbeChecks
    {
        /// <summary>The partner calendar's Default permission; null when not asked or not readable.</summary>
        public static readonly DiagnosticsFact<string?> CalendarPermission = new DiagnosticsFact<string?>("CalendarPermission", ReadPermissionAsync);

        /// <summary>Graph getSchedule's answer for the mailbox; null when the question is not to be asked.</summary>
        public static readonly DiagnosticsFact<ProbeOutcome?> Probe = new DiagnosticsFact<ProbeOutcome?>("Probe", AskAsync);

        public static IReadOnlyList<DiagnosticCheck> All { get; } = new[]
        {
            DiagnosticCheck.Of(nameof(RequesterKnown), RequesterKnown, CheckIds.ProbeSkipped),
            DiagnosticCheck.OfAsync(nameof(CalendarSharesSomething), CalendarSharesSomething, CheckIds.CalendarDefaultPermissionNone),
            DiagnosticCheck.OfAsync(nameof(FreeBusyVisible), FreeBusyVisible,
                CheckIds.FreeBusyProbeNotRun, CheckIds.FreeBusyProbeFailed, CheckIds.FreeBusyNotVisible, CheckIds.FreeBusyVisibleLimitedDetails, CheckIds.FreeBusyVisibleAvailabilityOnly),
        };

        /// <summary>Who asks: the requester mailbox, or the signed-in user; null for an app-only connection without one.</summary>
        public static string? Requester(DiagnosticsContext context) =>
            context.Request.RequesterMailbox ?? (context.Request.Local.IsAppOnly ? null : "me");

        /// <summary>True when the probe is asked: a mailbox was named and someone can ask.</summary>
        public static bool WillAsk(DiagnosticsContext context) => context.Request.Mailbox != null && Requester(context) != null;

        private static void RequesterKnown(DiagnosticsContext context, FindingSink findings)
        {
            if (context.Request.Mailbox == null || Requester(context) != null) return;
            findings.Add(FindingSeverity.Info, "Probe", CheckIds.ProbeSkipped,
                "The free/busy question was not asked: an app-only connection has no user of its own to ask as.",
                $"Run it again with -RequesterMailbox <a mailbox of {context.LocalOrganization}>; the app needs the Microsoft Graph application permission {ScheduleAccess.Application.DescribePermissions()}.");
        }

        // The calendar's own Default permission caps what any partner sees.
        private static async Task CalendarSharesSomething(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            string? permission = await context.GetAsync(CalendarPermission, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(permission, "None", StringComparison.OrdinalIgnoreCase)) return;
            string mailbox = context.Request.Mailbox!, p = context.PartnerOrganization;
            findings.Add(FindingSeverity.Blocking, p, CheckIds.CalendarDefaultPermissionNone,
                $"{mailbox}'s calendar grants Default 'None', which shows nothing to anyone outside, whatever the relationship allows.",
                $"Set-MailboxFolderPermission -Identity '{mailbox}:\\Calendar' -User Default -AccessRights AvailabilityOnly (in {p})");
        }

        private static async Task FreeBusyVisible(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            ProbeOutcome? outcome = await context.GetAsync(Probe, cancellationToken).ConfigureAwait(false);
            if (outcome == null) return;
            string mailbox = context.Request.Mailbox!;
            ScheduleResult? result = outcome.Result;
            if (outcome.LacksAccess)
            {
                NotRun(context, findings, outcome.Failure!);
                return;
            }
            if (result == null)
            {
                findings.Add(FindingSeverity.Warning, "Probe", CheckIds.FreeBusyProbeFailed, $"The free/busy question could not be asked: {outcome.Failure}",
                    $"The probe uses Microsoft Graph getSchedule; it needs the permission {ScheduleAccess.For(context.Request.Local.IsAppOnly).DescribePermissions()}.");
                return;
            }
            // The policy's own refusals (7002, 5016) are explained by CrossTenantAccessChecks, not given as a bare failure.
            if (CrossTenantAccessFacts.IsPolicyRefusal(result.ErrorCode)) return;
            if (result.ErrorMessage != null)
            {
                findings.Add(FindingSeverity.Blocking, "Probe", CheckIds.FreeBusyNotVisible,
                    $"Asked for {mailbox}'s free/busy: {result.ErrorMessage}{(result.ErrorCode != null ? " (" + result.ErrorCode + ")" : "")}");
                return;
            }
            // Every digit Graph defines is free/busy that came back, 4 (working elsewhere) included.
            bool any = result.Items.Count > 0 || result.Slots.Any(s => s != SlotAvailability.Unknown);
            if (!any)
            {
                findings.Add(FindingSeverity.Blocking, "Probe", CheckIds.FreeBusyNotVisible, $"Asked for {mailbox}'s free/busy: no data came back.");
            }
            else
            {
                CrossTenantPath path = await context.GetAsync(CrossTenantAccessFacts.Path, cancellationToken).ConfigureAwait(false);
                string via = path.ServedByPolicy ? " (through the cross-tenant access policy)" : "";
                if (result.Items.Any(i => i.Subject != null || i.Location != null))
                {
                    findings.Add(FindingSeverity.Pass, "Probe", CheckIds.FreeBusyVisibleLimitedDetails,
                        $"{mailbox}{via}: {result.Items.Count} item(s) today with times, subjects and locations (LimitedDetails). " + Sample(result));
                }
                else
                {
                    findings.Add(FindingSeverity.Pass, "Probe", CheckIds.FreeBusyVisibleAvailabilityOnly,
                        $"{mailbox}{via}: {result.Items.Count} item(s) today, times and busy type only (AvailabilityOnly). " + Sample(result));
                }
            }
        }

        // Missing consent or permission says nothing about free/busy: an Info that names what to grant, and to which app.
        private static void NotRun(DiagnosticsContext context, FindingSink findings, string reason)
        {
            TenantSession local = context.Request.Local;
            bool appOnly = local.IsAppOnly;
            string permission = appOnly ? ScheduleAccess.ApplicationPermission : ScheduleAccess.DelegatedPermission;
            string app = local.AppId ?? (appOnly ? "the connection's app" : SignInRequest.DefaultPublicClientId);
            string fix = appOnly
                ? $"Grant app {app} the Microsoft Graph application permission {ScheduleAccess.Application.DescribePermissions()} with admin consent in {context.LocalOrganization}."
                : $"Grant app {app} the Microsoft Graph delegated permission {permission} (admin consent in {context.LocalOrganization}), or connect with -AppId of an app registration that has it.";
            if (!appOnly && string.Equals(app, SignInRequest.DefaultPublicClientId, StringComparison.OrdinalIgnoreCase))
            {
                fix += " Whether Exchange Online PowerShell's own client can hold Microsoft Graph calendar permissions is not documented; an app registration of your own is the dependable way.";
            }
            findings.Add(FindingSeverity.Info, "Probe", CheckIds.FreeBusyProbeNotRun,
                $"The free/busy probe could not run: {reason}; grant {permission} to {app}. The other findings stand; only the live question was not asked.", fix);
        }

        /// <summary>The first item of the day, or without items what the availability view shows.</summary>
        internal static string Sample(ScheduleResult result)
        {
            ScheduleItem? first = result.Items.FirstOrDefault();
            if (first == null) return DescribeView(result.Slots);
            return $"First: {first.Start:HH:mm}-{first.End:HH:mm} UTC {first.Status}" + (first.Subject != null ? $" \"{first.Subject}\"" : "")
                + (first.Location != null ? $" at {first.Location}" : "") + ".";
        }

        private static string DescribeView(IReadOnlyList<SlotAvailability> slots)
        {
            if (slots.Count == 0) return "";
            var parts = new List<string>();
            foreach (var (state, text) in new[]
            {
                (SlotAvailability.Busy, "busy"), (SlotAvailability.Tentative, "tentative"), (SlotAvailability.OutOfOffice, "out of office"),
                (SlotAvailability.WorkingElsewhere, "working elsewhere"),
            })
            {
                int count = slots.Count(s => s == state);
                if (count > 0) parts.Add($"{count} {text}");
            }
            return parts.Count == 0 ? $"The availability view shows all {slots.Count} slots free."
                : $"The availability view shows {string.Join(", ", parts)} of {slots.Count} slots.";
        }

        private static async Task<string?> ReadPermissionAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            if (context.Partner == null || !WillAsk(context)) return null;
            try
            {
                AdminApiResult permission = await context.Partner.Session.AdminApi.InvokeAsync("Get-MailboxFolderPermission", new[]
                {
                    new KeyValuePair<string, object?>("Identity", context.Request.Mailbox + ":\\Calendar"),
                    new KeyValuePair<string, object?>("User", "Default"),
                }, context.Events, cancellationToken).ConfigureAwait(false);
                return permission.Values.FirstOrDefault()?.GetStrings("AccessRights").FirstOrDefault();
            }
            catch (AdminApiException)
            {
                return null;
            }
        }

        private static async Task<ProbeOutcome?> AskAsync(DiagnosticsContext context, CancellationToken cancellationToken)
        {
            string? requester = Requester(context);
            if (context.Request.Mailbox == null || requester == null) return null;
            TenantSession local = context.Request.Local;
            var start = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
            string scope = ScheduleAccess.Scope(local.Environment.Graph, local.IsAppOnly);
            try
            {
                using var client = new ScheduleClient(local.Environment.Graph, scope, local.Tokens, local.Http.CreateHandler());
                ScheduleResult result = await client.GetScheduleAsync(requester, context.Request.Mailbox, start, start.AddDays(1), 30, cancellationToken).ConfigureAwait(false);
                return new ProbeOutcome(result, null);
            }
            catch (Exception ex) when (ex is EngineException || ex is MsalException)
            {
                return ProbeFailures.From(ex, scope);
            }
        }
    }
}
