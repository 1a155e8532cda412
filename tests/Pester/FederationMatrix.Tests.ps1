# The free/busy matrix through the BUILT module: alex@contoso.com asks, through Test-OrganizationRelationship's real
# probe, for a fabrikam mailbox, for every combination of
#   - the level fabrikam's relationship for contoso grants (None, AvailabilityOnly, LimitedDetails),
#   - the mailbox's calendar Default permission (lee AvailabilityOnly, nestor LimitedDetails, pradeep None),
#   - fabrikam's FreeBusyAccessScope (none, or FreeBusyShared, which holds lee only),
#   - the setup: both sides, or fabrikam's side only (contoso's users then have no way to ask),
# and asserts exactly which probe finding comes out: FreeBusyVisibleLimitedDetails only when level and permission are
# both LimitedDetails and the mailbox is in scope; FreeBusyVisibleAvailabilityOnly when the lower of the two is
# AvailabilityOnly; FreeBusyNotVisible otherwise; along with the finding that names the cause.
# A last block covers contoso's side only, at each level contoso grants: a one-way relationship never shows the partner;
# and one case a calendar working elsewhere all day, which is free/busy that came back.
# One sandbox and one pair of connections for the whole file; the relationships are changed with
# Set-OrganizationRelationship between cases. Windows PowerShell 5.1 compatible.

