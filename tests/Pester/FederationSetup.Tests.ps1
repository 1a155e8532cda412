# New-CalendarFederation through the BUILT module against the sandbox's two tenants, contoso and fabrikam, connected
# app-only. Each test starts from the sandbox's reset state: no relationships, both tenants hydrated, no fault rules,
# an empty request log. Without trust in the sandbox's https root every test is skipped and says why.
# Windows PowerShell 5.1 compatible.

BeforeAll {
    # These tests cover the organization-relationship backend; -Method Auto would choose the cross-tenant access policy here.
    $PSDefaultParameterValues['New-CalendarFederation:Method'] = 'OrganizationRelationship'
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:environmentName = 'FederationSetupSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $environmentName
    $script:cmdletId = 'CalendarFederation.Commands.NewCalendarFederationCommand'
    # The accepted domains in sandbox.json, as the module normalizes them (fabrikam lists FABRIKAM.onmicrosoft.com).
    $script:contosoDomains = @('contoso.com', 'contoso.onmicrosoft.com', 'sales.contoso.com')
    $script:fabrikamDomains = @('fabrikam.com', 'fabrikam.onmicrosoft.com', 'fabrikam.co.uk')
    $script:contoso = $null
    $script:fabrikam = $null
    if ($trusted) {
        $script:contoso = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) `
            -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
        $script:fabrikam = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) `
            -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
    }

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }

    function script:Reset-Federation {
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/faults" | Out-Null
        Reset-CFSandbox -Sandbox $sandbox
        Clear-Requests
    }

    function script:Clear-Requests {
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/requests" | Out-Null
    }

    # The admin API requests since the last Clear-Requests.
    function script:Get-AdminRequests {
        # Entries of other services lack 'service', which matters under Set-StrictMode (Invoke-PesterSuite.ps1 sets it).
        @(Get-CFSandboxRequests -Sandbox $sandbox | Where-Object { $p = $_.PSObject.Properties['service']; $p -and $p.Value -eq 'adminapi' })
    }

    function script:Get-AdminWrites {
        @(Get-AdminRequests | Where-Object { $_.isWrite })
    }

    # The relationships a tenant stores, read from the sandbox itself rather than through the module.
    function script:Get-StoredRelationships([string] $Tenant) {
        @(Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/tenants/$Tenant/relationships" | ForEach-Object { $_ })
    }

    function script:Set-Sandbox([string] $Path) {
        Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/$Path" | Out-Null
    }

    # Both sides, the usual way, for the tests that start from a working federation.
    function script:New-BothSides {
        $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel AvailabilityOnly)
        $sides.Count | Should -Be 2
        $sides | ForEach-Object { $_.Action | Should -Be 'Created' }
    }

    function script:Sorted([object[]] $Items) {
        @($Items | Sort-Object)
    }
}

AfterAll {
    foreach ($connection in @($contoso, $fabrikam)) {
        if ($connection) { Disconnect-CalendarFederation -Connection $connection -Confirm:$false }
    }
    Stop-CFSandbox $sandbox
}

