# Test-OrganizationRelationship's cross-tenant access findings (issue 11 §6) through the BUILT module against the
# sandbox: contoso (local) and fabrikam (partner), connected app-only. The policy is granted with
# Grant-CrossTenantCalendarAccess or seeded whole through the sandbox's control endpoint; EwsEnabled is set with
# Set-OrganizationConfig through the admin API, Microsoft's EWS block with PUT /_sandbox/tenants/{t}/ews-block. The
# probe is answered by the sandbox's getSchedule, which decides as Exchange Online is reported to: legacy objects first
# while any is in effect on either side, else the serving tenant's policy (7002 not served, 5016 outside the scopes).
# Each test starts from the reset state: no relationships, no partner configuration, default trust blocked, EwsEnabled
# not set, no EWS block. Without trust in the sandbox's https root every test is skipped. Windows PowerShell 5.1 compatible.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    . (Join-Path $PSScriptRoot 'CrossTenantDiagnosticsHelpers.ps1')
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:environmentName = 'CrossTenantDiagnosticsSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $environmentName
    $script:contosoId = '6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11'
    $script:fabrikamId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22'
    $script:freeBusySharedId = 'f0000a00-0000-4000-8000-000000000001'
    $script:L = 'contoso.onmicrosoft.com'
    $script:P = 'fabrikam.onmicrosoft.com'
    $script:Basic = 'crossTenantCalendarAvailabilityBasic'
    $script:Limited = 'crossTenantCalendarAvailabilityLimitedDetails'
    $script:contoso = $null
    $script:fabrikam = $null
    if ($trusted) {
        $script:contoso = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization $L `
            -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) `
            -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
        $script:fabrikam = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization $P `
            -ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) `
            -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
    }

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }

    function script:Reset-All {
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/faults" | Out-Null
        Reset-CFSandbox -Sandbox $sandbox
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/requests" | Out-Null
    }

    function script:Get-ServiceRequests([string] $Service) {
        @(Get-CFSandboxRequests -Sandbox $sandbox | Where-Object { $p = $_.PSObject.Properties['service']; $p -and $p.Value -eq $Service })
    }

    function script:Get-ScheduleRequests { @(Get-ServiceRequests graph | Where-Object { "$($_.path)" -match '/getSchedule$' }) }

    function script:New-BothSides {
        @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -Method OrganizationRelationship -FreeBusyAccessLevel AvailabilityOnly) | ForEach-Object { $_.Action | Should -Be 'Created' }
    }

    # Each side grants the other free/busy through its own policy (inbound only: one grant per direction).
    function script:Grant-BothWays([hashtable] $PartnerOptions = @{}) {
        Grant-CrossTenantCalendarAccess -Connection $contoso -DomainName fabrikam.com -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -ErrorAction Stop | Out-Null
        Grant-CrossTenantCalendarAccess -Connection $fabrikam -DomainName contoso.com -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -ErrorAction Stop @PartnerOptions | Out-Null
    }

    function script:Grant-ContosoSide {
        Grant-CrossTenantCalendarAccess -Connection $contoso -DomainName fabrikam.com -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -ErrorAction Stop | Out-Null
    }

    # Runs the test and checks what every run must hold: ranks 1..n by severity, and nothing written anywhere (the admin
    # API, or Graph other than the probe's getSchedule question).
    function script:Invoke-Test([hashtable] $Parameters = @{}) {
        $all = @{ Connection = $contoso }
        foreach ($key in $Parameters.Keys) { $all[$key] = $Parameters[$key] }
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/requests" | Out-Null
        $findings = @(Test-OrganizationRelationship @all -ErrorAction Stop)
        $findings.Count | Should -BeGreaterThan 0
        $order = @{ Blocking = 0; Warning = 1; Info = 2; Pass = 3 }
        for ($i = 0; $i -lt $findings.Count; $i++) {
            $findings[$i].Rank | Should -Be ($i + 1)
            if ($i -gt 0) { $order[$findings[$i].Severity] | Should -BeGreaterOrEqual $order[$findings[$i - 1].Severity] }
        }
        @(Get-ServiceRequests adminapi | Where-Object { $_.isWrite }).Count | Should -Be 0
        @(Get-ServiceRequests graph | Where-Object { $_.method -ne 'GET' -and "$($_.path)" -notmatch '/getSchedule$' }).Count | Should -Be 0
        , $findings
    }

    function script:Checks([object[]] $Findings) { @($Findings | ForEach-Object { $_.Check }) }

    function script:Find([object[]] $Findings, [string] $Check) {
        $found = @($Findings | Where-Object { $_.Check -eq $Check })
        $found.Count | Should -Be 1 -Because "$Check should come out once among: $((Checks $Findings) -join ', ')"
        $found[0]
    }
}

