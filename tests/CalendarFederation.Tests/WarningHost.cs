using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace CalendarFederation.Tests;

/// <summary>A host that answers nothing and records the warnings written to it directly (Host.UI.WriteWarningLine).</summary>
internal sealed class WarningHost : PSHost
{
    private readonly Guid _id = Guid.NewGuid();
    private readonly HostUI _ui;

    public WarningHost() => _ui = new HostUI(this);

    public List<string> Warnings { get; } = new();
    public override string Name => "WarningRecordingHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    private sealed class HostUI : PSHostUserInterface
    {
        private readonly WarningHost _host;
        public HostUI(WarningHost host) => _host = host;
        public override PSHostRawUserInterface? RawUI => null;
        public override string ReadLine() => throw new PSInvalidOperationException("Nobody types.");
        public override SecureString ReadLineAsSecureString() => throw new PSInvalidOperationException("Nobody types.");
        public override void Write(string value) { }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteLine(string value) { }
        public override void WriteErrorLine(string value) { }
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { lock (_host.Warnings) _host.Warnings.Add(message); }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new PSInvalidOperationException("Nobody answers.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new PSInvalidOperationException("Nobody answers.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes,
            PSCredentialUIOptions options) => throw new PSInvalidOperationException("Nobody answers.");
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw new PSInvalidOperationException("Nobody answers.");
    }
}
