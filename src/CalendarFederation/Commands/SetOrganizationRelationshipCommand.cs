using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Changes an organization relationship. -DomainNames takes a list (replace) or Exchange's @{Add=...; Remove=...}.
    /// Enabling or disabling asks for confirmation unless -Force.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "OrganizationRelationship", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(OrganizationRelationship))] // with -PassThru
    public sealed class SetOrganizationRelationshipCommand : RelationshipSettingsCommand
    {
        private bool _yesToAll;
        private bool _noToAll;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, HelpMessage = "The relationship's name or GUID.")]
        [ArgumentCompleter(typeof(Completion.RelationshipCompleter))]
        [ValidateNotNullOrEmpty]
        public string Identity { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The tenant the relationship belongs to. Piped relationships fill it in, so a relationship read through one connection is never changed through another.")]
        [ValidateNotNullOrEmpty]
        public string? Organization { get; set; }

        [Parameter(HelpMessage = "A new name, at most 64 characters.")]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        [Parameter(HelpMessage = "The partner's domains: a list replaces them; @{Add='a.com'; Remove='b.com'} changes them.")]
        [ValidateNotNull]
        public object? DomainNames { get; set; }

        [Parameter(HelpMessage = "The partner's ApplicationUri; 'outlook.com' for Exchange Online.")] public Uri? TargetApplicationUri { get; set; }
        [Parameter(HelpMessage = "The partner's Autodiscover endpoint (absolute).")] public Uri? TargetAutodiscoverEpr { get; set; }
        [Parameter(HelpMessage = "The partner's Outlook on the web URL (absolute).")] public Uri? TargetOwaURL { get; set; }
        [Parameter(HelpMessage = "The partner's sharing endpoint (absolute); used instead of Autodiscover when set.")] public Uri? TargetSharingEpr { get; set; }

        [Parameter(HelpMessage = "Enable or disable without asking.")]
        public SwitchParameter Force { get; set; }

        [Parameter(HelpMessage = "Write the relationship as it is after the change. Like Exchange's cmdlet, Set- writes nothing without it.")]
        public SwitchParameter PassThru { get; set; }

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
                WriteError(new ErrorRecord(new ArgumentException(Text.Format(RelationshipMessages.ErrorRelativeTargetUri, relative)), ErrorIds.InvalidTargetUri, ErrorCategory.InvalidArgument, bound[relative]));
                return;
            }
            if (!ParseDomainChange(out List<string>? replace, out List<string>? add, out List<string>? remove)) return;

            var settings = RelationshipSettings.FromBound(bound);
            if (Name != null) settings.Insert(0, new KeyValuePair<string, object?>("Name", Name));
            if (settings.Count == 0 && replace == null && add == null && remove == null)
            {
                WriteWarning(Text.Format(RelationshipMessages.WarnSetNothingGiven, Identity));
                return;
            }

            CalendarFederationConnection connection = ResolveConnection();
            if (!BelongsTo(connection, Organization, Identity)) return;
            Func<IEngineEvents, OrganizationRelationshipService> service = events => new OrganizationRelationshipService(connection.Session.AdminApi, events);
            try
            {
                AdminObject? current = ReadExisting(connection, service, Identity);
                if (current == null) return;
                string name = current.GetString("Name") ?? Identity;

                // -WhatIf reports and stops here, before anyone is asked anything.
                if (!ShouldProcess(name, RelationshipMessages.ConfirmSetAction)) return;
                if (bound.ContainsKey(nameof(Enabled)) && current.GetBool("Enabled") != Enabled && !Force)
                {
                    string query = Text.Format(Enabled ? RelationshipMessages.ConfirmSetEnableQuery : RelationshipMessages.ConfirmSetDisableQuery, name);
                    if (!AskToContinue(query, name)) return;
                }

                AdminObject updated = RunEngine((events, token) => service(events).UpdateAsync(name, settings, replace, add, remove, token, current, readBack: PassThru));
                if (PassThru) WriteObject(RelationshipMapper.ToPSObject(updated, connection.Organization));
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.OrganizationRelationshipNotFound, ErrorCategory.ObjectNotFound, Identity));
            }
            catch (PartialChangeException ex)
            {
                WriteError(ToErrorRecord(ex, Identity));
                if (PassThru && ex.Current != null) WriteObject(RelationshipMapper.ToPSObject(ex.Current, connection.Organization));
            }
            catch (EngineException ex)
            {
                WriteError(ToErrorRecord(ex, Identity));
            }
        }

        private bool AskToContinue(string query, string name)
        {
            try
            {
                // hasSecurityImpact: the prompt's default is No, not ShouldContinue's usual Yes (issue 14 §6).
                return ShouldContinue(query, RelationshipMessages.ConfirmSetCaption, true, ref _yesToAll, ref _noToAll);
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is System.Management.Automation.Host.HostException || ex is NotImplementedException)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(Text.Format(RelationshipMessages.ErrorSetConfirmationRequired, name), ex),
                    ErrorIds.ConfirmationRequired, ErrorCategory.InvalidOperation, name));
                return false;
            }
        }

        // -DomainNames: a list replaces; a hashtable with Add and/or Remove changes.
        private bool ParseDomainChange(out List<string>? replace, out List<string>? add, out List<string>? remove)
        {
            replace = add = remove = null;
            if (DomainNames == null) return true;
            object value = DomainNames is PSObject pso ? pso.BaseObject : DomainNames;
            if (value is IDictionary change)
            {
                foreach (DictionaryEntry entry in change)
                {
                    string key = Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                    List<string>? list = Normalize(entry.Value);
                    if (list == null) return false;
                    if (key.Equals("Add", StringComparison.OrdinalIgnoreCase)) add = list;
                    else if (key.Equals("Remove", StringComparison.OrdinalIgnoreCase)) remove = list;
                    else
                    {
                        WriteError(new ErrorRecord(new ArgumentException(Text.Format(RelationshipMessages.ErrorSetUnknownDomainNamesKey, key)),
                            ErrorIds.InvalidDomainNamesChange, ErrorCategory.InvalidArgument, DomainNames));
                        return false;
                    }
                }
                return true;
            }
            replace = Normalize(value);
            return replace != null;
        }

        private List<string>? Normalize(object? value)
        {
            object? raw = value is PSObject p ? p.BaseObject : value;
            IEnumerable<object?> items = raw is string s ? new object?[] { s } : raw is IEnumerable e ? e.Cast<object?>() : new[] { raw };
            var result = new List<string>();
            foreach (object? item in items)
            {
                string text = Convert.ToString(item is PSObject ip ? ip.BaseObject : item, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                string domain;
                try
                {
                    domain = SmtpDomain.Normalize(text);
                }
                catch (EngineException ex)
                {
                    WriteError(ErrorRecords.InvalidInput(ex, text));
                    return null;
                }
                if (!result.Contains(domain, StringComparer.OrdinalIgnoreCase)) result.Add(domain);
            }
            return result;
        }
    }
}
