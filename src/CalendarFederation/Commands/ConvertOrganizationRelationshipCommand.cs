using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Migration;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Migrates an organization relationship to the Microsoft 365 cross-tenant access policy: this tenant's relationship
    /// becomes its grant for the partner tenant (and, with -PartnerConnection, the partner's relationship becomes the
    /// partner's grant for this tenant); each grant is read back and checked. With -DisableLegacy the relationships are
    /// then disabled, both together, only after both grants are verified; -Rollback enables them again. A failure or a
    /// stop never leaves one relationship disabled and the other enabled. Running it again finishes what is missing.
    /// </summary>
    [Cmdlet(VerbsData.Convert, "OrganizationRelationship", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = MigrateSet)]
    [OutputType(typeof(OrganizationRelationshipMigration))]
    public sealed class ConvertOrganizationRelationshipCommand : TenantCommandBase
    {
        private const string MigrateSet = "Migrate";
        private const string RollbackSet = "Rollback";

        private Run? _run;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "The organization relationship's name or GUID in this tenant (pipe Get-OrganizationRelationship).")]
        [ArgumentCompleter(typeof(Completion.RelationshipCompleter))]
        [ValidateNotNullOrEmpty]
        public string Identity { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The tenant the relationship belongs to. Piped relationships fill it in, so a relationship read through one connection is never changed through another.")]
        [ValidateNotNullOrEmpty]
        public string? Organization { get; set; }

        [Parameter(HelpMessage = "The partner tenant's connection: its relationship for this tenant is migrated too, and both are disabled together.")]
        [ValidateNotNull]
        public CalendarFederationConnection? PartnerConnection { get; set; }

        [Parameter(ParameterSetName = MigrateSet, HelpMessage = "After both grants are verified, disable the relationships (the cutover).")]
        public SwitchParameter DisableLegacy { get; set; }

        [Parameter(HelpMessage = "Without -PartnerConnection: confirms the partner disables (or, with -Rollback, enables) its own relationship in the same window.")]
        public SwitchParameter PartnerDisablesLegacy { get; set; }

        [Parameter(ParameterSetName = MigrateSet, HelpMessage = "Replace a partner trust that is scoped or blocked with one for all the partner's users.")]
        public SwitchParameter Force { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RollbackSet, HelpMessage = "Enable the relationships again. The cross-tenant access grants stay.")]
        public SwitchParameter Rollback { get; set; }

        protected override int ProgressActivityId => 0x4346_0400;

        protected override void BeginProcessing()
        {
            EngineException? oneSided = RelationshipMigration.CheckOneSided(PartnerConnection != null, Options());
            if (oneSided != null)
            {
                ThrowTerminatingError(ErrorRecords.From(oneSided, PartnerConnection, MigrationAdvice.For(oneSided.ErrorId, Rollback)));
            }
        }

        protected override void ProcessRecord()
        {
            CalendarFederationConnection connection = ResolveConnection();
            if (!BelongsTo(connection, Organization, Identity)) return;
            _run ??= new Run(this, connection);
            _run.Migrate(Identity);
        }

        protected override void EndProcessing() => _run?.Dispose();

        private MigrationOptions Options() => new MigrationOptions
        {
            DisableLegacy = DisableLegacy,
            Rollback = Rollback,
            PartnerDisablesLegacy = PartnerDisablesLegacy,
            ExistingTrust = Force ? ExistingTrustHandling.Replace : ExistingTrustHandling.Refuse,
        };

        private bool IsWhatIf()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? value) && value is SwitchParameter s) return s.IsPresent;
            object? preference = SessionState.PSVariable.GetValue("WhatIfPreference");
            return preference is bool b ? b : preference is SwitchParameter p && p.IsPresent;
        }

        // The engine-typed state of one call, in a class of its own so that reflecting over the cmdlet never loads the engine.
        private sealed class Run : IDisposable
        {
            private readonly ConvertOrganizationRelationshipCommand _cmd;
            private readonly CalendarFederationConnection _connection;
            private readonly MigrationSide _local;
            private readonly MigrationSide? _partner;
            private readonly OpenIdPartnerTenantLookup _lookup;
            private readonly RelationshipMigration _migration;

            public Run(ConvertOrganizationRelationshipCommand cmd, CalendarFederationConnection connection)
            {
                _cmd = cmd;
                _connection = connection;
                CalendarFederationConnection? partner = cmd.PartnerConnection;
                if (partner != null)
                {
                    cmd.RequireOpen(partner);
                    if (partner.Session == connection.Session || (connection.TenantId != null && string.Equals(connection.TenantId, partner.TenantId, StringComparison.OrdinalIgnoreCase)))
                    {
                        cmd.ThrowTerminatingError(new ErrorRecord(new ArgumentException(MigrationMessages.ErrorSameTenant),
                            ErrorIds.SameTenant, ErrorCategory.InvalidArgument, partner));
                    }
                }
                _local = MigrationSide.For(connection.Session);
                _partner = partner == null ? null : MigrationSide.For(partner.Session);
                _lookup = OpenIdPartnerTenantLookup.For(connection.Session);
                _migration = new RelationshipMigration(_lookup);
            }

            public void Dispose() => _lookup.Dispose();

            public void Migrate(string identity)
            {
                MigrationOptions options = _cmd.Options();
                bool whatIf = _cmd.IsWhatIf();
                options.Plan = whatIf;
                MigrationPreparation prep;
                try
                {
                    prep = _cmd.RunEngine((events, token) => _migration.PrepareAsync(_local, _partner, identity, options, events, token));
                }
                catch (EngineException ex)
                {
                    // Nothing was written: the relationship could not be read, or its partner is not who it should be.
                    _cmd.WriteError(ErrorRecords.From(ex, identity, MigrationAdvice.For(ex.ErrorId, options.Rollback)));
                    return;
                }

                var rows = new Rows(prep);
                EngineException? blocker = prep.Blocker;
                if (blocker != null)
                {
                    rows.FailAll(blocker, blocker.ErrorId == ErrorIds.MigrationNotApplicable ? MigrationOutcome.NotApplicable : MigrationOutcome.Failed);
                    _cmd.WriteError(ErrorRecords.From(blocker, identity, MigrationAdvice.For(blocker.ErrorId, options.Rollback)));
                    rows.Write(_cmd);
                    return;
                }
                try
                {
                    if (options.Rollback) RollBack(prep, rows);
                    else MigrateSides(prep, rows, options, whatIf);
                }
                catch (PipelineStoppedException)
                {
                    ReportStop(rows);
                    throw;
                }
                rows.Write(_cmd);
            }

            private void MigrateSides(MigrationPreparation prep, Rows rows, MigrationOptions options, bool whatIf)
            {
                // 1. The grants, each confirmed on its own; both run at once (they change nothing users see yet).
                List<SidePreparation> approved = ConfirmGrants(prep, rows);
                if (approved.Count > 0) Grant(approved, rows);

                // 2. The cutover: only when every side that has something to grant is verified (M3).
                bool verified = prep.Sides.Where(s => s.Request != null).All(s => rows[s].Out.Verified);
                if (!options.DisableLegacy) return;
                if (!verified && !whatIf)
                {
                    foreach (Row row in rows.All.Where(r => r.Out.Outcome != MigrationOutcome.Failed))
                    {
                        row.Note(rows.All.Any(r => r.Out.Outcome == MigrationOutcome.Failed)
                            ? MigrationMessages.OutNotDisabledOtherFailed
                            : MigrationMessages.OutNotDisabledNotVerified);
                    }
                    return;
                }
                CutOver(prep, rows, whatIf);
            }

            // Each side with something to grant shows its plan (and the plan's warnings) and is asked on its own.
            private List<SidePreparation> ConfirmGrants(MigrationPreparation prep, Rows rows)
            {
                var approved = new List<SidePreparation>();
                foreach (SidePreparation side in prep.Sides.Where(s => s.Request != null))
                {
                    Row row = rows[side];
                    string what = side.Plan == null ? MigrationDecisions.Describe(side.Request!)
                        : side.Plan.IsEmpty ? MigrationMessages.ConfirmGrantNothing : string.Join("; ", side.Plan.Steps.Select(s => s.Description));
                    if (side.Plan != null) row.Out.Changes = side.Plan.Steps.Select(s => s.Description).ToArray();
                    foreach (string warning in side.Plan?.Warnings ?? Array.Empty<string>()) _cmd.WriteWarning(warning);
                    if (_cmd.ShouldProcess(Text.Format(MigrationMessages.ConfirmGrantTarget, side.Side.Organization, side.PartnerName, side.PartnerTenantId),
                            Text.Format(MigrationMessages.ConfirmGrantAction, what)))
                    {
                        approved.Add(side);
                    }
                }
                return approved;
            }

            private void Grant(List<SidePreparation> approved, Rows rows)
            {
                (SidePreparation Side, SideGrant? Grant, EngineException? Error)[] grants = _cmd.RunEngine((events, token) =>
                    Task.WhenAll(approved.Select(s => GrantAsync(s, events, token))));
                foreach (var (side, grant, error) in grants)
                {
                    Row row = rows[side];
                    if (error != null)
                    {
                        row.Fail(error, MigrationOutcome.Failed, Text.Format(MigrationMessages.OutGrantFailed, error.Message));
                        _cmd.WriteError(ErrorRecords.From(error, side.Side.Organization, MigrationAdvice.For(error.ErrorId, false)));
                        continue;
                    }
                    row.Granted(grant!);
                }
            }

            // Both grants are verified: disable the relationships, together or not at all, unless one is kept for another use.
            private void CutOver(MigrationPreparation prep, Rows rows, bool whatIf)
            {
                EngineException? kept = prep.Sides.Select(s => s.CutoverBlocker).FirstOrDefault(b => b != null);
                if (kept != null)
                {
                    foreach (Row row in rows.All) row.Keep(kept);
                    if (whatIf) _cmd.WriteWarning(kept.Message + " " + MigrationAdvice.Kept(prep));
                    else _cmd.WriteError(ErrorRecords.From(kept, prep.Local.Relationship?.Name, MigrationAdvice.Kept(prep)));
                    return;
                }
                SidePreparation[] toDisable = prep.Sides.Where(s => s.Relationship != null && s.Relationship.Enabled).ToArray();
                bool confirmed = ConfirmEach(toDisable, MigrationMessages.ConfirmDisableAction);
                if (whatIf)
                {
                    foreach (SidePreparation side in toDisable) rows[side].Out.Changes = rows[side].Out.Changes.Concat(new[] { Text.Format(MigrationMessages.OutChangeDisable, side.Relationship!.Name) }).ToArray();
                    return;
                }
                if (!confirmed)
                {
                    foreach (Row row in rows.All) row.Note(MigrationMessages.OutNotDisabledNotConfirmed);
                    return;
                }
                if (toDisable.Length == 0)
                {
                    foreach (Row row in rows.All) row.AlreadyDisabled();
                    return;
                }
                LegacyChangeResult change = _cmd.RunEngine((events, token) => _migration.ChangeLegacyAsync(prep, enable: false, events, token));
                // After a stop the pair was finished or put back; the rows say how, and the host is told (ReportStop).
                bool stopped = _cmd.CancellationToken.IsCancellationRequested;
                rows.Apply(prep, change, enable: false, _cmd, quiet: stopped);
                if (stopped) throw new PipelineStoppedException();
                if (prep.Partner == null)
                {
                    _cmd.WriteWarning(Text.Format(MigrationMessages.LongWarnDisabledOneSided, prep.Local.Side.Organization, prep.Local.Relationship!.Name, prep.Local.PartnerName));
                }
            }

            // Every side is asked before either is changed: a no for one keeps both (M3).
            private bool ConfirmEach(IEnumerable<SidePreparation> sides, string action)
            {
                bool confirmed = true;
                foreach (SidePreparation side in sides)
                {
                    confirmed &= _cmd.ShouldProcess(Text.Format(MigrationMessages.ConfirmRelationshipTarget, side.Side.Organization, side.Relationship!.Name), action);
                }
                return confirmed;
            }

            private void RollBack(MigrationPreparation prep, Rows rows)
            {
                SidePreparation[] toEnable = prep.Sides.Where(s => s.Relationship != null && !s.Relationship.Enabled).ToArray();
                bool confirmed = ConfirmEach(toEnable, MigrationMessages.ConfirmEnableAction);
                if (toEnable.Length == 0)
                {
                    foreach (Row row in rows.All) row.AlreadyEnabled();
                    return;
                }
                if (!confirmed)
                {
                    foreach (Row row in rows.All) row.Note(MigrationMessages.OutNotEnabledNotConfirmed);
                    return;
                }
                LegacyChangeResult change = _cmd.RunEngine((events, token) => _migration.ChangeLegacyAsync(prep, enable: true, events, token));
                bool stopped = _cmd.CancellationToken.IsCancellationRequested;
                rows.Apply(prep, change, enable: true, _cmd, quiet: stopped);
                if (stopped) throw new PipelineStoppedException();
                if (prep.Partner == null)
                {
                    _cmd.WriteWarning(Text.Format(MigrationMessages.WarnEnabledOneSided, prep.Local.Side.Organization, prep.Local.Relationship!.Name, prep.Local.PartnerName));
                }
            }

            private async Task<(SidePreparation, SideGrant?, EngineException?)> GrantAsync(SidePreparation side, IEngineEvents events, CancellationToken token)
            {
                try
                {
                    return (side, await _migration.GrantAsync(side, events, token).ConfigureAwait(false), null);
                }
                catch (EngineException ex)
                {
                    return (side, null, ex);
                }
            }

            // After Ctrl+C nothing reaches the pipeline any more, but the host can still be told where each side stands.
            private void ReportStop(Rows rows)
            {
                string state = string.Join("; ", rows.All.Select(r => r.Describe()));
                string text = Text.Format(MigrationMessages.LongWarnStopped, state);
                try
                {
                    _cmd.Host.UI.WriteWarningLine(text);
                }
                catch (Exception ex) when (ex is System.Management.Automation.Host.HostException || ex is NotImplementedException || ex is PSNotImplementedException)
                {
                    // A host without a UI: there is nowhere left to say it.
                }
            }
        }

        /// <summary>The output rows of one relationship, one per side, in the order local, partner.</summary>
        private sealed class Rows
        {
            private readonly Dictionary<SidePreparation, Row> _rows = new Dictionary<SidePreparation, Row>();
            private readonly List<Row> _order = new List<Row>();

            public Rows(MigrationPreparation prep)
            {
                foreach (SidePreparation side in prep.Sides)
                {
                    var row = new Row(side);
                    _rows[side] = row;
                    _order.Add(row);
                }
            }

            public Row this[SidePreparation side] => _rows[side];

            public IReadOnlyList<Row> All => _order;

            public void FailAll(EngineException error, MigrationOutcome outcome)
            {
                foreach (Row row in _order) row.Fail(error, outcome, error.Message);
            }

            /// <param name="quiet">After a stop: the rows are updated, but nothing is written (the pipeline is stopping).</param>
            public void Apply(MigrationPreparation prep, LegacyChangeResult change, bool enable, ConvertOrganizationRelationshipCommand cmd, bool quiet)
            {
                Apply(prep.Local, change.Local, enable, cmd, quiet);
                if (prep.Partner != null)
                {
                    if (change.Partner != null) Apply(prep.Partner, change.Partner, enable, cmd, quiet);
                }
                if (!change.Consistent && !quiet)
                {
                    cmd.WriteWarning(MigrationMessages.LongWarnPairInconsistent);
                }
            }

            private void Apply(SidePreparation side, LegacyChange change, bool enable, ConvertOrganizationRelationshipCommand cmd, bool quiet)
            {
                Row row = this[side];
                row.Out.LegacyEnabled = change.EnabledAfter ?? row.Out.LegacyEnabled;
                if (change.Error != null)
                {
                    row.Fail(change.Error, MigrationOutcome.Failed, change.Error.Message);
                    if (!quiet) cmd.WriteError(ErrorRecords.From(change.Error, side.Relationship?.Name, MigrationAdvice.For(change.Error.ErrorId, enable)));
                    return;
                }
                if (change.Compensated)
                {
                    row.Out.Outcome = MigrationOutcome.Compensated;
                    string name = side.Relationship!.Name;
                    row.Out.Changes = row.Out.Changes.Concat(enable
                        ? new[] { Text.Format(MigrationMessages.OutChangeEnable, name), Text.Format(MigrationMessages.OutChangeDisableAgain, name) }
                        : new[] { Text.Format(MigrationMessages.OutChangeDisable, name), Text.Format(MigrationMessages.OutChangeEnableAgain, name) }).ToArray();
                    row.Out.Message = enable ? MigrationMessages.OutCompensatedEnable : MigrationMessages.OutCompensatedDisable;
                    return;
                }
                if (change.Changed)
                {
                    row.Out.Outcome = enable ? MigrationOutcome.RolledBack : MigrationOutcome.Migrated;
                    row.Out.Changes = row.Out.Changes.Concat(new[] { Text.Format(enable ? MigrationMessages.OutChangeEnable : MigrationMessages.OutChangeDisable, side.Relationship!.Name) }).ToArray();
                    return;
                }
                if (enable) row.AlreadyEnabled();
                else row.AlreadyDisabled();
            }

            public void Write(ConvertOrganizationRelationshipCommand cmd)
            {
                foreach (Row row in _order) cmd.WriteObject(row.Out);
            }
        }

        private sealed class Row
        {
            public Row(SidePreparation side)
            {
                Side = side;
                PartnerAccessRequest? request = side.Request;
                Out = new OrganizationRelationshipMigration
                {
                    Organization = side.Side.Organization,
                    Partner = side.PartnerName,
                    PartnerTenantId = side.PartnerTenantId,
                    Relationship = side.Relationship?.Name ?? "",
                    Outcome = MigrationOutcome.Planned,
                    FreeBusyAccessLevel = (FreeBusyAccessLevel)(int)(request?.FreeBusy ?? Engine.CrossTenantAccess.FreeBusyAccessLevel.None),
                    MailTipsAccessLevel = (MailTipsAccessLevel)(int)(request?.MailTips ?? Engine.CrossTenantAccess.MailTipsAccessLevel.None),
                    LegacyEnabled = side.LegacyEnabled,
                };
                if (side.Relationship == null && side.Error == null)
                {
                    Out.Outcome = MigrationOutcome.Unchanged;
                    Out.Message = Text.Format(MigrationMessages.OutNoRelationship, side.Side.Organization, side.PartnerName);
                }
            }

            public SidePreparation Side { get; }
            public OrganizationRelationshipMigration Out { get; }
            private bool _granted;
            private bool _changedGrant;

            public void Fail(EngineException error, MigrationOutcome outcome, string message)
            {
                Out.Outcome = outcome;
                Out.ErrorId = error.ErrorId;
                Out.Message = message;
            }

            public void Granted(SideGrant grant)
            {
                _granted = true;
                _changedGrant = grant.Changed;
                Out.Verified = true;
                Out.FreeBusyAccessLevel = (FreeBusyAccessLevel)(int)grant.FreeBusy;
                Out.MailTipsAccessLevel = (MailTipsAccessLevel)(int)grant.MailTips;
                Out.Changes = grant.Result.Executed.Select(s => s.Description).ToArray();
                Out.Outcome = grant.Changed ? MigrationOutcome.Granted : Side.Relationship?.Enabled == false ? MigrationOutcome.AlreadyMigrated : MigrationOutcome.Unchanged;
            }

            public void Keep(EngineException kept)
            {
                Out.ErrorId = kept.ErrorId;
                Out.Message = kept.Message;
            }

            public void Note(string message) => Out.Message = Out.Message == null ? message : Out.Message + " " + message;

            public void AlreadyDisabled()
            {
                if (Out.Outcome == MigrationOutcome.Failed) return;
                if (Side.Relationship != null) Out.Outcome = _changedGrant ? MigrationOutcome.Granted : MigrationOutcome.AlreadyMigrated;
                Out.LegacyEnabled = false;
            }

            public void AlreadyEnabled()
            {
                if (Out.Outcome == MigrationOutcome.Failed) return;
                Out.Outcome = MigrationOutcome.Unchanged;
                if (Side.Relationship != null) Out.LegacyEnabled = true;
            }

            public string Describe()
            {
                string grant = Side.Request == null ? MigrationMessages.StateNothingToGrant : _granted ? MigrationMessages.StateGranted : MigrationMessages.StateGrantNotFinished;
                string legacy = Side.Relationship == null ? MigrationMessages.StateNoRelationship
                    : Text.Format(Out.LegacyEnabled ? MigrationMessages.StateRelationshipEnabled : MigrationMessages.StateRelationshipDisabled, Side.Relationship.Name);
                return Text.Format(MigrationMessages.StateSide, Side.Side.Organization, grant, legacy);
            }
        }
    }

    /// <summary>What the admin can do about each error this command gives, in the module's terms.</summary>
    internal static class MigrationAdvice
    {
        public static string? For(string errorId, bool rollback) => errorId switch
        {
            ErrorIds.PartnerCutoverNotAcknowledged => rollback ? MigrationMessages.ActionCutoverNotAcknowledgedRollback : MigrationMessages.ActionCutoverNotAcknowledged,
            ErrorIds.MigrationNotApplicable => MigrationMessages.ActionNotApplicable,
            ErrorIds.MigrationNotVerified or ErrorIds.CrossTenantAccessNotVerified => MigrationMessages.ActionNotVerified,
            ErrorIds.PartnerTenantMismatch => MigrationMessages.ActionPartnerTenantMismatch,
            ErrorIds.PartnerTenantNotFound => MigrationMessages.ActionPartnerTenantNotFound,
            ErrorIds.PartnerTenantIsConsumer => MigrationMessages.ActionPartnerTenantIsConsumer,
            ErrorIds.GraphTokenRequired => CrossTenantAccessMessages.ActionGraphTokenRequired,
            ErrorIds.GraphConsentRequired => MigrationMessages.ActionGraphConsentRequired,
            ErrorIds.GraphPermissionMissing => CrossTenantAccessMessages.ActionGraphPermissionMissing,
            ErrorIds.GraphRoleMissing => CrossTenantAccessMessages.ActionGraphRoleMissing,
            ErrorIds.GraphAccessDenied => CrossTenantAccessMessages.ActionGraphAccessDenied,
            ErrorIds.CrossTenantTrustRestricted => CrossTenantAccessMessages.ActionTrustRestricted,
            ErrorIds.ScopeGroupNotFound => MigrationMessages.ActionScopeGroupNotFound,
            ErrorIds.CrossTenantAccessNotAvailable => MigrationMessages.ActionCrossTenantAccessNotAvailable,
            ErrorIds.OrganizationRelationshipNotFound => MigrationMessages.ActionRelationshipNotFound,
            ErrorIds.Throttled or ErrorIds.ServiceUnavailable or ErrorIds.GraphTimeout or ErrorIds.AdminApiTimeout or ErrorIds.ConnectionFailed
                => MigrationMessages.ActionTransient,
            _ => null,
        };

        /// <summary>How to free a relationship kept for its other features or another legacy object (M6, M7).</summary>
        public static string Kept(MigrationPreparation prep)
        {
            var steps = new List<string>();
            foreach (SidePreparation side in prep.Sides)
            {
                LegacyRelationship? r = side.Relationship;
                if (r == null) continue;
                if (r.FeaturesInUse.Contains("MailboxMoveEnabled"))
                {
                    steps.Add(Text.Format(MigrationMessages.ActionKeptStepMailboxMove, side.Side.Organization, side.PartnerTenantId, r.Name));
                }
                string[] others = r.FeaturesInUse.Where(f => f != "MailboxMoveEnabled").ToArray();
                if (others.Length > 0)
                {
                    steps.Add(Text.Format(MigrationMessages.ActionKeptStepFeatures, side.Side.Organization, r.Name, string.Join(" ", others.Select(f => "-" + f + " $false"))));
                }
                foreach (OtherLegacySharing o in side.OtherSharing.Where(o => o.BlocksCutover))
                {
                    steps.Add(Text.Format(MigrationMessages.ActionKeptStepSharingPolicy, side.Side.Organization, o.Name, o.Detail));
                }
            }
            return steps.Count == 0 ? MigrationMessages.ActionKept : Text.Format(MigrationMessages.ActionKeptWithSteps, string.Join("; ", steps));
        }
    }
}
