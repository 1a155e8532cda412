using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace CalendarFederation.Tests.Surface;

/// <summary>
/// The cmdlets' texts live in src/CalendarFederation/Resources/*.resx (issue 12): no source file in Commands/ or
/// Infrastructure/ writes a text of its own. A scan of the C# source (comments, char literals and interpolation holes
/// understood, so it neither trips on a quote in a comment nor misses a literal inside a ternary) finds:
/// <list type="bullet">
/// <item>a string literal with a letter in it given straight to what shows text: WriteVerbose, WriteWarning, WriteDebug,
/// the host's Write*Line, HostInformation.Write, ShouldProcess, ShouldContinue, PromptForChoice, new ...Exception,
/// new ErrorDetails, new ProgressRecord, new ChoiceDescription, Text.Format and string.Format, a recommended action
/// (ErrorRecords.From, InvalidInput, Create), a migration row's Note and Fail, or assigned to Message or RecommendedAction;</item>
/// <item>anywhere else, a literal that reads as prose: three or more words (HelpMessage, attribute metadata, is exempt).</item>
/// </list>
/// Error ids, parameter set names, property and cmdlet names are one word each, so they pass.
/// </summary>
public sealed class InlineTextTests
{
    private static readonly string[] ScannedFolders = { "Commands", "Infrastructure" };

    [Fact]
    public void No_cmdlet_source_writes_a_text_of_its_own()
    {
        string root = ModuleSourceDirectory();
        var files = ScannedFolders.SelectMany(f => Directory.GetFiles(Path.Combine(root, f), "*.cs")).OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 20, $"Expected the cmdlet sources under {root}; found {files.Count} files.");
        var findings = files.SelectMany(f => InlineTextScanner.Scan(File.ReadAllText(f)).Select(x => $"{Path.GetRelativePath(root, f)}:{x}")).ToList();
        Assert.True(findings.Count == 0,
            "Move these texts to src/CalendarFederation/Resources/*.resx (see the naming note at the top of each file):\n" + string.Join("\n", findings));
    }

    // The scanner itself: each way a text used to be written inline is found, and what belongs in code is not.
    [Theory]
    [InlineData("WriteVerbose(\"Done.\");")]
    [InlineData("WriteWarning($\"{name} is gone.\");")]
    [InlineData("WriteDebug(@\"raw\");")]
    [InlineData("WriteVerbose(ok ? \"yes\" : Messages.No);")]
    [InlineData("WriteVerbose(\"Removed '\" + name + \"'.\");")]
    [InlineData("Host.UI.WriteWarningLine($\"Stopped: {state}.\");")]
    [InlineData("HostInformation.Write(this, $\"Method: {reason}\");")]
    [InlineData("if (!ShouldProcess(name, \"Disconnect\")) return;")]
    [InlineData("ShouldProcess(a, b, \"New-CalendarFederation\");")]
    [InlineData("ShouldContinue(query, \"Confirm\", true, ref y, ref n);")]
    [InlineData("throw new ArgumentException($\"'{t}' is bad\");")]
    [InlineData("Fail(new InvalidOperationException(\n    \"needs a person\"), id, c, t);")]
    [InlineData("var d = new ErrorDetails(\"x\") { RecommendedAction = Messages.A };")]
    [InlineData("record.ErrorDetails = new ErrorDetails(m) { RecommendedAction = \"Pass -AppId.\" };")]
    [InlineData("new ProgressRecord(id, Messages.Activity, \"Done\")")]
    [InlineData("new ChoiceDescription(\"&Yes\", Messages.YesHelp)")]
    [InlineData("ThrowTerminatingError(ErrorRecords.From(ex, null, \"Pass -Mailbox.\"));")]
    [InlineData("row.Note(\"Not disabled\");")]
    [InlineData("row.Out.Message = $\"{org} has none\";")]
    [InlineData("string s = Text.Format(\"Signing in {0}\", a);")]
    [InlineData("string s = string.Format(CultureInfo.CurrentCulture, \"Signing in {0}\", a);")]
    [InlineData("string text = \"The grants are in place.\";")]
    [InlineData("ErrorIds.AppIdRequired => \"Pass the app's id please.\",")]
    [InlineData("string x = $\"{(device ? \"Device code\" : \"Interactive\")} sign-in needs a person\";")]
    [InlineData("string x = $@\"Path {p} is not there\";")]
    [InlineData("string x = \"\"\"\n    A raw literal of words\n    \"\"\";")]
    public void The_scanner_finds_an_inline_text(string code)
    {
        Assert.NotEmpty(InlineTextScanner.Scan(code));
    }

    [Theory]
    [InlineData("WriteVerbose(Text.Format(ConnectionMessages.VerboseConnected, connection));")]
    [InlineData("WriteWarning(kept.Message + \" \" + MigrationAdvice.Kept(prep));")]
    [InlineData("ShouldProcess(Text.Format(Messages.Plan, org, string.Join(\"; \", steps)), q, Messages.Caption)")]
    [InlineData("[Parameter(Mandatory = true, HelpMessage = \"The partner tenant's connection (Connect-CalendarFederation -PassThru).\")]")]
    [InlineData("[Parameter(Position = 0,\n    HelpMessage = \"Partner tenant ids, or 'default' for the default policy.\")]")]
    [InlineData("[Cmdlet(VerbsCommon.Get, \"CalendarFederationReadiness\")]")]
    [InlineData("Fail(new ArgumentException(m), \"UnknownExchangeEnvironment\", ErrorCategory.InvalidArgument, name);")]
    [InlineData("new ErrorRecord(ex, \"OrganizationMismatch\", ErrorCategory.InvalidArgument, identity)")]
    [InlineData("InvokeAdminApi(connection, \"Get-OrganizationConfig\", none);")]
    [InlineData("string prefix = (word ?? \"\").Trim('\\'', '\"');")]
    [InlineData("// WriteVerbose(\"a comment is not code\");")]
    [InlineData("/* ShouldProcess(name, \"Disconnect\") */ int x = 1;")]
    [InlineData("/// <summary>\"A documented text\" in three words.</summary>")]
    [InlineData("catch (AdminApiException ex) when (ex.Message.IndexOf(\"not required\", StringComparison.OrdinalIgnoreCase) >= 0)")]
    [InlineData("steps.Add(string.Join(\" \", others.Select(f => \"-\" + f + \" $false\")));")]
    [InlineData("string url = \"https://example.com/a//b\"; int y = 2;")]
    [InlineData("string s = $\"{{literal braces}} {x:D}\";")]
    public void The_scanner_passes_what_belongs_in_code(string code)
    {
        Assert.Empty(InlineTextScanner.Scan(code));
    }

    private static string ModuleSourceDirectory([CallerFilePath] string path = "")
    {
        // tests/CalendarFederation.Tests/Surface/InlineTextTests.cs -> src/CalendarFederation
        string repo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
        string module = Path.Combine(repo, "src", "CalendarFederation");
        Assert.True(Directory.Exists(module), $"The module's source is not at {module}.");
        return module;
    }
}

