using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using System.Text;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Reads and writes the fleet file (docs/fleet.md §1) at a file system path the cmdlet has resolved. A .psd1 is parsed
    /// as Import-PowerShellDataFile does, never run: the parser's AST, one hashtable, SafeGetValue (which refuses
    /// anything but literals), then the engine's neutral graph and <see cref="FleetFileReader.Read"/>.
    /// </summary>
    internal static class FleetFileLoader
    {
        internal static FleetDefinition Load(string path)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (!File.Exists(path))
            {
                throw new EngineException(ErrorIds.FleetFileNotFound, ErrorKind.ObjectNotFound, Text.Format(FleetFileMessages.ErrorFileNotFound, path), path);
            }
            switch (Kind(path))
            {
                case ".psd1": return FleetFileReader.Read(ReadPsd1(path), path);
                case ".json": return FleetFileReader.ReadJson(ReadText(path), path);
                default: throw WrongExtension(path);
            }
        }

        internal static void Save(FleetDefinition d, string path)
        {
            if (d == null) throw new ArgumentNullException(nameof(d));
            if (path == null) throw new ArgumentNullException(nameof(path));
            string text;
            Encoding encoding;
            switch (Kind(path))
            {
                // With a BOM, Windows PowerShell 5.1 reads non-ASCII names right; without one it assumes the ANSI code page.
                case ".psd1": text = FleetFileWriter.ToPsd1(d); encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true); break;
                case ".json": text = FleetFileWriter.ToJson(d); encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false); break;
                default: throw WrongExtension(path);
            }
            try
            {
                File.WriteAllText(path, text, encoding);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is System.Security.SecurityException)
            {
                throw new EngineException(ErrorIds.FleetFileWriteFailed, ErrorKind.WriteError, Text.Format(FleetFileMessages.ErrorWrite, path, ex.Message), path, inner: ex);
            }
        }

        private static string Kind(string path) => Path.GetExtension(path).ToLowerInvariant();

        private static EngineException WrongExtension(string path) =>
            new EngineException(ErrorIds.FleetFileInvalid, ErrorKind.InvalidArgument, Text.Format(FleetFileMessages.ErrorFileExtension, path), path);

        private static string ReadText(string path)
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is System.Security.SecurityException)
            {
                throw new EngineException(ErrorIds.FleetFileInvalid, ErrorKind.ResourceUnavailable, Text.Format(FleetFileMessages.ErrorRead, path, ex.Message), path, inner: ex);
            }
        }

        private static IDictionary<string, object?> ReadPsd1(string path)
        {
            ScriptBlockAst ast = Parser.ParseInput(ReadText(path), path, out _, out ParseError[] errors);
            if (errors.Length > 0)
            {
                ParseError first = errors[0];
                throw Invalid(Text.Format(FleetFileMessages.ErrorParse, path, first.ErrorId, first.Extent.StartLineNumber, first.Extent.StartColumnNumber), path);
            }
            HashtableAst table = OnlyHashtable(ast) ?? throw Invalid(Text.Format(FleetFileMessages.ErrorNotOneHashtable, path), path);
            object? value;
            try
            {
                value = table.SafeGetValue();
            }
            catch (InvalidOperationException)
            {
                // SafeGetValue's message quotes the expression, which may be a pasted secret: name only where it is.
                IScriptExtent where = FirstNonLiteral(table)?.Extent ?? table.Extent;
                throw Invalid(Text.Format(FleetFileMessages.ErrorNotData, path, where.StartLineNumber, where.StartColumnNumber), path);
            }
            return (IDictionary<string, object?>)ToGraph(value)!;
        }

        /// <summary>The file's one statement, when it is a hashtable literal (comments aside); null for anything else.</summary>
        private static HashtableAst? OnlyHashtable(ScriptBlockAst ast)
        {
            if (ast.ParamBlock != null || ast.BeginBlock != null || ast.ProcessBlock != null || ast.DynamicParamBlock != null) return null;
            var statements = ast.EndBlock?.Statements;
            if (statements == null || statements.Count != 1) return null;
            return statements[0] is PipelineAst pipeline && pipeline.PipelineElements.Count == 1
                && pipeline.PipelineElements[0] is CommandExpressionAst command && command.Redirections.Count == 0
                ? command.Expression as HashtableAst : null;
        }

        /// <summary>The first part of the table that is not a literal (a command, a subexpression, a variable other than $true, $false, $null...).</summary>
        private static Ast? FirstNonLiteral(HashtableAst table) => table.Find(a => !(a is HashtableAst || a is ArrayLiteralAst || a is ArrayExpressionAst
            || a is StatementBlockAst || a is PipelineAst || a is CommandExpressionAst || a is StringConstantExpressionAst || a is ConstantExpressionAst
            || (a is VariableExpressionAst v && IsConstantVariable(v.VariablePath.UserPath))), searchNestedScriptBlocks: true);

        private static bool IsConstantVariable(string name) =>
            string.Equals(name, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "false", StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, "null", StringComparison.OrdinalIgnoreCase);

        /// <summary>SafeGetValue's Hashtable, object[] and literals as the engine's neutral graph.</summary>
        private static object? ToGraph(object? value)
        {
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case bool b: return b;
                case IDictionary table:
                    var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                    foreach (DictionaryEntry entry in table) map[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = ToGraph(entry.Value);
                    return map;
                case IEnumerable items: return items.Cast<object?>().Select(ToGraph).ToList();
                case int or long or short or byte or sbyte or ushort or uint: return Convert.ToInt64(value, CultureInfo.InvariantCulture);
                case double or float or decimal: return Convert.ToDouble(value, CultureInfo.InvariantCulture);
                default: return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        private static EngineException Invalid(string message, string path) => new EngineException(ErrorIds.FleetFileInvalid, ErrorKind.InvalidData, message, path);
    }
}
