# Get-CalendarFederationPlan and Test-CalendarFederationPlan through the BUILT module against the sandbox, from a real
# fleet file (.psd1, docs/fleet.md): contoso as the hub, fabrikam and tailspin as spokes, each connected app-only with a
# client secret from the environment variable the file names (tailspin's app is registered here). Each test starts
# from the sandbox's reset state (no X-TAP partners, no relationships). An unreadable tenant is made with a fault knob
# (the admin API refuses its reads): its pairs are Unknown, never Create. Without trust in the sandbox's https root
# every test is skipped and says why. Windows PowerShell 5.1 compatible.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:environmentName = 'FleetPlanSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $environmentName
    $script:ids = @{
        contoso  = '6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11'
        fabrikam = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22'
        tailspin = '1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a33'
    }
    $script:apps = @{
        contoso  = @{ Id = 'c0a5e000-0000-4000-8000-000000000001'; Secret = 'contoso-sandbox-secret' }
        fabrikam = @{ Id = 'f0a5e000-0000-4000-8000-000000000001'; Secret = 'fabrikam-sandbox-secret' }
        tailspin = @{ Id = '7a115000-0000-4000-8000-000000000001'; Secret = 'tailspin-fleet-secret' }
    }
    foreach ($name in $apps.Keys) { Set-Item -Path "env:CF_FLEET_$($name.ToUpperInvariant())_SECRET" -Value $apps[$name].Secret }

    if ($trusted) {
        $app = @{
            appId = $apps.tailspin.Id; displayName = 'Tailspin fleet automation'; objectId = '7a115000-0000-4000-8000-0000000000a1'
            secret = $apps.tailspin.Secret; directoryRoles = @('Exchange Administrator')
            roles = @('Exchange.ManageAsApp', 'Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess', 'Policy.ReadWrite.CrossTenantCapability', 'CrossTenantInformation.ReadBasic.All')
        }
        # Registered once per sandbox: a second run of this file finds it there (409).
        try { Invoke-RestMethod -Method Post -Uri "$($sandbox.Url)/_sandbox/tenants/tailspin/apps" -Body ($app | ConvertTo-Json) -ContentType 'application/json' | Out-Null }
        catch { if ("$_" -notmatch 'already registered') { throw } }
    }

    $tenants = foreach ($name in 'contoso', 'fabrikam', 'tailspin') {
        "        @{ Name = '$name'; Organization = '$name.onmicrosoft.com'; TenantId = '$($ids[$name])'; AppId = '$($apps[$name].Id)'; ClientSecretEnvironmentVariable = 'CF_FLEET_$($name.ToUpperInvariant())_SECRET' }"
    }
    $script:fleetPath = Join-Path ([IO.Path]::GetTempPath()) "cf-fleet-plan-$PID.psd1"
    Set-Content -LiteralPath $fleetPath -Encoding UTF8 -Value @"
@{
    Defaults = @{ ExchangeEnvironmentName = '$environmentName' }
    Tenants = @(
$($tenants -join "`n")
    )
    Pairs = @(
        @{ Between = 'contoso', '*' }
    )
}
"@

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }

    function script:Reset-Fleet {
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/faults" | Out-Null
        Reset-CFSandbox -Sandbox $sandbox
    }

    # Runs a command and returns what it wrote: output, errors (written or thrown) and every verbose line.
    function script:Invoke-Captured([string] $Command, [hashtable] $Arguments) {
        $errors = @()
        $all = @(try { & $Command @Arguments -ErrorAction SilentlyContinue -ErrorVariable written -Verbose 4>&1 } catch { $errors += $_ })
        [pscustomobject]@{
            Output  = @($all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
            Verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            Errors  = @(@($written) + $errors | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        }
    }

    # Test-CalendarFederationPlan in a child PowerShell, as a scheduled task runs it: its exit code and what it printed.
    $processPath = (Get-Process -Id $PID).Path
    $script:pwsh = @($processPath)
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') { $script:pwsh += [System.Reflection.Assembly]::GetEntryAssembly().Location }
    function script:Invoke-ScheduledTest {
        $command = "Import-Module '$env:CF_MODULE_PATH'; " +
            "Add-CalendarFederationEnvironment -Name $environmentName -AzureADAuthorizationEndpointUri '$($sandbox.HttpsUrls['good'])' -ConnectionUri '$($sandbox.HttpsUrls['good'])' | Out-Null; " +
            "Test-CalendarFederationPlan -Path '$fleetPath'"
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $command)
        $output = & $pwsh[0] @arguments 2>&1
        [pscustomobject]@{ Exit = $LASTEXITCODE; Text = ($output | Out-String) }
    }

    function script:Assert-NoSecret($Captured) {
        $text = (@($Captured.Output | Format-List * | Out-String) + $Captured.Verbose + @($Captured.Errors | ForEach-Object { "$_ $($_.ErrorDetails.RecommendedAction)" })) -join "`n"
        foreach ($a in $apps.Values) { $text | Should -Not -Match ([regex]::Escape($a.Secret)) }
    }
}

