using System.Net;
using System.Text;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Model;
using Microsoft.AspNetCore.Http.Features;

namespace CalendarFederation.Sandbox.Autodiscover;

/// <summary>
/// The anonymous Autodiscover SOAP service (GetFederationInformation) and the unsecured autodiscover.xml probe.
/// Virtual hosts come from the Host header, so one listener stands in for many partners' endpoints.
/// </summary>
public sealed class AutodiscoverEndpoint
{
    private readonly SandboxState _state;

    public AutodiscoverEndpoint(SandboxState state) => _state = state;

    public void Map(WebApplication app)
    {
        app.MapPost("/autodiscover/autodiscover.svc", HandleSoapAsync);
        app.MapPost("/autodiscover/autodiscover.svc/WSSecurity", HandleSoapAsync);
        app.MapGet("/autodiscover/autodiscover.xml", HandleProbeAsync);
        app.MapGet("/autodiscover/autodiscover.svc", (HttpContext ctx) => Results.StatusCode(405));
    }

    private async Task HandleSoapAsync(HttpContext ctx)
    {
        RequestRecord record = NewRecord(ctx);
        _state.RecordWhenAnswered(ctx, record);
        try
        {
            await HandleSoapCoreAsync(ctx, record);
        }
        finally
        {
            record.Status = ctx.Response.StatusCode;
            _state.Record(record);
        }
    }

    private async Task HandleSoapCoreAsync(HttpContext ctx, RequestRecord record)
    {
        byte[] body = await ReadBodyAsync(ctx.Request, 256 * 1024);
        record.SoapAction = ctx.Request.Headers["SOAPAction"].ToString();
        CheckAnonymous(ctx, record);

        string contentType = ctx.Request.ContentType ?? "";
        bool soap11 = contentType.StartsWith("text/xml", StringComparison.OrdinalIgnoreCase);
        bool soap12 = contentType.StartsWith("application/soap+xml", StringComparison.OrdinalIgnoreCase);
        if (!soap11 && !soap12)
        {
            ctx.Response.StatusCode = 415;
            return;
        }

        SoapRequest? request = SoapRequest.Parse(body, out string? parseFault);
        string soapNs = request?.SoapNamespace ?? (soap12 ? SoapRequest.Soap12 : SoapRequest.Soap11);
        record.SoapVersion = soapNs == SoapRequest.Soap12 ? "1.2" : "1.1";
        if (request == null)
        {
            await WriteSoapAsync(ctx, 500, soapNs, SoapResponses.Fault(soapNs, soap11 ? "Client" : "Sender", parseFault!));
            return;
        }
        record.Domain = request.Domain;

        // The front end lets an unauthenticated request through only for the GetFederationInformation action.
        bool actionOk = request.ActionHeader != null && request.ActionHeader.EndsWith("/GetFederationInformation", StringComparison.Ordinal);
        string soapAction = record.SoapAction.Trim('"');
        if (!actionOk || (soap11 && soapAction.Length > 0 && soapAction != request.ActionHeader))
        {
            ctx.Response.StatusCode = 401;
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            return;
        }
        // a:To is recorded, not matched: Microsoft's Autodiscover answers a To naming another host (check_mdi posts one
        // naming autodiscover.byfcxu-dom.extest.microsoft.com to autodiscover-s.outlook.com and gets real answers;
        // docs/protocol-evidence.md). A request without any a:To is still refused, as no client sends one.
        record.SoapTo = request.To;
        if (request.To == null)
        {
            await WriteSoapAsync(ctx, 500, soapNs, SoapResponses.Fault(soapNs, "Sender",
                "The message with To '' cannot be processed at the receiver, due to an AddressFilter mismatch at the EndpointDispatcher."));
            return;
        }
        if (record.HasAuthorization || record.HasCookie || record.HasClientCertificate)
        {
            await WriteSoapAsync(ctx, 400, soapNs, SoapResponses.Fault(soapNs, "Sender", "The anonymous endpoint received credentials."));
            return;
        }

        string host = ctx.Request.Host.Host;
        int port = ctx.Connection.LocalPort;
        TenantConfig? tenant = string.IsNullOrEmpty(request.Domain) ? null : _state.Config.FindTenantByDomain(request.Domain!);
        FaultRule? fault = _state.MatchFault("POST", host, port, ctx.Request.Path, request.Domain);
        record.Fault = fault?.Id;

        if (fault?.Hold != null) await _state.Gates.WaitAsync(fault.Hold, ctx.RequestAborted);
        int latency = _state.LatencyMs + (tenant?.LatencyMs ?? 0) + (fault?.LatencyMs ?? 0);
        if (latency > 0) await SandboxDelay.AtLeastAsync(latency, ctx.RequestAborted);

        HostConfig? hostConfig = ResolveHost(host);
        SoapResponses.Answer answer = Answer(request.Domain, tenant, hostConfig, fault?.ErrorCode);
        string real = SoapResponses.Envelope(soapNs, answer, includeApplicationUri: fault?.Body != FaultBody.MissingApplicationUri);
        if (fault?.Body == FaultBody.WrongDomain)
        {
            real = SoapResponses.Envelope(soapNs, answer with { ErrorCode = "NoError", ApplicationUri = "outlook.com", Domains = new[] { "someone-else.example" } });
        }

        if (fault != null)
        {
            await ApplyFaultAsync(ctx, fault, soapNs, real);
            return;
        }
        if (hostConfig == null)
        {
            ctx.Response.StatusCode = 404;
            return;
        }
        if (hostConfig.Status != null)
        {
            ctx.Response.StatusCode = hostConfig.Status.Value;
            return;
        }
        if (hostConfig.Redirect != null)
        {
            ctx.Response.StatusCode = 302;
            ctx.Response.Headers.Location = Expand(hostConfig.Redirect, ctx);
            return;
        }
        await WriteSoapAsync(ctx, 200, soapNs, real);
    }

