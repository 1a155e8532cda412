using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Http;
using Polly.Timeout;

namespace CalendarFederation.Engine.Graph
{
    /// <summary>
    /// Microsoft Graph for one tenant session: GET (one, or a collection following @odata.nextLink), POST, PATCH and
    /// DELETE on {graph}/v1.0/{path}, JSON through System.Text.Json, with the resilience the admin API client has
    /// (<see cref="ResilientHttp"/>): a fresh token per request and one forced refresh on 401, retries on 429/503/504
    /// honouring Retry-After, a per-tenant gate keyed by Graph host and tenant, timeouts and cancellation. Every call
    /// names its <see cref="GraphRequirement"/>, so a 403 says which permission or role is missing. Graph errors are
    /// <see cref="GraphException"/>s; tokens never appear in a message or a log line.
    /// </summary>
    public sealed class GraphClient : IDisposable
    {
        private readonly GraphClientOptions _options;
        private readonly IGraphTokenProvider _tokens;
        private readonly ResilientHttp _http;
        private readonly CallLimits _defaultLimits;
        private readonly IReadOnlyCollection<string> _trustedHosts;
        private int _disposed;

        public GraphClient(GraphClientOptions options, IGraphTokenProvider tokens, HttpMessageHandler handler, bool disposeHandler,
            TimeProvider? time = null, TenantGateRegistry? gates = null)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
            if (!options.BaseUri.IsAbsoluteUri || !Loopback.IsAllowedScheme(options.BaseUri))
            {
                throw new ArgumentException($"Microsoft Graph must be an absolute https URL (plain http only to a loopback host): {options.BaseUri}.", nameof(options));
            }
            TimeProvider clock = time ?? TimeProvider.System;
            TenantGate gate = (gates ?? (time == null ? TenantGateRegistry.Shared : new TenantGateRegistry(clock)))
                .For(options.BaseUri, options.GateKey ?? options.Tenant, options.MaxConcurrencyPerTenant);
            _defaultLimits = new CallLimits(options.AttemptTimeout, options.OverallTimeout, options.MaxRetries);
            _trustedHosts = GraphHosts.TrustedFor(options.BaseUri);
            _http = new ResilientHttp(handler, disposeHandler, gate, clock, new ResilienceSettings
            {
                ServiceName = "Microsoft Graph",
                BaseDelay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                AttemptTimeout = options.AttemptTimeout,
            });
        }

        public GraphClientOptions Options => _options;

        public IGraphTokenProvider Tokens => _tokens;

        public TenantGate Gate => _http.Gate;

        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>{graph}/{version}/{path}; <paramref name="path"/> is relative ("policies/crossTenantAccessPolicy/default"), query allowed.</summary>
        public Uri UriFor(string path) =>
            new Uri(_options.BaseUri.GetLeftPart(UriPartial.Authority) + "/" + _options.ApiVersion.Trim('/') + "/" + path.TrimStart('/'));

        /// <summary>GET one object; a 404 is a <see cref="GraphException"/> with Status 404.</summary>
        public async Task<JsonElement> GetAsync(string path, GraphRequirement requirement, IEngineEvents events, CancellationToken cancellationToken,
            CallLimits? limits = null)
        {
            GraphResponse response = await SendAsync(HttpMethod.Get, path, null, requirement, events, cancellationToken, limits).ConfigureAwait(false);
            return RequireObject(response, "GET " + path);
        }

        /// <summary>GET one object, or null when Graph answers 404.</summary>
        public async Task<JsonElement?> GetOrDefaultAsync(string path, GraphRequirement requirement, IEngineEvents events, CancellationToken cancellationToken,
            CallLimits? limits = null)
        {
            try
            {
                return await GetAsync(path, requirement, events, cancellationToken, limits).ConfigureAwait(false);
            }
            catch (GraphException ex) when (ex.Status == 404)
            {
                return null;
            }
        }

