using CalendarFederation.Engine.Concurrency;
using Xunit;

namespace CalendarFederation.Engine.Tests;

/// <summary>src/CalendarFederation.Engine/Concurrency/SideBySide.cs: the failure reported is the first in the order given, not the first to happen.</summary>
public sealed class SideBySideTests
{
    [Fact]
    public async Task The_first_named_failure_wins_even_when_it_comes_last()
    {
        var first = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task all = SideBySide.AllAsync(first.Task, second.Task);
        second.SetException(new InvalidOperationException("second"));
        Assert.False(all.IsCompleted);
        first.SetException(new ArgumentException("first"));

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => all);
        Assert.Equal("first", error.Message);
    }

    [Fact]
    public async Task A_failure_outranks_a_cancellation_and_success_is_quiet()
    {
        Task canceled = Task.FromCanceled(new CancellationToken(true));
        Task failed = Task.FromException(new InvalidOperationException("broke"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => SideBySide.AllAsync(canceled, failed));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SideBySide.AllAsync(Task.CompletedTask, canceled));
        await SideBySide.AllAsync(Task.CompletedTask, Task.Delay(0));
    }
}
