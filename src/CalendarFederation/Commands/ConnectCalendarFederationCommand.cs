using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using CalendarFederation.Completion;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Http;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Signs in to a tenant's Exchange admin API with one of six modes, with the parameter names of
    /// Connect-ExchangeOnline, and makes the connection this session's default.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "CalendarFederation", DefaultParameterSetName = InteractiveSet)]
    [OutputType(typeof(CalendarFederationConnection))]
    public sealed class ConnectCalendarFederationCommand : PSCmdlet, IDisposable
    {
        private const string InteractiveSet = "Interactive";
        private const string DeviceSet = "Device";
        private const string ThumbprintSet = "CertificateThumbprint";
        private const string CertificateFileSet = "CertificateFile";
        private const string CertificateSet = "Certificate";
        private const string ClientSecretSet = "ClientSecret";
        private const string ManagedIdentitySet = "ManagedIdentity";
        private const string AccessTokenSet = "AccessToken";

        private static int s_secretWarningShown;
        private readonly System.Threading.CancellationTokenSource _cancellation = new System.Threading.CancellationTokenSource();

        [Parameter(ParameterSetName = InteractiveSet, HelpMessage = "The account to sign in with; a hint for the sign-in page.")]
        [Parameter(ParameterSetName = DeviceSet, HelpMessage = "The account to sign in with; a hint for the sign-in page.")]
        [Parameter(ParameterSetName = AccessTokenSet, HelpMessage = "The account to sign in with; a hint for the sign-in page.")]
        [ValidateNotNullOrEmpty]
        public string? UserPrincipalName { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = DeviceSet, HelpMessage = "Sign in with a code entered in a browser on any device.")]
        public SwitchParameter Device { get; set; }

        [Parameter(ParameterSetName = InteractiveSet, HelpMessage = "The app registration (client id). Delegated sign-in defaults to ExchangeOnlineManagement's public client.")]
        [Parameter(ParameterSetName = DeviceSet, HelpMessage = "The app registration (client id). Delegated sign-in defaults to ExchangeOnlineManagement's public client.")]
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet, HelpMessage = "The app registration (client id). Delegated sign-in defaults to ExchangeOnlineManagement's public client.")]
        [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet, HelpMessage = "The app registration (client id). Delegated sign-in defaults to ExchangeOnlineManagement's public client.")]
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet, HelpMessage = "The app registration (client id). Delegated sign-in defaults to ExchangeOnlineManagement's public client.")]
        [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet, HelpMessage = "The app registration (client id). Delegated sign-in defaults to ExchangeOnlineManagement's public client.")]
        [ValidateNotNullOrEmpty]
        public string? AppId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet, HelpMessage = "The tenant's primary .onmicrosoft.com domain (or its GUID).")]
        [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet, HelpMessage = "The tenant's primary .onmicrosoft.com domain (or its GUID).")]
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet, HelpMessage = "The tenant's primary .onmicrosoft.com domain (or its GUID).")]
        [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet, HelpMessage = "The tenant's primary .onmicrosoft.com domain (or its GUID).")]
        [Parameter(ParameterSetName = ManagedIdentitySet, HelpMessage = "The tenant's primary .onmicrosoft.com domain (or its GUID).")]
        [Parameter(ParameterSetName = AccessTokenSet, HelpMessage = "The tenant's primary .onmicrosoft.com domain (or its GUID).")]
        [Parameter(ParameterSetName = InteractiveSet, HelpMessage = "The tenant's primary .onmicrosoft.com domain (or its GUID).")]
        [Parameter(ParameterSetName = DeviceSet, HelpMessage = "The tenant's primary .onmicrosoft.com domain (or its GUID).")]
        [ValidateNotNullOrEmpty]
        public string? Organization { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet, HelpMessage = "A certificate in the CurrentUser or LocalMachine 'My' store.")]
        [ValidateNotNullOrEmpty]
        public string? CertificateThumbprint { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet, HelpMessage = "A .pfx file with the certificate and its private key.")]
        [ValidateNotNullOrEmpty]
        public string? CertificateFilePath { get; set; }

        [Parameter(ParameterSetName = CertificateFileSet, HelpMessage = "The .pfx file's password.")]
        public SecureString? CertificatePassword { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CertificateSet, HelpMessage = "A certificate object with its private key.")]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet, HelpMessage = "The app's client secret. Certificates are preferred.")]
        [ValidateNotNull]
        public SecureString? ClientSecret { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet, HelpMessage = "Sign in as this Azure resource's managed identity.")]
        public SwitchParameter ManagedIdentity { get; set; }

        [Parameter(ParameterSetName = ManagedIdentitySet, HelpMessage = "A user-assigned identity's client id (or resource id); omit for the system-assigned identity.")]
        [ValidateNotNullOrEmpty]
        public string? ManagedIdentityAccountId { get; set; }

        [Parameter(ParameterSetName = AccessTokenSet, HelpMessage = "A Microsoft Graph access token you hold, for the cross-tenant access cmdlets (string or SecureString). It is never refreshed.")]
        [ValidateNotNull]
        public object? GraphAccessToken { get; set; }

        [Parameter(ParameterSetName = InteractiveSet, HelpMessage = "The app (client id) for delegated Microsoft Graph sign-in; by default -AppId, else Microsoft Graph Command Line Tools.")]
        [Parameter(ParameterSetName = DeviceSet, HelpMessage = "The app (client id) for delegated Microsoft Graph sign-in; by default -AppId, else Microsoft Graph Command Line Tools.")]
        [ValidateNotNullOrEmpty]
        public string? GraphAppId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet, HelpMessage = "An access token for the admin API, as a string or SecureString.")]
        [ValidateNotNull]
        public object? AccessToken { get; set; }

        [Parameter(HelpMessage = "O365Default, O365USGovGCCHigh, O365USGovDoD, O365China, or a custom environment's name.")]
        [ArgumentCompleter(typeof(ExchangeEnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string ExchangeEnvironmentName { get; set; } = ExchangeEnvironment.O365Default;

        [Parameter(HelpMessage = "The admin API host, overriding the environment's.")]
        [ValidateNotNull]
        public Uri? ConnectionUri { get; set; }

        [Parameter(HelpMessage = "The sign-in authority, overriding the environment's.")]
        [ValidateNotNull]
        public Uri? AzureADAuthorizationEndpointUri { get; set; }

        [Parameter(ParameterSetName = InteractiveSet, HelpMessage = "A customer tenant to manage with a partner (GDAP) sign-in.")]
        [Parameter(ParameterSetName = DeviceSet, HelpMessage = "A customer tenant to manage with a partner (GDAP) sign-in.")]
        [Parameter(ParameterSetName = AccessTokenSet, HelpMessage = "A customer tenant to manage with a partner (GDAP) sign-in.")]
        [ValidateNotNullOrEmpty]
        public string? DelegatedOrganization { get; set; }

        [Parameter(ParameterSetName = InteractiveSet, HelpMessage = "Keep delegated tokens in a cache protected by the operating system, across sessions.")]
        [Parameter(ParameterSetName = DeviceSet, HelpMessage = "Keep delegated tokens in a cache protected by the operating system, across sessions.")]
        public SwitchParameter PersistTokenCache { get; set; }

        [Parameter(ParameterSetName = InteractiveSet, HelpMessage = "With -PersistTokenCache: where the OS cannot protect the cache, accept a plain file with owner-only permissions.")]
        [Parameter(ParameterSetName = DeviceSet, HelpMessage = "With -PersistTokenCache: where the OS cannot protect the cache, accept a plain file with owner-only permissions.")]
        public SwitchParameter AllowUnprotectedTokenCache { get; set; }

        [Parameter(HelpMessage = "An explicit proxy for sign-in and the admin API; by default the system's.")]
        [ValidateNotNull]
        public Uri? Proxy { get; set; }

        [Parameter(HelpMessage = "Credentials for -Proxy.")]
        [Credential]
        public PSCredential? ProxyCredential { get; set; }

        [Parameter(HelpMessage = "Seconds an admin API call may take in all, retries included. Default: 900 (Exchange's).")]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 900;

        [Parameter(HelpMessage = "Do not make this connection the session's default.")]
        public SwitchParameter NotDefault { get; set; }

        [Parameter(HelpMessage = "Do not call the admin API to check the connection.")]
        public SwitchParameter SkipConnectionCheck { get; set; }

        [Parameter(HelpMessage = "Return the connection.")]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            ExchangeEnvironment environment = ResolveEnvironment();
            RequireSecure(ConnectionUri, nameof(ConnectionUri), allowLoopbackHttp: true);
            RequireSecure(AzureADAuthorizationEndpointUri, nameof(AzureADAuthorizationEndpointUri), allowLoopbackHttp: false);

            SignInMode mode = ModeOf(ParameterSetName);
            if (AllowUnprotectedTokenCache && !PersistTokenCache)
            {
                WriteWarning(ConnectionMessages.WarnUnprotectedCacheIgnored);
            }
            bool allowPrompt = CanPrompt(mode);
            SignInRequest request = BuildRequest(mode, environment, allowPrompt);
            if (mode == SignInMode.ClientSecret && System.Threading.Interlocked.Exchange(ref s_secretWarningShown, 1) == 0)
            {
                WriteWarning(ConnectionMessages.LongWarnClientSecret);
            }

            WriteVerbose(Text.Format(ConnectionMessages.VerboseSigningIn, request.AuthorityTenant, request.Authority.GetLeftPart(UriPartial.Authority), mode, request.AdminApiBase));
            var events = new EngineEventQueue(this, ProgressActivityId);
            TenantSession session = SignIn(request, events);
            string? organizationName = SkipConnectionCheck ? null : CheckConnection(session, events);

            var connection = new CalendarFederationConnection(session, organizationName);
            ConnectionStore.Add(connection, makeDefault: !NotDefault);
            WriteVerbose(Text.Format(ConnectionMessages.VerboseConnected, connection));
            if (PassThru) WriteObject(connection);
        }

        private ExchangeEnvironment ResolveEnvironment()
        {
            ExchangeEnvironment? environment = EnvironmentRegistry.Find(ExchangeEnvironmentName);
            if (environment == null)
            {
                Fail(new ArgumentException(Text.Format(ConnectionMessages.ErrorUnknownEnvironment, ExchangeEnvironmentName,
                    string.Join(", ", EnvironmentRegistry.All.Select(e => e.Name)))),
                    "UnknownExchangeEnvironment", ErrorCategory.InvalidArgument, ExchangeEnvironmentName);
            }
            return environment!;
        }

        private static SignInMode ModeOf(string parameterSetName) => parameterSetName switch
        {
            DeviceSet => SignInMode.DeviceCode,
            ThumbprintSet or CertificateFileSet or CertificateSet => SignInMode.Certificate,
            ClientSecretSet => SignInMode.ClientSecret,
            ManagedIdentitySet => SignInMode.ManagedIdentity,
            AccessTokenSet => SignInMode.AccessToken,
            _ => SignInMode.Interactive,
        };

        // Interactive and device code sign-in need a person at the keyboard; without one, only a persisted sign-in can be used.
        private bool CanPrompt(SignInMode mode)
        {
            if (mode != SignInMode.Interactive && mode != SignInMode.DeviceCode) return true;
            string? why = TestHooks.Browser != null && mode == SignInMode.Interactive ? null : HostInteractivity.WhyNotInteractive(Host);
            if (why == null) return true;
            // A persisted sign-in can still be used without a prompt; only if there is none does this fail.
            if (PersistTokenCache) return false;
            Fail(new InvalidOperationException(Text.Format(
                mode == SignInMode.DeviceCode ? ConnectionMessages.ErrorDeviceCodeNeedsPerson : ConnectionMessages.ErrorInteractiveNeedsPerson, why, ConnectionMessages.ErrorUnattendedModes)),
                "InteractiveSignInNotPossible", ErrorCategory.AuthenticationError, mode.ToString());
            return false;
        }

        private SignInRequest BuildRequest(SignInMode mode, ExchangeEnvironment environment, bool allowPrompt)
        {
            var request = new SignInRequest
            {
                Mode = mode,
                Environment = environment,
                ConnectionUriOverride = ConnectionUri,
                AuthorityOverride = AzureADAuthorizationEndpointUri,
                ClientId = AppId,
                Organization = Organization,
                DelegatedOrganization = DelegatedOrganization,
                UserPrincipalName = UserPrincipalName,
                ManagedIdentityAccountId = ManagedIdentityAccountId,
                ClientSecret = ClientSecret,
                Cache = !PersistTokenCache ? TokenCacheMode.Memory : AllowUnprotectedTokenCache ? TokenCacheMode.PersistentUnprotected : TokenCacheMode.Persistent,
                Http = new HttpSettings { Proxy = CreateProxy(), HandlerFactory = TestHooks.HandlerFactory },
                Browser = TestHooks.Browser,
                AllowPrompt = allowPrompt,
                DiagnosticLogging = MyInvocation.BoundParameters.ContainsKey("Debug"),
                OverallTimeout = TimeSpan.FromSeconds(TimeoutSec),
            };

            if (mode == SignInMode.Certificate) request.Certificate = LoadCertificate();
            if (mode == SignInMode.AccessToken) request.AccessToken = ToSecureString(AccessToken!);
            if (GraphAccessToken != null) request.GraphAccessToken = ToSecureString(GraphAccessToken);
            if (GraphAppId != null) request.GraphClientId = GraphAppId;
            return request;
        }

        private TenantSession SignIn(SignInRequest request, EngineEventQueue events)
        {
            try
            {
                return events.Run((e, token) => SignInService.SignInAsync(request, e, token), _cancellation.Token);
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (SignInException ex) when (ex.ErrorId == ErrorIds.InteractiveSignInNotPossible)
            {
                Fail(new InvalidOperationException(ex.Message + " " + ConnectionMessages.ErrorUnattendedModes, ex), ex.ErrorId, ErrorCategory.AuthenticationError, request.Mode.ToString());
                return null!;
            }
            catch (EngineException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, Organization ?? DelegatedOrganization, Advice(ex.ErrorId)));
                return null!;
            }
        }

        // The organization's name as the admin API gives it; the session is closed when the check fails.
        private string? CheckConnection(TenantSession session, EngineEventQueue events)
        {
            try
            {
                return events.Run((e, token) => ConnectionCheck.RunAsync(session, e, token), _cancellation.Token);
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                session.Dispose();
                throw new PipelineStoppedException();
            }
            catch (EngineException ex)
            {
                session.Dispose();
                ThrowTerminatingError(ErrorRecords.From(ex, session.Organization,
                    ex.ErrorId == ErrorIds.ConnectionCheckFailed ? ConnectionMessages.ActionConnectionCheckFailed : null));
                return null;
            }
        }

        protected override void StopProcessing() => _cancellation.Cancel();

        public void Dispose() => _cancellation.Dispose();

        private X509Certificate2 LoadCertificate()
        {
            if (Certificate != null) return Certificate;
            try
            {
                if (CertificateFilePath != null) return CertificateLocator.FromFile(GetUnresolvedProviderPathFromPSPath(CertificateFilePath), CertificatePassword);
                return CertificateLocator.FromThumbprint(CertificateThumbprint!);
            }
            catch (EngineException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, ex.Target, ex.ErrorId == ErrorIds.CertificateLoadFailed ? ConnectionMessages.ActionCertificateLoadFailed : null));
                return null!;
            }
        }

        // What the admin can change in this command for each sign-in failure; the engine's messages name no parameters.
        private static string? Advice(string errorId) => errorId switch
        {
            ErrorIds.AppIdRequired => ConnectionMessages.ActionAppIdRequired,
            ErrorIds.OrganizationRequired => ConnectionMessages.ActionOrganizationRequired,
            ErrorIds.TenantUnknown => ConnectionMessages.ActionTenantUnknown,
            ErrorIds.InvalidAccessToken => ConnectionMessages.ActionInvalidAccessToken,
            _ => null,
        };

        private const int ProgressActivityId = 0x4346_0200;

        private IWebProxy? CreateProxy()
        {
            if (Proxy == null) return null;
            var proxy = new WebProxy(Proxy);
            if (ProxyCredential != null) proxy.Credentials = ProxyCredential.GetNetworkCredential();
            return proxy;
        }

        private static SecureString ToSecureString(object value)
        {
            object raw = value is PSObject pso ? pso.BaseObject : value;
            if (raw is SecureString secure) return secure;
            if (raw is string text)
            {
                var result = new SecureString();
                foreach (char c in text.Trim()) result.AppendChar(c);
                result.MakeReadOnly();
                return result;
            }
            throw new PSArgumentException(ConnectionMessages.ErrorTokenType, nameof(AccessToken));
        }

        private void RequireSecure(Uri? uri, string parameter, bool allowLoopbackHttp)
        {
            if (uri == null) return;
            bool ok = uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || (allowLoopbackHttp && Loopback.IsAllowedScheme(uri)));
            if (!ok)
            {
                Fail(new ArgumentException(Text.Format(allowLoopbackHttp ? ConnectionMessages.ErrorInsecureEndpointLoopback : ConnectionMessages.ErrorInsecureEndpoint, parameter, uri)),
                    "InsecureEndpoint", ErrorCategory.InvalidArgument, uri);
            }
        }

        private void Fail(Exception exception, string id, ErrorCategory category, object? target)
        {
            ThrowTerminatingError(new ErrorRecord(exception, id, category, target));
        }
    }
}
