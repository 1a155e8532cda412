# The federation map of a real sandbox fleet (docs/fleet.md §6) in headless Chromium: a sandbox of this file's own with
# the generated fleet of 12 (seed 1; tests/CalendarFederation.Sandbox/README.md, "A fleet"), planned through the BUILT
# module, written by Export-CalendarFederationReport, loaded in Chromium (offline: no proxy, every host unresolvable),
# the DOM after the page's script checked against the plan, and a screenshot at a laptop's size kept as
# artifacts/fleet-map-sandbox.png (CI uploads it; the README shows it as docs/images/fleet-map.png).
# tests/CalendarFederation.Tests/Fleet/FleetMapBrowserTests.cs checks the filter and legend on a hand-built plan.
# Without Chromium the test skips loudly, except under CI=true (where .ci/run installs it), where it fails.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox

    function script:Skip-Untrusted { Skip-CFUntrusted -Trusted $script:trusted }

    # CF_CHROMIUM, else chromium, chromium-browser, google-chrome or chrome on PATH (as HeadlessChromium.cs finds it).
    function script:Find-Chromium {
        if ($env:CF_CHROMIUM) { if (Test-Path -LiteralPath $env:CF_CHROMIUM) { return $env:CF_CHROMIUM } else { return $null } }
        foreach ($name in 'chromium', 'chromium-browser', 'google-chrome', 'chrome') {
            $found = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
            if ($found) { return $found.Source }
        }
        return $null
    }

    # One Chromium run with the offline flags, a profile of its own and a 60 s bound; returns its standard output.
    function script:Invoke-Chromium([string[]] $Arguments) {
        $profileDir = Join-Path ([IO.Path]::GetTempPath()) ('cf-chromium-' + [guid]::NewGuid().ToString('N'))
        $start = New-Object System.Diagnostics.ProcessStartInfo $script:chromium
        # One quoted string, not ArgumentList: Windows PowerShell 5.1's .NET has no ArgumentList; no argument holds a quote.
        $start.Arguments = (@('--headless=new', '--no-sandbox', '--disable-gpu', '--no-proxy-server', '--host-resolver-rules=MAP * ~NOTFOUND',
                '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions', '--disable-default-apps',
                '--no-first-run', '--no-default-browser-check', '--mute-audio', '--hide-scrollbars', "--user-data-dir=$profileDir") + $Arguments |
                ForEach-Object { '"' + $_ + '"' }) -join ' '
        $start.RedirectStandardOutput = $true; $start.RedirectStandardError = $true; $start.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($start)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit(60000)) { $process.Kill(); throw "Chromium did not finish within 60 s: $Arguments" }
            $process.WaitForExit()
            if ($process.ExitCode -ne 0) { throw "Chromium exited with $($process.ExitCode): $($stderr.Result)" }
            return $stdout.Result
        }
        finally {
            $process.Dispose()
            Remove-Item -LiteralPath $profileDir -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    $script:chromium = Find-Chromium
    $script:skipBrowser = -not $chromium -and ($env:CI -ne 'true' -or $env:CF_BROWSER_TESTS -eq 'skip')
    $script:artifacts = Join-Path $PSScriptRoot '../../artifacts'
    New-Item -ItemType Directory -Path $artifacts -Force | Out-Null
    $script:mapFile = Join-Path $artifacts 'fleet-map-sandbox.html'
    $script:fleetFile = Join-Path ([IO.Path]::GetTempPath()) "cf-fleet-map-$PID.json"
    $script:fleetSandbox = $null
    if ($trusted) {
        $script:fleetSandbox = Start-CFFleet -Tenants 12 -FleetFile $fleetFile
        $script:world = $fleetSandbox.World
        $script:rows = @(Get-CalendarFederationPlan -Path $fleetFile -ErrorAction SilentlyContinue)
        $script:unreadable = @($world.members | Where-Object { $_.unreadable } | ForEach-Object name)
    }
}

