using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;

namespace CalendarFederation.Engine.Http
{
    /// <summary>
    /// One logical request, as each attempt sends it: the request is built again per attempt, with a fresh token and
    /// client-request-id.
    /// </summary>
    public sealed class HttpCall
    {
        /// <param name="label">Names the call in messages and progress: a cmdlet, or "GET partners/{id}".</param>
        /// <param name="trace">The start of the verbose line per exchange, e.g. "POST /adminapi/beta/x/InvokeCommand Get-X".</param>
        /// <param name="createRequest">Builds the request for one attempt from the token and the client-request-id; it must set both.</param>
        /// <param name="getToken">A token for one attempt: forceRefresh after the service refused the last one (401).</param>
        public HttpCall(string label, string trace, Func<AccessTokenResult, string, HttpRequestMessage> createRequest,
            Func<bool, CancellationToken, Task<AccessTokenResult>> getToken, int maxResponseBytes)
        {
            Label = label ?? throw new ArgumentNullException(nameof(label));
            Trace = trace ?? throw new ArgumentNullException(nameof(trace));
            CreateRequest = createRequest ?? throw new ArgumentNullException(nameof(createRequest));
            GetToken = getToken ?? throw new ArgumentNullException(nameof(getToken));
            MaxResponseBytes = maxResponseBytes;
        }

        public string Label { get; }
        public string Trace { get; }
        public Func<AccessTokenResult, string, HttpRequestMessage> CreateRequest { get; }
        public Func<bool, CancellationToken, Task<AccessTokenResult>> GetToken { get; }
        public int MaxResponseBytes { get; }

        /// <summary>
        /// A failure answer that means "busy, wait and retry" beyond 429/503/504/408 (the admin API's concurrency-limit
        /// text). It also holds the tenant's gate back for the Retry-After given.
        /// </summary>
        public Func<HttpAttempt, bool>? IsBusy { get; set; }

        /// <summary>A response header carrying the service's own request id (Graph's "request-id"); it is kept and traced.</summary>
        public string? ServiceRequestIdHeader { get; set; }
    }

    /// <summary>What one attempt got: the status and bounded body, or the exception that ended it.</summary>
    public sealed class HttpAttempt
    {
        private readonly Func<HttpAttempt, bool>? _isBusy;

        internal HttpAttempt(HttpCall call, int number)
        {
            Label = call.Label;
            Number = number;
            _isBusy = call.IsBusy;
        }

        public string Label { get; }

        /// <summary>1 for the first attempt.</summary>
        public int Number { get; }
        public int Status { get; internal set; }
        public byte[] Body { get; internal set; } = Array.Empty<byte>();
        public int Length { get; internal set; }
        public TimeSpan? RetryAfter { get; internal set; }

        /// <summary>The network failure, timeout or token failure that ended the attempt without an answer.</summary>
        public Exception? Exception { get; internal set; }

        /// <summary>True when <see cref="Exception"/> came from getting the token (a sign-in problem): it is never retried.</summary>
        public bool IsTokenFailure { get; internal set; }

        /// <summary>The body was larger than the call allows; it was not read further and the attempt is not retried.</summary>
        public bool TooLarge { get; internal set; }

        public string? ClientRequestId { get; internal set; }
        public string? ServiceRequestId { get; internal set; }

        /// <summary>Set when a Retry-After outlasted the time left, so the call stopped without waiting.</summary>
        public string? GaveUpReason { get; internal set; }

        /// <summary>The token the attempt was sent with; only its claims are ever read, never printed.</summary>
        internal AccessTokenResult? Token { get; set; }

        public string Text => Encoding.UTF8.GetString(Body, 0, Length);

        public bool IsBusy => _isBusy != null && _isBusy(this);
    }
}
