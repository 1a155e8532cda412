using System;
using CalendarFederation.Engine.Auth;

namespace CalendarFederation
{
    /// <summary>
    /// A signed-in tenant. Pass it to -Connection on any tenant cmdlet to work on several tenants at once.
    /// It holds no secret that PowerShell can show: tokens stay inside the engine's session.
    /// </summary>
    public sealed class CalendarFederationConnection
    {
        // object-typed so that reflecting over this public type never loads the engine before the module's loader is ready.
        private readonly object _session;

        internal CalendarFederationConnection(TenantSession session, string? organizationName)
        {
            _session = session;
            Id = Guid.NewGuid();
            OrganizationName = organizationName;
        }

        internal TenantSession Session => (TenantSession)_session;

        public Guid Id { get; }

        /// <summary>The tenant the cmdlets act on (the delegated organization for a partner sign-in).</summary>
        public string Organization => Session.Organization;

        /// <summary>The organization's display name, as the admin API reported it when connecting.</summary>
        public string? OrganizationName { get; }

        public string? TenantId => Session.TenantId;

        public string? DelegatedOrganization => Session.DelegatedOrganization;

        /// <summary>Interactive, DeviceCode, Certificate, ClientSecret, ManagedIdentity or AccessToken.</summary>
        public string AuthenticationMode => Session.Mode.ToString();

        /// <summary>The signed-in user, for delegated sign-in.</summary>
        public string? UserPrincipalName => Session.UserPrincipalName;

        /// <summary>The app registration (client id) used to sign in.</summary>
        public string? AppId => Session.AppId;

        public bool IsAppOnly => Session.IsAppOnly;

        public string ExchangeEnvironmentName => Session.Environment.Name;

        public Uri ConnectionUri => Session.AdminApiBase;

        public Uri AzureADAuthorizationEndpointUri => Session.Authority;

        public DateTimeOffset ConnectedAt => Session.ConnectedAt;

        /// <summary>When the first token expired; later ones are refreshed silently before each request.</summary>
        public DateTimeOffset TokenExpiresOn => Session.TokenExpiresOn;

        public string TokenCache => Session.TokenCacheDescription ?? "Memory";

        /// <summary>True after Disconnect-CalendarFederation: the session is gone and every call fails with ConnectionClosed.</summary>
        internal bool IsClosed => Session.AdminApi.IsDisposed;

        public override string ToString() =>
            $"{Organization} ({AuthenticationMode}{(UserPrincipalName != null ? ", " + UserPrincipalName : AppId != null ? ", app " + AppId : "")})";
    }
}
