using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Creates a one-way organization relationship in the connected tenant, with Exchange's parameters. Binds
    /// Get-FederationInformation's output by property name.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OrganizationRelationship", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(OrganizationRelationship))]
    public sealed class NewOrganizationRelationshipCommand : RelationshipSettingsCommand
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

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's ApplicationUri; 'outlook.com' for Exchange Online.")]
        public Uri? TargetApplicationUri { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's Autodiscover endpoint (absolute).")]
        public Uri? TargetAutodiscoverEpr { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The partner's Outlook on the web URL (absolute).")]
        public Uri? TargetOwaURL { get; set; }

        [Parameter(HelpMessage = "The partner's sharing endpoint (absolute); used instead of Autodiscover when set.")]
        public Uri? TargetSharingEpr { get; set; }

        private readonly WarningDigest _digest = new WarningDigest();

        protected override void ProcessRecord()
        {
            var bound = MyInvocation.BoundParameters;
            EngineException? badName = RelationshipRules.CheckName(Name);
            if (badName != null)
            {
                WriteError(ToErrorRecord(badName, Name));
                return;
            }
            string? relative = RelationshipSettings.FindRelativeUri(bound);
            if (relative != null)
            {
                WriteError(new ErrorRecord(new ArgumentException(Text.Format(RelationshipMessages.ErrorRelativeTargetUri, relative)),
                    ErrorIds.InvalidTargetUri, ErrorCategory.InvalidArgument, bound[relative]));
                return;
            }
            List<string>? domains = NormalizeDomains(DomainNames);
            if (domains == null) return;

            string domainList = string.Join(", ", domains);
            if (!ShouldProcess(Text.Format(RelationshipMessages.ConfirmNewWhatIf, Name, domainList), Text.Format(RelationshipMessages.ConfirmNewQuery, Name, domainList), RelationshipMessages.ConfirmNewCaption))
            {
                // -WhatIf previews the warnings the create would bring; a "no" brings none.
                if (bound.ContainsKey("WhatIf")) NoteWarnings(domains, bound);
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
            NoteWarnings(domains, bound, connection);
            WriteObject(RelationshipMapper.ToPSObject(created, connection.Organization));
        }

        protected override void EndProcessing() => _digest.Flush(this);

        // What the admin should know about a relationship that was created (or would be): said once per pipeline by the digest.
        private void NoteWarnings(List<string> domains, System.Collections.IDictionary bound, CalendarFederationConnection? connection = null)
        {
            string label = Text.Format(RelationshipMessages.LabelRelationship, Name);
            if (bound.Contains(nameof(FreeBusyAccessLevel)) && FreeBusyAccessLevel != FreeBusyAccessLevel.None && !FreeBusyAccessEnabled)
            {
                _digest.Add("LevelIgnored", RelationshipMessages.WarnLevelIgnored, label);
            }
            if (FreeBusyAccessEnabled && !bound.Contains(nameof(FreeBusyAccessLevel)))
            {
                _digest.Add("LevelMissing", RelationshipMessages.WarnLevelMissing, label);
            }
            if (TargetApplicationUri == null || (TargetAutodiscoverEpr == null && TargetSharingEpr == null))
            {
                _digest.Add("NoTargets", RelationshipMessages.WarnNoTargets, label);
            }
            if (domains.Count == 1) _digest.Add("SingleDomain", RelationshipMessages.WarnSingleDomain, Text.Format(RelationshipMessages.LabelRelationshipDomain, label, domains[0]), RelationshipMessages.WarnSingleDomainMany);
            _digest.Add("OneWay", RelationshipMessages.WarnOneWay, label);
            if (PartnerClassifier.ClassifyTargets(TargetApplicationUri?.OriginalString, TargetAutodiscoverEpr?.OriginalString, TargetSharingEpr?.OriginalString,
                    connection?.Session.Environment) == PartnerKind.Microsoft365)
            {
                _digest.Add("EwsRetiring", RelationshipMessages.WarnEwsRetiring, label);
            }
        }

        private List<string>? NormalizeDomains(IEnumerable<string> input)
        {
            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string raw in input)
            {
                string domain;
                try
                {
                    domain = SmtpDomain.Normalize(raw);
                }
                catch (EngineException ex)
                {
                    WriteError(ErrorRecords.InvalidInput(ex, raw));
                    return null;
                }
                if (!seen.Add(domain))
                {
                    WriteVerbose(Text.Format(RelationshipMessages.VerboseDuplicateDomain, raw));
                    continue;
                }
                result.Add(domain);
            }
            return result;
        }
    }
}
