using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Http
{
    /// <summary>Why a bounded exchange gave no usable answer.</summary>
    public enum BoundedFailure
    {
        None,
        /// <summary>No response headers within the timeout.</summary>
        Timeout,
        /// <summary>The headers came, the whole body did not, within the same timeout.</summary>
        BodyTimeout,
        /// <summary>The request could not be sent or the answer broke off (see <see cref="BoundedResponse.Error"/>).</summary>
        Connection,
        /// <summary>Content-Length is over the limit: the body was not read.</summary>
        DeclaredTooLarge,
        /// <summary>The body grew past the limit while it was read.</summary>
        TooLarge,
    }

    /// <summary>What one bounded exchange gave: a status, a redirect's Location, the body up to the limit, or why not.</summary>
    public sealed class BoundedResponse
    {
        public BoundedFailure Failure { get; internal set; }
        public int? Status { get; internal set; }
        /// <summary>The Location header of a 301, 302, 307 or 308 (empty when absent); null otherwise.</summary>
        public string? Location { get; internal set; }
        public byte[] Body { get; internal set; } = Array.Empty<byte>();
        public int Length { get; internal set; }
        public long? DeclaredLength { get; internal set; }
        /// <summary>The exception behind a <see cref="BoundedFailure.Connection"/> failure.</summary>
        public Exception? Error { get; internal set; }
        /// <summary>Service request ids from the response headers ("request-id 1234"), for support.</summary>
        public IReadOnlyList<string> RequestIds { get; internal set; } = Array.Empty<string>();
        public TimeSpan Elapsed { get; internal set; }
        public bool IsRedirect => Location != null;
    }

    /// <summary>
    /// One HTTP exchange with a per-attempt timeout that covers headers and body together, and a size cap, so a server that
    /// never answers, trickles bytes or sends 50 MB costs at most the timeout and the cap. Redirects are reported, never
    /// followed. Used by discovery and by the partner tenant lookup.
    /// </summary>
    public static class BoundedRequest
    {
        /// <summary>Response headers that carry ids Microsoft support asks for.</summary>
        public static readonly IReadOnlyList<string> RequestIdHeaders = new[] { "request-id", "client-request-id", "x-ms-request-id" };

        public static bool IsRedirectStatus(int status) => status == 301 || status == 302 || status == 307 || status == 308;

        public static async Task<BoundedResponse> SendAsync(HttpMessageInvoker http, HttpRequestMessage request, TimeSpan timeout, int maxBytes,
            TimeProvider time, CancellationToken cancellationToken, bool readBody = true)
        {
            long started = time.GetTimestamp();
            var result = new BoundedResponse();
            using CancellationTokenSource timer = time.CreateCancellationTokenSource(timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Done(result, BoundedFailure.Timeout, time, started);
            }
            catch (HttpRequestException ex)
            {
                result.Error = ex;
                return Done(result, BoundedFailure.Connection, time, started);
            }

            using (response)
            {
                int status = (int)response.StatusCode;
                result.Status = status;
                result.RequestIds = ReadRequestIds(response);
                if (IsRedirectStatus(status))
                {
                    result.Location = response.Headers.Location?.OriginalString ?? "";
                    return Done(result, BoundedFailure.None, time, started);
                }
                if (!readBody) return Done(result, BoundedFailure.None, time, started);
                result.DeclaredLength = response.Content?.Headers.ContentLength;
                if (result.DeclaredLength > maxBytes) return Done(result, BoundedFailure.DeclaredTooLarge, time, started);
                if (response.Content == null) return Done(result, BoundedFailure.None, time, started);

                BoundedFailure failure = await ReadBodyAsync(response, result, maxBytes, linked.Token, timer, cancellationToken).ConfigureAwait(false);
                return Done(result, failure, time, started);
            }
        }

        private static async Task<BoundedFailure> ReadBodyAsync(HttpResponseMessage response, BoundedResponse result, int maxBytes,
            CancellationToken token, CancellationTokenSource timer, CancellationToken cancellationToken)
        {
            try
            {
                // Disposing the response unblocks a read that ignores the token (.NET Framework streams).
                using (token.Register(() => response.Dispose()))
                {
                    Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    BodyRead read = await BoundedBody.ReadAsync(stream, maxBytes, token).ConfigureAwait(false);
                    result.Body = read.Buffer;
                    result.Length = read.Length;
                    return read.TooLarge ? BoundedFailure.TooLarge : BoundedFailure.None;
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is ObjectDisposedException || ex is IOException || ex is HttpRequestException)
            {
                if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
                if (timer.IsCancellationRequested) return BoundedFailure.BodyTimeout;
                result.Error = ex;
                return BoundedFailure.Connection;
            }
        }

        private static IReadOnlyList<string> ReadRequestIds(HttpResponseMessage response)
        {
            List<string>? ids = null;
            foreach (string name in RequestIdHeaders)
            {
                if (response.Headers.TryGetValues(name, out IEnumerable<string>? values))
                {
                    string? value = values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
                    if (value != null) (ids ??= new List<string>()).Add(name + " " + NetworkErrors.OneLine(value.Trim()));
                }
            }
            return (IReadOnlyList<string>?)ids ?? Array.Empty<string>();
        }

        private static BoundedResponse Done(BoundedResponse result, BoundedFailure failure, TimeProvider time, long started)
        {
            result.Failure = failure;
            result.Elapsed = time.GetElapsedTime(started);
            return result;
        }
    }
}
