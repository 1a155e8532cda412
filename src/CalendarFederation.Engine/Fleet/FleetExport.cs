using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The fleet file of what the tenants hold today (docs/fleet.md §5): each tenant with its organization, tenant id and
    /// connect settings as its session was made (never a secret), and each direction one fleet tenant shares with another,
    /// with its method as found. <see cref="FleetFileWriter"/> folds directions that match both ways into Between.
    /// </summary>
    public static class FleetExport
    {
        private static readonly Regex NameCharacters = new Regex("[^A-Za-z0-9_.\\-]", RegexOptions.CultureInvariant);

        /// <summary>Unreadable tenants are listed (so the file names them) but share nothing: what they hold is not known.</summary>
        public static FleetDefinition FromStates(IReadOnlyList<FleetTenantState> states)
        {
            if (states == null) throw new ArgumentNullException(nameof(states));
            var definition = new FleetDefinition();
            var named = new List<(FleetTenantState State, FleetTenant Tenant)>();
            foreach (FleetTenantState state in states)
            {
                FleetTenant tenant = TenantOf(state, UniqueName(state, definition));
                definition.Tenants.Add(tenant);
                named.Add((state, tenant));
            }

            var found = new List<(FleetTenant From, FleetTenant To, FleetShareSettings Settings)>();
            foreach (var from in named.Where(n => n.State.IsReadable))
            {
                foreach (var to in named.Where(n => !ReferenceEquals(n.State, from.State)))
                {
                    FleetShareSettings? settings = SharedWith(from.State, to.State, to.Tenant);
                    if (settings != null) found.Add((from.Tenant, to.Tenant, settings));
                }
            }
            // A relationship in effect on either side hides the cross-tenant access policy for both (docs/cross-tenant-access.md §1.4),
            // so a pair with one is an organization relationship pair both ways; the reader requires one method per pair.
            var legacyPairs = new HashSet<string>(found.Where(f => f.Settings.Method == FederationMethod.OrganizationRelationship)
                .Select(f => FleetNames.PairKey(f.From.Name, f.To.Name)), StringComparer.OrdinalIgnoreCase);
            foreach (var f in found)
            {
                if (legacyPairs.Contains(FleetNames.PairKey(f.From.Name, f.To.Name)))
                {
                    f.Settings.Method = FederationMethod.OrganizationRelationship;
                    f.Settings.CalendarSharingAccessLevel = null;
                    f.Settings.RoomBooking = null;
                }
            }
            foreach (var f in found) definition.Directions.Add(new FleetDirection(f.From.Name, f.To.Name, shared: true, f.Settings));
            AddNotSharedReverses(definition);
            return definition;
        }

        private static void AddNotSharedReverses(FleetDefinition definition)
        {
            var present = new HashSet<string>(definition.Directions.Select(d => d.From + "->" + d.To), StringComparer.OrdinalIgnoreCase);
            foreach (FleetDirection d in definition.Directions.ToList())
            {
                if (!present.Contains(d.To + "->" + d.From)) definition.Directions.Add(new FleetDirection(d.To, d.From, shared: false, d.Settings.Clone()));
            }
        }

        /// <summary>What <paramref name="from"/> shares with <paramref name="to"/>'s users: an enabled relationship wins over a grant (§1.4).</summary>
        private static FleetShareSettings? SharedWith(FleetTenantState from, FleetTenantState to, FleetTenant toTenant)
        {
            AdminObject? relationship = CoveringRelationships(from, to).FirstOrDefault(r => r.GetBool("Enabled") != false);
            if (relationship != null) return RelationshipSettings(relationship);

            string? partnerId = to.TenantId ?? to.Session?.TenantId ?? toTenant.TenantId;
            if (partnerId == null || from.CrossTenantAccess == null) return null;
            PartnerAccessState? partner = from.CrossTenantAccess.Partners.FirstOrDefault(p => string.Equals(p.PartnerTenantId, partnerId, StringComparison.OrdinalIgnoreCase));
            if (partner == null || partner.FreeBusy == FreeBusyAccessLevel.None) return null;
            string? scope = partner.Allowed(CapabilityFamily.FreeBusy).SelectMany(c => c.InboundAccess.Scopes.Included)
                .Where(s => !s.IsEmpty && !s.IsEveryone).Select(s => s.ResourceId!).FirstOrDefault();
            if (scope != null && from.CrossTenantAccess.GroupNames.TryGetValue(scope, out string? groupName)) scope = groupName;
            return new FleetShareSettings
            {
                Method = FederationMethod.CrossTenantAccess,
                FreeBusyAccessLevel = partner.FreeBusy.ToString(),
                FreeBusyAccessScope = scope,
                MailTipsAccessLevel = partner.MailTips == MailTipsAccessLevel.None ? null : partner.MailTips.ToString(),
                CalendarSharingAccessLevel = partner.CalendarSharing == CalendarSharingAccessLevel.None ? null : partner.CalendarSharing.ToString(),
                RoomBooking = partner.RoomBooking ? true : (bool?)null,
            };
        }

        /// <summary>Null when the relationship does not share free/busy (then it shares nothing this file describes).</summary>
        private static FleetShareSettings? RelationshipSettings(AdminObject r)
        {
            string? level = r.GetString("FreeBusyAccessLevel");
            if (r.GetBool("FreeBusyAccessEnabled") != true || !Enum.TryParse(level, true, out FreeBusyAccessLevel parsed) || parsed == FreeBusyAccessLevel.None) return null;
            string? scope = r.GetString("FreeBusyAccessScope");
            string? mailTips = r.GetBool("MailTipsAccessEnabled") == true && Enum.TryParse(r.GetString("MailTipsAccessLevel"), true, out MailTipsAccessLevel m) && m != MailTipsAccessLevel.None
                ? m.ToString() : null;
            return new FleetShareSettings
            {
                Method = FederationMethod.OrganizationRelationship,
                FreeBusyAccessLevel = parsed.ToString(),
                FreeBusyAccessScope = string.IsNullOrWhiteSpace(scope) ? null : scope!.Trim(),
                MailTipsAccessLevel = mailTips,
            };
        }

        /// <summary>The relationships in <paramref name="from"/> whose domains include the partner's organization or accepted domains.</summary>
        private static IEnumerable<AdminObject> CoveringRelationships(FleetTenantState from, FleetTenantState to)
        {
            var wanted = new HashSet<string>(to.AcceptedDomains.Select(Normalize), StringComparer.OrdinalIgnoreCase);
            string? organization = to.Organization ?? to.Session?.Organization ?? to.Tenant.Organization;
            if (organization != null) wanted.Add(Normalize(organization));
            return from.Relationships.Where(r => r.GetStrings("DomainNames").Any(d => wanted.Contains(Normalize(d))));
        }

        private static string Normalize(string domain) => SmtpDomain.TryNormalize(domain, out _) ?? domain.Trim();

        private static FleetTenant TenantOf(FleetTenantState state, string name)
        {
            TenantSession? session = state.Session;
            return new FleetTenant
            {
                Name = name,
                Organization = state.Organization ?? session?.Organization ?? state.Tenant.Organization,
                TenantId = state.TenantId ?? session?.TenantId ?? state.Tenant.TenantId,
                ExchangeEnvironmentName = session?.Environment.Name ?? state.Tenant.ExchangeEnvironmentName,
                Connect = session != null ? ConnectOf(session, name) : ConnectOf(state.Tenant, name),
            };
        }

        /// <summary>
        /// As the session was made. A client secret becomes the environment variable '&lt;NAME&gt;_SECRET' to fill in; a
        /// delegated or access-token sign-in cannot be repeated unattended, so it becomes 'a connection made in this session'.
        /// </summary>
        private static FleetConnect ConnectOf(TenantSession session, string name) => session.Mode switch
        {
            SignInMode.Certificate when session.CertificateThumbprint != null =>
                new FleetConnect { Kind = FleetConnectKind.CertificateThumbprint, AppId = session.AppId, CertificateThumbprint = session.CertificateThumbprint },
            SignInMode.ClientSecret =>
                new FleetConnect { Kind = FleetConnectKind.ClientSecretEnvironmentVariable, AppId = session.AppId, ClientSecretEnvironmentVariable = SecretVariable(name) },
            SignInMode.ManagedIdentity =>
                new FleetConnect { Kind = FleetConnectKind.ManagedIdentity, ManagedIdentityClientId = session.ManagedIdentityAccountId },
            _ => new FleetConnect { Kind = FleetConnectKind.Connection, Connection = session.Organization },
        };

        /// <summary>A state built without a session keeps its tenant's connect settings when they are complete (names only, never a secret).</summary>
        private static FleetConnect ConnectOf(FleetTenant tenant, string name)
        {
            FleetConnect c = tenant.Connect;
            bool complete = c.Kind switch
            {
                FleetConnectKind.CertificateThumbprint => c.CertificateThumbprint != null && c.AppId != null,
                FleetConnectKind.CertificateFile => c.CertificateFilePath != null && c.AppId != null,
                FleetConnectKind.ClientSecretEnvironmentVariable => c.ClientSecretEnvironmentVariable != null && c.AppId != null,
                FleetConnectKind.ClientSecretVault => c.ClientSecretVault != null && c.ClientSecretName != null && c.AppId != null,
                FleetConnectKind.ManagedIdentity => true,
                _ => c.Connection != null,
            };
            if (complete) return c;
            return new FleetConnect { Kind = FleetConnectKind.Connection, Connection = tenant.Organization ?? tenant.TenantId ?? name };
        }

        /// <summary>"contoso" → "CONTOSO_SECRET"; characters an environment variable name cannot hold become '_'.</summary>
        internal static string SecretVariable(string name)
        {
            var text = new StringBuilder();
            foreach (char c in name.ToUpperInvariant()) text.Append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
            if (text.Length == 0 || char.IsDigit(text[0])) text.Insert(0, "T_");
            return text.Append("_SECRET").ToString();
        }

        /// <summary>The state's name when it has a valid one, else the organization's first label; made unique with -2, -3...</summary>
        private static string UniqueName(FleetTenantState state, FleetDefinition definition)
        {
            string? candidate = state.Name;
            if (string.IsNullOrWhiteSpace(candidate) || NameCharacters.IsMatch(candidate))
            {
                string source = state.Organization ?? state.Session?.Organization ?? state.Tenant.Organization ?? state.TenantId ?? "tenant";
                candidate = NameCharacters.Replace(source.Split('.')[0], "-");
                if (candidate.Length == 0) candidate = "tenant";
            }
            string name = candidate!;
            for (int i = 2; definition.FindTenant(name) != null; i++) name = candidate + "-" + i;
            return name;
        }
    }
}