Describe 'New-CalendarFederation (built module)' -Tag 'Federation' {
    BeforeEach {
        if ($trusted) { Reset-Federation }
    }

    Context 'on two fresh tenants' {
        It 'creates both relationships with all the partner''s domains, the asked level each way, discovered targets, verified' {
            if (Skip-Untrusted) { return }
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam `
                    -FreeBusyAccessLevel LimitedDetails -PartnerFreeBusyAccessLevel AvailabilityOnly -ErrorVariable errors -WarningVariable warnings)
            $errors.Count | Should -Be 0
            $warnings.Count | Should -Be 0
            $sides.Count | Should -Be 2

            $local = $sides[0]
            $partner = $sides[1]
            $local.Organization | Should -BeExactly 'contoso.onmicrosoft.com'
            $local.Partner | Should -BeExactly 'fabrikam.onmicrosoft.com'
            $local.RelationshipName | Should -BeExactly 'Fabrikam'
            $local.Action | Should -BeExactly 'Created'
            $local.Verified | Should -BeTrue
            $local.Message | Should -BeNullOrEmpty
            "$($local.FreeBusyAccessLevel)" | Should -BeExactly 'LimitedDetails'
            Sorted $local.DomainNames | Should -Be (Sorted $fabrikamDomains)

            $partner.Organization | Should -BeExactly 'fabrikam.onmicrosoft.com'
            $partner.Partner | Should -BeExactly 'contoso.onmicrosoft.com'
            $partner.RelationshipName | Should -BeExactly 'Contoso'
            $partner.Action | Should -BeExactly 'Created'
            $partner.Verified | Should -BeTrue
            "$($partner.FreeBusyAccessLevel)" | Should -BeExactly 'AvailabilityOnly'
            Sorted $partner.DomainNames | Should -Be (Sorted $contosoDomains)

            # What each tenant really holds, read back through the module.
            $fabrikamInfo = Get-FederationInformation -DomainName fabrikam.onmicrosoft.com -ExchangeEnvironmentName $environmentName
            $contosoInfo = Get-FederationInformation -DomainName contoso.onmicrosoft.com -ExchangeEnvironmentName $environmentName
            $inContoso = @(Get-OrganizationRelationship -Connection $contoso)
            $inContoso.Count | Should -Be 1
            $inContoso[0].Name | Should -BeExactly 'Fabrikam'
            Sorted $inContoso[0].DomainNames | Should -BeExactly (Sorted $fabrikamDomains)
            $inContoso[0].Enabled | Should -BeTrue
            $inContoso[0].FreeBusyAccessEnabled | Should -BeTrue
            "$($inContoso[0].FreeBusyAccessLevel)" | Should -BeExactly 'LimitedDetails'
            "$($inContoso[0].TargetApplicationUri)" | Should -BeExactly "$($fabrikamInfo.TargetApplicationUri)"
            "$($inContoso[0].TargetAutodiscoverEpr)" | Should -BeExactly "$($fabrikamInfo.TargetAutodiscoverEpr)"

            $inFabrikam = @(Get-OrganizationRelationship -Connection $fabrikam)
            $inFabrikam.Count | Should -Be 1
            $inFabrikam[0].Name | Should -BeExactly 'Contoso'
            Sorted $inFabrikam[0].DomainNames | Should -BeExactly (Sorted $contosoDomains)
            $inFabrikam[0].Enabled | Should -BeTrue
            $inFabrikam[0].FreeBusyAccessEnabled | Should -BeTrue
            "$($inFabrikam[0].FreeBusyAccessLevel)" | Should -BeExactly 'AvailabilityOnly'
            "$($inFabrikam[0].TargetApplicationUri)" | Should -BeExactly "$($contosoInfo.TargetApplicationUri)"
            "$($inFabrikam[0].TargetAutodiscoverEpr)" | Should -BeExactly "$($contosoInfo.TargetAutodiscoverEpr)"

            # The result objects carry the relationships as read back.
            $local.Relationship.Name | Should -BeExactly 'Fabrikam'
            $partner.Relationship.Name | Should -BeExactly 'Contoso'

            # One create per tenant, nothing else written, no hydration on hydrated tenants.
            $writes = @(Get-AdminWrites)
            @($writes | ForEach-Object { "$($_.tenant):$($_.cmdletName)" } | Sort-Object) |
                Should -Be @('contoso:New-OrganizationRelationship', 'fabrikam:New-OrganizationRelationship')
            # Microsoft's docs show no TargetSharingEpr for a Microsoft 365 partner (docs/protocol-evidence.md §4).
            foreach ($write in $writes) { $write.parameterNames | Should -Not -Contain 'TargetSharingEpr' }
        }

        It 'uses -FreeBusyAccessLevel for both sides when -PartnerFreeBusyAccessLevel is not given, and -Name/-PartnerName for the names' {
            if (Skip-Untrusted) { return }
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails -Name 'Fabrikam partners' -PartnerName 'Contoso partners')
            $sides | ForEach-Object { "$($_.FreeBusyAccessLevel)" | Should -BeExactly 'LimitedDetails' }
            (Get-StoredRelationships contoso).name | Should -BeExactly 'Fabrikam partners'
            (Get-StoredRelationships fabrikam).name | Should -BeExactly 'Contoso partners'
        }
    }

    Context 'dehydrated tenants' {
        It 'hydrates a dehydrated side first, then creates its relationship' {
            if (Skip-Untrusted) { return }
            Set-Sandbox 'tenants/fabrikam/dehydrated?value=true'
            Clear-Requests
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorVariable errors)
            $errors.Count | Should -Be 0
            $sides[0].Action | Should -BeExactly 'Created'
            $sides[1].Action | Should -BeExactly 'Created'
            $sides[1].Verified | Should -BeTrue
            $sides[1].Changes[0] | Should -BeExactly 'Enable-OrganizationCustomization'
            $sides[0].Changes | Should -Not -Contain 'Enable-OrganizationCustomization'
            (Get-OrganizationConfig -Connection $fabrikam).IsDehydrated | Should -BeFalse
            $hydrations = @(Get-AdminWrites | Where-Object { $_.cmdletName -eq 'Enable-OrganizationCustomization' })
            $hydrations.Count | Should -Be 1
            $hydrations[0].tenant | Should -Be 'fabrikam'
            @(Get-StoredRelationships fabrikam).Count | Should -Be 1
        }

        It 'reports a side that is still hydrating as Failed with the hydration message, and says what exists on the other side' {
            if (Skip-Untrusted) { return }
            Set-Sandbox 'tenants/fabrikam/hydration?seconds=30'
            Set-Sandbox 'tenants/fabrikam/dehydrated?value=true'
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            $sides.Count | Should -Be 2
            $sides[0].Organization | Should -BeExactly 'contoso.onmicrosoft.com'
            $sides[0].Action | Should -BeExactly 'Created'
            $sides[0].Verified | Should -BeTrue
            $sides[1].Organization | Should -BeExactly 'fabrikam.onmicrosoft.com'
            $sides[1].Action | Should -BeExactly 'Failed'
            $sides[1].Verified | Should -BeFalse
            $sides[1].Message | Should -Match 'fabrikam\.onmicrosoft\.com is being enabled for customization'
            $sides[1].Message | Should -Match 'can take up to an hour'
            $sides[1].Message | Should -Match 'Run New-CalendarFederation again once Get-OrganizationConfig shows IsDehydrated False'

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "OrganizationNotCustomized,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].Exception.Message | Should -Match 'fabrikam\.onmicrosoft\.com could not be set up'
            $errors[0].Exception.Message | Should -Match ([regex]::Escape("The other side, contoso.onmicrosoft.com, is created (relationship 'Fabrikam')."))

            @(Get-StoredRelationships contoso).Count | Should -Be 1
            @(Get-StoredRelationships fabrikam).Count | Should -Be 0

            # Once hydration is over, running it again completes the missing side only.
            Set-Sandbox 'tenants/fabrikam/dehydrated?value=false'
            Clear-Requests
            $again = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam)
            $again[0].Action | Should -BeExactly 'Unchanged'
            $again[1].Action | Should -BeExactly 'Created'
            $again[1].Verified | Should -BeTrue
            @(Get-AdminWrites | ForEach-Object { "$($_.tenant):$($_.cmdletName)" }) | Should -Be @('fabrikam:New-OrganizationRelationship')
        }

        It 'warns, naming what exists, when the local side is the one still hydrating' {
            if (Skip-Untrusted) { return }
            Set-Sandbox 'tenants/contoso/hydration?seconds=30'
            Set-Sandbox 'tenants/contoso/dehydrated?value=true'
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)
            $sides[0].Action | Should -BeExactly 'Failed'
            $sides[0].Message | Should -Match 'contoso\.onmicrosoft\.com is being enabled for customization'
            $sides[1].Action | Should -BeExactly 'Created'
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "OrganizationNotCustomized,$cmdletId"
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'contoso\.onmicrosoft\.com was not set up'
            "$($warnings[0])" | Should -Match 'fabrikam\.onmicrosoft\.com is created'
            "$($warnings[0])" | Should -Match 'run New-CalendarFederation again'
        }

        It 'reports a retry during hydration as still hydrating, not as an invalid argument' {
            if (Skip-Untrusted) { return }
            Set-Sandbox 'tenants/fabrikam/hydration?seconds=30'
            Set-Sandbox 'tenants/fabrikam/dehydrated?value=true'
            New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            $sides[1].Action | Should -BeExactly 'Failed'
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "OrganizationNotCustomized,$cmdletId"
            $sides[1].Message | Should -Match 'being enabled for customization'
        }
    }

    Context 'running it again' {
        It 'is idempotent: both sides Unchanged, "Nothing to change", and no write at all' {
            if (Skip-Untrusted) { return }
            New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails -PartnerFreeBusyAccessLevel AvailabilityOnly | Out-Null
            $before = @(Get-StoredRelationships contoso) + @(Get-StoredRelationships fabrikam)
            Clear-Requests

            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails -PartnerFreeBusyAccessLevel AvailabilityOnly `
                    -InformationVariable information -WarningVariable warnings -ErrorVariable errors)
            $sides.Count | Should -Be 2
            foreach ($side in $sides) {
                $side.Action | Should -BeExactly 'Unchanged'
                $side.Verified | Should -BeTrue
                @($side.Changes).Count | Should -Be 0
                $side.Relationship | Should -Not -BeNullOrEmpty
            }
            "$($sides[0].FreeBusyAccessLevel)" | Should -BeExactly 'LimitedDetails'
            "$($sides[1].FreeBusyAccessLevel)" | Should -BeExactly 'AvailabilityOnly'
            $errors.Count | Should -Be 0
            $warnings.Count | Should -Be 0
            $messages = @($information | ForEach-Object { "$($_.MessageData)" })
            $messages.Count | Should -Be 1
            $messages[0] | Should -Match '^Nothing to change: contoso\.onmicrosoft\.com and fabrikam\.onmicrosoft\.com already share free/busy as asked\.'

            @(Get-AdminRequests).Count | Should -BeGreaterThan 0   # it did read both tenants
            @(Get-AdminWrites).Count | Should -Be 0
            $after = @(Get-StoredRelationships contoso) + @(Get-StoredRelationships fabrikam)
            @($after | ForEach-Object { "$($_.guid) $($_.whenChanged)" }) | Should -Be @($before | ForEach-Object { "$($_.guid) $($_.whenChanged)" })
        }

        It 'changes only the level when only the level differs' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Clear-Requests
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel AvailabilityOnly -PartnerFreeBusyAccessLevel LimitedDetails)
            $sides[0].Action | Should -BeExactly 'Unchanged'
            $sides[1].Action | Should -BeExactly 'Updated'
            $sides[1].Verified | Should -BeTrue
            @($sides[1].Changes) | Should -BeExactly @('FreeBusyAccessLevel: AvailabilityOnly -> LimitedDetails')
            $writes = @(Get-AdminWrites)
            $writes.Count | Should -Be 1
            $writes[0].tenant | Should -Be 'fabrikam'
            $writes[0].cmdletName | Should -BeExactly 'Set-OrganizationRelationship'
            Sorted $writes[0].parameterNames | Should -Be (Sorted @('Identity', 'FreeBusyAccessLevel', 'Confirm'))
        }
    }

    Context '-WhatIf' {
        It 'prints the plan for both sides and sends no write' {
            if (Skip-Untrusted) { return }
            Set-Sandbox 'tenants/fabrikam/dehydrated?value=true'
            Clear-Requests
            $transcript = Join-Path ([System.IO.Path]::GetTempPath()) ('cf-whatif-' + [guid]::NewGuid() + '.txt')
            Start-Transcript -Path $transcript | Out-Null
            try {
                $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails -WhatIf)
            }
            finally {
                Stop-Transcript | Out-Null
            }
            $text = Get-Content -LiteralPath $transcript -Raw
            Remove-Item -LiteralPath $transcript -ErrorAction SilentlyContinue

            $sides.Count | Should -Be 2
            $sides | ForEach-Object { $_.Action | Should -BeExactly 'Planned' }
            $sides[0].Changes | Should -Contain "Create 'Fabrikam' for fabrikam.com, fabrikam.onmicrosoft.com, fabrikam.co.uk"
            $sides[0].Changes | Should -Contain 'FreeBusyAccessLevel: LimitedDetails'
            $sides[1].Changes[0] | Should -BeExactly 'Enable-OrganizationCustomization'
            $sides[1].Changes | Should -Contain "Create 'Contoso' for contoso.com, contoso.onmicrosoft.com, sales.contoso.com"

            $text | Should -Match ([regex]::Escape("What if: contoso.onmicrosoft.com: Create 'Fabrikam' for fabrikam.com, fabrikam.onmicrosoft.com, fabrikam.co.uk; FreeBusyAccessLevel: LimitedDetails; Target: "))
            $text | Should -Match ([regex]::Escape("What if: fabrikam.onmicrosoft.com: Enable-OrganizationCustomization; Create 'Contoso' for contoso.com, contoso.onmicrosoft.com, sales.contoso.com; FreeBusyAccessLevel: LimitedDetails; Target: "))

            @(Get-AdminRequests).Count | Should -BeGreaterThan 0
            @(Get-AdminWrites).Count | Should -Be 0
            @(Get-StoredRelationships contoso).Count | Should -Be 0
            @(Get-StoredRelationships fabrikam).Count | Should -Be 0
            (Get-OrganizationConfig -Connection $fabrikam).IsDehydrated | Should -BeTrue
        }
    }

    Context 'an existing one-sided relationship' {
        It 'is updated in place: only the missing domains are added and the level changed, other settings kept' {
            if (Skip-Untrusted) { return }
            # The classic flow since 2025: discovery returns only the domain asked for.
            Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName $environmentName |
                New-OrganizationRelationship -Connection $contoso -Name 'Fabrikam (classic)' -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
                    -MailTipsAccessEnabled $true -WarningAction SilentlyContinue | Out-Null
            $before = Get-StoredRelationships contoso
            Clear-Requests

            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails)
            $sides[0].Action | Should -BeExactly 'Updated'
            $sides[0].RelationshipName | Should -BeExactly 'Fabrikam (classic)'
            $sides[0].Verified | Should -BeTrue
            @($sides[0].Changes) | Should -BeExactly @('DomainNames: add fabrikam.onmicrosoft.com, fabrikam.co.uk', 'FreeBusyAccessLevel: AvailabilityOnly -> LimitedDetails')
            $sides[1].Action | Should -BeExactly 'Created'

            $contosoWrites = @(Get-AdminWrites | Where-Object { $_.tenant -eq 'contoso' })
            $contosoWrites.Count | Should -Be 1
            $contosoWrites[0].cmdletName | Should -BeExactly 'Set-OrganizationRelationship'
            Sorted $contosoWrites[0].parameterNames | Should -Be (Sorted @('Identity', 'DomainNames', 'FreeBusyAccessLevel', 'Confirm'))

            $after = @(Get-StoredRelationships contoso)
            $after.Count | Should -Be 1
            $after[0].guid | Should -Be $before.guid
            $after[0].name | Should -BeExactly 'Fabrikam (classic)'
            @($after[0].domainNames) | Should -BeExactly @('fabrikam.com', 'fabrikam.onmicrosoft.com', 'fabrikam.co.uk')
            $after[0].freeBusyAccessLevel | Should -BeExactly 'LimitedDetails'
            $after[0].mailTipsAccessEnabled | Should -BeTrue
            $after[0].targetApplicationUri | Should -BeExactly $before.targetApplicationUri
            $after[0].targetAutodiscoverEpr | Should -BeExactly $before.targetAutodiscoverEpr
        }

        It 're-enables a disabled relationship and turns free/busy on, saying so' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -Enabled $false -FreeBusyAccessEnabled $false -Force | Out-Null
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam)
            $sides[0].Action | Should -BeExactly 'Unchanged'
            $sides[1].Action | Should -BeExactly 'Updated'
            @($sides[1].Changes) | Should -BeExactly @('Enabled: False -> True', 'FreeBusyAccessEnabled: False -> True')
            $stored = Get-StoredRelationships fabrikam
            $stored.enabled | Should -BeTrue
            $stored.freeBusyAccessEnabled | Should -BeTrue
        }
    }

    Context 'a failure on one side' {
        It 'reports the partner side Failed, the local side Created, and writes a non-terminating error naming what exists' {
            if (Skip-Untrusted) { return }
            Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'fabrikam'; cmdlet = 'New-OrganizationRelationship'; status = 500 } | Out-Null
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            $sides.Count | Should -Be 2
            $sides[0].Organization | Should -BeExactly 'contoso.onmicrosoft.com'
            $sides[0].Action | Should -BeExactly 'Created'
            $sides[0].Verified | Should -BeTrue
            $sides[1].Organization | Should -BeExactly 'fabrikam.onmicrosoft.com'
            $sides[1].Action | Should -BeExactly 'Failed'
            $sides[1].Verified | Should -BeFalse
            $sides[1].Message | Should -Not -BeNullOrEmpty

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "AdminApiError,$cmdletId"
            $errors[0].TargetObject | Should -BeExactly 'fabrikam.onmicrosoft.com'
            $errors[0].Exception.Message | Should -Match ('^' + [regex]::Escape('fabrikam.onmicrosoft.com could not be set up: ' + $sides[1].Message))
            $errors[0].Exception.Message | Should -Match ([regex]::Escape("The other side, contoso.onmicrosoft.com, is created (relationship 'Fabrikam')."))

            @(Get-StoredRelationships contoso).Count | Should -Be 1
            @(Get-StoredRelationships fabrikam).Count | Should -Be 0

            # Fixed, the next run completes only what is missing.
            Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/faults" | Out-Null
            $again = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam)
            $again[0].Action | Should -BeExactly 'Unchanged'
            $again[1].Action | Should -BeExactly 'Created'
        }

        It 'also warns, naming what exists, when the partner side fails' {
            if (Skip-Untrusted) { return }
            Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'fabrikam'; cmdlet = 'New-OrganizationRelationship'; status = 500 } | Out-Null
            $null = New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'fabrikam\.onmicrosoft\.com was not set up'
            "$($warnings[0])" | Should -Match 'contoso\.onmicrosoft\.com is created'
        }

        It 'reports the local side Failed, the partner side Created, and warns naming what exists' {
            if (Skip-Untrusted) { return }
            Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'New-OrganizationRelationship'; status = 500 } | Out-Null
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)
            $sides[0].Action | Should -BeExactly 'Failed'
            $sides[0].Message | Should -Not -BeNullOrEmpty
            $sides[1].Action | Should -BeExactly 'Created'
            $sides[1].Verified | Should -BeTrue
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "AdminApiError,$cmdletId"
            $errors[0].Exception.Message | Should -Match '^contoso\.onmicrosoft\.com could not be set up: '
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -BeExactly ("contoso.onmicrosoft.com was not set up ($($sides[0].Message)); fabrikam.onmicrosoft.com is created (relationship '$($sides[1].RelationshipName)'). " +
                'Free/busy works only when both sides are set up: fix the cause and run New-CalendarFederation again; it changes only what is missing.')
            @(Get-StoredRelationships contoso).Count | Should -Be 0
            @(Get-StoredRelationships fabrikam).Count | Should -Be 1
        }
    }

    Context 'sides that cannot be set up automatically' {
        It 'blocks a side whose partner domains are split across two relationships, and still sets up the other side' {
            if (Skip-Untrusted) { return }
            New-OrganizationRelationship -Connection $contoso -Name FabA -DomainNames fabrikam.com -WarningAction SilentlyContinue | Out-Null
            New-OrganizationRelationship -Connection $contoso -Name FabB -DomainNames fabrikam.co.uk -WarningAction SilentlyContinue | Out-Null
            Clear-Requests
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)
            $sides[0].Action | Should -BeExactly 'Failed'
            $sides[0].Message | Should -BeExactly "fabrikam.onmicrosoft.com's domains are split across the relationships 'FabA', 'FabB' in contoso.onmicrosoft.com; merge them into one first."
            $sides[1].Action | Should -BeExactly 'Created'
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "CalendarFederationBlocked,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'fabrikam\.onmicrosoft\.com is created'
            # Nothing was written in contoso: both relationships are as they were.
            @(Get-AdminWrites | Where-Object { $_.tenant -eq 'contoso' }).Count | Should -Be 0
            @(Get-StoredRelationships contoso | ForEach-Object { "$($_.name)=$(@($_.domainNames) -join ',')" }) | Should -Be @('FabA=fabrikam.com', 'FabB=fabrikam.co.uk')

            { New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "CalendarFederationBlocked,$cmdletId"
        }

        It 'blocks a side that already has a relationship of that name for other domains, and -Name gets past it' {
            if (Skip-Untrusted) { return }
            New-OrganizationRelationship -Connection $contoso -Name Fabrikam -DomainNames tailspintoys.com -WarningAction SilentlyContinue | Out-Null
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            $sides[0].Action | Should -BeExactly 'Failed'
            $sides[0].Message | Should -Match "already has a relationship named 'Fabrikam' for other domains; choose another name"
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "CalendarFederationBlocked,$cmdletId"

            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -Name 'Fabrikam free/busy')
            $sides[0].Action | Should -BeExactly 'Created'
            $sides[0].RelationshipName | Should -BeExactly 'Fabrikam free/busy'
            $sides[1].Action | Should -BeExactly 'Unchanged'
        }

        It 'refuses the same tenant on both sides (SameTenant) before touching either' {
            if (Skip-Untrusted) { return }
            { New-CalendarFederation -Connection $contoso -PartnerConnection $contoso -ErrorAction Stop } | Should -Throw -ErrorId "SameTenant,$cmdletId"
            $second = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
                -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) `
                -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
            try {
                Clear-Requests
                { New-CalendarFederation -Connection $contoso -PartnerConnection $second -ErrorAction Stop } | Should -Throw -ErrorId "SameTenant,$cmdletId"
                @(Get-AdminRequests).Count | Should -Be 0
            }
            finally {
                Disconnect-CalendarFederation -Connection $second -Confirm:$false
            }
            try { New-CalendarFederation -Connection $contoso -PartnerConnection $contoso -ErrorAction Stop } catch { $record = $_ }
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -Match 'same tenant'
        }
    }

    Context 'scope groups' {
        It 'sets -FreeBusyAccessScope / -PartnerFreeBusyAccessScope by group name and stays idempotent' {
            if (Skip-Untrusted) { return }
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessScope CalendarSharing -PartnerFreeBusyAccessScope FreeBusyShared)
            $sides | ForEach-Object { $_.Verified | Should -BeTrue }
            (Get-StoredRelationships contoso).freeBusyAccessScope | Should -BeExactly 'CalendarSharing'
            (Get-StoredRelationships fabrikam).freeBusyAccessScope | Should -BeExactly 'FreeBusyShared'
            Clear-Requests
            $again = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessScope CalendarSharing -PartnerFreeBusyAccessScope FreeBusyShared)
            $again | ForEach-Object { $_.Action | Should -BeExactly 'Unchanged' }
            @(Get-AdminWrites).Count | Should -Be 0
        }

        It 'accepts a scope group by address: verified, and idempotent on the next run' {
            if (Skip-Untrusted) { return }
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -PartnerFreeBusyAccessScope freebusyshared@fabrikam.com -WarningVariable warnings -WarningAction SilentlyContinue)
            $sides[1].Verified | Should -BeTrue
            $warnings.Count | Should -Be 0
            Clear-Requests
            $again = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -PartnerFreeBusyAccessScope freebusyshared@fabrikam.com -WarningAction SilentlyContinue)
            $again[1].Action | Should -BeExactly 'Unchanged'
            @(Get-AdminWrites).Count | Should -Be 0
        }
    }
}
