using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.Faults;

/// <summary>Applies a fault rule to a JSON service (the admin API, the sign-in endpoints).</summary>
public static class JsonFaultWriter
{
    public const string ConcurrencyText = "You have reached the maximum number of concurrent requests per tenant. Please wait and try again";

    /// <summary>True when the rule replaces the answer (as opposed to only slowing it down).</summary>
    public static bool ReplacesAnswer(FaultRule fault) =>
        fault.Abort || fault.Redirect != null || fault.Status != null || fault.Body != FaultBody.None || fault.RawBody != null
        || fault.SlowBodyMs > 0 || fault.ResetMidBody;

    /// <summary>
    /// Applies the rule's delays and, when it replaces the answer, writes it. <paramref name="realAnswer"/> builds the
    /// real answer when the fault is built from it (truncated, missing fields, slow body). The Retry-After sent, if any,
    /// goes to <paramref name="onRetryAfter"/>. False when the caller should go on and answer normally.
    /// </summary>
    public static async Task<bool> ApplyAsync(HttpContext ctx, FaultRule fault, Func<Task<(int Status, string Body)>> realAnswer, Action<int>? onRetryAfter)
    {
        if (fault.Hold != null) await ctx.RequestServices.GetRequiredService<SandboxState>().Gates.WaitAsync(fault.Hold, ctx.RequestAborted);
        if (fault.LatencyMs > 0) await SandboxDelay.AtLeastAsync(fault.LatencyMs, ctx.RequestAborted);
        if (fault.SlowHeadersMs > 0) await SandboxDelay.AtLeastAsync(fault.SlowHeadersMs, ctx.RequestAborted);
        if (!ReplacesAnswer(fault)) return false;
        if (fault.Abort)
        {
            ctx.Abort();
            return true;
        }
        if (fault.Headers != null)
        {
            foreach ((string name, string value) in fault.Headers) ctx.Response.Headers[name] = value;
        }
        int? retryAfter = fault.RetryAfterSeconds;
        if (retryAfter == null && fault.Headers != null
            && fault.Headers.FirstOrDefault(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value is string ra
            && int.TryParse(ra, out int parsed))
        {
            retryAfter = parsed;
        }
        if (fault.RetryAfterSeconds != null) ctx.Response.Headers.RetryAfter = fault.RetryAfterSeconds.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (retryAfter != null) onRetryAfter?.Invoke(retryAfter.Value);
        if (fault.Redirect != null)
        {
            ctx.Response.StatusCode = fault.RedirectStatus;
            ctx.Response.Headers.Location = fault.Redirect.Replace("{origin}", $"{ctx.Request.Scheme}://{ctx.Request.Host}");
            return true;
        }

        int status;
        string body;
        string contentType = fault.ContentType ?? "application/json; charset=utf-8";
        switch (fault.Body)
        {
            case FaultBody.None when fault.RawBody == null && fault.Status != null:
                status = fault.Status.Value;
                body = DefaultError(status).ToJsonString(CalendarFederation.Sandbox.Identity.Jwt.WireJson);
                break;
            case FaultBody.None:
            {
                (int realStatus, string real) = await realAnswer();
                status = fault.Status ?? realStatus;
                body = real;
                break;
            }
            case FaultBody.Truncated:
            {
                (int realStatus, string real) = await realAnswer();
                status = fault.Status ?? realStatus;
                body = real.Substring(0, real.Length / 2);
                break;
            }
            case FaultBody.MissingFields:
            {
                (int realStatus, string real) = await realAnswer();
                status = fault.Status ?? realStatus;
                body = StripFields(real);
                break;
            }
            case FaultBody.ConcurrencyLimit:
                status = fault.Status ?? 429;
                body = ConcurrencyText;
                contentType = fault.ContentType ?? "text/plain; charset=utf-8";
                break;
            case FaultBody.ConcurrencyLimitJson:
                status = fault.Status ?? 500;
                body = AdminApi.ExchangeErrorException.Render(
                    AdminApi.ExchangeErrorException.StatusCode(status), ConcurrencyText,
                    "|Microsoft.Exchange.Admin.OData.Core.ODataServiceException|" + ConcurrencyText,
                    ConcurrencyText, "Microsoft.Exchange.Admin.OData.Core.ODataServiceException", "ServerError").ToJsonString(CalendarFederation.Sandbox.Identity.Jwt.WireJson);
                break;
            case FaultBody.Empty:
                status = fault.Status ?? 200;
                body = "";
                break;
            case FaultBody.Html:
                status = fault.Status ?? 502;
                body = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
                contentType = fault.ContentType ?? "text/html";
                break;
            default:
                // Malformed, and the XML-only kinds, which mean nothing to a JSON client but garbage.
                status = fault.Status ?? 200;
                body = "{\"@odata.context\":\"https://outlook.office365.com/adminapi/beta/$metadata#Collection(Exchange.GenericHashTable)\",\"value\":[{\"Name\":\"x\",,}]<<not json";
                break;
        }
        if (fault.RawBody != null) body = fault.RawBody;

        byte[] bytes = Encoding.UTF8.GetBytes(body);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        if (fault.ResetMidBody)
        {
            ctx.Response.ContentLength = bytes.Length;
            await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            await Task.Delay(50);
            ctx.Abort();
            return true;
        }
        ctx.Response.ContentLength = bytes.Length;
        if (fault.SlowBodyMs > 0)
        {
            int chunk = Math.Max(1, bytes.Length / 10);
            for (int i = 0; i < bytes.Length; i += chunk)
            {
                await ctx.Response.Body.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)), ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                await Task.Delay(fault.SlowBodyMs, ctx.RequestAborted);
            }
            return true;
        }
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
        return true;
    }

    /// <summary>The body a bare status fault carries: a short OData error, as the front end sends for throttling and outages.</summary>
    public static JsonObject DefaultError(int status)
    {
        string message = status switch
        {
            429 => "Too many requests. Please wait and try again.",
            503 => "The service is temporarily unavailable. Please try again later.",
            504 => "The gateway timed out waiting for the server.",
            408 => "The request timed out.",
            _ => "The sandbox was asked to fail this request.",
        };
        return new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = AdminApi.ExchangeErrorException.StatusCode(status),
                ["message"] = message,
            },
        };
    }

    private static string StripFields(string real)
    {
        try
        {
            if (JsonNode.Parse(real) is JsonObject o)
            {
                o.Remove("value");
                o.Remove("error");
                o.Remove("@odata.nextLink");
                o.Remove("@adminapi.warnings");
                return o.ToJsonString(CalendarFederation.Sandbox.Identity.Jwt.WireJson);
            }
        }
        catch (JsonException)
        {
        }
        return "{}";
    }
}
