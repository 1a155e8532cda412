using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>How a session gets its Microsoft Graph tokens.</summary>
    public enum GraphTokenKind
    {
        /// <summary>The session's app (certificate or secret), scope {graph}/.default: application permissions.</summary>
        AppOnly,
        /// <summary>The Azure resource's managed identity, resource = the Graph host.</summary>
        ManagedIdentity,
        /// <summary>A signed-in admin through a public client of its own: delegated permissions and the admin's roles.</summary>
        Delegated,
        /// <summary>A Graph access token the caller brought; never refreshed.</summary>
        Supplied,
        /// <summary>The session cannot get a Graph token (an Exchange access token was given, and no Graph token).</summary>
        Unavailable,
    }

    /// <summary>
    /// Gives the Microsoft Graph client a token before every request. Implementations translate their failures into
    /// engine errors: GraphTokenRequired, GraphConsentRequired, InteractiveSignInNotPossible, AuthenticationRequired.
    /// </summary>
    public interface IGraphTokenProvider
    {
        GraphTokenKind Kind { get; }

        /// <summary>The app the tokens are issued to, when known (for messages: "consent Policy.Read.All for app ...").</summary>
        string? ClientId { get; }

        /// <summary>The scopes asked for: {graph}/.default for app-only, the delegated permissions otherwise.</summary>
        IReadOnlyList<string> Scopes { get; }

        /// <summary>
        /// The next token may need a sign-in prompt (a delegated provider that has not signed in yet). Work nobody asked
        /// for, such as tab completion, leaves Graph alone then rather than open a browser.
        /// </summary>
        bool MayPrompt { get; }

        /// <summary>
        /// A token for Graph. <paramref name="forceRefresh"/> after Graph refused the last one (401). A delegated provider may
        /// prompt (device code through <see cref="IEngineEvents.Prompt"/>, or the browser) the first time.
        /// </summary>
        Task<AccessTokenResult> GetTokenAsync(bool forceRefresh, IEngineEvents events, CancellationToken cancellationToken);
    }

    /// <summary>Graph's well-known permission scopes for the cross-tenant access policy, and the default delegated client.</summary>
    public static class GraphScopes
    {
        public const string PolicyReadAll = "Policy.Read.All";
        public const string PolicyReadWriteCrossTenantAccess = "Policy.ReadWrite.CrossTenantAccess";
        public const string PolicyReadWriteCrossTenantCapability = "Policy.ReadWrite.CrossTenantCapability";

        /// <summary>What a delegated Graph sign-in asks for unless the request names its own: read, trust writes, capability writes.</summary>
        public static readonly IReadOnlyList<string> CrossTenantAccess = new[] { PolicyReadAll, PolicyReadWriteCrossTenantAccess, PolicyReadWriteCrossTenantCapability };

        /// <summary>Full scope strings for a Graph host: https://graph.microsoft.com/Policy.Read.All.</summary>
        public static string[] Qualify(Uri graph, IEnumerable<string> permissions)
        {
            string host = graph.GetLeftPart(UriPartial.Authority);
            return permissions.Select(p => p.IndexOf("://", StringComparison.Ordinal) >= 0 ? p : host + "/" + p).ToArray();
        }

        /// <summary>The bare permission names of full scope strings, for messages.</summary>
        internal static string[] Unqualify(IEnumerable<string> scopes) =>
            scopes.Select(s => s.Substring(s.LastIndexOf('/') + 1)).ToArray();
    }

    /// <summary>App-only and managed identity: the session's own MSAL client, asked for the Graph resource.</summary>
    internal sealed class SessionGraphTokenProvider : IGraphTokenProvider
    {
        private readonly ITokenSource _session;
        private readonly string _scope;

        public SessionGraphTokenProvider(ITokenSource session, Uri graph, GraphTokenKind kind, string? clientId)
        {
            _session = session;
            _scope = graph.GetLeftPart(UriPartial.Authority) + "/.default";
            Kind = kind;
            ClientId = clientId;
            Scopes = new[] { _scope };
        }

        public GraphTokenKind Kind { get; }
        public string? ClientId { get; }
        public IReadOnlyList<string> Scopes { get; }
        public bool MayPrompt => false;

        public async Task<AccessTokenResult> GetTokenAsync(bool forceRefresh, IEngineEvents events, CancellationToken cancellationToken)
        {
            // One at a time: a session's first Graph reads start together, and MSAL would send one token request for each
            // while its cache is empty. The others then find the first one's token in the cache.
            await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await _session.GetTokenAsync(_scope, forceRefresh, cancellationToken).ConfigureAwait(false);
            }
            catch (MsalException ex)
            {
                throw GraphSignInErrors.Translate(ex, ClientId, Scopes, Kind);
            }
            finally
            {
                _oneAtATime.Release();
            }
        }

        private readonly SemaphoreSlim _oneAtATime = new SemaphoreSlim(1, 1);
    }

    /// <summary>A Graph token the caller brought. Never refreshed: when it expires, the caller must bring a new one.</summary>
    internal sealed class SuppliedGraphTokenProvider : IGraphTokenProvider
    {
        private readonly SecureString _token;
        private readonly TimeProvider _time;

        private SuppliedGraphTokenProvider(SecureString token, GraphTokenClaims claims, TimeProvider time)
        {
            _token = token;
            Claims = claims;
            _time = time;
            Scopes = (claims.IsAppOnly ? claims.AppRoles : claims.Scopes) ?? Array.Empty<string>();
        }

        public GraphTokenClaims Claims { get; }
        public GraphTokenKind Kind => GraphTokenKind.Supplied;
        public string? ClientId => Claims.AppId;
        public IReadOnlyList<string> Scopes { get; }
        public bool MayPrompt => false;

        /// <summary>Checks the token before the session uses it: a JWT, for this Graph host, for this tenant.</summary>
        public static SuppliedGraphTokenProvider Create(SecureString token, Uri graph, string? tenantId, TimeProvider time)
        {
            if (token == null || token.Length == 0) throw new SignInException(ErrorIds.InvalidAccessToken, "The Microsoft Graph access token is empty.");
            SecureString copy = token.Copy();
            copy.MakeReadOnly();
            GraphTokenClaims claims = GraphTokenClaims.TryParse(StaticTokenSource.Reveal(copy))
                ?? throw new SignInException(ErrorIds.InvalidAccessToken, "The Microsoft Graph access token is not a JWT access token: its claims cannot be read.");
            if (!claims.IsForGraph(graph))
            {
                throw new SignInException(ErrorIds.InvalidAccessToken,
                    $"The Microsoft Graph access token is for {claims.Audience ?? "an unnamed audience"}, not for {graph.GetLeftPart(UriPartial.Authority)}.");
            }
            if (tenantId != null && claims.TenantId != null && !string.Equals(tenantId, claims.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                // Graph acts on the token's tenant: a token for another tenant would change that tenant's policy.
                throw new SignInException(ErrorIds.InvalidAccessToken,
                    $"The Microsoft Graph access token is for tenant {claims.TenantId}, but this connection is to tenant {tenantId}.");
            }
            var provider = new SuppliedGraphTokenProvider(copy, claims, time);
            provider.ThrowIfExpired();
            return provider;
        }

        public Task<AccessTokenResult> GetTokenAsync(bool forceRefresh, IEngineEvents events, CancellationToken cancellationToken)
        {
            ThrowIfExpired();
            return Task.FromResult(new AccessTokenResult(StaticTokenSource.Reveal(_token), Claims.ExpiresOn ?? DateTimeOffset.MaxValue, Claims.TenantId, Claims.UserPrincipalName));
        }

        private void ThrowIfExpired()
        {
            if (Claims.ExpiresOn is DateTimeOffset expires && expires <= _time.GetUtcNow())
            {
                throw new SignInException(ErrorIds.AuthenticationRequired,
                    $"The Microsoft Graph access token expired at {expires:u}; it is never refreshed. Get a new Graph token and connect again.");
            }
        }
    }

    /// <summary>A session with no way to get a Graph token: every use says what is needed.</summary>
    internal sealed class UnavailableGraphTokenProvider : IGraphTokenProvider
    {
        private readonly string _message;

        public UnavailableGraphTokenProvider(string message) => _message = message;

        public GraphTokenKind Kind => GraphTokenKind.Unavailable;
        public string? ClientId => null;
        public IReadOnlyList<string> Scopes => Array.Empty<string>();
        public bool MayPrompt => false;

        public Task<AccessTokenResult> GetTokenAsync(bool forceRefresh, IEngineEvents events, CancellationToken cancellationToken) =>
            throw new EngineException(ErrorIds.GraphTokenRequired, ErrorKind.AuthenticationError, _message);
    }

    /// <summary>Entra's answers to a Graph token request, as engine errors. Consent failures name the app and the scopes.</summary>
    internal static class GraphSignInErrors
    {
        // AADSTS65001 not consented; 65004 declined; 90094/90095 admin consent required; 650057 the app's registration does
        // not list the permission; 650052/650056 the app or tenant lacks the service or the permission.
        private static readonly string[] ConsentCodes = { "AADSTS65001", "AADSTS65004", "AADSTS90094", "AADSTS90095", "AADSTS650057", "AADSTS650056", "AADSTS650052" };

        public static bool IsConsent(MsalException ex) =>
            (ex is MsalUiRequiredException ui && ui.Classification == UiRequiredExceptionClassification.ConsentRequired)
            || string.Equals(ex.ErrorCode, "consent_required", StringComparison.OrdinalIgnoreCase)
            || ConsentCodes.Any(c => ex.Message.IndexOf(c, StringComparison.OrdinalIgnoreCase) >= 0);

        public static EngineException Translate(MsalException ex, string? clientId, IReadOnlyList<string> scopes, GraphTokenKind kind)
        {
            string detail = Redaction.Apply(FirstLine(ex.Message));
            string app = clientId ?? "the app";
            string names = string.Join(", ", GraphScopes.Unqualify(scopes));
            if (IsConsent(ex))
            {
                string what = kind == GraphTokenKind.Delegated
                    ? $"the delegated permissions {names}"
                    : $"the application permissions it needs ({string.Join(", ", GraphScopes.CrossTenantAccess)}) with admin consent";
                return new EngineException(ErrorIds.GraphConsentRequired, ErrorKind.PermissionDenied,
                    $"Microsoft Graph sign-in for app {app} needs consent: {what} have not been consented in this tenant. An administrator must consent them for app {app}. ({detail})",
                    clientId, inner: ex);
            }
            switch (ex)
            {
                case MsalServiceException s when s.ErrorCode == "invalid_client" || s.ErrorCode == "unauthorized_client":
                    return new SignInException(ErrorIds.InvalidClientCredentials, $"Microsoft Graph sign-in of app {app} was refused: {detail}", ex);
                case MsalServiceException s when s.ErrorCode == "authorization_declined" || s.ErrorCode == "access_denied":
                    return new SignInException(ErrorIds.AuthenticationDeclined, $"The Microsoft Graph sign-in was declined: {detail}", ex);
                case MsalServiceException s when s.ErrorCode == "code_expired" || s.ErrorCode == "expired_token":
                    return new SignInException(ErrorIds.DeviceCodeExpired, $"The device code for the Microsoft Graph sign-in expired before anyone signed in: {detail}", ex);
                case MsalClientException c when c.ErrorCode == "authentication_canceled":
                    return new SignInException(ErrorIds.AuthenticationCanceled, "The Microsoft Graph sign-in was canceled.", ex);
                case MsalUiRequiredException _:
                    return new SignInException(ErrorIds.AuthenticationRequired, $"The Microsoft Graph sign-in can no longer be refreshed silently ({ex.ErrorCode}); connect again.", ex);
                case MsalException _ when kind == GraphTokenKind.ManagedIdentity:
                    return new SignInException(ErrorIds.ManagedIdentityUnavailable, $"The managed identity gave no Microsoft Graph token: {detail}", ex);
                default:
                    return new SignInException(ErrorIds.AuthenticationFailed, $"Microsoft Graph sign-in failed ({ex.ErrorCode}): {detail}", ex);
            }
        }

        private static string FirstLine(string s)
        {
            int i = s.IndexOfAny(new[] { '\r', '\n' });
            return i < 0 ? s : s.Substring(0, i);
        }
    }
}
