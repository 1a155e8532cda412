using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>One MSAL result as the provider needs it: the token, and the account to refresh it for later.</summary>
    internal sealed class GraphSignIn
    {
        public GraphSignIn(AccessTokenResult token, string? accountId)
        {
            Token = token;
            AccountId = accountId;
        }

        public AccessTokenResult Token { get; }
        public string? AccountId { get; }
    }

    /// <summary>The MSAL calls of a delegated Graph sign-in; a seam so the provider's choices are tested without Entra.</summary>
    internal interface IGraphPublicClient
    {
        /// <summary>Silent: the remembered account, else the cached account of <paramref name="loginHint"/>; null when the cache has none. Throws MsalUiRequiredException when a prompt is needed.</summary>
        Task<GraphSignIn?> AcquireSilentAsync(string[] scopes, string? accountId, string? loginHint, bool forceRefresh, CancellationToken cancellationToken);

        Task<GraphSignIn> AcquireInteractiveAsync(string[] scopes, string? loginHint, IBrowser? browser, CancellationToken cancellationToken);

        Task<GraphSignIn> AcquireWithDeviceCodeAsync(string[] scopes, Func<string, Task> prompt, CancellationToken cancellationToken);

        /// <summary>Forgets every account of this client, in memory and in a persisted cache.</summary>
        Task SignOutAsync();
    }

    /// <summary>
    /// Delegated Microsoft Graph tokens through a public client of its own: the Exchange public client is not known to hold
    /// Graph policy permissions. Silent first, with the connected account as login hint; then, once, the connection's own
    /// kind of prompt (the browser through the same IBrowser seam, or a device code through events.Prompt); where nobody can
    /// answer a prompt it fails with InteractiveSignInNotPossible. Sign-ins are serialised, so parallel calls prompt once.
    /// </summary>
    internal sealed class DelegatedGraphTokenProvider : IGraphTokenProvider, IDisposable
    {
        private readonly IGraphPublicClient _client;
        private readonly string[] _scopes;
        private readonly SignInMode _mode;
        private readonly string? _loginHint;
        private readonly string? _tenantId;
        private readonly bool _allowPrompt;
        private readonly IBrowser? _browser;
        private readonly MsalLogRelay? _log;
        private readonly IDisposable? _owned;
        private readonly SemaphoreSlim _lock = new SemaphoreSlim(1, 1);
        private string? _accountId;

        public DelegatedGraphTokenProvider(IGraphPublicClient client, string clientId, IReadOnlyList<string> scopes, SignInMode mode, string? loginHint,
            string? tenantId, bool allowPrompt, IBrowser? browser, MsalLogRelay? log = null, IDisposable? owned = null)
        {
            _client = client;
            ClientId = clientId;
            _scopes = scopes.ToArray();
            Scopes = _scopes;
            _mode = mode;
            _loginHint = loginHint;
            _tenantId = tenantId;
            _allowPrompt = allowPrompt;
            _browser = browser;
            _log = log;
            _owned = owned;
        }

        public GraphTokenKind Kind => GraphTokenKind.Delegated;
        public string? ClientId { get; }
        public IReadOnlyList<string> Scopes { get; }

        /// <summary>Until the first sign-in, where a prompt is allowed: silent acquisition has no account to use yet.</summary>
        public bool MayPrompt => _allowPrompt && Volatile.Read(ref _accountId) == null;

        public async Task<AccessTokenResult> GetTokenAsync(bool forceRefresh, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (events == null) throw new ArgumentNullException(nameof(events));
            await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
            _log?.Attach(events);
            try
            {
                MsalUiRequiredException? uiRequired = null;
                try
                {
                    GraphSignIn? silent = await _client.AcquireSilentAsync(_scopes, _accountId, _loginHint, forceRefresh, cancellationToken).ConfigureAwait(false);
                    if (silent != null) return Accept(silent, events);
                }
                catch (MsalUiRequiredException ex)
                {
                    uiRequired = ex;
                }
                catch (MsalException ex)
                {
                    throw GraphSignInErrors.Translate(ex, ClientId, _scopes, Kind);
                }

                string names = string.Join(", ", GraphScopes.Unqualify(_scopes));
                if (!_allowPrompt)
                {
                    if (uiRequired != null && GraphSignInErrors.IsConsent(uiRequired)) throw GraphSignInErrors.Translate(uiRequired, ClientId, _scopes, Kind);
                    throw new SignInException(ErrorIds.InteractiveSignInNotPossible,
                        $"Microsoft Graph needs a sign-in of its own{(_loginHint == null ? "" : " for " + _loginHint)} (app {ClientId}, permissions {names}), " +
                        "and nobody can answer a sign-in prompt here. Use app-only sign-in, bring a Graph access token, or sign in once where a prompt is possible with a persisted token cache.");
                }
                events.Verbose($"Microsoft Graph needs its own sign-in (app {ClientId}, permissions {names}); " +
                    (_mode == SignInMode.DeviceCode ? "showing a device code." : "opening the browser."));
                try
                {
                    GraphSignIn signIn = _mode == SignInMode.DeviceCode
                        ? await _client.AcquireWithDeviceCodeAsync(_scopes, message =>
                            {
                                events.Prompt(message);
                                return Task.CompletedTask;
                            }, cancellationToken).ConfigureAwait(false)
                        : await _client.AcquireInteractiveAsync(_scopes, _loginHint, _browser, cancellationToken).ConfigureAwait(false);
                    return Accept(signIn, events);
                }
                catch (MsalException ex)
                {
                    throw GraphSignInErrors.Translate(ex, ClientId, _scopes, Kind);
                }
            }
            finally
            {
                _log?.Detach();
                _lock.Release();
            }
        }

        private AccessTokenResult Accept(GraphSignIn signIn, IEngineEvents events)
        {
            string? tenant = signIn.Token.TenantId;
            if (_tenantId != null && tenant != null && !string.Equals(tenant, _tenantId, StringComparison.OrdinalIgnoreCase))
            {
                // Graph acts on the token's tenant: never change another tenant's policy because someone signed in elsewhere.
                throw new SignInException(ErrorIds.AuthenticationFailed,
                    $"The Microsoft Graph sign-in is for tenant {tenant}, but this connection is to tenant {_tenantId}. Sign in with an account of {_tenantId}.");
            }
            if (_loginHint != null && signIn.Token.Account != null && !string.Equals(signIn.Token.Account, _loginHint, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(signIn.AccountId, _accountId, StringComparison.Ordinal))
            {
                events.Warning($"Microsoft Graph is signed in as {signIn.Token.Account}, not as {_loginHint} who is connected to Exchange; Graph changes are made as {signIn.Token.Account}.");
            }
            _accountId = signIn.AccountId ?? _accountId;
            return signIn.Token;
        }

        /// <summary>Forgets the Graph sign-in (Disconnect).</summary>
        public async Task SignOutAsync()
        {
            await _lock.WaitAsync().ConfigureAwait(false);
            try
            {
                await _client.SignOutAsync().ConfigureAwait(false);
                _accountId = null;
            }
            finally
            {
                _lock.Release();
            }
        }

        public void Dispose()
        {
            _owned?.Dispose();
            _lock.Dispose();
        }
    }

    /// <summary>The MSAL public client behind <see cref="DelegatedGraphTokenProvider"/>.</summary>
    internal sealed class MsalGraphPublicClient : IGraphPublicClient
    {
        private readonly IPublicClientApplication _app;

        public MsalGraphPublicClient(IPublicClientApplication app) => _app = app;

        public async Task<GraphSignIn?> AcquireSilentAsync(string[] scopes, string? accountId, string? loginHint, bool forceRefresh, CancellationToken cancellationToken)
        {
            IAccount? account = accountId == null ? null : await _app.GetAccountAsync(accountId).ConfigureAwait(false);
            if (account == null)
            {
                var accounts = (await _app.GetAccountsAsync().ConfigureAwait(false)).ToList();
                account = loginHint != null
                    ? accounts.FirstOrDefault(a => string.Equals(a.Username, loginHint, StringComparison.OrdinalIgnoreCase))
                    : accounts.Count == 1 ? accounts[0] : null;
            }
            AuthenticationResult result;
            if (account != null)
            {
                result = await _app.AcquireTokenSilent(scopes, account).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (loginHint != null)
            {
                result = await _app.AcquireTokenSilent(scopes, loginHint).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                return null;
            }
            return ToSignIn(result);
        }

        public async Task<GraphSignIn> AcquireInteractiveAsync(string[] scopes, string? loginHint, IBrowser? browser, CancellationToken cancellationToken)
        {
            AcquireTokenInteractiveParameterBuilder builder = _app.AcquireTokenInteractive(scopes)
                .WithPrompt(loginHint == null ? Prompt.SelectAccount : Prompt.NoPrompt);
            if (loginHint != null) builder = builder.WithLoginHint(loginHint);
            builder = browser != null ? builder.WithCustomWebUi(new Browser(browser)) : builder.WithUseEmbeddedWebView(false);
            return ToSignIn(await builder.ExecuteAsync(cancellationToken).ConfigureAwait(false));
        }

        public async Task<GraphSignIn> AcquireWithDeviceCodeAsync(string[] scopes, Func<string, Task> prompt, CancellationToken cancellationToken)
        {
            AuthenticationResult result = await _app.AcquireTokenWithDeviceCode(scopes, code => prompt(code.Message)).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return ToSignIn(result);
        }

        public async Task SignOutAsync()
        {
            foreach (IAccount account in await _app.GetAccountsAsync().ConfigureAwait(false))
            {
                await _app.RemoveAsync(account).ConfigureAwait(false);
            }
        }

        private static GraphSignIn ToSignIn(AuthenticationResult result) =>
            new GraphSignIn(new AccessTokenResult(result.AccessToken, result.ExpiresOn, GraphTokenClaims.TryParse(result.AccessToken)?.TenantId ?? result.TenantId,
                result.Account?.Username), result.Account?.HomeAccountId?.Identifier);

        private sealed class Browser : ICustomWebUi
        {
            private readonly IBrowser _browser;

            public Browser(IBrowser browser) => _browser = browser;

            public Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken) =>
                _browser.AuthorizeAsync(authorizationUri, redirectUri, cancellationToken);
        }
    }

    /// <summary>MSAL's log (no personal data, secrets scrubbed) into the debug stream of the call that is getting a token.</summary>
    internal sealed class MsalLogRelay
    {
        private IEngineEvents? _events;

        public void Attach(IEngineEvents events) => Volatile.Write(ref _events, events);

        public void Detach() => Volatile.Write(ref _events, null);

        public void Callback(LogLevel level, string message, bool containsPii)
        {
            if (!containsPii) Volatile.Read(ref _events)?.Debug("MSAL (Graph) " + level + ": " + Redaction.Apply(message));
        }
    }
}
