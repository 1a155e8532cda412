using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>
/// Thrown by a cmdlet handler to answer in Exchange Online's REST error shape:
/// {"error":{"code":"BadRequest","message":"Error executing cmdlet","details":[{"code":"Context","target":"",
/// "message":"ErrorId|ExceptionType|Message"}],"innererror":{"message","type","@Microsoft.Exchange.Admin.OData.Core.ErrorType"}}}.
/// </summary>
public sealed class ExchangeErrorException : Exception
{
    public ExchangeErrorException(string errorId, string exceptionType, string message, int httpStatus = 400, string? errorType = null, string? code = null,
        string? category = null)
        : base(message)
    {
        Category = category;
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
    /// <summary>
    /// The PowerShell error category Exchange writes the error with ("InvalidOperation", "InvalidArgument", ...), sent as
    /// innererror.category (a sandbox addition: the REST body carries no category of its own). Null: not sent.
    /// </summary>
    public string? Category { get; }

    /// <summary>The server name Exchange puts in its messages.</summary>
    public const string ServerName = "AM0PR01A001DC01.EURPR01A001.prod.outlook.com";

    public JsonObject ToJson()
    {
        JsonObject body = Render(Code, "Error executing cmdlet", $"{ErrorId}|{ExceptionType}|{Message}", Message, ExceptionType, ErrorType);
        if (Category != null) body["error"]!["innererror"]!["category"] = Category;
        return body;
    }

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
        errorId, "System.InvalidOperationException", message, category: "InvalidOperation");

    // ---- organization relationships and the organization's customization (docs/protocol.md §3) ----

    public const string DehydratedMessage =
        "The command you tried to run isn't currently allowed in your organization. To run this command, you first need to run the command: Enable-OrganizationCustomization.";

    /// <summary>A write on a dehydrated (or still hydrating) tenant.</summary>
    public static ExchangeErrorException Dehydrated() => new(
        "Ex5E6C11", "Microsoft.Exchange.Configuration.Tasks.InvalidOperationInDehydratedContextException", DehydratedMessage,
        errorType: "InvalidOperationInDehydratedContextException", category: "InvalidOperation");

    /// <summary>Another relationship holds one of the domains; {0} lists the relationship's domains, as Exchange formats them.</summary>
    public static ExchangeErrorException DuplicateDomains(IEnumerable<string> domains) => new(
        "Ex3A7C41", "Microsoft.Exchange.Management.SystemConfigurationTasks.DuplicateOrganizationRelationshipDomainException",
        $"The domains {string.Join(", ", domains)} already exist in another organization relationship. Domains can only exist in one organization relationship. " +
        "To create an organization relationship with this domain, remove the domain from the other organization relationship.",
        category: "InvalidOperation");

    /// <summary>A relationship (or the new name of one) that already exists: the directory's own error.</summary>
    public static ExchangeErrorException AlreadyExists(string dn) => new(
        "Ex9B5D12", "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
        $"Active Directory operation failed on {ServerName}. The object '{dn}' already exists.",
        errorType: "ADObjectAlreadyExistsException", category: "ResourceExists");

    /// <summary>Too many domains in one request: the directory query gets one subfilter per domain.</summary>
    public static ExchangeErrorException TooManySubfilters() => new(
        "Ex2C90A7", "Microsoft.Exchange.Data.Directory.ADFilterException",
        "The total number of explicit and implicit subfilters exceeds maximum allowed number of 250.  Processing stopped.",
        errorType: "ADFilterException", category: "NotSpecified");

    /// <summary>A group (FreeBusyAccessScope and the like) or other recipient parameter that names nothing.</summary>
    public static ExchangeErrorException RecipientNotFound(string identity) => new(
        "Ex94914C", "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
        $"Couldn't find object \"{identity}\". Please make sure that it was spelled correctly or specify a different object.",
        errorType: "ManagementObjectNotFoundException", category: "NotSpecified");

    public static ExchangeErrorException CustomizationNotRequired() => new(
        "Ex7F1E22", "System.InvalidOperationException", "This operation is not required. Organization is already enabled for customization.",
        category: "InvalidOperation");

    public static ExchangeErrorException CustomizationTemporarilyDisabled(string organization) => new(
        "Ex4D0B33", "System.InvalidOperationException",
        $"Enabling customization for organization '{organization}' is temporarily disabled. Please try again later.", category: "InvalidOperation");

    public static ExchangeErrorException CustomizationUnavailable() => new(
        "Ex1B8A44", "System.InvalidOperationException", "This operation is not available in current Service Offer", category: "InvalidOperation");

    /// <summary>A property value that breaks its length constraint (Name: 64).</summary>
    public static ExchangeErrorException TooLong(int max, int length) => new(
        "Ex0C5F55", "Microsoft.Exchange.Data.DataValidationException",
        $"The length of the property is too long. The maximum length is {max} and the length of the value provided is {length}.",
        errorType: "DataValidationException", category: "InvalidArgument");

    /// <summary>A URI parameter that must be absolute but is not.</summary>
    public static ExchangeErrorException NotAbsoluteUri(string parameter, string value) => new(
        "Ex8A3E77", "Microsoft.Exchange.Data.DataValidationException",
        $"The value \"{value}\" of property {parameter} isn't valid. The URI must be absolute.",
        errorType: "DataValidationException", category: "InvalidArgument");