AfterAll {
    if ($script:fleetSandbox) { Stop-CFFleet $script:fleetSandbox }
    Remove-Item -LiteralPath $script:fleetFile -ErrorAction SilentlyContinue
    if (-not $env:CF_SANDBOX_URL) { Stop-CFSandbox $script:sandbox }
}

Describe 'The federation map of a 12-tenant sandbox fleet in headless Chromium (built module)' -Tag 'Fleet' {
    It 'renders every cell with the health the plan gives it, and keeps a screenshot' {
        if (Skip-Untrusted) { return }
        if ($skipBrowser) {
            Write-Warning 'SKIPPED: headless Chromium is not installed, so the federation map of the sandbox fleet was not rendered (install chromium, or set CF_CHROMIUM).'
            Set-ItResult -Skipped -Because 'headless Chromium is not installed'
            return
        }
        $chromium | Should -Not -BeNullOrEmpty -Because 'CI installs Chromium (.ci/run)'
        @($world.members).Count | Should -Be 12
        $file = $rows | Export-CalendarFederationReport -Path $mapFile -Confirm:$false
        $file.FullName | Should -Be ([IO.Path]::GetFullPath($mapFile))
        $url = [Uri]::new($file.FullName).AbsoluteUri

        $dom = Invoke-Chromium @('--dump-dom', $url)
        $cells = @([regex]::Matches($dom, '<td[^>]*data-from="([^"]+)"[^>]*data-to="([^"]+)"[^>]*data-health="([^"]+)"') | ForEach-Object {
                [pscustomobject]@{ From = $_.Groups[1].Value; To = $_.Groups[2].Value; Health = $_.Groups[3].Value } })
        $cells.Count | Should -Be (12 * 11)
        @($cells | Where-Object { $_.From -eq $_.To }) | Should -BeNullOrEmpty
        # A pair with an unreadable tenant is Unknown both ways, and nothing else is (the fleet of 12 has none: its six
        # pairs take the first six states of FleetSeed.EveryKind, so Unknown must not appear at all).
        $unknown = @($cells | Where-Object Health -EQ 'Unknown' | ForEach-Object { "$($_.From)>$($_.To)" } | Sort-Object)
        $expectedUnknown = @($world.members | Where-Object { $unreadable -contains $_.name } | ForEach-Object { "$($_.name)>$($_.partner)"; "$($_.partner)>$($_.name)" } | Sort-Object)
        $unknown | Should -Be $expectedUnknown
        # Every direction the plan still changes (Create, Update) is Broken or, before its cut-over, on the legacy path.
        foreach ($row in @($rows | Where-Object { $_.Action -in 'Create', 'Update' -and $_.Order -eq 'Grant' })) {
            $cell = $cells | Where-Object { $_.From -eq $row.Tenant -and $_.To -eq $row.Partner }
            $cell.Health | Should -BeIn @('Broken', 'WorksUntil2027') -Because "$($row.Direction): $($row.Action) $($row.Reason)"
        }
        @($cells | Where-Object Health -EQ 'Works').Count | Should -BeGreaterThan 0
        $dom | Should -Match '12 of 12 tenants' -Because 'the page''s script ran and counted the tenants shown'

        $png = Join-Path $artifacts 'fleet-map-sandbox.png'
        Remove-Item -LiteralPath $png -ErrorAction SilentlyContinue
        $null = Invoke-Chromium @("--screenshot=$png", '--window-size=1366,900', $url)
        (Get-Item -LiteralPath $png).Length | Should -BeGreaterThan 20000
    }

    It 'lists Test-OrganizationRelationship''s findings under every broken cell, and -SkipFindings leaves them out' {
        if (Skip-Untrusted) { return }
        $ews = @($world.members | Where-Object { $_.kind -eq 'EwsBlocked' } | Select-Object -First 1)
        $ews.Count | Should -Be 1 -Because 'the fleet of 12 holds one EWS-blocked pair'
        $out = Join-Path ([IO.Path]::GetTempPath()) "cf-map-findings-$PID.html"
        try {
            $rows | Export-CalendarFederationReport -Path $out -Confirm:$false | Out-Null
            $html = [IO.File]::ReadAllText($out)
            $articles = @([regex]::Matches($html, '<article[^>]*data-from="([^"]+)" data-to="([^"]+)" data-health="(\w+)">.*?</article>', 'Singleline'))
            $blocked = @($articles | Where-Object { $_.Groups[1].Value -eq $ews[0].name -and $_.Groups[2].Value -eq $ews[0].partner })
            $blocked.Count | Should -Be 1
            $blocked[0].Groups[3].Value | Should -Be 'Broken'
            # The diagnosis names the cause: EWS is off in the tenant (EwsBlocked, blocking), with the tenants involved.
            $blocked[0].Value | Should -Match "Test-OrganizationRelationship \($($ews[0].name) with $($ews[0].partner)\)"
            $blocked[0].Value | Should -Match '<ul class="findings"><li>Blocking \(fleet\d+\.onmicrosoft\.com\) EwsBlocked: EWS is off in '
            $broken = @($articles | Where-Object { $_.Groups[3].Value -eq 'Broken' })
            $broken.Count | Should -BeGreaterThan 1
            foreach ($b in $broken) { $b.Value | Should -Match '<ul class="findings"><li>' -Because "$($b.Groups[1].Value) -> $($b.Groups[2].Value) is broken" }
            foreach ($u in @($articles | Where-Object { $_.Groups[3].Value -eq 'Unknown' })) { $u.Value | Should -Not -Match 'class="findings"' }

            $rows | Export-CalendarFederationReport -Path $out -SkipFindings -Confirm:$false | Out-Null
            [IO.File]::ReadAllText($out) | Should -Not -Match 'class="findings"'
        }
        finally { Remove-Item -LiteralPath $out -ErrorAction SilentlyContinue }
    }

    It 'maps live connections without a fleet file (-Connection), and leaves no file of its own behind' {
        if (Skip-Untrusted) { return }
        $members = @($world.members | Where-Object { -not $_.unreadable -and $_.partner } | Select-Object -First 4)
        $connections = @(foreach ($m in $members) {
                Connect-CalendarFederation -ExchangeEnvironmentName $world.environmentName -AppId $m.appId -Organization $m.organization `
                    -ClientSecret (ConvertTo-SecureString "$($m.name)-sandbox-secret" -AsPlainText -Force) -PassThru -WarningAction SilentlyContinue })
        $out = Join-Path ([IO.Path]::GetTempPath()) "cf-map-live-$PID.html"
        $before = @(Get-ChildItem -LiteralPath ([IO.Path]::GetTempPath()) -Filter 'cf-map-*.json').Count
        try {
            $file = Export-CalendarFederationReport -Connection $connections -Path $out -Confirm:$false -ErrorVariable errs
            @($errs).Count | Should -Be 0
            $file.FullName | Should -Be ([IO.Path]::GetFullPath($out))
            $html = [IO.File]::ReadAllText($out)
            $html | Should -Match 'from the live state of 4 connections'
            $cells = @([regex]::Matches($html, '<td[^>]*data-from="([^"]+)"[^>]*data-to="([^"]+)"[^>]*data-health="([^"]+)"'))
            $cells.Count | Should -Be (4 * 3)
            # The file is the connections' own, with their short names; each member and its partner share both ways or one.
            $names = @($cells | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
            $names | Should -Be @($members | ForEach-Object name | Sort-Object)
            @($cells | Where-Object { $_.Groups[3].Value -ne 'Empty' }).Count | Should -BeGreaterThan 0
            # The caller's connections stay open: each still answers.
            foreach ($c in $connections) { Get-OrganizationConfig -Connection $c | Should -Not -BeNullOrEmpty }
            @(Get-ChildItem -LiteralPath ([IO.Path]::GetTempPath()) -Filter 'cf-map-*.json').Count | Should -Be $before
        }
        finally {
            Remove-Item -LiteralPath $out -ErrorAction SilentlyContinue
            $connections | Disconnect-CalendarFederation -Confirm:$false
        }
    }
}
