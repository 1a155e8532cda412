using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Concurrency
{
    /// <summary>
    /// Runs work items with at most <c>limit</c> in flight and hands back results as they finish, so a cmdlet can
    /// stream output from its pipeline thread. Add and Drain block the caller (the pipeline thread) only while
    /// the runner is full or draining; both stop at once when the token is cancelled.
    /// </summary>
    public sealed class BoundedRunner<T>
    {
        private readonly int _limit;
        private readonly CancellationToken _cancellationToken;
        private readonly List<Task<T>> _running;
        private readonly Action<Task, CancellationToken>? _wait;

        /// <param name="wait">
        /// How the caller's thread waits for a task (the first of the running ones to finish): by default it just blocks; a
        /// cmdlet passes a wait that writes the engine's events meanwhile. It must throw when the token is cancelled.
        /// </param>
        public BoundedRunner(int limit, CancellationToken cancellationToken, Action<Task, CancellationToken>? wait = null)
        {
            _wait = wait;
            if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), "The limit must be at least 1.");
            _limit = limit;
            _cancellationToken = cancellationToken;
            _running = new List<Task<T>>(Math.Min(limit, 256));
        }

        public int InFlight => _running.Count;

        /// <summary>Starts one item, first yielding results that have finished and waiting for a free slot if the runner is full.</summary>
        public IEnumerable<T> Add(Func<CancellationToken, Task<T>> work)
        {
            foreach (T done in TakeCompleted()) yield return done;
            while (_running.Count >= _limit)
            {
                WaitForAny();
                foreach (T done in TakeCompleted()) yield return done;
            }
            CancellationToken token = _cancellationToken;
            _running.Add(Task.Run(() => work(token), token));
        }

        /// <summary>Yields results that have already finished, without waiting.</summary>
        public IEnumerable<T> TakeCompleted()
        {
            for (int i = 0; i < _running.Count;)
            {
                Task<T> task = _running[i];
                if (task.IsCompleted)
                {
                    _running.RemoveAt(i);
                    yield return task.GetAwaiter().GetResult();
                }
                else
                {
                    i++;
                }
            }
        }

        /// <summary>Waits for every item, yielding each result as it finishes.</summary>
        public IEnumerable<T> Drain()
        {
            while (_running.Count > 0)
            {
                WaitForAny();
                foreach (T done in TakeCompleted()) yield return done;
            }
        }

        /// <summary>After cancellation: waits (bounded) for in-flight work to observe it, so nothing keeps running behind the caller.</summary>
        public bool WaitForShutdown(TimeSpan timeout)
        {
            if (_running.Count == 0) return true;
            try
            {
                return Task.WaitAll(_running.ToArray(), timeout);
            }
            catch (AggregateException)
            {
                // Cancelled or faulted work is finished work.
                return true;
            }
        }

        private void WaitForAny()
        {
            // Throws OperationCanceledException when the token is cancelled (Ctrl+C).
            if (_wait != null) _wait(Task.WhenAny(_running), _cancellationToken);
            else Task.WaitAny(_running.ToArray(), _cancellationToken);
            _cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