    public static ExchangeErrorException NoPermissionEntry(string user) => new(
        "Ex6E2D66", "Microsoft.Exchange.Management.StoreTasks.UserNotFoundInPermissionEntryException",
        $"There is no existing permission entry found for user: {user}.", errorType: "UserNotFoundInPermissionEntryException", category: "NotSpecified");

    /// <summary>Add-AvailabilityAddressSpace -AccessMethod OrgWideFBToken without TargetTenantId or TargetServiceEpr (sandbox wording).</summary>
    public static ExchangeErrorException TokenAddressSpaceIncomplete() => new(
        "Ex5A2D81", "Microsoft.Exchange.Data.DataValidationException",
        "The access method OrgWideFBToken requires both the TargetTenantId and the TargetServiceEpr parameters.",
        errorType: "DataValidationException", category: "InvalidArgument");

    /// <summary>A sharing policy that would list one domain twice (sandbox wording).</summary>
    public static ExchangeErrorException SharingDomainTwice(string domain) => new(
        "Ex3F7B90", "Microsoft.Exchange.Data.DataValidationException",
        $"The domain '{domain}' appears more than once in the sharing policy. Each domain can be listed only once.",
        errorType: "DataValidationException", category: "InvalidArgument");

    // ---- PowerShell parameter binding (the errors come from PowerShell itself, before the cmdlet runs) ----

    public static ExchangeErrorException MissingMandatory(params string[] parameters) => new(
        "MissingMandatoryParameter", "System.Management.Automation.ParameterBindingException",
        $"Cannot process command because of one or more missing mandatory parameters: {string.Join(" ", parameters)}.", category: "InvalidArgument");

    public static ExchangeErrorException EmptyString(string parameter) => new(
        "ParameterArgumentValidationErrorEmptyStringNotAllowed", "System.Management.Automation.ParameterBindingValidationException",
        $"Cannot bind argument to parameter '{parameter}' because it is an empty string.", category: "InvalidData");

    public static ExchangeErrorException EmptyArray(string parameter) => new(
        "ParameterArgumentValidationErrorEmptyArrayNotAllowed", "System.Management.Automation.ParameterBindingValidationException",
        $"Cannot bind argument to parameter '{parameter}' because it is an empty array.", category: "InvalidData");

    public static ExchangeErrorException NullArgument(string parameter) => new(
        "ParameterArgumentValidationErrorNullNotAllowed", "System.Management.Automation.ParameterBindingValidationException",
        $"Cannot bind argument to parameter '{parameter}' because it is null.", category: "InvalidData");

    /// <summary>A value PowerShell can't convert to the parameter's type.</summary>
    public static ExchangeErrorException CannotConvert(string parameter, string value, string type, string why) => new(
        "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
        $"Cannot process argument transformation on parameter '{parameter}'. Cannot convert value \"{value}\" to type \"{type}\". Error: \"{why}\"",
        category: "InvalidArgument");

    /// <summary>
    /// A hashtable sent without <c>"@odata.type":"#Exchange.GenericHashTable"</c>: the service deserialises it as a JSON
    /// object its parameter binder cannot convert (CIPP-API ConvertTo-CIPPExoHashtable.ps1; docs/protocol-evidence.md).
    /// </summary>
    public static ExchangeErrorException UnannotatedHashtable(string parameter, string raw) => new(
        "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
        $"Cannot process argument transformation on parameter '{parameter}'. Cannot convert the \"{raw}\" value of type " +
        "\"Newtonsoft.Json.Linq.JObject\" to type \"System.Collections.Hashtable\".",
        category: "InvalidArgument");

    /// <summary>
    /// A cmdlet's ShouldContinue on the server, where no host can answer (Set-OrganizationRelationship changing Enabled
    /// without -Force): PowerShell's text for a prompt in a non-interactive host.
    /// </summary>
    public static ExchangeErrorException PromptNotPossible(string query) => new(
        "HostFunctionNotImplemented", "System.Management.Automation.Host.HostException",
        "A command that prompts the user failed because the host program or the command type does not support user interaction. " +
        "The host was attempting to request confirmation with the following message: " + query,
        category: "NotImplemented");

    /// <summary>
    /// A write whose X-AnchorMailbox routes to another tenant's mailbox server than the one holding the routed tenant's
    /// configuration (a partner's UPN on a GDAP route): the error GDAP users report for writes
    /// (office-docs-powershell #10446, CIPP #4877). The ErrorId is empty, as in those reports.
    /// </summary>
    public static ExchangeErrorException CmdletNeedsProxy(string currentServer, string requiredServer) => new(
        "", "Microsoft.Exchange.Configuration.Tasks.CmdletProxyNotAvailableException",
        $"Cmdlet needs proxy. Current Server FQDN : {currentServer}, Required Server FQDN : {requiredServer}",
        category: "NotSpecified");

    /// <summary>A value that is not one of the enum's names.</summary>
    public static ExchangeErrorException NotAnEnumValue(string parameter, string value, string type, IEnumerable<string> names) => new(
        "CannotConvertArgumentNoMessage", "System.Management.Automation.ParameterBindingException",
        $"Cannot bind parameter '{parameter}'. Cannot convert value \"{value}\" to type \"{type}\". Error: \"Unable to match the identifier name {value} to a valid " +
        $"enumerator name. Specify one of the following enumerator names and try again: {string.Join(", ", names)}\"",
        category: "InvalidArgument");
}
