using System;
using System.Management.Automation;
using CalendarFederation.Completion;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>Adds a named environment, so one -ExchangeEnvironmentName carries every endpoint (a private cloud, the sandbox).</summary>
    [Cmdlet(VerbsCommon.Add, "CalendarFederationEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(CalendarFederationEnvironment))]
    public sealed class AddCalendarFederationEnvironmentCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The environment's name, used with -ExchangeEnvironmentName.")]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "";

        [Parameter(Mandatory = true, HelpMessage = "The sign-in authority host, https.")]
        [ValidateNotNull]
        public Uri AzureADAuthorizationEndpointUri { get; set; } = null!;

        [Parameter(Mandatory = true, HelpMessage = "The admin API host.")]
        [ValidateNotNull]
        public Uri ConnectionUri { get; set; } = null!;

        [Parameter(HelpMessage = "The cloud's own Autodiscover endpoint, asked first by Get-FederationInformation.")]
        public Uri? AutodiscoverEndpoint { get; set; }

        [Parameter(HelpMessage = "The admin API's OAuth scope; default '<ConnectionUri host>/.default'.")]
        public string? Scope { get; set; }

        [Parameter(HelpMessage = "Microsoft Graph's host in this cloud, for the free/busy probe; default the ConnectionUri host.")]
        public Uri? GraphEndpoint { get; set; }

        protected override void EndProcessing()
        {
            if (!ShouldProcess(Name, ConnectionMessages.ConfirmAddEnvironment)) return;
            try
            {
                ExchangeEnvironment e = EnvironmentRegistry.Add(Name, AutodiscoverEndpoint, AzureADAuthorizationEndpointUri, ConnectionUri, Scope, GraphEndpoint);
                WriteObject(GetCalendarFederationEnvironmentCommand.ToOutput(e));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "InvalidEnvironment", ErrorCategory.InvalidArgument, Name));
            }
        }
    }

    /// <summary>Lists the built-in clouds and the custom environments.</summary>
    [Cmdlet(VerbsCommon.Get, "CalendarFederationEnvironment")]
    [OutputType(typeof(CalendarFederationEnvironment))]
    public sealed class GetCalendarFederationEnvironmentCommand : PSCmdlet
    {
        [Parameter(Position = 0, HelpMessage = "An environment's name.")]
        [ArgumentCompleter(typeof(ExchangeEnvironmentCompleter))]
        public string? Name { get; set; }

        protected override void EndProcessing()
        {
            if (Name != null)
            {
                ExchangeEnvironment? e = EnvironmentRegistry.Find(Name);
                if (e == null)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException(Text.Format(ConnectionMessages.ErrorEnvironmentNotFound, Name)), "EnvironmentNotFound", ErrorCategory.ObjectNotFound, Name));
                    return;
                }
                WriteObject(ToOutput(e));
                return;
            }
            foreach (ExchangeEnvironment e in EnvironmentRegistry.All) WriteObject(ToOutput(e));
        }

        internal static CalendarFederationEnvironment ToOutput(ExchangeEnvironment e) =>
            new CalendarFederationEnvironment(e.Name, e.AutodiscoverEndpoint, e.Authority, e.AdminApi, e.Scope, e.Graph, !e.IsCustom);
    }

    /// <summary>Removes a custom environment.</summary>
    [Cmdlet(VerbsCommon.Remove, "CalendarFederationEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveCalendarFederationEnvironmentCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "The custom environment's name.")]
        [ArgumentCompleter(typeof(ExchangeEnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "";

        protected override void ProcessRecord()
        {
            if (ExchangeEnvironment.FindBuiltIn(Name) != null)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(Text.Format(ConnectionMessages.ErrorBuiltInEnvironment, Name)), "BuiltInEnvironment", ErrorCategory.InvalidOperation, Name));
                return;
            }
            if (EnvironmentRegistry.Find(Name) == null)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException(Text.Format(ConnectionMessages.ErrorEnvironmentNotFound, Name)), "EnvironmentNotFound", ErrorCategory.ObjectNotFound, Name));
                return;
            }
            if (ShouldProcess(Name, ConnectionMessages.ConfirmRemoveEnvironment)) EnvironmentRegistry.Remove(Name);
        }
    }
}
