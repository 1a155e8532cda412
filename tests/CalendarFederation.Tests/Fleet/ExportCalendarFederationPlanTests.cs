using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Infrastructure;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests.Fleet;

/// <summary>
/// Export-CalendarFederationPlan against the sandbox's contoso and fabrikam (docs/fleet.md §5): the file it writes is
/// read back by the real loader and plans to Nothing for the same tenants; it names no secret; a tenant that cannot
/// be read is one FleetTenantUnreadable error and shares nothing in the file.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class ExportCalendarFederationPlanTests : IDisposable
{
    private const string ContosoId = "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11";
    private const string FabrikamId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    private const string Secret = "-ExchangeEnvironmentName " + SignInFixture.EnvironmentName + " -PassThru -NotDefault -WarningAction SilentlyContinue";
    private const string Connect =
        "$c = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com " +
        "-ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) " + Secret + "; " +
        "$f = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com " +
        "-ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) " + Secret + "; ";

    private readonly SignInFixture _fixture;
    private readonly Runspace _runspace;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cf-export-" + Guid.NewGuid().ToString("N"));

    public ExportCalendarFederationPlanTests(SignInFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(null);
        Directory.CreateDirectory(_dir);
    }

    public void Dispose()
    {
        _runspace.Dispose();
        _fixture.Reset();
        Directory.Delete(_dir, recursive: true);
    }

    private (Collection<PSObject> Output, PowerShell Ps) Run(string script)
    {
        var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        return (ps.Invoke(), ps);
    }

    [Fact]
    public void The_exported_file_names_both_grants_and_plans_to_nothing_for_the_same_tenants()
    {
        string file = Path.Combine(_dir, "fleet.psd1");
        (Collection<PSObject> output, PowerShell ps) = Run(Connect +
            $"Grant-CrossTenantCalendarAccess -Connection $c -PartnerTenantId {FabrikamId} -FreeBusyAccessLevel LimitedDetails -Confirm:$false -WarningAction SilentlyContinue | Out-Null; " +
            $"Grant-CrossTenantCalendarAccess -Connection $f -PartnerTenantId {ContosoId} -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -WarningAction SilentlyContinue | Out-Null; " +
            $"Export-CalendarFederationPlan -Connection $c, $f -Path '{file}' -Confirm:$false; " +
            $"Get-CalendarFederationPlan -Path '{file}' -Connection $c, $f");
        using (ps)
        {
            Assert.True(ps.Streams.Error.Count == 0, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
            Assert.Equal(file, ((FileInfo)output[0].BaseObject).FullName);
            List<CalendarFederationPlanChange> rows = output.Skip(1).Select(o => (CalendarFederationPlanChange)o.BaseObject).ToList();
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Equal("Nothing", r.Action));
        }

        FleetDefinition read = FleetFileLoader.Load(file);
        Assert.Equal(new[] { ContosoId, FabrikamId }, read.Tenants.Select(t => t.TenantId));
        FleetDirection toFabrikam = Assert.Single(read.Directions, d => d.Shared && d.To == read.Tenants[1].Name);
        Assert.Equal("LimitedDetails", toFabrikam.Settings.FreeBusyAccessLevel);
        FleetDirection toContoso = Assert.Single(read.Directions, d => d.Shared && d.To == read.Tenants[0].Name);
        Assert.Equal("AvailabilityOnly", toContoso.Settings.FreeBusyAccessLevel);
        string text = File.ReadAllText(file);
        Assert.DoesNotContain("sandbox-secret", text);
        Assert.Contains("ClientSecretEnvironmentVariable", text);
    }

    [Fact]
    public void The_map_of_live_state_plans_the_file_and_leaves_the_connections_open()
    {
        string file = Path.Combine(_dir, "fleet.json");
        string map = Path.Combine(_dir, "map.html");
        (Collection<PSObject> output, PowerShell ps) = Run(Connect +
            $"Grant-CrossTenantCalendarAccess -Connection $c -PartnerTenantId {FabrikamId} -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -WarningAction SilentlyContinue | Out-Null; " +
            $"Export-CalendarFederationPlan -Connection $c, $f -Path '{file}' -Confirm:$false | Out-Null; " +
            $"Export-CalendarFederationReport -FleetPath '{file}' -Connection $c, $f -Path '{map}' -Confirm:$false; $c; $f");
        using (ps)
        {
            Assert.True(ps.Streams.Error.Count == 0, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
            Assert.Equal(map, Assert.Single(output, o => o.BaseObject is FileInfo).Properties["FullName"].Value);
            List<CalendarFederationConnection> connections = output.Select(o => o.BaseObject).OfType<CalendarFederationConnection>().ToList();
            Assert.Equal(2, connections.Count);
            Assert.All(connections, c => Assert.False(c.IsClosed));
            Assert.True(output.Count == 3, string.Join(", ", output.Select(o => o.BaseObject.GetType().Name + ": " + o)));
        }
        string html = File.ReadAllText(map);
        string cells = string.Join("; ", System.Text.RegularExpressions.Regex.Matches(html, "data-from=\"[^\"]*\" data-to=\"[^\"]*\" data-health=\"[^\"]*\"").Select(m => m.Value));
        // contoso grants fabrikam; fabrikam shares nothing, and the exported file says so: one cell Works, the other one way.
        Assert.True(html.Contains("data-from=\"contoso\" data-to=\"fabrikam\" data-health=\"Works\"", StringComparison.Ordinal), cells);
        Assert.Contains("data-from=\"fabrikam\" data-to=\"contoso\" data-health=\"OneWay\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tenant_that_cannot_be_read_is_one_error_and_shares_nothing_in_the_file()
    {
        string file = Path.Combine(_dir, "fleet.json");
        (Collection<PSObject> output, PowerShell ps) = Run(Connect +
            "$f | Disconnect-CalendarFederation -Confirm:$false; " +
            $"Export-CalendarFederationPlan -Connection $c, $f -Path '{file}' -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue; $warned");
        using (ps)
        {
            ErrorRecord error = Assert.Single(ps.Streams.Error);
            Assert.Equal("FleetTenantUnreadable", ErrorRecordIds.Of(error));
            Assert.Contains("(FleetTenantConnectFailed)", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("was closed with Disconnect-CalendarFederation", error.Exception.Message, StringComparison.Ordinal);
            Assert.IsType<FileInfo>(output[0].BaseObject);
            Assert.Contains("1 of 2 tenants could not be read", output[1].ToString(), StringComparison.Ordinal);
        }
        FleetDefinition read = FleetFileLoader.Load(file);
        Assert.Equal(2, read.Tenants.Count);
        Assert.DoesNotContain(read.Directions, d => d.Shared);
    }

    [Fact]
    public void WhatIf_writes_no_file_and_one_connection_is_refused()
    {
        string file = Path.Combine(_dir, "fleet.psd1");
        (_, PowerShell whatIf) = Run(Connect + $"Export-CalendarFederationPlan -Connection $c, $f -Path '{file}' -WhatIf");
        using (whatIf) Assert.Empty(whatIf.Streams.Error);
        Assert.False(File.Exists(file));

        (_, PowerShell one) = Run(Connect + $"Export-CalendarFederationPlan -Connection $c -Path '{file}' -Confirm:$false");
        using (one)
        {
            Assert.Equal("FleetFileInvalid", ErrorRecordIds.Of(Assert.Single(one.Streams.Error)));
        }
        Assert.False(File.Exists(file));
    }
}
