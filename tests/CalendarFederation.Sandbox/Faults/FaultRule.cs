namespace CalendarFederation.Sandbox.Faults;

/// <summary>Broken or hostile body shapes the sandbox can serve instead of a real answer.</summary>
public enum FaultBody
{
    None,
    /// <summary>Not XML at all.</summary>
    Malformed,
    /// <summary>A real answer cut off halfway.</summary>
    Truncated,
    /// <summary>A valid envelope padded to OversizeBytes.</summary>
    Oversized,
    /// <summary>An internal DTD.</summary>
    Dtd,
    /// <summary>An external entity pointing at a local file.</summary>
    ExternalEntity,
    /// <summary>Nested entity expansion ("billion laughs").</summary>
    BillionLaughs,
    /// <summary>200 with no body.</summary>
    Empty,
    /// <summary>Elements nested tens of thousands deep.</summary>
    DeepNesting,
    /// <summary>An HTML error page.</summary>
    Html,
    /// <summary>Valid XML, but not SOAP.</summary>
    NotSoap,
    /// <summary>A SOAP fault.</summary>
    SoapFault,
    /// <summary>A NoError answer whose Domains omit the queried domain.</summary>
    WrongDomain,
    /// <summary>A NoError answer with no ApplicationUri.</summary>
    MissingApplicationUri,
    /// <summary>Admin API: valid JSON that lacks the fields a client needs (no "value", no "error").</summary>
    MissingFields,
    /// <summary>Admin API: the plain-text "You have reached the maximum number of concurrent requests per tenant..." (429 unless Status says otherwise).</summary>
    ConcurrencyLimit,
    /// <summary>Admin API: the same text inside an Exchange error body (500 unless Status says otherwise).</summary>
    ConcurrencyLimitJson,
}

/// <summary>
/// A fault knob. A rule matches a request by host, port, domain and path (each optional); the first match
/// is applied and its Remaining count (if any) goes down.
/// </summary>
public sealed class FaultRule
{
    public string? Id { get; set; }

    // Matching
    public string? Host { get; set; }
    public int? Port { get; set; }
    public string? Domain { get; set; }
    public string? PathPrefix { get; set; }
    /// <summary>"POST" or "GET"; null for both.</summary>
    public string? Method { get; set; }
    /// <summary>
    /// "autodiscover", "adminapi", "identity" or "graph" (getSchedule, the cross-tenant access policy, tenant information). A rule without it and without PathPrefix applies to Autodiscover
    /// only (as before the other services existed); with a PathPrefix, the path decides.
    /// </summary>
    public string? Service { get; set; }
    /// <summary>Admin API, identity and graph: the tenant (GUID, domain or name) the request is for (graph: the token's tenant).</summary>
    public string? Tenant { get; set; }
    /// <summary>Admin API: the CmdletName in the body.</summary>
    public string? Cmdlet { get; set; }
    public int? Remaining { get; set; }

    // Effects, applied in this order
    /// <summary>Wait at this named gate until a test opens it (POST /_sandbox/gates/{name}/open) or the client gives up; see <see cref="HoldGates"/>.</summary>
    public string? Hold { get; set; }
    public int LatencyMs { get; set; }
    /// <summary>Delay before the response headers are sent.</summary>
    public int SlowHeadersMs { get; set; }
    /// <summary>Close the connection without an answer.</summary>
    public bool Abort { get; set; }
    /// <summary>Answer with a redirect to this Location. "{origin}" is replaced by the request's scheme://host:port,
    /// "{port:N}" by the Nth listening port.</summary>
    public string? Redirect { get; set; }
    public int RedirectStatus { get; set; } = 302;
    public int? Status { get; set; }
    /// <summary>Adds a Retry-After header with this many seconds.</summary>
    public int? RetryAfterSeconds { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public FaultBody Body { get; set; }
    public int OversizeBytes { get; set; } = 50 * 1024 * 1024;
    /// <summary>Send the body slowly: this many ms between chunks.</summary>
    public int SlowBodyMs { get; set; }
    /// <summary>Send half the body, then reset the connection.</summary>
    public bool ResetMidBody { get; set; }
    /// <summary>Answer this Autodiscover ErrorCode instead of the real one.</summary>
    public string? ErrorCode { get; set; }
    /// <summary>Replace the answer body with this text.</summary>
    public string? RawBody { get; set; }
    public string? ContentType { get; set; }

    /// <summary>A copy with its own Remaining count: sandbox.json's standing rules are added as copies, again at each reset.</summary>
    public FaultRule Clone()
    {
        var copy = (FaultRule)MemberwiseClone();
        if (Headers != null) copy.Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase);
        return copy;
    }
}