        /// <summary>
        /// GET a collection: every page's "value" items, following @odata.nextLink only to this Graph host or a known Graph
        /// host of its cloud. The overall timeout covers all pages.
        /// </summary>
        public async Task<IReadOnlyList<JsonElement>> GetCollectionAsync(string path, GraphRequirement requirement, IEngineEvents events,
            CancellationToken cancellationToken, CallLimits? limits = null)
        {
            if (requirement == null) throw new ArgumentNullException(nameof(requirement));
            if (events == null) throw new ArgumentNullException(nameof(events));
            ThrowIfDisposed();
            var items = new List<JsonElement>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            AccessTokenResult first = await _tokens.GetTokenAsync(false, events, cancellationToken).ConfigureAwait(false);
            using HttpCallScope scope = _http.BeginCall(limits ?? _defaultLimits, cancellationToken);
            Uri url = UriFor(path);
            string label = "GET " + path.Split('?')[0];
            for (int page = 1; ; page++)
            {
                GraphResponse response = await ExchangeAsync(scope, HttpMethod.Get, url, label, null, requirement, events, page == 1 ? first : null).ConfigureAwait(false);
                JsonElement body = RequireObject(response, label);
                if (!body.TryGetProperty("value", out JsonElement value) || value.ValueKind != JsonValueKind.Array)
                {
                    throw Malformed($"{label}: Microsoft Graph's answer has no 'value' array.", response);
                }
                foreach (JsonElement item in value.EnumerateArray()) items.Add(item.Clone());
                if (!body.TryGetProperty("@odata.nextLink", out JsonElement next) || next.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(next.GetString()))
                {
                    break;
                }
                string link = next.GetString()!;
                if (!seen.Add(link)) throw Malformed($"{label}: Microsoft Graph sent the same next-page link twice; stopped rather than loop.", response);
                if (page >= _options.MaxPages) throw Malformed($"{label}: more than {_options.MaxPages} pages; stopped.", response);
                url = CheckNextLink(link, label);
            }
            return items;
        }

        /// <summary>POST a JSON body; returns the created object (201 with a body), or null (204).</summary>
        public async Task<JsonElement?> PostAsync(string path, JsonNode body, GraphRequirement requirement, IEngineEvents events, CancellationToken cancellationToken,
            CallLimits? limits = null)
        {
            if (body == null) throw new ArgumentNullException(nameof(body));
            GraphResponse response = await SendAsync(HttpMethod.Post, path, body, requirement, events, cancellationToken, limits).ConfigureAwait(false);
            return response.Body;
        }

        /// <summary>PATCH a JSON body (Graph answers 204).</summary>
        public async Task PatchAsync(string path, JsonNode body, GraphRequirement requirement, IEngineEvents events, CancellationToken cancellationToken,
            CallLimits? limits = null)
        {
            if (body == null) throw new ArgumentNullException(nameof(body));
            await SendAsync(new HttpMethod("PATCH"), path, body, requirement, events, cancellationToken, limits).ConfigureAwait(false);
        }

        /// <summary>DELETE (Graph answers 204); a 404 is a <see cref="GraphException"/> with Status 404.</summary>
        public async Task DeleteAsync(string path, GraphRequirement requirement, IEngineEvents events, CancellationToken cancellationToken, CallLimits? limits = null)
        {
            await SendAsync(HttpMethod.Delete, path, null, requirement, events, cancellationToken, limits).ConfigureAwait(false);
        }

        /// <summary>One request; any 2xx is returned, anything else thrown as a <see cref="GraphException"/>.</summary>
        public async Task<GraphResponse> SendAsync(HttpMethod method, string path, JsonNode? body, GraphRequirement requirement, IEngineEvents events,
            CancellationToken cancellationToken, CallLimits? limits = null)
        {
            if (method == null) throw new ArgumentNullException(nameof(method));
            if (requirement == null) throw new ArgumentNullException(nameof(requirement));
            if (events == null) throw new ArgumentNullException(nameof(events));
            ThrowIfDisposed();
            byte[]? bytes = body == null ? null : Encoding.UTF8.GetBytes(body.ToJsonString());
            // The first token is got outside the timeouts: a delegated sign-in may prompt, and a person takes longer than an attempt may.
            AccessTokenResult first = await _tokens.GetTokenAsync(false, events, cancellationToken).ConfigureAwait(false);
            using HttpCallScope scope = _http.BeginCall(limits ?? _defaultLimits, cancellationToken);
            return await ExchangeAsync(scope, method, UriFor(path), method.Method + " " + path.Split('?')[0], bytes, requirement, events, first).ConfigureAwait(false);
        }

