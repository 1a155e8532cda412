using CalendarFederation.Engine.Fleet;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>Graphs and texts of fleet files for the reader, writer and export tests.</summary>
internal static class FleetSamples
{
    public const string AppId = "00000000-0000-0000-0000-000000000000";
    public const string Thumbprint = "0123456789ABCDEF0123456789ABCDEF01234567";

    /// <summary>docs/fleet.md §1's example, as JSON.</summary>
    public const string DocsExampleJson = """
        {
          // comments and trailing commas are allowed
          "Defaults": { "Method": "Auto", "FreeBusyAccessLevel": "AvailabilityOnly", "ExchangeEnvironmentName": "O365Default",
                        "AppId": "00000000-0000-0000-0000-000000000000", "CertificateThumbprint": "0123456789ABCDEF0123456789ABCDEF01234567" },
          "Tenants": [
            { "Name": "contoso", "Organization": "contoso.onmicrosoft.com" },
            { "Name": "fabrikam", "Organization": "fabrikam.onmicrosoft.com", "CertificateFilePath": "./fabrikam.pfx" },
            { "Name": "tailspin", "Organization": "tailspin.onmicrosoft.com", "ManagedIdentity": true },
            { "Name": "litware", "Organization": "litware.onmicrosoft.com", "ClientSecretEnvironmentVariable": "LITWARE_SECRET" },
            { "Name": "adatum", "Organization": "adatum.onmicrosoft.com", "ClientSecretVault": "Msp", "ClientSecretName": "adatum-app" },
            { "Name": "woodgrove", "Connection": "woodgrove.onmicrosoft.com" },
          ],
          "Pairs": [
            { "Between": ["contoso", "fabrikam"] },
            { "Between": ["contoso", "*"], "FreeBusyAccessLevel": "AvailabilityOnly" },
            { "From": "contoso", "To": "tailspin", "FreeBusyAccessLevel": "LimitedDetails", "FreeBusyAccessScope": "Sales" },
            { "Between": ["litware", "adatum"], "Method": "OrganizationRelationship" }
          ],
          "Exclude": [ { "Between": ["fabrikam", "tailspin"] } ]
        }
        """;

    public static Dictionary<string, object?> Map(params (string Key, object? Value)[] entries)
    {
        var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries) map[key] = value;
        return map;
    }

    public static List<object?> List(params object?[] items) => items.ToList();

    /// <summary>A tenant with the certificate from <see cref="Root"/>'s defaults.</summary>
    public static Dictionary<string, object?> Tenant(string name, params (string Key, object? Value)[] more) =>
        Map(new[] { ("Name", (object?)name), ("Organization", name + ".onmicrosoft.com") }.Concat(more).ToArray());

    /// <summary>A file with defaults that connect every tenant by certificate, the tenants a..d unless given, and these pairs.</summary>
    public static Dictionary<string, object?> Root(List<object?>? pairs = null, List<object?>? tenants = null, List<object?>? exclude = null,
        Dictionary<string, object?>? defaults = null)
    {
        var root = Map(
            ("Defaults", defaults ?? Map(("AppId", AppId), ("CertificateThumbprint", Thumbprint))),
            ("Tenants", tenants ?? List(Tenant("a"), Tenant("b"), Tenant("c"), Tenant("d"))));
        if (pairs != null) root["Pairs"] = pairs;
        if (exclude != null) root["Exclude"] = exclude;
        return root;
    }

    /// <summary>Everything a definition says, one sortable line each, for comparing two definitions.</summary>
    public static List<string> Describe(FleetDefinition d)
    {
        var lines = d.Tenants.Select(t =>
        {
            FleetConnect c = t.Connect;
            return string.Join("|", "tenant", t.Name, t.Organization, t.TenantId, t.ExchangeEnvironmentName, c.Kind, c.AppId, c.CertificateThumbprint,
                c.CertificateFilePath, c.CertificatePasswordEnvironmentVariable, c.ManagedIdentityClientId, c.ClientSecretEnvironmentVariable,
                c.ClientSecretVault, c.ClientSecretName, c.Connection);
        }).ToList();
        lines.AddRange(d.Directions.Select(x => string.Join("|", "direction", x.From, x.To, x.Shared, x.Settings.Method, x.Settings.FreeBusyAccessLevel,
            x.Settings.FreeBusyAccessScope, x.Settings.MailTipsAccessLevel, x.Settings.CalendarSharingAccessLevel, x.Settings.RoomBooking)));
        lines.AddRange(d.ExcludedPairs.Select(p => "exclude|" + p));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public static FleetDirection Direction(FleetDefinition d, string from, string to) =>
        d.Directions.Single(x => string.Equals(x.From, from, StringComparison.OrdinalIgnoreCase) && string.Equals(x.To, to, StringComparison.OrdinalIgnoreCase));
}
