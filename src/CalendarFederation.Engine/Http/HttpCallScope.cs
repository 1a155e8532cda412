using System;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Http
{
    /// <summary>The call ran out of time: one attempt (after the retries) or the whole call. The message names the call.</summary>
    public sealed class HttpCallTimeoutException : Exception
    {
        internal HttpCallTimeoutException(string message, bool overall, int attempts, string? lastFailure, Exception? inner)
            : base(message, inner)
        {
            Overall = overall;
            Attempts = attempts;
            LastFailure = lastFailure;
        }

        /// <summary>True for the overall timeout, false when the last attempt hit the per-attempt timeout.</summary>
        public bool Overall { get; }
        public int Attempts { get; }
        public string? LastFailure { get; }
    }

    /// <summary>
    /// The overall bound of one logical call, shared by its pages: one deadline and one cancellation for all of them.
    /// </summary>
    public sealed class HttpCallScope : IDisposable
    {
        private readonly CancellationTokenSource _overall;
        private readonly CancellationTokenSource _linked;

        internal HttpCallScope(TimeProvider time, CallLimits limits, CancellationToken cancellationToken)
        {
            Limits = limits;
            CallerToken = cancellationToken;
            Deadline = time.GetUtcNow() + limits.OverallTimeout;
            _overall = time.CreateCancellationTokenSource(limits.OverallTimeout);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _overall.Token);
        }

        public CallLimits Limits { get; }
        public DateTimeOffset Deadline { get; }
        public CancellationToken CallerToken { get; }
        public CancellationToken Token => _linked.Token;
        public bool OverallExpired => _overall.IsCancellationRequested;

        public void Dispose()
        {
            _linked.Dispose();
            _overall.Dispose();
        }
    }
}
