using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine;

namespace CalendarFederation.Engine.Tests.Support;

/// <summary>An engine event channel that records everything, answering questions with <see cref="Answer"/>.</summary>
public sealed class RecordingEvents : IEngineEvents
{
    private readonly ConcurrentQueue<(string Kind, string Text)> _all = new();

    public bool Answer { get; set; }
    public ConcurrentQueue<ConfirmRequest> Questions { get; } = new();
    public ConcurrentQueue<ProgressUpdate> ProgressUpdates { get; } = new();

    public IReadOnlyList<string> Warnings => Of("W");
    public IReadOnlyList<string> VerboseLines => Of("V");
    public IReadOnlyList<string> Prompts => Of("P");

    public void Verbose(string message) => _all.Enqueue(("V", message));
    public void Debug(string message) => _all.Enqueue(("D", message));
    public void Warning(string message) => _all.Enqueue(("W", message));
    public void Prompt(string message) => _all.Enqueue(("P", message));
    public void Progress(ProgressUpdate update) => ProgressUpdates.Enqueue(update);

    public Task<bool> ConfirmAsync(ConfirmRequest request, CancellationToken cancellationToken)
    {
        Questions.Enqueue(request);
        return Task.FromResult(Answer);
    }

    private IReadOnlyList<string> Of(string kind) => _all.Where(e => e.Kind == kind).Select(e => e.Text).ToArray();
}
