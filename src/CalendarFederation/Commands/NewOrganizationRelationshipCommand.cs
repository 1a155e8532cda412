using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Infrastructure;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Creates a one-way organization relationship in the connected tenant, with Exchange's parameters. Binds
    /// Get-FederationInformation's output by property name.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OrganizationRelationship", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(OrganizationRelationship))]
    public sealed class NewOrganizationRelationshipCommand : TenantCommandBase
    {
        // The tenant's relationships, read once per call and kept current, so piping many creates costs one request each.
        private List<AdminObject>? _existing;
        private CalendarFederationConnection? _existingFor;

        [Parameter(Mandatory = true, Position = 0, HelpMessage = "A unique name, at most 64 characters.")]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "";

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's domains (at most 238 per request; more are added in chunks).")]
        [ValidateNotNullOrEmpty]
        public string[] DomainNames { get; set; } = Array.Empty<string>();

        [Parameter(HelpMessage = "Whether the relationship is enabled. Default $true.")]
        public bool Enabled { get; set; } = true;

        [Parameter(HelpMessage = "Share free/busy with the partner. Default $false.")]
        public bool FreeBusyAccessEnabled { get; set; }

        [Parameter(HelpMessage = "None, AvailabilityOnly (times only) or LimitedDetails (times, subject, location). Meaningful only with -FreeBusyAccessEnabled $true.")]
        public FreeBusyAccessLevel FreeBusyAccessLevel { get; set; }

        [Parameter(HelpMessage = "A mail-enabled security group: only its members' free/busy is shared. Keep it under 10,000 members.")]
        public string? FreeBusyAccessScope { get; set; }

        [Parameter(HelpMessage = "Share MailTips with the partner. Default $false.")] public bool MailTipsAccessEnabled { get; set; }
        [Parameter(HelpMessage = "None, Limited or All: which MailTips the partner sees.")] public MailTipsAccessLevel MailTipsAccessLevel { get; set; }
        [Parameter(HelpMessage = "A group: only its members' MailTips are shared.")] public string? MailTipsAccessScope { get; set; }
        [Parameter(HelpMessage = "Share delivery reports with the partner.")] public bool DeliveryReportEnabled { get; set; }
        [Parameter(HelpMessage = "Let the partner reach archive mailboxes (hybrid).")] public bool ArchiveAccessEnabled { get; set; }
        [Parameter(HelpMessage = "Share user photos with the partner.")] public bool PhotosEnabled { get; set; }
        [Parameter(HelpMessage = "Allow mailbox moves to or from the partner.")] public bool MailboxMoveEnabled { get; set; }
        [Parameter(HelpMessage = "None, Inbound, Outbound, RemoteInbound or RemoteOutbound (cross-tenant moves).")] public MailboxMoveCapability MailboxMoveCapability { get; set; }
        [Parameter(HelpMessage = "Mail-enabled security groups whose members may move (cross-tenant moves).")] public string[]? MailboxMovePublishedScopes { get; set; }
        [Parameter(HelpMessage = "The migration app's id for cross-tenant mailbox moves.")] public string? OAuthApplicationId { get; set; }
        [Parameter(HelpMessage = "An SMTP address to contact about this relationship.")] public string? OrganizationContact { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's ApplicationUri; 'outlook.com' for Exchange Online.")]
        public Uri? TargetApplicationUri { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's Autodiscover endpoint (absolute).")]
        public Uri? TargetAutodiscoverEpr { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's Outlook on the web URL (absolute).")]
        public Uri? TargetOwaURL { get; set; }

        [Parameter(HelpMessage = "The partner's sharing endpoint (absolute); used instead of Autodiscover when set.")]
        public Uri? TargetSharingEpr { get; set; }

        protected override void ProcessRecord()
        {
            var bound = MyInvocation.BoundParameters;
            if (Name.Length > RelationshipRules.MaxNameLength)
            {
                WriteError(new ErrorRecord(new ArgumentException($"The name '{Name}' is {Name.Length} characters long; an organization relationship's name has at most {RelationshipRules.MaxNameLength}."),
                    "OrganizationRelationshipNameTooLong", ErrorCategory.InvalidArgument, Name));
                return;
            }
            string? relative = RelationshipSettings.FindRelativeUri(bound);
            if (relative != null)
            {
                WriteError(new ErrorRecord(new ArgumentException($"-{relative} must be an absolute URI, for example https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity."),
                    "InvalidTargetUri", ErrorCategory.InvalidArgument, bound[relative]));
                return;
            }
            List<string>? domains = NormalizeDomains(DomainNames);
            if (domains == null) return;

            if (bound.ContainsKey(nameof(FreeBusyAccessLevel)) && FreeBusyAccessLevel != FreeBusyAccessLevel.None && !FreeBusyAccessEnabled)
            {
                WriteWarning($"-FreeBusyAccessLevel {FreeBusyAccessLevel} has no effect while -FreeBusyAccessEnabled is $false: the partner sees no free/busy. Add -FreeBusyAccessEnabled $true.");
            }
            if (TargetApplicationUri == null || (TargetAutodiscoverEpr == null && TargetSharingEpr == null))
            {
                WriteWarning("Your users cannot ask this partner for free/busy until the relationship has TargetApplicationUri and TargetAutodiscoverEpr (or TargetSharingEpr). " +
                    "Pipe Get-FederationInformation -DomainName <partner domain> into New-OrganizationRelationship, or set them.");
            }

            string domainList = string.Join(", ", domains);
            if (!ShouldProcess($"Creating organization relationship \"{Name}\" with domains \"{domainList}\".",
                    $"Create organization relationship \"{Name}\" with domains \"{domainList}\"?", "New-OrganizationRelationship"))
            {
                return;
            }

            CalendarFederationConnection connection = ResolveConnection();
            var settings = RelationshipSettings.FromBound(bound);
            if (!bound.ContainsKey(nameof(Enabled))) settings.Insert(0, new KeyValuePair<string, object?>("Enabled", true));
            AdminObject created;
            try
            {
                if (_existing == null || !ReferenceEquals(_existingFor, connection))
                {
                    _existing = RunEngine((events, token) => new OrganizationRelationshipService(connection.Session.AdminApi, events).GetAsync(null, token));
                    _existingFor = connection;
                }
                List<AdminObject> existing = _existing;
                created = RunEngine((events, token) => new OrganizationRelationshipService(connection.Session.AdminApi, events).CreateAsync(Name, domains, settings, token, existing));
                _existing.Add(created);
            }
            catch (EngineException ex)
            {
                _existing = null; // read again for the next item: the failure may have changed what exists
                if (ex is PartialChangeException partial)
                {
                    WriteError(ToErrorRecord(partial, Name));
                    if (partial.Current != null) WriteObject(RelationshipMapper.ToPSObject(partial.Current, connection.Organization));
                    return;
                }
                WriteError(ToErrorRecord(ex, Name));
                return;
            }
            if (domains.Count == 1)
            {
                WriteWarning($"'{Name}' covers one partner domain ({domains[0]}). Since 2025 Exchange Online's Get-FederationInformation returns only the domain you ask for, " +
                    $"so the partner's other domains are not included: add them with Set-OrganizationRelationship -Identity '{Name}' -DomainNames @{{Add='other.example'}}.");
            }
            string partner = domains.Count == 1 ? domains[0] : domains[0] + " and " + (domains.Count - 1) + " more";
            WriteWarning($"Organization relationships are one-way: '{Name}' shares your free/busy with {partner}" +
                (FreeBusyAccessEnabled ? $" ({FreeBusyAccessLevel})" : " (free/busy sharing is off)") +
                $" and tells your organization how to reach it. Your users see {partner}'s free/busy only once the partner creates a relationship for your domains; " +
                "New-CalendarFederation sets up both sides.");
            WriteObject(RelationshipMapper.ToPSObject(created, connection.Organization));
        }

        private List<string>? NormalizeDomains(IEnumerable<string> input)
        {
            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string raw in input)
            {
                string? domain = SmtpDomain.TryNormalize(raw, out string? error);
                if (domain == null)
                {
                    WriteError(new ErrorRecord(new ArgumentException(error), "InvalidDomainName", ErrorCategory.InvalidArgument, raw));
                    return null;
                }
                if (!seen.Add(domain))
                {
                    WriteVerbose($"'{raw}' is listed more than once; it is sent once.");
                    continue;
                }
                result.Add(domain);
            }
            return result;
        }
    }
}
