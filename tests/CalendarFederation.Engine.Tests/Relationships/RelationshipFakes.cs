using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Sandbox.AdminApi;

namespace CalendarFederation.Engine.Tests.Relationships;

/// <summary>One InvokeCommand the service sent: its raw body and the CmdletInput in it.</summary>
internal sealed class SentCommand
{
    public SentCommand(string body)
    {
        Body = body;
        JsonObject input = JsonNode.Parse(body)!["CmdletInput"]!.AsObject();
        CmdletName = (string)input["CmdletName"]!;
        Parameters = input["Parameters"]!.AsObject();
    }

    public string Body { get; }
    public string CmdletName { get; }
    public JsonObject Parameters { get; }

    /// <summary>A parameter that is a JSON array of strings.</summary>
    public string[] Strings(string name) => Parameters[name]!.AsArray().Select(n => (string)n!).ToArray();

    /// <summary>A key of the #Exchange.GenericHashTable in DomainNames, as strings.</summary>
    public string[] Change(string key) => Parameters["DomainNames"]![key]!.AsArray().Select(n => (string)n!).ToArray();

    /// <summary>How many domains this request names: a list, or Add plus Remove.</summary>
    public int DomainCount()
    {
        JsonNode? d = Parameters["DomainNames"];
        if (d == null) return 0;
        if (d is JsonArray a) return a.Count;
        int n = 0;
        foreach (string key in new[] { "Add", "Remove" })
        {
            JsonNode? v = d[key];
            n += v is JsonArray list ? list.Count : v != null ? 1 : 0;
        }
        return n;
    }

    public override string ToString() => Body;
}

/// <summary>
/// A fake admin API: answers the scripted responses in order and records every request's CmdletInput. An
/// unscripted request gets a 500 "script exhausted", which no test expects.
/// </summary>
internal sealed class ScriptedExchange : HttpMessageHandler
{
    private readonly ConcurrentQueue<(int Status, string Body)> _script = new();
    private readonly object _gate = new();

    public List<SentCommand> Sent { get; } = new();

    public IEnumerable<SentCommand> Writes => Sent.Where(s => !s.CmdletName.StartsWith("Get-", StringComparison.Ordinal));

    public ScriptedExchange Answer(int status, string body)
    {
        _script.Enqueue((status, body));
        return this;
    }

    /// <summary>200 with these objects (raw JSON objects) as "value".</summary>
    public ScriptedExchange Ok(params string[] values) =>
        Answer(200, "{\"@odata.context\":\"https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/$metadata#Collection(Exchange.GenericHashTable)\","
            + "\"@adminapi.warnings\":[],\"value\":[" + string.Join(",", values) + "]}");

    /// <summary>200 with no objects and these warnings (a Set that changed nothing).</summary>
    public ScriptedExchange Warn(params string[] warnings) =>
        Answer(200, "{\"@adminapi.warnings\":" + JsonSerializer.Serialize(warnings) + ",\"value\":[]}");

    public ScriptedExchange NoContent() => Answer(204, "");

    /// <summary>Exchange's error body, exactly as the sandbox renders it.</summary>
    public ScriptedExchange Fail(ExchangeErrorException error) => Answer(error.HttpStatus, error.ToJson().ToJsonString());

    public int Remaining => _script.Count;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = request.Content == null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (_gate) Sent.Add(new SentCommand(body));
        if (!_script.TryDequeue(out var step)) step = (500, "script exhausted");
        return new HttpResponseMessage((System.Net.HttpStatusCode)step.Status)
        {
            Content = new StringContent(step.Body, Encoding.UTF8, "application/json"),
        };
    }
}

internal sealed class StaticTokens : ITokenSource
{
    public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken) =>
        Task.FromResult(new AccessTokenResult("token", DateTimeOffset.UtcNow.AddHours(1), "tid", "admin@contoso.onmicrosoft.com"));
}

internal static class Fakes
{
    public const string Server = ExchangeErrorException.ServerName;

    /// <summary>A client whose retries wait milliseconds, with a gate of its own.</summary>
    public static AdminApiClient Client(ScriptedExchange handler) => new(
        new AdminApiOptions
        {
            BaseUri = new Uri("https://outlook.office365.com"),
            Tenant = "contoso.onmicrosoft.com",
            AnchorMailbox = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com",
            MaxRetries = 3,
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(30),
        },
        new StaticTokens(), handler, disposeHandler: false, time: TimeProvider.System);

    /// <summary>A relationship as Get-OrganizationRelationship returns it (the fields the service reads, plus extras).</summary>
    public static string Relationship(string name, IEnumerable<string> domains, Guid? guid = null, bool enabled = true)
    {
        Guid g = guid ?? Guid.NewGuid();
        var o = new JsonObject
        {
            ["Identity"] = name,
            ["Name"] = name,
            ["DomainNames"] = new JsonArray(domains.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["DomainNames@odata.type"] = "#Collection(String)",
            ["Enabled"] = enabled,
            ["Guid"] = g.ToString(),
            ["ExchangeObjectId"] = g.ToString(),
            ["PeopleSearchEnabled"] = false,
        };
        return o.ToJsonString();
    }

    public static string Relationship(string name, params string[] domains) => Relationship(name, (IEnumerable<string>)domains);

    public static AdminObject Object(string json) => AdminApiJson.ParsePage(Encoding.UTF8.GetBytes("{\"value\":[" + json + "]}"), Encoding.UTF8.GetByteCount("{\"value\":[" + json + "]}")).Values[0];

    public static string[] Domains(int count, string suffix) => Enumerable.Range(1, count).Select(i => $"d{i}.{suffix}").ToArray();

    public static string Json(string[] values) => JsonSerializer.Serialize(values);

    public static KeyValuePair<string, object?> P(string name, object? value) => new(name, value);

    // Exchange's errors, as the sandbox renders them.
    public static ExchangeErrorException NotFound(string identity) => ExchangeErrorException.ObjectNotFound(identity);

    public static ExchangeErrorException NameTaken(string name) =>
        ExchangeErrorException.AlreadyExists($"CN={name},CN=Federation,CN=Configuration,CN=contoso.onmicrosoft.com,CN=ConfigurationUnits,DC=EURPR01A001,DC=PROD,DC=OUTLOOK,DC=COM");

    public static ExchangeErrorException DomainsTaken(params string[] domains) => ExchangeErrorException.DuplicateDomains(domains);

    public static ExchangeErrorException TooManySubfilters() => ExchangeErrorException.TooManySubfilters();
}