/// <summary>A small C# tokenizer, enough to tell code from comments, strings and char literals, and the scan over its tokens.</summary>
internal static class InlineTextScanner
{
    private static readonly HashSet<string> TextCalls = new(StringComparer.Ordinal)
    {
        "WriteVerbose", "WriteWarning", "WriteDebug", "WriteLine", "WriteWarningLine", "WriteVerboseLine", "WriteDebugLine", "WriteErrorLine",
        "ShouldProcess", "ShouldContinue", "PromptForChoice", "Note",
    };

    private static readonly HashSet<string> TextTypes = new(StringComparer.Ordinal) { "ErrorDetails", "ProgressRecord", "ChoiceDescription" };

    /// <summary>Calls whose text is one argument among others: the qualifier, the name, the argument's index.</summary>
    private static readonly (string Qualifier, string Name, int Index)[] TextArguments =
    {
        ("HostInformation", "Write", 1), ("ErrorRecords", "From", 2), ("ErrorRecords", "InvalidInput", 2), ("ErrorRecords", "Create", 4),
        ("row", "Fail", 2), ("Text", "Format", 0),
    };

    public static List<string> Scan(string source)
    {
        List<Token> tokens = Tokenize(source);
        var findings = new List<string>();
        var flagged = new HashSet<Token>();
        void Flag(Token t, string why)
        {
            if (flagged.Add(t)) findings.Add($"{t.Line}: {why}: {Shorten(t.Raw)}");
        }

        for (int i = 0; i < tokens.Count; i++)
        {
            Token t = tokens[i];
            if (t.Kind != TokenKind.Identifier || !IsOpen(tokens, i + 1)) continue;
            string qualifier = i >= 2 && tokens[i - 1].Text == "." ? tokens[i - 2].Text : "";
            bool isNew = i >= 1 && tokens[i - 1].Text == "new";
            List<List<Token>> args = Arguments(tokens, i + 1);
            if ((!isNew && TextCalls.Contains(t.Text)) || (isNew && (TextTypes.Contains(t.Text) || t.Text.EndsWith("Exception", StringComparison.Ordinal)))
                || (t.Text == "Format" && (qualifier == "string" || qualifier == "String")))
            {
                foreach (Token literal in args.SelectMany(TopLevel).Where(HasLetter)) Flag(literal, $"a text given to {t.Text}");
            }
            foreach ((string q, string name, int index) in TextArguments)
            {
                if (t.Text == name && qualifier == q && args.Count > index)
                {
                    foreach (Token literal in TopLevel(args[index]).Where(HasLetter)) Flag(literal, $"a text given to {q}.{name}");
                }
            }
        }
        for (int i = 0; i + 2 < tokens.Count; i++)
        {
            if (tokens[i].Kind == TokenKind.Identifier && (tokens[i].Text == "Message" || tokens[i].Text == "RecommendedAction") && tokens[i + 1].Text == "="
                && tokens[i + 2].Kind == TokenKind.String && HasLetter(tokens[i + 2]))
            {
                Flag(tokens[i + 2], $"a text assigned to {tokens[i].Text}");
            }
        }
        for (int i = 0; i < tokens.Count; i++)
        {
            Token t = tokens[i];
            if (t.Kind != TokenKind.String) continue;
            bool helpMessage = i >= 2 && tokens[i - 1].Text == "=" && tokens[i - 2].Text == "HelpMessage";
            if (!helpMessage && t.Texts.Any(IsProse)) Flag(t, "prose in code");
        }
        return findings;
    }

