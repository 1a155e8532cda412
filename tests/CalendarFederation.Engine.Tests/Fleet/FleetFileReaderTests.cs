using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Fleet;
using Xunit;
using static CalendarFederation.Engine.Tests.Fleet.FleetSamples;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>FleetFileReader against docs/fleet.md §1: what a valid file expands to, and every way a file is refused.</summary>
public sealed class FleetFileReaderTests
{
    private static EngineException Refused(Dictionary<string, object?> root, string id)
    {
        var ex = Assert.Throws<EngineException>(() => FleetFileReader.Read(root, "fleet.psd1"));
        Assert.Equal(id, ex.ErrorId);
        Assert.Contains("fleet.psd1", ex.Message, StringComparison.Ordinal);
        Assert.Equal("fleet.psd1", ex.Target);
        return ex;
    }

    private static void RefusedNaming(Dictionary<string, object?> root, string path) =>
        Assert.Contains(path, Refused(root, ErrorIds.FleetFileInvalid).Message, StringComparison.Ordinal);

    [Fact]
    public void The_docs_example_reads_with_its_tenants_and_connect_settings()
    {
        FleetDefinition d = FleetFileReader.ReadJson(DocsExampleJson, "fleet.json");

        Assert.Equal("fleet.json", d.SourcePath);
        Assert.Equal(new[] { "contoso", "fabrikam", "tailspin", "litware", "adatum", "woodgrove" }, d.Tenants.Select(t => t.Name));
        FleetTenant contoso = d.FindTenant("CONTOSO")!;
        Assert.Equal(FleetConnectKind.CertificateThumbprint, contoso.Connect.Kind);
        Assert.Equal(Thumbprint, contoso.Connect.CertificateThumbprint);
        Assert.Equal(AppId, contoso.Connect.AppId);
        Assert.Equal("O365Default", contoso.ExchangeEnvironmentName);
        FleetTenant fabrikam = d.FindTenant("fabrikam")!;
        Assert.Equal(FleetConnectKind.CertificateFile, fabrikam.Connect.Kind);
        Assert.Null(fabrikam.Connect.CertificateThumbprint); // the tenant's own method replaces the defaults', it does not mix
        Assert.Equal(FleetConnectKind.ManagedIdentity, d.FindTenant("tailspin")!.Connect.Kind);
        Assert.Equal("LITWARE_SECRET", d.FindTenant("litware")!.Connect.ClientSecretEnvironmentVariable);
        FleetConnect adatum = d.FindTenant("adatum")!.Connect;
        Assert.Equal((FleetConnectKind.ClientSecretVault, "Msp", "adatum-app"), (adatum.Kind, adatum.ClientSecretVault, adatum.ClientSecretName));
        FleetTenant woodgrove = d.FindTenant("woodgrove")!;
        Assert.Equal(FleetConnectKind.Connection, woodgrove.Connect.Kind);
        Assert.Equal("woodgrove.onmicrosoft.com", woodgrove.Organization);
    }

