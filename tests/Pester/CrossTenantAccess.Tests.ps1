# Get-, Grant- and Revoke-CrossTenantCalendarAccess through the BUILT module against the sandbox's Graph (the Microsoft 365
# cross-tenant access policy), with app-only connections. Each test starts from POST /_sandbox/reset: contoso's policy has
# the default (trust blocked) and no partner. Wire forms, the replication window and the planner's rules are the engine's
# tests (tests/CalendarFederation.Engine.Tests/CrossTenantAccess); here: the cmdlets, their pipelines, errors and writes.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:envName = 'CrossTenantSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $envName
    . (Join-Path $PSScriptRoot 'RelationshipTestHelpers.ps1')
    $script:fabrikamId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22'
    $script:contosoId = '6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11'
    $script:grantId = 'CalendarFederation.Commands.GrantCrossTenantCalendarAccessCommand'
    $script:getId = 'CalendarFederation.Commands.GetCrossTenantCalendarAccessCommand'

    function script:Get-GraphWrites { @(Get-CFSandboxRequests -Sandbox $script:sandbox | Where-Object { $_.service -eq 'graph' -and $_.method -ne 'GET' }) }
    function script:Get-Policy([string] $Tenant = 'contoso') { Invoke-RestMethod -Uri "$($script:sandbox.Url)/_sandbox/tenants/$Tenant/cross-tenant-access" }
    function script:Set-Policy([string] $Tenant, $State) {
        Invoke-RestMethod -Method Put -Uri "$($script:sandbox.Url)/_sandbox/tenants/$Tenant/cross-tenant-access" -ContentType 'application/json' -Body ($State | ConvertTo-Json -Depth 10) | Out-Null
    }

    if ($script:trusted) {
        $script:contoso = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName $envName -PassThru -WarningAction SilentlyContinue
    }
}

AfterAll {
    if ($script:trusted) { Reset-Sandbox }
    Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    Stop-CFSandbox $sandbox
}