    private static bool IsOpen(List<Token> tokens, int i) => i < tokens.Count && tokens[i].Text == "(";

    // The arguments of the call whose '(' is at open: each a list of its tokens, nested brackets included.
    private static List<List<Token>> Arguments(List<Token> tokens, int open)
    {
        var args = new List<List<Token>> { new List<Token>() };
        int depth = 0;
        for (int i = open; i < tokens.Count; i++)
        {
            string s = tokens[i].Kind == TokenKind.Punctuation ? tokens[i].Text : "";
            if (s == "(" || s == "[" || s == "{") { depth++; if (depth == 1) continue; }
            else if (s == ")" || s == "]" || s == "}") { depth--; if (depth == 0) break; }
            else if (s == "," && depth == 1) { args.Add(new List<Token>()); continue; }
            args[^1].Add(tokens[i]);
        }
        if (args.Count == 1 && args[0].Count == 0) args.Clear();
        return args;
    }

    // The string literals of an argument outside its own nested calls: "a" + x, c ? "a" : "b" count; f("a") does not.
    private static IEnumerable<Token> TopLevel(List<Token> argument)
    {
        int depth = 0;
        foreach (Token t in argument)
        {
            string s = t.Kind == TokenKind.Punctuation ? t.Text : "";
            if (s == "(" || s == "[" || s == "{") depth++;
            else if (s == ")" || s == "]" || s == "}") depth--;
            else if (depth == 0 && t.Kind == TokenKind.String) yield return t;
        }
    }

    private static bool HasLetter(Token t) => t.Texts.Any(s => s.Any(char.IsLetter));

    // Three or more words: what an admin reads, not a name.
    private static bool IsProse(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Count(w => w.Any(char.IsLetter)) >= 3;

    private static string Shorten(string raw)
    {
        string one = raw.Replace("\r", "").Replace("\n", " ");
        return one.Length <= 80 ? one : one.Substring(0, 77) + "...";
    }

    private enum TokenKind { Identifier, Punctuation, String, Other }

    private sealed class Token
    {
        public Token(TokenKind kind, string text, int line, string raw, List<string>? texts = null)
        {
            Kind = kind;
            Text = text;
            Line = line;
            Raw = raw;
            Texts = texts ?? new List<string> { text };
        }

        public TokenKind Kind { get; }
        public string Text { get; }
        public int Line { get; }
        public string Raw { get; }
        /// <summary>For a string: its text outside interpolation holes, then the texts of string literals inside the holes.</summary>
        public List<string> Texts { get; }
    }

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        int i = 0;
        Lex(s, ref i, tokens, stopAtHoleEnd: false);
        return tokens;
    }

