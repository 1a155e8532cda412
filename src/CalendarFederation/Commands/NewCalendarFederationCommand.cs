using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Sets up free/busy both ways in one command: on each side it hydrates if needed, discovers the other side,
    /// creates or updates the reciprocal relationship with all the partner's domains, and verifies it. Running it
    /// again changes nothing and says so.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "CalendarFederation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(CalendarFederationSide))]
    public sealed class NewCalendarFederationCommand : TenantCommandBase
    {
        // The organization whose write is in flight, for the report after a stop.
        private string? _writing;

        [Parameter(Mandatory = true, HelpMessage = "The partner tenant's connection (Connect-CalendarFederation -PassThru).")]
        [ValidateNotNull]
        public CalendarFederationConnection PartnerConnection { get; set; } = null!;

        [Parameter(HelpMessage = "What the partner sees of your calendars: None, AvailabilityOnly (times) or LimitedDetails (times, subject, location).")]
        public FreeBusyAccessLevel FreeBusyAccessLevel { get; set; } = FreeBusyAccessLevel.AvailabilityOnly;

        [Parameter(HelpMessage = "What you see of the partner's calendars; by default the same as -FreeBusyAccessLevel.")]
        public FreeBusyAccessLevel? PartnerFreeBusyAccessLevel { get; set; }

        [Parameter(HelpMessage = "Only this group's members' free/busy is shared with the partner.")]
        public string? FreeBusyAccessScope { get; set; }

        [Parameter(HelpMessage = "Only this partner group's members' free/busy is shared with you.")]
        public string? PartnerFreeBusyAccessScope { get; set; }

        [Parameter(HelpMessage = "The relationship's name in your tenant; by default the partner's display name.")]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        [Parameter(HelpMessage = "The relationship's name in the partner's tenant; by default your display name.")]
        [ValidateNotNullOrEmpty]
        public string? PartnerName { get; set; }

        [Parameter(HelpMessage = "Auto (the cross-tenant access policy when both tenants can use it, else organization relationships), CrossTenantAccess or OrganizationRelationship.")]
        public FederationMethod Method { get; set; } = FederationMethod.Auto;

        protected override void EndProcessing()
        {
            foreach (string? given in new[] { Name, PartnerName })
            {
                if (given != null && given.Length > Engine.Relationships.RelationshipRules.MaxNameLength)
                {
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException(Text.Format(SetupMessages.ErrorNameTooLong, given, given.Length, Engine.Relationships.RelationshipRules.MaxNameLength)),
                        ErrorIds.OrganizationRelationshipNameTooLong, ErrorCategory.InvalidArgument, given));
                }
            }
            CalendarFederationConnection local = ResolveConnection();
            RequireOpen(PartnerConnection);
            if (local.Session == PartnerConnection.Session || string.Equals(local.TenantId, PartnerConnection.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(SetupMessages.ErrorSameTenant),
                    ErrorIds.SameTenant, ErrorCategory.InvalidArgument, PartnerConnection));
            }

            // A level not asked for keeps what already shares, so running this again never lowers sharing.
            string? levelA = MyInvocation.BoundParameters.ContainsKey(nameof(FreeBusyAccessLevel)) ? FreeBusyAccessLevel.ToString() : null;
            var request = new SetupRequest
            {
                LocalName = Name,
                PartnerName = PartnerName,
                LocalFreeBusyAccessLevel = levelA,
                PartnerFreeBusyAccessLevel = PartnerFreeBusyAccessLevel?.ToString(),
                LocalFreeBusyAccessScope = FreeBusyAccessScope,
                PartnerFreeBusyAccessScope = PartnerFreeBusyAccessScope,
                Method = (Engine.Federation.FederationMethod)(int)Method,
            };
            SetupPreparation prepared;
            try
            {
                prepared = RunEngine((events, token) => FederationSetup.PrepareAsync(local.Session, PartnerConnection.Session, request, events, token));
            }
            catch (EngineException ex)
            {
                ThrowTerminatingError(ToErrorRecord(ex, local.Organization));
                return;
            }

            // Chosen here, so said; a method the admin named needs no explanation.
            string method = Text.Format(SetupMessages.InfoMethod, prepared.MethodReason);
            if (Method == FederationMethod.Auto) HostInformation.Write(this, method);
            else WriteVerbose(method);
            foreach (string note in prepared.LocalSide.Notes.Concat(prepared.PartnerSide.Notes)) WriteWarning(note);
            if (prepared.IsNoOp)
            {
                HostInformation.Write(this, Text.Format(SetupMessages.InfoNothingToChange, prepared.Local.Organization, prepared.Partner.Organization));
            }

            CalendarFederationSide? resultA = null;
            CalendarFederationSide resultB;
            try
            {
                resultA = Carry(prepared.Local, prepared.LocalSide, null);
                resultB = Carry(prepared.Partner, prepared.PartnerSide, resultA);
            }
            catch (PipelineStoppedException)
            {
                ReportStop(prepared, resultA);
                throw;
            }
            foreach ((CalendarFederationSide failed, CalendarFederationSide other) in new[] { (resultA, resultB), (resultB, resultA) })
            {
                if (failed.Action == nameof(SideOutcomeKind.Failed) && other.Action != nameof(SideOutcomeKind.Failed) && other.Action != nameof(SideOutcomeKind.Planned))
                {
                    // Say plainly what exists now, so neither side is left half-done without a report.
                    WriteWarning(other.RelationshipName.Length > 0
                        ? Text.Format(SetupMessages.LongWarnHalfDoneRelationship, failed.Organization, failed.Message, other.Organization, other.Action.ToLowerInvariant(), other.RelationshipName)
                        : Text.Format(SetupMessages.WarnHalfDone, failed.Organization, failed.Message, other.Organization, other.Action.ToLowerInvariant()));
                }
            }
            WriteObject(resultA);
            WriteObject(resultB);
        }

        private CalendarFederationSide Carry(TenantSnapshot side, SideProposal plan, CalendarFederationSide? other)
        {
            var result = new CalendarFederationSide
            {
                Organization = side.Organization,
                Partner = plan.Partner,
                Method = plan.Method.ToString(),
                RelationshipName = plan.Method == Engine.Federation.FederationMethod.OrganizationRelationship ? plan.Name : "",
                PartnerTenantId = plan.PartnerTenantId,
                Changes = plan.Changes.ToArray(),
                DomainNames = plan.PartnerDomains.ToArray(),
                FreeBusyAccessLevel = Enum.TryParse(plan.FreeBusyAccessLevel, true, out FreeBusyAccessLevel planned) ? planned : (FreeBusyAccessLevel?)null,
            };
            if (plan.Blocker != null)
            {
                result.Action = nameof(SideOutcomeKind.Failed);
                result.Message = plan.Blocker;
                var blocked = new InvalidOperationException(plan.Blocker + Describe(other), plan.BlockerError);
                WriteError(plan.BlockerError != null
                    ? new ErrorRecord(blocked, plan.BlockerError.ErrorId, ErrorRecords.Category(plan.BlockerError.Kind), side.Organization)
                    : new ErrorRecord(blocked, ErrorIds.CalendarFederationBlocked, ErrorCategory.InvalidOperation, side.Organization));
                return result;
            }
            SideOutcome outcome;
            if (plan.IsNoOp)
            {
                outcome = RunEngine((events, token) => FederationSetup.UnchangedAsync(side, plan, events, token));
            }
            else
            {
                string description = Text.Format(SetupMessages.ConfirmSideDescription, side.Organization, string.Join("; ", result.Changes));
                if (!ShouldProcess(description, Text.Format(SetupMessages.ConfirmSideQuery, side.Organization, plan.Partner), SetupMessages.ConfirmCaption))
                {
                    result.Action = nameof(SideOutcomeKind.Planned);
                    return result;
                }
                // Only a stop while this runs can leave the side partly changed (ReportStop).
                _writing = side.Organization;
                outcome = RunEngine((events, token) => FederationSetup.CarryOutAsync(side, plan, events, token));
                _writing = null;
            }
            result.Action = outcome.Action.ToString();
            if (outcome.Error != null)
            {
                EngineException ex = outcome.Error;
                result.Message = ex.Message;
                WriteError(new ErrorRecord(new InvalidOperationException(Text.Format(SetupMessages.ErrorSideFailed, side.Organization, ex.Message, Describe(other)), ex),
                    ex.ErrorId, ErrorRecords.Category(ex.Kind), side.Organization));
                return result;
            }
            Finish(result, side, outcome);
            return result;
        }

        // After Ctrl+C nothing can be written to the pipeline any more, but the host can still be told what was done, so the
        // admin knows where each side stands; a re-run completes it, changing only what is missing.
        private void ReportStop(SetupPreparation prepared, CalendarFederationSide? first)
        {
            string firstState = first != null ? State(first) : Unfinished(prepared.Local.Organization);
            string secondState = Unfinished(prepared.Partner.Organization);
            string text = Text.Format(SetupMessages.WarnStopped, firstState, secondState);
            try
            {
                Host.UI.WriteWarningLine(text);
            }
            catch (Exception ex) when (ex is System.Management.Automation.Host.HostException || ex is NotImplementedException || ex is PSNotImplementedException)
            {
                // A host without a UI: there is nowhere left to say it.
            }
        }

        private void Finish(CalendarFederationSide result, TenantSnapshot side, SideOutcome outcome)
        {
            result.Verified = outcome.Verified;
            if (outcome.Access != null)
            {
                result.CrossTenantAccess = CrossTenantAccessMapper.ToOutput(side.Organization, outcome.Access, result.DomainNames);
                result.FreeBusyAccessLevel = result.CrossTenantAccess.FreeBusyAccessLevel;
            }
            if (outcome.Relationship != null)
            {
                OrganizationRelationship relationship = RelationshipMapper.ToRelationship(outcome.Relationship, side.Organization);
                result.Relationship = relationship;
                result.RelationshipName = relationship.Name ?? result.RelationshipName;
                result.FreeBusyAccessLevel = relationship.FreeBusyAccessLevel;
                result.DomainNames = relationship.DomainNames;
            }
            if (!result.Verified)
            {
                result.Message = Text.Format(SetupMessages.OutNotVerified, string.Join("; ", outcome.Problems));
                WriteWarning(Text.Format(SetupMessages.WarnNotVerified, side.Organization, result.Message));
            }
        }

        // Where a side stands after a stop: its action, and what it was set up with.
        // A side the stop reached before its write was sent is unchanged; one whose write was in flight may be partly done.
        private string Unfinished(string organization) =>
            Text.Format(string.Equals(_writing, organization, StringComparison.OrdinalIgnoreCase) ? SetupMessages.StatePartlyDone : SetupMessages.StateNotChanged, organization);

        private static string State(CalendarFederationSide side)
        {
            string action = side.Action.ToLowerInvariant();
            if (side.RelationshipName.Length > 0) return Text.Format(SetupMessages.StateSideRelationship, side.Organization, action, side.RelationshipName);
            if (side.PartnerTenantId != null) return Text.Format(SetupMessages.StateSideCrossTenantAccess, side.Organization, action, side.PartnerTenantId);
            return Text.Format(SetupMessages.StateSide, side.Organization, action);
        }

        private static string Describe(CalendarFederationSide? other)
        {
            if (other == null) return "";
            string action = other.Action.ToLowerInvariant();
            return other.RelationshipName.Length > 0
                ? Text.Format(SetupMessages.StateOtherSideRelationship, other.Organization, action, other.RelationshipName)
                : Text.Format(SetupMessages.StateOtherSide, other.Organization, action);
        }

    }
}
