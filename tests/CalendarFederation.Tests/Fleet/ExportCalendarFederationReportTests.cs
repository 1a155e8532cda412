using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalendarFederation.Commands;
using CalendarFederation.Engine.Fleet;
using Xunit;

namespace CalendarFederation.Tests.Fleet;

/// <summary>Export-CalendarFederationReport hosted in a runspace: the file, its output, -WhatIf, and a write that fails.</summary>
public sealed class ExportCalendarFederationReportTests : IDisposable
{
    private const string Name = "Export-CalendarFederationReport";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cf-report-" + Guid.NewGuid().ToString("N"));
    private readonly Runspace _runspace;

    public ExportCalendarFederationReportTests()
    {
        Directory.CreateDirectory(_dir);
        InitialSessionState iss = InitialSessionState.CreateDefault2();
        iss.Commands.Add(new SessionStateCmdletEntry(Name, typeof(ExportCalendarFederationReportCommand), null));
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
    }

    private static CalendarFederationPlanChange[] Rows(params string[] tenants)
    {
        var def = new FleetDefinition();
        foreach (string t in tenants) def.Tenants.Add(new FleetTenant { Name = t, Organization = t + ".onmicrosoft.com" });
        def.Directions.Add(new FleetDirection(tenants[0], tenants[1], true, new FleetShareSettings()));
        def.Directions.Add(new FleetDirection(tenants[1], tenants[0], true, new FleetShareSettings()));
        var plan = new FleetPlan(def) { ReadAt = new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero) };
        foreach (FleetTenant t in def.Tenants) plan.States[t.Name] = new FleetTenantState(t) { EwsEnabled = true, AcceptedDomains = new[] { t.Organization! } };
        plan.Changes.Add(new FleetPlanChange { Tenant = tenants[0], Partner = tenants[1], Direction = tenants[0] + " -> " + tenants[1], Action = FleetAction.Create, Reason = "grants nothing." });
        plan.Changes.Add(new FleetPlanChange { Tenant = tenants[1], Partner = tenants[0], Direction = tenants[1] + " -> " + tenants[0], Action = FleetAction.Nothing });
        return plan.Changes.Select(c => new CalendarFederationPlanChange(c, plan)).ToArray();
    }

    private (Collection<PSObject> Output, PowerShell Ps) Invoke(string path, IEnumerable<CalendarFederationPlanChange> rows, bool whatIf = false)
    {
        var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddCommand(Name).AddParameter("Path", path);
        if (whatIf) ps.AddParameter("WhatIf");
        return (ps.Invoke(rows), ps);
    }

    [Fact]
    public void Piped_rows_give_one_file_of_their_whole_plan_and_return_it()
    {
        string path = Path.Combine(_dir, "map.html");
        (Collection<PSObject> output, PowerShell ps) = Invoke(path, Rows("contoso", "fabrikam", "tailspin"));
        using (ps) Assert.Empty(ps.Streams.Error);
        FileInfo file = Assert.IsType<FileInfo>(Assert.Single(output).BaseObject);
        Assert.Equal(path, file.FullName);
        string html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("data-from=\"contoso\" data-to=\"fabrikam\" data-health=\"Broken\"", html);
        Assert.Contains("data-from=\"fabrikam\" data-to=\"contoso\" data-health=\"Works\"", html);
        Assert.Contains("data-from=\"tailspin\" data-to=\"contoso\" data-health=\"Empty\"", html);
        Assert.Equal((byte)'<', File.ReadAllBytes(path)[0]); // UTF-8 without a byte order mark
    }

    [Fact]
    public void WhatIf_writes_nothing()
    {
        string path = Path.Combine(_dir, "whatif.html");
        (Collection<PSObject> output, PowerShell ps) = Invoke(path, Rows("contoso", "fabrikam"), whatIf: true);
        using (ps) Assert.Empty(ps.Streams.Error);
        Assert.Empty(output);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_file_that_cannot_be_written_is_FleetReportWriteFailed_for_the_path()
    {
        string path = Path.Combine(_dir, "no-such-folder", "map.html");
        (Collection<PSObject> output, PowerShell ps) = Invoke(path, Rows("contoso", "fabrikam"));
        using (ps)
        {
            Assert.Empty(output);
            ErrorRecord error = Assert.Single(ps.Streams.Error);
            Assert.Equal("FleetReportWriteFailed", ErrorRecordIds.Of(error));
            Assert.Equal(ErrorCategory.WriteError, error.CategoryInfo.Category);
            Assert.Equal(path, error.TargetObject);
            Assert.Contains(path, error.Exception.Message);
            Assert.NotNull(error.ErrorDetails?.RecommendedAction);
        }
    }

    [Fact]
    public void Rows_of_two_plans_warn_and_map_the_first()
    {
        string path = Path.Combine(_dir, "two.html");
        (Collection<PSObject> output, PowerShell ps) = Invoke(path, Rows("contoso", "fabrikam").Concat(Rows("litware", "adatum")));
        using (ps)
        {
            Assert.Single(output);
            Assert.Contains("2 plans", Assert.Single(ps.Streams.Warning).Message);
        }
        string html = File.ReadAllText(path);
        Assert.Contains("data-tenant=\"contoso\"", html);
        Assert.DoesNotContain("data-tenant=\"litware\"", html);
    }

    [Fact]
    public void Readiness_rows_are_listed_under_the_tenant_they_name()
    {
        string path = Path.Combine(_dir, "readiness.html");
        var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddCommand(Name).AddParameter("Path", path).AddParameter("Readiness", new[]
        {
            new CalendarFederationReadiness { Organization = "fabrikam.onmicrosoft.com", Identity = "Contoso", Partner = "contoso.com", Verdict = ReadinessVerdict.ReadyToCutOver, Deadline = new DateTime(2027, 4, 1) },
            new CalendarFederationReadiness { Organization = "elsewhere.example", Identity = "X", Verdict = ReadinessVerdict.KeepLegacy },
        });
        using (ps)
        {
            Assert.Single(ps.Invoke(Rows("contoso", "fabrikam")));
            Assert.Contains("1 readiness rows name no tenant of the plan (elsewhere.example)", Assert.Single(ps.Streams.Warning).Message);
        }
        string html = File.ReadAllText(path);
        Assert.Contains("<tr data-tenant=\"fabrikam\" data-verdict=\"ReadyToCutOver\"><td>fabrikam</td><td>Contoso</td><td>contoso.com</td><td>ReadyToCutOver</td><td>2027-04-01</td>", html);
        Assert.DoesNotContain("KeepLegacy", html);
    }

    public void Dispose()
    {
        _runspace.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