    private static int LineAt(string s, int index)
    {
        int line = 1;
        for (int k = 0; k < index && k < s.Length; k++) if (s[k] == '\n') line++;
        return line;
    }

    // Lexes code from i; inside an interpolation hole, stops at its closing '}' (or a top-level ':' format specifier).
    private static void Lex(string s, ref int i, List<Token> tokens, bool stopAtHoleEnd)
    {
        int depth = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && i + 1 < s.Length && s[i + 1] == '/') { while (i < s.Length && s[i] != '\n') i++; continue; }
            if (c == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                int end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + 2;
                continue;
            }
            if (c == '\'') { SkipChar(s, ref i); continue; }
            if (c == '"' || ((c == '$' || c == '@') && StringStarts(s, i)))
            {
                tokens.Add(ReadString(s, ref i));
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Identifier, s.Substring(start, i - start), LineAt(s, start), s.Substring(start, i - start)));
                continue;
            }
            if (stopAtHoleEnd)
            {
                if (c == '}' && depth == 0) return;
                if (c == ':' && depth == 0) { SkipFormat(s, ref i); return; }
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            if (c == ')' || c == ']' || c == '}') depth--;
            tokens.Add(new Token("(){}[],.=".IndexOf(c) >= 0 ? TokenKind.Punctuation : TokenKind.Other, c.ToString(), LineAt(s, i), c.ToString()));
            i++;
        }
    }

    private static void SkipFormat(string s, ref int i)
    {
        while (i < s.Length && s[i] != '}') i++;
    }

    private static bool StringStarts(string s, int i)
    {
        int k = i;
        while (k < s.Length && (s[k] == '$' || s[k] == '@')) k++;
        return k > i && k < s.Length && s[k] == '"';
    }

    private static void SkipChar(string s, ref int i)
    {
        i++; // opening '
        while (i < s.Length && s[i] != '\'')
        {
            if (s[i] == '\\') i++;
            i++;
        }
        i++;
    }

    private static Token ReadString(string s, ref int i)
    {
        int start = i;
        bool interpolated = false, verbatim = false;
        while (s[i] == '$' || s[i] == '@')
        {
            if (s[i] == '$') interpolated = true;
            else verbatim = true;
            i++;
        }
        int quotes = 0;
        while (i + quotes < s.Length && s[i + quotes] == '"') quotes++;
        bool raw = quotes >= 3;
        var text = new StringBuilder();
        var texts = new List<string>();
        var nested = new List<Token>();
        if (raw)
        {
            string fence = new string('"', quotes);
            i += quotes;
            int end = s.IndexOf(fence, i, StringComparison.Ordinal);
            if (end < 0) end = s.Length;
            text.Append(s, i, end - i); // holes of an interpolated raw string are left in: a rare form, and still prose
            i = Math.Min(s.Length, end + quotes);
        }
        else
        {
            i++; // opening "
            while (i < s.Length)
            {
                char c = s[i];
                if (verbatim && c == '"' && i + 1 < s.Length && s[i + 1] == '"') { text.Append('"'); i += 2; continue; }
                if (c == '"') { i++; break; }
                if (!verbatim && c == '\\' && i + 1 < s.Length) { text.Append(s[i + 1]); i += 2; continue; }
                if (interpolated && c == '{' && i + 1 < s.Length && s[i + 1] == '{') { text.Append('{'); i += 2; continue; }
                if (interpolated && c == '}' && i + 1 < s.Length && s[i + 1] == '}') { text.Append('}'); i += 2; continue; }
                if (interpolated && c == '{')
                {
                    i++;
                    var hole = new List<Token>();
                    Lex(s, ref i, hole, stopAtHoleEnd: true);
                    nested.AddRange(hole.Where(t => t.Kind == TokenKind.String));
                    text.Append(' ');
                    i++; // closing }
                    continue;
                }
                text.Append(c);
                i++;
            }
        }
        texts.Add(text.ToString());
        foreach (Token n in nested) texts.AddRange(n.Texts);
        return new Token(TokenKind.String, text.ToString(), LineAt(s, start), s.Substring(start, i - start), texts);
    }
}
