using System;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>Remembers when the newest admin API token expires, so the connection can show it.</summary>
    internal sealed class TrackingTokenSource : ITokenSource
    {
        private long _latestTicks;

        public TrackingTokenSource(ITokenSource inner, DateTimeOffset first)
        {
            Inner = inner;
            _latestTicks = first.UtcTicks;
        }

        public ITokenSource Inner { get; }

        public DateTimeOffset LatestExpiresOn => new DateTimeOffset(Interlocked.Read(ref _latestTicks), TimeSpan.Zero);

        public async Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken)
        {
            AccessTokenResult result = await Inner.GetTokenAsync(scope, forceRefresh, cancellationToken).ConfigureAwait(false);
            if (scope == null) Interlocked.Exchange(ref _latestTicks, result.ExpiresOn.UtcTicks);
            return result;
        }
    }
}
