# Convert-OrganizationRelationship through the BUILT module against the sandbox's contoso and fabrikam, connected
# app-only (Exchange.ManageAsApp and the Graph cross-tenant access permissions). Each test starts from a legacy pair:
# contoso's relationship 'Fabrikam' (times only) and fabrikam's 'Contoso' (subject and location), both enabled, and
# free/busy served both ways through them. Free/busy is asked of the sandbox's getSchedule (Graph's shape), as
# Test-OrganizationRelationship's probe asks it: alex@contoso.com about lee@fabrikam.com and back. The sandbox decides
# as the service does since X-TAP: an enabled legacy object on EITHER side takes precedence; otherwise the resource
# tenant's cross-tenant access policy. Without trust in the sandbox's https root every test is skipped and says why.
# Windows PowerShell 5.1 compatible.

BeforeDiscovery {
    # Every step of a two-sided migration that can be interrupted, and how: after each, free/busy must still be served
    # both ways, and a plain re-run must finish the migration.
    $contosoId = '6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11'
    $fabrikamId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22'
    $policy = '/v1.0/policies/crossTenantAccessPolicy'
    $Interruptions = @(
        @{ Step = "contoso: creating fabrikam's partner configuration (HTTP 500)"; Faults = @(@{ service = 'graph'; tenant = 'contoso'; method = 'POST'; pathPrefix = "$policy/partners"; status = 500; remaining = 1 }); ExpectId = 'GraphError'; Compensated = $false }
        @{ Step = "fabrikam: adding contoso's capability (applied, then every answer reset in the middle)"; Faults = @(@{ service = 'graph'; tenant = 'fabrikam'; method = 'POST'; pathPrefix = "$policy/partners/$contosoId/m365Capabilities"; resetMidBody = $true }); ExpectId = 'ConnectionFailed'; Compensated = $false }
        @{ Step = "fabrikam: adding contoso's free/busy capability (HTTP 500 after it was applied)"; Faults = @(@{ service = 'graph'; tenant = 'fabrikam'; method = 'POST'; pathPrefix = "$policy/partners/$contosoId/m365Capabilities"; status = 500; rawBody = '{"error":{"code":"InternalServerError","message":"Something went wrong."}}'; remaining = 1 }); ExpectId = 'GraphError'; Compensated = $false }
        @{ Step = "contoso: reading the grant back (403)"; Faults = @(@{ service = 'graph'; tenant = 'contoso'; method = 'GET'; pathPrefix = "$policy/partners/$fabrikamId/m365Capabilities"; status = 403; remaining = 8 }); ExpectId = 'GraphAccessDenied'; Compensated = $false }
        @{ Step = "contoso: disabling its relationship (refused)"; Faults = @(@{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'Set-OrganizationRelationship'; status = 500; remaining = 1 }); ExpectId = 'AdminApiError'; Compensated = $false }
        @{ Step = "fabrikam: disabling its relationship after contoso's was disabled (refused: contoso is enabled again)"; Faults = @(@{ service = 'adminapi'; tenant = 'fabrikam'; cmdlet = 'Set-OrganizationRelationship'; status = 500; remaining = 1 }); ExpectId = 'AdminApiError'; Compensated = $true }
    )
}

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:environmentName = 'MigrationSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $environmentName
    $script:cmdletId = 'CalendarFederation.Commands.ConvertOrganizationRelationshipCommand'
    $script:ModulePath = $env:CF_MODULE_PATH
    $script:contosoId = '6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11'
    $script:fabrikamId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22'
    $script:epr = 'https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity'
    $script:apps = @{
        contoso  = @{ Id = 'c0a5e000-0000-4000-8000-000000000001'; Secret = 'contoso-sandbox-secret'; Organization = 'contoso.onmicrosoft.com' }
        fabrikam = @{ Id = 'f0a5e000-0000-4000-8000-000000000001'; Secret = 'fabrikam-sandbox-secret'; Organization = 'fabrikam.onmicrosoft.com' }
    }
    $script:contoso = $null
    $script:fabrikam = $null
    $script:graphTokens = @{}

    function script:Connect-Sandbox([string] $Tenant, [int] $TimeoutSec = 30) {
        $a = $script:apps[$Tenant]
        Connect-CalendarFederation -AppId $a.Id -Organization $a.Organization -ClientSecret (ConvertTo-SecureString $a.Secret -AsPlainText -Force) `
            -ExchangeEnvironmentName $script:environmentName -TimeoutSec $TimeoutSec -PassThru -NotDefault -WarningAction SilentlyContinue
    }

    if ($trusted) {
        $script:contoso = Connect-Sandbox contoso
        $script:fabrikam = Connect-Sandbox fabrikam
    }

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }

    function script:Sandbox([string] $Method, [string] $Path, $Body) {
        $call = @{ Method = $Method; Uri = "$($script:sandbox.Url)/_sandbox/$Path"; TimeoutSec = 30 }
        if ($null -ne $Body) { $call.Body = ($Body | ConvertTo-Json -Depth 10 -Compress); $call.ContentType = 'application/json' }
        Invoke-RestMethod @call
    }

    function script:Get-Prop($Object, [string] $Name) {
        $p = $Object.PSObject.Properties[$Name]
        if ($p) { return $p.Value }
        return $null
    }

    # The legacy pair every test starts from, with an empty request log.
    function script:Reset-Pair {
        param([string[]] $ContosoFeatures = @(), [switch] $NoPartnerRelationship)
        Sandbox Delete 'faults' | Out-Null
        Reset-CFSandbox -Sandbox $script:sandbox
        $features = @{}
        foreach ($f in $ContosoFeatures) { $features[$f] = $true }
        New-OrganizationRelationship -Connection $script:contoso -Name Fabrikam -DomainNames fabrikam.com, fabrikam.onmicrosoft.com, fabrikam.co.uk -FreeBusyAccessEnabled $true `
            -FreeBusyAccessLevel AvailabilityOnly -TargetApplicationUri outlook.com -TargetAutodiscoverEpr $script:epr @features -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        if (-not $NoPartnerRelationship) {
            New-OrganizationRelationship -Connection $script:fabrikam -Name Contoso -DomainNames contoso.com, contoso.onmicrosoft.com, sales.contoso.com -FreeBusyAccessEnabled $true `
                -FreeBusyAccessLevel LimitedDetails -TargetApplicationUri outlook.com -TargetAutodiscoverEpr $script:epr -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        }
        Sandbox Delete 'requests' | Out-Null
    }

    function script:Add-Fault([hashtable] $Rule) {
        $id = Add-CFSandboxFault -Sandbox $script:sandbox -Rule $Rule
        if (-not $id) { throw 'The sandbox did not accept the fault rule.' }
    }

    # Relationship name -> enabled, as the sandbox stores them.
    function script:Get-Legacy([string] $Tenant) {
        $map = @{}
        foreach ($r in @(Sandbox Get "tenants/$Tenant/relationships" | ForEach-Object { $_ })) { $map[$r.name] = [bool] $r.enabled }
        return $map
    }

    # The partner's allowed capability names in a tenant's policy (sorted), and how many partner entries it has.
    function script:Get-Grant([string] $Tenant, [string] $PartnerId) {
        $state = Sandbox Get "tenants/$Tenant/cross-tenant-access"
        $partners = @($state.partners | Where-Object { $_.tenantId -eq $PartnerId })
        $allowed = @()
        $names = @()
        foreach ($p in $partners) {
            foreach ($c in @($p.m365Capabilities)) {
                $names += $c.name
                if ($c.inboundAccess.isAllowed) { $allowed += $c.name }
            }
        }
        [pscustomobject]@{ Entries = $partners.Count; Allowed = @($allowed | Sort-Object); Names = @($names); Trust = @($partners | ForEach-Object { $_.m365CollaborationInbound.users.accessType }) }
    }

    function script:Get-GraphToken([string] $Tenant) {
        if (-not $script:graphTokens.ContainsKey($Tenant)) {
            $a = $script:apps[$Tenant]
            $token = Invoke-RestMethod -Method Post -Uri "$($script:sandbox.HttpsUrls['good'])/$($a.Organization)/oauth2/v2.0/token" -ContentType 'application/x-www-form-urlencoded' `
                -Body @{ grant_type = 'client_credentials'; client_id = $a.Id; client_secret = $a.Secret; scope = 'https://graph.microsoft.com/.default' }
            $script:graphTokens[$Tenant] = $token.access_token
        }
        $script:graphTokens[$Tenant]
    }

    # getSchedule as the requester's tenant's app, for one mailbox of the other tenant: served, or the service's refusal.
    function script:Get-FreeBusy([string] $Tenant, [string] $Requester, [string] $Mailbox) {
        $body = @{ schedules = @($Mailbox); startTime = @{ dateTime = '2030-01-07T08:00:00'; timeZone = 'UTC' }; endTime = @{ dateTime = '2030-01-07T18:00:00'; timeZone = 'UTC' }; availabilityViewInterval = 60 }
        $answer = Invoke-RestMethod -Method Post -Uri "$($script:sandbox.HttpsUrls['good'])/v1.0/users/$Requester/calendar/getSchedule" -ContentType 'application/json' `
            -Headers @{ Authorization = "Bearer $(Get-GraphToken $Tenant)" } -Body ($body | ConvertTo-Json -Depth 5)
        $entry = @($answer.value)[0]
        $error = Get-Prop $entry 'error'
        [pscustomobject]@{
            Served = $null -eq $error
            View   = $entry.availabilityView
            Error  = if ($error) { "$($error.responseCode): $($error.message)" } else { '' }
        }
    }

    # Free/busy both ways: alex@contoso.com asks about lee@fabrikam.com, and lee about alex.
    function script:Get-BothWays {
        $a = Get-FreeBusy contoso 'alex@contoso.com' 'lee@fabrikam.com'
        $b = Get-FreeBusy fabrikam 'lee@fabrikam.com' 'alex@contoso.com'
        [pscustomobject]@{ ContosoSeesFabrikam = $a.Served; FabrikamSeesContoso = $b.Served; Both = ($a.Served -and $b.Served); Detail = "contoso->fabrikam: $($a.Error) $($a.View); fabrikam->contoso: $($b.Error) $($b.View)" }
    }

    function script:Assert-ServedBothWays([string] $Because) {
        $fb = Get-BothWays
        $fb.Both | Should -BeTrue -Because "$Because ($($fb.Detail))"
    }

    # What one Convert-OrganizationRelationship call wrote: its rows, errors and warnings (a terminating error is kept).
    function script:Invoke-Convert([hashtable] $Parameters) {
        $ErrorActionPreference = 'Continue'
        $thrown = $null
        $items = @()
        try {
            $items = @(Convert-OrganizationRelationship @Parameters -Confirm:$false 2>&1 3>&1)
        }
        catch {
            $thrown = $_
        }
        $errors = @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        if ($thrown) { $errors += $thrown }
        [pscustomobject]@{
            Rows     = @($items | Where-Object { $_ -is [CalendarFederation.OrganizationRelationshipMigration] })
            Errors   = $errors
            Ids      = @($errors | Get-CFErrorId)
            Warnings = @($items | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object { $_.Message })
            Thrown   = [bool] $thrown
        }
    }

    function script:Get-GraphRequests {
        @(Get-CFSandboxRequests -Sandbox $script:sandbox | Where-Object { (Get-Prop $_ 'service') -eq 'graph' -and "$(Get-Prop $_ 'path')" -like '*/policies/crossTenantAccessPolicy*' })
    }

    function script:Get-AdminWrites {
        @(Get-CFSandboxRequests -Sandbox $script:sandbox | Where-Object { (Get-Prop $_ 'service') -eq 'adminapi' -and (Get-Prop $_ 'isWrite') })
    }
}

AfterAll {
    foreach ($connection in @($contoso, $fabrikam)) {
        if ($connection) { Disconnect-CalendarFederation -Connection $connection -Confirm:$false }
    }
    Remove-CalendarFederationEnvironment -Name $environmentName -Confirm:$false -ErrorAction SilentlyContinue
    if ($sandbox) { Stop-CFSandbox $sandbox }
}

Describe 'Convert-OrganizationRelationship' -Tag 'Migration' {
    BeforeEach {
        if ($script:trusted) { Reset-Pair }
    }

    It 'migrates both sides: each grants what its relationship shares, both relationships are disabled, free/busy comes through the policy both ways' {
        if (Skip-Untrusted) { return }
        Assert-ServedBothWays 'the legacy pair serves free/busy before the migration'
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $r.Errors | Should -BeNullOrEmpty
        $r.Rows.Count | Should -Be 2
        $r.Rows[0].Organization | Should -Be 'contoso.onmicrosoft.com'
        $r.Rows[0].PartnerTenantId | Should -Be $fabrikamId
        $r.Rows[0].Relationship | Should -Be 'Fabrikam'
        $r.Rows[0].FreeBusyAccessLevel | Should -Be 'AvailabilityOnly'
        $r.Rows[1].Organization | Should -Be 'fabrikam.onmicrosoft.com'
        $r.Rows[1].PartnerTenantId | Should -Be $contosoId
        $r.Rows[1].Relationship | Should -Be 'Contoso'
        $r.Rows[1].FreeBusyAccessLevel | Should -Be 'LimitedDetails'
        foreach ($row in $r.Rows) {
            $row.Outcome | Should -Be 'Migrated'
            $row.Verified | Should -BeTrue
            $row.LegacyEnabled | Should -BeFalse
            $row.MailTipsAccessLevel | Should -Be 'None'
        }
        (Get-Grant contoso $fabrikamId).Allowed | Should -Be @('crossTenantCalendarAvailabilityBasic')
        (Get-Grant fabrikam $contosoId).Allowed | Should -Be @('crossTenantCalendarAvailabilityLimitedDetails')
        (Get-Grant contoso $fabrikamId).Trust | Should -Be @('allowed')
        (Get-Legacy contoso)['Fabrikam'] | Should -BeFalse
        (Get-Legacy fabrikam)['Contoso'] | Should -BeFalse
        Assert-ServedBothWays 'after the cutover the policy serves free/busy, with both relationships disabled'
        # Subject and location come through fabrikam's LimitedDetails grant (nestor's calendar allows them).
        $fabrikamView = Invoke-RestMethod -Method Post -Uri "$($sandbox.HttpsUrls['good'])/v1.0/users/alex@contoso.com/calendar/getSchedule" -ContentType 'application/json' `
            -Headers @{ Authorization = "Bearer $(Get-GraphToken contoso)" } -Body (@{ schedules = @('nestor@fabrikam.com'); startTime = @{ dateTime = '2030-01-07T08:00:00'; timeZone = 'UTC' }; endTime = @{ dateTime = '2030-01-07T18:00:00'; timeZone = 'UTC' } } | ConvertTo-Json -Depth 5)
        @($fabrikamView.value)[0].scheduleItems[0].PSObject.Properties.Name | Should -Contain 'subject'
    }

    It 'runs again without writing anything, and says both sides are already migrated' {
        if (Skip-Untrusted) { return }
        $null = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        Sandbox Delete 'requests' | Out-Null
        $again = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $again.Errors | Should -BeNullOrEmpty
        @($again.Rows | ForEach-Object { "$($_.Outcome)" }) | Should -Be @('AlreadyMigrated', 'AlreadyMigrated')
        @(Get-GraphRequests | Where-Object { $_.method -ne 'GET' }) | Should -BeNullOrEmpty
        @(Get-AdminWrites) | Should -BeNullOrEmpty
        (Get-Grant contoso $fabrikamId).Names.Count | Should -Be 1
    }

    It '-WhatIf shows both sides'' plan and the disables, and writes nothing' {
        if (Skip-Untrusted) { return }
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true; WhatIf = $true }
        $r.Errors | Should -BeNullOrEmpty
        @($r.Rows | ForEach-Object { "$($_.Outcome)" }) | Should -Be @('Planned', 'Planned')
        $r.Rows[0].Changes | Should -Contain 'Add crossTenantCalendarAvailabilityBasic for all users'
        $r.Rows[0].Changes | Should -Contain "Disable 'Fabrikam'"
        $r.Rows[1].Changes | Should -Contain 'Add crossTenantCalendarAvailabilityLimitedDetails for all users'
        $r.Rows[1].Changes | Should -Contain "Disable 'Contoso'"
        @(Get-GraphRequests | Where-Object { $_.method -ne 'GET' }) | Should -BeNullOrEmpty
        @(Get-AdminWrites) | Should -BeNullOrEmpty
        (Get-Legacy contoso)['Fabrikam'] | Should -BeTrue
    }

    It 'grants without -DisableLegacy and leaves both relationships enabled, so nothing changes for users yet' {
        if (Skip-Untrusted) { return }
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam }
        @($r.Rows | ForEach-Object { "$($_.Outcome)" }) | Should -Be @('Granted', 'Granted')
        @($r.Rows | ForEach-Object { $_.LegacyEnabled }) | Should -Be @($true, $true)
        @(Get-AdminWrites) | Should -BeNullOrEmpty
        Assert-ServedBothWays 'the relationships still serve'
    }

    It 'refuses -DisableLegacy on one side with PartnerCutoverNotAcknowledged and reads nothing' {
        if (Skip-Untrusted) { return }
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; DisableLegacy = $true }
        $r.Thrown | Should -BeTrue
        $r.Errors[0].FullyQualifiedErrorId | Should -Be "PartnerCutoverNotAcknowledged,$cmdletId"
        $r.Errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $r.Errors[0].Exception.Message | Should -Match 'both directions'
        $r.Errors[0].ErrorDetails.RecommendedAction | Should -Match '-PartnerDisablesLegacy'
        @(Get-CFSandboxRequests -Sandbox $sandbox | Where-Object { (Get-Prop $_ 'service') -in 'adminapi', 'graph' }) | Should -BeNullOrEmpty
        $rollback = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; Rollback = $true }
        $rollback.Ids | Should -Be @('PartnerCutoverNotAcknowledged')
    }

    It 'with -PartnerDisablesLegacy, grants and disables only its own side, and warns that both directions wait for the partner' {
        if (Skip-Untrusted) { return }
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; DisableLegacy = $true; PartnerDisablesLegacy = $true }
        $r.Errors | Should -BeNullOrEmpty
        $r.Rows.Count | Should -Be 1
        $r.Rows[0].Outcome | Should -Be 'Migrated'
        $r.Rows[0].Partner | Should -Be 'fabrikam.com'
        $r.Warnings | Should -Match 'fails in both directions'
        (Get-Legacy fabrikam)['Contoso'] | Should -BeTrue
        # The precedence rule the refusal is about: one side disabled, the other enabled, serves nobody.
        $fb = Get-BothWays
        $fb.ContosoSeesFabrikam | Should -BeFalse
        $fb.FabrikamSeesContoso | Should -BeFalse
        # The partner follows in the same window: then the policy serves both ways.
        $p = Invoke-Convert @{ Connection = $fabrikam; Identity = 'Contoso'; DisableLegacy = $true; PartnerDisablesLegacy = $true }
        $p.Rows[0].Outcome | Should -Be 'Migrated'
        Assert-ServedBothWays 'both sides migrated on their own'
    }

    It 'keeps relationships that carry mailbox moves (LegacyFeaturesInUse) and says how to split them; the grants are written' {
        if (Skip-Untrusted) { return }
        Reset-Pair -ContosoFeatures MailboxMoveEnabled, PhotosEnabled
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $r.Ids | Should -Be @('LegacyFeaturesInUse')
        $r.Errors[0].Exception.Message | Should -Match 'MailboxMoveEnabled, PhotosEnabled'
        $r.Errors[0].ErrorDetails.RecommendedAction | Should -Match "-DomainNames $fabrikamId"
        $r.Errors[0].ErrorDetails.RecommendedAction | Should -Match '-PhotosEnabled \$false'
        @($r.Rows | ForEach-Object { $_.Verified }) | Should -Be @($true, $true)
        @($r.Rows | ForEach-Object { $_.LegacyEnabled }) | Should -Be @($true, $true)
        (Get-Legacy contoso)['Fabrikam'] | Should -BeTrue
        (Get-Legacy fabrikam)['Contoso'] | Should -BeTrue
        Assert-ServedBothWays 'kept relationships keep serving'
    }

    It 'keeps both relationships while a sharing-policy rule names the partner, and only warns for an OrgWideFBToken address space' {
        if (Skip-Untrusted) { return }
        $null = Invoke-RestMethod -Method Post -Uri "$($sandbox.HttpsUrls['good'])/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand" -ContentType 'application/json' `
            -Headers @{ Authorization = "Bearer $((Invoke-RestMethod -Method Post -Uri "$($sandbox.HttpsUrls['good'])/contoso.onmicrosoft.com/oauth2/v2.0/token" -ContentType 'application/x-www-form-urlencoded' -Body @{ grant_type = 'client_credentials'; client_id = $apps.contoso.Id; client_secret = $apps.contoso.Secret; scope = 'https://outlook.office365.com/.default' }).access_token)" } `
            -Body (@{ CmdletInput = @{ CmdletName = 'Set-SharingPolicy'; Parameters = @{ Identity = 'Default Sharing Policy'; Domains = @{ '@odata.type' = '#Exchange.GenericHashTable'; Add = 'fabrikam.com:CalendarSharingFreeBusyDetail' }; Confirm = $false } } } | ConvertTo-Json -Depth 6)
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $r.Ids | Should -Be @('LegacyFeaturesInUse')
        $r.Errors[0].Exception.Message | Should -Match "sharing policy 'Default Sharing Policy' rule 'fabrikam.com:CalendarSharingFreeBusyDetail'"
        $r.Errors[0].ErrorDetails.RecommendedAction | Should -Match 'Set-SharingPolicy'
        (Get-Legacy contoso)['Fabrikam'] | Should -BeTrue
        (Get-Legacy fabrikam)['Contoso'] | Should -BeTrue
    }

    It 'does not migrate a relationship with an on-premises partner (MigrationNotApplicable), and writes nothing' {
        if (Skip-Untrusted) { return }
        New-OrganizationRelationship -Connection $contoso -Name Adatum -DomainNames adatum.com -FreeBusyAccessEnabled $true -TargetApplicationUri 'FYDIBOHF25SPDLT.adatum.com' `
            -TargetAutodiscoverEpr 'https://mail.adatum.com/autodiscover/autodiscover.svc/WSSecurity' -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        Sandbox Delete 'requests' | Out-Null
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Adatum'; DisableLegacy = $true; PartnerDisablesLegacy = $true }
        $r.Ids | Should -Be @('MigrationNotApplicable')
        $r.Errors[0].Exception.Message | Should -Match 'on-premises'
        $r.Rows[0].Outcome | Should -Be 'NotApplicable'
        @(Get-GraphRequests) | Should -BeNullOrEmpty
        @(Get-AdminWrites) | Should -BeNullOrEmpty
    }

    It '-Rollback enables both relationships again and leaves the grants in place' {
        if (Skip-Untrusted) { return }
        $null = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; Rollback = $true }
        $r.Errors | Should -BeNullOrEmpty
        @($r.Rows | ForEach-Object { "$($_.Outcome)" }) | Should -Be @('RolledBack', 'RolledBack')
        (Get-Legacy contoso)['Fabrikam'] | Should -BeTrue
        (Get-Legacy fabrikam)['Contoso'] | Should -BeTrue
        (Get-Grant contoso $fabrikamId).Allowed | Should -Be @('crossTenantCalendarAvailabilityBasic')
        Assert-ServedBothWays 'the rolled-back relationships serve again'
    }

    It 'binds Get-OrganizationRelationship output by property name and refuses a relationship of another tenant (OrganizationMismatch)' {
        if (Skip-Untrusted) { return }
        $r = @(Get-OrganizationRelationship -Connection $contoso -Identity Fabrikam | Convert-OrganizationRelationship -Connection $contoso -PartnerConnection $fabrikam -Confirm:$false)
        @($r | ForEach-Object { "$($_.Outcome)" }) | Should -Be @('Granted', 'Granted')
        $errors = $null
        $wrong = @(Get-OrganizationRelationship -Connection $fabrikam -Identity Contoso | Convert-OrganizationRelationship -Connection $contoso -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue)
        $wrong | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Be "OrganizationMismatch,$cmdletId"
    }

    It 'fails a partner connection to another tenant with PartnerTenantMismatch, and writes nothing' {
        if (Skip-Untrusted) { return }
        New-OrganizationRelationship -Connection $contoso -Name Litware -DomainNames litware.com -FreeBusyAccessEnabled $true -TargetApplicationUri outlook.com -TargetAutodiscoverEpr $epr `
            -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        Sandbox Delete 'requests' | Out-Null
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Litware'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $r.Errors[0].FullyQualifiedErrorId | Should -Be "PartnerTenantMismatch,$cmdletId"
        $r.Errors[0].Exception.Message | Should -Match '2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b44'
        $r.Rows | Should -BeNullOrEmpty
        @(Get-GraphRequests) | Should -BeNullOrEmpty
        @(Get-AdminWrites) | Should -BeNullOrEmpty
    }

    It 'shows Outcome, Verified and whether the relationship is still enabled in its default view' {
        if (Skip-Untrusted) { return }
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam }
        $text = $r.Rows | Format-Table | Out-String -Width 160
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Organization\s+Outcome\s+Relationship\s+FreeBusy\s+Verified\s+Legacy\s+Message'
        @($lines | Where-Object { $_ -match '^contoso\.onmicrosoft\.com\s+Granted\s+Fabrikam\s+AvailabilityOnly\s+True\s+Enabled' }).Count | Should -Be 1
    }
}

