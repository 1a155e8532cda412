using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using CalendarFederation.Engine;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Engine.Relationships;
using CalendarFederation.Sandbox;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>
/// Invoke-CalendarFederationPlan in a hosted runspace against the sandbox's contoso and fabrikam: a plan built by hand
/// (grants both ways, then both legacy relationships disabled) is applied; applied again with the same checkpoint, and
/// then with none, every change is AlreadyApplied and the sandbox's request log shows no new write; -WhatIf writes nothing.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class FleetApplyTests : IDisposable
{
    private const string Epr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";
    private readonly SignInFixture _fixture;
    private readonly ChoiceHost _host = new();
    private readonly Runspace _runspace;
    private readonly string _dir = Directory.CreateTempSubdirectory("fleet-apply-").FullName;

    public FleetApplyTests(SignInFixture fixture)
    {
        _fixture = fixture;
        fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(_host);
        Run("$c = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com " +
            "-ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) " +
            $"-ExchangeEnvironmentName {SignInFixture.EnvironmentName} -PassThru -NotDefault -WarningAction SilentlyContinue; " +
            "$f = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com " +
            "-ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) " +
            $"-ExchangeEnvironmentName {SignInFixture.EnvironmentName} -PassThru -NotDefault -WarningAction SilentlyContinue; " +
            $"New-OrganizationRelationship -Connection $c -Name Fabrikam -DomainNames fabrikam.com -FreeBusyAccessEnabled $true -TargetApplicationUri outlook.com -TargetAutodiscoverEpr {Epr} -Confirm:$false -WarningAction SilentlyContinue | Out-Null; " +
            $"New-OrganizationRelationship -Connection $f -Name Contoso -DomainNames contoso.com -FreeBusyAccessEnabled $true -TargetApplicationUri outlook.com -TargetAutodiscoverEpr {Epr} -Confirm:$false -WarningAction SilentlyContinue | Out-Null");
    }

    public void Dispose()
    {
        _runspace.Dispose();
        _fixture.Reset();
        Directory.Delete(_dir, recursive: true);
    }

    private string CheckpointPath => Path.Combine(_dir, "fleet.checkpoint.jsonl");

    private List<PSObject> Run(string script, bool errorsExpected = false)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        List<PSObject> output = ps.Invoke().ToList();
        if (!errorsExpected) Assert.True(ps.Streams.Error.Count == 0, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        return output;
    }

    private CalendarFederationConnection Connection(string variable) => _runspace.SessionStateProxy.GetVariable(variable) switch
    {
        PSObject o => (CalendarFederationConnection)o.BaseObject,
        object o => (CalendarFederationConnection)o,
    };

    // Writes the sandbox saw: Graph calls other than GET, admin API cmdlets other than Get-*.
    private int Writes() => _fixture.Server.State.Requests.Count(r =>
        (r.Service == "graph" && r.Method != "GET") || (r.Service == "adminapi" && r.CmdletName != null && !r.CmdletName.StartsWith("Get-", StringComparison.Ordinal)));

    private bool? Enabled(string tenant, string name)
    {
        using JsonDocument doc = JsonDocument.Parse(_fixture.Control.GetStringAsync($"/_sandbox/tenants/{tenant}/relationships").GetAwaiter().GetResult());
        foreach (JsonElement r in doc.RootElement.EnumerateArray())
        {
            if (r.GetProperty("name").GetString() == name) return r.GetProperty("enabled").GetBoolean();
        }
        return null;
    }

    /// <summary>The plan the planner would make for a migration of the pair, with each row's Before read from the tenants as it does.</summary>
    private CalendarFederationPlanChange[] MigrationPlan(string? planFile = null)
    {
        CalendarFederationConnection contoso = Connection("c"), fabrikam = Connection("f");
        var definition = new FleetDefinition { SourcePath = planFile };
        var plan = new FleetPlan(definition);
        foreach ((string name, CalendarFederationConnection c) in new[] { ("contoso", contoso), ("fabrikam", fabrikam) })
        {
            var tenant = new FleetTenant { Name = name, Organization = c.Organization, TenantId = c.TenantId };
            definition.Tenants.Add(tenant);
            plan.States[name] = new FleetTenantState(tenant) { TenantId = c.TenantId, Organization = c.Organization, Session = c.Session };
        }
        plan.Changes.Add(Grant("contoso", contoso, fabrikam));
        plan.Changes.Add(Grant("fabrikam", fabrikam, contoso));
        plan.Changes.Add(Disable("contoso", "fabrikam", contoso, "Fabrikam"));
        plan.Changes.Add(Disable("fabrikam", "contoso", fabrikam, "Contoso"));
        return plan.Changes.Select(c => new CalendarFederationPlanChange(c, plan)).ToArray();
    }

    private static FleetPlanChange Grant(string tenant, CalendarFederationConnection from, CalendarFederationConnection to)
    {
        PartnerAccessState now = CrossTenantAccessService.For(from.Session).GetStateAsync(to.TenantId!, NullEngineEvents.Instance, CancellationToken.None).GetAwaiter().GetResult();
        string partner = tenant == "contoso" ? "fabrikam" : "contoso";
        return new FleetPlanChange
        {
            Tenant = tenant, Partner = partner, Direction = tenant + " -> " + partner, Action = FleetAction.Create, Method = Engine.Federation.FederationMethod.CrossTenantAccess,
            ObjectType = FleetObjectType.CrossTenantAccess, Identity = to.TenantId!, Before = "(none)", After = "AvailabilityOnly", Order = FleetOrder.Grant,
            ChangeId = $"{tenant}|CrossTenantAccess|{to.TenantId}|Create|AvailabilityOnly", BeforeState = FleetStateFingerprint.Access(now),
            AccessRequest = new PartnerAccessRequest(to.TenantId!) { FreeBusy = Engine.CrossTenantAccess.FreeBusyAccessLevel.AvailabilityOnly },
        };
    }

    private static FleetPlanChange Disable(string tenant, string partner, CalendarFederationConnection c, string name)
    {
        var service = new OrganizationRelationshipService(c.Session.AdminApi, NullEngineEvents.Instance);
        Engine.AdminApi.AdminObject now = service.GetAsync(name, CancellationToken.None).GetAwaiter().GetResult().Single();
        return new FleetPlanChange
        {
            Tenant = tenant, Partner = partner, Direction = tenant + " -> " + partner, Action = FleetAction.Disable, Method = Engine.Federation.FederationMethod.CrossTenantAccess,
            ObjectType = FleetObjectType.OrganizationRelationship, Identity = name, Before = "enabled", After = "disabled", Order = FleetOrder.CutOver,
            ChangeId = $"{tenant}|OrganizationRelationship|{name}|Disable", BeforeState = FleetStateFingerprint.Relationship(now),
        };
    }

    private List<PSObject> Apply(CalendarFederationPlanChange[] rows, string? checkpoint, string extra = "", bool errorsExpected = false)
    {
        _runspace.SessionStateProxy.SetVariable("rows", rows);
        string path = checkpoint == null ? "" : $" -CheckpointPath '{checkpoint}'";
        string confirm = extra.Contains("-Confirm", StringComparison.Ordinal) ? "" : " -Confirm:$false";
        return Run($"$rows | Invoke-CalendarFederationPlan{path}{confirm}{extra}", errorsExpected);
    }

    private static string[] Outcomes(IEnumerable<PSObject> results) => results.Select(r => (string)r.Properties["Outcome"].Value).ToArray();

    [Fact]
    public void A_hand_built_plan_is_applied_in_the_safe_order_and_a_re_run_finds_it_all_applied_without_writing()
    {
        CalendarFederationPlanChange[] rows = MigrationPlan();
        _fixture.Server.State.ClearRequests();

        List<PSObject> first = Apply(rows, CheckpointPath);

        Assert.Equal(new[] { "Applied", "Applied", "Applied", "Applied" }, Outcomes(first));
        Assert.All(first, r => Assert.IsType<CalendarFederationPlanResult>(r.BaseObject));
        Assert.False(Enabled("contoso", "Fabrikam"));
        Assert.False(Enabled("fabrikam", "Contoso"));
        // Both grants (Graph writes) come before the first relationship is disabled (Set-OrganizationRelationship).
        var log = _fixture.Server.State.Requests.OrderBy(r => r.Sequence).ToList();
        int firstDisable = log.FindIndex(r => r.CmdletName == "Set-OrganizationRelationship");
        int lastGrant = log.FindLastIndex(r => r.Service == "graph" && r.Method != "GET");
        Assert.True(lastGrant >= 0 && firstDisable > lastGrant, "a legacy relationship was disabled before both grants were written");
        int writes = Writes();
        Assert.True(writes >= 4, $"{writes} writes");
        Assert.Equal(4, File.ReadAllLines(CheckpointPath).Count(l => !l.Contains("\"Started\"", StringComparison.Ordinal)));

        List<PSObject> again = Apply(rows, CheckpointPath);
        Assert.Equal(new[] { "AlreadyApplied", "AlreadyApplied", "AlreadyApplied", "AlreadyApplied" }, Outcomes(again));
        Assert.Equal(writes, Writes());

        // Without the checkpoint every change is read first and found made: still nothing is written.
        List<PSObject> fresh = Apply(rows, Path.Combine(_dir, "other.checkpoint.jsonl"));
        Assert.Equal(new[] { "AlreadyApplied", "AlreadyApplied", "AlreadyApplied", "AlreadyApplied" }, Outcomes(fresh));
        Assert.Equal(writes, Writes());
    }

    [Fact]
    public void WhatIf_writes_nothing_and_no_checkpoint()
    {
        CalendarFederationPlanChange[] rows = MigrationPlan();
        _fixture.Server.State.ClearRequests();

        List<PSObject> output = Apply(rows, CheckpointPath, " -WhatIf");

        Assert.Empty(output);
        Assert.Equal(0, Writes());
        Assert.False(File.Exists(CheckpointPath));
        Assert.True(Enabled("contoso", "Fabrikam"));
    }

    [Fact]
    public void A_change_made_by_someone_else_after_the_plan_is_a_stale_error_and_the_legacy_relationships_stay()
    {
        CalendarFederationPlanChange[] rows = MigrationPlan();
        Run("Grant-CrossTenantCalendarAccess -Connection $c -PartnerTenantId $f.TenantId -FreeBusyAccessLevel LimitedDetails -Confirm:$false -WarningAction SilentlyContinue | Out-Null");
        _fixture.Server.State.ClearRequests();

        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        _runspace.SessionStateProxy.SetVariable("rows", rows);
        ps.AddScript($"$rows | Invoke-CalendarFederationPlan -CheckpointPath '{CheckpointPath}' -Confirm:$false");
        List<PSObject> output = ps.Invoke().ToList();

        Assert.Equal(new[] { "Failed", "Applied", "Skipped", "Skipped" }, Outcomes(output));
        ErrorRecord error = Assert.Single(ps.Streams.Error);
        Assert.Equal(ErrorIds.FleetChangeStale, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.IsType<CalendarFederationPlanResult>(error.TargetObject);
        Assert.Equal(ErrorIds.FleetLegacyKept, (string)output[2].Properties["ErrorId"].Value);
        Assert.True(Enabled("contoso", "Fabrikam"));
        Assert.True(Enabled("fabrikam", "Contoso"));
        Assert.DoesNotContain(_fixture.Server.State.Requests, r => r.Service == "adminapi" && r.CmdletName == "Set-OrganizationRelationship");
        Assert.Equal(Engine.CrossTenantAccess.FreeBusyAccessLevel.LimitedDetails, CrossTenantAccessService.For(Connection("c").Session)
            .GetStateAsync(Connection("f").TenantId!, NullEngineEvents.Instance, CancellationToken.None).GetAwaiter().GetResult().FreeBusy);
    }

    [Fact]
    public void Stopped_while_a_grant_is_in_flight_it_leaves_a_valid_checkpoint_and_a_re_run_finishes_without_repeating_a_write()
    {
        CalendarFederationPlanChange[] rows = MigrationPlan();
        // fabrikam's first Graph write is held at a gate until the client gives up on it.
        _fixture.PostAsync("/_sandbox/faults", "{\"service\":\"graph\",\"tenant\":\"fabrikam\",\"method\":\"POST\",\"hold\":\"fabrikam-grant\",\"remaining\":1}",
            "application/json").GetAwaiter().GetResult();
        _fixture.Server.State.ClearRequests();

        using (PowerShell ps = PowerShell.Create())
        {
            ps.Runspace = _runspace;
            _runspace.SessionStateProxy.SetVariable("rows", rows);
            ps.AddScript($"$rows | Invoke-CalendarFederationPlan -CheckpointPath '{CheckpointPath}' -Confirm:$false");
            var output = new PSDataCollection<PSObject>();
            IAsyncResult handle = ps.BeginInvoke<PSObject, PSObject>(null, output);
            Assert.True(_fixture.Server.State.WaitUntilAsync(() => _fixture.Server.State.Gates.Held("fabrikam-grant") > 0, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult(),
                "fabrikam's grant never arrived.");
            ps.Stop();

            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Empty(output);
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(handle));
        }
        Assert.True(Enabled("contoso", "Fabrikam"));
        Assert.True(Enabled("fabrikam", "Contoso"));
        var events = new RecordingWarnings();
        FleetCheckpoint checkpoint = FleetCheckpoint.Load(CheckpointPath, events);
        Assert.Empty(events.Warnings);
        Assert.True(checkpoint.Contains(rows[0].ChangeId));
        Assert.False(checkpoint.Contains(rows[1].ChangeId));
        int contosoWrites = _fixture.Server.State.Requests.Count(r => r.Service == "graph" && r.Tenant == "contoso" && r.Method != "GET");
        Assert.True(contosoWrites > 0);

        // The held request goes on (or ends) once its gate opens; the re-run starts when the sandbox is quiet.
        _fixture.Control.DeleteAsync("/_sandbox/faults").GetAwaiter().GetResult().EnsureSuccessStatusCode();
        _fixture.Server.State.Gates.Open("fabrikam-grant");
        Assert.True(_fixture.Server.State.WaitUntilAsync(() => _fixture.Server.State.InFlight == 0, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult(), "the held request never ended.");
        _fixture.Server.State.ClearRequests();
        List<PSObject> again = Apply(rows, CheckpointPath);

        Assert.Equal(new[] { "AlreadyApplied", "Applied", "Applied", "Applied" }, Outcomes(again));
        Assert.DoesNotContain(_fixture.Server.State.Requests, r => r.Service == "graph" && r.Tenant == "contoso" && r.Method != "GET");
        Assert.False(Enabled("contoso", "Fabrikam"));
        Assert.False(Enabled("fabrikam", "Contoso"));
    }

    [Fact]
    public void The_checkpoint_defaults_to_the_plan_files_name_and_a_corrupt_one_stops_before_anything_is_written()
    {
        CalendarFederationPlanChange[] rows = MigrationPlan(Path.Combine(_dir, "fleet.json"));
        Apply(rows.Take(1).ToArray(), checkpoint: null);
        Assert.Single(File.ReadAllLines(CheckpointPath), l => l.Contains("\"Applied\"", StringComparison.Ordinal));

        File.WriteAllText(CheckpointPath, "not a record\n{\"changeId\":\"x\",\"outcome\":\"Applied\"}\n");
        _fixture.Server.State.ClearRequests();
        // try/catch catches terminating errors only.
        const string Script = "try { $rows | Invoke-CalendarFederationPlan -Confirm:$false; 'not stopped' } catch { $_.FullyQualifiedErrorId.Split(',')[0]; [string]$_.CategoryInfo.Category }";
        Assert.Equal(new[] { ErrorIds.FleetCheckpointInvalid, "InvalidData" }, Run(Script).Select(o => o.ToString()));
        Assert.Equal(0, Writes());

        // A plan not read from a file has no default checkpoint.
        _runspace.SessionStateProxy.SetVariable("rows", MigrationPlan());
        Assert.Equal(new[] { ErrorIds.FleetCheckpointInvalid, "InvalidArgument" }, Run(Script).Select(o => o.ToString()));
        Assert.Equal(0, Writes());
    }

    [Fact]
    public void With_a_path_it_plans_the_file_through_Get_CalendarFederationPlan_and_keeps_the_checkpoint_next_to_it()
    {
        string file = Path.Combine(_dir, "fleet.json");
        _runspace.SessionStateProxy.SetVariable("planned", MigrationPlan());
        // Stands in for the planner (Get-CalendarFederationPlan reads the file and the tenants): the rows, and an error it writes.
        Run("function Get-CalendarFederationPlan { param([string] $Path) $global:askedFor = $Path; " +
            "Write-Error -Message 'tailspin could not be read.' -ErrorId FleetTenantUnreadable -Category ReadError; $planned }");

        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript($"Invoke-CalendarFederationPlan -Path '{file}' -Confirm:$false");
        List<PSObject> output = ps.Invoke().ToList();

        Assert.Equal(file, _runspace.SessionStateProxy.GetVariable("askedFor"));
        Assert.Equal(new[] { "Applied", "Applied", "Applied", "Applied" }, Outcomes(output));
        ErrorRecord error = Assert.Single(ps.Streams.Error);
        Assert.StartsWith("FleetTenantUnreadable", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(4, File.ReadAllLines(CheckpointPath).Count(l => l.Contains("\"Applied\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Each_change_is_confirmed_on_its_own_and_a_declined_grant_keeps_its_pairs_legacy_relationships()
    {
        CalendarFederationPlanChange[] rows = MigrationPlan();
        _host.Answer = (choices, defaultChoice) =>
        {
            bool fabrikamGrant = _host.Prompts[^1].Message.Contains("fabrikam: CrossTenantAccess", StringComparison.Ordinal);
            return choices.ToList().FindIndex(c => c.Label == (fabrikamGrant ? "&No" : "&Yes"));
        };

        List<PSObject> output = Apply(rows, CheckpointPath, " -Confirm:$true");

        Assert.Equal(4, _host.Prompts.Count);
        Assert.Equal(new[] { "Applied", "Skipped", "Skipped", "Skipped" }, Outcomes(output));
        Assert.Contains("Not confirmed", (string)output[1].Properties["Message"].Value, StringComparison.Ordinal);
        Assert.All(output.Skip(2), r => Assert.Equal(ErrorIds.FleetLegacyKept, (string)r.Properties["ErrorId"].Value));
        Assert.True(Enabled("contoso", "Fabrikam"));
        Assert.True(Enabled("fabrikam", "Contoso"));
    }

    /// <summary>Engine events that keep the warnings (a torn checkpoint line is one).</summary>
    private sealed class RecordingWarnings : IEngineEvents
    {
        public List<string> Warnings { get; } = new();
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) => Warnings.Add(message);
        public void Prompt(string message) { }
        public void Progress(ProgressUpdate update) { }
        public Task<bool> ConfirmAsync(ConfirmRequest request, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
