using System.Management.Automation;
using System.Reflection;
using System.Text;
using CalendarFederation.Commands;
using Xunit;

namespace CalendarFederation.Tests.Surface;

/// <summary>
/// The module's public surface in one snapshot (Surface/surface.txt): every cmdlet's parameters, sets, pipeline binding,
/// validation and ShouldProcess, and every public output type's properties. A refactor must leave it unchanged; a
/// deliberate change updates the file (the test writes surface.actual.txt next to it to diff against).
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly Module = typeof(GetFederationInformationCommand).Assembly;

    [Fact]
    public void Surface_matches_the_snapshot()
    {
        string actual = Describe();
        string expectedPath = Path.Combine(AppContext.BaseDirectory, "Surface", "surface.txt");
        string expected = File.Exists(expectedPath) ? File.ReadAllText(expectedPath).Replace("\r\n", "\n") : "";
        if (expected != actual)
        {
            string source = Path.Combine(SourceDirectory(), "surface.actual.txt");
            File.WriteAllText(source, actual);
            Assert.Fail($"The public surface changed. Review {source} against Surface/surface.txt; if the change is meant, copy it over.");
        }
    }

    /// <summary>
    /// Nothing on the public surface names an engine (or MSAL) type: PowerShell reflects over parameters and outputs when it
    /// imports the module, before the module's loader can find the engine in Dependencies/ (src/CalendarFederation/Loading).
    /// </summary>
    [Fact]
    public void No_parameter_or_output_property_has_an_engine_type()
    {
        var offenders = new List<string>();
        foreach (Type type in Module.GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() != null))
        {
            foreach (PropertyInfo p in type.GetProperties().Where(p => p.GetCustomAttributes<ParameterAttribute>().Any()))
            {
                if (IsForeign(p.PropertyType)) offenders.Add($"{type.Name}.{p.Name}: {p.PropertyType}");
            }
        }
        foreach (Type type in Module.GetExportedTypes().Where(t => t.Namespace == "CalendarFederation"))
        {
            foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (IsForeign(p.PropertyType)) offenders.Add($"{type.Name}.{p.Name}: {p.PropertyType}");
            }
        }
        Assert.Empty(offenders);
    }

    private static bool IsForeign(Type t)
    {
        Type inner = Nullable.GetUnderlyingType(t) ?? (t.IsArray ? t.GetElementType()! : t);
        string? name = inner.Assembly.GetName().Name;
        return name == "CalendarFederation.Engine" || (name?.StartsWith("Microsoft.Identity", StringComparison.Ordinal) ?? false);
    }

    internal static string Describe()
    {
        var text = new StringBuilder();
        foreach (Type type in Module.GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() != null).OrderBy(CmdletName, StringComparer.Ordinal))
        {
            CmdletAttribute cmdlet = type.GetCustomAttribute<CmdletAttribute>()!;
            string outputs = string.Join(", ", type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(o => o.Type).Select(t => t.Type?.Name ?? t.Name));
            text.Append(CmdletName(type)).Append(": outputs ").Append(outputs.Length == 0 ? "(none)" : outputs)
                .Append(cmdlet.SupportsShouldProcess ? ", ShouldProcess " + cmdlet.ConfirmImpact : "")
                .Append(cmdlet.DefaultParameterSetName != null ? ", default set " + cmdlet.DefaultParameterSetName : "").Append('\n');
            var metadata = new CommandMetadata(type);
            foreach (string line in metadata.Parameters.Values.OrderBy(p => p.Name, StringComparer.Ordinal).SelectMany(DescribeParameter))
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }
        foreach (Type type in Module.GetExportedTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() == null && !t.IsSubclassOf(typeof(Attribute))
                     && t.Namespace == "CalendarFederation").OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (type.IsEnum)
            {
                text.Append("enum ").Append(type.Name).Append(": ").Append(string.Join(", ", Enum.GetNames(type))).Append('\n');
                continue;
            }
            text.Append("type ").Append(type.Name).Append('\n');
            foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                text.Append("  ").Append(p.Name).Append(": ").Append(TypeName(p.PropertyType)).Append('\n');
            }
        }
        return text.ToString();
    }

    private static string CmdletName(Type type)
    {
        CmdletAttribute a = type.GetCustomAttribute<CmdletAttribute>()!;
        return a.VerbName + "-" + a.NounName;
    }

    private static string TypeName(Type t)
    {
        Type? nullable = Nullable.GetUnderlyingType(t);
        if (nullable != null) return TypeName(nullable) + "?";
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[]";
        return t.Name;
    }

    private static IEnumerable<string> DescribeParameter(ParameterMetadata p)
    {
        foreach ((string set, ParameterSetMetadata meta) in p.ParameterSets.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var parts = new List<string>
            {
                $"{p.Name}: {TypeName(p.ParameterType)}",
                "set " + set,
                meta.IsMandatory ? "mandatory" : "optional",
                meta.Position == int.MinValue ? "named" : "position " + meta.Position,
            };
            if (meta.ValueFromPipeline) parts.Add("pipeline by value");
            if (meta.ValueFromPipelineByPropertyName) parts.Add("pipeline by property name");
            parts.AddRange(p.Aliases.OrderBy(a => a, StringComparer.Ordinal).Select(a => "alias " + a));
            foreach (Attribute a in p.Attributes.Where(a => a.GetType().Namespace != "System.Runtime.CompilerServices").OrderBy(a => a.GetType().Name, StringComparer.Ordinal))
            {
                switch (a)
                {
                    case ValidateNotNullOrEmptyAttribute: parts.Add("NotNullOrEmpty"); break;
                    case ValidateNotNullAttribute: parts.Add("NotNull"); break;
                    case ValidateRangeAttribute r: parts.Add($"Range {r.MinRange}..{r.MaxRange}"); break;
                    case ValidateLengthAttribute l: parts.Add($"Length {l.MinLength}..{l.MaxLength}"); break;
                    case ValidateSetAttribute v: parts.Add("Set " + string.Join("|", v.ValidValues)); break;
                    case ArgumentCompleterAttribute c: parts.Add("completer " + c.Type?.Name); break;
                    case ParameterAttribute: break;
                    default: parts.Add(a.GetType().Name); break;
                }
            }
            yield return string.Join(", ", parts);
        }
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
