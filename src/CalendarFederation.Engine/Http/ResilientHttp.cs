using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CalendarFederation.Engine.Http
{
    /// <summary>
    /// What every service client here does around an HTTP exchange: Polly.Core retries for 429/503/504/408 (and what the
    /// call says means busy) honouring Retry-After, otherwise jittered exponential back-off; a per-tenant
    /// <see cref="TenantGate"/> (a cap on requests in flight, and a hold while a Retry-After is pending); per-attempt and
    /// overall timeouts with messages that name the call and what kept failing; cancellation; bounded body reads; a fresh
    /// token per attempt with one forced refresh on 401; and, before each retry, verbose tracing and a progress record
    /// with the reason ("throttled by the service; retrying in 12 s (attempt 2 of 11)"). Tokens never reach a message.
    /// The service-specific parts (the request, its errors, paging) stay with the client that uses it.
    /// </summary>
    public sealed class ResilientHttp : IDisposable
    {
        private static readonly ResiliencePropertyKey<SendState> StateKey = new ResiliencePropertyKey<SendState>("CalendarFederation.Send");

        private readonly HttpMessageInvoker _http;
        private readonly TimeProvider _time;
        private readonly TenantGate _gate;
        private readonly ResilienceSettings _settings;
        private readonly ResiliencePipeline<HttpAttempt> _pipeline;

        public ResilientHttp(HttpMessageHandler handler, bool disposeHandler, TenantGate gate, TimeProvider time, ResilienceSettings settings)
        {
            _http = new HttpMessageInvoker(handler ?? throw new ArgumentNullException(nameof(handler)), disposeHandler);
            _gate = gate ?? throw new ArgumentNullException(nameof(gate));
            _time = time ?? throw new ArgumentNullException(nameof(time));
            _settings = settings ?? throw new ArgumentNullException(nameof(settings));
            _pipeline = BuildPipeline();
        }

        public TenantGate Gate => _gate;

        public TimeProvider Time => _time;

        /// <summary>Starts the overall bound of one call; every page of it is sent within this scope.</summary>
        public HttpCallScope BeginCall(CallLimits limits, CancellationToken cancellationToken) =>
            new HttpCallScope(_time, limits ?? throw new ArgumentNullException(nameof(limits)), cancellationToken);

        /// <summary>
        /// Sends one request with retries and returns the last attempt: an answer (any status), or the exception that ended
        /// it (a network failure after its retries, or a token failure). Throws <see cref="HttpCallTimeoutException"/> when
        /// time runs out, and OperationCanceledException when the caller cancels.
        /// </summary>
        public async Task<HttpAttempt> SendAsync(HttpCallScope scope, HttpCall call, IEngineEvents events)
        {
            if (scope == null) throw new ArgumentNullException(nameof(scope));
            if (call == null) throw new ArgumentNullException(nameof(call));
            if (events == null) throw new ArgumentNullException(nameof(events));
            var state = new SendState(call, scope, events);
            ResilienceContext resilience = ResilienceContextPool.Shared.Get(scope.Token);
            resilience.Properties.Set(StateKey, state);
            try
            {
                return await _pipeline.ExecuteAsync(
                    static async (ctx, s) => await s.Client.SendWithRefreshAsync(s.State, ctx.CancellationToken).ConfigureAwait(false),
                    resilience, (Client: this, State: state)).ConfigureAwait(false);
            }
            catch (TimeoutRejectedException ex)
            {
                throw new HttpCallTimeoutException(
                    $"{call.Label}: no answer within {scope.Limits.AttemptTimeout.TotalSeconds:0} s, after {state.Number} attempt(s).",
                    overall: false, state.Number, state.LastFailure, ex);
            }
            catch (OperationCanceledException ex) when (!scope.CallerToken.IsCancellationRequested && scope.OverallExpired)
            {
                // Name what kept failing: "the connection was refused" says more than the timeout alone.
                string last = state.LastFailure is string why ? $" The last attempt failed: {why}." : "";
                throw new HttpCallTimeoutException(
                    $"{call.Label} did not complete within {scope.Limits.OverallTimeout.TotalSeconds:0} s (the overall timeout).{last}",
                    overall: true, state.Number, state.LastFailure, ex);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(resilience);
            }
        }

        private ResiliencePipeline<HttpAttempt> BuildPipeline()
        {
            var builder = new ResiliencePipelineBuilder<HttpAttempt> { TimeProvider = _time };
            builder.AddRetry(new RetryStrategyOptions<HttpAttempt>
            {
                MaxRetryAttempts = int.MaxValue, // bounded per call in ShouldHandle (CallLimits)
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _settings.BaseDelay,
                MaxDelay = _settings.MaxDelay,
                ShouldHandle = args =>
                {
                    SendState state = args.Context.Properties.GetValue(StateKey, null!);
                    return new ValueTask<bool>(args.AttemptNumber < state.Scope.Limits.MaxRetries && ShouldRetry(args.Outcome, state));
                },
                // Retry-After, when the service sent one, replaces the back-off.
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.RetryAfter),
                OnRetry = args =>
                {
                    SendState state = args.Context.Properties.GetValue(StateKey, null!);
                    CallLimits limits = state.Scope.Limits;
                    string why = DescribeFailure(args.Outcome);
                    state.LastFailure = why;
                    state.Events.Verbose(string.Format(CultureInfo.InvariantCulture, "{0}: {1}; retry {2} of {3} in {4:0.#} s{5}.",
                        state.Call.Label, why, args.AttemptNumber + 1, limits.MaxRetries, args.RetryDelay.TotalSeconds,
                        args.Outcome.Result?.RetryAfter != null ? " (Retry-After)" : ""));
                    // Visible without -Verbose: a wait of seconds or minutes must never look like a hang.
                    string reason = why == "throttled" ? "throttled by the service" : why;
                    state.Events.Progress(new ProgressUpdate(_settings.ServiceName, string.Format(CultureInfo.InvariantCulture,
                        "{0}: {1}; retrying in {2:0} s (attempt {3} of {4})", state.Call.Label, reason, Math.Ceiling(args.RetryDelay.TotalSeconds),
                        args.AttemptNumber + 2, limits.MaxRetries + 1), lane: ProgressLanes.Retry));
                    return default;
                },
            });
            builder.AddTimeout(new TimeoutStrategyOptions
            {
                Timeout = _settings.AttemptTimeout,
                TimeoutGenerator = args => new ValueTask<TimeSpan>(args.Context.Properties.GetValue(StateKey, null!).Scope.Limits.AttemptTimeout),
            });
            return builder.Build();
        }

        private static string DescribeFailure(Outcome<HttpAttempt> outcome)
        {
            if (outcome.Exception != null) return outcome.Exception is TimeoutRejectedException ? "no answer in time" : NetworkErrors.Describe(outcome.Exception);
            HttpAttempt? a = outcome.Result;
            if (a?.Exception != null) return a.Exception is TimeoutRejectedException ? "no answer in time" : NetworkErrors.Describe(a.Exception);
            return a?.Status == 429 || a?.IsBusy == true ? "throttled" : "HTTP " + a?.Status;
        }

        private bool ShouldRetry(Outcome<HttpAttempt> outcome, SendState state)
        {
            if (outcome.Exception != null)
            {
                return outcome.Exception is TimeoutRejectedException;
            }
            HttpAttempt? a = outcome.Result;
            if (a == null) return false;
            if (a.TooLarge) return false;
            if (a.Exception != null)
            {
                if (a.Exception is TimeoutRejectedException) return true;
                if (a.IsTokenFailure) return false;
                // A certificate problem does not heal in seconds: report it at once.
                if (NetworkErrors.IsTlsFailure(a.Exception)) return false;
                // Refused, unresolved or reset: a blip gets a few more tries, an outage an error within seconds, not after minutes.
                return a.Number <= _settings.MaxNetworkRetries;
            }
            bool transient = a.Status == 429 || a.Status == 503 || a.Status == 504 || a.Status == 408 || a.IsBusy;
            if (!transient) return false;
            // A wait the service asks for that outlasts our deadline: give up now with a clear error, rather than sleep and fail.
            TimeSpan remaining = state.Scope.Deadline - _time.GetUtcNow();
            if (a.RetryAfter != null && a.RetryAfter.Value > remaining)
            {
                a.GaveUpReason = string.Format(CultureInfo.InvariantCulture,
                    "The service asked to wait {0:0} s before the next request, more than the {1:0} s left of the timeout; gave up without retrying.",
                    a.RetryAfter.Value.TotalSeconds, Math.Max(0, remaining.TotalSeconds));
                return false;
            }
            return true;
        }

        // One HTTP exchange; a 401 gets one forced token refresh and an immediate resend.
        private async ValueTask<HttpAttempt> SendWithRefreshAsync(SendState state, CancellationToken cancellationToken)
        {
            int number = ++state.Number;
            try
            {
                HttpAttempt attempt = await SendOnceAsync(state, number, forceRefresh: false, cancellationToken).ConfigureAwait(false);
                if (attempt.Status == 401 && !attempt.TooLarge && attempt.Exception == null)
                {
                    state.Events.Verbose($"{state.Call.Label}: the service refused the token (401); refreshing it and trying again.");
                    attempt = await SendOnceAsync(state, number, forceRefresh: true, cancellationToken).ConfigureAwait(false);
                }
                return attempt;
            }
            catch (HttpRequestException ex)
            {
                return new HttpAttempt(state.Call, number) { Exception = ex };
            }
            catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A reset while the body is read surfaces here, not as HttpRequestException.
                return new HttpAttempt(state.Call, number) { Exception = ex };
            }
        }

        private async Task<HttpAttempt> SendOnceAsync(SendState state, int number, bool forceRefresh, CancellationToken cancellationToken)
        {
            HttpCall call = state.Call;
            using IDisposable slot = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            AccessTokenResult token;
            try
            {
                token = await call.GetToken(forceRefresh, cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                // The session can no longer get a token: no request is sent, and waiting does not help.
                return new HttpAttempt(call, number) { Exception = ex, IsTokenFailure = true };
            }
            string requestId = Guid.NewGuid().ToString("D");
            using HttpRequestMessage request = call.CreateRequest(token, requestId);

            var stopwatch = Stopwatch.StartNew();
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var attempt = new HttpAttempt(call, number) { Status = (int)response.StatusCode, ClientRequestId = requestId, Token = token };
            if (call.ServiceRequestIdHeader != null && response.Headers.TryGetValues(call.ServiceRequestIdHeader, out var ids))
            {
                attempt.ServiceRequestId = ids.FirstOrDefault();
            }
            if (response.Content != null)
            {
                Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                BodyRead read = await BoundedBody.ReadAsync(stream, call.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
                if (read.TooLarge)
                {
                    attempt.TooLarge = true;
                    return attempt;
                }
                attempt.Body = read.Buffer;
                attempt.Length = read.Length;
            }
            attempt.RetryAfter = ParseRetryAfter(response);
            if (attempt.Status == 429 || attempt.Status == 503 || attempt.IsBusy)
            {
                // Hold every other request to this tenant back for as long as the service asked.
                if (attempt.RetryAfter != null) _gate.Block(attempt.RetryAfter.Value);
            }
            string serviceId = attempt.ServiceRequestId != null ? ", request-id " + attempt.ServiceRequestId : "";
            state.Events.Verbose(string.Format(CultureInfo.InvariantCulture, "{0} -> {1} in {2} ms (client-request-id {3}{4})",
                call.Trace, attempt.Status, stopwatch.ElapsedMilliseconds, requestId, serviceId));
            return attempt;
        }

        private TimeSpan? ParseRetryAfter(HttpResponseMessage response)
        {
            RetryConditionHeaderValue? header = response.Headers.RetryAfter;
            if (header == null) return null;
            if (header.Delta != null) return header.Delta.Value < TimeSpan.Zero ? TimeSpan.Zero : header.Delta.Value;
            if (header.Date != null)
            {
                TimeSpan wait = header.Date.Value - _time.GetUtcNow();
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
            return null;
        }

        public void Dispose() => _http.Dispose();

        private sealed class SendState
        {
            public SendState(HttpCall call, HttpCallScope scope, IEngineEvents events)
            {
                Call = call;
                Scope = scope;
                Events = events;
            }

            public HttpCall Call { get; }
            public HttpCallScope Scope { get; }
            public IEngineEvents Events { get; }
            public int Number { get; set; }

            /// <summary>Why the last retried attempt failed, for the timeout's message.</summary>
            public string? LastFailure { get; set; }
        }
    }
}
