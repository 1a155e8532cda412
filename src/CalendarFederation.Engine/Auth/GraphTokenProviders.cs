using System;
using System.Collections.Generic;
using System.Net.Http;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.CrossTenantAccess;
using Microsoft.Identity.Client;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>Chooses how a session gets its Microsoft Graph tokens, from the way it signed in.</summary>
    internal static class GraphTokenProviders
    {
        /// <summary>
        /// A caller's Graph access token wins whatever the mode. Otherwise app-only and managed identity ask the session's
        /// own client for the Graph resource; delegated sign-in gets a public client of its own; an Exchange access token
        /// alone cannot give a Graph token.
        /// </summary>
        public static IGraphTokenProvider Create(SignInRequest request, ITokenSource sessionTokens, string? tenantId, string? userPrincipalName,
            TokenCacheBinding? cache, TimeProvider? time = null)
        {
            Uri graph = request.Environment.Graph;
            if (request.GraphAccessToken != null)
            {
                return SuppliedGraphTokenProvider.Create(request.GraphAccessToken, graph, tenantId, time ?? TimeProvider.System);
            }
            switch (request.Mode)
            {
                case SignInMode.Certificate:
                case SignInMode.ClientSecret:
                    return new SessionGraphTokenProvider(sessionTokens, graph, GraphTokenKind.AppOnly, request.ClientId);
                case SignInMode.ManagedIdentity:
                    return new SessionGraphTokenProvider(sessionTokens, graph, GraphTokenKind.ManagedIdentity, request.ManagedIdentityAccountId);
                case SignInMode.AccessToken:
                    return new UnavailableGraphTokenProvider(
                        "This connection was made with an Exchange Online access token, which cannot be exchanged for a Microsoft Graph token. " +
                        $"Microsoft Graph calls need a Graph access token of their own (audience {graph.GetLeftPart(UriPartial.Authority)}, " +
                        $"tenant {tenantId ?? request.Organization ?? "of this connection"}, with {string.Join(", ", GraphScopes.CrossTenantAccess)} as needed).");
                case SignInMode.Interactive:
                case SignInMode.DeviceCode:
                    return CreateDelegated(request, tenantId, userPrincipalName, cache);
                default:
                    throw new ArgumentOutOfRangeException(nameof(request), request.Mode, "Unknown sign-in mode.");
            }
        }

        /// <summary>The delegated client id: the admin's Graph app, else the admin's own -AppId, else the documented default (XtapDecisions).</summary>
        public static string DelegatedClientId(SignInRequest request) =>
            request.GraphClientId ?? request.ClientId ?? XtapDecisions.DefaultGraphClientId;

        private static IGraphTokenProvider CreateDelegated(SignInRequest request, string? tenantId, string? userPrincipalName, TokenCacheBinding? cache)
        {
            string clientId = DelegatedClientId(request);
            IReadOnlyList<string> scopes = GraphScopes.Qualify(request.Environment.Graph, request.GraphScopes ?? XtapDecisions.DelegatedGraphScopes);
            Uri authority = new Uri(request.Authority.GetLeftPart(UriPartial.Authority) + "/" + (request.DelegatedOrganization ?? tenantId ?? request.AuthorityTenant));
            var log = new MsalLogRelay();
            var http = new OwnedMsalHttpClientFactory(request.Http);
            PublicClientApplicationBuilder builder = PublicClientApplicationBuilder.Create(clientId)
                .WithAuthority(authority.AbsoluteUri, validateAuthority: !request.Environment.IsCustom && request.AuthorityOverride == null)
                .WithRedirectUri("http://localhost")
                .WithHttpClientFactory(http)
                .WithClientName("CalendarFederation")
                .WithClientVersion(typeof(GraphTokenProviders).Assembly.GetName().Version?.ToString() ?? "0")
                .WithLogging(log.Callback, request.DiagnosticLogging ? LogLevel.Info : LogLevel.Warning, enablePiiLogging: false, enableDefaultPlatformLogging: false);
            // Custom environments are not known to Microsoft's instance discovery.
            if (request.Environment.IsCustom || request.AuthorityOverride != null) builder = builder.WithInstanceDiscovery(false);
            IPublicClientApplication app = builder.Build();
            // A persisted Exchange sign-in persists the Graph one too, in the same protected cache (MSAL keys it by client id).
            cache?.Helper.RegisterCache(app.UserTokenCache);
            return new DelegatedGraphTokenProvider(new MsalGraphPublicClient(app), clientId, scopes, request.Mode, userPrincipalName ?? request.UserPrincipalName,
                tenantId, request.AllowPrompt, request.Browser, log, http);
        }
    }

    /// <summary>MSAL's HTTP for the Graph public client: the session's proxy and handler settings, disposed with the provider.</summary>
    internal sealed class OwnedMsalHttpClientFactory : IMsalHttpClientFactory, IDisposable
    {
        private readonly HttpClient _client;

        public OwnedMsalHttpClientFactory(HttpSettings settings) => _client = new HttpClient(settings.CreateHandler(), disposeHandler: true);

        public HttpClient GetHttpClient() => _client;

        public void Dispose() => _client.Dispose();
    }
}