Describe 'Convert-OrganizationRelationship never loses free/busy' -Tag 'Migration' {
    BeforeEach {
        if ($script:trusted) { Reset-Pair }
    }

    It 'an interruption at <Step> leaves free/busy served both ways, and a re-run finishes through the policy' -ForEach $Interruptions {
        if (Skip-Untrusted) { return }
        foreach ($f in $Faults) { Add-Fault $f }
        $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $r.Thrown | Should -BeFalse -Because 'a failing step is a non-terminating error with a stable id'
        $r.Ids | Should -Contain $ExpectId
        # Nothing half-done: both relationships alike, and free/busy still served both ways (the legacy path).
        $legacy = @((Get-Legacy contoso)['Fabrikam'], (Get-Legacy fabrikam)['Contoso'])
        $legacy | Should -Be @($true, $true) -Because 'a relationship is disabled only after both grants are verified, and put back when the other side cannot follow'
        if ($Compensated) { $r.Rows[0].Outcome | Should -Be 'Compensated' }
        Assert-ServedBothWays "free/busy after: $Step"

        Sandbox Delete 'faults' | Out-Null
        $done = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $done.Errors | Should -BeNullOrEmpty
        @($done.Rows | ForEach-Object { $_.LegacyEnabled }) | Should -Be @($false, $false)
        # No duplicate: one partner entry and one capability in each tenant.
        $c = Get-Grant contoso $fabrikamId
        $f = Get-Grant fabrikam $contosoId
        "$($c.Entries) $($c.Names -join ',') / $($f.Entries) $($f.Names -join ',')" | Should -Be '1 crossTenantCalendarAvailabilityBasic / 1 crossTenantCalendarAvailabilityLimitedDetails'
        Assert-ServedBothWays 'after the re-run, through the policy with both relationships disabled'
    }

    It 'Ctrl+C while <Phase> leaves free/busy served both ways, and a re-run finishes' -ForEach @(
        @{ Phase = "fabrikam's grant is being written"; Fault = @{ service = 'graph'; tenant = 'fabrikam'; method = 'POST'; pathPrefix = '/v1.0/policies/crossTenantAccessPolicy/partners/6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11/m365Capabilities'; hold = 'convert-held'; remaining = 1 }
            Ready = { (Get-Grant fabrikam $contosoId).Entries -eq 1 -and (Get-Grant fabrikam $contosoId).Trust -contains 'allowed' } }
        @{ Phase = "fabrikam's relationship is being disabled, after contoso's was"; Fault = @{ service = 'adminapi'; tenant = 'fabrikam'; cmdlet = 'Set-OrganizationRelationship'; hold = 'convert-held'; remaining = 1 }
            Ready = { (Get-Legacy contoso)['Fabrikam'] -eq $false } }
    ) {
        if (Skip-Untrusted) { return }
        Add-Fault $Fault
        $ps = New-CFAsyncPowerShell -ModulePath $script:ModulePath
        $handle = $null
        try {
            $null = $ps.AddCommand('Convert-OrganizationRelationship').AddParameter('Connection', $contoso).AddParameter('Identity', 'Fabrikam').AddParameter('PartnerConnection', $fabrikam).
                AddParameter('DisableLegacy').AddParameter('Confirm', $false)
            $handle = $ps.BeginInvoke()
            # Wait for the held request: the sandbox has it in flight (its requests are logged only when answered).
            # Wait for the held request at its gate (the sandbox answers when it arrives: no polling).
            $ready = [scriptblock]::Create($Ready.ToString())
            $held = Wait-CFSandbox -Sandbox $script:sandbox -Gate 'convert-held' -TimeoutMs 15000
            $held.satisfied | Should -BeTrue -Because 'the held request arrived'
            $handle.IsCompleted | Should -BeFalse -Because 'the command waits on the held request'
            (& $ready) | Should -BeTrue -Because "the step before the held one is done ($Phase)"
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            "$($ps.InvocationStateInfo.State)" | Should -Be 'Stopped'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'the stop does not wait for the held request'
        }
        finally {
            Close-CFAsyncPowerShell -PowerShell $ps -Handle $handle
        }
        Sandbox Delete 'faults' | Out-Null
        (Get-Legacy contoso)['Fabrikam'] | Should -BeTrue -Because 'a stop between the two sides enables the first again'
        (Get-Legacy fabrikam)['Contoso'] | Should -BeTrue
        Assert-ServedBothWays "free/busy after Ctrl+C while $Phase"
        $done = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        $done.Errors | Should -BeNullOrEmpty
        @($done.Rows | ForEach-Object { "$($_.Outcome)" }) | Should -Not -Contain 'Failed'
        (Get-Grant fabrikam $contosoId).Names | Should -Be @('crossTenantCalendarAvailabilityLimitedDetails')
        Assert-ServedBothWays 'after the re-run'
    }
}

