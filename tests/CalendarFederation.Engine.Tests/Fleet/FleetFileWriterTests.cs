using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Fleet;
using Xunit;
using static CalendarFederation.Engine.Tests.Fleet.FleetSamples;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>
/// FleetFileWriter: what it writes reads back to the same definition. The .psd1 text is parsed by the cmdlet layer's
/// loader (tests/CalendarFederation.Tests/Fleet/FleetFileLoaderTests.cs); here its shape and quoting are checked.
/// </summary>
public sealed class FleetFileWriterTests
{
    [Fact]
    public void The_docs_example_round_trips_through_json()
    {
        FleetDefinition first = FleetFileReader.ReadJson(DocsExampleJson, "fleet.json");
        string json = FleetFileWriter.ToJson(first);
        FleetDefinition second = FleetFileReader.ReadJson(json, "again.json");

        Assert.Equal(Describe(first), Describe(second));
        Assert.Equal(FleetFileWriter.ToJson(second), json); // stable: writing again gives the same text
    }

    [Fact]
    public void Directions_shared_alike_both_ways_fold_into_Between_and_others_stay_one_way()
    {
        var root = Root(List(
            Map(("Between", List("a", "b"))),
            Map(("Between", List("a", "c"))),
            Map(("From", "c"), ("To", "a"), ("FreeBusyAccessLevel", "LimitedDetails")),
            Map(("From", "a"), ("To", "d"), ("Method", "OrganizationRelationship"))));
        FleetDefinition d = FleetFileReader.Read(root, "f.psd1");
        string json = FleetFileWriter.ToJson(d);

        Assert.Contains("\"Between\": [\n        \"a\",\n        \"b\"\n      ]", json.Replace("\r\n", "\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("\"c\",\n        \"a\"", json.Replace("\r\n", "\n"), StringComparison.Ordinal);
        string psd1 = FleetFileWriter.ToPsd1(d);
        Assert.Contains("@{ Between = 'a', 'b'; FreeBusyAccessLevel = 'AvailabilityOnly' }", psd1, StringComparison.Ordinal);
        Assert.Contains("@{ From = 'a'; To = 'c'; FreeBusyAccessLevel = 'AvailabilityOnly' }", psd1, StringComparison.Ordinal);
        Assert.Contains("@{ From = 'c'; To = 'a'; FreeBusyAccessLevel = 'LimitedDetails' }", psd1, StringComparison.Ordinal);
        Assert.Contains("@{ From = 'a'; To = 'd'; Method = 'OrganizationRelationship'; FreeBusyAccessLevel = 'AvailabilityOnly' }", psd1, StringComparison.Ordinal);
        Assert.DoesNotContain("To = 'a'; Method", psd1, StringComparison.Ordinal); // d -> a is not shared: implied, not written

        FleetDefinition again = FleetFileReader.ReadJson(json, "f.json");
        Assert.Equal(Describe(d), Describe(again));
        Assert.False(Direction(again, "d", "a").Shared);
    }

    [Fact]
    public void The_psd1_names_each_tenant_with_its_connect_settings_and_the_exclusions()
    {
        FleetDefinition d = FleetFileReader.ReadJson(DocsExampleJson, "fleet.json");
        string psd1 = FleetFileWriter.ToPsd1(d);

        Assert.StartsWith("@{\n    Tenants = @(\n", psd1, StringComparison.Ordinal);
        Assert.Contains("@{ Name = 'contoso'; Organization = 'contoso.onmicrosoft.com'; AppId = '" + AppId + "'; CertificateThumbprint = '" + Thumbprint + "' }", psd1, StringComparison.Ordinal);
        Assert.Contains("@{ Name = 'tailspin'; Organization = 'tailspin.onmicrosoft.com'; ManagedIdentity = $true }", psd1, StringComparison.Ordinal);
        Assert.Contains("ClientSecretVault = 'Msp'; ClientSecretName = 'adatum-app'", psd1, StringComparison.Ordinal);
        Assert.Contains("@{ Name = 'woodgrove'; Organization = 'woodgrove.onmicrosoft.com'; Connection = 'woodgrove.onmicrosoft.com' }", psd1, StringComparison.Ordinal);
        Assert.Contains("    Exclude = @(\n        @{ Between = 'fabrikam', 'tailspin' }\n    )\n", psd1, StringComparison.Ordinal);
        Assert.Contains("@{ From = 'contoso'; To = 'tailspin'; FreeBusyAccessLevel = 'LimitedDetails'; FreeBusyAccessScope = 'Sales' }", psd1, StringComparison.Ordinal);
        Assert.EndsWith("}\n", psd1, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sales", "'Sales'")]
    [InlineData("O'Brien's team", "'O''Brien''s team'")]
    [InlineData("a\u2019b\u2018c\u201Ad\u201Be", "'a\u2019\u2019b\u2018\u2018c\u201A\u201Ad\u201B\u201Be'")]
    [InlineData("$(Remove-Item x) `n \"q\"", "'$(Remove-Item x) `n \"q\"'")]
    [InlineData("", "''")]
    public void Psd1_strings_are_single_quoted_with_every_single_quote_doubled(string value, string expected)
    {
        Assert.Equal(expected, FleetFileWriter.QuotePsd1(value));
    }

    [Fact]
    public void A_scope_with_quotes_and_non_ascii_round_trips_through_json()
    {
        var root = Root(List(Map(("From", "a"), ("To", "b"), ("FreeBusyAccessScope", "O'Brien \"Ü\" ’team’"), ("RoomBooking", false),
            ("CalendarSharingAccessLevel", "Detail"), ("MailTipsAccessLevel", "None"))));
        FleetDefinition d = FleetFileReader.Read(root, "f.psd1");
        FleetDefinition again = FleetFileReader.ReadJson(FleetFileWriter.ToJson(d), "f.json");
        Assert.Equal(Describe(d), Describe(again));
        Assert.Equal("O'Brien \"Ü\" ’team’", Direction(again, "a", "b").Settings.FreeBusyAccessScope);
        Assert.Contains("FreeBusyAccessScope = 'O''Brien \"Ü\" ’’team’’'; MailTipsAccessLevel = 'None'; CalendarSharingAccessLevel = 'Detail'; RoomBooking = $false",
            FleetFileWriter.ToPsd1(d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_definition_built_in_memory_writes_a_file_the_reader_accepts()
    {
        var d = new FleetDefinition();
        d.Tenants.Add(new FleetTenant { Name = "x", TenantId = "aaaaaaaa-0000-4000-8000-000000000001", ExchangeEnvironmentName = "O365Default",
            Connect = new FleetConnect { Kind = FleetConnectKind.Connection, Connection = "x.onmicrosoft.com" } });
        d.Tenants.Add(new FleetTenant { Name = "y", Organization = "y.onmicrosoft.com",
            Connect = new FleetConnect { Kind = FleetConnectKind.ClientSecretEnvironmentVariable, AppId = AppId, ClientSecretEnvironmentVariable = "Y_SECRET" } });
        d.Directions.Add(new FleetDirection("x", "y", true, new FleetShareSettings { Method = FederationMethod.CrossTenantAccess, FreeBusyAccessLevel = "LimitedDetails" }));
        d.Directions.Add(new FleetDirection("y", "x", true, new FleetShareSettings { Method = FederationMethod.CrossTenantAccess, FreeBusyAccessLevel = "LimitedDetails" }));

        FleetDefinition again = FleetFileReader.ReadJson(FleetFileWriter.ToJson(d), "f.json");
        Assert.Equal(Describe(d), Describe(again));
        Assert.Single(FleetFileWriter.ToPsd1(d).Split('\n'), l => l.Contains("Between = 'x', 'y'; Method = 'CrossTenantAccess'; FreeBusyAccessLevel = 'LimitedDetails'", StringComparison.Ordinal));
    }
}
