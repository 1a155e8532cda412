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
        private const string Caption = "Convert-OrganizationRelationship";

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
                        cmd.ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Connection and -PartnerConnection are the same tenant; the migration needs the partner's."),
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
                var approved = new List<SidePreparation>();
                foreach (SidePreparation side in prep.Sides.Where(s => s.Request != null))
                {
                    Row row = rows[side];
                    string what = side.Plan == null ? MigrationDecisions.Describe(side.Request!)
                        : side.Plan.IsEmpty ? "nothing to change, it is already granted" : string.Join("; ", side.Plan.Steps.Select(s => s.Description));
                    if (side.Plan != null) row.Out.Changes = side.Plan.Steps.Select(s => s.Description).ToArray();
                    foreach (string warning in side.Plan?.Warnings ?? Array.Empty<string>()) _cmd.WriteWarning(warning);
                    if (_cmd.ShouldProcess($"{side.Side.Organization}: cross-tenant access for {side.PartnerName} ({side.PartnerTenantId})", $"Grant ({what})"))
                    {
                        approved.Add(side);
                    }
                }
                if (approved.Count > 0)
                {
                    (SidePreparation Side, SideGrant? Grant, EngineException? Error)[] grants = _cmd.RunEngine((events, token) =>
                        Task.WhenAll(approved.Select(s => GrantAsync(s, events, token))));
                    foreach (var (side, grant, error) in grants)
                    {
                        Row row = rows[side];
                        if (error != null)
                        {
                            row.Fail(error, MigrationOutcome.Failed, "The relationship was left as it is: " + error.Message);
                            _cmd.WriteError(ErrorRecords.From(error, side.Side.Organization, MigrationAdvice.For(error.ErrorId, false)));
                            continue;
                        }
                        row.Granted(grant!);
                    }
                }

                // 2. The cutover: only when every side that has something to grant is verified (M3).
                bool verified = prep.Sides.Where(s => s.Request != null).All(s => rows[s].Out.Verified);
                if (!options.DisableLegacy) return;
                if (!verified && !whatIf)
                {
                    foreach (Row row in rows.All.Where(r => r.Out.Outcome != MigrationOutcome.Failed))
                    {
                        row.Note("Not disabled: " + (rows.All.Any(r => r.Out.Outcome == MigrationOutcome.Failed)
                            ? "the other side's grant failed, and a relationship is disabled only after both grants are verified."
                            : "the grants were not confirmed for both sides."));
                    }
                    return;
                }
                EngineException? kept = prep.Sides.Select(s => s.CutoverBlocker).FirstOrDefault(b => b != null);
                if (kept != null)
                {
                    foreach (Row row in rows.All) row.Keep(kept);
                    if (whatIf) _cmd.WriteWarning(kept.Message + " " + MigrationAdvice.Kept(prep));
                    else _cmd.WriteError(ErrorRecords.From(kept, prep.Local.Relationship?.Name, MigrationAdvice.Kept(prep)));
                    return;
                }
                SidePreparation[] toDisable = prep.Sides.Where(s => s.Relationship != null && s.Relationship.Enabled).ToArray();
                bool confirmed = true;
                foreach (SidePreparation side in toDisable)
                {
                    // Every side is asked before either is changed: a no for one keeps both (M3).
                    confirmed &= _cmd.ShouldProcess($"{side.Side.Organization}: organization relationship '{side.Relationship!.Name}'",
                        "Disable (the cross-tenant access policy serves free/busy from now on)");
                }
                if (whatIf)
                {
                    foreach (SidePreparation side in toDisable) rows[side].Out.Changes = rows[side].Out.Changes.Concat(new[] { $"Disable '{side.Relationship!.Name}'" }).ToArray();
                    return;
                }
                if (!confirmed)
                {
                    foreach (Row row in rows.All) row.Note("Not disabled: the change was not confirmed for every side, and the relationships are disabled together or not at all.");
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
                    _cmd.WriteWarning($"{prep.Local.Side.Organization}'s relationship '{prep.Local.Relationship!.Name}' is disabled. Until {prep.Local.PartnerName} disables its relationship "
                        + $"for {prep.Local.Side.Organization} and grants it access in its own cross-tenant access policy, free/busy fails in both directions.");
                }
            }

            private void RollBack(MigrationPreparation prep, Rows rows)
            {
                SidePreparation[] toEnable = prep.Sides.Where(s => s.Relationship != null && !s.Relationship.Enabled).ToArray();
                bool confirmed = true;
                foreach (SidePreparation side in toEnable)
                {
                    confirmed &= _cmd.ShouldProcess($"{side.Side.Organization}: organization relationship '{side.Relationship!.Name}'",
                        "Enable (roll back: the relationship serves free/busy again; the cross-tenant access grant stays)");
                }
                if (toEnable.Length == 0)
                {
                    foreach (Row row in rows.All) row.AlreadyEnabled();
                    return;
                }
                if (!confirmed)
                {
                    foreach (Row row in rows.All) row.Note("Not enabled: the change was not confirmed for every side, and the relationships are enabled together or not at all.");
                    return;
                }
                LegacyChangeResult change = _cmd.RunEngine((events, token) => _migration.ChangeLegacyAsync(prep, enable: true, events, token));
                bool stopped = _cmd.CancellationToken.IsCancellationRequested;
                rows.Apply(prep, change, enable: true, _cmd, quiet: stopped);
                if (stopped) throw new PipelineStoppedException();
                if (prep.Partner == null)
                {
                    _cmd.WriteWarning($"{prep.Local.Side.Organization}'s relationship '{prep.Local.Relationship!.Name}' is enabled again. Until {prep.Local.PartnerName} enables its "
                        + $"relationship for {prep.Local.Side.Organization} too, free/busy fails in both directions.");
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
                string text = $"Stopped: {state}. Run Convert-OrganizationRelationship again to finish: it changes only what is missing, and disables a relationship "
                    + "only after both grants are verified.";
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
                    cmd.WriteWarning("The two organization relationships are not alike now (one enabled, one disabled), so free/busy fails in both directions. "
                        + "Run Convert-OrganizationRelationship again to finish, or with -Rollback to undo.");
                }
            }

            private void Apply(SidePreparation side, LegacyChange change, bool enable, ConvertOrganizationRelationshipCommand cmd, bool quiet)
            {
                Row row = this[side];
                row.Out.LegacyEnabled = change.EnabledAfter ?? row.Out.LegacyEnabled;
                string verb = enable ? "Enable" : "Disable";
                if (change.Error != null)
                {
                    row.Fail(change.Error, MigrationOutcome.Failed, change.Error.Message);
                    if (!quiet) cmd.WriteError(ErrorRecords.From(change.Error, side.Relationship?.Name, MigrationAdvice.For(change.Error.ErrorId, enable)));
                    return;
                }
                if (change.Compensated)
                {
                    row.Out.Outcome = MigrationOutcome.Compensated;
                    row.Out.Changes = row.Out.Changes.Concat(new[] { $"{verb} '{side.Relationship!.Name}'", $"{(enable ? "Disable" : "Enable")} '{side.Relationship!.Name}' again" }).ToArray();
                    row.Out.Message = $"Changed back, because the other side's relationship could not be {(enable ? "enabled" : "disabled")}: both are as they were.";
                    return;
                }
                if (change.Changed)
                {
                    row.Out.Outcome = enable ? MigrationOutcome.RolledBack : MigrationOutcome.Migrated;
                    row.Out.Changes = row.Out.Changes.Concat(new[] { $"{verb} '{side.Relationship!.Name}'" }).ToArray();
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
                    Out.Message = $"{side.Side.Organization} has no organization relationship for {side.PartnerName}: nothing to migrate or disable there.";
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
                string grant = Side.Request == null ? "nothing to grant" : _granted ? "granted and verified" : "grant not finished";
                string legacy = Side.Relationship == null ? "no relationship" : $"relationship '{Side.Relationship.Name}' {(Out.LegacyEnabled ? "enabled" : "disabled")}";
                return $"{Side.Side.Organization}: {grant}, {legacy}";
            }
        }
    }

    /// <summary>What the admin can do about each error this command gives, in the module's terms.</summary>
    internal static class MigrationAdvice
    {
        public static string? For(string errorId, bool rollback) => errorId switch
        {
            ErrorIds.PartnerCutoverNotAcknowledged => rollback
                ? "Pass -PartnerConnection so both relationships are enabled together, or add -PartnerDisablesLegacy once the partner's admin has agreed to enable theirs in the same window."
                : "Pass -PartnerConnection so both relationships are disabled together, or add -PartnerDisablesLegacy once the partner's admin has agreed to grant you access in their cross-tenant access policy and disable their relationship in the same window.",
            ErrorIds.MigrationNotApplicable => "Nothing to migrate for this relationship as it is: keep it, or split or merge relationships as the message says and run the command again.",
            ErrorIds.MigrationNotVerified or ErrorIds.CrossTenantAccessNotVerified => "Run the command again in a few minutes: it writes only what is missing, and the relationships stay enabled until both grants read back as asked.",
            ErrorIds.PartnerTenantMismatch => "Check that -PartnerConnection is the tenant this relationship is for, and that all the relationship's domains belong to that one tenant; confirm the partner's tenant id with its admin.",
            ErrorIds.PartnerTenantNotFound => "Remove the domain Microsoft Entra ID does not know from the relationship (Set-OrganizationRelationship -DomainNames @{Remove='<domain>'}), or check it with the partner.",
            ErrorIds.PartnerTenantIsConsumer => "A consumer (Microsoft account) domain belongs to no organization: remove it from the relationship's DomainNames.",
            ErrorIds.GraphTokenRequired => "Connect again with -GraphAccessToken (a Microsoft Graph token you hold), or with a sign-in mode that can get one.",
            ErrorIds.GraphConsentRequired => "An administrator consents the app to the permissions named above, or Connect-CalendarFederation names an app that has them.",
            ErrorIds.GraphPermissionMissing => "Grant the permission named above to the app (application permission for app-only, delegated scope with consent otherwise).",
            ErrorIds.GraphRoleMissing => "Assign the role named above to the signed-in account, or sign in as a Global Administrator.",
            ErrorIds.GraphAccessDenied => "Check both the app's permission and the account's role named above.",
            ErrorIds.CrossTenantTrustRestricted => "Add -Force to replace the partner's trust with all users, or change it in the Entra admin center first.",
            ErrorIds.ScopeGroupNotFound => "The relationship's FreeBusyAccessScope or MailTipsAccessScope names a group Exchange cannot resolve to an Entra object id: fix the scope (Set-OrganizationRelationship), then run the command again.",
            ErrorIds.CrossTenantAccessNotAvailable => "The Microsoft 365 cross-tenant access policy has not reached this tenant or cloud: keep the organization relationship (with EWSEnabled True) until it does.",
            ErrorIds.OrganizationRelationshipNotFound => "Check the name with Get-OrganizationRelationship on this connection.",
            ErrorIds.Throttled or ErrorIds.ServiceUnavailable or ErrorIds.GraphTimeout or ErrorIds.AdminApiTimeout or ErrorIds.ConnectionFailed
                => "Run the command again later: it finishes what is missing, and a relationship is never left disabled without both grants verified.",
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
                    steps.Add($"in {side.Side.Organization}, move mailbox moves to a relationship of their own (New-OrganizationRelationship -DomainNames {side.PartnerTenantId} "
                        + $"-MailboxMoveEnabled $true -MailboxMoveCapability ..., as cross-tenant mailbox migration sets it up), then Set-OrganizationRelationship '{r.Name}' -MailboxMoveEnabled $false");
                }
                string[] others = r.FeaturesInUse.Where(f => f != "MailboxMoveEnabled").ToArray();
                if (others.Length > 0)
                {
                    steps.Add($"in {side.Side.Organization}, turn off what is no longer needed: Set-OrganizationRelationship '{r.Name}' {string.Join(" ", others.Select(f => "-" + f + " $false"))} "
                        + "(they end with the relationship)");
                }
                foreach (OtherLegacySharing o in side.OtherSharing.Where(o => o.BlocksCutover))
                {
                    steps.Add($"in {side.Side.Organization}, remove the rule from the sharing policy (Set-SharingPolicy -Identity '{o.Name}' -Domains @{{Remove='{o.Detail}'}}) after granting "
                        + "its calendar sharing level in the cross-tenant access policy");
                }
            }
            return "The grants are in place. " + (steps.Count == 0 ? "" : "First " + string.Join("; ", steps) + "; ") + "then run Convert-OrganizationRelationship -DisableLegacy again.";
        }
    }
}