        private async Task<GraphResponse> ExchangeAsync(HttpCallScope scope, HttpMethod method, Uri url, string label, byte[]? body,
            GraphRequirement requirement, IEngineEvents events, AccessTokenResult? first)
        {
            AccessTokenResult? prefetched = first;
            var call = new HttpCall(label, method.Method + " " + url.AbsolutePath,
                (token, requestId) =>
                {
                    var request = new HttpRequestMessage(method, url);
                    if (body != null)
                    {
                        request.Content = new ByteArrayContent(body);
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    }
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
                    request.Headers.TryAddWithoutValidation("client-request-id", requestId);
                    request.Headers.TryAddWithoutValidation("return-client-request-id", "true");
                    request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    return request;
                },
                (forceRefresh, ct) =>
                {
                    AccessTokenResult? ready = forceRefresh ? null : Interlocked.Exchange(ref prefetched, null);
                    return ready != null ? Task.FromResult(ready) : _tokens.GetTokenAsync(forceRefresh, events, ct);
                },
                _options.MaxResponseBytes)
            {
                ServiceRequestIdHeader = "request-id",
            };

            HttpAttempt attempt;
            try
            {
                attempt = await _http.SendAsync(scope, call, events).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (IsDisposed)
            {
                throw Closed();
            }
            catch (HttpCallTimeoutException ex)
            {
                throw new GraphException(ErrorIds.GraphTimeout, ErrorKind.OperationTimeout, ex.Message + " (Microsoft Graph)", target: _options.Tenant,
                    isRetryable: true, inner: ex.Overall ? null : ex.InnerException);
            }
            return Interpret(attempt, label, requirement);
        }

        private GraphResponse Interpret(HttpAttempt attempt, string label, GraphRequirement requirement)
        {
            if (attempt.TooLarge)
            {
                throw new GraphException(ErrorIds.MalformedResponse, ErrorKind.InvalidData, $"{label}: Microsoft Graph's answer is larger than {_options.MaxResponseBytes} bytes.",
                    attempt.Status, requestId: attempt.ServiceRequestId, clientRequestId: attempt.ClientRequestId, target: _options.Tenant);
            }
            if (attempt.Exception != null)
            {
                if (attempt.IsTokenFailure) ExceptionDispatchInfo.Capture(attempt.Exception).Throw();
                bool timedOut = attempt.Exception is TimeoutRejectedException;
                throw new GraphException(timedOut ? ErrorIds.GraphTimeout : ErrorIds.ConnectionFailed, timedOut ? ErrorKind.OperationTimeout : ErrorKind.ConnectionError,
                    timedOut
                        ? $"{label}: no answer from Microsoft Graph within {_options.AttemptTimeout.TotalSeconds:0} s, after {attempt.Number} attempt(s)."
                        : $"{label}: {NetworkErrors.Describe(attempt.Exception)} (Microsoft Graph at {_options.BaseUri.Host}, after {attempt.Number} attempt(s)).",
                    clientRequestId: attempt.ClientRequestId, target: _options.Tenant, isRetryable: true, inner: attempt.Exception);
            }
            if (attempt.Status >= 200 && attempt.Status < 300)
            {
                JsonElement? parsed = null;
                if (attempt.Length > 0)
                {
                    try
                    {
                        using JsonDocument doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(attempt.Body, 0, attempt.Length), new JsonDocumentOptions { MaxDepth = 64 });
                        parsed = doc.RootElement.Clone();
                    }
                    catch (JsonException ex)
                    {
                        throw new GraphException(ErrorIds.MalformedResponse, ErrorKind.InvalidData, $"{label}: Microsoft Graph's answer is not JSON ({ex.Message}).",
                            attempt.Status, requestId: attempt.ServiceRequestId, clientRequestId: attempt.ClientRequestId, target: _options.Tenant, inner: ex);
                    }
                }
                return new GraphResponse(attempt.Status, parsed, attempt.ClientRequestId ?? "", attempt.ServiceRequestId);
            }
            throw Failure(attempt, label, requirement);
        }

