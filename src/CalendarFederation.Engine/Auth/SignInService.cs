using System;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>Signs in with one of the six modes and returns a session that can call the tenant's admin API.</summary>
    public static class SignInService
    {
        public static async Task<TenantSession> SignInAsync(SignInRequest request, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (events == null) throw new ArgumentNullException(nameof(events));
            Validate(request);
            // MSAL's logger is fixed when the app is built; it reports to this call only, and goes quiet when the call ends.
            var msalLog = new MsalLogSink(events);
            try
            {
                return await SignInCoreAsync(request, events, msalLog, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                msalLog.Detach();
            }
        }

        private static async Task<TenantSession> SignInCoreAsync(SignInRequest request, IEngineEvents events, MsalLogSink msalLog, CancellationToken cancellationToken)
        {
            var msalHttp = new MsalHttpClientFactory(request.Http);
            FirstToken signedIn;
            try
            {
                signedIn = await FirstTokenAsync(request, events, msalHttp, msalLog, cancellationToken).ConfigureAwait(false);
            }
            catch (MsalException ex) when (Http.NetworkErrors.IsTlsFailure(ex))
            {
                throw TlsFailure(ex, request);
            }
            catch (MsalException ex)
            {
                throw Translate(ex, request);
            }
            catch (System.Net.Http.HttpRequestException ex)
            {
                // MSAL lets some transport failures through unwrapped; they get the same ids as everything else.
                throw Http.NetworkErrors.IsTlsFailure(ex)
                    ? TlsFailure(ex, request)
                    : new EngineException(ErrorIds.ConnectionFailed, ErrorKind.ConnectionError,
                        $"Sign-in at {request.Authority.Host} failed: {Http.NetworkErrors.Describe(ex)}.", request.Authority.Host, isRetryable: true, inner: ex);
            }
            return CreateSession(request, signedIn.Tokens, signedIn.First, signedIn.Cache);
        }

        private static Task<FirstToken> FirstTokenAsync(SignInRequest request, IEngineEvents events, IMsalHttpClientFactory msalHttp, MsalLogSink msalLog,
            CancellationToken cancellationToken)
        {
            switch (request.Mode)
            {
                case SignInMode.Interactive:
                case SignInMode.DeviceCode:
                    return PublicClientAsync(request, events, msalHttp, msalLog, cancellationToken);
                case SignInMode.Certificate:
                case SignInMode.ClientSecret:
                    return ConfidentialClientAsync(request, msalHttp, msalLog, cancellationToken);
                case SignInMode.ManagedIdentity:
                    return ManagedIdentityAsync(request, msalHttp, msalLog, cancellationToken);
                case SignInMode.AccessToken:
                    return AccessTokenAsync(request, cancellationToken);
                default:
                    throw new ArgumentOutOfRangeException(nameof(request), request.Mode, "Unknown sign-in mode.");
            }
        }

        private static async Task<FirstToken> PublicClientAsync(SignInRequest request, IEngineEvents events, IMsalHttpClientFactory msalHttp, MsalLogSink msalLog,
            CancellationToken cancellationToken)
        {
            TokenCacheBinding? cache = null;
            IPublicClientApplication app = ConfigureCommon(PublicClientApplicationBuilder.Create(request.ClientId ?? SignInRequest.DefaultPublicClientId)
                    .WithAuthority(request.Authority.AbsoluteUri, validateAuthority: !request.Environment.IsCustom && request.AuthorityOverride == null)
                    .WithRedirectUri("http://localhost"), request, msalHttp, msalLog)
                .Build();
            if (request.Cache != TokenCacheMode.Memory) cache = await TokenCacheBinding.TryAttachAsync(app.UserTokenCache, request, events).ConfigureAwait(false);
            var source = new PublicClientTokenSource(app, request.Scope);
            AccessTokenResult first = await source.SignInAsync(request, events, cancellationToken).ConfigureAwait(false);
            return new FirstToken(source, first, cache);
        }

        private static async Task<FirstToken> ConfidentialClientAsync(SignInRequest request, IMsalHttpClientFactory msalHttp, MsalLogSink msalLog,
            CancellationToken cancellationToken)
        {
            ConfidentialClientApplicationBuilder builder = ConfidentialClientApplicationBuilder.Create(request.ClientId)
                .WithAuthority(request.Authority.AbsoluteUri, validateAuthority: !request.Environment.IsCustom && request.AuthorityOverride == null);
            builder = request.Mode == SignInMode.Certificate
                ? builder.WithCertificate(request.Certificate)
                : builder.WithClientSecret(StaticTokenSource.Reveal(request.ClientSecret!));
            IConfidentialClientApplication app = ConfigureCommon(builder, request, msalHttp, msalLog).Build();
            var source = new ConfidentialClientTokenSource(app, request.Scope);
            AccessTokenResult first = await source.GetTokenAsync(null, false, cancellationToken).ConfigureAwait(false);
            return new FirstToken(source, first, null);
        }

        private static async Task<FirstToken> ManagedIdentityAsync(SignInRequest request, IMsalHttpClientFactory msalHttp, MsalLogSink msalLog,
            CancellationToken cancellationToken)
        {
            ManagedIdentityId id = ToManagedIdentityId(request.ManagedIdentityAccountId);
            IManagedIdentityApplication app = ManagedIdentityApplicationBuilder.Create(id)
                .WithHttpClientFactory(msalHttp)
                .WithLogging(msalLog.Callback, request.DiagnosticLogging ? LogLevel.Info : LogLevel.Warning, enablePiiLogging: false, enableDefaultPlatformLogging: false)
                .Build();
            // The resource follows -ConnectionUri like the scope of every other mode.
            string scope = request.Scope;
            var source = new ManagedIdentityTokenSource(app, scope.EndsWith("/.default", StringComparison.Ordinal) ? scope.Substring(0, scope.Length - "/.default".Length) : scope);
            AccessTokenResult first = await source.GetTokenAsync(null, false, cancellationToken).ConfigureAwait(false);
            return new FirstToken(source, first, null);
        }

        private static async Task<FirstToken> AccessTokenAsync(SignInRequest request, CancellationToken cancellationToken)
        {
            var source = new StaticTokenSource(request.AccessToken!);
            if (source.Claims == null)
            {
                throw new SignInException("InvalidAccessToken", "-AccessToken is not a JWT access token: its claims cannot be read.");
            }
            AccessTokenResult first = await source.GetTokenAsync(null, false, cancellationToken).ConfigureAwait(false);
            return new FirstToken(source, first, null);
        }

        private static TenantSession CreateSession(SignInRequest request, ITokenSource tokens, AccessTokenResult first, TokenCacheBinding? cache)
        {
            JwtClaims? claims = JwtClaims.TryParse(first.Token);
            string? tenantId = first.TenantId ?? claims?.TenantId;
            string routeTenant = request.DelegatedOrganization ?? request.Organization ?? tenantId
                ?? throw new SignInException("TenantUnknown", "The token does not say which tenant it is for; give -Organization.");
            string? upn = request.IsAppOnly ? null : first.Account ?? claims?.UserPrincipalName ?? request.UserPrincipalName;
            bool appOnly = request.IsAppOnly || (request.Mode == SignInMode.AccessToken && claims?.IsAppOnly == true);
            string anchor = AnchorMailbox(appOnly, request.Organization ?? routeTenant, upn, request.DelegatedOrganization, tenantId);

            var options = new AdminApiOptions
            {
                BaseUri = request.AdminApiBase,
                Tenant = routeTenant,
                GateKey = request.DelegatedOrganization ?? tenantId ?? routeTenant,
                AnchorMailbox = anchor,
                UserAgent = "CalendarFederation/" + typeof(SignInService).Assembly.GetName().Version,
            };
            if (request.OverallTimeout != null) options.OverallTimeout = request.OverallTimeout.Value;
            var tracked = new TrackingTokenSource(tokens, first.ExpiresOn);
            // Checked now (a Graph token for another tenant or audience fails the connection); Graph tokens are got on first use.
            IGraphTokenProvider graphTokens = GraphTokenProviders.Create(request, tracked, tenantId, upn, cache);
            var adminApi = new AdminApiClient(options, tracked, request.Http.CreateHandler(), disposeHandler: true);
            return new TenantSession(request, tracked, adminApi, tenantId, routeTenant, upn, appOnly ? (request.ClientId ?? claims?.AppId) : request.ClientId ?? claims?.AppId,
                appOnly, first.ExpiresOn, cache, graphTokens);
        }

        /// <summary>Exchange's system mailbox that app-only and delegated-organization calls anchor on.</summary>
        internal const string SystemMailbox = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";

        /// <summary>
        /// X-AnchorMailbox, which routes the call to a mailbox server. Delegated sign-in anchors on the signed-in user, app-only
        /// on the tenant's system mailbox. With a delegated organization (GDAP) the user's mailbox is in the partner's tenant,
        /// where a write cannot run for the customer, so the call anchors on the customer's system mailbox at the customer's
        /// tenant id, as CIPP does (CIPP-API New-ExoRequest.ps1: APP:SystemMailbox{...}@{customerId}; docs/protocol-evidence.md).
        /// The tenant id is the delegated organization when it is one, else the token's (a GDAP token is issued by the customer).
        /// </summary>
        internal static string AnchorMailbox(bool appOnly, string organization, string? upn, string? delegatedOrganization, string? tokenTenantId)
        {
            if (!string.IsNullOrEmpty(delegatedOrganization))
            {
                string customer = Guid.TryParse(delegatedOrganization, out _) ? delegatedOrganization! : tokenTenantId ?? delegatedOrganization!;
                return "APP:" + SystemMailbox + "@" + customer;
            }
            return appOnly ? "APP:" + SystemMailbox + "@" + organization : "UPN:" + (upn ?? "");
        }

        private static void Validate(SignInRequest request)
        {
            switch (request.Mode)
            {
                case SignInMode.Certificate:
                    if (request.Certificate == null) throw new SignInException("CertificateRequired", "Certificate sign-in needs a certificate.");
                    if (!request.Certificate.HasPrivateKey)
                    {
                        throw new SignInException("CertificatePrivateKeyMissing",
                            $"The certificate {request.Certificate.Thumbprint} has no private key available to this session, so it cannot sign in.");
                    }
                    goto case SignInMode.ClientSecret;
                case SignInMode.ClientSecret:
                    if (string.IsNullOrWhiteSpace(request.ClientId)) throw new SignInException("AppIdRequired", "App-only sign-in needs -AppId.");
                    if (string.IsNullOrWhiteSpace(request.Organization))
                    {
                        throw new SignInException("OrganizationRequired", "App-only sign-in needs -Organization, the tenant's primary .onmicrosoft.com domain.");
                    }
                    if (request.Mode == SignInMode.ClientSecret && (request.ClientSecret == null || request.ClientSecret.Length == 0))
                    {
                        throw new SignInException("ClientSecretRequired", "-ClientSecret is empty.");
                    }
                    break;
                case SignInMode.AccessToken:
                    if (request.AccessToken == null || request.AccessToken.Length == 0) throw new SignInException("InvalidAccessToken", "-AccessToken is empty.");
                    break;
            }
        }

        private static T ConfigureCommon<T>(T builder, SignInRequest request, IMsalHttpClientFactory http, MsalLogSink log) where T : AbstractApplicationBuilder<T>
        {
            builder = builder.WithHttpClientFactory(http)
                .WithClientName("CalendarFederation")
                .WithClientVersion(typeof(SignInService).Assembly.GetName().Version?.ToString() ?? "0")
                .WithLogging(log.Callback, request.DiagnosticLogging ? LogLevel.Info : LogLevel.Warning, enablePiiLogging: false, enableDefaultPlatformLogging: false);
            // Custom environments are not known to Microsoft's instance discovery.
            if (request.Environment.IsCustom || request.AuthorityOverride != null) builder = builder.WithInstanceDiscovery(false);
            return builder;
        }

        private static ManagedIdentityId ToManagedIdentityId(string? accountId)
        {
            if (string.IsNullOrWhiteSpace(accountId)) return ManagedIdentityId.SystemAssigned;
            if (accountId!.StartsWith("/", StringComparison.Ordinal)) return ManagedIdentityId.WithUserAssignedResourceId(accountId);
            return ManagedIdentityId.WithUserAssignedClientId(accountId);
        }

        private static SignInException Translate(MsalException ex, SignInRequest request)
        {
            string detail = Redaction.Apply(FirstLine(ex.Message));
            switch (ex)
            {
                case MsalServiceException service when service.ErrorCode == "invalid_client" || service.ErrorCode == "unauthorized_client":
                    return new SignInException("InvalidClientCredentials",
                        $"Sign-in of app {request.ClientId} to {request.AuthorityTenant} was refused: {detail}", ex);
                case MsalServiceException service when service.ErrorCode == "authorization_declined" || service.ErrorCode == "access_denied":
                    return new SignInException("AuthenticationDeclined", $"The sign-in was declined: {detail}", ex);
                case MsalServiceException service when service.ErrorCode == "code_expired" || service.ErrorCode == "expired_token":
                    return new SignInException("DeviceCodeExpired", $"The device code expired before anyone signed in: {detail}", ex);
                case MsalClientException client when client.ErrorCode == "authentication_canceled":
                    return new SignInException("AuthenticationCanceled", "The sign-in was canceled.", ex);
                case MsalServiceException service when request.Mode == SignInMode.ManagedIdentity || service.Source == "ManagedIdentity":
                    return new SignInException("ManagedIdentityUnavailable", $"No managed identity answered: {detail}", ex);
                case MsalClientException client when request.Mode == SignInMode.ManagedIdentity:
                    return new SignInException("ManagedIdentityUnavailable",
                        $"No managed identity is available here ({client.ErrorCode}): {detail} Managed identity works in Azure Automation, Functions, App Service and VMs.", ex);
                default:
                    return new SignInException("AuthenticationFailed", $"Sign-in failed ({ex.ErrorCode}): {detail}", ex);
            }
        }

        // One mapping for certificate failures, as discovery and the admin API have: the cause .NET names (UntrustedRoot,
        // PartialChain, RemoteCertificateNameMismatch, NotTimeValid) and what fixes it.
        private static EngineException TlsFailure(Exception ex, SignInRequest request) =>
            new EngineException(ErrorIds.CertificateValidationFailed, ErrorKind.SecurityError,
                $"Sign-in at {request.Authority.Host} failed: {Http.NetworkErrors.Describe(ex)}. This machine does not trust the certificate the sign-in endpoint presented: " +
                "trust its issuing certificate authority, or check the proxy in between.", request.Authority.Host, inner: ex);

        private static string FirstLine(string s)
        {
            int i = s.IndexOfAny(new[] { '\r', '\n' });
            return i < 0 ? s : s.Substring(0, i);
        }

        /// <summary>MSAL's log, without personal data, into the debug stream of the call that signs in; secrets are scrubbed again on the way.</summary>
        private sealed class MsalLogSink
        {
            private IEngineEvents? _events;

            public MsalLogSink(IEngineEvents events) => _events = events;

            public void Detach() => Volatile.Write(ref _events, null);

            public void Callback(LogLevel level, string message, bool containsPii)
            {
                if (!containsPii) Volatile.Read(ref _events)?.Debug("MSAL " + level + ": " + Redaction.Apply(message));
            }
        }

        /// <summary>What a sign-in mode gives: its token source, the first token, and the persistent cache when one was attached.</summary>
        private sealed class FirstToken
        {
            public FirstToken(ITokenSource tokens, AccessTokenResult first, TokenCacheBinding? cache)
            {
                Tokens = tokens;
                First = first;
                Cache = cache;
            }

            public ITokenSource Tokens { get; }
            public AccessTokenResult First { get; }
            public TokenCacheBinding? Cache { get; }
        }
    }
}
