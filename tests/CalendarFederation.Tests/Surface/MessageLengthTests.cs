using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Resources;
using System.Text.RegularExpressions;
using Xunit;

namespace CalendarFederation.Tests.Surface;

/// <summary>Warnings fit a console line or two: at most 160 characters before their names are filled in; the detail lives in about_CalendarFederation.</summary>
public sealed class MessageLengthTests
{
    private const string Prefix = "CalendarFederation.Resources.";
    private const string Suffix = ".resources";

    /// <summary>Every resource file of the module (Messages, DiscoveryMessages, RelationshipMessages, ...), by its base name.</summary>
    public static TheoryData<string> ResourceFiles() => new TheoryData<string>(BaseNames());

    private static IEnumerable<string> BaseNames() =>
        Module.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(n => n.Substring(0, n.Length - Suffix.Length)).OrderBy(n => n, StringComparer.Ordinal);

    private static Assembly Module => typeof(CalendarFederation.Commands.NewOrganizationRelationshipCommand).Assembly;

    [Fact]
    public void The_module_has_its_resource_files_and_the_warnings_are_found()
    {
        Assert.Contains(Prefix + "Messages", BaseNames());
        Assert.NotEmpty(BaseNames().SelectMany(Warnings));
    }

    [Theory]
    [MemberData(nameof(ResourceFiles))]
    public void Every_warning_text_is_at_most_160_characters_without_its_placeholders(string baseName)
    {
        foreach (DictionaryEntry e in Warnings(baseName))
        {
            string text = Regex.Replace((string)e.Value!, @"\{\d+\}", "");
            Assert.True(text.Length <= 160, $"{baseName}: {e.Key} is {text.Length} characters: {text}");
        }
    }

    private static List<DictionaryEntry> Warnings(string baseName)
    {
        var manager = new ResourceManager(baseName, Module);
        ResourceSet set = manager.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!;
        return set.Cast<DictionaryEntry>().Where(e => ((string)e.Key).StartsWith("Warn", StringComparison.Ordinal)).ToList();
    }
}