AfterAll {
    Remove-Item -LiteralPath $script:fleetPath -ErrorAction SilentlyContinue
    foreach ($name in $script:apps.Keys) { Remove-Item -Path "env:CF_FLEET_$($name.ToUpperInvariant())_SECRET" -ErrorAction SilentlyContinue }
    Reset-CFSandbox -Sandbox $script:sandbox
}

Describe 'Get-CalendarFederationPlan from a fleet file (built module)' -Tag 'Fleet' {
    BeforeEach { if ($script:trusted) { Reset-Fleet } }

    It 'plans a grant in each sharing tenant of every pair, hub and spokes' {
        if (Skip-Untrusted) { return }
        $run = Invoke-Captured Get-CalendarFederationPlan @{ Path = $fleetPath }

        $run.Errors | Should -BeNullOrEmpty
        $rows = @($run.Output)
        $rows.Count | Should -Be 4
        @($rows | ForEach-Object Direction | Sort-Object) | Should -Be @('contoso -> fabrikam', 'contoso -> tailspin', 'fabrikam -> contoso', 'tailspin -> contoso')
        foreach ($row in $rows) {
            $row.PSObject.TypeNames[0] | Should -Be 'CalendarFederation.CalendarFederationPlanChange'
            $row.Action | Should -Be 'Create'
            $row.Method | Should -Be 'CrossTenantAccess'
            $row.Order | Should -Be 'Grant'
            $row.Tenant | Should -Be ($row.Direction -split ' -> ')[0]
            $row.Identity | Should -Be $ids[$row.Partner]
        }
        ($run.Verbose -join "`n") | Should -Match 'tailspin: signs in app-only to tailspin.onmicrosoft.com \(app 7a115000-0000-4000-8000-000000000001, client secret from environment variable CF_FLEET_TAILSPIN_SECRET\)'
        Assert-NoSecret $run
    }

    It 'makes the pairs of a tenant whose reads fail Unknown, never Create, with one FleetTenantUnreadable error' {
        if (Skip-Untrusted) { return }
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'tailspin'; status = 403 } | Out-Null
        $run = Invoke-Captured Get-CalendarFederationPlan @{ Path = $fleetPath }

        $tailspinRows = @($run.Output | Where-Object { $_.Direction -match 'tailspin' })
        $tailspinRows.Count | Should -Be 2
        @($tailspinRows | ForEach-Object Action | Select-Object -Unique) | Should -Be @('Unknown')
        @($run.Output | Where-Object { $_.Direction -notmatch 'tailspin' } | ForEach-Object Action) | Should -Be @('Create', 'Create')
        $run.Errors.Count | Should -Be 1
        $run.Errors[0] | Get-CFErrorId | Should -Be 'FleetTenantUnreadable'
        $run.Errors[0].TargetObject | Should -Be 'tailspin'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $run.Errors[0].Exception.Message | Should -Match '^tailspin could not be read \(AccessDenied\): '
        Assert-NoSecret $run
    }

    It 'with -Strict, stops with FleetPlanIncomplete and returns no rows' {
        if (Skip-Untrusted) { return }
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'tailspin'; status = 403 } | Out-Null
        $run = Invoke-Captured Get-CalendarFederationPlan @{ Path = $fleetPath; Strict = $true }

        $run.Output | Should -BeNullOrEmpty
        @($run.Errors | Get-CFErrorId) | Should -Be @('FleetTenantUnreadable', 'FleetPlanIncomplete')
    }

    It 'stops with FleetFileNotFound for a file that is not there' {
        $run = Invoke-Captured Get-CalendarFederationPlan @{ Path = (Join-Path ([IO.Path]::GetTempPath()) 'no-such-fleet.psd1') }
        $run.Output | Should -BeNullOrEmpty
        @($run.Errors | Get-CFErrorId) | Should -Be @('FleetFileNotFound')
    }
}

