using System;
using System.Collections.Generic;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>Everything needed to sign in to one tenant's admin API.</summary>
    public sealed class SignInRequest
    {
        /// <summary>
        /// The public client ExchangeOnlineManagement uses for delegated sign-in. Whether third parties may reuse it
        /// is UNCONFIRMED (docs/protocol.md §4): it is the default because admins' tenants already consent to it;
        /// -AppId brings your own registration.
        /// </summary>
        public const string DefaultPublicClientId = "fb78d390-0c51-40cd-8e17-fdbfab77341b";

        public SignInMode Mode { get; set; }

        public ExchangeEnvironment Environment { get; set; } = ExchangeEnvironment.BuiltIn[0];

        /// <summary>-AzureADAuthorizationEndpointUri: the authority, with or without a tenant segment.</summary>
        public Uri? AuthorityOverride { get; set; }

        /// <summary>-ConnectionUri: the admin API host; its path is ignored.</summary>
        public Uri? ConnectionUriOverride { get; set; }

        public string? ClientId { get; set; }

        /// <summary>The tenant: its primary *.onmicrosoft.com domain or GUID. Required for app-only sign-in.</summary>
        public string? Organization { get; set; }

        /// <summary>A customer tenant managed through a partner (GDAP) sign-in.</summary>
        public string? DelegatedOrganization { get; set; }

        public string? UserPrincipalName { get; set; }

        public X509Certificate2? Certificate { get; set; }

        public SecureString? ClientSecret { get; set; }

        /// <summary>A user-assigned identity's client id, object id or resource id; null for system-assigned.</summary>
        public string? ManagedIdentityAccountId { get; set; }

        public SecureString? AccessToken { get; set; }

        /// <summary>
        /// The default delegated Microsoft Graph client (Microsoft Graph Command Line Tools); UNCONFIRMED for reuse by third
        /// parties (CrossTenantAccess/XtapDecisions.cs, D13).
        /// </summary>
        public const string DefaultGraphClientId = CrossTenantAccess.XtapDecisions.DefaultGraphClientId;

        /// <summary>The public client for delegated Microsoft Graph calls; null uses <see cref="ClientId"/>, else <see cref="DefaultGraphClientId"/>.</summary>
        public string? GraphClientId { get; set; }

        /// <summary>A Microsoft Graph access token the caller brought, for any mode; never refreshed.</summary>
        public SecureString? GraphAccessToken { get; set; }

        /// <summary>The delegated Graph permissions to ask for (e.g. "Policy.Read.All"); null asks for read and both writes.</summary>
        public IReadOnlyList<string>? GraphScopes { get; set; }

        public TokenCacheMode Cache { get; set; } = TokenCacheMode.Memory;

        /// <summary>Where a persistent cache lives; defaults to a per-user folder.</summary>
        public string? CacheDirectory { get; set; }

        public HttpSettings Http { get; set; } = new HttpSettings();

        /// <summary>Replaces the system browser for interactive sign-in (tests).</summary>
        public IBrowser? Browser { get; set; }

        /// <summary>
        /// False where nobody can answer a prompt: delegated sign-in then succeeds only silently, from a persisted cache.
        /// </summary>
        public bool AllowPrompt { get; set; } = true;

        /// <summary>MSAL's informational log into the debug stream (when the admin asked for -Debug).</summary>
        public bool DiagnosticLogging { get; set; }

        /// <summary>The admin API's overall timeout per call; null for Exchange's 15 minutes.</summary>
        public TimeSpan? OverallTimeout { get; set; }

        public bool IsAppOnly => Mode == SignInMode.Certificate || Mode == SignInMode.ClientSecret || Mode == SignInMode.ManagedIdentity;

        /// <summary>The admin API base, scheme and host only: EXO's -ConnectionUri values carry a legacy path.</summary>
        public Uri AdminApiBase => new Uri((ConnectionUriOverride ?? Environment.AdminApi).GetLeftPart(UriPartial.Authority));

        public string Scope => ConnectionUriOverride != null ? AdminApiBase.AbsoluteUri.TrimEnd('/') + "/.default" : Environment.Scope;

        /// <summary>The tenant segment of the authority: the tenant being managed, or "organizations" for a delegated sign-in without one.</summary>
        public string AuthorityTenant => DelegatedOrganization ?? Organization ?? "organizations";

        public Uri Authority
        {
            get
            {
                Uri baseUri = AuthorityOverride ?? Environment.Authority;
                string path = baseUri.AbsolutePath.Trim('/');
                if (path.Length > 0 && AuthorityOverride != null)
                {
                    // An override with a tenant segment (".../common") names the tenant for delegated sign-in; app-only needs the real tenant.
                    if (!IsAppOnly || Organization == null) return new Uri(baseUri.GetLeftPart(UriPartial.Authority) + "/" + (DelegatedOrganization ?? path));
                }
                return new Uri(baseUri.GetLeftPart(UriPartial.Authority) + "/" + AuthorityTenant);
            }
        }
    }
}
