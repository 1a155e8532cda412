using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http.Json;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Infrastructure;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests.Reliability;

/// <summary>
/// Issue 6, section 4, for what needs an interactive host: the delegated sign-in modes (device code and interactive,
/// through the browser seam) with every cmdlet, and the opt-in persistent token cache. The non-interactive modes run
/// in tests/Pester/Reliability.Tests.ps1 against the built module; SignInTests.No_secret_or_token_appears_in_any_stream_or_view
/// covers the device code and three app-only modes at Connect and Get-OrganizationConfig. Each test writes its row of the
/// reliability table (ReliabilityRecorder). The cache tests point XDG_CACHE_HOME at a temporary folder (the SignInRequest
/// CacheDirectory is not exposed on the cmdlet) and put it back afterwards.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class SecretsAndCacheReliabilityTests : IDisposable
{
    private const string FabrikamApp = "f0a5e000-0000-4000-8000-000000000001";
    private const string FabrikamSecret = "fabrikam-sandbox-secret";
    private const string Env = SignInFixture.EnvironmentName;
    private const string CacheFile = "calendarfederation.msalcache";

    private static readonly Regex AnyJwt = new(@"eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}", RegexOptions.Compiled);
    private static readonly Regex SandboxRefreshToken = new(@"1\.ASandbox[A-Za-z0-9_\-]{8,}", RegexOptions.Compiled);

    private readonly SignInFixture _fixture;
    private readonly TestPSHost _host = new();
    private readonly Runspace _runspace;

    public SecretsAndCacheReliabilityTests(SignInFixture fixture)
    {
        _fixture = fixture;
        _fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(_host);
    }

    private readonly List<PowerShell> _invocations = new();

    public void Dispose()
    {
        foreach (PowerShell ps in _invocations) ps.Dispose();
        TestHooks.Browser = null;
        _runspace.Dispose();
    }

    private static SecureString Secure(string s)
    {
        var secure = new SecureString();
        foreach (char c in s) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    private sealed record RunResult(Collection<PSObject> Output, PSDataStreams Streams, string Text);

    // Everything a run shows: output as its views, every stream (errors with their exception chain), what reached the host.
    private RunResult Run(string script, IDictionary<string, object?>? variables = null, Runspace? runspace = null)
    {
        // Kept until the test ends: disposing a PowerShell clears its streams, and callers read them after this returns.
        PowerShell ps = PowerShell.Create();
        _invocations.Add(ps);
        ps.Runspace = runspace ?? _runspace;
        foreach (var v in variables ?? new Dictionary<string, object?>()) ps.Runspace.SessionStateProxy.SetVariable(v.Key, v.Value);
        ps.AddScript(script);
        Collection<PSObject> output = ps.Invoke();
        var text = new StringBuilder();
        foreach (PSObject o in output) text.AppendLine(o?.ToString());
        foreach (VerboseRecord r in ps.Streams.Verbose) text.AppendLine("VERBOSE: " + r.Message);
        foreach (DebugRecord r in ps.Streams.Debug) text.AppendLine("DEBUG: " + r.Message);
        foreach (WarningRecord r in ps.Streams.Warning) text.AppendLine("WARNING: " + r.Message);
        foreach (InformationRecord r in ps.Streams.Information) text.AppendLine("INFO: " + r.MessageData);
        foreach (ErrorRecord r in ps.Streams.Error) text.AppendLine("ERROR: " + r + "\n" + r.Exception + "\n" + r.ErrorDetails + "\n" + r.TargetObject);
        text.AppendLine(_host.Written);
        return new RunResult(output, ps.Streams, text.ToString());
    }

    private static string Script(string connect) => $@"
$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
Start-Transcript -Path $transcript -Force | Out-Null
$steps = [System.Collections.Generic.List[string]]::new(); $failed = [System.Collections.Generic.List[string]]::new()
# -WarningAction Continue: for a compiled cmdlet -Debug makes PowerShell inquire on each verbose or warning line not
# otherwise set, and the test host answers no prompt.
function Step([string] $Cmdlet, [scriptblock] $Block) {{ $steps.Add($Cmdlet); $n = $Error.Count; . $Block | Out-String -Width 4096; if ($Error.Count -gt $n) {{ $failed.Add($Cmdlet) }} }}
$partner = Connect-CalendarFederation -AppId '{FabrikamApp}' -Organization fabrikam.onmicrosoft.com -ClientSecret $partnerSecret -ExchangeEnvironmentName {Env} -PassThru -NotDefault -WarningAction SilentlyContinue
Step 'Connect-CalendarFederation' {{ $script:c = {connect} -ExchangeEnvironmentName {Env} -PassThru -NotDefault -Verbose -Debug -WarningAction Continue; $script:c }}
$c = $script:c
Step 'Get-CalendarFederationConnection' {{ Get-CalendarFederationConnection -Verbose -Debug -WarningAction Continue | Format-List * }}
Step 'Get-OrganizationConfig' {{ Get-OrganizationConfig -Connection $c -Verbose -Debug -WarningAction Continue | Format-List * }}
Step 'Enable-OrganizationCustomization' {{ Enable-OrganizationCustomization -Connection $c -Verbose -Debug -WarningAction Continue }}
Step 'Get-FederationInformation' {{ $script:info = Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName {Env} -Verbose -Debug -WarningAction Continue; $script:info | Format-List * }}
Step 'New-OrganizationRelationship' {{ $script:info | New-OrganizationRelationship -Connection $c -Name Delegated -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -Verbose -Debug -WarningAction Continue | Format-List * }}
Step 'Get-OrganizationRelationship' {{ Get-OrganizationRelationship -Connection $c -Verbose -Debug -WarningAction Continue }}
Step 'Set-OrganizationRelationship' {{ Set-OrganizationRelationship -Connection $c -Identity Delegated -PhotosEnabled $true -Verbose -Debug -WarningAction Continue }}
Step 'Test-OrganizationRelationship' {{ Test-OrganizationRelationship -Connection $c -Identity Delegated -PartnerConnection $partner -Mailbox lee@fabrikam.com -RequesterMailbox alex@contoso.com -Verbose -Debug -WarningAction Continue }}
Step 'Remove-OrganizationRelationship' {{ Remove-OrganizationRelationship -Connection $c -Identity Delegated -Confirm:$false -Verbose -Debug -WarningAction Continue }}
Step 'New-CalendarFederation' {{ New-CalendarFederation -Connection $c -PartnerConnection $partner -FreeBusyAccessLevel AvailabilityOnly -Verbose -Debug -WarningAction Continue }}
Step 'Grant-CrossTenantCalendarAccess' {{ $script:info | Grant-CrossTenantCalendarAccess -Connection $c -FreeBusyAccessLevel LimitedDetails -Confirm:$false -Verbose -Debug -WarningAction Continue | Format-List * }}
Step 'Get-CrossTenantCalendarAccess' {{ Get-CrossTenantCalendarAccess -Connection $c -Verbose -Debug -WarningAction Continue | Format-List * }}
Step 'Revoke-CrossTenantCalendarAccess' {{ Revoke-CrossTenantCalendarAccess -Connection $c -DomainName fabrikam.com -Confirm:$false -Verbose -Debug -WarningAction Continue }}
Step 'Get-CalendarFederationReadiness' {{ Get-CalendarFederationReadiness -Connection $c -PartnerConnection $partner -Verbose -Debug -WarningAction Continue | Format-List * }}
Step 'Convert-OrganizationRelationship' {{ Get-OrganizationRelationship -Connection $c | Convert-OrganizationRelationship -Connection $c -PartnerConnection $partner -Rollback -Confirm:$false -Verbose -Debug -WarningAction Continue | Format-List * }}
$fleetDir = Join-Path ([System.IO.Path]::GetTempPath()) ('cf-secrets-fleet-' + [guid]::NewGuid().ToString('N')); New-Item -ItemType Directory -Path $fleetDir | Out-Null
$fleetFile = Join-Path $fleetDir 'fleet.psd1'
Step 'Export-CalendarFederationPlan' {{ Export-CalendarFederationPlan -Connection $c, $partner -Path $fleetFile -Confirm:$false -Verbose -Debug -WarningAction Continue }}
Step 'Get-CalendarFederationPlan' {{ $script:plan = @(Get-CalendarFederationPlan -Path $fleetFile -Connection $c, $partner -Verbose -Debug -WarningAction Continue); $script:plan | Format-List * }}
Step 'Test-CalendarFederationPlan' {{ Test-CalendarFederationPlan -Path $fleetFile -Connection $c, $partner -Verbose -Debug -WarningAction Continue }}
Step 'Invoke-CalendarFederationPlan' {{ $script:plan | Invoke-CalendarFederationPlan -CheckpointPath (Join-Path $fleetDir 'fleet.checkpoint.jsonl') -Confirm:$false -Verbose -Debug -WarningAction Continue | Format-List * }}
Step 'Export-CalendarFederationReport' {{ $script:plan | Export-CalendarFederationReport -Path (Join-Path $fleetDir 'map.html') -Confirm:$false -Verbose -Debug -WarningAction Continue; Get-Content -Raw (Join-Path $fleetDir 'map.html') }}
Remove-Item -LiteralPath $fleetDir -Recurse -Force
Step 'Add-CalendarFederationEnvironment' {{ Add-CalendarFederationEnvironment -Name DelegatedSecrets -AzureADAuthorizationEndpointUri $https -ConnectionUri $https -Verbose -Debug -WarningAction Continue }}
Step 'Get-CalendarFederationEnvironment' {{ Get-CalendarFederationEnvironment -Verbose -Debug -WarningAction Continue }}
Step 'Remove-CalendarFederationEnvironment' {{ Remove-CalendarFederationEnvironment -Name DelegatedSecrets -Confirm:$false -Verbose -Debug -WarningAction Continue }}
Step 'connection views' {{ ""ToString: $($c.ToString())""; ""$c""; $c | Format-List * -Force; $c | Format-Table *; $c | Format-Custom; $c | ConvertTo-Json -Depth 5; [System.Management.Automation.PSSerializer]::Serialize($c, 5) }}
Step 'Disconnect-CalendarFederation' {{ Disconnect-CalendarFederation -Connection $c -Confirm:$false -Verbose -Debug -WarningAction Continue }}
Disconnect-CalendarFederation -Connection $partner -Confirm:$false
Stop-Transcript | Out-Null
""STEPS: $($steps -join ',')""
""FAILED: $($failed -join ',')""
""CONNECTION: $c""
";

    private sealed class SandboxBrowser : IBrowser
    {
        private readonly HttpMessageHandler _handler;

        public SandboxBrowser(HttpMessageHandler handler) => _handler = handler;

        public async Task<Uri> AuthorizeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        {
            using var http = new HttpClient(_handler, disposeHandler: false);
            using HttpResponseMessage response = await http.GetAsync(authorizationUri, cancellationToken);
            return response.Headers.Location!;
        }
    }

    [Theory]
    [InlineData("S-07", "DeviceCode")]
    [InlineData("S-08", "Interactive")]
    public void Delegated_sign_in_shows_no_secret_in_any_stream_view_or_transcript(string id, string mode)
    {
        string connect = mode == "DeviceCode"
            ? "Connect-CalendarFederation -Device -Organization contoso.onmicrosoft.com"
            : "Connect-CalendarFederation -UserPrincipalName admin@contoso.onmicrosoft.com -Organization contoso.onmicrosoft.com";
        if (mode == "Interactive") TestHooks.Browser = new SandboxBrowser(_fixture.CreateTrustingHandler());
        string transcript = Path.Combine(Path.GetTempPath(), "cf-reliability-" + Guid.NewGuid().ToString("N") + ".txt");
        var row = new ReliabilityRow
        {
            Id = id,
            Section = "4 Secrets",
            Area = "Sign-in",
            Case = (mode == "DeviceCode" ? "device code" : "interactive (browser seam)") + ", every cmdlet",
            Injected = $"{(mode == "DeviceCode" ? "-Device" : "-UserPrincipalName (interactive)")} in a hosted runspace with an interactive test host; every cmdlet with -Verbose -Debug, preferences Continue, a transcript",
            Expected = "no access, id or refresh token, no partner secret, in any stream, the host, a view, an error or the transcript; the MSAL log captured",
        };
        var watch = Stopwatch.StartNew();
        RunResult result;
        string transcriptText = "";
        try
        {
            result = Run(Script(connect), new Dictionary<string, object?>
            {
                ["transcript"] = transcript,
                ["partnerSecret"] = Secure(FabrikamSecret),
                ["https"] = _fixture.Https,
            });
            if (File.Exists(transcript)) transcriptText = File.ReadAllText(transcript);
        }
        finally
        {
            File.Delete(transcript);
            TestHooks.Browser = null;
        }
        watch.Stop();
        string text = result.Text + "\n" + transcriptText;
        string[] refreshTokens = _fixture.Server.State.Identity.RefreshTokens.Keys.ToArray();
        var found = new List<string>();
        if (text.Contains(FabrikamSecret, StringComparison.Ordinal)) found.Add("partner client secret");
        if (AnyJwt.IsMatch(text)) found.Add("a JWT (access or id token)");
        if (refreshTokens.Any(rt => text.Contains(rt, StringComparison.Ordinal)) || SandboxRefreshToken.IsMatch(text)) found.Add("a refresh token");
        if (text.Contains("PRIVATE KEY", StringComparison.Ordinal)) found.Add("\"PRIVATE KEY\"");
        string steps = result.Output.Select(o => o?.ToString() ?? "").FirstOrDefault(s => s.StartsWith("STEPS: ", StringComparison.Ordinal))?.Substring(7) ?? "";
        string failed = result.Output.Select(o => o?.ToString() ?? "").FirstOrDefault(s => s.StartsWith("FAILED: ", StringComparison.Ordinal))?.Substring(8) ?? "";
        string connection = result.Output.Select(o => o?.ToString() ?? "").FirstOrDefault(s => s.StartsWith("CONNECTION: ", StringComparison.Ordinal))?.Substring(12) ?? "";

        string[] ran = steps.Split(',', StringSplitOptions.RemoveEmptyEntries);
        string[] cmdlets = typeof(CalendarFederationConnection).Assembly.GetTypes()
            .Select(t => t.GetCustomAttributes(typeof(CmdletAttribute), false).OfType<CmdletAttribute>().FirstOrDefault())
            .Where(a => a != null).Select(a => a!.VerbName + "-" + a.NounName).ToArray();
        string[] notRun = cmdlets.Where(c => !ran.Contains(c)).ToArray();
        row.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 2);
        row.Outcome = $"{ran.Count(cmdlets.Contains)} of the module's {cmdlets.Length} cmdlets and the connection views run, {failed.Split(',', StringSplitOptions.RemoveEmptyEntries).Length} wrote an error; {result.Text.Length} characters of streams and host output and a {transcriptText.Length}-character transcript searched; " +
            $"{refreshTokens.Length} refresh token(s) issued by the sandbox looked for; MSAL log: {(text.Contains("MSAL", StringComparison.Ordinal) ? "yes" : "no")}; secrets found: {(found.Count == 0 ? "none" : string.Join(", ", found))}" +
            (failed.Length > 0 ? "; steps that wrote an error: " + failed : "");
        row.State.Detail = "searched for: partner client secret, any JWT, every refresh token the sandbox issued (and the 1.ASandbox pattern), \"PRIVATE KEY\"";
        row.Data["Mode"] = mode;
        row.Data["RefreshTokensIssued"] = refreshTokens.Length;
        row.Data["Found"] = found;
        row.Data["Failed"] = failed;
        row.Data["NotRun"] = notRun;
        ReliabilityRecorder.Check(row, () =>
        {
            Assert.Empty(found);
            Assert.Empty(notRun);
            Assert.DoesNotContain("Connect-CalendarFederation", failed);
            Assert.NotEmpty(refreshTokens); // delegated sign-in really got a refresh token to hide
            Assert.Contains("MSAL", text);
            Assert.Contains("POST /adminapi/beta/", text);
            Assert.Contains("ToString: " + connection, text);
            Assert.True(transcriptText.Length > 5000, $"the transcript has {transcriptText.Length} characters");
        });
    }

    private static string[] CacheFiles(string root) =>
        Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : Array.Empty<string>();

    private string[] TokensIn(string path)
    {
        string content = File.ReadAllText(path);
        var found = new List<string>();
        if (AnyJwt.IsMatch(content)) found.Add("access/id token");
        if (_fixture.Server.State.Identity.RefreshTokens.Keys.Any(rt => content.Contains(rt, StringComparison.Ordinal))) found.Add("refresh token");
        if (content.Contains("\"secret\"", StringComparison.OrdinalIgnoreCase)) found.Add("a \"secret\" field");
        return found.ToArray();
    }

    private static T WithCacheHome<T>(string folder, Func<T> action)
    {
        string? previous = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", folder);
        try
        {
            return action();
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", previous);
        }
    }

    [Fact]
    public void Persistent_cache_without_os_protection_stays_in_memory_and_writes_no_tokens()
    {
        string home = Path.Combine(Path.GetTempPath(), "cf-reliability-cache-" + Guid.NewGuid().ToString("N"));
        var row = new ReliabilityRow
        {
            Id = "S-09",
            Section = "4 Secrets",
            Area = "Sign-in",
            Case = "persistent token cache, OS protection",
            Injected = "Connect -Device -PersistTokenCache, XDG_CACHE_HOME at a temporary folder" + (OperatingSystem.IsLinux() ? " (no keyring here)" : ""),
            Expected = OperatingSystem.IsLinux()
                ? "a warning that the OS cannot protect the cache; tokens stay in memory; no file holding a token is written"
                : "the cache is protected by the OS; no file holds a token in plain text",
        };
        var watch = Stopwatch.StartNew();
        try
        {
            RunResult result = WithCacheHome(home, () =>
                Run($"Connect-CalendarFederation -Device -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName {Env} -PersistTokenCache -PassThru -NotDefault"));
            watch.Stop();
            var connection = result.Output.Select(o => o.BaseObject).OfType<CalendarFederationConnection>().FirstOrDefault();
            string[] warnings = result.Streams.Warning.Select(w => w.Message).ToArray();
            string[] files = CacheFiles(home);
            var withTokens = files.Where(f => TokensIn(f).Length > 0).ToArray();
            row.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 2);
            row.ErrorId = result.Streams.Error.Select(ErrorRecordIds.Of).FirstOrDefault() ?? "";
            row.Outcome = $"connected: {connection != null}; TokenCache: {connection?.TokenCache}; warning: {warnings.FirstOrDefault(w => w.Contains("cache", StringComparison.OrdinalIgnoreCase)) ?? "none"}; " +
                $"files under the cache folder: {(files.Length == 0 ? "none" : string.Join(", ", files.Select(f => Path.GetFileName(f) + " (" + new FileInfo(f).Length + " bytes)")))}; files holding a token: {withTokens.Length}";
            row.State.Detail = "every file under $XDG_CACHE_HOME searched for a JWT, the sandbox's refresh tokens and a \"secret\" field";
            row.Data["TokenCache"] = connection?.TokenCache;
            row.Data["Files"] = files.Select(Path.GetFileName).ToArray();
            ReliabilityRecorder.Check(row, () =>
            {
                Assert.NotNull(connection);
                Assert.Empty(withTokens);
                if (OperatingSystem.IsLinux())
                {
                    Assert.Equal("Memory", connection!.TokenCache);
                    Assert.Contains(warnings, w => w.Contains("could not be protected by the operating system", StringComparison.Ordinal));
                }
            });
            Run("Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false");
        }
        finally
        {
            if (Directory.Exists(home)) Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void Unprotected_persistent_cache_is_an_owner_only_file_and_sign_out_empties_it()
    {
        string home = Path.Combine(Path.GetTempPath(), "cf-reliability-cache-" + Guid.NewGuid().ToString("N"));
        string path = Path.Combine(home, "CalendarFederation", CacheFile);
        var row = new ReliabilityRow
        {
            Id = "S-10",
            Section = "4 Secrets",
            Area = "Sign-in",
            Case = "persistent token cache, plain-file fallback",
            Injected = "Connect -Device -PersistTokenCache -AllowUnprotectedTokenCache, XDG_CACHE_HOME at a temporary folder; then a non-interactive sign-in from it; then Disconnect",
            Expected = "a warning that the cache is a plain file; the file exists with owner-only permissions (0600); the persisted sign-in is reused without a prompt; Disconnect leaves no token in it",
        };
        var signOutRow = new ReliabilityRow
        {
            Id = "S-11",
            Section = "4 Secrets",
            Area = "Sign-in",
            Case = "Disconnect removes the persisted sign-in",
            Injected = "Disconnect-CalendarFederation of the delegated connections that use the plain-file cache",
            Expected = "the file keeps no access or refresh token",
        };
        if (!OperatingSystem.IsLinux())
        {
            row.Result = signOutRow.Result = "Skipped";
            row.Outcome = signOutRow.Outcome = "not applicable: this OS protects the cache (DPAPI or Keychain), so the plain-file fallback is not taken";
            ReliabilityRecorder.Write(row);
            ReliabilityRecorder.Write(signOutRow);
            return;
        }
        var watch = Stopwatch.StartNew();
        try
        {
            WithCacheHome(home, () =>
            {
                RunResult first = Run($"Connect-CalendarFederation -Device -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName {Env} -PersistTokenCache -AllowUnprotectedTokenCache -PassThru -NotDefault");
                var connection = first.Output.Select(o => o.BaseObject).OfType<CalendarFederationConnection>().FirstOrDefault();
                string[] warnings = first.Streams.Warning.Select(w => w.Message).ToArray();
                bool exists = File.Exists(path);
                UnixFileMode mode = exists && !OperatingSystem.IsWindows() ? File.GetUnixFileMode(path) : 0;
                string[] tokens = exists ? TokensIn(path) : Array.Empty<string>();

                // A persisted sign-in is used without a prompt, even by a host where nobody can answer one.
                using Runspace headless = SignInFixture.OpenRunspace(null);
                RunResult silent = Run($"Connect-CalendarFederation -Device -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName {Env} -PersistTokenCache -AllowUnprotectedTokenCache -PassThru -NotDefault -WarningAction SilentlyContinue", runspace: headless);
                var reused = silent.Output.Select(o => o.BaseObject).OfType<CalendarFederationConnection>().FirstOrDefault();
                watch.Stop();

                row.Seconds = Math.Round(watch.Elapsed.TotalSeconds, 2);
                row.ErrorId = first.Streams.Error.Concat(silent.Streams.Error).Select(ErrorRecordIds.Of).FirstOrDefault() ?? "";
                row.Outcome = $"warning: {warnings.FirstOrDefault(w => w.Contains("plain file", StringComparison.Ordinal)) ?? "none"}; TokenCache: {connection?.TokenCache}; " +
                    $"file: {(exists ? $"{new FileInfo(path).Length} bytes, mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')} ({mode})" : "missing")}; holds in plain text: {(tokens.Length == 0 ? "nothing" : string.Join(", ", tokens))} (by explicit opt-in); " +
                    $"reused without a prompt by a non-interactive host: {reused != null}";
                row.State.Detail = "file mode read with File.GetUnixFileMode";
                row.Data["Mode"] = Convert.ToString((int)mode, 8);
                row.Data["TokensInFile"] = tokens;
                row.Data["Reused"] = reused != null;
                ReliabilityRecorder.Check(row, () =>
                {
                    Assert.NotNull(connection);
                    Assert.Contains(warnings, w => w.Contains("plain file", StringComparison.Ordinal));
                    Assert.StartsWith("Unprotected file", connection!.TokenCache);
                    Assert.True(exists, $"{path} was not written");
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
                    Assert.NotNull(reused);
                });

                var signOut = Stopwatch.StartNew();
                Run("Disconnect-CalendarFederation -Connection $c -Confirm:$false", new Dictionary<string, object?> { ["c"] = connection });
                Run("Disconnect-CalendarFederation -Connection $c -Confirm:$false", new Dictionary<string, object?> { ["c"] = reused }, headless);
                signOut.Stop();
                string[] left = File.Exists(path) ? TokensIn(path) : Array.Empty<string>();
                signOutRow.Seconds = Math.Round(signOut.Elapsed.TotalSeconds, 2);
                signOutRow.Outcome = $"file after both disconnects: {(File.Exists(path) ? new FileInfo(path).Length + " bytes" : "removed")}; tokens left in it: {(left.Length == 0 ? "none" : string.Join(", ", left))}";
                signOutRow.State.Detail = "the file searched for a JWT and the sandbox's refresh tokens";
                ReliabilityRecorder.Check(signOutRow, () => Assert.Empty(left));
                return 0;
            });
        }
        finally
        {
            if (Directory.Exists(home)) Directory.Delete(home, recursive: true);
        }
    }
}