Describe 'Test-CalendarFederationPlan from a fleet file (built module)' -Tag 'Fleet' {
    BeforeEach { if ($script:trusted) { Reset-Fleet } }

    It 'is $false with one FleetDrift error (exit 1 from pwsh -Command), then $true (exit 0) once every sharing tenant granted its partner' {
        if (Skip-Untrusted) { return }
        $before = Invoke-Captured Test-CalendarFederationPlan @{ Path = $fleetPath }
        $before.Output | Should -Be @($false)
        @($before.Errors | Get-CFErrorId) | Should -Be @('FleetDrift')
        $before.Errors[0].Exception.Message | Should -Be 'The fleet differs from its file: 4 changes are planned, in contoso, fabrikam, tailspin.'
        $scheduled = Invoke-ScheduledTest
        $scheduled.Exit | Should -Be 1 -Because $scheduled.Text
        $scheduled.Text | Should -Match 'The fleet differs from its file: 4 changes are planned'
        $scheduled.Text | Should -Match '(?m)^False'

        $connections = @{}
        foreach ($name in 'contoso', 'fabrikam', 'tailspin') {
            $connections[$name] = Connect-CalendarFederation -AppId $apps[$name].Id -Organization "$name.onmicrosoft.com" `
                -ClientSecret (ConvertTo-SecureString $apps[$name].Secret -AsPlainText -Force) -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
        }
        foreach ($pair in @('contoso', 'fabrikam'), @('fabrikam', 'contoso'), @('contoso', 'tailspin'), @('tailspin', 'contoso')) {
            Grant-CrossTenantCalendarAccess -Connection $connections[$pair[0]] -PartnerTenantId $ids[$pair[1]] -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        }

        $after = Invoke-Captured Test-CalendarFederationPlan @{ Path = $fleetPath }
        $after.Errors | Should -BeNullOrEmpty
        $after.Output | Should -Be @($true)
        $scheduled = Invoke-ScheduledTest
        $scheduled.Exit | Should -Be 0 -Because $scheduled.Text
        $scheduled.Text.Trim() | Should -Be 'True'
        $passThru = Invoke-Captured Test-CalendarFederationPlan @{ Path = $fleetPath; PassThru = $true }
        $passThru.Output | Should -BeNullOrEmpty
        $passThru.Errors | Should -BeNullOrEmpty
        $connections.Values | Disconnect-CalendarFederation -Confirm:$false
    }

    It 'with -PassThru, returns the drift rows, Unknown ones included, and still writes FleetDrift' {
        if (Skip-Untrusted) { return }
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'tailspin'; status = 403 } | Out-Null
        $run = Invoke-Captured Test-CalendarFederationPlan @{ Path = $fleetPath; PassThru = $true }

        @($run.Output | ForEach-Object Action | Sort-Object) | Should -Be @('Create', 'Create', 'Unknown', 'Unknown')
        @($run.Errors | Get-CFErrorId) | Should -Be @('FleetDrift')
        $run.Errors[0].Exception.Message | Should -Match '1 tenants could not be read \(tailspin: AccessDenied\); 2 rows are Unknown\.$'
        Assert-NoSecret $run
    }
}

Describe 'Get-CalendarFederationPlan on the sandbox''s generated fleet (built module)' -Tag 'Fleet' {
    # The sandbox's fleet of 20 (seed 1): nine pairs in one state each and one more, each with what the plan should say
    # per direction (GET /_sandbox/fleet: expectations; tests/CalendarFederation.Sandbox/README.md, "A fleet"), and the file.
    BeforeAll {
        $script:fleetFile = Join-Path ([IO.Path]::GetTempPath()) "cf-generated-fleet-$PID.json"
        $script:fleetSandbox = $null
        if ($script:trusted) {
            $script:fleetSandbox = Start-CFFleet -Tenants 20 -FleetFile $fleetFile
            $script:world = $fleetSandbox.World
            $script:generated = Invoke-Captured Get-CalendarFederationPlan @{ Path = $fleetFile; ThrottleLimit = 8 }
        }
    }

    AfterAll {
        if ($script:fleetSandbox) { Stop-CFFleet $script:fleetSandbox }
        Remove-Item -LiteralPath $script:fleetFile -ErrorAction SilentlyContinue
    }

    It 'gives, in each sharing tenant, the actions the sandbox''s state calls for' {
        if (Skip-Untrusted) { return }
        @($world.expectations).Count | Should -Be 20
        @($world.expectations | ForEach-Object kind | Select-Object -Unique).Count | Should -Be 9
        $problems = foreach ($e in $world.expectations) {
            $actual = @($generated.Output | Where-Object { $_.Tenant -eq $e.tenant -and $_.Partner -eq $e.partner } | ForEach-Object Action | Sort-Object -Unique)
            $expected = @($e.actions | Sort-Object -Unique)
            if (($actual -join ',') -ne ($expected -join ',')) { "$($e.direction) ($($e.kind)): expected $($expected -join ', '), got $($actual -join ', ')" }
        }
        @($problems) | Should -BeNullOrEmpty
    }

    It 'once the plan is applied, drifts only where its unreadable tenant is' {
        if (Skip-Untrusted) { return }
        $checkpoint = Join-Path ([IO.Path]::GetTempPath()) "cf-generated-fleet-$PID.checkpoint.jsonl"
        try {
            $applied = @($generated.Output | Invoke-CalendarFederationPlan -CheckpointPath $checkpoint -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable applyErrors -WarningAction SilentlyContinue)
            @($applied | Where-Object Outcome -eq 'Applied').Count | Should -BeGreaterThan 0
            @($applied | Where-Object Outcome -eq 'Failed') | Should -BeNullOrEmpty
            $unreadable = @($world.members | Where-Object { $_.unreadable } | ForEach-Object name)
            $after = Invoke-Captured Test-CalendarFederationPlan @{ Path = $fleetFile; PassThru = $true }
            @($after.Output | Where-Object { $unreadable -notcontains $_.Tenant -and $unreadable -notcontains $_.Partner }) | Should -BeNullOrEmpty
            @($after.Output | ForEach-Object Action | Select-Object -Unique) | Should -Be @('Unknown')
            @($after.Errors | Get-CFErrorId) | Should -Be @('FleetDrift')
        }
        finally {
            Remove-Item -LiteralPath $checkpoint -ErrorAction SilentlyContinue
        }
    }

    It 'reports the unreadable tenant once, and plans nothing for its pair' {
        if (Skip-Untrusted) { return }
        $unreadable = @($world.members | Where-Object { $_.unreadable })
        $unreadable.Count | Should -BeGreaterThan 0
        @($generated.Errors | Get-CFErrorId | Select-Object -Unique) | Should -Be @('FleetTenantUnreadable')
        @($generated.Errors | ForEach-Object TargetObject | Sort-Object) | Should -Be @($unreadable | ForEach-Object name | Sort-Object)
        $pairRows = @($generated.Output | Where-Object { $unreadable.name -contains $_.Tenant -or $unreadable.name -contains $_.Partner })
        $pairRows.Count | Should -BeGreaterThan 0
        @($pairRows | ForEach-Object Action | Select-Object -Unique) | Should -Be @('Unknown')
    }
}
