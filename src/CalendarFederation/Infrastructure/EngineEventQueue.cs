using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Collects what the engine reports from worker threads (device code prompts, warnings, tracing) and writes it
    /// on the pipeline thread, the only thread where Write* is allowed.
    /// </summary>
    internal sealed class EngineEventQueue : IEngineEvents
    {
        private readonly BlockingCollection<(char Kind, string Text)> _queue = new BlockingCollection<(char, string)>();

        public void Prompt(string message) => _queue.Add(('P', message));
        public void Warning(string message) => _queue.Add(('W', message));
        public void Verbose(string message) => _queue.Add(('V', message));
        public void Debug(string message) => _queue.Add(('D', message));

        /// <summary>
        /// Runs <paramref name="work"/> on the thread pool with this queue as the ambient event target, writing its
        /// events as they come, and returns its result. Exceptions come back unwrapped.
        /// </summary>
        public T Run<T>(Cmdlet cmdlet, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        {
            Task<T> task = Task.Run(() =>
            {
                AmbientEvents.Current = this;
                return work(cancellationToken);
            }, cancellationToken);
            while (!task.IsCompleted)
            {
                if (_queue.TryTake(out var item, 50)) Write(cmdlet, item);
            }
            Drain(cmdlet);
            return task.GetAwaiter().GetResult();
        }

        public void Drain(Cmdlet cmdlet)
        {
            while (_queue.TryTake(out var item)) Write(cmdlet, item);
        }

        private static void Write(Cmdlet cmdlet, (char Kind, string Text) item)
        {
            switch (item.Kind)
            {
                case 'P':
                    // What Write-Host does: visible whatever $InformationPreference says.
                    cmdlet.WriteInformation(new HostInformationMessage { Message = item.Text, ForegroundColor = ConsoleColor.Yellow, NoNewLine = false },
                        new[] { "PSHOST" });
                    break;
                case 'W': cmdlet.WriteWarning(item.Text); break;
                case 'V': cmdlet.WriteVerbose(item.Text); break;
                case 'D': cmdlet.WriteDebug(item.Text); break;
            }
        }
    }
}
