using System.Text;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Infrastructure;
using Xunit;

namespace CalendarFederation.Tests.Fleet;

/// <summary>
/// FleetFileLoader (internal, src/CalendarFederation/Infrastructure/FleetFileLoader.cs): a .psd1 is parsed like
/// Import-PowerShellDataFile, never run; .json goes to the engine's reader; what Save writes loads back the same.
/// </summary>
public sealed class FleetFileLoaderTests : IDisposable
{
    // docs/fleet.md §1's example, word for word.
    private const string DocsExample = """
        @{
            Defaults = @{
                Method                = 'Auto'              # Auto | CrossTenantAccess | OrganizationRelationship
                FreeBusyAccessLevel   = 'AvailabilityOnly'  # AvailabilityOnly | LimitedDetails
                ExchangeEnvironmentName = 'O365Default'     # any name Get-CalendarFederationEnvironment lists
                AppId                 = '00000000-0000-0000-0000-000000000000'
                CertificateThumbprint = '0123456789ABCDEF0123456789ABCDEF01234567'
            }
            Tenants = @(
                @{ Name = 'contoso';  Organization = 'contoso.onmicrosoft.com' }                       # the defaults' app and certificate
                @{ Name = 'fabrikam'; Organization = 'fabrikam.onmicrosoft.com'; CertificateFilePath = './fabrikam.pfx' }
                @{ Name = 'tailspin'; Organization = 'tailspin.onmicrosoft.com'; ManagedIdentity = $true }
                @{ Name = 'litware';  Organization = 'litware.onmicrosoft.com';  ClientSecretEnvironmentVariable = 'LITWARE_SECRET' }
                @{ Name = 'adatum';   Organization = 'adatum.onmicrosoft.com';   ClientSecretVault = 'Msp'; ClientSecretName = 'adatum-app' }
                @{ Name = 'woodgrove'; Connection = 'woodgrove.onmicrosoft.com' }  # a connection already made in this session
            )
            Pairs = @(
                @{ Between = 'contoso', 'fabrikam' }                                        # both ways, the defaults
                @{ Between = 'contoso', '*'; FreeBusyAccessLevel = 'AvailabilityOnly' }     # hub and spokes
                @{ From = 'contoso'; To = 'tailspin'; FreeBusyAccessLevel = 'LimitedDetails'; FreeBusyAccessScope = 'Sales' }
                @{ Between = 'litware', 'adatum'; Method = 'OrganizationRelationship' }
            )
            Exclude = @(
                @{ Between = 'fabrikam', 'tailspin' }
            )
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("fleet-loader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static EngineException Refused(string path, string id)
    {
        var ex = Assert.Throws<EngineException>(() => FleetFileLoader.Load(path));
        Assert.Equal(id, ex.ErrorId);
        Assert.Equal(path, ex.Target);
        return ex;
    }

    private static List<string> Describe(FleetDefinition d)
    {
        var lines = d.Tenants.Select(t => string.Join("|", t.Name, t.Organization, t.TenantId, t.ExchangeEnvironmentName, t.Connect.Kind, t.Connect.AppId,
            t.Connect.CertificateThumbprint, t.Connect.CertificateFilePath, t.Connect.ClientSecretEnvironmentVariable, t.Connect.ClientSecretVault,
            t.Connect.ClientSecretName, t.Connect.Connection)).ToList();
        lines.AddRange(d.Directions.Select(x => string.Join("|", x.Name, x.Shared, x.Settings.Method, x.Settings.FreeBusyAccessLevel, x.Settings.FreeBusyAccessScope,
            x.Settings.MailTipsAccessLevel, x.Settings.CalendarSharingAccessLevel, x.Settings.RoomBooking)));
        lines.AddRange(d.ExcludedPairs);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    [Fact]
    public void The_docs_example_loads()
    {
        FleetDefinition d = FleetFileLoader.Load(Write("fleet.psd1", DocsExample));

        Assert.Equal(6, d.Tenants.Count);
        Assert.Equal(12, d.Directions.Count);
        Assert.Equal(FleetConnectKind.ManagedIdentity, d.FindTenant("tailspin")!.Connect.Kind);
        Assert.Equal("LimitedDetails", d.Directions.Single(x => x.Name == "contoso -> tailspin").Settings.FreeBusyAccessLevel);
        Assert.EndsWith("fleet.psd1", d.SourcePath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("again.psd1")]
    [InlineData("again.json")]
    public void What_Save_writes_loads_back_the_same(string name)
    {
        FleetDefinition first = FleetFileLoader.Load(Write("fleet.psd1", DocsExample));
        first.Directions.Single(x => x.Name == "contoso -> fabrikam").Settings.FreeBusyAccessScope = "O'Brien’s team";
        string path = Path.Combine(_folder, name);

        FleetFileLoader.Save(first, path);
        FleetDefinition second = FleetFileLoader.Load(path);

        Assert.Equal(Describe(first), Describe(second));
        byte[] bytes = File.ReadAllBytes(path);
        bool bom = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF;
        Assert.Equal(name.EndsWith(".psd1", StringComparison.Ordinal), bom);
    }

    [Fact]
    public void Code_in_a_psd1_is_refused_and_never_run()
    {
        string marker = Path.Combine(_folder, "ran.txt");
        string escaped = marker.Replace("'", "''", StringComparison.Ordinal);
        Refused(Write("a.psd1", "@{ Tenants = @( @{ Name = $(Set-Content -Path '" + escaped + "' -Value x) } ) }"), ErrorIds.FleetFileInvalid);
        Refused(Write("b.psd1", "Set-Content -Path '" + escaped + "' -Value x\n@{ Tenants = @() }"), ErrorIds.FleetFileInvalid);
        Refused(Write("c.psd1", "@{ Tenants = @( @{ Name = \"$(Set-Content -Path '" + escaped + "' -Value x)\" } ) }"), ErrorIds.FleetFileInvalid);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("@{ Tenants = @( @{ Name = 'a'; ClientSecret = Xy8Q~NotQuotedSecret.123 } ) }")]
    [InlineData("@{ Tenants = @( @{ Name = 'a' ClientSecret = 'Xy8Q~NotQuotedSecret.123' } ) }")]
    [InlineData("@{ Tenants = @( @{ Name = $('Xy8Q~NotQuotedSecret.123' + (Get-Date)) } ) }")]
    public void A_psd1_refusal_never_quotes_the_files_text(string text)
    {
        EngineException ex = Refused(Write("quoted.psd1", text), ErrorIds.FleetFileInvalid);
        Assert.DoesNotContain("NotQuotedSecret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("NotQuotedSecret", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("line 1, position ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_constant_subexpression_is_data_and_a_secret_in_it_is_still_refused()
    {
        // SafeGetValue evaluates a subexpression of constants (nothing runs); the value then meets the reader's secret check.
        EngineException ex = Refused(Write("sub.psd1", "@{ Tenants = @( @{ Name = 'a'; ClientSecret = \"$('Xy8Q~NotQuotedSecret.123')\" } ) }"), ErrorIds.FleetFileSecretInline);
        Assert.DoesNotContain("NotQuotedSecret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variable_other_than_true_false_or_null_is_refused_at_its_line()
    {
        EngineException ex = Refused(Write("variable.psd1", "@{\n  Tenants = @(\n    @{ Name = $env:USERNAME }\n  )\n}"), ErrorIds.FleetFileInvalid);
        Assert.Contains("line 3, position 15", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_psd1_that_does_not_parse_is_refused_with_its_line()
    {
        EngineException ex = Refused(Write("broken.psd1", "@{\n    Tenants = @(\n        @{ Name = 'a' \n"), ErrorIds.FleetFileInvalid);
        Assert.Contains("broken.psd1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_typo_and_an_inline_secret_in_a_psd1_are_refused_by_the_reader()
    {
        const string secret = "Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789";
        EngineException ex = Refused(Write("typo.psd1", DocsExample.Replace("Organization = 'litware", "Organizaton = 'litware", StringComparison.Ordinal)), ErrorIds.FleetFileInvalid);
        Assert.Contains("Tenants[3].Organizaton", ex.Message, StringComparison.Ordinal);
        ex = Refused(Write("secret.psd1", DocsExample.Replace("'LITWARE_SECRET'", "'" + secret + "'", StringComparison.Ordinal)), ErrorIds.FleetFileSecretInline);
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_file_loads_and_malformed_json_names_its_line()
    {
        string path = Path.Combine(_folder, "fleet.json");
        FleetFileLoader.Save(FleetFileLoader.Load(Write("fleet.psd1", DocsExample)), path);
        Assert.Equal(6, FleetFileLoader.Load(path).Tenants.Count);
        EngineException ex = Refused(Write("bad.json", "{\n \"Tenants\": [\n"), ErrorIds.FleetFileInvalid);
        Assert.Contains("line ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_and_another_extension_are_refused()
    {
        Refused(Path.Combine(_folder, "none.psd1"), ErrorIds.FleetFileNotFound);
        Refused(Write("fleet.txt", DocsExample), ErrorIds.FleetFileInvalid);
        var ex = Assert.Throws<EngineException>(() => FleetFileLoader.Save(new FleetDefinition(), Path.Combine(_folder, "fleet.yaml")));
        Assert.Equal(ErrorIds.FleetFileInvalid, ex.ErrorId);
        ex = Assert.Throws<EngineException>(() => FleetFileLoader.Save(new FleetDefinition(), Path.Combine(_folder, "no-such-folder", "fleet.psd1")));
        Assert.Equal(ErrorIds.FleetFileWriteFailed, ex.ErrorId);
    }
}
