using System;
using System.Collections.Generic;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Diagnostics;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Explains why free/busy with a partner does or does not work: both sides' relationships, domain coverage, fresh
    /// discovery, scope groups, hydration, the calendar's Default permission, the Microsoft 365 cross-tenant access policy
    /// on each side (and the legacy objects and EWS settings that still decide), and (with -Mailbox) a real free/busy
    /// question that shows exactly what is visible. A pair that shares only through the policy is tested as well: name it
    /// with -PartnerConnection or -DomainName. Findings come ranked, most likely cause first.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "OrganizationRelationship")]
    [OutputType(typeof(FederationFinding))]
    public sealed class TestOrganizationRelationshipCommand : TenantCommandBase
    {
        [Parameter(Position = 0, HelpMessage = "The relationship in your tenant to test; by default the one covering the partner.")]
        [ArgumentCompleter(typeof(Completion.RelationshipCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Identity { get; set; }

        [Parameter(HelpMessage = "The partner's connection, to check its side too.")]
        [ValidateNotNull]
        public CalendarFederationConnection? PartnerConnection { get; set; }

        [Parameter(HelpMessage = "A partner domain, when there is no partner connection or relationship (yet, or any more: a partner reached through the cross-tenant access policy).")]
        [ValidateNotNullOrEmpty]
        public string? DomainName { get; set; }

        [Parameter(HelpMessage = "A partner mailbox: asks for its free/busy and shows what is visible.")]
        [ValidateNotNullOrEmpty]
        public string? Mailbox { get; set; }

        [Parameter(HelpMessage = "The mailbox in your tenant that asks; by default the signed-in user (needed for app-only connections).")]
        [ValidateNotNullOrEmpty]
        public string? RequesterMailbox { get; set; }

        protected override void EndProcessing()
        {
            string? partnerDomain = null;
            if (DomainName != null)
            {
                try
                {
                    partnerDomain = Engine.Discovery.SmtpDomain.Normalize(DomainName);
                }
                catch (EngineException ex)
                {
                    ThrowTerminatingError(ErrorRecords.InvalidInput(ex, DomainName));
                }
            }
            CalendarFederationConnection connection = ResolveConnection();
            if (PartnerConnection != null) RequireOpen(PartnerConnection);
            var request = new DiagnosticsRequest
            {
                Local = connection.Session,
                Partner = PartnerConnection?.Session,
                Identity = Identity,
                PartnerDomain = partnerDomain,
                Mailbox = Mailbox,
                RequesterMailbox = RequesterMailbox,
            };
            List<Finding> findings;
            try
            {
                findings = RunEngine((events, token) => RelationshipDiagnostics.RunAsync(request, events, token));
            }
            catch (EngineException ex) when (ex.ErrorId == ErrorIds.PartnerNotNamed)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, null, RelationshipMessages.ActionTestPartnerNotNamed));
                return;
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound && Identity != null)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.OrganizationRelationshipNotFound, ErrorCategory.ObjectNotFound, Identity));
                return;
            }
            catch (EngineException ex)
            {
                ThrowTerminatingError(ToErrorRecord(ex, connection.Organization));
                return;
            }
            foreach (Finding f in findings)
            {
                WriteObject(new FederationFinding
                {
                    Rank = f.Rank,
                    Severity = f.Severity.ToString(),
                    Side = f.Side,
                    Check = f.Check,
                    Message = f.Message,
                    Recommendation = f.Recommendation,
                });
            }
        }
    }
}
