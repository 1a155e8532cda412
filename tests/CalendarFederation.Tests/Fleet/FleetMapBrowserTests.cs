using System.Text.RegularExpressions;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Fleet;
using Method = CalendarFederation.Engine.Federation.FederationMethod;
using Xunit;

namespace CalendarFederation.Tests.Fleet;

/// <summary>
/// The federation map in a real browser (docs/fleet.md §6): a 12-tenant page written to artifacts/fleet-map/, loaded from
/// file:// by headless Chromium (offline, see HeadlessChromium), its DOM read after the inline script ran, with and
/// without a #filter= fragment, and a screenshot at a laptop's size (artifacts/fleet-map.png).
/// </summary>
public sealed class FleetMapBrowserTests
{
    private static readonly string[] Tenants =
    {
        "contoso", "fabrikam", "tailspin", "litware", "adatum", "woodgrove", "northwind", "wingtip", "proseware", "lucerne", "fourthcoffee", "margie",
    };

    // contoso is the hub (both ways with every tenant, cross-tenant access), except: fabrikam by organization relationship
    // (2 WorksUntil2027), contoso -> tailspin still to create (1 Broken), litware unreadable (2 Unknown); adatum -> woodgrove
    // one way (1 Works, 1 OneWay). 17 + 1 Works; the other 108 of the 132 off-diagonal cells are Empty.
    private static readonly Dictionary<string, int> Expected = new()
    {
        ["Works"] = 18, ["WorksUntil2027"] = 2, ["OneWay"] = 1, ["Broken"] = 1, ["Unknown"] = 2, ["Empty"] = 108,
    };

    [ChromiumFact]
    public void The_map_renders_filters_and_screenshots_in_headless_Chromium()
    {
        string dir = ArtifactsDirectory();
        string page = Path.Combine(dir, "fleet-map", "fleet-map.html");
        Directory.CreateDirectory(Path.GetDirectoryName(page)!);
        File.WriteAllText(page, FleetReport.ToHtml(Input()));
        string url = new Uri(page).AbsoluteUri;

        string dom = HeadlessChromium.Run("--dump-dom", url);
        Assert.Contains("data-ready=\"true\"", dom); // the inline script ran
        string[] cells = Regex.Matches(dom, "<td [^>]*data-health=\"[^\"]*\"[^>]*>").Select(m => m.Value).ToArray();
        Assert.Equal(132, cells.Length);
        foreach ((string health, int count) in Expected)
        {
            Assert.Equal(count, cells.Count(c => c.Contains($"data-health=\"{health}\"")));
            Assert.Contains($"<b data-count=\"{health}\">{count}</b>", dom);
        }
        Assert.Single(cells, c => c.Contains("data-from=\"contoso\"") && c.Contains("data-to=\"tailspin\"") && c.Contains("data-health=\"Broken\""));
        Assert.DoesNotMatch("<tr [^>]*hidden", dom);

        // "win" keeps northwind and wingtip: 10 rows and 10 columns hidden, the legend counts the 2 cells left.
        string filtered = HeadlessChromium.Run("--dump-dom", url + "#filter=win");
        Assert.Contains("data-filter=\"win\"", filtered);
        Assert.Equal(10, Regex.Matches(filtered, "<tr data-tenant=\"[^\"]*\" hidden=\"\"").Count);
        Assert.Equal(new[] { "northwind", "wingtip" }, Regex.Matches(filtered, "<tr data-tenant=\"([^\"]*)\">").Select(m => m.Groups[1].Value));
        Assert.Equal(10, Regex.Matches(filtered, "<th class=\"col\"[^>]*hidden=\"\"").Count);
        Assert.Contains("<b data-count=\"Empty\">2</b>", filtered);
        Assert.Contains("<b data-count=\"Works\">0</b>", filtered);
        Assert.Contains("2 of 12 tenants", filtered);

        string png = Path.Combine(dir, "fleet-map.png");
        File.Delete(png);
        HeadlessChromium.Run("--screenshot=" + png, "--window-size=1366,900", url);
        byte[] image = File.ReadAllBytes(png);
        Assert.True(image.Length > 20_000, $"the screenshot is only {image.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image.Take(4));
        Assert.Equal(1366, BigEndian(image, 16)); // IHDR width and height
        Assert.Equal(900, BigEndian(image, 20));
    }

    private static FleetReportInput Input()
    {
        var def = new FleetDefinition { SourcePath = "fleet.psd1" };
        foreach (string t in Tenants) def.Tenants.Add(new FleetTenant { Name = t, Organization = t + ".onmicrosoft.com" });
        var plan = new FleetPlan(def) { ReadAt = new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero) };
        foreach (FleetTenant t in def.Tenants)
            plan.States[t.Name] = new FleetTenantState(t) { Organization = t.Organization, EwsEnabled = true, AcceptedDomains = new[] { t.Organization! } };
        plan.States["litware"].ReadError = new EngineException(ErrorIds.AccessDenied, ErrorKind.PermissionDenied, "The app lacks the role.", "litware");

        foreach (string t in Tenants.Skip(1))
        {
            Method method = t == "fabrikam" ? Method.OrganizationRelationship : Method.Auto;
            Share(def, "contoso", t, true, method);
            Share(def, t, "contoso", true, method);
        }
        Share(def, "adatum", "woodgrove", true, Method.Auto);
        Share(def, "woodgrove", "adatum", false, Method.Auto);
        plan.Changes.Add(new FleetPlanChange
        {
            Tenant = "contoso", Partner = "tailspin", Direction = "contoso -> tailspin", Action = FleetAction.Create, Method = Method.CrossTenantAccess,
            ObjectType = FleetObjectType.CrossTenantAccess, Identity = "tailspin", After = "AvailabilityOnly", Reason = "contoso grants tailspin nothing.",
        });
        var input = new FleetReportInput(plan);
        input.AddFindings("contoso", "tailspin", new[] { "No partner configuration for tailspin's tenant." });
        return input;
    }

    private static void Share(FleetDefinition def, string from, string to, bool shared, Method method) =>
        def.Directions.Add(new FleetDirection(from, to, shared, new FleetShareSettings { Method = method }));

    private static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

    // artifacts/ under the repository (the folder holding build.ps1); the temp folder outside one.
    private static string ArtifactsDirectory()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "build.ps1"))) return Path.Combine(d.FullName, "artifacts");
        }
        return Path.Combine(Path.GetTempPath(), "cf-artifacts");
    }
}