Describe 'Grant-CrossTenantCalendarAccess (built module)' -Tag 'CrossTenantAccess' {
    BeforeEach { if ($script:trusted) { Reset-Sandbox; Clear-SandboxRequests } }

    It 'takes Get-FederationInformation''s output and grants free/busy: partner, trust, then one capability; a re-run writes nothing' {
        if (Skip-Untrusted) { return }
        $info = Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName $envName -ErrorAction Stop
        $info.PartnerTenantId | Should -Be ([guid]$fabrikamId)
        Clear-SandboxRequests
        $access = $info | Grant-CrossTenantCalendarAccess -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -ErrorAction Stop
        $access.PartnerTenantId | Should -Be $fabrikamId
        $access.Trust | Should -Be 'Allowed'
        $access.FreeBusyAccessLevel | Should -Be 'AvailabilityOnly'
        @($access.FreeBusyAccessScope) | Should -Be @('All')
        @($access.PartnerDomains) | Should -Be @('fabrikam.com')
        $writes = Get-GraphWrites
        ($writes | ForEach-Object { "$($_.method) $($_.path -replace '^/v1\.0/policies/crossTenantAccessPolicy', '~')" }) | Should -Be @(
            'POST ~/partners', "PATCH ~/partners/$fabrikamId", "POST ~/partners/$fabrikamId/m365Capabilities")
        $stored = (Get-Policy).partners | Where-Object { $_.tenantId -eq $fabrikamId }
        $stored.m365CollaborationInbound.users.accessType | Should -Be 'allowed'
        @($stored.m365Capabilities.name) | Should -Be @('crossTenantCalendarAvailabilityBasic')

        Clear-SandboxRequests
        $again = $info | Grant-CrossTenantCalendarAccess -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -ErrorAction Stop
        $again.FreeBusyAccessLevel | Should -Be 'AvailabilityOnly'
        Get-GraphWrites | Should -HaveCount 0
    }

    It 'leaves exactly one free/busy level, scopes it to a group by name, and adds MailTips' {
        if (Skip-Untrusted) { return }
        Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -ErrorAction Stop | Out-Null
        $access = Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel LimitedDetails -FreeBusyAccessScope CalendarSharing `
            -MailTipsAccessLevel Limited -Confirm:$false -ErrorAction Stop
        $access.FreeBusyAccessLevel | Should -Be 'LimitedDetails'
        $access.MailTipsAccessLevel | Should -Be 'Limited'
        "$($access.FreeBusyAccessScope)" | Should -Match '\([0-9a-f-]{36}\)$'
        $names = @(((Get-Policy).partners | Where-Object { $_.tenantId -eq $fabrikamId }).m365Capabilities | Where-Object { $_.inboundAccess.isAllowed } | ForEach-Object name)
        $names | Should -Contain 'crossTenantCalendarAvailabilityLimitedDetails'
        $names | Should -Not -Contain 'crossTenantCalendarAvailabilityBasic'
        $names | Should -Contain 'crossTenantMailTipsLimited'
    }

    It 'refuses a tenant id that is not the domain''s (PartnerTenantMismatch), writing nothing' {
        if (Skip-Untrusted) { return }
        { Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -PartnerTenantId '2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId "PartnerTenantMismatch,$grantId"
        Get-GraphWrites | Should -HaveCount 0
    }

    It 'refuses an unknown domain (PartnerTenantNotFound) and a consumer one (PartnerTenantIsConsumer)' {
        if (Skip-Untrusted) { return }
        { Grant-CrossTenantCalendarAccess -DomainName nobody-has-this.example -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "PartnerTenantNotFound,$grantId"
        { Grant-CrossTenantCalendarAccess -DomainName outlook.com -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "PartnerTenantIsConsumer,$grantId"
        Get-GraphWrites | Should -HaveCount 0
    }

    It 'refuses a scope group that does not resolve (ScopeGroupNotFound) before any write' {
        if (Skip-Untrusted) { return }
        { Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessScope NoSuchGroup -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId "ScopeGroupNotFound,$grantId"
        Get-GraphWrites | Should -HaveCount 0
    }

    It 'never widens a scoped trust without -Force (CrossTenantTrustRestricted), and replaces it with -Force' {
        if (Skip-Untrusted) { return }
        Set-Policy contoso @{ partners = @(@{ tenantId = $fabrikamId; m365CollaborationInbound = @{ users = @{ accessType = 'allowed'; targets = @(@{ target = 'c0ffee00-0000-4000-8000-000000000001'; targetType = 'group' }) } } }) }
        Clear-SandboxRequests
        try { Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -Confirm:$false -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -Be "CrossTenantTrustRestricted,$grantId"
        $record.ErrorDetails.RecommendedAction | Should -Match '-Force'
        Get-GraphWrites | Should -HaveCount 0
        (Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -Force -Confirm:$false -ErrorAction Stop).Trust | Should -Be 'Allowed'
    }

    It '-WhatIf names the steps and writes nothing' {
        if (Skip-Untrusted) { return }
        # What if: lines go to the host, which a transcript records.
        $log = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -LiteralPath $log -UseMinimalHeader | Out-Null
        try { Grant-CrossTenantCalendarAccess -PartnerTenantId $fabrikamId -FreeBusyAccessLevel LimitedDetails -WhatIf }
        finally { Stop-Transcript | Out-Null }
        $whatIf = @(Get-Content -LiteralPath $log | Where-Object { $_ -like 'What if:*' })
        $whatIf | Should -HaveCount 1
        $whatIf[0] | Should -BeLike "What if: *contoso.onmicrosoft.com: Create partner configuration for $fabrikamId; Set the Microsoft 365 collaboration trust to all users; Add crossTenantCalendarAvailabilityLimitedDetails*"
        Get-GraphWrites | Should -HaveCount 0
        @(Get-CrossTenantCalendarAccess -PartnerTenantId $fabrikamId -ErrorAction SilentlyContinue -ErrorVariable missing) | Should -HaveCount 0
        $missing[0].FullyQualifiedErrorId | Should -Be "CrossTenantAccessNotFound,$getId"
    }

    It 'names the missing Graph permission for an app without it (GraphPermissionMissing)' {
        if (Skip-Untrusted) { return }
        $noPermission = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000003' -Organization contoso.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'contoso-noperm-secret' -AsPlainText -Force) -ExchangeEnvironmentName $envName -SkipConnectionCheck -PassThru -NotDefault -WarningAction SilentlyContinue
        try {
            try { Grant-CrossTenantCalendarAccess -Connection $noPermission -DomainName fabrikam.com -Confirm:$false -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be "GraphPermissionMissing,$grantId"
            $record.Exception.Message | Should -Match 'Policy\.(Read\.All|ReadWrite\.CrossTenant)'
            $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        }
        finally { $noPermission | Disconnect-CalendarFederation -Confirm:$false }
    }

    It 'works with an -AccessToken connection given -GraphAccessToken, and says GraphTokenRequired without it' {
        if (Skip-Untrusted) { return }
        $token = { param($scope) (Invoke-RestMethod -Method Post -Uri "$($sandbox.HttpsUrls['good'])/contoso.onmicrosoft.com/oauth2/v2.0/token" -Body @{
                    grant_type = 'client_credentials'; client_id = 'c0a5e000-0000-4000-8000-000000000001'; client_secret = 'contoso-sandbox-secret'; scope = $scope }).access_token }
        $base = $sandbox.HttpsUrls['good'].TrimEnd('/')
        # The sandbox environment's Graph is the sandbox itself, so both tokens have its audience.
        $withGraph = Connect-CalendarFederation -AccessToken (& $token "$base/.default") -GraphAccessToken (& $token "$base/.default") `
            -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName $envName -SkipConnectionCheck -PassThru -NotDefault -WarningAction SilentlyContinue
        $without = Connect-CalendarFederation -AccessToken (& $token "$base/.default") -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName $envName `
            -SkipConnectionCheck -PassThru -NotDefault -WarningAction SilentlyContinue
        try {
            @(Get-CrossTenantCalendarAccess -Connection $withGraph -ErrorAction Stop)[0].PartnerTenantId | Should -Be 'default'
            try { Get-CrossTenantCalendarAccess -Connection $without -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be "GraphTokenRequired,$getId"
            $record.ErrorDetails.RecommendedAction | Should -Match '-GraphAccessToken'
        }
        finally { $withGraph, $without | Disconnect-CalendarFederation -Confirm:$false }
    }
}

Describe 'Get- and Revoke-CrossTenantCalendarAccess (built module)' -Tag 'CrossTenantAccess' {
    BeforeEach { if ($script:trusted) { Reset-Sandbox; Clear-SandboxRequests } }

    It 'lists the default policy as its own row and each partner, and Get | Revoke takes everything away after asking' {
        if (Skip-Untrusted) { return }
        Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel LimitedDetails -MailTipsAccessLevel All -RoomBooking -Confirm:$false -ErrorAction Stop | Out-Null
        $rows = @(Get-CrossTenantCalendarAccess -ErrorAction Stop)
        $rows | Should -HaveCount 2
        $rows[0].PartnerTenantId | Should -Be 'default'
        $rows[0].Trust | Should -Be 'Blocked'
        $rows[1].PartnerTenantId | Should -Be $fabrikamId
        $rows[1].FreeBusyAccessLevel | Should -Be 'LimitedDetails'
        $rows[1].MailTipsAccessLevel | Should -Be 'All'
        $rows[1].RoomBookingEnabled | Should -BeTrue
        $rows[1].LastModified | Should -Not -BeNullOrEmpty

        $rows[1] | Revoke-CrossTenantCalendarAccess -FreeBusy -Confirm:$false -ErrorAction Stop
        $after = Get-CrossTenantCalendarAccess -PartnerTenantId $fabrikamId -ErrorAction Stop
        $after.FreeBusyAccessLevel | Should -Be 'None'
        $after.MailTipsAccessLevel | Should -Be 'All'
        $after | Revoke-CrossTenantCalendarAccess -Confirm:$false -ErrorAction Stop
        $gone = Get-CrossTenantCalendarAccess -PartnerTenantId $fabrikamId -ErrorAction Stop
        $gone.MailTipsAccessLevel | Should -Be 'None'
        $gone.RoomBookingEnabled | Should -BeFalse
        $gone.Trust | Should -Be 'Allowed'   # the trust stays; only capabilities go
    }

    It 'revokes by -DomainName, resolving the domain to its tenant' {
        if (Skip-Untrusted) { return }
        Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -ErrorAction Stop | Out-Null
        Revoke-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusy -Confirm:$false -ErrorAction Stop
        (Get-CrossTenantCalendarAccess -PartnerTenantId $fabrikamId -ErrorAction Stop).FreeBusyAccessLevel | Should -Be 'None'
        { Revoke-CrossTenantCalendarAccess -DomainName nobody-has-this.example -FreeBusy -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'PartnerTenantNotFound,CalendarFederation.Commands.RevokeCrossTenantCalendarAccessCommand'
    }

    It 'asks before revoking (ConfirmImpact High)' {
        if (Skip-Untrusted) { return }
        (New-Object System.Management.Automation.CommandMetadata((Get-Command Revoke-CrossTenantCalendarAccess))).ConfirmImpact | Should -Be 'High'
    }

    It 'refuses the default policy as a partner to revoke from' {
        if (Skip-Untrusted) { return }
        { Revoke-CrossTenantCalendarAccess -PartnerTenantId default -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidArgument,CalendarFederation.Commands.RevokeCrossTenantCalendarAccessCommand'
    }
}

Describe 'New-CalendarFederation -Method (built module)' -Tag 'CrossTenantAccess' {
    BeforeAll {
        if ($script:trusted) {
            $script:fabrikam = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com `
                -ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName $envName -PassThru -NotDefault -WarningAction SilentlyContinue
        }
    }
    BeforeEach { if ($script:trusted) { Reset-Sandbox; Clear-SandboxRequests } }

    It 'Auto chooses the cross-tenant access policy when both tenants can use it, grants both ways, says why, and a re-run writes nothing' {
        if (Skip-Untrusted) { return }
        $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false `
                -InformationVariable said -WarningAction SilentlyContinue -ErrorAction Stop)
        ($said | Out-String) | Should -Match 'Method: the cross-tenant access policy: both tenants are in Exchange Online'
        $sides | Should -HaveCount 2
        $sides | ForEach-Object { $_.Method | Should -Be 'CrossTenantAccess'; $_.Action | Should -Be 'Created'; $_.Verified | Should -BeTrue }
        $sides[0].PartnerTenantId | Should -Be $fabrikamId
        $sides[1].PartnerTenantId | Should -Be $contosoId
        $sides[0].CrossTenantAccess.FreeBusyAccessLevel | Should -Be 'AvailabilityOnly'
        @((Get-Policy contoso).partners.tenantId) | Should -Be @($fabrikamId)
        @((Get-Policy fabrikam).partners.tenantId) | Should -Be @($contosoId)
        Get-AdminWrites | Should -HaveCount 0   # no organization relationship was written

        Clear-SandboxRequests
        $again = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -Confirm:$false -InformationVariable quiet -ErrorAction Stop)
        $again | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
        ($quiet | Out-String) | Should -Match 'Nothing to change'
        Get-GraphWrites | Should -HaveCount 0
    }

    It 'Auto falls back to organization relationships when a side cannot use the policy, and names the reason' {
        if (Skip-Untrusted) { return }
        $token = (Invoke-RestMethod -Method Post -Uri "$($sandbox.HttpsUrls['good'])/contoso.onmicrosoft.com/oauth2/v2.0/token" -Body @{
                grant_type = 'client_credentials'; client_id = 'c0a5e000-0000-4000-8000-000000000001'; client_secret = 'contoso-sandbox-secret'
                scope = $sandbox.HttpsUrls['good'].TrimEnd('/') + '/.default' }).access_token
        $exchangeOnly = Connect-CalendarFederation -AccessToken $token -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName $envName -PassThru -NotDefault -WarningAction SilentlyContinue
        try {
            $sides = @(New-CalendarFederation -Connection $exchangeOnly -PartnerConnection $fabrikam -WhatIf -InformationVariable said -WarningAction SilentlyContinue)
            ($said | Out-String) | Should -Match 'Method: organization relationships, because the cross-tenant access policy cannot be used \(contoso\.onmicrosoft\.com: GraphTokenRequired'
            $sides | ForEach-Object { $_.Method | Should -Be 'OrganizationRelationship'; $_.Action | Should -Be 'Planned' }
        }
        finally { $exchangeOnly | Disconnect-CalendarFederation -Confirm:$false }
    }

    It 'warns that an enabled organization relationship keeps the policy from being used' {
        if (Skip-Untrusted) { return }
        New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -Method OrganizationRelationship -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -Method CrossTenantAccess -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop)
        $sides | ForEach-Object { $_.Method | Should -Be 'CrossTenantAccess' }
        @($warned | Where-Object { "$_" -match 'takes precedence' -and "$_" -match 'Convert-OrganizationRelationship -DisableLegacy' }) | Should -HaveCount 2
    }
}