AfterAll {
    foreach ($connection in @($contoso, $fabrikam)) {
        if ($connection) { Disconnect-CalendarFederation -Connection $connection -Confirm:$false }
    }
    Stop-CFSandbox $sandbox
}

Describe 'Test-OrganizationRelationship and the cross-tenant access policy (built module)' -Tag 'Federation', 'CrossTenantAccess' {
    BeforeEach {
        if ($trusted) { Reset-All }
    }

    Context 'legacy objects and EWS' {
        It 'says LegacyHidesCrossTenantAccess when both relationships stay enabled over the grants: both must be disabled, with Convert-OrganizationRelationship -DisableLegacy' {
            if (Skip-Untrusted) { return }
            New-BothSides
            foreach ($tenant in 'contoso', 'fabrikam') { Set-CFEwsEnabled -Sandbox $sandbox -Tenant $tenant -Value $true }
            Grant-BothWays
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('LegacyHidesCrossTenantAccess', 'EffectiveLevel', 'FreeBusyVisibleAvailabilityOnly')
            $hides = $findings[0]
            $hides.Severity | Should -BeExactly 'Warning'
            $hides.Side | Should -BeExactly $L
            $hides.Message | Should -Match '^Ready to cut over: the cross-tenant access policy is in place'
            $hides.Message | Should -Match "$([regex]::Escape($L)) grants $([regex]::Escape($P)) AvailabilityOnly; $([regex]::Escape($P)) grants $([regex]::Escape($L)) AvailabilityOnly"
            $hides.Message | Should -Match "'Fabrikam' in contoso\.onmicrosoft\.com, the organization relationship 'Contoso' in fabrikam\.onmicrosoft\.com still take precedence"
            $hides.Message | Should -Match 'Both sides must disable their relationships\.'
            $hides.Recommendation | Should -BeExactly "Convert-OrganizationRelationship -Identity 'Fabrikam' -PartnerConnection <fabrikam.onmicrosoft.com> -DisableLegacy"
            # The relationship still answers: the probe says nothing of the policy.
            (Find $findings 'FreeBusyVisibleAvailabilityOnly').Message | Should -Not -Match 'cross-tenant access policy'
            (Find $findings 'EffectiveLevel').Message | Should -Match "the relationship's AvailabilityOnly"
        }

        It 'blocks with EwsBlocked when the partner''s EWS is off (the block, EwsEnabled False), warns EwsAtRisk where it is not set, and EwsEnabled True clears it' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/tenants/fabrikam/ews-block?value=true" | Out-Null
            Set-CFEwsEnabled -Sandbox $sandbox -Tenant fabrikam -Value $false
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('EwsBlocked', 'FreeBusyNotVisible', 'EwsAtRisk')
            $blocked = $findings[0]
            $blocked.Severity | Should -BeExactly 'Blocking'
            $blocked.Side | Should -BeExactly $P
            $blocked.Message | Should -BeExactly "EWS is off in $P (EwsEnabled False), so 'Contoso' serves no free/busy: $L's users see none of $P's calendars."
            $blocked.Recommendation | Should -Match ([regex]::Escape("Set-OrganizationConfig -EwsEnabled `$true in $P keeps the relationship working until 2027-04-01"))
            $blocked.Recommendation | Should -Match ([regex]::Escape("Convert-OrganizationRelationship -Connection <$P> -Identity 'Contoso'"))
            (Find $findings 'FreeBusyNotVisible').Message | Should -Match 'blocks EWS'
            $risk = Find $findings 'EwsAtRisk'
            $risk.Severity | Should -BeExactly 'Warning'
            $risk.Side | Should -BeExactly $L
            $risk.Message | Should -Match "EwsEnabled is not set in contoso\.onmicrosoft\.com: since 2026-10-01"

            # EwsEnabled True on both keeps the relationships working through the block, until 2027-04-01.
            foreach ($tenant in 'contoso', 'fabrikam') { Set-CFEwsEnabled -Sandbox $sandbox -Tenant $tenant -Value $true }
            Checks (Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }) |
                Should -BeExactly @('EffectiveLevel', 'FreeBusyVisibleAvailabilityOnly', 'NoProblemsFound')
        }
    }

    Context 'the policy alone' {
        It 'tests a pair with no relationship: no relationship findings, and the probe shows free/busy through the policy' {
            if (Skip-Untrusted) { return }
            Grant-BothWays
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('EffectiveLevel', 'FreeBusyVisibleAvailabilityOnly', 'NoProblemsFound')
            (Find $findings 'FreeBusyVisibleAvailabilityOnly').Message | Should -Match '^lee@fabrikam\.com \(through the cross-tenant access policy\): \d+ item\(s\) today'
            (Find $findings 'EffectiveLevel').Message | Should -Match "fabrikam\.onmicrosoft\.com's cross-tenant access policy's AvailabilityOnly \(crossTenantCalendarAvailabilityBasic\)"
            $asked = @(Get-ScheduleRequests)
            $asked.Count | Should -Be 1
            $asked[0].requester | Should -Be 'alex@contoso.com'
        }

        It 'tests it by -DomainName alone, saying what the partner''s own policy must grant' {
            if (Skip-Untrusted) { return }
            Grant-BothWays
            $findings = Invoke-Test @{ DomainName = 'fabrikam.com'; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('PartnerSideNotChecked', 'FreeBusyVisibleAvailabilityOnly', 'NoProblemsFound')
            (Find $findings 'PartnerSideNotChecked').Message | Should -Match "only when fabrikam\.com's own policy grants contoso\.onmicrosoft\.com"
        }

        It 'calls relationships disabled after the cut-over the goal, not a fault' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Grant-BothWays
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -Enabled $false -Force | Out-Null
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -Enabled $false -Force | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('EffectiveLevel', 'FreeBusyVisibleAvailabilityOnly', 'NoProblemsFound')
        }
    }

    Context 'what the policy lacks' {
        It 'blocks with CrossTenantTrustBlocked on the partner''s side, and explains the probe''s 7002' {
            if (Skip-Untrusted) { return }
            Grant-ContosoSide
            Set-CFCrossTenantPolicy -Sandbox $sandbox -Tenant fabrikam -State @{ partners = @(New-CFPartnerEntry -TenantId $contosoId -Trust 'blocked' -Capabilities @(New-CFCapability $Basic)) }
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('CrossTenantTrustBlocked', 'CrossTenantAccessNotServed')
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Side | Should -BeExactly $P
            $findings[0].Message | Should -Match 'blocks the Microsoft 365 collaboration trust for all users'
            $findings[0].Recommendation | Should -BeExactly "Grant-CrossTenantCalendarAccess -Connection <$P> -PartnerTenantId $contosoId -Force"
            $findings[1].Side | Should -BeExactly 'Probe'
            $findings[1].Severity | Should -BeExactly 'Blocking'
            $findings[1].Message | Should -Match 'Exchange Online answered 7002 \("GetSchedule is not supported for domain: fabrikam\.com\. 62382"\): it does not serve fabrikam\.com through the cross-tenant access policy'
        }

        It 'blocks with CrossTenantTrustMissing when the partner configuration inherits the default''s blocked trust' {
            if (Skip-Untrusted) { return }
            Grant-ContosoSide
            Set-CFCrossTenantPolicy -Sandbox $sandbox -Tenant fabrikam -State @{ partners = @(New-CFPartnerEntry -TenantId $contosoId -Trust $null -Capabilities @(New-CFCapability $Basic)) }
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('CrossTenantTrustMissing', 'CrossTenantAccessNotServed')
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Message | Should -Match "has no Microsoft 365 collaboration trust of its own, so it inherits the default policy's, which is blocked for all users"
            $findings[0].Recommendation | Should -BeExactly "Grant-CrossTenantCalendarAccess -Connection <$P> -PartnerTenantId $contosoId"
        }

        It 'blocks with CrossTenantCapabilityMissing when the trust is there but no free/busy capability, and explains the probe''s 7002' {
            if (Skip-Untrusted) { return }
            Set-CFCrossTenantPolicy -Sandbox $sandbox -Tenant fabrikam -State @{ partners = @(New-CFPartnerEntry -TenantId $contosoId -Trust 'allowed') }
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('CrossTenantCapabilityMissing', 'CrossTenantAccessNotServed', 'CrossTenantCapabilityMissing')
            $theirs = $findings[0]
            $theirs.Severity | Should -BeExactly 'Blocking'
            $theirs.Side | Should -BeExactly $P
            $theirs.Message | Should -Match 'allows no free/busy capability'
            $theirs.Recommendation | Should -BeExactly "Grant-CrossTenantCalendarAccess -Connection <$P> -PartnerTenantId $contosoId -FreeBusyAccessLevel AvailabilityOnly"
            $findings[1].Message | Should -Match '7002'
            # Our own policy grants Fabrikam nothing either: what Fabrikam's users see of us, a Warning.
            $ours = $findings[2]
            $ours.Severity | Should -BeExactly 'Warning'
            $ours.Side | Should -BeExactly $L
            $ours.Message | Should -Match "has no partner configuration for fabrikam\.onmicrosoft\.com \(tenant $fabrikamId\)"
            # No relationship exists, yet the relationship checks stand down: the pair is on the policy.
            Checks $findings | Should -Not -Contain 'LocalRelationshipMissing'
        }

        It 'blocks with CrossTenantScopeExcludesMailbox for a mailbox outside the capability''s group, explains the probe''s 5016, and not for one inside' {
            if (Skip-Untrusted) { return }
            Grant-BothWays -PartnerOptions @{ FreeBusyAccessScope = 'FreeBusyShared' }
            $outside = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'nestor@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $outside | Should -BeExactly @('CrossTenantScopeExcludesMailbox', 'CrossTenantAccessScopeDenied')
            $outside[0].Severity | Should -BeExactly 'Blocking'
            $outside[0].Side | Should -BeExactly $P
            $outside[0].Message | Should -Match "nestor@fabrikam\.com is outside the resource scopes of crossTenantCalendarAvailabilityBasic in fabrikam\.onmicrosoft\.com's policy for contoso\.onmicrosoft\.com \(group $freeBusySharedId\): nestor@fabrikam\.com is not among group $freeBusySharedId \(not a member of 'FreeBusyShared'\)"
            $outside[1].Side | Should -BeExactly 'Probe'
            $outside[1].Message | Should -Match 'answered 5016'
            # The admin API resolved the group by its object id, then listed its members.
            @(Get-ServiceRequests adminapi | Where-Object { $_.tenant -match 'fabrikam' } | ForEach-Object { $_.cmdletName }) | Should -Contain 'Get-Group'

            $inside = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $inside | Should -BeExactly @('EffectiveLevel', 'FreeBusyVisibleAvailabilityOnly', 'NoProblemsFound')
        }

        It 'warns CrossTenantTwoFreeBusyLevels when both levels are allowed (the service applies the lower)' {
            if (Skip-Untrusted) { return }
            Grant-ContosoSide
            Set-CFCrossTenantPolicy -Sandbox $sandbox -Tenant fabrikam -State @{
                partners = @(New-CFPartnerEntry -TenantId $contosoId -Trust 'allowed' -Capabilities @((New-CFCapability $Basic), (New-CFCapability $Limited)))
            }
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'nestor@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('CrossTenantTwoFreeBusyLevels', 'EffectiveLevel', 'FreeBusyVisibleAvailabilityOnly')
            $findings[0].Severity | Should -BeExactly 'Warning'
            $findings[0].Side | Should -BeExactly $P
            $findings[0].Message | Should -Match "allows both free/busy levels \(crossTenantCalendarAvailabilityBasic, crossTenantCalendarAvailabilityLimitedDetails\)"
            $findings[0].Recommendation | Should -Match '-FreeBusyAccessLevel <AvailabilityOnly\|LimitedDetails>'
        }
    }

    Context 'what cannot be checked' {
        It 'blocks with PartnerTenantNotResolved for a domain Entra does not know, and for a consumer domain' {
            if (Skip-Untrusted) { return }
            $unknown = Invoke-Test @{ DomainName = 'nobody-has-this.example' }
            Checks $unknown | Should -BeExactly @('LocalRelationshipMissing', 'PartnerTenantNotResolved', 'PartnerSideNotChecked')
            $notResolved = Find $unknown 'PartnerTenantNotResolved'
            $notResolved.Severity | Should -BeExactly 'Blocking'
            $notResolved.Message | Should -Match '^Microsoft Entra ID knows no tenant with the domain nobody-has-this\.example'

            $consumer = Find (Invoke-Test @{ DomainName = 'outlook.com' }) 'PartnerTenantNotResolved'
            $consumer.Severity | Should -BeExactly 'Blocking'
            $consumer.Message | Should -Match '^outlook\.com belongs to the Microsoft account \(consumer\) tenant'
        }

        It 'turns a policy Graph will not show into CrossTenantAccessNotChecked naming the missing permission, never a failed run' {
            if (Skip-Untrusted) { return }
            $app = @{ appId = 'c0a5e000-0000-4000-8000-0000000000a7'; displayName = 'Exchange only'; secret = 'exchange-only-secret'; roles = @('Exchange.ManageAsApp'); directoryRoles = @('Exchange Administrator') }
            try {
                Invoke-RestMethod -Method Post -Uri "$($sandbox.Url)/_sandbox/tenants/contoso/apps" -Body ($app | ConvertTo-Json) -ContentType 'application/json' | Out-Null
            }
            catch {
                if ("$_" -notmatch 'already') { throw }
            }
            $exchangeOnly = Connect-CalendarFederation -AppId $app.appId -Organization $L -ClientSecret (ConvertTo-SecureString $app.secret -AsPlainText -Force) `
                -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
            try {
                $findings = Invoke-Test @{ Connection = $exchangeOnly; DomainName = 'fabrikam.com' }
                Checks $findings | Should -BeExactly @('LocalRelationshipMissing', 'CrossTenantAccessNotChecked', 'PartnerSideNotChecked')
                $notChecked = Find $findings 'CrossTenantAccessNotChecked'
                $notChecked.Severity | Should -BeExactly 'Warning'
                $notChecked.Side | Should -BeExactly $L
                $notChecked.Message | Should -Match "^contoso\.onmicrosoft\.com's cross-tenant access policy for fabrikam\.com could not be checked: "
                $notChecked.Message | Should -Match 'Policy\.Read\.All'
                $notChecked.Recommendation | Should -Match '^Grant Policy\.Read\.All'
                @(Get-ServiceRequests graph | Where-Object { $_.status -eq 403 }).Count | Should -BeGreaterThan 0

                # Behind an enabled relationship the policy is not what answers: the same gap is only Info.
                Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName $environmentName |
                    New-OrganizationRelationship -Connection $contoso -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -WarningAction SilentlyContinue | Out-Null
                (Find (Invoke-Test @{ Connection = $exchangeOnly; DomainName = 'fabrikam.com' }) 'CrossTenantAccessNotChecked').Severity | Should -BeExactly 'Info'
            }
            finally {
                Disconnect-CalendarFederation -Connection $exchangeOnly -Confirm:$false
            }
        }
    }
}