    private async Task HandleProbeAsync(HttpContext ctx)
    {
        RequestRecord record = NewRecord(ctx);
        _state.RecordWhenAnswered(ctx, record);
        try
        {
            CheckAnonymous(ctx, record);
            string host = ctx.Request.Host.Host;
            FaultRule? fault = _state.MatchFault("GET", host, ctx.Connection.LocalPort, ctx.Request.Path, null);
            record.Fault = fault?.Id;
            if (fault != null)
            {
                await ApplyFaultAsync(ctx, fault, SoapRequest.Soap11, "");
                return;
            }
            HostConfig? hostConfig = _state.Config.Hosts.GetValueOrDefault(host);
            if (hostConfig?.ProbeRedirect != null)
            {
                ctx.Response.StatusCode = 302;
                ctx.Response.Headers.Location = Expand(hostConfig.ProbeRedirect, ctx);
                return;
            }
            ctx.Response.StatusCode = hostConfig?.Status ?? 404;
        }
        finally
        {
            record.Status = ctx.Response.StatusCode;
            _state.Record(record);
        }
    }

    private SoapResponses.Answer Answer(string? domain, TenantConfig? tenant, HostConfig? host, string? forcedCode)
    {
        var none = Array.Empty<string>();
        var noIssuers = Array.Empty<TokenIssuerConfig>();
        if (forcedCode != null && forcedCode != "NoError") return new(forcedCode, null, none, noIssuers);
        if (string.IsNullOrWhiteSpace(domain)) return new("InvalidRequest", null, none, noIssuers);
        if (tenant == null) return new("InvalidDomain", null, none, noIssuers);
        if (tenant.ErrorCode != null && tenant.ErrorCode != "NoError") return new(tenant.ErrorCode, null, none, noIssuers);
        if (host != null && !host.ServesDomain(domain!, tenant)) return new("InvalidDomain", null, none, noIssuers);
        if (!tenant.Federated) return new("NotFederated", null, none, noIssuers);
        // Since 2025 Exchange Online returns only the queried domain, spelled as the tenant stores it.
        IReadOnlyList<string> domains = tenant.ReturnAllDomains
            ? tenant.Domains
            : tenant.Domains.Where(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase)).ToArray();
        return new("NoError", tenant.ApplicationUri, domains, tenant.TokenIssuers);
    }

    // A loopback host nobody configured is the cloud's own Autodiscover endpoint: it answers for every tenant.
    private HostConfig? ResolveHost(string host)
    {
        if (_state.Config.Hosts.TryGetValue(host, out HostConfig? config)) return config;
        bool loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
        return loopback ? new HostConfig { Serves = { "*" } } : null;
    }

    private async Task ApplyFaultAsync(HttpContext ctx, FaultRule fault, string soapNs, string realAnswer)
    {
        if (fault.SlowHeadersMs > 0) await Task.Delay(fault.SlowHeadersMs, ctx.RequestAborted);
        if (fault.Abort)
        {
            ctx.Abort();
            return;
        }
        if (fault.Headers != null)
        {
            foreach ((string name, string value) in fault.Headers) ctx.Response.Headers[name] = value;
        }
        if (fault.Redirect != null)
        {
            ctx.Response.StatusCode = fault.RedirectStatus;
            ctx.Response.Headers.Location = Expand(fault.Redirect, ctx);
            return;
        }

        int status = fault.Status ?? (fault.Body == FaultBody.SoapFault ? 500 : 200);
        if (fault.Body == FaultBody.Oversized)
        {
            await WriteOversizedAsync(ctx, status, soapNs, fault.OversizeBytes);
            return;
        }
        string body = fault.RawBody ?? SoapResponses.Hostile(fault.Body, realAnswer, soapNs);
        if (fault.Status != null && fault.Body == FaultBody.None && fault.RawBody == null) body = "";
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = fault.ContentType ?? (fault.Body == FaultBody.Html ? "text/html" : ContentTypeFor(soapNs));

        if (fault.ResetMidBody)
        {
            ctx.Response.ContentLength = bytes.Length;
            await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            await Task.Delay(50);
            ctx.Abort();
            return;
        }
        if (fault.SlowBodyMs > 0)
        {
            ctx.Response.ContentLength = bytes.Length;
            int chunk = Math.Max(1, bytes.Length / 10);
            for (int i = 0; i < bytes.Length; i += chunk)
            {
                await ctx.Response.Body.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)), ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                await Task.Delay(fault.SlowBodyMs, ctx.RequestAborted);
            }
            return;
        }
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    // Streams a valid-looking envelope padded past any sane size, without Content-Length, so only a client-side cap stops it.
    private static async Task WriteOversizedAsync(HttpContext ctx, int status, string soapNs, int size)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = ContentTypeFor(soapNs);
        byte[] head = Encoding.UTF8.GetBytes($"<s:Envelope xmlns:s=\"{soapNs}\"><s:Body><GetFederationInformationResponseMessage xmlns=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\"><Response><ErrorCode>NoError</ErrorCode><ErrorMessage>");
        byte[] pad = Encoding.UTF8.GetBytes(new string('A', 64 * 1024));
        try
        {
            await ctx.Response.Body.WriteAsync(head, ctx.RequestAborted);
            for (int written = head.Length; written < size; written += pad.Length)
            {
                await ctx.Response.Body.WriteAsync(pad, ctx.RequestAborted);
            }
            await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("</ErrorMessage></Response></GetFederationInformationResponseMessage></s:Body></s:Envelope>"), ctx.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException || ex is IOException)
        {
            // The client stopped reading at its cap, as it should.
        }
    }

    private static async Task WriteSoapAsync(HttpContext ctx, int status, string soapNs, string xml)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = ContentTypeFor(soapNs);
        byte[] bytes = Encoding.UTF8.GetBytes(xml);
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    private static string ContentTypeFor(string soapNs) =>
        soapNs == SoapRequest.Soap12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";

    private void CheckAnonymous(HttpContext ctx, RequestRecord record)
    {
        record.HasAuthorization = ctx.Request.Headers.ContainsKey("Authorization");
        record.HasCookie = ctx.Request.Headers.ContainsKey("Cookie");
        record.HasClientCertificate = ctx.Connection.ClientCertificate != null;
        if (record.HasAuthorization || record.HasCookie || record.HasClientCertificate)
        {
            _state.AddViolation($"{ctx.Request.Method} {ctx.Request.Host}{ctx.Request.Path} carried credentials " +
                $"(Authorization: {record.HasAuthorization}, Cookie: {record.HasCookie}, client certificate: {record.HasClientCertificate}).");
        }
    }

    private string Expand(string location, HttpContext ctx)
    {
        string origin = $"{ctx.Request.Scheme}://{ctx.Request.Host}";
        string result = location.Replace("{origin}", origin);
        for (int i = 0; i < _state.Ports.Count; i++) result = result.Replace("{port:" + i + "}", _state.Ports[i].ToString());
        return result;
    }

    private static RequestRecord NewRecord(HttpContext ctx) => new()
    {
        Method = ctx.Request.Method,
        Scheme = ctx.Request.Scheme,
        Host = ctx.Request.Host.Host,
        Port = ctx.Connection.LocalPort,
        Path = ctx.Request.Path,
        UserAgent = ctx.Request.Headers.UserAgent.ToString(),
    };

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer)) > 0)
        {
            ms.Write(buffer, 0, read);
            if (ms.Length > limit) throw new BadHttpRequestException("Request body too large.", 413);
        }
        return ms.ToArray();
    }
}
