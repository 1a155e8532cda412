using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Infrastructure;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests.Fleet;

/// <summary>
/// Get-CalendarFederationPlan and Test-CalendarFederationPlan in a hosted runspace against the sandbox's contoso, fabrikam
/// and tailspin (docs/fleet.md §2, §4). Each tenant connects app-only as its fleet entry says: contoso with a client
/// secret from an environment variable, fabrikam from a vault through Get-Secret (a stand-in function here, as
/// Microsoft.PowerShell.SecretManagement would give), tailspin with a variable that is not set. The fleet is built in
/// memory (TestHooks.FleetLoader): the file format is the fleet file reader's, tested on its own.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class FleetPlanCmdletTests : IDisposable
{
    private const string ContosoId = "6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11";
    private const string FabrikamId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    private const string ContosoSecret = "contoso-sandbox-secret";
    private const string FabrikamSecret = "fabrikam-sandbox-secret";
    private const string ContosoVariable = "CF_FLEET_TEST_CONTOSO_SECRET";
    private const string TailspinVariable = "CF_FLEET_TEST_TAILSPIN_SECRET";
    private const string FakeGetSecret =
        "function global:Get-Secret { param([string] $Name, [string] $Vault, [switch] $AsPlainText) " +
        "if ($Vault -ne 'Msp' -or $Name -ne 'fabrikam-app' -or -not $AsPlainText) { throw \"No secret $Name in $Vault.\" }; '" + FabrikamSecret + "' }";

    private readonly SignInFixture _fixture;
    private readonly Runspace _runspace;
    private readonly List<PowerShell> _invocations = new();

    public FleetPlanCmdletTests(SignInFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(null);
        Environment.SetEnvironmentVariable(ContosoVariable, ContosoSecret);
        Environment.SetEnvironmentVariable(TailspinVariable, null);
    }

    public void Dispose()
    {
        TestHooks.FleetLoader = null;
        Environment.SetEnvironmentVariable(ContosoVariable, null);
        foreach (PowerShell ps in _invocations) ps.Dispose();
        _runspace.Dispose();
        _fixture.Reset();
    }

    private static FleetTenant Tenant(string name, string? tenantId, FleetConnect connect) => new()
    {
        Name = name,
        Organization = name + ".onmicrosoft.com",
        TenantId = tenantId,
        ExchangeEnvironmentName = SignInFixture.EnvironmentName,
        Connect = connect,
    };

    private static FleetConnect SecretVariable(string appId, string variable) =>
        new() { Kind = FleetConnectKind.ClientSecretEnvironmentVariable, AppId = appId, ClientSecretEnvironmentVariable = variable };

    private static FleetConnect Vault() =>
        new() { Kind = FleetConnectKind.ClientSecretVault, AppId = "f0a5e000-0000-4000-8000-000000000001", ClientSecretVault = "Msp", ClientSecretName = "fabrikam-app" };

    /// <summary>contoso and fabrikam share both ways; with <paramref name="tailspin"/>, contoso and tailspin too.</summary>
    private static FleetDefinition Fleet(bool tailspin = false, string contosoId = ContosoId)
    {
        var def = new FleetDefinition();
        def.Tenants.Add(Tenant("contoso", contosoId, SecretVariable("c0a5e000-0000-4000-8000-000000000001", ContosoVariable)));
        def.Tenants.Add(Tenant("fabrikam", FabrikamId, Vault()));
        AddPair(def, "contoso", "fabrikam");
        if (tailspin)
        {
            def.Tenants.Add(Tenant("tailspin", null, SecretVariable("7a115000-0000-4000-8000-000000000001", TailspinVariable)));
            AddPair(def, "contoso", "tailspin");
        }
        return def;
    }

    private static void AddPair(FleetDefinition def, string a, string b)
    {
        def.Directions.Add(new FleetDirection(a, b, true, new FleetShareSettings()));
        def.Directions.Add(new FleetDirection(b, a, true, new FleetShareSettings()));
    }

    private PowerShell Run(FleetDefinition fleet, string script)
    {
        TestHooks.FleetLoader = _ => fleet;
        PowerShell ps = PowerShell.Create();
        _invocations.Add(ps);
        ps.Runspace = _runspace;
        ps.AddScript(FakeGetSecret + "; " + script);
        return ps;
    }

    private static string Prop(PSObject row, string name) => row.Properties[name].Value?.ToString() ?? "";

    private static List<PSObject> Rows(Collection<PSObject> output) => output.Where(o => o.BaseObject is CalendarFederationPlanChange).ToList();

    /// <summary>Every text the command wrote anywhere: rows, errors, warnings, verbose lines, progress.</summary>
    private static string AllText(PowerShell ps, IEnumerable<PSObject> output) => string.Join("\n",
        output.SelectMany(o => o.Properties.Select(p => p.Value?.ToString() ?? ""))
            .Concat(ps.Streams.Error.Select(e => e + " " + e.ErrorDetails?.Message + " " + e.ErrorDetails?.RecommendedAction + " " + e.Exception.InnerException?.Message))
            .Concat(ps.Streams.Warning.Select(w => w.Message))
            .Concat(ps.Streams.Verbose.Select(v => v.Message))
            .Concat(ps.Streams.Progress.Select(p => p.Activity + " " + p.StatusDescription)));

    private static void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(ContosoSecret, text);
        Assert.DoesNotContain(FabrikamSecret, text);
    }

    [Fact]
    public void Two_readable_tenants_are_planned_and_a_tenant_that_cannot_connect_is_unknown_with_one_error()
    {
        PowerShell ps = Run(Fleet(tailspin: true), "Get-CalendarFederationPlan -Path fleet.psd1 -Verbose");
        Collection<PSObject> output = ps.Invoke();
        List<PSObject> rows = Rows(output);

        // contoso <-> fabrikam: nothing is granted in the sandbox, so each sharing tenant gets its grant, in the Grant phase.
        List<PSObject> pair = rows.Where(r => Prop(r, "Direction") is "contoso -> fabrikam" or "fabrikam -> contoso").ToList();
        Assert.Equal(2, pair.Count);
        Assert.All(pair, r =>
        {
            Assert.Equal("Create", Prop(r, "Action"));
            Assert.Equal("CrossTenantAccess", Prop(r, "Method"));
            Assert.Equal("Grant", Prop(r, "Order"));
            Assert.Equal(FleetChangeIds.Length, Prop(r, "ChangeId").Length);
        });
        Assert.Equal(FabrikamId, Prop(Assert.Single(pair, r => Prop(r, "Tenant") == "contoso"), "Identity"));
        Assert.Equal(ContosoId, Prop(Assert.Single(pair, r => Prop(r, "Tenant") == "fabrikam"), "Identity"));

        // contoso <-> tailspin: tailspin could not connect, so both directions are Unknown and nothing else is planned.
        List<PSObject> unknown = rows.Where(r => Prop(r, "Direction").Contains("tailspin")).ToList();
        Assert.Equal(2, unknown.Count);
        Assert.All(unknown, r => Assert.Equal("Unknown", Prop(r, "Action")));
        Assert.Equal(4, rows.Count);

        ErrorRecord error = Assert.Single(ps.Streams.Error);
        Assert.Equal("FleetTenantUnreadable", ErrorRecordIds.Of(error));
        Assert.Equal("tailspin", error.TargetObject);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Equal("FleetTenantConnectFailed", ((Engine.EngineException)error.Exception.InnerException!).ErrorId);
        Assert.Contains(TailspinVariable, error.Exception.Message);
        Assert.NotNull(error.ErrorDetails?.RecommendedAction);

        Assert.Contains(ps.Streams.Progress, p => p.StatusDescription == "3 of 3 tenants read");
        Assert.Contains(ps.Streams.Verbose, v => v.Message.StartsWith("fabrikam: signs in app-only to fabrikam.onmicrosoft.com (app f0a5e000-0000-4000-8000-000000000001, client secret 'fabrikam-app' from vault 'Msp')", StringComparison.Ordinal));
        AssertNoSecret(AllText(ps, output));
    }

    [Fact]
    public void A_tenant_whose_reads_fail_makes_its_pairs_unknown_never_create_and_strict_stops_without_rows()
    {
        _fixture.Server.State.AddFault(new FaultRule { Service = "adminapi", Tenant = "fabrikam", Status = 403, Remaining = 100 });

        PowerShell ps = Run(Fleet(), "Get-CalendarFederationPlan -Path fleet.psd1");
        List<PSObject> rows = Rows(ps.Invoke());

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("Unknown", Prop(r, "Action")));
        Assert.DoesNotContain(rows, r => Prop(r, "Action") == "Create");
        ErrorRecord error = Assert.Single(ps.Streams.Error);
        Assert.Equal("FleetTenantUnreadable", ErrorRecordIds.Of(error));
        Assert.Equal("fabrikam", error.TargetObject);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.StartsWith("fabrikam could not be read (AccessDenied): ", error.Exception.Message);

        // -Strict: the same error, then a terminating FleetPlanIncomplete, and no rows at all.
        PowerShell strict = Run(Fleet(), "try { Get-CalendarFederationPlan -Path fleet.psd1 -Strict; 'not stopped' } catch { $_ }");
        PSObject caught = Assert.Single(strict.Invoke());
        var stopped = Assert.IsType<ErrorRecord>(caught.BaseObject);
        Assert.Equal("FleetPlanIncomplete", ErrorRecordIds.Of(stopped));
        Assert.Equal("1 of 2 tenants could not be read (fabrikam): the plan is incomplete, so no rows are returned.", stopped.Exception.Message);
        Assert.Equal("FleetTenantUnreadable", ErrorRecordIds.Of(Assert.Single(strict.Streams.Error)));
    }

    [Fact]
    public void A_passed_connection_wins_over_the_file_and_its_tenant_id_is_checked_against_the_file_all_the_same()
    {
        Environment.SetEnvironmentVariable(ContosoVariable, null);
        string connect = $"$contoso = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com " +
            $"-ClientSecret (ConvertTo-SecureString '{ContosoSecret}' -AsPlainText -Force) -ExchangeEnvironmentName {SignInFixture.EnvironmentName} -PassThru -NotDefault -WarningAction SilentlyContinue; ";

        // contoso's variable is not set, so only $contoso can have signed it in; the file says contoso is fabrikam's tenant id, so that sign-in is refused.
        PowerShell ps = Run(Fleet(contosoId: FabrikamId), connect + "Get-CalendarFederationPlan -Path fleet.psd1 -Connection $contoso; $contoso");
        Collection<PSObject> output = ps.Invoke();

        ErrorRecord error = Assert.Single(ps.Streams.Error);
        Assert.Equal("contoso", error.TargetObject);
        Assert.Equal("FleetTenantIdMismatch", ((Engine.EngineException)error.Exception.InnerException!).ErrorId);
        Assert.Contains(ContosoId, error.Exception.Message);
        Assert.Contains(FabrikamId, error.Exception.Message);
        Assert.All(Rows(output), r => Assert.Equal("Unknown", Prop(r, "Action")));
        var connection = (CalendarFederationConnection)output.Last().BaseObject;
        Assert.False(connection.IsClosed);
        AssertNoSecret(AllText(ps, output));
    }

    [Fact]
    public void A_tenant_named_by_its_connection_uses_the_one_open_in_this_runspace_and_fails_clearly_without_it()
    {
        FleetDefinition fleet = Fleet();
        fleet.Tenants[1].Connect = new FleetConnect { Kind = FleetConnectKind.Connection, Connection = "fabrikam.onmicrosoft.com" };
        PowerShell missing = Run(fleet, "Get-CalendarFederationPlan -Path fleet.psd1");
        Assert.All(Rows(missing.Invoke()), r => Assert.Equal("Unknown", Prop(r, "Action")));
        ErrorRecord error = Assert.Single(missing.Streams.Error);
        Assert.Equal("FleetTenantConnectFailed", ((Engine.EngineException)error.Exception.InnerException!).ErrorId);
        Assert.Contains("'fabrikam.onmicrosoft.com', but none is open in this session", error.Exception.Message);

        PowerShell open = Run(fleet, "$f = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com " +
            $"-ClientSecret (ConvertTo-SecureString '{FabrikamSecret}' -AsPlainText -Force) -ExchangeEnvironmentName {SignInFixture.EnvironmentName} -NotDefault -WarningAction SilentlyContinue; " +
            "Get-CalendarFederationPlan -Path fleet.psd1 -Verbose");
        Collection<PSObject> output = open.Invoke();
        Assert.True(open.Streams.Error.Count == 0, string.Join("; ", open.Streams.Error.Select(e => e.ToString())));
        Assert.Equal(new[] { "Create", "Create" }, Rows(output).Select(r => Prop(r, "Action")));
        Assert.Contains(open.Streams.Verbose, v => v.Message.StartsWith("fabrikam: uses the connection fabrikam.onmicrosoft.com (ClientSecret", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_Get_Secret_a_vault_tenant_cannot_connect_and_says_what_is_missing()
    {
        PowerShell ps = Run(Fleet(), "Remove-Item function:Get-Secret; Get-CalendarFederationPlan -Path fleet.psd1");
        List<PSObject> rows = Rows(ps.Invoke());

        Assert.All(rows, r => Assert.Equal("Unknown", Prop(r, "Action")));
        ErrorRecord error = Assert.Single(ps.Streams.Error);
        Assert.Equal("FleetTenantConnectFailed", ((Engine.EngineException)error.Exception.InnerException!).ErrorId);
        Assert.Contains("Microsoft.PowerShell.SecretManagement", error.Exception.Message);
        Assert.Contains("'Msp'", error.Exception.Message);
    }

    [Fact]
    public void A_managed_identity_and_a_certificate_file_relative_to_the_fleet_file_both_sign_in()
    {
        const string password = "pfx-password-0815";
        string folder = Path.Combine(Path.GetTempPath(), "cf-fleet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "certs"));
        string? endpoint = Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT");
        string? header = Environment.GetEnvironmentVariable("IDENTITY_HEADER");
        try
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=CalendarFederation fleet test", rsa,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            _fixture.PostAsync("/_sandbox/tenants/fabrikam/apps/f0a5e000-0000-4000-8000-000000000001/certificates",
                Convert.ToBase64String(cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Cert))).GetAwaiter().GetResult();
            File.WriteAllBytes(Path.Combine(folder, "certs", "fabrikam.pfx"), cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, password));
            Environment.SetEnvironmentVariable("CF_FLEET_TEST_PFX_PASSWORD", password);
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", new Uri(_fixture.Server.BaseUri, "/msi/token").AbsoluteUri);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", "sandbox-identity-header");

            FleetDefinition fleet = Fleet();
            fleet.SourcePath = Path.Combine(folder, "fleet.psd1");
            fleet.Tenants[0].Connect = new FleetConnect { Kind = FleetConnectKind.ManagedIdentity };
            fleet.Tenants[1].Connect = new FleetConnect
            {
                Kind = FleetConnectKind.CertificateFile, AppId = "f0a5e000-0000-4000-8000-000000000001",
                CertificateFilePath = "certs/fabrikam.pfx", CertificatePasswordEnvironmentVariable = "CF_FLEET_TEST_PFX_PASSWORD",
            };
            PowerShell ps = Run(fleet, "Get-CalendarFederationPlan -Path fleet.psd1 -Verbose");
            Collection<PSObject> output = ps.Invoke();

            // fabrikam read through its certificate file. contoso's managed identity signed in, but the sandbox gives it the
            // admin API role only: the policy read is refused, so contoso is unreadable for that cause, not for a failed connect.
            ErrorRecord error = Assert.Single(ps.Streams.Error);
            Assert.Equal("contoso", error.TargetObject);
            Assert.Equal("GraphPermissionMissing", ((Engine.EngineException)error.Exception.InnerException!).ErrorId);
            Assert.NotNull(error.ErrorDetails?.RecommendedAction);
            Assert.Equal(new[] { "Unknown", "Unknown" }, Rows(output).Select(r => Prop(r, "Action")));
            Assert.Contains(ps.Streams.Verbose, v => v.Message.StartsWith("contoso: signs in app-only to contoso.onmicrosoft.com (managed identity system-assigned)", StringComparison.Ordinal));
            Assert.DoesNotContain(password, AllText(ps, output));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CF_FLEET_TEST_PFX_PASSWORD", null);
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", endpoint);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", header);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_refused_secret_keeps_the_sign_ins_id_and_never_shows_the_secret()
    {
        const string wrong = "not-the-contoso-secret-4711";
        Environment.SetEnvironmentVariable(ContosoVariable, wrong);
        PowerShell ps = Run(Fleet(), "Get-CalendarFederationPlan -Path fleet.psd1 -Verbose");
        Collection<PSObject> output = ps.Invoke();

        ErrorRecord error = Assert.Single(ps.Streams.Error);
        Assert.Equal("contoso", error.TargetObject);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Equal("InvalidClientCredentials", ((Engine.EngineException)error.Exception.InnerException!).ErrorId);
        Assert.All(Rows(output), r => Assert.Equal("Unknown", Prop(r, "Action")));
        string text = AllText(ps, output);
        Assert.DoesNotContain(wrong, text);
        AssertNoSecret(text);
    }

    [Fact]
    public void A_stop_while_tenants_are_read_ends_the_command_without_rows_or_read_errors()
    {
        _fixture.Server.State.AddFault(new FaultRule { Service = "adminapi", Tenant = "fabrikam", Hold = "fleet-never" });
        PowerShell ps = Run(Fleet(), "Get-CalendarFederationPlan -Path fleet.psd1");
        IAsyncResult handle = ps.BeginInvoke();

        TimeSpan guard = TimeSpan.FromSeconds(60);
        Assert.True(_fixture.Server.State.WaitUntilAsync(() => _fixture.Server.State.Gates.Held("fleet-never") >= 1, guard).GetAwaiter().GetResult(),
            "fabrikam's reads never reached the sandbox.");
        Assert.True(Task.Run(ps.Stop).Wait(guard), "Stop() did not return although nothing will ever answer.");

        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(handle));
        Assert.Empty(ps.Streams.Error);
        Assert.True(_fixture.Server.State.WaitUntilAsync(() => _fixture.Server.State.InFlight == 0, guard).GetAwaiter().GetResult(),
            "Requests are still in flight after Stop.");
    }

    [Fact]
    public void Test_is_false_with_one_drift_error_then_true_once_both_grants_are_in_place()
    {
        PowerShell drift = Run(Fleet(), "Test-CalendarFederationPlan -Path fleet.psd1");
        Collection<PSObject> verdict = drift.Invoke();
        Assert.False((bool)Assert.Single(verdict).BaseObject);
        ErrorRecord error = Assert.Single(drift.Streams.Error);
        Assert.Equal("FleetDrift", ErrorRecordIds.Of(error));
        Assert.Equal("The fleet differs from its file: 2 changes are planned, in contoso, fabrikam.", error.Exception.Message);

        PowerShell passThru = Run(Fleet(), "Test-CalendarFederationPlan -Path fleet.psd1 -PassThru");
        List<PSObject> rows = Rows(passThru.Invoke());
        Assert.Equal(new[] { "Create", "Create" }, rows.Select(r => Prop(r, "Action")));
        Assert.Equal("FleetDrift", ErrorRecordIds.Of(Assert.Single(passThru.Streams.Error)));

        string secret = "-ClientSecret (ConvertTo-SecureString '{0}' -AsPlainText -Force) -ExchangeEnvironmentName " + SignInFixture.EnvironmentName + " -PassThru -NotDefault -WarningAction SilentlyContinue";
        PowerShell grant = Run(Fleet(),
            "$c = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com " + string.Format(secret, ContosoSecret) + "; " +
            "$f = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com " + string.Format(secret, FabrikamSecret) + "; " +
            $"Grant-CrossTenantCalendarAccess -Connection $c -PartnerTenantId {FabrikamId} -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -WarningAction SilentlyContinue | Out-Null; " +
            $"Grant-CrossTenantCalendarAccess -Connection $f -PartnerTenantId {ContosoId} -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -WarningAction SilentlyContinue | Out-Null; " +
            "Test-CalendarFederationPlan -Path fleet.psd1; Test-CalendarFederationPlan -Path fleet.psd1 -Connection $c, $f; $c; $f");
        Collection<PSObject> after = grant.Invoke();
        Assert.True(grant.Streams.Error.Count == 0, string.Join("; ", grant.Streams.Error.Select(e => e.ToString())));
        // From the file's connect settings, then through the connections passed, which stay open.
        Assert.Equal(new object[] { true, true }, after.Take(2).Select(o => o.BaseObject));
        Assert.All(after.Skip(2), o => Assert.False(((CalendarFederationConnection)o.BaseObject).IsClosed));
    }
}
