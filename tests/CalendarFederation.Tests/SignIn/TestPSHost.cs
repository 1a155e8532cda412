using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace CalendarFederation.Tests.SignIn;

/// <summary>
/// An interactive host for tests: a person "is there" (so interactive sign-in modes are allowed), and everything
/// written to the host is captured. Reading input is refused, as nobody types.
/// </summary>
public sealed class TestPSHost : PSHost
{
    private readonly Guid _id = Guid.NewGuid();
    private readonly TestHostUI _ui = new();

    public override string Name => "CalendarFederationTestHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public string Written => _ui.Text;

    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    private sealed class TestHostUI : PSHostUserInterface
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Text
        {
            get { lock (_text) return _text.ToString(); }
        }

        private void Append(string s)
        {
            lock (_text) _text.Append(s);
        }

        public override PSHostRawUserInterface? RawUI => null;
        public override string ReadLine() => throw new PSInvalidOperationException("Nobody types in the test host.");
        public override SecureString ReadLineAsSecureString() => throw new PSInvalidOperationException("Nobody types in the test host.");
        public override void Write(string value) => Append(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
        public override void WriteLine(string value) => Append(value + "\n");
        public override void WriteErrorLine(string value) => Append("ERROR: " + value + "\n");
        public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");
        public override void WriteInformation(InformationRecord record) => Append("INFO: " + record.MessageData + "\n");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new PSInvalidOperationException("Nobody answers prompts in the test host.");
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw new PSInvalidOperationException("Nobody answers prompts in the test host.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new PSInvalidOperationException("Nobody answers prompts in the test host.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new PSInvalidOperationException("Nobody answers prompts in the test host.");
    }
}
