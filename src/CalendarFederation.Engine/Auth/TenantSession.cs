using System;
using System.Threading;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Graph;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>One signed-in tenant: who signed in, where the admin API is, and the client that calls it.</summary>
    public sealed class TenantSession : IDisposable
    {
        internal TenantSession(SignInRequest request, ITokenSource tokens, AdminApiClient adminApi, string? tenantId, string organization,
            string? userPrincipalName, string? appId, bool isAppOnly, DateTimeOffset tokenExpiresOn, TokenCacheBinding? cache,
            IGraphTokenProvider? graphTokens = null)
        {
            Mode = request.Mode;
            Environment = request.Environment;
            AdminApiBase = request.AdminApiBase;
            Authority = request.Authority;
            Tokens = tokens;
            AdminApi = adminApi;
            TenantId = tenantId;
            Organization = organization;
            DelegatedOrganization = request.DelegatedOrganization;
            UserPrincipalName = userPrincipalName;
            AppId = appId;
            IsAppOnly = isAppOnly;
            _firstExpiresOn = tokenExpiresOn;
            ConnectedAt = DateTimeOffset.UtcNow;
            Cache = cache;
            Http = request.Http;
            CertificateThumbprint = request.Mode == SignInMode.Certificate ? request.Certificate?.Thumbprint : null;
            ManagedIdentityAccountId = request.Mode == SignInMode.ManagedIdentity ? request.ManagedIdentityAccountId : null;
            GraphTokens = graphTokens ?? new UnavailableGraphTokenProvider("This connection has no way to get a Microsoft Graph token.");
        }

        /// <summary>The proxy and handler settings the session was made with, for its other clients (discovery, free/busy).</summary>
        public Http.HttpSettings Http { get; }

        public SignInMode Mode { get; }
        public ExchangeEnvironment Environment { get; }
        public Uri AdminApiBase { get; }
        public Uri Authority { get; }
        public ITokenSource Tokens { get; }
        public AdminApiClient AdminApi { get; }
        public string? TenantId { get; }
        /// <summary>The tenant the admin API calls go to (the delegated organization for GDAP).</summary>
        public string Organization { get; }
        public string? DelegatedOrganization { get; }
        public string? UserPrincipalName { get; }
        public string? AppId { get; }
        public bool IsAppOnly { get; }
        /// <summary>The certificate's thumbprint for certificate sign-in (not a secret), so the fleet export can name it (Fleet/FleetExport.cs).</summary>
        public string? CertificateThumbprint { get; }
        /// <summary>The user-assigned identity's id for managed identity sign-in; null otherwise or for system-assigned.</summary>
        public string? ManagedIdentityAccountId { get; }
        /// <summary>When the newest token handed out expires; it moves on as tokens are refreshed.</summary>
        public DateTimeOffset TokenExpiresOn => Tokens is TrackingTokenSource t ? t.LatestExpiresOn : _firstExpiresOn;
        public DateTimeOffset ConnectedAt { get; }
        public string? TokenCacheDescription => Cache?.Description;
        internal TokenCacheBinding? Cache { get; }

        private readonly DateTimeOffset _firstExpiresOn;
        private readonly object _graphLock = new object();
        private GraphClient? _graph;
        private int _disposed;

        /// <summary>True once the session was disposed (disconnected): its clients refuse every call.</summary>
        public bool IsClosed => Volatile.Read(ref _disposed) != 0;

        /// <summary>How this session gets Microsoft Graph tokens (app-only, managed identity, delegated, supplied, or none).</summary>
        public IGraphTokenProvider GraphTokens { get; }

        /// <summary>
        /// Microsoft Graph for this tenant (the environment's Graph endpoint, v1.0), made on first use with the session's
        /// HTTP settings and disposed with the session. A delegated session signs in to Graph on its first call.
        /// </summary>
        public GraphClient Graph
        {
            get
            {
                lock (_graphLock)
                {
                    if (Volatile.Read(ref _disposed) != 0)
                    {
                        throw new EngineException(ErrorIds.ConnectionClosed, ErrorKind.ConnectionError, $"This connection to {Organization} was disconnected; connect again.", Organization);
                    }
                    return _graph ??= new GraphClient(new GraphClientOptions
                    {
                        BaseUri = new Uri(Environment.Graph.GetLeftPart(UriPartial.Authority)),
                        Tenant = TenantId ?? Organization,
                        GateKey = DelegatedOrganization ?? TenantId ?? Organization,
                        UserAgent = AdminApi.Options.UserAgent,
                    }, GraphTokens, Http.CreateHandler(), disposeHandler: true);
                }
            }
        }

        /// <summary>Forgets the delegated sign-in (in memory and in a persisted cache); app-only tokens simply go with the session.</summary>
        public async System.Threading.Tasks.Task SignOutAsync()
        {
            ITokenSource inner = Tokens is TrackingTokenSource t ? t.Inner : Tokens;
            if (inner is PublicClientTokenSource publicClient) await publicClient.SignOutAsync().ConfigureAwait(false);
            if (GraphTokens is DelegatedGraphTokenProvider graph) await graph.SignOutAsync().ConfigureAwait(false);
        }

        public void Dispose()
        {
            AdminApi.Dispose();
            lock (_graphLock)
            {
                if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
                _graph?.Dispose();
            }
            (GraphTokens as IDisposable)?.Dispose();
        }
    }
}