BeforeDiscovery {
    $levelRank = @{ None = 0; AvailabilityOnly = 1; LimitedDetails = 2 }
    $mailboxes = [ordered]@{ 'lee@fabrikam.com' = 'AvailabilityOnly'; 'nestor@fabrikam.com' = 'LimitedDetails'; 'pradeep@fabrikam.com' = 'None' }
    $inFreeBusyShared = @('lee@fabrikam.com')

    $script:matrixCases = @()
    foreach ($setup in @('TwoSided', 'PartnerSideOnly')) {
        foreach ($scope in @('', 'FreeBusyShared')) {
            foreach ($level in @('None', 'AvailabilityOnly', 'LimitedDetails')) {
                foreach ($mailbox in $mailboxes.Keys) {
                    $permission = $mailboxes[$mailbox]
                    $inScope = ($scope -eq '') -or ($inFreeBusyShared -contains $mailbox)
                    $effective = [Math]::Min($levelRank[$level], $levelRank[$permission])
                    # The findings that must explain a FreeBusyNotVisible (the probe's cause), besides the probe itself.
                    $causes = @()
                    if ($setup -eq 'PartnerSideOnly') { $causes += 'LocalRelationshipMissing' }
                    if ($level -eq 'None') { $causes += 'PartnerFreeBusyNotShared' }
                    if ($permission -eq 'None') { $causes += 'CalendarDefaultPermissionNone' }
                    if (-not $inScope) { $causes += 'PartnerScopeExcludesMailbox' }
                    if ($setup -ne 'TwoSided' -or -not $inScope -or $effective -eq 0) { $expected = 'FreeBusyNotVisible' }
                    elseif ($effective -eq 2) { $expected = 'FreeBusyVisibleLimitedDetails' }
                    else { $expected = 'FreeBusyVisibleAvailabilityOnly' }
                    $scopeName = 'no scope'
                    if ($scope) { $scopeName = "scope $scope" }
                    $script:matrixCases += @{
                        Setup = $setup; Level = $level; Scope = $scope; ScopeName = $scopeName; Mailbox = $mailbox
                        Permission = $permission; Expected = $expected; Causes = $causes
                    }
                }
            }
        }
    }

    $script:localOnlyCases = @()
    foreach ($level in @('None', 'AvailabilityOnly', 'LimitedDetails')) {
        foreach ($mailbox in $mailboxes.Keys) {
            $script:localOnlyCases += @{ Level = $level; Mailbox = $mailbox; Permission = $mailboxes[$mailbox] }
        }
    }
}

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:environmentName = 'FederationMatrixSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $environmentName
    $script:contoso = $null
    $script:fabrikam = $null
    $script:fabrikamDomains = @('fabrikam.com', 'fabrikam.onmicrosoft.com', 'fabrikam.co.uk')
    $script:contosoDomains = @('contoso.com', 'contoso.onmicrosoft.com', 'sales.contoso.com')
    if ($trusted) {
        $script:contoso = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) `
            -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
        $script:fabrikam = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) `
            -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
        # Each side's targets, as anyone discovers them.
        $script:fabrikamInfo = Get-FederationInformation -DomainName fabrikam.onmicrosoft.com -ExchangeEnvironmentName $environmentName
        $script:contosoInfo = Get-FederationInformation -DomainName contoso.onmicrosoft.com -ExchangeEnvironmentName $environmentName
        Reset-CFSandbox -Sandbox $sandbox
        # EWS kept on in both tenants: the matrix is about the relationships' levels, not about EWS (EwsEnabled not set
        # would add EwsAtRisk to every case; CrossTenantDiagnostics.Tests.ps1 covers it).
        . (Join-Path $PSScriptRoot 'CrossTenantDiagnosticsHelpers.ps1')
        foreach ($tenant in 'contoso', 'fabrikam') { Set-CFEwsEnabled -Sandbox $sandbox -Tenant $tenant -Value $true }
        # A calendar working elsewhere around the clock (an event far wider than any probe window), kept across resets.
        $elsewhere = @{ address = 'remote@fabrikam.com'; displayName = 'Remote worker'
            events = @(@{ start = '2000-01-01T00:00:00Z'; end = '2100-01-01T00:00:00Z'; subject = 'Home office'; location = 'Home'; showAs = 'workingElsewhere' }) }
        Invoke-RestMethod -Method Post -Uri "$($sandbox.Url)/_sandbox/tenants/fabrikam/mailboxes" -Body ($elsewhere | ConvertTo-Json -Depth 4) -ContentType 'application/json' | Out-Null
    }

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }

    # contoso's relationship for fabrikam ('Fabrikam'): present or absent; when present, at $Level.
    function script:Set-ContosoSide([bool] $Present, [string] $Level = 'AvailabilityOnly') {
        $existing = @(Get-OrganizationRelationship -Connection $contoso)
        if (-not $Present) {
            $existing | ForEach-Object { Remove-OrganizationRelationship -Connection $contoso -Identity $_.Name -Confirm:$false }
            return
        }
        if ($existing.Count -eq 0) {
            New-OrganizationRelationship -Connection $contoso -Name Fabrikam -DomainNames $fabrikamDomains -FreeBusyAccessEnabled $true -FreeBusyAccessLevel $Level `
                -TargetApplicationUri $fabrikamInfo.TargetApplicationUri -TargetAutodiscoverEpr $fabrikamInfo.TargetAutodiscoverEpr -WarningAction SilentlyContinue | Out-Null
        }
        else {
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -FreeBusyAccessLevel $Level -WarningAction SilentlyContinue | Out-Null
        }
    }

    # fabrikam's relationship for contoso ('Contoso'): present or absent; when present, at $Level with $Scope ('' = none).
    function script:Set-FabrikamSide([bool] $Present, [string] $Level = 'AvailabilityOnly', [string] $Scope = '') {
        $existing = @(Get-OrganizationRelationship -Connection $fabrikam)
        if (-not $Present) {
            $existing | ForEach-Object { Remove-OrganizationRelationship -Connection $fabrikam -Identity $_.Name -Confirm:$false }
            return
        }
        if ($existing.Count -eq 0) {
            New-OrganizationRelationship -Connection $fabrikam -Name Contoso -DomainNames $contosoDomains -FreeBusyAccessEnabled $true -FreeBusyAccessLevel $Level `
                -TargetApplicationUri $contosoInfo.TargetApplicationUri -TargetAutodiscoverEpr $contosoInfo.TargetAutodiscoverEpr -WarningAction SilentlyContinue | Out-Null
        }
        $scopeValue = $null
        if ($Scope) { $scopeValue = $Scope }
        Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -FreeBusyAccessLevel $Level -FreeBusyAccessScope $scopeValue -WarningAction SilentlyContinue | Out-Null
        # The state the case is about, read back, so that a failing case is not a set-up mistake.
        $now = Get-OrganizationRelationship -Connection $fabrikam -Identity Contoso
        "$($now.FreeBusyAccessLevel)" | Should -BeExactly $Level
        "$($now.FreeBusyAccessScope)" | Should -BeExactly $Scope
    }

    function script:Invoke-Probe([string] $Mailbox) {
        @(Test-OrganizationRelationship -Connection $contoso -PartnerConnection $fabrikam -Mailbox $Mailbox -RequesterMailbox alex@contoso.com)
    }
}

