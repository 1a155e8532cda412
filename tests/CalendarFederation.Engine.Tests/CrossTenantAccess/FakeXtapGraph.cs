using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CalendarFederation.Engine.Tests.Graph;
using Microsoft.Extensions.Time.Testing;

namespace CalendarFederation.Engine.Tests.CrossTenantAccess;

/// <summary>
/// A stateful stand-in for the X-TAP part of Graph v1.0 (partners, their m365CollaborationInbound, m365Capabilities, the
/// default policy), as the docs describe it, with the behaviour the community reports: 409 on a duplicate create, 404 for
/// a missing partner, and a replication window after a create. Faults are injected per request. Records every request.
/// </summary>
internal sealed class FakeXtapGraph : HttpMessageHandler
{
    private const string Base = "/v1.0/policies/crossTenantAccessPolicy";
    private readonly FakeTimeProvider _time;
    private readonly object _gate = new();
    private int _lagLeft;
    private int _staleReadsLeft;
    private int _requestCount;
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = new();

    public FakeXtapGraph(FakeTimeProvider time) => _time = time;

    public sealed class PartnerEntry
    {
        public JsonNode? Inbound { get; set; }
        public Dictionary<string, JsonObject> Capabilities { get; } = new(StringComparer.Ordinal);
    }

    public Dictionary<string, PartnerEntry> Partners { get; } = new(StringComparer.OrdinalIgnoreCase);
    public JsonNode? DefaultInbound { get; set; }
    public Dictionary<string, JsonObject> DefaultCapabilities { get; } = new(StringComparer.Ordinal);
    public List<GraphRequest> Requests { get; } = new();

    /// <summary>Status of a duplicate POST (409 per X-FAKE; 400 to test the re-read path).</summary>
    public int DuplicateStatus { get; set; } = 409;

    /// <summary>Partners per page of GET /partners.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>After a partner is created, this many dependent calls answer <see cref="LagStatus"/> (replication).</summary>
    public int ReplicationLag { get; set; }
    public int LagStatus { get; set; } = 404;

    /// <summary>After a capability write, this many capability reads still show the old list (read-back lag).</summary>
    public int StaleReads { get; set; }

    /// <summary>Runs first; an answer it returns is sent instead of the normal one.</summary>
    public Func<GraphRequest, GraphAnswer?>? Before { get; set; }

    /// <summary>The request is applied, then its answer never comes (the caller times out or cancels).</summary>
    public Func<GraphRequest, bool>? ApplyThenHang { get; set; }

    public IReadOnlyList<GraphRequest> Writes => Requests.Where(r => r.Method != "GET").ToArray();

    public IReadOnlyList<string> Lines => Requests.Select(r => r.Method + " " + r.PathAndQuery.Replace(Base, "~")).ToArray();

    public Task WaitForRequestsAsync(int count)
    {
        lock (_gate)
        {
            if (_requestCount >= count) return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task;
        }
    }

    // --- seeding --------------------------------------------------------------------------------

    public PartnerEntry AddPartner(string tenantId, string? inboundJson = null)
    {
        var entry = new PartnerEntry { Inbound = inboundJson == null ? null : JsonNode.Parse(inboundJson) };
        Partners[tenantId] = entry;
        return entry;
    }

    public static string AllUsersTrust => "{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}";

    public static JsonObject Capability(string name, bool allowed = true, string included = "[{\"resourceId\":\"All\",\"resourceType\":\"user\"}]", string excluded = "[]") =>
        JsonNode.Parse("{\"@odata.type\":\"#microsoft.graph." + name + "\",\"name\":\"" + name + "\",\"lastModifiedDateTime\":\"2026-11-01T10:00:00Z\","
            + "\"inboundAccess\":{\"isAllowed\":" + (allowed ? "true" : "false") + ",\"resourceScopes\":{\"included\":" + included + ",\"excluded\":" + excluded + "}}}")!.AsObject();

