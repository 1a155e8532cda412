using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Engine.Tests.Support;
using Xunit;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>
/// The fleet apply against fake tenants that log every write: the safe order within a pair, a failed or unconfirmed
/// grant keeping the legacy relationships, a cut-over one side cannot follow undone, kill and resume without a repeated
/// write, a crash between write and checkpoint, and rows that must not run.
/// </summary>
public sealed class FleetExecutorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fleet-exec-").FullName;
    private readonly FakeFleetWorld _world = new();
    private readonly RecordingEvents _events = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CheckpointPath => Path.Combine(_dir, "fleet.checkpoint.jsonl");

    private FleetCheckpoint Checkpoint() => FleetCheckpoint.Load(CheckpointPath, _events);

    private Task<IReadOnlyList<FleetChangeResult>> Apply(FleetPlan plan, IReadOnlyList<FleetPlanChange>? approved = null, FleetCheckpoint? checkpoint = null,
        CancellationToken cancellationToken = default, int pairs = 4) =>
        FleetExecutor.ApplyAsync(plan, approved ?? plan.Changes, checkpoint ?? Checkpoint(), _events, cancellationToken, pairs, _world.Backend, TimeProvider.System);

    private static FleetChangeResult Of(IReadOnlyList<FleetChangeResult> results, FleetPlanChange change) => Assert.Single(results, r => ReferenceEquals(r.Change, change));

    [Fact]
    public async Task Every_grant_of_a_pair_is_written_before_either_relationship_is_disabled()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        plan.Changes.AddRange(new[] { FakeFleetWorld.Disable("contoso", "fabrikam"), FakeFleetWorld.Grant("contoso", "fabrikam"),
            FakeFleetWorld.Disable("fabrikam", "contoso"), FakeFleetWorld.Grant("fabrikam", "contoso") });

        IReadOnlyList<FleetChangeResult> results = await Apply(plan);

        Assert.All(results, r => Assert.Equal(FleetOutcome.Applied, r.Outcome));
        Assert.Equal(4, results.Count);
        IReadOnlyList<string> writes = _world.Writes;
        Assert.Equal(4, writes.Count);
        Assert.All(writes.Take(2), w => Assert.Contains(": grant ", w));
        Assert.All(writes.Skip(2), w => Assert.Contains(": disable ", w));
        Assert.False(_world.Tenants["contoso"].Relationships["fabrikam"]);
        Assert.False(_world.Tenants["fabrikam"].Relationships["contoso"]);
        FleetCheckpoint reloaded = FleetCheckpoint.Load(CheckpointPath, _events);
        Assert.All(plan.Changes, c => Assert.True(reloaded.Contains(c.ChangeId)));
    }

    [Fact]
    public async Task A_failed_grant_keeps_its_pairs_legacy_relationships_enabled_and_the_other_pair_goes_on()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam", "tailspin");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "tailspin"));
        _world.Tenants["fabrikam"].FailGrant = ErrorIds.Throttled;

        IReadOnlyList<FleetChangeResult> results = await Apply(plan);

        FleetChangeResult failed = Of(results, plan.Changes[1]);
        Assert.Equal(FleetOutcome.Failed, failed.Outcome);
        Assert.Equal(ErrorIds.Throttled, failed.ErrorId);
        foreach (FleetPlanChange cutOver in plan.Changes.Take(4).Where(c => c.Order == FleetOrder.CutOver))
        {
            FleetChangeResult kept = Of(results, cutOver);
            Assert.Equal(FleetOutcome.Skipped, kept.Outcome);
            Assert.Equal(ErrorIds.FleetLegacyKept, kept.ErrorId);
            Assert.Contains("left enabled", kept.Message);
            Assert.Contains("keeps free/busy", kept.Message);
        }
        Assert.True(_world.Tenants["contoso"].Relationships["fabrikam"]);
        Assert.True(_world.Tenants["fabrikam"].Relationships["contoso"]);
        Assert.All(plan.Changes.Skip(4), c => Assert.Equal(FleetOutcome.Applied, Of(results, c).Outcome));
        Assert.False(_world.Tenants["contoso"].Relationships["tailspin"]);
        Assert.False(_world.Tenants["tailspin"].Relationships["contoso"]);
        Assert.DoesNotContain(_world.Writes, w => w.Contains("disable fabrikam") || w.StartsWith("fabrikam: disable"));
    }

    [Fact]
    public async Task A_grant_the_read_back_does_not_confirm_holds_the_cut_over()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        _world.Tenants["fabrikam"].StaleReads = true;

        IReadOnlyList<FleetChangeResult> results = await Apply(plan);

        Assert.Equal(FleetOutcome.Applied, Of(results, plan.Changes[0]).Outcome);
        FleetChangeResult unverified = Of(results, plan.Changes[1]);
        Assert.Equal(FleetOutcome.Failed, unverified.Outcome);
        Assert.Equal(ErrorIds.CrossTenantAccessNotVerified, unverified.ErrorId);
        Assert.All(plan.Changes.Skip(2), c => Assert.Equal(ErrorIds.FleetLegacyKept, Of(results, c).ErrorId));
        Assert.DoesNotContain(_world.Writes, w => w.Contains(": disable "));
    }

    [Fact]
    public async Task A_cut_over_the_other_side_cannot_follow_is_undone_so_both_sides_stay_alike()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        _world.Tenants["fabrikam"].FailDisable = ErrorIds.AdminApiTimeout;
        FleetCheckpoint checkpoint = Checkpoint();

        IReadOnlyList<FleetChangeResult> results = await Apply(plan, checkpoint: checkpoint);

        Assert.Equal(ErrorIds.AdminApiTimeout, Of(results, plan.Changes[3]).ErrorId);
        FleetChangeResult undone = Of(results, plan.Changes[2]);
        Assert.Equal(FleetOutcome.Skipped, undone.Outcome);
        Assert.Equal(ErrorIds.FleetLegacyKept, undone.ErrorId);
        Assert.Contains("enabled again", undone.Message);
        Assert.True(_world.Tenants["contoso"].Relationships["fabrikam"]);
        Assert.True(_world.Tenants["fabrikam"].Relationships["contoso"]);
        Assert.False(FleetCheckpoint.Load(CheckpointPath, _events).Contains(plan.Changes[2].ChangeId));

        // Once the other side can follow, a re-run finishes the cut-over; the grants are not written again.
        _world.Tenants["fabrikam"].FailDisable = null;
        IReadOnlyList<FleetChangeResult> again = await Apply(plan);
        Assert.Equal(new[] { FleetOutcome.AlreadyApplied, FleetOutcome.AlreadyApplied, FleetOutcome.Applied, FleetOutcome.Applied }, again.Select(r => r.Outcome));
        Assert.Equal(2, _world.Writes.Count(w => w.Contains(": grant ")));
    }

    [Fact]
    public async Task Killed_mid_run_it_resumes_from_the_checkpoint_without_repeating_a_write()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam", "tailspin", "litware");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "tailspin"));
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "litware"));
        FakeFleetTenant tailspin = _world.Tenants["tailspin"];
        tailspin.HoldGrants = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();

        Task<IReadOnlyList<FleetChangeResult>> run = Apply(plan, cancellationToken: stop.Token, pairs: 1);
        await tailspin.GrantStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        stop.Cancel();
        FleetApplyCanceledException stopped = await Assert.ThrowsAsync<FleetApplyCanceledException>(() => run);

        Assert.Equal(5, stopped.Results.Count);
        Assert.All(stopped.Results, r => Assert.Equal(FleetOutcome.Applied, r.Outcome));
        FleetCheckpoint resumed = FleetCheckpoint.Load(CheckpointPath, _events);
        Assert.Equal(5, resumed.Count);
        Assert.True(_world.Tenants["tailspin"].Relationships["contoso"]);
        IReadOnlyList<string> before = _world.Writes;

        tailspin.HoldGrants = null;
        IReadOnlyList<FleetChangeResult> results = await Apply(plan, checkpoint: resumed);

        Assert.Equal(12, results.Count);
        Assert.Equal(5, results.Count(r => r.Outcome == FleetOutcome.AlreadyApplied));
        Assert.Equal(7, results.Count(r => r.Outcome == FleetOutcome.Applied));
        IReadOnlyList<string> writes = _world.Writes;
        Assert.Equal(12, writes.Count);
        Assert.Equal(writes.Count, writes.Distinct().Count());
        Assert.Equal(before, writes.Take(before.Count));
        Assert.All(new[] { "fabrikam", "tailspin", "litware" }, p =>
        {
            Assert.False(_world.Tenants["contoso"].Relationships[p]);
            Assert.False(_world.Tenants[p].Relationships["contoso"]);
        });
    }

    [Fact]
    public async Task Stopped_while_a_write_is_in_flight_the_checkpoint_stays_valid_and_holds_only_finished_changes()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        FakeFleetTenant fabrikam = _world.Tenants["fabrikam"];
        fabrikam.HoldGrants = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();

        Task<IReadOnlyList<FleetChangeResult>> run = Apply(plan, cancellationToken: stop.Token);
        await fabrikam.GrantStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        stop.Cancel();
        await Assert.ThrowsAsync<FleetApplyCanceledException>(() => run);

        var events = new RecordingEvents();
        FleetCheckpoint checkpoint = FleetCheckpoint.Load(CheckpointPath, events);
        Assert.Empty(events.Warnings);
        Assert.All(File.ReadAllLines(CheckpointPath), line => System.Text.Json.JsonDocument.Parse(line).Dispose());
        Assert.True(checkpoint.Contains(plan.Changes[0].ChangeId));
        Assert.False(checkpoint.Contains(plan.Changes[1].ChangeId));
        Assert.True(checkpoint.WasStarted(plan.Changes[1].ChangeId));
        Assert.DoesNotContain(_world.Writes, w => w.Contains(": disable "));
        Assert.True(_world.Tenants["contoso"].Relationships["fabrikam"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Crashed_at_a_random_point_a_re_run_writes_each_change_exactly_once(int seed)
    {
        var random = new Random(seed);
        string[] partners = { "fabrikam", "tailspin", "litware" };
        FleetPlan plan = _world.Plan(new[] { "contoso" }.Concat(partners).ToArray());
        foreach (string partner in partners) plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", partner));
        _world.RecordBefore(plan);
        int crashAt = random.Next(1, plan.Changes.Count + 1);
        bool beforeCheckpoint = random.Next(2) == 0;
        bool tornLine = random.Next(2) == 0;
        using var crash = new CancellationTokenSource();
        int writes = 0;
        _world.AfterWrite = _ =>
        {
            if (Interlocked.Increment(ref writes) != crashAt) return;
            crash.Cancel();
            // Thrown, the write is made and not recorded; not thrown, it is recorded and the run dies right after.
            if (beforeCheckpoint) throw new OperationCanceledException(crash.Token);
        };

        await Assert.ThrowsAsync<FleetApplyCanceledException>(() => Apply(plan, cancellationToken: crash.Token, pairs: 3));
        _world.AfterWrite = null;
        if (tornLine) File.AppendAllText(CheckpointPath, "{\"changeId\":\"contoso|Cross");
        IReadOnlyList<FleetChangeResult> results = await Apply(plan);

        Assert.Equal(plan.Changes.Count, results.Count);
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { FleetOutcome.Applied, FleetOutcome.AlreadyApplied }));
        IReadOnlyList<string> all = _world.Writes;
        Assert.Equal(plan.Changes.Count, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        FleetCheckpoint final = FleetCheckpoint.Load(CheckpointPath, new RecordingEvents());
        Assert.All(plan.Changes, c => Assert.True(final.Contains(c.ChangeId)));
        Assert.All(partners, p => Assert.False(_world.Tenants[p].Relationships["contoso"]));
    }

    [Fact]
    public async Task A_change_whose_tenant_changed_since_the_plan_is_refused_as_stale_and_keeps_the_legacy_relationships()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        _world.RecordBefore(plan);
        // Someone grants fabrikam something else in contoso after the plan was read.
        _world.Tenants["contoso"].Access[FakeFleetWorld.TenantId("fabrikam")] = FreeBusyAccessLevel.LimitedDetails;

        IReadOnlyList<FleetChangeResult> results = await Apply(plan);

        FleetChangeResult stale = Of(results, plan.Changes[0]);
        Assert.Equal(FleetOutcome.Failed, stale.Outcome);
        Assert.Equal(ErrorIds.FleetChangeStale, stale.ErrorId);
        Assert.Contains("Make the plan again", stale.Message);
        Assert.Equal(FreeBusyAccessLevel.LimitedDetails, _world.Tenants["contoso"].Access[FakeFleetWorld.TenantId("fabrikam")]);
        Assert.All(plan.Changes.Skip(2), c => Assert.Equal(ErrorIds.FleetLegacyKept, Of(results, c).ErrorId));
        Assert.DoesNotContain(_world.Writes, w => w.StartsWith("contoso: "));
        Assert.False(FleetCheckpoint.Load(CheckpointPath, _events).Contains(plan.Changes[0].ChangeId));
    }

    [Fact]
    public async Task A_change_an_earlier_run_began_is_finished_rather_than_refused_as_stale()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        FleetPlanChange grant = FakeFleetWorld.Grant("contoso", "fabrikam");
        plan.Changes.Add(grant);
        _world.RecordBefore(plan);
        // A run began this grant and died with the tenant half-way (a partner configuration with another level).
        _world.Tenants["contoso"].Access[FakeFleetWorld.TenantId("fabrikam")] = FreeBusyAccessLevel.LimitedDetails;
        FleetCheckpoint checkpoint = Checkpoint();
        checkpoint.Begin(grant.ChangeId, DateTimeOffset.UtcNow);

        FleetChangeResult result = Assert.Single(await Apply(plan, checkpoint: FleetCheckpoint.Load(CheckpointPath, _events)));

        Assert.Equal(FleetOutcome.Applied, result.Outcome);
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, _world.Tenants["contoso"].Access[FakeFleetWorld.TenantId("fabrikam")]);
    }

    [Fact]
    public async Task A_relationship_changed_since_the_plan_is_not_disabled()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        _world.RecordBefore(plan);
        _world.Tenants["fabrikam"].Relationships.TryRemove("contoso", out _);

        IReadOnlyList<FleetChangeResult> results = await Apply(plan);

        Assert.Equal(ErrorIds.FleetChangeStale, Of(results, plan.Changes[3]).ErrorId);
        Assert.Contains("not there any more", Of(results, plan.Changes[3]).Message);
        // The other side's cut-over is undone: both sides stay alike.
        Assert.True(_world.Tenants["contoso"].Relationships["fabrikam"]);
    }

    [Fact]
    public async Task A_corrupt_checkpoint_stops_the_apply_before_anything_is_read()
    {
        File.WriteAllText(CheckpointPath, "garbage\n{\"changeId\":\"a\",\"outcome\":\"Applied\"}\n");

        EngineException error = Assert.Throws<EngineException>(() => FleetCheckpoint.Load(CheckpointPath, _events));

        Assert.Equal(ErrorIds.FleetCheckpointInvalid, error.ErrorId);
        Assert.Equal(CheckpointPath, error.Target);
        Assert.Empty(_world.Calls);
    }

    [Fact]
    public async Task A_change_made_before_a_crash_but_not_recorded_is_found_done_and_not_written_again()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        // The tenants already show what the plan wants (written just before a crash); the checkpoint does not know.
        _world.Tenants["contoso"].Access[FakeFleetWorld.TenantId("fabrikam")] = FreeBusyAccessLevel.AvailabilityOnly;
        _world.Tenants["fabrikam"].Access[FakeFleetWorld.TenantId("contoso")] = FreeBusyAccessLevel.AvailabilityOnly;
        _world.Tenants["contoso"].Relationships["fabrikam"] = false;

        IReadOnlyList<FleetChangeResult> results = await Apply(plan);

        Assert.Equal(new[] { FleetOutcome.AlreadyApplied, FleetOutcome.AlreadyApplied, FleetOutcome.AlreadyApplied, FleetOutcome.Applied }, results.Select(r => r.Outcome));
        Assert.Equal(new[] { "fabrikam: disable contoso" }, _world.Writes);
        Assert.All(plan.Changes, c => Assert.True(FleetCheckpoint.Load(CheckpointPath, _events).Contains(c.ChangeId)));
    }

    [Fact]
    public async Task A_change_in_the_checkpoint_is_not_even_read()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam");
        FleetPlanChange grant = FakeFleetWorld.Grant("contoso", "fabrikam");
        plan.Changes.Add(grant);
        FleetCheckpoint checkpoint = Checkpoint();
        checkpoint.Append(grant.ChangeId, FleetOutcome.Applied, DateTimeOffset.UtcNow);

        FleetChangeResult result = Assert.Single(await Apply(plan, checkpoint: checkpoint));

        Assert.Equal(FleetOutcome.AlreadyApplied, result.Outcome);
        Assert.Empty(_world.Calls);
    }

    [Fact]
    public async Task Rows_that_must_not_run_are_skipped_and_an_unconfirmed_grant_holds_the_cut_over()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam", "tailspin", "litware");
        FleetPlanChange nothing = FakeFleetWorld.Grant("contoso", "fabrikam");
        nothing.Action = FleetAction.Nothing;
        FleetPlanChange unknown = FakeFleetWorld.Grant("contoso", "tailspin");
        unknown.Action = FleetAction.Unknown;
        FleetPlanChange unconnected = FakeFleetWorld.Grant("litware", "fabrikam");
        _world.Tenants["litware"].Unconnected = true;
        FleetPlanChange declinedGrant = FakeFleetWorld.Grant("tailspin", "litware");
        FleetPlanChange cutOver = FakeFleetWorld.Disable("tailspin", "litware");
        plan.Changes.AddRange(new[] { nothing, unknown, unconnected, declinedGrant, cutOver });

        IReadOnlyList<FleetChangeResult> results = await Apply(plan, new[] { nothing, unknown, unconnected, cutOver });

        Assert.Equal(4, results.Count);
        Assert.Equal((FleetOutcome.Skipped, (string?)null), (Of(results, nothing).Outcome, Of(results, nothing).ErrorId));
        Assert.Equal(ErrorIds.FleetTenantUnreadable, Of(results, unknown).ErrorId);
        Assert.Equal(ErrorIds.FleetTenantConnectFailed, Of(results, unconnected).ErrorId);
        Assert.Equal(ErrorIds.FleetLegacyKept, Of(results, cutOver).ErrorId);
        Assert.Contains("not confirmed", Of(results, cutOver).Message);
        Assert.Empty(_world.Writes);
    }

    [Fact]
    public async Task Pairs_report_progress_on_lanes_of_their_own_and_each_write_is_traced()
    {
        FleetPlan plan = _world.Plan("contoso", "fabrikam", "tailspin");
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "fabrikam"));
        plan.Changes.AddRange(FakeFleetWorld.Migration("contoso", "tailspin"));

        await Apply(plan, pairs: 2);

        ProgressUpdate[] updates = _events.ProgressUpdates.ToArray();
        Assert.Contains(updates, u => u.Lane == ProgressLanes.Main && u.Completed);
        Assert.Contains(updates, u => u.Lane >= ProgressLanes.FirstFleetPair && u.Status.Contains("disabling the legacy relationships"));
        Assert.Contains(_events.VerboseLines, v => v.Contains("disabling the organization relationship 'fabrikam'"));
    }
}
