using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Completion;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Readiness;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;
using EnginePartnerKind = CalendarFederation.Engine.Federation.PartnerKind;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// What the EWS retirement does to a tenant's cross-tenant sharing: its EwsEnabled, every legacy object that depends on
    /// EWS (organization relationships, OrgWideFBToken address spaces, sharing policies with calendar rules that apply to
    /// mailboxes), whether the Microsoft 365 cross-tenant access policy already replaces each, a verdict, the deadline and
    /// the next command. Read-only: it changes nothing, so it has no -WhatIf. With -PartnerConnection the partner's side
    /// is read too and every verdict covers both directions.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "CalendarFederationReadiness")]
    [OutputType(typeof(CalendarFederationReadiness))]
    public sealed class GetCalendarFederationReadinessCommand : TenantCommandBase
    {
        private readonly List<string> _domains = new List<string>();
        private readonly List<string> _tenantIds = new List<string>();

        [Parameter(HelpMessage = "The partner tenant's connection: its EWS state, its objects for your tenant and its grant back are read too.")]
        [ArgumentCompleter(typeof(ConnectionCompleter))]
        [ValidateNotNull]
        public CalendarFederationConnection? PartnerConnection { get; set; }

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Only the objects for these partner domains (and their tenants).")]
        [Alias("DomainNames")]
        [ArgumentCompleter(typeof(RelationshipDomainCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? DomainName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Only the objects for these partner tenant ids.")]
        [ValidateNotNullOrEmpty]
        public string[]? PartnerTenantId { get; set; }

        protected override int ProgressActivityId => 0x4346_0B00;

        protected override void ProcessRecord()
        {
            if (DomainName != null) _domains.AddRange(DomainName);
            if (PartnerTenantId != null) _tenantIds.AddRange(PartnerTenantId);
        }

        protected override void EndProcessing()
        {
            var domains = new List<string>();
            foreach (string d in _domains)
            {
                try
                {
                    string normalized = Engine.Discovery.SmtpDomain.Normalize(d);
                    if (!domains.Contains(normalized, StringComparer.OrdinalIgnoreCase)) domains.Add(normalized);
                }
                catch (EngineException ex)
                {
                    ThrowTerminatingError(ErrorRecords.InvalidInput(ex, d));
                }
            }
            var tenantIds = new List<string>();
            foreach (string t in _tenantIds)
            {
                // Get-CrossTenantCalendarAccess's default-policy row pipes 'default': it names no partner.
                if (string.Equals(t.Trim(), "default", StringComparison.OrdinalIgnoreCase)) continue;
                if (!Guid.TryParse(t, out Guid id))
                {
                    ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Text.Format(MigrationMessages.ErrorNotTenantId, t)), ErrorIds.InvalidArgument,
                        ErrorCategory.InvalidArgument, t));
                }
                if (!tenantIds.Contains(id.ToString("D"), StringComparer.OrdinalIgnoreCase)) tenantIds.Add(id.ToString("D"));
            }

            CalendarFederationConnection connection = ResolveConnection();
            if (PartnerConnection != null)
            {
                RequireOpen(PartnerConnection);
                if (ReferenceEquals(PartnerConnection, connection) || string.Equals(PartnerConnection.Organization, connection.Organization, StringComparison.OrdinalIgnoreCase))
                {
                    ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(Text.Format(MigrationMessages.ErrorPartnerIsSelf, connection.Organization)),
                        ErrorIds.SameTenant, ErrorCategory.InvalidArgument, PartnerConnection));
                }
            }

            ReadinessReport report;
            try
            {
                report = RunEngine((events, token) => ReadinessService.RunAsync(connection.Session, PartnerConnection?.Session, domains, tenantIds, events, token));
            }
            catch (EngineException ex)
            {
                WriteError(ToErrorRecord(ex, ex.Target ?? connection.Organization));
                return;
            }
            foreach (ReadinessRow row in report.Rows) WriteObject(ToOutput(row));
        }

        internal static CalendarFederationReadiness ToOutput(ReadinessRow row) => new CalendarFederationReadiness
        {
            Organization = row.Organization,
            Partner = row.Partner,
            PartnerKind = row.PartnerKind switch
            {
                EnginePartnerKind.Microsoft365 => ReadinessPartnerKind.Microsoft365,
                EnginePartnerKind.OnPremises => ReadinessPartnerKind.OnPremises,
                EnginePartnerKind.Hybrid => ReadinessPartnerKind.Hybrid,
                _ => ReadinessPartnerKind.Unknown,
            },
            ObjectType = row.ObjectType switch
            {
                LegacyObjectType.OrganizationRelationship => ReadinessObjectType.OrganizationRelationship,
                LegacyObjectType.AvailabilityAddressSpace => ReadinessObjectType.AvailabilityAddressSpace,
                LegacyObjectType.SharingPolicy => ReadinessObjectType.SharingPolicy,
                _ => ReadinessObjectType.OrganizationConfig,
            },
            Identity = row.Identity,
            Verdict = row.Verdict switch
            {
                Verdict.BrokenNow => ReadinessVerdict.BrokenNow,
                Verdict.NeedsCrossTenantAccess => ReadinessVerdict.NeedsCrossTenantAccess,
                Verdict.ReadyToCutOver => ReadinessVerdict.ReadyToCutOver,
                Verdict.KeepLegacy => ReadinessVerdict.KeepLegacy,
                _ => ReadinessVerdict.Migrated,
            },
            Deadline = row.Deadline,
            NextStep = row.NextStep,
            Reason = row.Reason,
            DeadlineReason = row.DeadlineReason,
            PartnerTenantId = row.PartnerTenantId,
            EwsEnabled = Ews(row.EwsEnabled),
            PartnerEwsEnabled = Ews(row.PartnerEwsEnabled),
            CrossTenantAccess = Status(row.CrossTenantAccess),
            PartnerCrossTenantAccess = Status(row.PartnerCrossTenantAccess),
            DependsOnEws = row.DependsOnEws,
            DomainNames = row.Domains.ToArray(),
        };

        private static EwsEnabledState Ews(EwsSetting s) => s switch
        {
            EwsSetting.NotSet => EwsEnabledState.NotSet,
            EwsSetting.True => EwsEnabledState.True,
            EwsSetting.False => EwsEnabledState.False,
            _ => EwsEnabledState.Unknown,
        };

        private static CrossTenantAccessStatus Status(XtapStatus s) => s switch
        {
            XtapStatus.Available => CrossTenantAccessStatus.Available,
            XtapStatus.NotAvailable => CrossTenantAccessStatus.NotAvailable,
            XtapStatus.Present => CrossTenantAccessStatus.Present,
            XtapStatus.Partial => CrossTenantAccessStatus.Partial,
            XtapStatus.Missing => CrossTenantAccessStatus.Missing,
            XtapStatus.Unknown => CrossTenantAccessStatus.Unknown,
            _ => CrossTenantAccessStatus.NotApplicable,
        };
    }
}
