using System.Management.Automation;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// The fifteen relationship settings New- and Set-OrganizationRelationship share, declared once with Exchange's names.
    /// Only the bound ones are sent (<see cref="RelationshipSettings.FromBound"/>). The Target* URIs stay on each cmdlet:
    /// New- binds them from Get-FederationInformation's output, Set- must not bind them from a piped relationship.
    /// </summary>
    public abstract class RelationshipSettingsCommand : TenantCommandBase
    {
        [Parameter(HelpMessage = "Whether the relationship is enabled. New-OrganizationRelationship defaults to $true.")]
        public bool Enabled { get; set; } = true;

        [Parameter(HelpMessage = "Share free/busy with the partner. Default $false.")]
        public bool FreeBusyAccessEnabled { get; set; }

        [Parameter(HelpMessage = "None, AvailabilityOnly (times only) or LimitedDetails (times, subject, location). Meaningful only with -FreeBusyAccessEnabled $true.")]
        public FreeBusyAccessLevel FreeBusyAccessLevel { get; set; }

        [Parameter(HelpMessage = "A mail-enabled security group: only its members' free/busy is shared. Keep it under 10,000 members.")]
        public string? FreeBusyAccessScope { get; set; }

        [Parameter(HelpMessage = "Share MailTips with the partner. Default $false.")]
        public bool MailTipsAccessEnabled { get; set; }

        [Parameter(HelpMessage = "None, Limited or All: which MailTips the partner sees.")]
        public MailTipsAccessLevel MailTipsAccessLevel { get; set; }

        [Parameter(HelpMessage = "A group: only its members' MailTips are shared.")]
        public string? MailTipsAccessScope { get; set; }

        [Parameter(HelpMessage = "Share delivery reports with the partner.")]
        public bool DeliveryReportEnabled { get; set; }

        [Parameter(HelpMessage = "Let the partner reach archive mailboxes (hybrid).")]
        public bool ArchiveAccessEnabled { get; set; }

        [Parameter(HelpMessage = "Share user photos with the partner.")]
        public bool PhotosEnabled { get; set; }

        [Parameter(HelpMessage = "Allow mailbox moves to or from the partner.")]
        public bool MailboxMoveEnabled { get; set; }

        [Parameter(HelpMessage = "None, Inbound, Outbound, RemoteInbound or RemoteOutbound (cross-tenant moves).")]
        public MailboxMoveCapability MailboxMoveCapability { get; set; }

        [Parameter(HelpMessage = "Mail-enabled security groups whose members may move (cross-tenant moves).")]
        public string[]? MailboxMovePublishedScopes { get; set; }

        [Parameter(HelpMessage = "The migration app's id for cross-tenant mailbox moves.")]
        public string? OAuthApplicationId { get; set; }

        [Parameter(HelpMessage = "An SMTP address to contact about this relationship.")]
        public string? OrganizationContact { get; set; }
    }
}
