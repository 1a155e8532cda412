using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Runs engine work on the thread pool and writes what it reports (warnings, tracing, progress, prompts, questions)
    /// on the pipeline thread, the only thread where Write* is allowed. The pipeline thread blocks on the queue, which
    /// is completed when the work ends: no polling.
    /// </summary>
    internal sealed class EngineEventQueue
    {
        private readonly Cmdlet _cmdlet;
        private readonly int _activityBase;
        private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<string, bool> _answeredForAll = new Dictionary<string, bool>(StringComparer.Ordinal);

        /// <param name="activityBase">The cmdlet's stable Write-Progress activity id; lanes add to it.</param>
        public EngineEventQueue(Cmdlet cmdlet, int activityBase)
        {
            _cmdlet = cmdlet;
            _activityBase = activityBase;
        }

        /// <summary>When set, answers questions without asking (-Force: untrusted hosts are refused, not accepted).</summary>
        public bool? FixedAnswer { get; set; }

        /// <summary>Runs <paramref name="work"/> with a fresh event channel and returns its result. Exceptions come back unwrapped.</summary>
        public T Run<T>(Func<IEngineEvents, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        {
            using var channel = new Channel();
            Task<T> task = Task.Run(() => work(channel, cancellationToken), cancellationToken);
            task.ContinueWith(_ => channel.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var lanes = new HashSet<int>();
            bool stopping = false;
            foreach (Item item in channel.Consume())
            {
                // Once the pipeline stops every Write* throws; the work still runs to its end (a stopped migration puts
                // a side back), so the rest is drained unwritten and the caller gets the result it needs to say so.
                if (stopping)
                {
                    item.Answer?.TrySetResult(false);
                    continue;
                }
                try
                {
                    Write(item, lanes);
                }
                catch (PipelineStoppedException)
                {
                    stopping = true;
                    item.Answer?.TrySetResult(false);
                }
            }
            if (!stopping)
            {
                foreach (int lane in lanes)
                {
                    _cmdlet.WriteProgress(new ProgressRecord(_activityBase + lane, Messages.ProgressActivity, Messages.ProgressDone) { RecordType = ProgressRecordType.Completed });
                }
            }
            return task.GetAwaiter().GetResult();
        }

        /// <summary>
        /// One channel for a whole streaming command (Get-FederationInformation): work started in one ProcessRecord keeps
        /// reporting, and asking, while later records arrive. The pipeline thread writes what arrived whenever it waits for
        /// work (<see cref="Pump.WaitFor"/>) or passes by (<see cref="Pump.WritePending"/>).
        /// </summary>
        public Pump OpenPump() => new Pump(this);

        /// <summary>A long-lived event channel; see <see cref="OpenPump"/>. Used on the pipeline thread only, except <see cref="Events"/>.</summary>
        internal sealed class Pump : IDisposable
        {
            private readonly EngineEventQueue _queue;
            private readonly Channel _channel = new Channel();
            private readonly HashSet<int> _lanes = new HashSet<int>();

            public Pump(EngineEventQueue queue) => _queue = queue;

            /// <summary>The channel to hand to engine work; safe from any thread.</summary>
            public IEngineEvents Events => _channel;

            /// <summary>Writes events (answering questions) until <paramref name="task"/> completes; throws when the token is cancelled.</summary>
            public void WaitFor(Task task, CancellationToken cancellationToken)
            {
                task.ContinueWith(_ => _channel.Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                while (!task.IsCompleted)
                {
                    _queue.Write(_channel.Take(cancellationToken), _lanes);
                }
                WritePending();
            }

            /// <summary>Writes the events that have arrived, without waiting.</summary>
            public void WritePending()
            {
                while (_channel.TryTake(out Item? item)) _queue.Write(item!, _lanes);
            }

            /// <summary>Ends the channel: later reports are dropped and later questions answered no.</summary>
            public void Dispose()
            {
                _channel.Complete();
                _channel.Dispose();
            }

            /// <summary>Completes the progress lanes the engine used (call on the pipeline thread, at the end).</summary>
            public void CompleteProgress()
            {
                foreach (int lane in _lanes)
                {
                    _queue._cmdlet.WriteProgress(new ProgressRecord(_queue._activityBase + lane, Messages.ProgressActivity, Messages.ProgressDone) { RecordType = ProgressRecordType.Completed });
                }
                _lanes.Clear();
            }
        }

        private void Write(Item item, HashSet<int> lanes)
        {
            switch (item.Kind)
            {
                case ItemKind.Wake:
                    break;
                case ItemKind.Prompt:
                    // What Write-Host does: visible whatever $InformationPreference says.
                    _cmdlet.WriteInformation(new HostInformationMessage { Message = item.Text, ForegroundColor = ConsoleColor.Yellow, NoNewLine = false },
                        new[] { "PSHOST" });
                    break;
                case ItemKind.Warning:
                    // The same text once per call: chunked writes may each bring the service's warning.
                    if (_warned.Add(item.Text)) _cmdlet.WriteWarning(item.Text);
                    break;
                case ItemKind.Verbose: _cmdlet.WriteVerbose(item.Text); break;
                case ItemKind.Debug: _cmdlet.WriteDebug(item.Text); break;
                case ItemKind.Progress:
                    ProgressUpdate p = item.Progress!;
                    lanes.Add(p.Lane);
                    _cmdlet.WriteProgress(new ProgressRecord(_activityBase + p.Lane, p.Activity, p.Status.Length == 0 ? " " : p.Status)
                    {
                        PercentComplete = p.PercentComplete,
                        RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                    });
                    break;
                case ItemKind.Confirm:
                    item.Answer!.TrySetResult(Ask(item.Confirm!));
                    break;
            }
        }

        // Yes, Yes to All, No (the default), No to All: trusting a stranger takes a deliberate answer.
        private bool Ask(ConfirmRequest request)
        {
            if (FixedAnswer is bool fixedAnswer) return fixedAnswer;
            if (_answeredForAll.TryGetValue(request.Key, out bool all)) return all;
            try
            {
                var choices = new System.Collections.ObjectModel.Collection<ChoiceDescription>
                {
                    new ChoiceDescription(Messages.ConfirmChoiceYes, Messages.ConfirmChoiceYesHelp),
                    new ChoiceDescription(Messages.ConfirmChoiceYesToAll, Messages.ConfirmChoiceYesToAllHelp),
                    new ChoiceDescription(Messages.ConfirmChoiceNo, Messages.ConfirmChoiceNoHelp),
                    new ChoiceDescription(Messages.ConfirmChoiceNoToAll, Messages.ConfirmChoiceNoToAllHelp),
                };
                if (!(_cmdlet is PSCmdlet ps) || ps.Host?.UI == null) return false;
                int answer = ps.Host.UI.PromptForChoice(request.Caption, request.Query, choices, 2);
                if (answer == 1) _answeredForAll[request.Key] = true;
                if (answer == 3) _answeredForAll[request.Key] = false;
                return answer == 0 || answer == 1;
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is HostException || ex is NotImplementedException || ex is PSNotImplementedException)
            {
                // A non-interactive host cannot ask: an unanswered question is a no.
                return false;
            }
        }

        private enum ItemKind { Verbose, Debug, Warning, Prompt, Progress, Confirm, Wake }

        private sealed class Item
        {
            public Item(ItemKind kind, string text) { Kind = kind; Text = text; }
            public ItemKind Kind { get; }
            public string Text { get; }
            public ProgressUpdate? Progress { get; set; }
            public ConfirmRequest? Confirm { get; set; }
            public TaskCompletionSource<bool>? Answer { get; set; }
        }

        /// <summary>The events one Run hands to the engine. Reports that arrive after the work ended are dropped.</summary>
        private sealed class Channel : IEngineEvents, IDisposable
        {
            private readonly BlockingCollection<Item> _items = new BlockingCollection<Item>();

            public void Verbose(string message) => Post(new Item(ItemKind.Verbose, message));
            public void Debug(string message) => Post(new Item(ItemKind.Debug, message));
            public void Warning(string message) => Post(new Item(ItemKind.Warning, message));
            public void Prompt(string message) => Post(new Item(ItemKind.Prompt, message));
            public void Progress(ProgressUpdate update) => Post(new Item(ItemKind.Progress, update.Status) { Progress = update });

            public Task<bool> ConfirmAsync(ConfirmRequest request, CancellationToken cancellationToken)
            {
                var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!Post(new Item(ItemKind.Confirm, request.Query) { Confirm = request, Answer = answer })) answer.TrySetResult(false);
                cancellationToken.Register(() => answer.TrySetCanceled());
                return answer.Task;
            }

            public IEnumerable<Item> Consume() => _items.GetConsumingEnumerable();

            public Item Take(CancellationToken cancellationToken) => _items.Take(cancellationToken);

            public bool TryTake(out Item? item) => _items.TryTake(out item);

            /// <summary>Wakes a pipeline thread that waits for work to finish.</summary>
            public void Wake() => Post(new Item(ItemKind.Wake, ""));

            public void Complete() => _items.CompleteAdding();

            private bool Post(Item item)
            {
                try
                {
                    return _items.TryAdd(item);
                }
                catch (InvalidOperationException)
                {
                    return false; // the call already ended (completed, or disposed)
                }
            }

            public void Dispose() => _items.Dispose();
        }
    }
}
