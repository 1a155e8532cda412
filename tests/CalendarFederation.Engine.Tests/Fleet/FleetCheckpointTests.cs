using System.Text;
using System.Text.Json;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Engine.Tests.Support;
using Xunit;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>The checkpoint file: what a line holds, torn and corrupt lines, concurrent appends, undone changes.</summary>
public sealed class FleetCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fleet-checkpoint-").FullName;
    private readonly RecordingEvents _events = new();
    private static readonly DateTimeOffset At = new(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name = "fleet.checkpoint.jsonl") => Path.Combine(_dir, name);

    [Fact]
    public void A_missing_file_is_an_empty_checkpoint_and_is_not_created_by_loading()
    {
        FleetCheckpoint checkpoint = FleetCheckpoint.Load(PathOf(), _events);

        Assert.Equal(0, checkpoint.Count);
        Assert.False(checkpoint.Contains("a"));
        Assert.False(File.Exists(PathOf()));
    }

    [Fact]
    public void Each_append_is_one_json_line_with_the_change_id_outcome_and_time_only()
    {
        FleetCheckpoint checkpoint = FleetCheckpoint.Load(PathOf(), _events);
        checkpoint.Append("contoso|x|1", FleetOutcome.Applied, At);
        checkpoint.Append("fabrikam|y|2", FleetOutcome.AlreadyApplied, At);

        string[] lines = File.ReadAllLines(PathOf());
        Assert.Equal(2, lines.Length);
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        Assert.Equal(new[] { "changeId", "outcome", "at" }, first.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("contoso|x|1", first.RootElement.GetProperty("changeId").GetString());
        Assert.Equal("Applied", first.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("2026-12-04T15:00:00.000Z", first.RootElement.GetProperty("at").GetString());
        FleetCheckpoint reloaded = FleetCheckpoint.Load(PathOf(), _events);
        Assert.True(reloaded.Contains("contoso|x|1"));
        Assert.True(reloaded.Contains("fabrikam|y|2"));
    }

    [Fact]
    public void A_torn_last_line_is_ignored_with_a_warning_and_cut_off_before_the_next_append()
    {
        File.WriteAllText(PathOf(), "{\"changeId\":\"a\",\"outcome\":\"Applied\",\"at\":\"2026-12-04T15:00:00.000Z\"}\n{\"changeId\":\"b\",\"outc");

        FleetCheckpoint checkpoint = FleetCheckpoint.Load(PathOf(), _events);

        Assert.True(checkpoint.Contains("a"));
        Assert.False(checkpoint.Contains("b"));
        string warning = Assert.Single(_events.Warnings);
        Assert.Contains("line (2)", warning);
        checkpoint.Append("c", FleetOutcome.Applied, At);
        FleetCheckpoint again = FleetCheckpoint.Load(PathOf(), new RecordingEvents());
        Assert.Equal(2, again.Count);
        Assert.True(again.Contains("c"));
        Assert.Equal(2, File.ReadAllLines(PathOf()).Length);
    }

    [Fact]
    public void A_corrupt_line_before_the_last_is_refused_naming_it()
    {
        File.WriteAllText(PathOf(), "{\"changeId\":\"a\",\"outcome\":\"Applied\"}\nnot json\n{\"changeId\":\"b\",\"outcome\":\"Applied\"}\n");

        EngineException error = Assert.Throws<EngineException>(() => FleetCheckpoint.Load(PathOf(), _events));

        Assert.Equal(ErrorIds.FleetCheckpointInvalid, error.ErrorId);
        Assert.Contains("Line 2", error.Message);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
    }

    [Fact]
    public async Task Appends_from_many_pairs_at_once_each_land_on_a_line_of_their_own()
    {
        FleetCheckpoint checkpoint = FleetCheckpoint.Load(PathOf(), _events);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => checkpoint.Append("change-" + i, FleetOutcome.Applied, At))));

        string[] lines = File.ReadAllLines(PathOf(), Encoding.UTF8);
        Assert.Equal(200, lines.Length);
        FleetCheckpoint reloaded = FleetCheckpoint.Load(PathOf(), _events);
        Assert.Equal(200, reloaded.Count);
        Assert.Empty(_events.Warnings);
    }

    [Fact]
    public void A_change_undone_later_is_no_longer_done()
    {
        FleetCheckpoint checkpoint = FleetCheckpoint.Load(PathOf(), _events);
        checkpoint.Append("a", FleetOutcome.Applied, At);
        checkpoint.Forget("a", At);

        Assert.False(checkpoint.Contains("a"));
        Assert.False(FleetCheckpoint.Load(PathOf(), _events).Contains("a"));
    }

    [Fact]
    public void A_started_change_is_not_done_until_its_outcome_is_appended_and_a_reload_knows_it_was_started()
    {
        FleetCheckpoint checkpoint = FleetCheckpoint.Load(PathOf(), _events);
        checkpoint.Begin("a", At);
        checkpoint.Begin("b", At);
        checkpoint.Append("b", FleetOutcome.Applied, At);

        FleetCheckpoint reloaded = FleetCheckpoint.Load(PathOf(), _events);
        Assert.False(reloaded.Contains("a"));
        Assert.True(reloaded.WasStarted("a"));
        Assert.True(reloaded.Contains("b"));
        Assert.False(reloaded.WasStarted("b"));
        Assert.Equal(1, reloaded.Count);
    }
}
