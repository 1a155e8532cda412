using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.Identity;

/// <summary>An OAuth error in Entra ID's shape: error, "AADSTSnnn: ..." description, error_codes, timestamp, ids.</summary>
public sealed class AadError
{
    public AadError(int status, string error, long code, string message, string? subError = null)
    {
        Status = status;
        Error = error;
        Code = code;
        Message = message;
        SubError = subError;
    }

    public int Status { get; }
    public string Error { get; }
    public long Code { get; }
    public string Message { get; }
    public string? SubError { get; }
    public string TraceId { get; } = Guid.NewGuid().ToString();
    public string CorrelationId { get; set; } = Guid.NewGuid().ToString();

    public string Description =>
        $"AADSTS{Code}: {Message} Trace ID: {TraceId} Correlation ID: {CorrelationId} Timestamp: {DateTime.UtcNow:yyyy-MM-dd HH:mm:ssZ}";

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["error"] = Error,
            ["error_description"] = Description,
            ["error_codes"] = new JsonArray(Code),
            ["timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ssZ"),
            ["trace_id"] = TraceId,
            ["correlation_id"] = CorrelationId,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={Code}",
        };
        if (SubError != null) json["suberror"] = SubError;
        return json;
    }

    // The codes the sandbox uses, with Entra ID's wording.
    public static AadError MissingParameter(string name) =>
        new(400, "invalid_request", 900144, $"The request body must contain the following parameter: '{name}'.");

    public static AadError TenantNotFound(string tenant) =>
        new(400, "invalid_tenant", 90002, $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");

    public static AadError NoTenant() =>
        new(400, "invalid_request", 50059, "No tenant-identifying information found in either the request or implied by any provided credentials.");

    public static AadError UnknownApp(string? clientId, string tenantName) =>
        new(400, "unauthorized_client", 700016, $"Application with identifier '{clientId}' was not found in the directory '{tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");

    public static AadError InvalidSecret(string clientId) =>
        new(401, "invalid_client", 7000215, $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.");

    public static AadError CredentialRequired() =>
        new(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");

    public static AadError PublicClientWithCredential() =>
        new(401, "invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");

    public static AadError UnknownCertificate(string? thumbprint) =>
        new(401, "invalid_client", 700027, $"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/<appId>'].");

    public static AadError BadAssertionSignature() =>
        new(401, "invalid_client", 700027, "Client assertion failed signature validation.");

    public static AadError AssertionTime() =>
        new(401, "invalid_client", 700024, "Client assertion is not within its valid time range.");

    public static AadError AssertionSubject() =>
        new(401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .");

    public static AadError InvalidJwt(string why) =>
        new(401, "invalid_client", 50027, $"JWT token is invalid or malformed. {why}");

    public static AadError InvalidScope(string scope) =>
        new(400, "invalid_scope", 70011, $"The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid.");

    public static AadError ClientCredentialsScope(string scope) =>
        new(400, "invalid_scope", 1002012, $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");

    public static AadError MultipleResources() =>
        new(400, "invalid_scope", 28000, "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope openid profile offline_access is not valid.");

    public static AadError UnknownResource(string resource, string tenantName) =>
        new(400, "invalid_resource", 500011, $"The resource principal named {resource} was not found in the tenant named {tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.");

    public static AadError UnsupportedGrant(string grant) =>
        new(400, "unsupported_grant_type", 70003, $"The app requested an unsupported grant type '{grant}'.");

    public static AadError InvalidGrant(string message) => new(400, "invalid_grant", 70000, message);

    /// <summary>AADSTS65001 as the token endpoint sends it: invalid_grant with suberror consent_required (MSAL's MsalUiRequiredException).</summary>
    public static AadError ConsentRequired(string appId, string? appName) =>
        new(400, "invalid_grant", 65001,
            $"The user or administrator has not consented to use the application with ID '{appId}' named '{appName ?? appId}'. Send an interactive authorization request for this user and resource.",
            "consent_required");

    public static AadError NoUsers(string tenantName) =>
        new(400, "invalid_grant", 50034, $"The user account does not exist in the {tenantName} directory. To sign into this application, the account must be added to the directory.");
}