    // --- the service ------------------------------------------------------------------------------

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        if (request.Content != null)
        {
            foreach (var h in request.Content.Headers) headers[h.Key] = string.Join(",", h.Value);
        }
        string? body = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new GraphRequest(request.Method.Method, request.RequestUri!.ToString(), headers, body, _time.GetUtcNow());
        GraphAnswer answer;
        bool hang;
        lock (_gate)
        {
            Requests.Add(recorded);
            _requestCount++;
            foreach (var w in _waiters.Where(w => _requestCount >= w.Count).ToArray())
            {
                w.Signal.TrySetResult();
                _waiters.Remove(w);
            }
            answer = Before?.Invoke(recorded) ?? Handle(recorded);
            hang = ApplyThenHang?.Invoke(recorded) == true;
        }
        if (hang) await Task.Delay(Timeout.Infinite, cancellationToken);
        var response = new HttpResponseMessage((HttpStatusCode)answer.Status);
        if (answer.Body.Length > 0) response.Content = new StringContent(answer.Body, Encoding.UTF8, "application/json");
        response.Headers.TryAddWithoutValidation("request-id", "rq-" + _requestCount);
        return response;
    }

    private static GraphAnswer Json(int status, JsonNode node) => new() { Status = status, Body = node.ToJsonString() };

    private static GraphAnswer Error(int status, string code, string message) =>
        new() { Status = status, Body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"innerError\":{\"date\":\"2026-12-03T09:00:00\",\"request-id\":\"rq-e\"}}}" };

    private static readonly GraphAnswer NoContent = new() { Status = 204 };

    private GraphAnswer Handle(GraphRequest r)
    {
        var uri = new Uri(r.Url);
        string path = uri.AbsolutePath;
        if (!path.StartsWith(Base, StringComparison.Ordinal)) return Error(404, "NotFound", "Unknown path " + path);
        string[] segments = path.Substring(Base.Length).Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);

        if (segments.Length >= 1 && segments[0] == "default")
        {
            if (segments.Length == 1 && r.Method == "GET")
            {
                return Json(200, new JsonObject { ["isServiceDefault"] = false, ["m365CollaborationInbound"] = DefaultInbound?.DeepClone() });
            }
            if (segments.Length == 2 && segments[1] == "m365Capabilities" && r.Method == "GET") return List(DefaultCapabilities.Values);
            return Error(405, "MethodNotAllowed", "The fake never lets the default policy change.");
        }
        if (segments.Length == 0 || segments[0] != "partners") return Error(400, "BadRequest", "Resource not found for the segment '" + (segments.FirstOrDefault() ?? "") + "'.");

        if (segments.Length == 1)
        {
            if (r.Method == "GET") return Page(uri);
            if (r.Method == "POST")
            {
                string tenantId = (string)JsonNode.Parse(r.Body!)!["tenantId"]!;
                if (Partners.ContainsKey(tenantId)) return Error(DuplicateStatus, "Request_BadRequest", "A partner configuration for this tenant already exists.");
                Partners[tenantId] = new PartnerEntry();
                _lagLeft = ReplicationLag;
                return Json(201, PartnerJson(tenantId, Partners[tenantId]));
            }
        }
        string id = segments[1];
        bool dependent = r.Method != "GET";
        if (dependent && _lagLeft > 0)
        {
            _lagLeft--;
            return LagStatus == 404 ? Error(404, "Request_ResourceNotFound", "Resource '" + id + "' does not exist.") : Error(400, "Request_BadRequest", "Invalid partner.");
        }
        if (!Partners.TryGetValue(id, out PartnerEntry? partner)) return Error(404, "Request_ResourceNotFound", "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.");

        if (segments.Length == 2)
        {
            if (r.Method == "GET") return Json(200, PartnerJson(id, partner));
            if (r.Method == "PATCH")
            {
                JsonObject patch = JsonNode.Parse(r.Body!)!.AsObject();
                if (patch.ContainsKey("m365CollaborationInbound")) partner.Inbound = patch["m365CollaborationInbound"]?.DeepClone(); // replaces the whole block
                return NoContent;
            }
            if (r.Method == "DELETE")
            {
                Partners.Remove(id);
                return NoContent;
            }
        }
        if (segments.Length >= 3 && segments[2] == "m365Capabilities")
        {
            if (segments.Length == 3 && r.Method == "GET")
            {
                if (_staleReadsLeft > 0)
                {
                    _staleReadsLeft--;
                    return List(_staleSnapshot ?? new List<JsonObject>());
                }
                return List(partner.Capabilities.Values);
            }
            if (segments.Length == 3 && r.Method == "POST")
            {
                JsonObject capability = JsonNode.Parse(r.Body!)!.AsObject();
                string type = (string)capability["@odata.type"]!;
                string name = type.Substring("#microsoft.graph.".Length);
                if (partner.Capabilities.ContainsKey(name)) return Error(DuplicateStatus, "Request_BadRequest", "The capability already exists.");
                Snapshot(partner);
                var stored = new JsonObject
                {
                    ["@odata.type"] = type,
                    ["name"] = name,
                    ["lastModifiedDateTime"] = _time.GetUtcNow().UtcDateTime.ToString("o"),
                    ["inboundAccess"] = capability["inboundAccess"]!.DeepClone(),
                };
                partner.Capabilities[name] = stored;
                return Json(201, stored);
            }
            if (segments.Length == 4)
            {
                string name = Uri.UnescapeDataString(segments[3]);
                if (!partner.Capabilities.TryGetValue(name, out JsonObject? existing)) return Error(404, "Request_ResourceNotFound", "Capability '" + name + "' does not exist.");
                if (r.Method == "PATCH")
                {
                    Snapshot(partner);
                    existing["inboundAccess"] = JsonNode.Parse(r.Body!)!["inboundAccess"]!.DeepClone();
                    existing["lastModifiedDateTime"] = _time.GetUtcNow().UtcDateTime.ToString("o");
                    return NoContent;
                }
                if (r.Method == "DELETE")
                {
                    Snapshot(partner);
                    partner.Capabilities.Remove(name);
                    return NoContent;
                }
            }
        }
        return Error(405, "MethodNotAllowed", r.Method + " " + path);
    }

    private List<JsonObject>? _staleSnapshot;

    private void Snapshot(PartnerEntry partner)
    {
        if (StaleReads <= 0) return;
        _staleSnapshot ??= partner.Capabilities.Values.Select(c => c.DeepClone().AsObject()).ToList();
        _staleReadsLeft = StaleReads;
    }

    private static JsonObject PartnerJson(string tenantId, PartnerEntry partner) => new()
    {
        ["tenantId"] = tenantId,
        ["isServiceProvider"] = false,
        ["isInMultiTenantOrganization"] = false,
        ["inboundTrust"] = null,
        ["b2bCollaborationInbound"] = null,
        ["m365CollaborationInbound"] = partner.Inbound?.DeepClone(),
        ["m365CollaborationOutbound"] = null,
    };

    private static GraphAnswer List(IEnumerable<JsonObject> items)
    {
        var array = new JsonArray();
        foreach (JsonObject item in items) array.Add(item.DeepClone());
        return Json(200, new JsonObject { ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#m365Capabilities", ["value"] = array });
    }

    private GraphAnswer Page(Uri uri)
    {
        int skip = 0;
        string query = uri.Query.TrimStart('?');
        foreach (string part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("$skiptoken=", StringComparison.Ordinal)) skip = int.Parse(part.Substring(11));
        }
        var array = new JsonArray();
        foreach (var p in Partners.OrderBy(p => p.Key, StringComparer.Ordinal).Skip(skip).Take(PageSize)) array.Add(PartnerJson(p.Key, p.Value));
        var page = new JsonObject { ["value"] = array };
        if (skip + PageSize < Partners.Count) page["@odata.nextLink"] = "https://graph.microsoft.com" + Base + "/partners?$skiptoken=" + (skip + PageSize);
        return Json(200, page);
    }
}