AfterAll {
    foreach ($connection in @($contoso, $fabrikam)) {
        if ($connection) { Disconnect-CalendarFederation -Connection $connection -Confirm:$false }
    }
    Stop-CFSandbox $sandbox
}

Describe 'Free/busy matrix through Test-OrganizationRelationship (built module)' -Tag 'Federation' {
    It '<Setup>, level <Level>, <ScopeName>: <Mailbox> (Default <Permission>) -> <Expected>' -TestCases $matrixCases {
        param($Setup, $Level, $Scope, $ScopeName, $Mailbox, $Permission, $Expected, $Causes)
        if (Skip-Untrusted) { return }
        Set-FabrikamSide -Present $true -Level $Level -Scope $Scope
        Set-ContosoSide -Present ($Setup -eq 'TwoSided')

        $findings = Invoke-Probe $Mailbox
        $checks = @($findings | ForEach-Object { $_.Check })
        $probe = @($findings | Where-Object { $_.Side -eq 'Probe' } | ForEach-Object { $_.Check })
        $probe | Should -BeExactly @($Expected) -Because "all findings: $($checks -join ', ')"

        if ($Expected -eq 'FreeBusyNotVisible') {
            foreach ($cause in $Causes) { $checks | Should -Contain $cause }
            $checks | Should -Not -Contain 'NoProblemsFound'
        }
        else {
            @($findings | Where-Object { $_.Severity -eq 'Blocking' }).Count | Should -Be 0 -Because "all findings: $($checks -join ', ')"
            $checks | Should -Contain 'NoProblemsFound'
            $visible = @($findings | Where-Object { $_.Check -eq $Expected })[0]
            $visible.Severity | Should -BeExactly 'Pass'
            if ($Expected -eq 'FreeBusyVisibleLimitedDetails') {
                $visible.Message | Should -Match '"Project sync" at Room 1'
            }
            else {
                $visible.Message | Should -Not -Match 'Project sync'
            }
        }
        # The effective level is explained only when nothing blocks: otherwise it would describe a level that does not apply.
        $effective = @($findings | Where-Object { $_.Check -eq 'EffectiveLevel' })
        $blocking = @($findings | Where-Object { $_.Severity -eq 'Blocking' })
        if ($Permission -ne 'None' -and $blocking.Count -eq 0) {
            $effective.Count | Should -Be 1
            $effective[0].Message | Should -Match "relationship's $Level and the calendar's Default $Permission"
        }
        else {
            $effective.Count | Should -Be 0 -Because "blocking: $(@($blocking | ForEach-Object { $_.Check }) -join ', ')"
        }
    }

    It 'both sides, AvailabilityOnly: a calendar working elsewhere all day is visible free/busy, not missing data' {
        if (Skip-Untrusted) { return }
        Set-FabrikamSide -Present $true -Level AvailabilityOnly
        Set-ContosoSide -Present $true
        $findings = Invoke-Probe 'remote@fabrikam.com'
        $checks = @($findings | ForEach-Object { $_.Check })
        @($findings | Where-Object { $_.Side -eq 'Probe' } | ForEach-Object { $_.Check }) | Should -BeExactly @('FreeBusyVisibleAvailabilityOnly') -Because "all findings: $($checks -join ', ')"
        @($findings | Where-Object { $_.Check -eq 'FreeBusyVisibleAvailabilityOnly' })[0].Message | Should -Match 'UTC workingElsewhere\.$'
        $checks | Should -Contain 'NoProblemsFound'
    }

    It 'contoso side only, contoso grants <Level>: <Mailbox> (Default <Permission>) -> FreeBusyNotVisible, PartnerRelationshipMissing first' -TestCases $localOnlyCases {
        param($Level, $Mailbox, $Permission)
        if (Skip-Untrusted) { return }
        Set-FabrikamSide -Present $false
        Set-ContosoSide -Present $true -Level $Level

        $findings = Invoke-Probe $Mailbox
        $checks = @($findings | ForEach-Object { $_.Check })
        @($findings | Where-Object { $_.Side -eq 'Probe' } | ForEach-Object { $_.Check }) | Should -BeExactly @('FreeBusyNotVisible') -Because "all findings: $($checks -join ', ')"
        $findings[0].Check | Should -BeExactly 'PartnerRelationshipMissing'
        @($findings | Where-Object { $_.Check -eq 'FreeBusyNotVisible' })[0].Message | Should -Match 'does not share free/busy with contoso\.com'
    }
}