        private GraphException Failure(HttpAttempt attempt, string label, GraphRequirement requirement)
        {
            GraphErrorBody error = GraphErrorBody.Parse(attempt.Length > 0 ? attempt.Text : null);
            string? requestId = error.RequestId ?? attempt.ServiceRequestId;
            string? clientRequestId = attempt.ClientRequestId ?? error.ClientRequestId;
            string service = GraphAccessAnalysis.Service(attempt.Status, error);
            string tenant = _options.Tenant;
            GraphException Make(string id, ErrorKind kind, string message, bool retryable = false) =>
                new GraphException(id, kind, message, attempt.Status, error.Code, requestId, clientRequestId, tenant, retryable)
                {
                    ServiceMessage = error.Message == null ? null : Redaction.Apply(error.Message),
                    Requirement = requirement,
                };
            switch (attempt.Status)
            {
                case 401:
                    return Make(ErrorIds.AuthenticationRequired, ErrorKind.AuthenticationError,
                        $"{label}: Microsoft Graph refused the token for {tenant} twice, even after a refresh ({service}).");
                case 403:
                    return GraphAccessAnalysis.Explain(requirement, GraphTokenClaims.TryParse(attempt.Token?.Token), attempt.Status, error, tenant, _tokens.ClientId,
                        requestId, clientRequestId);
                case 429:
                    string throttled = attempt.GaveUpReason != null ? attempt.GaveUpReason + " " : attempt.Number > 1 ? $"Still throttled after {attempt.Number} attempts. " : "";
                    return Make(ErrorIds.Throttled, ErrorKind.LimitsExceeded, $"{throttled}{label}: Microsoft Graph is throttling requests to {tenant} ({service}).", retryable: true);
                case 503:
                    return Make(ErrorIds.ServiceUnavailable, ErrorKind.ResourceUnavailable,
                        $"{(attempt.GaveUpReason != null ? attempt.GaveUpReason + " " : "")}{label}: Microsoft Graph is unavailable ({service}, after {attempt.Number} attempt(s)).", retryable: true);
                case 504:
                case 408:
                    return Make(ErrorIds.GraphTimeout, ErrorKind.OperationTimeout, $"{label}: Microsoft Graph timed out ({service}, after {attempt.Number} attempt(s)).", retryable: true);
                case 404:
                    return Make(ErrorIds.GraphError, ErrorKind.ObjectNotFound, $"{label}: not found ({service}).");
                case 409:
                    return Make(ErrorIds.GraphError, ErrorKind.ResourceExists, $"{label}: Microsoft Graph reports a conflict ({service}).");
                case 400:
                    return Make(ErrorIds.GraphError, ErrorKind.InvalidArgument, $"{label}: Microsoft Graph rejected the request ({service}).");
                default:
                    return Make(ErrorIds.GraphError, ErrorKind.NotSpecified, $"{label}: Microsoft Graph failed ({service}).", retryable: attempt.Status >= 500);
            }
        }

        private JsonElement RequireObject(GraphResponse response, string label)
        {
            if (response.Body is JsonElement body && body.ValueKind == JsonValueKind.Object) return body;
            throw Malformed($"{label}: Microsoft Graph answered {response.Status} without the expected JSON object.", response);
        }

        private GraphException Malformed(string message, GraphResponse response) =>
            new GraphException(ErrorIds.MalformedResponse, ErrorKind.InvalidData, message, response.Status, requestId: response.RequestId,
                clientRequestId: response.ClientRequestId, target: _options.Tenant);

        // Never send the token to a host other than this Graph or a known Graph host of the same cloud.
        private Uri CheckNextLink(string next, string label)
        {
            if (!Uri.TryCreate(next, UriKind.Absolute, out Uri? uri)
                || !string.Equals(uri.Scheme, _options.BaseUri.Scheme, StringComparison.OrdinalIgnoreCase)
                || !_trustedHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase)
                || (string.Equals(uri.Host, _options.BaseUri.Host, StringComparison.OrdinalIgnoreCase) ? uri.Port != _options.BaseUri.Port : !uri.IsDefaultPort)
                || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new GraphException(ErrorIds.MalformedResponse, ErrorKind.SecurityError,
                    $"{label}: Microsoft Graph's next-page link points to another host and was not followed (no token is sent there): {Redaction.Apply(next)}",
                    target: _options.Tenant);
            }
            return uri;
        }

        private void ThrowIfDisposed()
        {
            if (IsDisposed) throw Closed();
        }

        private GraphException Closed() =>
            new GraphException(ErrorIds.ConnectionClosed, ErrorKind.ConnectionError, $"This connection to {_options.Tenant} was disconnected; connect again.", target: _options.Tenant);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _http.Dispose();
        }
    }
}