    [Fact]
    public void The_docs_example_expands_hub_and_spokes_refinement_and_methods()
    {
        FleetDefinition d = FleetFileReader.ReadJson(DocsExampleJson, "fleet.json");

        // contoso <-> every other tenant, both ways; litware <-> adatum; nothing else.
        var pairs = d.Directions.Select(x => x.PairKey).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "adatum|contoso", "adatum|litware", "contoso|fabrikam", "contoso|litware", "contoso|tailspin", "contoso|woodgrove" }, pairs);
        Assert.All(d.Directions, x => Assert.True(x.Shared));
        Assert.Equal(12, d.Directions.Count);

        FleetDirection refined = Direction(d, "contoso", "tailspin");
        Assert.Equal(("LimitedDetails", "Sales"), (refined.Settings.FreeBusyAccessLevel, refined.Settings.FreeBusyAccessScope));
        FleetDirection back = Direction(d, "tailspin", "contoso");
        Assert.Equal(("AvailabilityOnly", (string?)null), (back.Settings.FreeBusyAccessLevel, back.Settings.FreeBusyAccessScope));
        Assert.Equal(FederationMethod.OrganizationRelationship, Direction(d, "adatum", "litware").Settings.Method);
        Assert.Equal(FederationMethod.Auto, Direction(d, "contoso", "fabrikam").Settings.Method);
        Assert.Contains("fabrikam|tailspin", d.ExcludedPairs);
    }

    [Fact]
    public void Keys_are_case_insensitive_and_levels_come_back_in_their_canonical_spelling()
    {
        var root = Root(List(Map(("between", List("A", "b")), ("freebusyaccesslevel", "limiteddetails"), ("MAILTIPSACCESSLEVEL", "all"),
            ("calendarSharingAccessLevel", "reviewer"), ("roombooking", true), ("method", "crosstenantaccess"))));
        FleetDirection ab = Direction(FleetFileReader.Read(root, "f.psd1"), "a", "b");

        Assert.Equal(("a", "b"), (ab.From, ab.To)); // as Tenants spells the names
        Assert.Equal(("LimitedDetails", "All", "Reviewer", (bool?)true, FederationMethod.CrossTenantAccess),
            (ab.Settings.FreeBusyAccessLevel, ab.Settings.MailTipsAccessLevel, ab.Settings.CalendarSharingAccessLevel, ab.Settings.RoomBooking, ab.Settings.Method));
    }

    [Fact]
    public void A_star_alone_is_the_full_mesh()
    {
        FleetDefinition d = FleetFileReader.Read(Root(List(Map(("Between", "*")))), "f.psd1");
        Assert.Equal(12, d.Directions.Count);
        Assert.All(d.Directions, x => Assert.True(x.Shared));
        Assert.Equal(12, d.Directions.Select(x => x.Name).Distinct().Count());
        Assert.Equal(12, FleetFileReader.Read(Root(List(Map(("Between", List("*", "*"))))), "f.psd1").Directions.Count);
    }

    [Fact]
    public void A_one_way_pair_manages_its_reverse_as_not_shared_with_the_same_method()
    {
        FleetDefinition d = FleetFileReader.Read(Root(List(Map(("From", "a"), ("To", "b"), ("Method", "OrganizationRelationship")))), "f.psd1");
        Assert.Equal(2, d.Directions.Count);
        Assert.True(Direction(d, "a", "b").Shared);
        FleetDirection reverse = Direction(d, "b", "a");
        Assert.False(reverse.Shared);
        Assert.Equal(FederationMethod.OrganizationRelationship, reverse.Settings.Method);
    }

    [Fact]
    public void A_star_in_From_shares_every_tenant_with_one_without_pairing_it_with_itself()
    {
        FleetDefinition d = FleetFileReader.Read(Root(List(Map(("From", "*"), ("To", "a")))), "f.psd1");
        Assert.Equal(new[] { "b -> a", "c -> a", "d -> a" }, d.Directions.Where(x => x.Shared).Select(x => x.Name).OrderBy(n => n));
        Assert.Equal(3, d.Directions.Count(x => !x.Shared));
    }

    [Fact]
    public void A_later_entry_refines_only_the_keys_it_sets_for_its_direction()
    {
        var root = Root(List(
            Map(("Between", List("a", "b")), ("FreeBusyAccessScope", "Sales"), ("MailTipsAccessLevel", "Limited")),
            Map(("From", "a"), ("To", "b"), ("FreeBusyAccessLevel", "LimitedDetails"))));
        FleetDefinition d = FleetFileReader.Read(root, "f.psd1");

        FleetDirection ab = Direction(d, "a", "b"), ba = Direction(d, "b", "a");
        Assert.Equal(("LimitedDetails", "Sales", "Limited"), (ab.Settings.FreeBusyAccessLevel, ab.Settings.FreeBusyAccessScope, ab.Settings.MailTipsAccessLevel));
        Assert.Equal(("AvailabilityOnly", "Sales", "Limited"), (ba.Settings.FreeBusyAccessLevel, ba.Settings.FreeBusyAccessScope, ba.Settings.MailTipsAccessLevel));
        Assert.True(ba.Shared);
    }

    [Fact]
    public void Defaults_give_every_direction_its_settings()
    {
        var defaults = Map(("AppId", AppId), ("CertificateThumbprint", Thumbprint), ("FreeBusyAccessLevel", "LimitedDetails"),
            ("MailTipsAccessLevel", "All"), ("Method", "CrossTenantAccess"), ("ExchangeEnvironmentName", "o365default"));
        FleetDefinition d = FleetFileReader.Read(Root(List(Map(("Between", List("a", "b")))), defaults: defaults), "f.psd1");
        Assert.All(d.Directions, x => Assert.Equal(("LimitedDetails", "All", FederationMethod.CrossTenantAccess),
            (x.Settings.FreeBusyAccessLevel, x.Settings.MailTipsAccessLevel, x.Settings.Method)));
        Assert.All(d.Tenants, t => Assert.Equal("O365Default", t.ExchangeEnvironmentName));
    }

    [Fact]
    public void Exclude_removes_both_directions_of_its_pairs()
    {
        FleetDefinition d = FleetFileReader.Read(Root(List(Map(("Between", "*"))), exclude: List(Map(("Between", List("b", "a"))), Map(("Between", List("c", "*"))))), "f.psd1");
        Assert.Equal(new[] { "a -> d", "b -> d", "d -> a", "d -> b" }, d.Directions.Select(x => x.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(new[] { "a|b", "a|c", "b|c", "c|d" }, d.ExcludedPairs.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void The_two_directions_of_a_pair_must_use_the_same_method()
    {
        var root = Root(List(
            Map(("Between", List("a", "b")), ("Method", "CrossTenantAccess")),
            Map(("From", "b"), ("To", "a"), ("Method", "OrganizationRelationship"))));
        EngineException ex = Refused(root, ErrorIds.FleetFileMethodConflict);
        Assert.Contains("a -> b (Pairs[0])", ex.Message, StringComparison.Ordinal);
        Assert.Contains("b -> a (Pairs[1])", ex.Message, StringComparison.Ordinal);

        // An excluded pair is left alone, so its methods do not matter.
        root["Exclude"] = List(Map(("Between", List("a", "b"))));
        Assert.Empty(FleetFileReader.Read(root, "f.psd1").Directions);
    }

    [Theory]
    [InlineData("Organizaton", "Tenants[2].Organizaton")]
    [InlineData("name ", "Tenants[2].name ")]
    public void An_unknown_tenant_key_is_refused_with_its_path(string key, string path)
    {
        var root = Root(tenants: List(Tenant("a"), Tenant("b"), Tenant("c", (key, "c.onmicrosoft.com"))));
        RefusedNaming(root, path);
    }

    [Fact]
    public void Unknown_keys_anywhere_are_refused_with_their_path()
    {
        var root = Root(List(Map(("Between", List("a", "b")), ("FreeBusyLevel", "LimitedDetails"))));
        RefusedNaming(root, "Pairs[0].FreeBusyLevel");
        root = Root();
        root["Pair"] = List();
        RefusedNaming(root, "Pair is not a key");
        RefusedNaming(Root(exclude: List(Map(("From", "a"), ("To", "b")))), "Exclude[0].From");
        RefusedNaming(Root(defaults: Map(("AppId", AppId), ("CertificateThumbprint", Thumbprint), ("Name", "x"))), "Defaults.Name");
    }

    [Fact]
    public void Names_are_required_unique_and_of_the_allowed_characters()
    {
        RefusedNaming(Root(tenants: List(Map(("Organization", "x.onmicrosoft.com")))), "Tenants[0].Name is missing");
        RefusedNaming(Root(tenants: List(Tenant("con toso"))), "Tenants[0].Name is 'con toso'");
        RefusedNaming(Root(tenants: List(Tenant("a*"))), "Tenants[0].Name");
        RefusedNaming(Root(tenants: List(Tenant("a"), Map(("Name", "A"), ("Organization", "other.onmicrosoft.com")))), "Tenants[1].Name is 'A'");
        RefusedNaming(Root(tenants: List(Tenant("a"), Map(("Name", "b"), ("Organization", "A.onmicrosoft.com")))), "Tenants[1].Organization");
        Assert.Single(FleetFileReader.Read(Root(tenants: List(Map(("Name", "Contoso-1_x.y"), ("Organization", "contoso.onmicrosoft.com")))), "f.psd1").Tenants);
    }

    [Fact]
    public void A_tenant_needs_an_organization_or_a_tenant_id_and_they_must_be_well_formed()
    {
        RefusedNaming(Root(tenants: List(Map(("Name", "a")))), "Tenants[0].Organization is missing");
        RefusedNaming(Root(tenants: List(Map(("Name", "a"), ("Organization", "not a domain")))), "Tenants[0].Organization");
        RefusedNaming(Root(tenants: List(Map(("Name", "a"), ("TenantId", "12345")))), "Tenants[0].TenantId");
        FleetTenant t = FleetFileReader.Read(Root(tenants: List(Map(("Name", "a"), ("TenantId", "{AAAAAAAA-0000-4000-8000-000000000001}")))), "f").Tenants[0];
        Assert.Equal("aaaaaaaa-0000-4000-8000-000000000001", t.TenantId);
        Assert.Null(t.Organization);
        RefusedNaming(Root(tenants: List(Tenant("a", ("ExchangeEnvironmentName", "Moon")))), "Tenants[0].ExchangeEnvironmentName is 'Moon'");
    }

    [Fact]
    public void A_tenant_connects_exactly_one_way()
    {
        Dictionary<string, object?> NoDefaults(params (string, object?)[] more) =>
            Root(tenants: List(Tenant("a", more)), defaults: Map(("AppId", AppId)));

        RefusedNaming(NoDefaults(), "Tenants[0] has no way to connect");
        RefusedNaming(Root(tenants: List(Tenant("a", ("ManagedIdentity", true), ("ClientSecretEnvironmentVariable", "A_SECRET")))), "more than one way to connect (ManagedIdentity, ClientSecretEnvironmentVariable)");
        RefusedNaming(NoDefaults(("ClientSecretVault", "Msp")), "Tenants[0].ClientSecretName is missing");
        RefusedNaming(NoDefaults(("CertificatePasswordEnvironmentVariable", "PFX_PASSWORD")), "Tenants[0].CertificatePasswordEnvironmentVariable is given without CertificateFilePath");
        RefusedNaming(NoDefaults(("CertificateThumbprint", "xyz")), "Tenants[0].CertificateThumbprint");
        RefusedNaming(NoDefaults(("ManagedIdentity", "yes")), "Tenants[0].ManagedIdentity must be $true or $false");
        RefusedNaming(Root(tenants: List(Tenant("a", ("ClientSecretEnvironmentVariable", "A_SECRET"))), defaults: Map(("ManagedIdentity", true))), "Tenants[0].AppId is missing");
        RefusedNaming(Root(defaults: Map(("AppId", "not-a-guid"), ("CertificateThumbprint", Thumbprint))), "Defaults.AppId");

        FleetConnect mi = FleetFileReader.Read(Root(tenants: List(Tenant("a", ("ManagedIdentity", true), ("ManagedIdentityClientId", "mi-1")))), "f").Tenants[0].Connect;
        Assert.Equal((FleetConnectKind.ManagedIdentity, "mi-1"), (mi.Kind, mi.ManagedIdentityClientId));
    }

    [Theory]
    [InlineData("ClientSecret", "Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("CertificatePassword", "hunter2")]
    [InlineData("ClientSecretEnvironmentVariable", "Xy8Q~abcdefghijklmnopqrstuv.wxyz-0123456")]
    [InlineData("CertificatePasswordEnvironmentVariable", "P@ssw0rd!")]
    [InlineData("ClientSecretVault", "vault~with~tilde")]
    [InlineData("ClientSecretName", "s3cr3t/value+with=base64")]
    public void A_secret_in_the_file_is_refused_and_never_echoed(string key, string secret)
    {
        var tenant = Tenant("a", (key, secret));
        if (key == "CertificatePasswordEnvironmentVariable") tenant["CertificateFilePath"] = "./a.pfx";
        if (key == "ClientSecretVault") tenant["ClientSecretName"] = "ok";
        if (key == "ClientSecretName") tenant["ClientSecretVault"] = "Msp";
        EngineException ex = Refused(Root(tenants: List(tenant)), ErrorIds.FleetFileSecretInline);
        Assert.Contains("Tenants[0]." + key, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_in_the_defaults_or_a_pair_is_refused_too()
    {
        const string secret = "abc~123~def";
        EngineException ex = Refused(Root(defaults: Map(("AppId", AppId), ("ClientSecret", secret))), ErrorIds.FleetFileSecretInline);
        Assert.Contains("Defaults.ClientSecret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
        ex = Refused(Root(List(Map(("Between", List("a", "b")), ("Password", secret)))), ErrorIds.FleetFileSecretInline);
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
        // A non-text value in a secret key is not a name either.
        Refused(Root(tenants: List(Tenant("a", ("ClientSecretEnvironmentVariable", 12345L)))), ErrorIds.FleetFileSecretInline);
    }

    [Theory]
    [InlineData("FreeBusyAccessLevel", "Full", "AvailabilityOnly, LimitedDetails")]
    [InlineData("FreeBusyAccessLevel", "None", "AvailabilityOnly, LimitedDetails")]
    [InlineData("FreeBusyAccessLevel", "1", "AvailabilityOnly, LimitedDetails")]
    [InlineData("MailTipsAccessLevel", "Some", "None, Limited, All")]
    [InlineData("CalendarSharingAccessLevel", "Owner", "None, Simple, Detail, Reviewer")]
    [InlineData("Method", "Federation", "Auto, CrossTenantAccess, OrganizationRelationship")]
    public void Levels_are_the_modules_own_values(string key, string value, string allowed)
    {
        EngineException ex = Refused(Root(List(Map(("Between", List("a", "b")), (key, value)))), ErrorIds.FleetFileInvalid);
        Assert.Contains("Pairs[0]." + key + " is '" + value + "'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cross_tenant_access_only_settings_are_refused_with_organization_relationships()
    {
        RefusedNaming(Root(List(Map(("Between", List("a", "b")), ("Method", "OrganizationRelationship"), ("RoomBooking", true)))), "Pairs[0].RoomBooking exists only in the cross-tenant access policy");
        RefusedNaming(Root(List(Map(("Between", List("a", "b")), ("CalendarSharingAccessLevel", "Simple"))),
            defaults: Map(("AppId", AppId), ("CertificateThumbprint", Thumbprint), ("Method", "OrganizationRelationship"))), "Pairs[0].CalendarSharingAccessLevel");
        RefusedNaming(Root(List(Map(("Between", List("a", "b")), ("RoomBooking", "yes")))), "Pairs[0].RoomBooking must be $true or $false");
    }

    [Fact]
    public void Pairs_name_known_tenants_two_at_a_time_and_never_one_with_itself()
    {
        RefusedNaming(Root(List(Map(("Between", List("a", "zz"))))), "Pairs[0].Between[1] is 'zz', which is not a tenant");
        RefusedNaming(Root(List(Map(("From", "zz"), ("To", "a")))), "Pairs[0].From is 'zz'");
        RefusedNaming(Root(List(Map(("Between", List("a", "A"))))), "Pairs[0].Between pairs 'a' with itself");
        RefusedNaming(Root(List(Map(("From", "b"), ("To", "B")))), "Pairs[0].To pairs 'B' with itself");
        RefusedNaming(Root(List(Map(("Between", "a")))), "Pairs[0].Between names one tenant");
        RefusedNaming(Root(List(Map(("Between", List("a", "b", "c"))))), "Pairs[0].Between must name two tenants");
        RefusedNaming(Root(List(Map(("Between", List("a", "b")), ("From", "a")))), "Pairs[0] has Between and From/To");
        RefusedNaming(Root(List(Map(("From", "a")))), "Pairs[0].To is missing");
        RefusedNaming(Root(List(Map(("FreeBusyAccessLevel", "LimitedDetails")))), "Pairs[0] names no tenants");
        RefusedNaming(Root(List("a")), "Pairs[0] must be a table");
        RefusedNaming(Root(exclude: List(Map())), "Exclude[0].Between is missing");
    }

    [Fact]
    public void A_file_without_tenants_is_refused()
    {
        RefusedNaming(Map(("Pairs", List())), "Tenants is missing");
        RefusedNaming(Map(("Tenants", List())), "Tenants is missing");
        RefusedNaming(Map(("Tenants", "a")), "Tenants[0] must be a table");
    }

    [Fact]
    public void Malformed_json_is_refused_with_its_line_and_position()
    {
        var ex = Assert.Throws<EngineException>(() => FleetFileReader.ReadJson("{\n  \"Tenants\": [\n    { \"Name\": \"a\" \"x\" }\n  ]\n}", "fleet.json"));
        Assert.Equal(ErrorIds.FleetFileInvalid, ex.ErrorId);
        Assert.Contains("fleet.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 3, position", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<EngineException>(() => FleetFileReader.ReadJson("[1, 2]", "fleet.json"));
        Assert.Equal(ErrorIds.FleetFileInvalid, ex.ErrorId);
    }

    [Fact]
    public void A_json_syntax_error_never_quotes_the_files_text()
    {
        const string json = "{ \"Tenants\": [ { \"Name\": \"a\", \"ClientSecret\": Xy8QNotQuotedSecret } ] }";
        var ex = Assert.Throws<EngineException>(() => FleetFileReader.ReadJson(json, "fleet.json"));
        Assert.Equal(ErrorIds.FleetFileInvalid, ex.ErrorId);
        Assert.DoesNotContain("NotQuoted", ex.ToString(), StringComparison.Ordinal);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public void A_connection_by_tenant_id_gives_the_tenant_its_id()
    {
        const string id = "AAAAAAAA-0000-4000-8000-000000000001";
        FleetTenant t = FleetFileReader.Read(Root(tenants: List(Map(("Name", "a"), ("Connection", id)))), "f").Tenants[0];
        Assert.Equal((id.ToLowerInvariant(), (string?)null, FleetConnectKind.Connection, id), (t.TenantId, t.Organization, t.Connect.Kind, t.Connect.Connection));
        Assert.Null(t.Connect.AppId); // the defaults' app is for certificate and secret sign-in only
        RefusedNaming(Root(tenants: List(Map(("Name", "a"), ("Connection", "not a domain")))), "Tenants[0].Connection");
    }

    [Fact]
    public void Two_hundred_tenants_in_a_full_mesh_expand_to_every_direction()
    {
        var tenants = List(Enumerable.Range(0, 200).Select(i => (object?)Tenant("t" + i)).ToArray());
        FleetDefinition d = FleetFileReader.Read(Root(List(Map(("Between", "*")), Map(("From", "t0"), ("To", "t1"), ("FreeBusyAccessLevel", "LimitedDetails"))),
            tenants, exclude: List(Map(("Between", List("t5", "*"))))), "f");
        Assert.Equal(199 * 198, d.Directions.Count);
        Assert.Equal("LimitedDetails", Direction(d, "t0", "t1").Settings.FreeBusyAccessLevel);
        Assert.Equal(199, d.ExcludedPairs.Count);
        Assert.DoesNotContain(d.Directions, x => x.From == "t5" || x.To == "t5");
    }

    [Fact]
    public void A_json_key_given_twice_in_different_cases_is_refused()
    {
        const string json = """{ "Tenants": [ { "Name": "a", "name": "b", "Organization": "a.onmicrosoft.com", "ManagedIdentity": true } ] }""";
        var ex = Assert.Throws<EngineException>(() => FleetFileReader.ReadJson(json, "fleet.json"));
        Assert.Equal(ErrorIds.FleetFileInvalid, ex.ErrorId);
        Assert.Contains("Tenants[0].name is given twice", ex.Message, StringComparison.Ordinal);
    }
}
