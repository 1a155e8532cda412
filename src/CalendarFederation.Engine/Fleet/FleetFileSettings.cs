using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Federation;
using FreeBusy = CalendarFederation.Engine.CrossTenantAccess.FreeBusyAccessLevel;
using MailTips = CalendarFederation.Engine.CrossTenantAccess.MailTipsAccessLevel;
using Sharing = CalendarFederation.Engine.CrossTenantAccess.CalendarSharingAccessLevel;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>The pair settings one table of the file sets (Defaults, a Pairs entry); what it leaves out stays as it was.</summary>
    internal sealed class FleetSettingsOverlay
    {
        public static readonly string[] Keys =
        {
            "Method", "FreeBusyAccessLevel", "FreeBusyAccessScope", "MailTipsAccessLevel", "CalendarSharingAccessLevel", "RoomBooking",
        };

        private static readonly FederationMethod[] Methods = { FederationMethod.Auto, FederationMethod.CrossTenantAccess, FederationMethod.OrganizationRelationship };
        // The levels New-CalendarFederation and Grant-CrossTenantCalendarAccess take; None is "not shared", which a pair never asks for.
        private static readonly FreeBusy[] FreeBusyLevels = { FreeBusy.AvailabilityOnly, FreeBusy.LimitedDetails };
        private static readonly MailTips[] MailTipsLevels = { MailTips.None, MailTips.Limited, MailTips.All };
        private static readonly Sharing[] SharingLevels = { Sharing.None, Sharing.Simple, Sharing.Detail, Sharing.Reviewer };

        public FederationMethod? Method { get; private set; }
        public string? FreeBusyAccessLevel { get; private set; }
        public string? FreeBusyAccessScope { get; private set; }
        public string? MailTipsAccessLevel { get; private set; }
        public string? CalendarSharingAccessLevel { get; private set; }
        public bool? RoomBooking { get; private set; }

        /// <summary>
        /// Reads the settings of one table. Calendar sharing and room booking exist only in the cross-tenant access policy,
        /// so a table that asks for them with OrganizationRelationship (its own or the defaults') is refused.
        /// </summary>
        public static FleetSettingsOverlay Read(FleetNode node, FederationMethod? inheritedMethod)
        {
            var overlay = new FleetSettingsOverlay
            {
                Method = node.Enum("Method", Methods),
                FreeBusyAccessLevel = node.Enum("FreeBusyAccessLevel", FreeBusyLevels)?.ToString(),
                FreeBusyAccessScope = node.Text("FreeBusyAccessScope"),
                MailTipsAccessLevel = node.Enum("MailTipsAccessLevel", MailTipsLevels)?.ToString(),
                CalendarSharingAccessLevel = node.Enum("CalendarSharingAccessLevel", SharingLevels)?.ToString(),
                RoomBooking = node.Bool("RoomBooking"),
            };
            if ((overlay.Method ?? inheritedMethod) == FederationMethod.OrganizationRelationship)
            {
                string? key = overlay.CalendarSharingAccessLevel != null ? "CalendarSharingAccessLevel" : overlay.RoomBooking != null ? "RoomBooking" : null;
                if (key != null) throw node.Invalid(key, "exists only in the cross-tenant access policy, and this entry's method is OrganizationRelationship");
            }
            return overlay;
        }

        public void ApplyTo(FleetShareSettings settings)
        {
            if (Method != null) settings.Method = Method.Value;
            if (FreeBusyAccessLevel != null) settings.FreeBusyAccessLevel = FreeBusyAccessLevel;
            if (FreeBusyAccessScope != null) settings.FreeBusyAccessScope = FreeBusyAccessScope;
            if (MailTipsAccessLevel != null) settings.MailTipsAccessLevel = MailTipsAccessLevel;
            if (CalendarSharingAccessLevel != null) settings.CalendarSharingAccessLevel = CalendarSharingAccessLevel;
            if (RoomBooking != null) settings.RoomBooking = RoomBooking;
        }
    }

    /// <summary>A tenant's (or the defaults') way to connect, app and environment (docs/fleet.md §1 "how to connect").</summary>
    internal static class FleetConnectReader
    {
        public static readonly string[] ConnectKeys =
        {
            "CertificateThumbprint", "CertificateFilePath", "CertificatePasswordEnvironmentVariable", "ManagedIdentity", "ManagedIdentityClientId",
            "ClientSecretEnvironmentVariable", "ClientSecretVault", "ClientSecretName", "Connection",
        };

        private static readonly Regex Thumbprint = new Regex("^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$", RegexOptions.CultureInvariant);

        /// <summary>The connect method the table names, or null when it names none. More than one is an error.</summary>
        public static FleetConnect? Read(FleetNode node)
        {
            var connect = new FleetConnect
            {
                CertificateThumbprint = node.Text("CertificateThumbprint"),
                CertificateFilePath = node.Text("CertificateFilePath"),
                CertificatePasswordEnvironmentVariable = FleetSecretNames.Name(node, "CertificatePasswordEnvironmentVariable", environmentVariable: true),
                ManagedIdentityClientId = node.Text("ManagedIdentityClientId"),
                ClientSecretEnvironmentVariable = FleetSecretNames.Name(node, "ClientSecretEnvironmentVariable", environmentVariable: true),
                ClientSecretVault = FleetSecretNames.Name(node, "ClientSecretVault", environmentVariable: false),
                ClientSecretName = FleetSecretNames.Name(node, "ClientSecretName", environmentVariable: false),
                Connection = node.Text("Connection"),
            };
            bool managedIdentity = node.Bool("ManagedIdentity") == true;
            var found = new List<(FleetConnectKind Kind, string Key)>();
            if (connect.CertificateThumbprint != null) found.Add((FleetConnectKind.CertificateThumbprint, "CertificateThumbprint"));
            if (connect.CertificateFilePath != null) found.Add((FleetConnectKind.CertificateFile, "CertificateFilePath"));
            if (managedIdentity) found.Add((FleetConnectKind.ManagedIdentity, "ManagedIdentity"));
            if (connect.ClientSecretEnvironmentVariable != null) found.Add((FleetConnectKind.ClientSecretEnvironmentVariable, "ClientSecretEnvironmentVariable"));
            if (connect.ClientSecretVault != null || connect.ClientSecretName != null) found.Add((FleetConnectKind.ClientSecretVault, "ClientSecretVault"));
            if (connect.Connection != null) found.Add((FleetConnectKind.Connection, "Connection"));
            if (found.Count > 1)
            {
                throw node.Invalid("", "names more than one way to connect (" + string.Join(", ", found.Select(f => f.Key)) + "); give exactly one");
            }

            RequireCompanion(node, connect.CertificatePasswordEnvironmentVariable, "CertificatePasswordEnvironmentVariable", connect.CertificateFilePath, "CertificateFilePath");
            RequireCompanion(node, connect.ManagedIdentityClientId, "ManagedIdentityClientId", managedIdentity ? "yes" : null, "ManagedIdentity = $true");
            if (found.Count == 0) return null;

            connect.Kind = found[0].Kind;
            if (connect.Kind == FleetConnectKind.ClientSecretVault && (connect.ClientSecretVault == null || connect.ClientSecretName == null))
            {
                throw node.Invalid(connect.ClientSecretVault == null ? "ClientSecretVault" : "ClientSecretName", "is missing: a vault entry needs both ClientSecretVault and ClientSecretName");
            }
            if (connect.CertificateThumbprint != null && !Thumbprint.IsMatch(connect.CertificateThumbprint))
            {
                throw node.Invalid("CertificateThumbprint", "must be a certificate thumbprint (40 or 64 hexadecimal digits)");
            }
            if (connect.Connection != null) CheckOrganization(node, "Connection", connect.Connection);
            return connect;
        }

        private static void RequireCompanion(FleetNode node, string? value, string key, string? companion, string companionKey)
        {
            if (value != null && companion == null) throw node.Invalid(key, "is given without " + companionKey);
        }

        /// <summary>An app id is a GUID; certificate and client secret sign-in need one.</summary>
        public static string? AppId(FleetNode node)
        {
            string? appId = node.Text("AppId");
            if (appId != null && !Guid.TryParse(appId, out _)) throw node.Invalid("AppId", "must be an application (client) id, a GUID");
            return appId;
        }

        public static bool NeedsAppId(FleetConnectKind kind) => kind != FleetConnectKind.ManagedIdentity && kind != FleetConnectKind.Connection;

        /// <summary>The environment's name as the registry spells it; any name Get-CalendarFederationEnvironment lists.</summary>
        public static string? Environment(FleetNode node)
        {
            string? name = node.Text("ExchangeEnvironmentName");
            if (name == null) return null;
            ExchangeEnvironment? environment = EnvironmentRegistry.Find(name);
            if (environment == null)
            {
                throw node.Invalid("ExchangeEnvironmentName", "is '" + name + "', which is not a known environment (known: " + string.Join(", ", EnvironmentRegistry.All.Select(e => e.Name)) + ")");
            }
            return environment.Name;
        }

        /// <summary>A domain name or a tenant id.</summary>
        public static void CheckOrganization(FleetNode node, string key, string value)
        {
            if (Guid.TryParse(value, out _)) return;
            if (SmtpDomain.TryNormalize(value, out string? error) == null) throw node.Invalid(key, "is not a domain name or a tenant id (" + error?.TrimEnd('.') + ")");
        }
    }
}
