using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>Delegated sign-in (interactive or device code), then silent refresh from MSAL's user token cache.</summary>
    internal sealed class PublicClientTokenSource : ITokenSource
    {
        private readonly IPublicClientApplication _app;
        private readonly string[] _scopes;
        private string? _accountId;
        private string? _userPrincipalName;

        public PublicClientTokenSource(IPublicClientApplication app, string scope)
        {
            _app = app;
            _scopes = new[] { scope };
        }

        public async Task<AccessTokenResult> SignInAsync(SignInRequest request, IEngineEvents events, CancellationToken cancellationToken)
        {
            AuthenticationResult? result = request.Cache == TokenCacheMode.Memory ? null : await TrySilentAsync(request, cancellationToken).ConfigureAwait(false);
            if (result != null)
            {
                events.Verbose($"Signed in as {result.Account?.Username} from the persisted token cache, without a prompt.");
            }
            else if (!request.AllowPrompt)
            {
                throw new SignInException("InteractiveSignInNotPossible",
                    "No usable sign-in is in the persisted token cache, and nobody can answer a sign-in prompt here.");
            }
            else if (request.Mode == SignInMode.DeviceCode)
            {
                result = await _app.AcquireTokenWithDeviceCode(_scopes, code =>
                    {
                        events.Prompt(code.Message);
                        return Task.CompletedTask;
                    })
                    .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                AcquireTokenInteractiveParameterBuilder builder = _app.AcquireTokenInteractive(_scopes)
                    .WithPrompt(request.UserPrincipalName == null ? Prompt.SelectAccount : Prompt.NoPrompt);
                if (request.UserPrincipalName != null) builder = builder.WithLoginHint(request.UserPrincipalName);
                builder = request.Browser != null
                    ? builder.WithCustomWebUi(new BrowserAdapter(request.Browser))
                    : builder.WithUseEmbeddedWebView(false);
                result = await builder.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
            _accountId = result!.Account?.HomeAccountId?.Identifier;
            _userPrincipalName = result.Account?.Username;
            return ToResult(result);
        }

        // A persisted cache may already hold this user's sign-in: use it without a prompt.
        private async Task<AuthenticationResult?> TrySilentAsync(SignInRequest request, CancellationToken cancellationToken)
        {
            var accounts = (await _app.GetAccountsAsync().ConfigureAwait(false)).ToList();
            IAccount? account = request.UserPrincipalName != null
                ? accounts.FirstOrDefault(a => string.Equals(a.Username, request.UserPrincipalName, StringComparison.OrdinalIgnoreCase))
                : accounts.Count == 1 ? accounts[0] : null;
            if (account == null) return null;
            try
            {
                return await _app.AcquireTokenSilent(_scopes, account).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MsalUiRequiredException)
            {
                return null;
            }
        }

        /// <summary>Forgets the signed-in account, in memory and in a persisted cache.</summary>
        public async Task SignOutAsync()
        {
            foreach (IAccount account in await _app.GetAccountsAsync().ConfigureAwait(false))
            {
                await _app.RemoveAsync(account).ConfigureAwait(false);
            }
        }

        public async Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken)
        {
            string[] scopes = scope == null ? _scopes : new[] { scope };
            IAccount? account = _accountId == null ? null : await _app.GetAccountAsync(_accountId).ConfigureAwait(false);
            if (account == null)
            {
                throw new SignInException("AuthenticationRequired",
                    $"The sign-in{(_userPrincipalName == null ? "" : " of " + _userPrincipalName)} is no longer in the token cache. Run Connect-CalendarFederation again.");
            }
            try
            {
                AuthenticationResult result = await _app.AcquireTokenSilent(scopes, account).WithForceRefresh(forceRefresh)
                    .ExecuteAsync(cancellationToken).ConfigureAwait(false);
                return ToResult(result);
            }
            catch (MsalUiRequiredException ex)
            {
                throw new SignInException("AuthenticationRequired",
                    $"The session of {account.Username} can no longer be refreshed silently ({ex.ErrorCode}). Run Connect-CalendarFederation again.", ex);
            }
        }

        internal static AccessTokenResult ToResult(AuthenticationResult result) =>
            new AccessTokenResult(result.AccessToken, result.ExpiresOn, JwtClaims.TryParse(result.AccessToken)?.TenantId ?? result.TenantId, result.Account?.Username);

        private sealed class BrowserAdapter : ICustomWebUi
        {
            private readonly IBrowser _browser;

            public BrowserAdapter(IBrowser browser) => _browser = browser;

            public Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken) =>
                _browser.AuthorizeAsync(authorizationUri, redirectUri, cancellationToken);
        }
    }

    /// <summary>App-only with a certificate or secret; MSAL's app token cache refreshes before expiry.</summary>
    internal sealed class ConfidentialClientTokenSource : ITokenSource
    {
        private readonly IConfidentialClientApplication _app;
        private readonly string[] _scopes;

        public ConfidentialClientTokenSource(IConfidentialClientApplication app, string scope)
        {
            _app = app;
            _scopes = new[] { scope };
        }

        public async Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken)
        {
            AuthenticationResult result = await _app.AcquireTokenForClient(scope == null ? _scopes : new[] { scope }).WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return PublicClientTokenSource.ToResult(result);
        }
    }

    /// <summary>The managed identity of the Azure resource (Automation, Functions, App Service, VMs).</summary>
    internal sealed class ManagedIdentityTokenSource : ITokenSource
    {
        private readonly IManagedIdentityApplication _app;
        private readonly string _resource;

        public ManagedIdentityTokenSource(IManagedIdentityApplication app, string resource)
        {
            _app = app;
            _resource = resource;
        }

        public async Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken)
        {
            string resource = scope == null ? _resource : scope.EndsWith("/.default", StringComparison.Ordinal) ? scope.Substring(0, scope.Length - "/.default".Length) : scope;
            AuthenticationResult result = await _app.AcquireTokenForManagedIdentity(resource).WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return PublicClientTokenSource.ToResult(result);
        }
    }

    /// <summary>A token the caller brought. It is never refreshed: when it expires, the caller must connect again.</summary>
    internal sealed class StaticTokenSource : ITokenSource
    {
        private readonly SecureString _token;
        private readonly JwtClaims? _claims;

        public StaticTokenSource(SecureString token)
        {
            _token = token.Copy();
            _token.MakeReadOnly();
            _claims = JwtClaims.TryParse(Reveal(_token));
        }

        public JwtClaims? Claims => _claims;

        public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken)
        {
            if (scope != null && !string.Equals(scope, _claims?.Audience + "/.default", StringComparison.OrdinalIgnoreCase))
            {
                throw new SignInException("ScopeUnavailable",
                    $"A connection made with -AccessToken holds one token (for {_claims?.Audience}); it cannot get one for {scope}. Connect with another mode for this.");
            }
            DateTimeOffset expires = _claims?.ExpiresOn ?? DateTimeOffset.MaxValue;
            if (expires <= DateTimeOffset.UtcNow)
            {
                throw new SignInException("AuthenticationRequired",
                    $"The access token given to -AccessToken expired at {expires:u}. Get a new token and run Connect-CalendarFederation again.");
            }
            return Task.FromResult(new AccessTokenResult(Reveal(_token), expires, _claims?.TenantId, _claims?.UserPrincipalName));
        }

        internal static string Reveal(SecureString secure)
        {
            IntPtr ptr = IntPtr.Zero;
            try
            {
                ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
                return Marshal.PtrToStringUni(ptr) ?? "";
            }
            finally
            {
                if (ptr != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(ptr);
            }
        }
    }
}
