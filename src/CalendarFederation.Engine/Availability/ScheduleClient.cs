using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Availability
{
    /// <summary>
    /// One interval of Graph's availabilityView, read as Microsoft Graph defines the digits (scheduleInformation,
    /// https://learn.microsoft.com/graph/api/resources/scheduleinformation): 0 free, 1 tentative, 2 busy, 3 out of office,
    /// 4 working elsewhere. The page today says working elsewhere is sent as 0 "for backward compatibility"; its earlier
    /// revisions (still in the localized microsoft-graph-docs pages) and the SDK models generated from them
    /// (Microsoft.Graph.Beta.Models.ScheduleInformation.AvailabilityView) list 4 = working elsewhere. Neither gives any digit the meaning "no data": that is EWS's MergedFreeBusy (4 = NoData),
    /// not Graph's. A 4 is therefore free/busy that came back, never a sign that none did.
    /// </summary>
    public enum SlotAvailability
    {
        /// <summary>A character Graph does not define.</summary>
        Unknown = -1,
        Free = 0,
        Tentative = 1,
        Busy = 2,
        OutOfOffice = 3,
        WorkingElsewhere = 4,
    }

    /// <summary>One mailbox's free/busy as the requesting tenant sees it.</summary>
    public sealed class ScheduleResult
    {
        private static readonly SlotAvailability[] NoSlots = new SlotAvailability[0];

        public string ScheduleId { get; set; } = "";
        /// <summary>One digit per interval, as sent; <see cref="Slots"/> has them read.</summary>
        public string? AvailabilityView { get; set; }
        /// <summary><see cref="AvailabilityView"/> read as Graph defines its digits (see <see cref="SlotAvailability"/>).</summary>
        public IReadOnlyList<SlotAvailability> Slots { get; set; } = NoSlots;
        public List<ScheduleItem> Items { get; } = new List<ScheduleItem>();
        public string? ErrorMessage { get; set; }
        public string? ErrorCode { get; set; }
    }

    public sealed class ScheduleItem
    {
        public string Status { get; set; } = "";
        public DateTimeOffset Start { get; set; }
        public DateTimeOffset End { get; set; }
        public string? Subject { get; set; }
        public string? Location { get; set; }
    }

    /// <summary>
    /// A real free/busy question asked the way a user's client asks it: Microsoft Graph getSchedule
    /// (POST /users/{requester}/calendar/getSchedule), answered by the requester's tenant, which reaches the partner
    /// through its organization relationship. Whether Graph answers for external federated users is UNCONFIRMED
    /// (docs/protocol.md §5); the sandbox implements this shape.
    /// </summary>
    public sealed class ScheduleClient : IDisposable
    {
        private readonly Uri _graph;
        private readonly string _scope;
        private readonly ITokenSource _tokens;
        private readonly HttpMessageInvoker _http;

        public ScheduleClient(Uri graph, string scope, ITokenSource tokens, HttpMessageHandler handler)
        {
            _graph = graph;
            _scope = scope;
            _tokens = tokens;
            _http = new HttpMessageInvoker(handler, disposeHandler: true);
        }

        public async Task<ScheduleResult> GetScheduleAsync(string requester, string mailbox, DateTimeOffset start, DateTimeOffset end, int intervalMinutes,
            CancellationToken cancellationToken)
        {
            AccessTokenResult token = await _tokens.GetTokenAsync(_scope, false, cancellationToken).ConfigureAwait(false);
            string path = requester == "me" ? "/v1.0/me/calendar/getSchedule" : "/v1.0/users/" + Uri.EscapeDataString(requester) + "/calendar/getSchedule";
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteStartArray("schedules");
                writer.WriteStringValue(mailbox);
                writer.WriteEndArray();
                WriteTime(writer, "startTime", start);
                WriteTime(writer, "endTime", end);
                writer.WriteNumber("availabilityViewInterval", intervalMinutes);
                writer.WriteEndObject();
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_graph, path)) { Content = new ByteArrayContent(stream.ToArray()) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            request.Headers.TryAddWithoutValidation("Prefer", "outlook.timezone=\"UTC\"");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new AdminApiException(AdminApiErrorKind.ConnectionFailed, "The free/busy probe could not reach " + _graph.Host + ": " + NetworkErrors.Describe(ex), inner: ex);
            }
            using (response)
            {
                var body = await BoundedBody.ReadAsync(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), 4 * 1024 * 1024, timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw AdminApiErrorParser.Parse((int)response.StatusCode, System.Text.Encoding.UTF8.GetString(body.Buffer, 0, body.Length), null);
                }
                try
                {
                    return Parse(body.Buffer, body.Length, mailbox);
                }
                catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidOperationException)
                {
                    throw new AdminApiException(AdminApiErrorKind.MalformedResponse, "The free/busy answer is not the expected JSON: " + ex.Message, (int)response.StatusCode, inner: ex);
                }
            }
        }

        private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset value)
        {
            writer.WriteStartObject(name);
            writer.WriteString("dateTime", value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            writer.WriteString("timeZone", "UTC");
            writer.WriteEndObject();
        }

        internal static ScheduleResult Parse(byte[] body, int length, string mailbox)
        {
            using JsonDocument doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(body, 0, length));
            var result = new ScheduleResult { ScheduleId = mailbox };
            if (!doc.RootElement.TryGetProperty("value", out JsonElement values) || values.ValueKind != JsonValueKind.Array)
            {
                throw new JsonException("no 'value' array");
            }
            foreach (JsonElement info in values.EnumerateArray())
            {
                if (info.TryGetProperty("scheduleId", out JsonElement id) && id.ValueKind == JsonValueKind.String) result.ScheduleId = id.GetString()!;
                if (info.TryGetProperty("availabilityView", out JsonElement view) && view.ValueKind == JsonValueKind.String)
                {
                    result.AvailabilityView = view.GetString();
                    result.Slots = ReadAvailabilityView(result.AvailabilityView);
                }
                if (info.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object)
                {
                    result.ErrorMessage = error.TryGetProperty("message", out JsonElement m) ? m.GetString() : null;
                    result.ErrorCode = error.TryGetProperty("responseCode", out JsonElement c) ? c.ToString() : null;
                }
                if (info.TryGetProperty("scheduleItems", out JsonElement items) && items.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement item in items.EnumerateArray())
                    {
                        result.Items.Add(new ScheduleItem
                        {
                            Status = item.TryGetProperty("status", out JsonElement s) ? s.GetString() ?? "" : "",
                            Start = ReadTime(item, "start"),
                            End = ReadTime(item, "end"),
                            Subject = item.TryGetProperty("subject", out JsonElement subj) && subj.ValueKind == JsonValueKind.String ? subj.GetString() : null,
                            Location = item.TryGetProperty("location", out JsonElement loc) && loc.ValueKind == JsonValueKind.String ? loc.GetString() : null,
                        });
                    }
                }
                break;
            }
            return result;
        }

        /// <summary>Each digit of an availabilityView as Graph defines it; anything else is <see cref="SlotAvailability.Unknown"/>.</summary>
        internal static SlotAvailability[] ReadAvailabilityView(string? view)
        {
            if (string.IsNullOrEmpty(view)) return new SlotAvailability[0];
            var slots = new SlotAvailability[view!.Length];
            for (int i = 0; i < view.Length; i++)
            {
                char c = view[i];
                slots[i] = c >= '0' && c <= '4' ? (SlotAvailability)(c - '0') : SlotAvailability.Unknown;
            }
            return slots;
        }

        private static DateTimeOffset ReadTime(JsonElement item, string name)
        {
            if (!item.TryGetProperty(name, out JsonElement t) || !t.TryGetProperty("dateTime", out JsonElement dt)) return default;
            return DateTimeOffset.Parse(dt.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        }

        public void Dispose() => _http.Dispose();
    }
}
