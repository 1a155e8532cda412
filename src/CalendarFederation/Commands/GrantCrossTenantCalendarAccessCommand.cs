using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using CalendarFederation.Completion;
using CalendarFederation.Engine;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;
using EngineFreeBusy = CalendarFederation.Engine.CrossTenantAccess.FreeBusyAccessLevel;
using EngineMailTips = CalendarFederation.Engine.CrossTenantAccess.MailTipsAccessLevel;
using EngineSharing = CalendarFederation.Engine.CrossTenantAccess.CalendarSharingAccessLevel;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Lets a partner tenant's users see the connected tenant's calendars through the Microsoft 365 cross-tenant access
    /// policy: the partner configuration, its trust, and the capability for each level asked. Binds Get-FederationInformation's
    /// output by property name. Idempotent: a re-run sends no write.
    /// </summary>
    [Cmdlet(VerbsSecurity.Grant, "CrossTenantCalendarAccess", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(CrossTenantCalendarAccess))]
    public sealed class GrantCrossTenantCalendarAccessCommand : CrossTenantCommandBase
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true,
            HelpMessage = "One of the partner's domains. It is resolved to the partner's tenant id again here, whatever id comes with it.")]
        [ValidateNotNullOrEmpty]
        public string? DomainName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's tenant id. With -DomainName, the two must name the same tenant.")]
        [ArgumentCompleter(typeof(PartnerTenantCompleter))]
        [AllowNull]
        [AllowEmptyString]
        public string? PartnerTenantId { get; set; }

        [Parameter(HelpMessage = "What the partner's users see of your calendars: None, AvailabilityOnly (times) or LimitedDetails (times, subject, location). AvailabilityOnly when nothing else is asked.")]
        public FreeBusyAccessLevel? FreeBusyAccessLevel { get; set; }

        [Parameter(HelpMessage = "Mail-enabled security groups (name, address or object id) whose members' free/busy is shared; everyone when omitted.")]
        [ValidateNotNullOrEmpty]
        public string[]? FreeBusyAccessScope { get; set; }

        [Parameter(HelpMessage = "Which MailTips the partner's users see: None, Limited or All.")]
        public MailTipsAccessLevel? MailTipsAccessLevel { get; set; }

        [Parameter(HelpMessage = "Groups whose members' MailTips are shared; everyone when omitted.")]
        [ValidateNotNullOrEmpty]
        public string[]? MailTipsAccessScope { get; set; }

        [Parameter(HelpMessage = "The most your users may share a calendar with the partner's users: None, Simple, Detail or Reviewer.")]
        public CalendarSharingAccessLevel? CalendarSharingAccessLevel { get; set; }

        [Parameter(HelpMessage = "Let the partner's users book your rooms (Places room booking).")]
        public SwitchParameter RoomBooking { get; set; }

        [Parameter(HelpMessage = "Replace a partner trust that is scoped or blocked with one for all the partner's users. Without it that is an error.")]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            CalendarFederationConnection connection = ResolveConnection();
            string target = DomainName ?? PartnerTenantId ?? "";
            try
            {
                (PartnerTarget partner, PartnerAccessPlan plan) = RunEngine(async (events, token) =>
                {
                    PartnerTarget resolved = await PartnerTarget.ResolveAsync(connection.Session, DomainName, PartnerTenantId, events, token).ConfigureAwait(false);
                    PartnerAccessPlan planned = await CrossTenantAccessService.For(connection.Session).PlanAsync(BuildRequest(resolved.TenantId), events, token)
                        .ConfigureAwait(false);
                    return (resolved, planned);
                });
                string label = partner.Domain != null ? Text.Format(CrossTenantAccessMessages.LabelPartner, partner.Domain, partner.TenantId) : partner.TenantId;
                if (plan.IsEmpty)
                {
                    WriteVerbose(Text.Format(CrossTenantAccessMessages.VerboseGrantNothingToChange, connection.Organization, label));
                }
                else if (!ShouldProcess(Text.Format(CrossTenantAccessMessages.ConfirmPlan, connection.Organization, string.Join("; ", plan.Steps.Select(s => s.Description))),
                             Text.Format(CrossTenantAccessMessages.ConfirmGrantQuery, connection.Organization, label), CrossTenantAccessMessages.ConfirmGrantCaption))
                {
                    return;
                }
                PartnerAccessResult result = RunEngine((events, token) =>
                    CrossTenantAccessService.For(connection.Session).ApplyAsync(BuildRequest(partner.TenantId), events, token));
                var names = result.ScopeGroups.ToDictionary(g => g.ObjectId, g => g.DisplayName ?? g.Identity, System.StringComparer.OrdinalIgnoreCase);
                WriteObject(CrossTenantAccessMapper.ToOutput(connection.Organization, result.State, partner.Domain != null ? new[] { partner.Domain } : null, names));
            }
            catch (EngineException ex)
            {
                WriteError(ToCrossTenantError(ex, target));
            }
        }

        private PartnerAccessRequest BuildRequest(string tenantId)
        {
            bool anyAsked = FreeBusyAccessLevel != null || MailTipsAccessLevel != null || CalendarSharingAccessLevel != null || RoomBooking.IsPresent;
            FreeBusyAccessLevel? freeBusy = FreeBusyAccessLevel ?? (!anyAsked || FreeBusyAccessScope != null ? CalendarFederation.FreeBusyAccessLevel.AvailabilityOnly : (FreeBusyAccessLevel?)null);
            return new PartnerAccessRequest(tenantId)
            {
                FreeBusy = freeBusy == null ? (EngineFreeBusy?)null : (EngineFreeBusy)(int)freeBusy.Value,
                FreeBusyScope = FreeBusyAccessScope,
                MailTips = MailTipsAccessLevel == null ? (EngineMailTips?)null : (EngineMailTips)(int)MailTipsAccessLevel.Value,
                MailTipsScope = MailTipsAccessScope,
                CalendarSharing = CalendarSharingAccessLevel == null ? (EngineSharing?)null : (EngineSharing)(int)CalendarSharingAccessLevel.Value,
                RoomBooking = RoomBooking.IsPresent ? true : (bool?)null,
                ExistingTrust = Force ? ExistingTrustHandling.Replace : ExistingTrustHandling.Refuse,
            };
        }
    }
}
