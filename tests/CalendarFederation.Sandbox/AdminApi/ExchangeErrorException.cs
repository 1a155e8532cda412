using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>
/// Thrown by a cmdlet handler to answer in Exchange Online's REST error shape:
/// {"error":{"code":"BadRequest","message":"Error executing cmdlet","details":[{"code":"Context","target":"",
/// "message":"ErrorId|ExceptionType|Message"}],"innererror":{"message","type","@Microsoft.Exchange.Admin.OData.Core.ErrorType"}}}.
/// </summary>
public sealed class ExchangeErrorException : Exception
{
    public ExchangeErrorException(string errorId, string exceptionType, string message, int httpStatus = 400, string? errorType = null, string? code = null)
        : base(message)
    {
        ErrorId = errorId;
        ExceptionType = exceptionType;
        HttpStatus = httpStatus;
        ErrorType = errorType ?? exceptionType.Substring(exceptionType.LastIndexOf('.') + 1);
        Code = code ?? StatusCode(httpStatus);
    }

    public string ErrorId { get; }
    public string ExceptionType { get; }
    public int HttpStatus { get; }
    /// <summary>innererror's "@Microsoft.Exchange.Admin.OData.Core.ErrorType".</summary>
    public string ErrorType { get; }
    /// <summary>error.code: "BadRequest", "NotFound", "Forbidden", "InternalServerError", ...</summary>
    public string Code { get; }

    /// <summary>The server name Exchange puts in its messages.</summary>
    public const string ServerName = "AM0PR01A001DC01.EURPR01A001.prod.outlook.com";

    public JsonObject ToJson() => Render(Code, "Error executing cmdlet", $"{ErrorId}|{ExceptionType}|{Message}", Message, ExceptionType, ErrorType);

    public static JsonObject Render(string code, string message, string detail, string innerMessage, string innerType, string errorType) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["details"] = new JsonArray(new JsonObject
            {
                ["code"] = "Context",
                ["target"] = "",
                ["message"] = detail,
            }),
            ["innererror"] = new JsonObject
            {
                ["message"] = innerMessage,
                ["type"] = innerType,
                ["@Microsoft.Exchange.Admin.OData.Core.ErrorType"] = errorType,
            },
        },
    };

    public static string StatusCode(int status) => status switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        408 => "RequestTimeout",
        409 => "Conflict",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "Error",
    };

    // Errors cmdlet handlers commonly need, with Exchange's wording.

    public static ExchangeErrorException ObjectNotFound(string identity) => new(
        "Ex6F9304", "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
        $"The operation couldn't be performed because object '{identity}' couldn't be found on '{ServerName}'.",
        errorType: "ManagementObjectNotFoundException");

    public static ExchangeErrorException CommandNotFound(string cmdlet) => new(
        "CommandNotFoundException", "System.Management.Automation.CommandNotFoundException",
        $"The term '{cmdlet}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");

    public static ExchangeErrorException ParameterNotFound(string cmdlet, string parameter) => new(
        "NamedParameterNotFound", "System.Management.Automation.ParameterBindingException",
        $"A parameter cannot be found that matches parameter name '{parameter}'. ({cmdlet})");

    public static ExchangeErrorException InvalidOperation(string errorId, string message) => new(
        errorId, "System.InvalidOperationException", message);
}
