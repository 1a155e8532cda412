using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace CalendarFederation.Tests;

internal sealed record Prompt(string Caption, string Message, string[] Labels, int DefaultChoice);

/// <summary>
/// A host whose PromptForChoice records the question and answers with <see cref="Answer"/> (default: the default choice),
/// and that records the warnings written to it directly (Host.UI.WriteWarningLine: what a stopped cmdlet says).
/// </summary>
internal sealed class ChoiceHost : PSHost
{
    private readonly Guid _id = Guid.NewGuid();
    private readonly ChoiceUI _ui;

    public ChoiceHost() => _ui = new ChoiceUI(this);

    public List<Prompt> Prompts { get; } = new();
    public List<string> Warnings { get; } = new();
    public Func<Collection<ChoiceDescription>, int, int> Answer { get; set; } = (_, defaultChoice) => defaultChoice;

    public override string Name => "ChoiceRecordingHost";
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

    private sealed class ChoiceUI : PSHostUserInterface
    {
        private readonly ChoiceHost _host;
        public ChoiceUI(ChoiceHost host) => _host = host;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            lock (_host.Prompts) _host.Prompts.Add(new Prompt(caption, message, choices.Select(c => c.Label).ToArray(), defaultChoice));
            return _host.Answer(choices, defaultChoice);
        }

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
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new PSInvalidOperationException("Nobody answers.");
    }
}
