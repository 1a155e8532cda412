using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Xunit;

namespace CalendarFederation.Tests.Surface;

/// <summary>Warnings fit a console line or two: at most 160 characters before their names are filled in; the detail lives in about_CalendarFederation.</summary>
public sealed class MessageLengthTests
{
    [Fact]
    public void Every_warning_text_is_at_most_160_characters_without_its_placeholders()
    {
        var manager = new ResourceManager("CalendarFederation.Resources.Messages", typeof(CalendarFederation.Commands.NewOrganizationRelationshipCommand).Assembly);
        ResourceSet set = manager.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!;
        var warnings = set.Cast<DictionaryEntry>().Where(e => ((string)e.Key).StartsWith("Warn", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(warnings);
        foreach (DictionaryEntry e in warnings)
        {
            string text = Regex.Replace((string)e.Value!, @"\{\d+\}", "");
            Assert.True(text.Length <= 160, $"{e.Key} is {text.Length} characters: {text}");
        }
    }
}
