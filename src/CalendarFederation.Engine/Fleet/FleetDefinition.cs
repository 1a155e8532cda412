using System;
using System.Collections.Generic;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>How the fleet connects to one tenant (docs/fleet.md §1). Names of secrets only, never their values.</summary>
    public enum FleetConnectKind
    {
        CertificateThumbprint,
        CertificateFile,
        ManagedIdentity,
        ClientSecretEnvironmentVariable,
        ClientSecretVault,
        /// <summary>A connection already made in this runspace, named by its Organization.</summary>
        Connection,
    }

    public sealed class FleetConnect
    {
        public FleetConnectKind Kind { get; set; }
        public string? AppId { get; set; }
        public string? CertificateThumbprint { get; set; }
        public string? CertificateFilePath { get; set; }
        public string? CertificatePasswordEnvironmentVariable { get; set; }
        public string? ManagedIdentityClientId { get; set; }
        public string? ClientSecretEnvironmentVariable { get; set; }
        public string? ClientSecretVault { get; set; }
        public string? ClientSecretName { get; set; }
        public string? Connection { get; set; }
    }

    /// <summary>One tenant of the file.</summary>
    public sealed class FleetTenant
    {
        public string Name { get; set; } = "";
        /// <summary>The .onmicrosoft.com (or another verified) domain; null when only TenantId is given.</summary>
        public string? Organization { get; set; }
        public string? TenantId { get; set; }
        public string ExchangeEnvironmentName { get; set; } = "O365Default";
        public FleetConnect Connect { get; set; } = new FleetConnect();

        public override string ToString() => Name;
    }

    /// <summary>What one direction shares. Null members were not set by the file and mean the defaults' value.</summary>
    public sealed class FleetShareSettings
    {
        public FederationMethod Method { get; set; } = FederationMethod.Auto;
        /// <summary>AvailabilityOnly or LimitedDetails.</summary>
        public string FreeBusyAccessLevel { get; set; } = "AvailabilityOnly";
        /// <summary>A group (name, mail or object id) in the sharing tenant; null for everyone.</summary>
        public string? FreeBusyAccessScope { get; set; }
        /// <summary>None, Limited or All; null leaves MailTips alone.</summary>
        public string? MailTipsAccessLevel { get; set; }
        /// <summary>None, Simple, Detail or Reviewer (cross-tenant access only); null leaves it alone.</summary>
        public string? CalendarSharingAccessLevel { get; set; }
        /// <summary>Cross-tenant access only; null leaves it alone.</summary>
        public bool? RoomBooking { get; set; }

        public FleetShareSettings Clone() => (FleetShareSettings)MemberwiseClone();
    }

    /// <summary>
    /// One managed direction after the file is expanded: <see cref="From"/> shares its free/busy with <see cref="To"/>'s
    /// users, configured in From. <see cref="Shared"/> is false for the reverse of a one-way pair: anything there is
    /// planned away.
    /// </summary>
    public sealed class FleetDirection
    {
        public FleetDirection(string from, string to, bool shared, FleetShareSettings settings)
        {
            From = from ?? throw new ArgumentNullException(nameof(from));
            To = to ?? throw new ArgumentNullException(nameof(to));
            Shared = shared;
            Settings = settings ?? throw new ArgumentNullException(nameof(settings));
        }

        public string From { get; }
        public string To { get; }
        public bool Shared { get; }
        public FleetShareSettings Settings { get; }

        /// <summary>"a -> b".</summary>
        public string Name => From + " -> " + To;

        /// <summary>The unordered pair, case-insensitive ("a|b" with a &lt; b).</summary>
        public string PairKey => FleetNames.PairKey(From, To);

        public override string ToString() => Name + (Shared ? ": " + Settings.FreeBusyAccessLevel : ": not shared");
    }

    /// <summary>The file, validated and expanded (src/CalendarFederation.Engine/Fleet/FleetFileReader.cs builds it).</summary>
    public sealed class FleetDefinition
    {
        public List<FleetTenant> Tenants { get; } = new List<FleetTenant>();
        /// <summary>Every managed direction, at most one per ordered pair of tenants.</summary>
        public List<FleetDirection> Directions { get; } = new List<FleetDirection>();
        /// <summary>Pair keys the file excludes: never planned, never drift.</summary>
        public HashSet<string> ExcludedPairs { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Where it was read from; null when built in memory (Export-CalendarFederationPlan).</summary>
        public string? SourcePath { get; set; }

        public FleetTenant? FindTenant(string name) => Tenants.Find(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    public static class FleetNames
    {
        public static string PairKey(string a, string b) =>
            string.Compare(a, b, StringComparison.OrdinalIgnoreCase) <= 0 ? a.ToLowerInvariant() + "|" + b.ToLowerInvariant() : b.ToLowerInvariant() + "|" + a.ToLowerInvariant();
    }
}
