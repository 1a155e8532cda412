using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Http;
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
    /// per-attempt and overall timeouts, and cancellation. The resilience around each exchange is
    /// <see cref="ResilientHttp"/>, shared with the Microsoft Graph client.
    /// </summary>
    public sealed class AdminApiClient : IDisposable
    {
        private readonly AdminApiOptions _options;
        private readonly ITokenSource _tokens;
        private readonly ResilientHttp _http;
        private readonly TimeProvider _time;
        private readonly TenantGate _gate;
        private readonly AdminApiCallLimits _defaultLimits;
        private int _disposed;

        public AdminApiClient(AdminApiOptions options, ITokenSource tokens, HttpMessageHandler handler, bool disposeHandler,
            TimeProvider? time = null, TenantGateRegistry? gates = null)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
            _time = time ?? TimeProvider.System;
            _gate = (gates ?? (time == null ? TenantGateRegistry.Shared : new TenantGateRegistry(_time)))
                .For(options.BaseUri, options.GateKey ?? options.Tenant, options.MaxConcurrencyPerTenant);
            _defaultLimits = new AdminApiCallLimits(options.AttemptTimeout, options.OverallTimeout, options.MaxRetries);
            _http = new ResilientHttp(handler, disposeHandler, _gate, _time, new ResilienceSettings
            {
                ServiceName = "Exchange admin API",
                BaseDelay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                AttemptTimeout = options.AttemptTimeout,
                MaxNetworkRetries = MaxNetworkRetries,
            });
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
            using HttpCallScope scope = _http.BeginCall(new CallLimits(limits.AttemptTimeout, limits.OverallTimeout, limits.MaxRetries), cancellationToken);
            Uri url = CommandUri;
            while (true)
            {
                HttpAttempt attempt;
                try
                {
                    attempt = await _http.SendAsync(scope, Call(url, cmdletName, body), events).ConfigureAwait(false);
                }
                catch (ObjectDisposedException) when (IsDisposed)
                {
                    throw Closed();
                }
                catch (HttpCallTimeoutException ex)
                {
                    throw new AdminApiException(AdminApiErrorKind.Timeout, ex.Message, inner: ex.Overall ? null : ex.InnerException);
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

        private HttpCall Call(Uri url, string cmdletName, byte[] body) =>
            new HttpCall(cmdletName, "POST " + url.AbsolutePath + " " + cmdletName,
                (token, requestId) =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
                    request.Headers.TryAddWithoutValidation("X-AnchorMailbox", _options.AnchorMailbox);
                    request.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=" + _options.PageSize.ToString(CultureInfo.InvariantCulture));
                    request.Headers.TryAddWithoutValidation("client-request-id", requestId);
                    request.Headers.TryAddWithoutValidation("X-CmdletName", cmdletName);
                    request.Headers.TryAddWithoutValidation("X-ResponseFormat", "json");
                    request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    return request;
                },
                (forceRefresh, ct) => _tokens.GetTokenAsync(null, forceRefresh, ct),
                _options.MaxResponseBytes)
            {
                IsBusy = IsConcurrencyLimit,
            };

        // Exchange's "maximum number of concurrent requests per tenant" answer means wait, whatever its status.
        private static bool IsConcurrencyLimit(HttpAttempt a) => a.Status >= 400 && a.Length > 0 && a.Length < 64 * 1024
            && a.Text.IndexOf(AdminApiErrorParser.ConcurrencyLimitText, StringComparison.OrdinalIgnoreCase) >= 0;

        private AdminPage Interpret(HttpAttempt attempt, string cmdletName, AdminApiCallLimits limits)
        {
            if (attempt.TooLarge)
            {
                throw new AdminApiException(AdminApiErrorKind.MalformedResponse, $"The admin API's answer is larger than {_options.MaxResponseBytes} bytes.",
                    attempt.Status, clientRequestId: attempt.ClientRequestId);
            }
            if (attempt.Exception != null)
            {
                if (attempt.IsTokenFailure) ExceptionDispatchInfo.Capture(attempt.Exception).Throw();
                bool timedOut = attempt.Exception is TimeoutRejectedException;
                throw new AdminApiException(timedOut ? AdminApiErrorKind.Timeout : AdminApiErrorKind.ConnectionFailed,
                    timedOut
                        ? $"{cmdletName}: no answer within {limits.AttemptTimeout.TotalSeconds:0} s, after {attempt.Number} attempt(s)."
                        : $"{cmdletName}: {NetworkErrors.Describe(attempt.Exception)} (after {attempt.Number} attempt(s)).",
                    clientRequestId: attempt.ClientRequestId, inner: attempt.Exception);
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
                        $"{cmdletName}: the admin API's answer is not the expected JSON ({ex.Message}).", attempt.Status, clientRequestId: attempt.ClientRequestId, inner: ex);
                }
            }
            AdminApiException error = AdminApiErrorParser.Parse(attempt.Status, attempt.Text, attempt.ClientRequestId);
            if (error.Failure == AdminApiErrorKind.Throttled && attempt.GaveUpReason != null)
            {
                throw new AdminApiException(AdminApiErrorKind.Throttled, attempt.GaveUpReason + " " + error.Message, attempt.Status,
                    error.ServiceErrorId, error.ExceptionType, attempt.ClientRequestId);
            }
            if (error.Failure == AdminApiErrorKind.Throttled && attempt.Number > 1)
            {
                throw new AdminApiException(AdminApiErrorKind.Throttled, $"Still throttled after {attempt.Number} attempts: {error.Message}", attempt.Status,
                    error.ServiceErrorId, error.ExceptionType, attempt.ClientRequestId);
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

        private const int MaxNetworkRetries = 2;

        private void ThrowIfDisposed()
        {
            if (IsDisposed) throw Closed();
        }

        private AdminApiException Closed() =>
            new AdminApiException(AdminApiErrorKind.ConnectionClosed, $"This connection to {_options.Tenant} was disconnected; connect again.");

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _http.Dispose();
        }
    }
}
