using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace CalendarFederation.Sandbox.Tests.Support;

/// <summary>Assertions on the admin API's answers, written against the wire shape (not the sandbox's own types).</summary>
public static class ExchangeAssert
{
    /// <summary>An Exchange error: status, error.code, details[0] "ErrorId|ExceptionType|Message", innererror type and message.</summary>
    public static void Error(AdminResponse r, string errorId, string exceptionType, string message, HttpStatusCode status = HttpStatusCode.BadRequest, string? category = null)
    {
        Assert.True(r.Status == status, $"Expected {status}, got {r.Status}: {r.Text}");
        JsonObject error = r.Json["error"]!.AsObject();
        Assert.Equal(status == HttpStatusCode.BadRequest ? "BadRequest" : status.ToString(), (string?)error["code"]);
        Assert.Equal("Error executing cmdlet", (string?)error["message"]);
        Assert.Equal(new[] { errorId, exceptionType, message }, r.ErrorDetail);
        Assert.Equal(exceptionType, (string?)error["innererror"]!["type"]);
        Assert.Equal(message, (string?)error["innererror"]!["message"]);
        if (category != null) Assert.Equal(category, (string?)error["innererror"]!["category"]);
    }

    public static void NoContent(AdminResponse r) => Assert.True(r.Status == HttpStatusCode.NoContent, $"Expected 204, got {r.Status}: {r.Text}");

    public static JsonArray Ok(AdminResponse r)
    {
        Assert.True(r.Status == HttpStatusCode.OK, $"Expected 200, got {r.Status}: {r.Text}");
        return r.Value;
    }

    public static string[] Strings(JsonNode? array) => array!.AsArray().Select(n => (string)n!).ToArray();

    /// <summary>The property names of a JSON object, sorted.</summary>
    public static string[] Keys(JsonNode? node) => node!.AsObject().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();
}