Describe 'Convert-OrganizationRelationship request counts' -Tag 'Migration' {
    BeforeEach {
        if ($script:trusted) { Reset-Pair }
    }

    It 'sends the minimum Graph requests per side (8 for a fresh grant), and under a Graph budget only the 429s are extra, each waited out' {
        if (Skip-Untrusted) { return }
        Sandbox Delete 'violations' | Out-Null
        Sandbox Put 'tenants/contoso/graph-budget?requestsPerSecond=3' | Out-Null
        Sandbox Put 'tenants/fabrikam/graph-budget?requestsPerSecond=3' | Out-Null
        try {
            $r = Invoke-Convert @{ Connection = $contoso; Identity = 'Fabrikam'; PartnerConnection = $fabrikam; DisableLegacy = $true }
        }
        finally {
            Sandbox Delete 'tenants/contoso/graph-budget' | Out-Null
            Sandbox Delete 'tenants/fabrikam/graph-budget' | Out-Null
        }
        $r.Errors | Should -BeNullOrEmpty
        foreach ($tenant in 'contoso', 'fabrikam') {
            $mine = @(Get-GraphRequests | Where-Object { $_.tenant -eq $tenant })
            $accepted = @($mine | Where-Object { $_.status -ne 429 })
            $throttled = @($mine | Where-Object { $_.status -eq 429 })
            # GET default and GET default/m365Capabilities (side by side, so in either order), GET partner (404), POST
            # partner, PATCH trust, POST capability, GET partner, GET m365Capabilities: nothing more (the plan is not read
            # twice, no write repeated).
            $sent = @($accepted | ForEach-Object { "$($_.method) $($_.path -replace '[0-9a-f-]{36}', '{id}')" })
            @($sent | Select-Object -First 2 | Sort-Object) | Should -Be @(
                'GET /v1.0/policies/crossTenantAccessPolicy/default', 'GET /v1.0/policies/crossTenantAccessPolicy/default/m365Capabilities')
            @($sent | Select-Object -Skip 2) | Should -Be @(
                'GET /v1.0/policies/crossTenantAccessPolicy/partners/{id}', 'POST /v1.0/policies/crossTenantAccessPolicy/partners',
                'PATCH /v1.0/policies/crossTenantAccessPolicy/partners/{id}', 'POST /v1.0/policies/crossTenantAccessPolicy/partners/{id}/m365Capabilities',
                'GET /v1.0/policies/crossTenantAccessPolicy/partners/{id}', 'GET /v1.0/policies/crossTenantAccessPolicy/partners/{id}/m365Capabilities')
            $throttled.Count | Should -BeGreaterThan 0 -Because "a budget of 3 per second is met by 8 requests ($tenant)"
            $throttled.Count | Should -BeLessOrEqual 3 -Because 'each 429 is waited out (the tenant gate) before the next request'
        }
        @(Get-CFSandboxViolations -Sandbox $sandbox) | Should -BeNullOrEmpty -Because 'no request comes before its Retry-After ran out'
        # The cutover: one Set per side, nothing else written.
        @(Get-AdminWrites | ForEach-Object { "$($_.tenant) $($_.cmdletName)" }) | Should -Be @('contoso Set-OrganizationRelationship', 'fabrikam Set-OrganizationRelationship')
    }
}
