using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Engine.Http;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Connects the fleet's tenants for the plan cmdlets as the file says (docs/fleet.md §1, "how to connect"). What needs
    /// the pipeline thread (this runspace's connections, environment variables, SecretManagement's Get-Secret, paths) is
    /// resolved in <see cref="Prepare"/>; <see cref="ConnectAsync"/> then only signs in, through SignInService as
    /// Connect-CalendarFederation does. A tenant that cannot be connected fails with FleetTenantConnectFailed (or the
    /// sign-in's own id), which the reader keeps as the tenant's ReadError: never "absent". No secret is ever in a message.
    /// </summary>
    internal sealed class FleetConnector : IFleetTenantConnector
    {
        private readonly Dictionary<string, Prepared> _prepared = new Dictionary<string, Prepared>(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentBag<TenantSession> _created = new ConcurrentBag<TenantSession>();
        // One connection pool for every tenant this connector signs in (src/CalendarFederation.Engine/Http/SharedConnections.cs).
        private readonly HttpSettings _http = SharedConnections.Share(new HttpSettings { HandlerFactory = TestHooks.HandlerFactory });

        private sealed class Prepared
        {
            public CalendarFederationConnection? Borrowed;
            public SignInRequest? Request;
            public EngineException? Failure;
        }

        private FleetConnector() { }

        /// <summary>
        /// Decides, for every tenant, the connection or sign-in to use. <paramref name="connections"/> (-Connection) win for
        /// the tenant they match by tenant id or organization; a connection that matches none is reported with a warning.
        /// </summary>
        public static FleetConnector Prepare(PSCmdlet cmdlet, FleetDefinition definition, IReadOnlyList<CalendarFederationConnection> connections)
        {
            var connector = new FleetConnector();
            var used = new HashSet<CalendarFederationConnection>();
            foreach (FleetTenant tenant in definition.Tenants)
            {
                CalendarFederationConnection? given = connections.FirstOrDefault(c => Matches(c, tenant));
                Prepared prepared;
                if (given != null)
                {
                    used.Add(given);
                    prepared = Borrow(tenant, given);
                }
                else
                {
                    prepared = PrepareFromFile(cmdlet, definition, tenant, connector._http);
                }
                connector._prepared[tenant.Name] = prepared;
                if (prepared.Borrowed != null) cmdlet.WriteVerbose(Text.Format(FleetMessages.VerboseConnectBorrowed, tenant.Name, prepared.Borrowed));
                else if (prepared.Request != null) cmdlet.WriteVerbose(Text.Format(FleetMessages.VerboseConnectSignIn, tenant.Name, prepared.Request.AuthorityTenant, Describe(tenant.Connect)));
            }
            foreach (CalendarFederationConnection unused in connections.Where(c => !used.Contains(c)))
            {
                cmdlet.WriteWarning(Text.Format(FleetMessages.WarnConnectionUnmatched, unused));
            }
            return connector;
        }

        public async Task<TenantSession> ConnectAsync(FleetTenant tenant, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (!_prepared.TryGetValue(tenant.Name, out Prepared? prepared)) throw Failed(tenant, Text.Format(FleetMessages.ErrorConnectNoMethod, tenant.Name));
            if (prepared.Failure != null) throw prepared.Failure;
            if (prepared.Borrowed != null) return prepared.Borrowed.Session;
            TenantSession session = await SignInService.SignInAsync(prepared.Request!, events, cancellationToken).ConfigureAwait(false);
            _created.Add(session);
            return session;
        }

        /// <summary>True when the tenant's session is a connection the caller owns: the plan must not close it.</summary>
        public bool IsBorrowed(string tenantName) => _prepared.TryGetValue(tenantName, out Prepared? p) && p.Borrowed != null;

        /// <summary>Closes the sessions this connector signed in, except those to keep (the plan's readable tenants).</summary>
        public void DisposeCreated(ISet<TenantSession>? keep = null)
        {
            foreach (TenantSession session in _created.Distinct())
            {
                if (keep == null || !keep.Contains(session)) session.Dispose();
            }
        }

        private static bool Matches(CalendarFederationConnection c, FleetTenant tenant)
        {
            if (tenant.TenantId != null && c.TenantId != null && SameId(tenant.TenantId, c.TenantId)) return true;
            if (tenant.Organization != null && string.Equals(tenant.Organization, c.Organization, StringComparison.OrdinalIgnoreCase)) return true;
            return tenant.Connect.Kind == FleetConnectKind.Connection && Names(c, tenant.Connect.Connection);
        }

        private static bool Names(CalendarFederationConnection c, string? name) =>
            name != null && (string.Equals(name.Trim(), c.Organization, StringComparison.OrdinalIgnoreCase) || (c.TenantId != null && SameId(name, c.TenantId)));

        private static bool SameId(string a, string b) =>
            Guid.TryParse(a, out Guid x) && Guid.TryParse(b, out Guid y) ? x == y : string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

        private static Prepared Borrow(FleetTenant tenant, CalendarFederationConnection connection) => connection.IsClosed
            ? new Prepared { Failure = Failed(tenant, Text.Format(FleetMessages.ErrorConnectConnectionClosed, tenant.Name, connection.Organization)) }
            : new Prepared { Borrowed = connection };

        private static Prepared PrepareFromFile(PSCmdlet cmdlet, FleetDefinition definition, FleetTenant tenant, HttpSettings http)
        {
            FleetConnect connect = tenant.Connect;
            if (connect.Kind == FleetConnectKind.Connection)
            {
                CalendarFederationConnection? open = ConnectionStore.All.LastOrDefault(c => Names(c, connect.Connection));
                return open != null
                    ? Borrow(tenant, open)
                    : new Prepared { Failure = Failed(tenant, Text.Format(FleetMessages.ErrorConnectNoConnection, tenant.Name, connect.Connection)) };
            }
            try
            {
                return new Prepared { Request = BuildRequest(cmdlet, definition, tenant, http) };
            }
            catch (EngineException ex)
            {
                return new Prepared { Failure = ex };
            }
        }

        // The app-only request Connect-CalendarFederation builds for the same settings; secrets are read here, never shown.
        private static SignInRequest BuildRequest(PSCmdlet cmdlet, FleetDefinition definition, FleetTenant tenant, HttpSettings http)
        {
            FleetConnect connect = tenant.Connect;
            ExchangeEnvironment environment = EnvironmentRegistry.Find(tenant.ExchangeEnvironmentName)
                ?? throw Failed(tenant, Text.Format(FleetMessages.ErrorConnectUnknownEnvironment, tenant.Name, tenant.ExchangeEnvironmentName,
                    string.Join(", ", EnvironmentRegistry.All.Select(e => e.Name))));
            var request = new SignInRequest
            {
                Environment = environment,
                ClientId = connect.AppId,
                Organization = tenant.Organization ?? tenant.TenantId,
                Http = http,
                AllowPrompt = false,
            };
            if (connect.Kind != FleetConnectKind.ManagedIdentity && string.IsNullOrWhiteSpace(connect.AppId))
            {
                throw Failed(tenant, Text.Format(FleetMessages.ErrorConnectNoAppId, tenant.Name));
            }
            switch (connect.Kind)
            {
                case FleetConnectKind.CertificateThumbprint when !string.IsNullOrWhiteSpace(connect.CertificateThumbprint):
                    request.Mode = SignInMode.Certificate;
                    request.Certificate = CertificateLocator.FromThumbprint(connect.CertificateThumbprint!);
                    break;
                case FleetConnectKind.CertificateFile when !string.IsNullOrWhiteSpace(connect.CertificateFilePath):
                    request.Mode = SignInMode.Certificate;
                    System.Security.SecureString? password = connect.CertificatePasswordEnvironmentVariable == null ? null
                        : FleetSecrets.FromEnvironment(tenant, connect.CertificatePasswordEnvironmentVariable, FleetMessages.ErrorConnectPasswordVariableMissing);
                    request.Certificate = CertificateLocator.FromFile(FleetSecrets.ResolvePath(cmdlet, definition, connect.CertificateFilePath!), password);
                    break;
                case FleetConnectKind.ManagedIdentity:
                    request.Mode = SignInMode.ManagedIdentity;
                    request.ManagedIdentityAccountId = connect.ManagedIdentityClientId;
                    break;
                case FleetConnectKind.ClientSecretEnvironmentVariable when !string.IsNullOrWhiteSpace(connect.ClientSecretEnvironmentVariable):
                    request.Mode = SignInMode.ClientSecret;
                    request.ClientSecret = FleetSecrets.FromEnvironment(tenant, connect.ClientSecretEnvironmentVariable!, FleetMessages.ErrorConnectSecretVariableMissing);
                    break;
                case FleetConnectKind.ClientSecretVault when !string.IsNullOrWhiteSpace(connect.ClientSecretName):
                    request.Mode = SignInMode.ClientSecret;
                    request.ClientSecret = FleetSecrets.FromVault(cmdlet, tenant, connect.ClientSecretVault, connect.ClientSecretName!);
                    break;
                default:
                    throw Failed(tenant, Text.Format(FleetMessages.ErrorConnectNoMethod, tenant.Name));
            }
            return request;
        }

        /// <summary>How the tenant signs in, for verbose lines: names of settings and variables, never a value.</summary>
        private static string Describe(FleetConnect c) => c.Kind switch
        {
            FleetConnectKind.CertificateThumbprint => Text.Format(FleetMessages.LabelConnectThumbprint, c.AppId, c.CertificateThumbprint),
            FleetConnectKind.CertificateFile => Text.Format(FleetMessages.LabelConnectCertificateFile, c.AppId, c.CertificateFilePath),
            FleetConnectKind.ManagedIdentity => Text.Format(FleetMessages.LabelConnectManagedIdentity, c.ManagedIdentityClientId ?? FleetMessages.LabelSystemAssigned),
            FleetConnectKind.ClientSecretEnvironmentVariable => Text.Format(FleetMessages.LabelConnectSecretVariable, c.AppId, c.ClientSecretEnvironmentVariable),
            FleetConnectKind.ClientSecretVault => Text.Format(FleetMessages.LabelConnectSecretVault, c.AppId, c.ClientSecretName, c.ClientSecretVault),
            _ => c.Kind.ToString(),
        };

        internal static EngineException Failed(FleetTenant tenant, string message, Exception? inner = null) =>
            new EngineException(ErrorIds.FleetTenantConnectFailed, ErrorKind.AuthenticationError, message, tenant.Name, inner: inner);
    }
}
