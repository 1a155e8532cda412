using System.Linq;
using System.Management.Automation;
using CalendarFederation.Completion;
using CalendarFederation.Engine;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Takes away what the connected tenant lets a partner's users see through the cross-tenant access policy: free/busy,
    /// MailTips, calendar sharing, room booking, or all of them when no switch is given. Asks first (ConfirmImpact High).
    /// </summary>
    [Cmdlet(VerbsSecurity.Revoke, "CrossTenantCalendarAccess", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(CrossTenantCalendarAccess))]
    public sealed class RevokeCrossTenantCalendarAccessCommand : CrossTenantCommandBase
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "One of the partner's domains; resolved to its tenant id.")]
        [ValidateNotNullOrEmpty]
        public string? DomainName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's tenant id; Get-CrossTenantCalendarAccess output binds it.")]
        [ArgumentCompleter(typeof(PartnerTenantCompleter))]
        [AllowNull]
        [AllowEmptyString]
        public string? PartnerTenantId { get; set; }

        [Parameter(HelpMessage = "Take away free/busy.")] public SwitchParameter FreeBusy { get; set; }
        [Parameter(HelpMessage = "Take away MailTips.")] public SwitchParameter MailTips { get; set; }
        [Parameter(HelpMessage = "Take away calendar sharing.")] public SwitchParameter CalendarSharing { get; set; }
        [Parameter(HelpMessage = "Take away room booking.")] public SwitchParameter RoomBooking { get; set; }

        [Parameter(HelpMessage = "Write the partner's access as it is afterwards.")]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            CalendarFederationConnection connection = ResolveConnection();
            AccessFeatures features = (FreeBusy ? AccessFeatures.FreeBusy : 0) | (MailTips ? AccessFeatures.MailTips : 0)
                | (CalendarSharing ? AccessFeatures.CalendarSharing : 0) | (RoomBooking ? AccessFeatures.RoomBooking : 0);
            if (features == AccessFeatures.None) features = AccessFeatures.All;
            string target = DomainName ?? PartnerTenantId ?? "";
            try
            {
                (PartnerTarget partner, PartnerAccessPlan plan) = RunEngine(async (events, token) =>
                {
                    PartnerTarget resolved = await PartnerTarget.ResolveAsync(connection.Session, DomainName, PartnerTenantId, events, token).ConfigureAwait(false);
                    PartnerAccessPlan planned = await CrossTenantAccessService.For(connection.Session)
                        .PlanAsync(PartnerAccessRequest.Revoke(resolved.TenantId, features), events, token).ConfigureAwait(false);
                    return (resolved, planned);
                });
                string label = partner.Domain != null ? Text.Format(CrossTenantAccessMessages.LabelPartner, partner.Domain, partner.TenantId) : partner.TenantId;
                if (plan.IsEmpty)
                {
                    WriteVerbose(Text.Format(CrossTenantAccessMessages.VerboseRevokeNothingToTakeAway, connection.Organization, label));
                }
                else if (!ShouldProcess(Text.Format(CrossTenantAccessMessages.ConfirmPlan, connection.Organization, string.Join("; ", plan.Steps.Select(s => s.Description))),
                             Text.Format(CrossTenantAccessMessages.ConfirmRevokeQuery, features, label, connection.Organization), CrossTenantAccessMessages.ConfirmRevokeCaption))
                {
                    return;
                }
                PartnerAccessResult result = RunEngine((events, token) =>
                    CrossTenantAccessService.For(connection.Session).ApplyAsync(PartnerAccessRequest.Revoke(partner.TenantId, features), events, token));
                if (PassThru) WriteObject(CrossTenantAccessMapper.ToOutput(connection.Organization, result.State, partner.Domain != null ? new[] { partner.Domain } : null));
            }
            catch (EngineException ex)
            {
                WriteError(ToCrossTenantError(ex, target));
            }
        }
    }
}
