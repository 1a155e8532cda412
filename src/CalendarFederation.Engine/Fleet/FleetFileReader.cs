using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// Validates and expands the fleet file (docs/fleet.md §1) from a neutral graph: dictionaries (keys case-insensitive),
    /// lists, text, bool, long/double and null. The cmdlet layer builds the graph from a .psd1 without running it
    /// (src/CalendarFederation/Infrastructure/FleetFileLoader.cs); <see cref="ReadJson"/> builds it from JSON.
    /// Every error is <see cref="ErrorIds.FleetFileInvalid"/> (or a more specific fleet file id) and names the key path.
    /// </summary>
    public static partial class FleetFileReader
    {
        private static readonly string[] RootKeys = { "Defaults", "Tenants", "Pairs", "Exclude" };
        private static readonly string[] TenantOwnKeys = { "Name", "Organization", "TenantId", "AppId", "ExchangeEnvironmentName" };
        private static readonly Regex NameCharacters = new Regex("^[A-Za-z0-9_.\\-]+$", RegexOptions.CultureInvariant);

        public const string DefaultEnvironment = "O365Default";

        public static FleetDefinition Read(IDictionary<string, object?> root, string sourcePath)
        {
            if (root == null) throw new ArgumentNullException(nameof(root));
            string source = string.IsNullOrEmpty(sourcePath) ? "(in memory)" : sourcePath;
            FleetNode top = FleetNode.From(root, "", source);
            top.RequireKnown(RootKeys, "the file");

            FleetDefaults defaults = ReadDefaults(top, source);
            var definition = new FleetDefinition { SourcePath = string.IsNullOrEmpty(sourcePath) ? null : sourcePath };
            definition.Tenants.AddRange(ReadTenants(top, defaults, source));
            FleetPairExpander.Expand(top, definition, defaults.Settings, source);
            return definition;
        }

        private sealed class FleetDefaults
        {
            public FleetShareSettings Settings { get; } = new FleetShareSettings();
            public FleetConnect? Connect { get; set; }
            public string? AppId { get; set; }
            public string? Environment { get; set; }
        }

        private static FleetDefaults ReadDefaults(FleetNode top, string source)
        {
            var defaults = new FleetDefaults();
            object? raw = top.Raw("Defaults");
            if (raw == null) return defaults;
            FleetNode node = FleetNode.From(raw, "Defaults", source);
            node.RequireKnown(FleetSettingsOverlay.Keys.Concat(FleetConnectReader.ConnectKeys).Concat(new[] { "AppId", "ExchangeEnvironmentName" }).ToArray(), "Defaults");
            FleetSettingsOverlay.Read(node, null).ApplyTo(defaults.Settings);
            defaults.Connect = FleetConnectReader.Read(node);
            defaults.AppId = FleetConnectReader.AppId(node);
            defaults.Environment = FleetConnectReader.Environment(node);
            return defaults;
        }

        private static List<FleetTenant> ReadTenants(FleetNode top, FleetDefaults defaults, string source)
        {
            IReadOnlyList<object?>? items = top.List("Tenants");
            if (items == null || items.Count == 0) throw FleetNode.Invalid(source, "Tenants", "is missing: the file lists at least one tenant");
            var tenants = new List<FleetTenant>();
            string[] known = TenantOwnKeys.Concat(FleetConnectReader.ConnectKeys).ToArray();
            for (int i = 0; i < items.Count; i++)
            {
                string path = "Tenants[" + i + "]";
                FleetNode node = FleetNode.From(items[i], path, source);
                node.RequireKnown(known, "a tenant");
                FleetTenant tenant = ReadTenant(node, defaults);
                CheckUnique(tenants, tenant, node);
                tenants.Add(tenant);
            }
            return tenants;
        }

        private static FleetTenant ReadTenant(FleetNode node, FleetDefaults defaults)
        {
            string name = node.Text("Name") ?? throw node.Invalid("Name", "is missing: every tenant has a short name the pairs use");
            if (!NameCharacters.IsMatch(name)) throw node.Invalid("Name", "is '" + name + "'; a name has only letters, digits, '-', '_' and '.'");

            string? organization = node.Text("Organization");
            if (organization != null) FleetConnectReader.CheckOrganization(node, "Organization", organization);
            string? tenantId = node.Text("TenantId");
            if (tenantId != null)
            {
                if (!Guid.TryParse(tenantId, out Guid id)) throw node.Invalid("TenantId", "must be a tenant id (a GUID)");
                tenantId = id.ToString("D");
            }

            FleetConnect connect = FleetConnectReader.Read(node) ?? Copy(defaults.Connect)
                ?? throw node.Invalid("", "has no way to connect: give one of CertificateThumbprint, CertificateFilePath, ManagedIdentity, ClientSecretEnvironmentVariable, ClientSecretVault or Connection, here or in Defaults");
            // A connection already made names its tenant; the file needs no Organization then (docs/fleet.md §1, 'woodgrove').
            if (connect.Kind == FleetConnectKind.Connection && organization == null && tenantId == null)
            {
                if (Guid.TryParse(connect.Connection, out Guid connectionId)) tenantId = connectionId.ToString("D");
                else organization = connect.Connection;
            }
            if (organization == null && tenantId == null) throw node.Invalid("Organization", "is missing: give the tenant's Organization or its TenantId");

            // The defaults' app is for the sign-ins that use one; a managed identity or an existing connection has its own.
            connect.AppId = FleetConnectReader.AppId(node) ?? (FleetConnectReader.NeedsAppId(connect.Kind) ? defaults.AppId : null);
            if (connect.AppId == null && FleetConnectReader.NeedsAppId(connect.Kind))
            {
                throw node.Invalid("AppId", "is missing: certificate and client secret sign-in need the app's id, here or in Defaults");
            }
            return new FleetTenant
            {
                Name = name,
                Organization = organization,
                TenantId = tenantId,
                ExchangeEnvironmentName = FleetConnectReader.Environment(node) ?? defaults.Environment ?? DefaultEnvironment,
                Connect = connect,
            };
        }

        private static FleetConnect? Copy(FleetConnect? connect) => connect == null ? null : new FleetConnect
        {
            Kind = connect.Kind,
            CertificateThumbprint = connect.CertificateThumbprint,
            CertificateFilePath = connect.CertificateFilePath,
            CertificatePasswordEnvironmentVariable = connect.CertificatePasswordEnvironmentVariable,
            ManagedIdentityClientId = connect.ManagedIdentityClientId,
            ClientSecretEnvironmentVariable = connect.ClientSecretEnvironmentVariable,
            ClientSecretVault = connect.ClientSecretVault,
            ClientSecretName = connect.ClientSecretName,
            Connection = connect.Connection,
        };

        private static void CheckUnique(List<FleetTenant> tenants, FleetTenant tenant, FleetNode node)
        {
            if (tenants.Any(t => string.Equals(t.Name, tenant.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw node.Invalid("Name", "is '" + tenant.Name + "', which an earlier tenant already has (names are case-insensitive)");
            }
            if (tenant.Organization != null && tenants.Any(t => string.Equals(t.Organization, tenant.Organization, StringComparison.OrdinalIgnoreCase)))
            {
                throw node.Invalid("Organization", "is '" + tenant.Organization + "', which an earlier tenant already has");
            }
            if (tenant.TenantId != null && tenants.Any(t => string.Equals(t.TenantId, tenant.TenantId, StringComparison.OrdinalIgnoreCase)))
            {
                throw node.Invalid("TenantId", "is '" + tenant.TenantId + "', which an earlier tenant already has");
            }
        }
    }
}
