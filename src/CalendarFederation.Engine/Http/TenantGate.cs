using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Http
{
    /// <summary>
    /// Per tenant: at most N requests in flight, and none at all while a Retry-After the service gave for that
    /// tenant is pending, whichever connection or pipeline sends it. Hand-written: a SemaphoreSlim and a timestamp
    /// do the job, and Polly's rate limiter would add System.Threading.RateLimiting to every session.
    /// </summary>
    public sealed class TenantGate
    {
        private readonly SemaphoreSlim _slots;
        private readonly TimeProvider _time;
        private long _blockedUntilTicks;

        public TenantGate(int maxConcurrency, TimeProvider time)
        {
            _slots = new SemaphoreSlim(Math.Max(1, maxConcurrency));
            _time = time;
        }

        public DateTimeOffset BlockedUntil => new DateTimeOffset(Interlocked.Read(ref _blockedUntilTicks), TimeSpan.Zero);

        public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (true)
                {
                    TimeSpan wait = BlockedUntil - _time.GetUtcNow();
                    if (wait <= TimeSpan.Zero) break;
                    await _time.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
                return new Releaser(_slots);
            }
            catch
            {
                _slots.Release();
                throw;
            }
        }

        /// <summary>Holds every request to this tenant back until now + <paramref name="retryAfter"/>.</summary>
        public void Block(TimeSpan retryAfter)
        {
            long until = (_time.GetUtcNow() + retryAfter).UtcTicks;
            long current;
            do
            {
                current = Interlocked.Read(ref _blockedUntilTicks);
                if (current >= until) return;
            }
            while (Interlocked.CompareExchange(ref _blockedUntilTicks, until, current) != current);
        }

        private sealed class Releaser : IDisposable
        {
            private SemaphoreSlim? _slots;

            public Releaser(SemaphoreSlim slots) => _slots = slots;

            public void Dispose() => Interlocked.Exchange(ref _slots, null)?.Release();
        }
    }

    /// <summary>The gates of one process, keyed by service host and tenant (the admin API and Microsoft Graph each have their own).</summary>
    public sealed class TenantGateRegistry
    {
        public static readonly TenantGateRegistry Shared = new TenantGateRegistry(TimeProvider.System);

        private readonly ConcurrentDictionary<string, TenantGate> _gates = new ConcurrentDictionary<string, TenantGate>(StringComparer.OrdinalIgnoreCase);
        private readonly TimeProvider _time;

        public TenantGateRegistry(TimeProvider time) => _time = time;

        public TenantGate For(Uri service, string tenant, int maxConcurrency) =>
            _gates.GetOrAdd(service.Authority + "/" + tenant, _ => new TenantGate(maxConcurrency, _time));
    }
}
