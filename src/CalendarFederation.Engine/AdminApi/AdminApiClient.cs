using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Http;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CalendarFederation.Engine.AdminApi
{
    public sealed class AdminApiOptions
    {
        /// <summary>Scheme and host of the admin API, e.g. https://outlook.office365.com.</summary>
        public Uri BaseUri { get; set; } = new Uri("https://outlook.office365.com");

        /// <summary>The route tenant: GUID or *.onmicrosoft.com domain.</summary>
        public string Tenant { get; set; } = "";

        /// <summary>Key for the per-tenant gate; the tenant id when known.</summary>
        public string? GateKey { get; set; }

        /// <summary>UPN:&lt;user&gt; for delegated sign-in, APP:SystemMailbox{...}@&lt;tenant&gt; for app-only.</summary>
        public string AnchorMailbox { get; set; } = "";

        public int PageSize { get; set; } = 1000;

        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>Exchange's REST cmdlets give up after 15 minutes.</summary>
        public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromMinutes(15);

        public int MaxRetries { get; set; } = 10;

        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(120);

        public int MaxConcurrencyPerTenant { get; set; } = 6;

        public int MaxResponseBytes { get; set; } = 64 * 1024 * 1024;

        public string UserAgent { get; set; } = "CalendarFederation";
    }

    /// <summary>Tighter bounds for one call than the session's (the connection check at sign-in).</summary>
    public sealed class AdminApiCallLimits
    {
        public AdminApiCallLimits(TimeSpan attemptTimeout, TimeSpan overallTimeout, int maxRetries)
        {
            AttemptTimeout = attemptTimeout;
            OverallTimeout = overallTimeout;
            MaxRetries = maxRetries;
        }

        public TimeSpan AttemptTimeout { get; }
        public TimeSpan OverallTimeout { get; }
        public int MaxRetries { get; }
    }

    /// <summary>The result of one InvokeCommand: every page's values, and the service's warnings.</summary>
    public sealed class AdminApiResult
    {
        public AdminApiResult(List<AdminObject> values, List<string> warnings, int pages)
        {
            Values = values;
            Warnings = warnings;
            Pages = pages;
        }

        public List<AdminObject> Values { get; }
        public List<string> Warnings { get; }
        public int Pages { get; }
    }

    /// <summary>
    /// The Exchange Online admin API (POST {ConnectionUri}/adminapi/beta/{tenant}/InvokeCommand), as
    /// ExchangeOnlineManagement v3 uses it: a fresh token before every request, paging, warnings, Exchange's error
    /// shape, retries for 429/503/504/408 honouring Retry-After (Polly.Core), a per-tenant concurrency cap,
    /// per-attempt and overall timeouts, and cancellation.
    /// </summary>
    public sealed class AdminApiClient : IDisposable
    {
        private readonly AdminApiOptions _options;
        private readonly ITokenSource _tokens;
        private readonly HttpMessageInvoker _http;
        private readonly bool _ownsHttp;
        private readonly TimeProvider _time;
        private readonly TenantGate _gate;
        private readonly ResiliencePipeline<Attempt> _pipeline;
        private static readonly ResiliencePropertyKey<IEngineEvents> EventsKey = new ResiliencePropertyKey<IEngineEvents>("CalendarFederation.Events");
        private static readonly ResiliencePropertyKey<AdminApiCallLimits> LimitsKey = new ResiliencePropertyKey<AdminApiCallLimits>("CalendarFederation.Limits");
        private readonly AdminApiCallLimits _defaultLimits;
        private int _disposed;

        public AdminApiClient(AdminApiOptions options, ITokenSource tokens, HttpMessageHandler handler, bool disposeHandler,
            TimeProvider? time = null, TenantGateRegistry? gates = null)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
            _http = new HttpMessageInvoker(handler, disposeHandler);
            _ownsHttp = true;
            _time = time ?? TimeProvider.System;
            _gate = (gates ?? (time == null ? TenantGateRegistry.Shared : new TenantGateRegistry(_time)))
                .For(options.BaseUri, options.GateKey ?? options.Tenant, options.MaxConcurrencyPerTenant);
            _defaultLimits = new AdminApiCallLimits(options.AttemptTimeout, options.OverallTimeout, options.MaxRetries);
            _pipeline = BuildPipeline();
        }

        public AdminApiOptions Options => _options;

        public TenantGate Gate => _gate;

        public Uri CommandUri => new Uri(_options.BaseUri, "/adminapi/beta/" + Uri.EscapeDataString(_options.Tenant) + "/InvokeCommand");

        /// <summary>True once the session was disconnected: every later call fails with ConnectionClosed.</summary>
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>
        /// Runs one Exchange cmdlet and returns all its output, following @odata.nextLink. Tracing, and progress while it
        /// waits for the service, go to <paramref name="events"/>.
        /// </summary>
        public async Task<AdminApiResult> InvokeAsync(string cmdletName, IEnumerable<KeyValuePair<string, object?>> parameters, IEngineEvents events,
            CancellationToken cancellationToken, AdminApiCallLimits? limits = null)
        {
            limits ??= _defaultLimits;
            if (events == null) throw new ArgumentNullException(nameof(events));
            ThrowIfDisposed();
            byte[] body = AdminApiJson.BuildRequest(cmdletName, parameters);
            var values = new List<AdminObject>();
            var warnings = new List<string>();
            int pages = 0;
            DateTimeOffset deadline = _time.GetUtcNow() + limits.OverallTimeout;
            using CancellationTokenSource overall = _time.CreateCancellationTokenSource(limits.OverallTimeout);
            using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overall.Token);
            Uri url = CommandUri;
            CallContext? context = null;
            while (true)
            {
                Attempt attempt;
                ResilienceContext resilience = ResilienceContextPool.Shared.Get(linked.Token);
                resilience.Properties.Set(EventsKey, events);
                resilience.Properties.Set(LimitsKey, limits);
                try
                {
                    context = new CallContext(url, cmdletName, body, deadline, events);
                    attempt = await _pipeline.ExecuteAsync(
                        static async (ctx, state) => await state.Client.SendWithRefreshAsync(state.Context, ctx.CancellationToken).ConfigureAwait(false),
                        resilience, (Client: this, Context: context)).ConfigureAwait(false);
                }
                catch (ObjectDisposedException) when (IsDisposed)
                {
                    throw Closed();
                }
                catch (TimeoutRejectedException ex)
                {
                    throw new AdminApiException(AdminApiErrorKind.Timeout,
                        $"{cmdletName}: no answer within {limits.AttemptTimeout.TotalSeconds:0} s, after {(context?.Number ?? limits.MaxRetries + 1)} attempt(s).", inner: ex);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && overall.IsCancellationRequested)
                {
                    // Name what kept failing: "the connection was refused" says more than the timeout alone.
                    string last = context?.LastFailure is string why ? $" The last attempt failed: {why}." : "";
                    throw new AdminApiException(AdminApiErrorKind.Timeout,
                        $"{cmdletName} did not complete within {limits.OverallTimeout.TotalSeconds:0} s (the overall timeout).{last}");
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(resilience);
                }

                pages++;
                AdminPage page = Interpret(attempt, cmdletName, limits);
                values.AddRange(page.Values);
                foreach (string w in page.Warnings)
                {
                    if (!warnings.Contains(w)) warnings.Add(w);
                }
                if (string.IsNullOrEmpty(page.NextLink)) break;
                url = CheckNextLink(page.NextLink!);
            }
            return new AdminApiResult(values, warnings, pages);
        }

        private AdminPage Interpret(Attempt attempt, string cmdletName, AdminApiCallLimits limits)
        {
            if (attempt.Exception != null)
            {
                if (attempt.Exception is SignInException) throw attempt.Exception;
                bool timedOut = attempt.Exception is TimeoutRejectedException;
                throw new AdminApiException(timedOut ? AdminApiErrorKind.Timeout : AdminApiErrorKind.ConnectionFailed,
                    timedOut
                        ? $"{cmdletName}: no answer within {limits.AttemptTimeout.TotalSeconds:0} s, after {attempt.Number} attempt(s)."
                        : $"{cmdletName}: {NetworkErrors.Describe(attempt.Exception)} (after {attempt.Number} attempt(s)).",
                    clientRequestId: attempt.RequestId, inner: attempt.Exception);
            }
            if (attempt.Status == 200 || attempt.Status == 204)
            {
                try
                {
                    AdminPage page = AdminApiJson.ParsePage(attempt.Body, attempt.Length);
                    // A read answered 200 without "value" would look like "nothing exists"; say it is broken instead.
                    if (attempt.Status == 200 && !page.HasValue && IsRead(cmdletName))
                    {
                        throw new JsonException(attempt.Length == 0 ? "the body is empty" : "it has no 'value'");
                    }
                    return page;
                }
                catch (JsonException ex)
                {
                    throw new AdminApiException(AdminApiErrorKind.MalformedResponse,
                        $"{cmdletName}: the admin API's answer is not the expected JSON ({ex.Message}).", attempt.Status, clientRequestId: attempt.RequestId, inner: ex);
                }
            }
            AdminApiException error = AdminApiErrorParser.Parse(attempt.Status, attempt.Text, attempt.RequestId);
            if (error.Failure == AdminApiErrorKind.Throttled && attempt.GaveUpReason != null)
            {
                throw new AdminApiException(AdminApiErrorKind.Throttled, attempt.GaveUpReason + " " + error.Message, attempt.Status,
                    error.ServiceErrorId, error.ExceptionType, attempt.RequestId);
            }
            if (error.Failure == AdminApiErrorKind.Throttled && attempt.Number > 1)
            {
                throw new AdminApiException(AdminApiErrorKind.Throttled, $"Still throttled after {attempt.Number} attempts: {error.Message}", attempt.Status,
                    error.ServiceErrorId, error.ExceptionType, attempt.RequestId);
            }
            throw error;
        }

        private static bool IsRead(string cmdletName) => cmdletName.StartsWith("Get-", StringComparison.OrdinalIgnoreCase);

        // The token goes only to the host we connected to, or to another https host of the same cloud's admin API
        // (ExchangeEnvironment.AdminApiHosts). Independent clients follow the link as given (CIPP-API New-ExoRequest.ps1,
        // GreyCorbel ExoHelper Invoke-ExoCommand.ps1, jflieben M365Permissions new-ExOQuery.ps1), and a worldwide answer
        // names outlook.office.com in its @odata.context; a stranger still never gets the token (docs/protocol-evidence.md).
        private Uri CheckNextLink(string next)
        {
            if (!Uri.TryCreate(next, UriKind.Absolute, out Uri? uri)
                || !(string.Equals(uri.GetLeftPart(UriPartial.Authority), _options.BaseUri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
                    || IsSameCloud(uri)))
            {
                throw new AdminApiException(AdminApiErrorKind.MalformedResponse, $"The admin API's next-page link points elsewhere and was not followed: {next}");
            }
            return uri;
        }

        private bool IsSameCloud(Uri uri) =>
            uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort && _options.BaseUri.Scheme == Uri.UriSchemeHttps
            && Environments.ExchangeEnvironment.KnownAdminApiHosts(_options.BaseUri.Host).Contains(uri.Host, StringComparer.OrdinalIgnoreCase);

        private ResiliencePipeline<Attempt> BuildPipeline()
        {
            var builder = new ResiliencePipelineBuilder<Attempt> { TimeProvider = _time };
            builder.AddRetry(new RetryStrategyOptions<Attempt>
            {
                MaxRetryAttempts = int.MaxValue, // bounded per call in ShouldHandle (AdminApiCallLimits)
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.BaseDelay,
                MaxDelay = _options.MaxDelay,
                ShouldHandle = args => new ValueTask<bool>(args.AttemptNumber < args.Context.Properties.GetValue(LimitsKey, _defaultLimits).MaxRetries
                    && ShouldRetry(args.Outcome, args.Context)),
                // Retry-After, when the service sent one, replaces the back-off.
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.RetryAfter),
                OnRetry = args =>
                {
                    IEngineEvents events = args.Context.Properties.GetValue(EventsKey, NullEngineEvents.Instance);
                    AdminApiCallLimits limits = args.Context.Properties.GetValue(LimitsKey, _defaultLimits);
                    Attempt? a = args.Outcome.Result;
                    string why = a?.Exception != null ? (a.Exception is TimeoutRejectedException ? "no answer in time" : NetworkErrors.Describe(a.Exception))
                        : a?.Status == 429 || a?.IsConcurrencyLimit == true ? "throttled" : "HTTP " + a?.Status;
                    if (a != null) a.Context.LastFailure = why;
                    events.Verbose(string.Format(CultureInfo.InvariantCulture, "{0}: {1}; retry {2} of {3} in {4:0.#} s{5}.",
                        a?.Cmdlet, why, args.AttemptNumber + 1, limits.MaxRetries, args.RetryDelay.TotalSeconds,
                        a?.RetryAfter != null ? " (Retry-After)" : ""));
                    // Visible without -Verbose: a wait of seconds or minutes must never look like a hang.
                    string reason = why == "throttled" ? "throttled by the service" : why;
                    events.Progress(new ProgressUpdate("Exchange admin API", string.Format(CultureInfo.InvariantCulture,
                        "{0}: {1}; retrying in {2:0} s (attempt {3} of {4})", a?.Cmdlet, reason, Math.Ceiling(args.RetryDelay.TotalSeconds),
                        args.AttemptNumber + 2, limits.MaxRetries + 1), lane: ProgressLanes.Retry));
                    return default;
                },
            });
            builder.AddTimeout(new TimeoutStrategyOptions
            {
                Timeout = _options.AttemptTimeout,
                TimeoutGenerator = args => new ValueTask<TimeSpan>(args.Context.Properties.GetValue(LimitsKey, _defaultLimits).AttemptTimeout),
            });
            return builder.Build();
        }

        private const int MaxNetworkRetries = 2;

        private bool ShouldRetry(Outcome<Attempt> outcome, ResilienceContext context)
        {
            if (outcome.Exception != null)
            {
                return outcome.Exception is TimeoutRejectedException;
            }
            Attempt? a = outcome.Result;
            if (a == null) return false;
            if (a.Exception != null)
            {
                if (a.Exception is TimeoutRejectedException) return true;
                if (a.Exception is SignInException) return false;
                // A certificate problem does not heal in seconds: report it at once.
                if (NetworkErrors.IsTlsFailure(a.Exception)) return false;
                // Refused, unresolved or reset: a blip gets two more tries, an outage an error within seconds, not after 15 minutes.
                return a.Number <= MaxNetworkRetries;
            }
            bool transient = a.Status == 429 || a.Status == 503 || a.Status == 504 || a.Status == 408 || a.IsConcurrencyLimit;
            if (!transient) return false;
            // A wait the service asks for that outlasts our deadline: give up now with a clear error, rather than sleep and fail.
            TimeSpan remaining = a.Deadline - _time.GetUtcNow();
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
        private async ValueTask<Attempt> SendWithRefreshAsync(CallContext context, CancellationToken cancellationToken)
        {
            context.Number++;
            try
            {
                Attempt attempt = await SendOnceAsync(context, forceRefresh: false, cancellationToken).ConfigureAwait(false);
                if (attempt.Status == 401)
                {
                    context.Events.Verbose($"{context.Cmdlet}: the service refused the token (401); refreshing it and trying again.");
                    attempt = await SendOnceAsync(context, forceRefresh: true, cancellationToken).ConfigureAwait(false);
                }
                return attempt;
            }
            catch (HttpRequestException ex)
            {
                return new Attempt(context) { Exception = ex };
            }
            catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A reset while the body is read surfaces here, not as HttpRequestException.
                return new Attempt(context) { Exception = ex };
            }
            catch (SignInException ex)
            {
                return new Attempt(context) { Exception = ex };
            }
        }

        private async Task<Attempt> SendOnceAsync(CallContext context, bool forceRefresh, CancellationToken cancellationToken)
        {
            using IDisposable slot = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            AccessTokenResult token = await _tokens.GetTokenAsync(null, forceRefresh, cancellationToken).ConfigureAwait(false);
            string requestId = Guid.NewGuid().ToString("D");
            using var request = new HttpRequestMessage(HttpMethod.Post, context.Url)
            {
                Content = new ByteArrayContent(context.Body),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            request.Headers.TryAddWithoutValidation("X-AnchorMailbox", _options.AnchorMailbox);
            request.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=" + _options.PageSize.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("client-request-id", requestId);
            request.Headers.TryAddWithoutValidation("X-CmdletName", context.Cmdlet);
            request.Headers.TryAddWithoutValidation("X-ResponseFormat", "json");
            request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

            var stopwatch = Stopwatch.StartNew();
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var attempt = new Attempt(context) { Status = (int)response.StatusCode, RequestId = requestId };
            if (response.Content != null)
            {
                var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                BodyRead read = await BoundedBody.ReadAsync(stream, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
                if (read.TooLarge)
                {
                    throw new AdminApiException(AdminApiErrorKind.MalformedResponse, $"The admin API's answer is larger than {_options.MaxResponseBytes} bytes.", attempt.Status, clientRequestId: requestId);
                }
                attempt.Body = read.Buffer;
                attempt.Length = read.Length;
            }
            attempt.RetryAfter = ParseRetryAfter(response);
            if (attempt.Status == 429 || attempt.Status == 503 || attempt.IsConcurrencyLimit)
            {
                // Hold every other request to this tenant back for as long as the service asked.
                if (attempt.RetryAfter != null) _gate.Block(attempt.RetryAfter.Value);
            }
            context.Events.Verbose(string.Format(CultureInfo.InvariantCulture, "POST {0} {1} -> {2} in {3} ms (client-request-id {4})",
                context.Url.AbsolutePath, context.Cmdlet, attempt.Status, stopwatch.ElapsedMilliseconds, requestId));
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

        private void ThrowIfDisposed()
        {
            if (IsDisposed) throw Closed();
        }

        private AdminApiException Closed() =>
            new AdminApiException(AdminApiErrorKind.ConnectionClosed, $"This connection to {_options.Tenant} was disconnected; connect again.");

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            if (_ownsHttp) _http.Dispose();
        }

        private sealed class CallContext
        {
            public CallContext(Uri url, string cmdlet, byte[] body, DateTimeOffset deadline, IEngineEvents events)
            {
                Events = events;
                Url = url;
                Cmdlet = cmdlet;
                Body = body;
                Deadline = deadline;
            }

            public IEngineEvents Events { get; }
            public Uri Url { get; }
            public string Cmdlet { get; }
            public byte[] Body { get; }
            public DateTimeOffset Deadline { get; }
            public int Number { get; set; }

            /// <summary>Why the last retried attempt failed, for the timeout's message.</summary>
            public string? LastFailure { get; set; }
        }

        private sealed class Attempt
        {
            public Attempt(CallContext context)
            {
                Context = context;
                Cmdlet = context.Cmdlet;
                Deadline = context.Deadline;
                Number = context.Number;
            }

            public CallContext Context { get; }
            public string Cmdlet { get; }
            public DateTimeOffset Deadline { get; }
            public int Number { get; }
            public int Status { get; set; }
            public byte[] Body { get; set; } = Array.Empty<byte>();
            public int Length { get; set; }
            public TimeSpan? RetryAfter { get; set; }
            public Exception? Exception { get; set; }
            public string? RequestId { get; set; }
            public string? GaveUpReason { get; set; }

            public string Text => Encoding.UTF8.GetString(Body, 0, Length);

            public bool IsConcurrencyLimit => Status >= 400 && Length > 0 && Length < 64 * 1024
                && Text.IndexOf(AdminApiErrorParser.ConcurrencyLimitText, StringComparison.OrdinalIgnoreCase) >= 0;
        }
    }
}
