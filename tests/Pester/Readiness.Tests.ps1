# Get-CalendarFederationReadiness through the BUILT module against the sandbox: contoso (local) and fabrikam (partner),
# connected app-only, and adatum (an on-premises-style partner, never connected). Each test starts from the sandbox's
# reset state (no relationships, address spaces or X-TAP partners; EwsEnabled not set; the Default Sharing Policy) and
# sets up what it needs through the module, the admin API (EwsEnabled, address spaces, sharing rules) or the sandbox's
# X-TAP seed. Nothing here waits on a timer. Without trust in the sandbox's https root every test is skipped and says
# why. Windows PowerShell 5.1 compatible.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:environmentName = 'ReadinessSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $environmentName
    $script:cmdletId = 'CalendarFederation.Commands.GetCalendarFederationReadinessCommand'
    $script:ContosoId = '6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11'
    $script:FabrikamId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22'
    $script:L = 'contoso.onmicrosoft.com'
    $script:P = 'fabrikam.onmicrosoft.com'
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

    function script:Reset-Readiness {
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/faults" | Out-Null
        Reset-CFSandbox -Sandbox $sandbox
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/requests" | Out-Null
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/signins" | Out-Null
    }

    # The sandbox's request log for one service ('adminapi', 'graph'); entries of other services lack the field.
    function script:Get-ServiceRequests([string] $Service) {
        @(Get-CFSandboxRequests -Sandbox $sandbox | Where-Object { $p = $_.PSObject.Properties['service']; $p -and $p.Value -eq $Service })
    }

    # An Exchange cmdlet the module has no cmdlet for (Set-OrganizationConfig, Add-AvailabilityAddressSpace, Set-SharingPolicy),
    # sent to the sandbox's admin API with an app-only token of the tenant's test app.
    function script:Invoke-AdminApi([string] $Tenant, [string] $Cmdlet, [hashtable] $Parameters) {
        $apps = @{ contoso = @('c0a5e000-0000-4000-8000-000000000001', 'contoso-sandbox-secret'); fabrikam = @('f0a5e000-0000-4000-8000-000000000001', 'fabrikam-sandbox-secret') }
        $form = @{ grant_type = 'client_credentials'; client_id = $apps[$Tenant][0]; client_secret = $apps[$Tenant][1]; scope = 'https://outlook.office365.com/.default' }
        $token = (Invoke-RestMethod -Method Post -Uri "$($sandbox.Url)/$Tenant.onmicrosoft.com/oauth2/v2.0/token" -Body $form).access_token
        $body = @{ CmdletInput = @{ CmdletName = $Cmdlet; Parameters = $Parameters } } | ConvertTo-Json -Depth 6 -Compress
        Invoke-RestMethod -Method Post -Uri "$($sandbox.Url)/adminapi/beta/$Tenant.onmicrosoft.com/InvokeCommand" -Body $body -ContentType 'application/json' `
            -Headers @{ Authorization = "Bearer $token"; 'X-AnchorMailbox' = "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@$Tenant.onmicrosoft.com" } | Out-Null
    }

    function script:Set-EwsEnabled([string] $Tenant, $Value) {
        Invoke-AdminApi $Tenant 'Set-OrganizationConfig' @{ EwsEnabled = $Value }
    }

    # The X-TAP grant as Grant-CrossTenantCalendarAccess leaves it: partner, trust for all users, free/busy for everyone.
    function script:Grant-Xtap([string] $Tenant, [string] $PartnerTenantId, [string] $Capability = 'crossTenantCalendarAvailabilityBasic') {
        $state = @{ partners = @(@{
                    tenantId                 = $PartnerTenantId
                    m365CollaborationInbound = @{ users = @{ accessType = 'allowed'; targets = @(@{ target = 'AllUsers'; targetType = 'user' }) } }
                    m365Capabilities         = @(@{ '@odata.type' = "#microsoft.graph.$Capability"; inboundAccess = @{ isAllowed = $true; resourceScopes = @{ included = @(@{ resourceId = 'All'; resourceType = 'user' }); excluded = @() } } })
                }) } | ConvertTo-Json -Depth 12 -Compress
        Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/tenants/$Tenant/cross-tenant-access" -Body $state -ContentType 'application/json' | Out-Null
    }

    # Contoso's side the classic way: discovery gives one domain, AvailabilityOnly.
    function script:New-ContosoForFabrikam {
        Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName $environmentName |
            New-OrganizationRelationship -Connection $contoso -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -WarningAction SilentlyContinue | Out-Null
    }

    # Adatum's relationship as built from its on-premises Autodiscover (a sandbox endpoint reached as 'localhost').
    function script:New-AdatumRelationship {
        $endpoint = "http://localhost:$($sandbox.Ports[1])/autodiscover/autodiscover.svc"
        Get-FederationInformation -DomainName adatum.com -AutodiscoverUri $endpoint |
            New-OrganizationRelationship -Connection $contoso -Name Adatum -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -WarningAction SilentlyContinue | Out-Null
    }

    function script:Invoke-Readiness([hashtable] $Parameters = @{}) {
        $all = @{ Connection = $contoso }
        foreach ($key in $Parameters.Keys) { $all[$key] = $Parameters[$key] }
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/requests" | Out-Null
        $rows = @(Get-CalendarFederationReadiness @all)
        # Read-only: no admin API write and nothing but GET on Graph.
        @(Get-ServiceRequests adminapi | Where-Object { $_.isWrite }).Count | Should -Be 0
        @(Get-ServiceRequests graph | Where-Object { $_.method -ne 'GET' }).Count | Should -Be 0
        , $rows
    }

    # The anonymous tenant lookups the sandbox saw (its sign-in log), by the domain asked about.
    function script:Get-TenantLookups {
        @(Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/signins" | ForEach-Object { $_ } | Where-Object { $_.endpoint -eq 'openid-configuration' } | ForEach-Object { "$($_.tenant)".ToLowerInvariant() })
    }

    function script:Row([object[]] $Rows, [string] $Identity, [string] $Organization = $script:L) {
        $found = @($Rows | Where-Object { $_.Identity -eq $Identity -and $_.Organization -eq $Organization })
        $found.Count | Should -Be 1 -Because "one row '$Identity' in $Organization among: $(($Rows | ForEach-Object { "$($_.Organization)/$($_.Identity)" }) -join ', ')"
        $found[0]
    }
}

AfterAll {
    foreach ($connection in @($contoso, $fabrikam)) {
        if ($connection) { Disconnect-CalendarFederation -Connection $connection -Confirm:$false }
    }
    Stop-CFSandbox $sandbox
}

Describe 'Get-CalendarFederationReadiness (built module)' -Tag 'Readiness' {
    BeforeEach {
        if ($trusted) { Reset-Readiness }
    }

    Context 'organization relationships' {
        It 'an EWS-enabled tenant with a legacy relationship needs cross-tenant access by 2027-04-01' {
            if (Skip-Untrusted) { return }
            Set-EwsEnabled contoso $true
            New-ContosoForFabrikam
            $rows = Invoke-Readiness
            $rows[0].ObjectType | Should -Be 'OrganizationConfig'
            $rows[0].Identity | Should -BeExactly 'EwsEnabled: True'
            $rows[0].EwsEnabled | Should -Be 'True'
            $rows[0].CrossTenantAccess | Should -Be 'Available'
            $row = Row $rows 'Fabrikam'
            $row.ObjectType | Should -Be 'OrganizationRelationship'
            $row.Partner | Should -BeExactly 'fabrikam.com'
            $row.PartnerKind | Should -Be 'Microsoft365'
            $row.PartnerTenantId | Should -BeExactly $FabrikamId
            $row.Verdict | Should -Be 'NeedsCrossTenantAccess'
            $row.Deadline | Should -Be ([datetime]'2027-04-01')
            $row.CrossTenantAccess | Should -Be 'Missing'
            $row.DependsOnEws | Should -BeTrue
            $row.NextStep | Should -BeExactly 'Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel AvailabilityOnly'
            $row | Should -BeOfType ([CalendarFederation.CalendarFederationReadiness])
        }

        It 'EwsEnabled False makes the relationship BrokenNow, and not set is at risk from 2026-10-01' {
            if (Skip-Untrusted) { return }
            New-ContosoForFabrikam
            $atRisk = Row (Invoke-Readiness) 'Fabrikam'
            $atRisk.Verdict | Should -Be 'NeedsCrossTenantAccess'
            $atRisk.EwsEnabled | Should -Be 'NotSet'
            $atRisk.Deadline | Should -Be ([datetime]'2026-10-01')
            $atRisk.DeadlineReason | Should -Match 'at risk now'
            Set-EwsEnabled contoso $false
            $rows = Invoke-Readiness
            $broken = Row $rows 'Fabrikam'
            $broken.Verdict | Should -Be 'BrokenNow'
            $broken.NextStep | Should -Match '^Set-OrganizationConfig -EwsEnabled \$true \(Exchange Online PowerShell\) keeps the legacy path until 2027-04-01; Grant-CrossTenantCalendarAccess -DomainName fabrikam\.com'
            $rows[0].Verdict | Should -Be 'BrokenNow'
            $rows[0].Identity | Should -BeExactly 'EwsEnabled: False'
        }

        It 'sees Microsoft''s switch of a not-set tenant to False as BrokenNow, and at risk before it; True is exempt' {
            if (Skip-Untrusted) { return }
            New-ContosoForFabrikam
            $before = Row (Invoke-Readiness) 'Fabrikam'
            $before.Verdict | Should -Be 'NeedsCrossTenantAccess'
            $before.EwsEnabled | Should -Be 'NotSet'
            $before.DeadlineReason | Should -Match 'it can stop any day \(at risk now\)'
            # Microsoft switches tenants whose EwsEnabled is not set to False (the sandbox's block does the same).
            Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/tenants/contoso/ews-block?value=true" | Out-Null
            $switched = Row (Invoke-Readiness) 'Fabrikam'
            $switched.Verdict | Should -Be 'BrokenNow'
            $switched.EwsEnabled | Should -Be 'False'
            Set-EwsEnabled contoso $true
            (Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/tenants/contoso/legacy-sharing").ewsBlocked | Should -BeFalse
            (Row (Invoke-Readiness) 'Fabrikam').Deadline | Should -Be ([datetime]'2027-04-01')
        }

        It 'X-TAP granted with the relationship still enabled is ReadyToCutOver; disabled, it is Migrated' {
            if (Skip-Untrusted) { return }
            Set-EwsEnabled contoso $true
            New-ContosoForFabrikam
            Grant-Xtap contoso $FabrikamId
            $ready = Row (Invoke-Readiness) 'Fabrikam'
            $ready.Verdict | Should -Be 'ReadyToCutOver'
            $ready.CrossTenantAccess | Should -Be 'Present'
            $ready.NextStep | Should -BeExactly "Convert-OrganizationRelationship -Identity 'Fabrikam' -PartnerConnection <partner> -DisableLegacy"
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -Enabled $false -Force | Out-Null
            $rows = Invoke-Readiness
            $migrated = Row $rows 'Fabrikam'
            $migrated.Verdict | Should -Be 'Migrated'
            $migrated.Deadline | Should -BeNullOrEmpty
            $migrated.DependsOnEws | Should -BeFalse
            (Row $rows "EwsEnabled: True").Reason | Should -Match 'objects depend on EWS: 2 NeedsCrossTenantAccess' -Because "only the Default Sharing Policy's two rules still do"
        }

        It 'an on-premises partner (adatum) keeps its relationship' {
            if (Skip-Untrusted) { return }
            Set-EwsEnabled contoso $false
            New-AdatumRelationship
            $row = Row (Invoke-Readiness) 'Adatum'
            $row.PartnerKind | Should -Be 'OnPremises'
            $row.Verdict | Should -Be 'KeepLegacy'
            $row.Deadline | Should -BeNullOrEmpty
            $row.Reason | Should -Match 'Exchange Server on-premises'
        }
    }

    Context 'address spaces and sharing policies' {
        It 'reports an OrgWideFBToken address space and each calendar rule of the default sharing policy' {
            if (Skip-Untrusted) { return }
            Set-EwsEnabled contoso $true
            Invoke-AdminApi contoso 'Add-AvailabilityAddressSpace' @{ ForestName = 'fabrikam.com'; AccessMethod = 'OrgWideFBToken'; TargetTenantId = $FabrikamId; TargetServiceEpr = 'https://outlook.office.com/EWS/Exchange.asmx' }
            Invoke-AdminApi contoso 'Set-SharingPolicy' @{ Identity = 'Default Sharing Policy'; Domains = @{ '@odata.type' = '#Exchange.GenericHashTable'; Add = 'fabrikam.com:CalendarSharingFreeBusyDetail' } }
            $rows = Invoke-Readiness
            $space = @($rows | Where-Object ObjectType -eq 'AvailabilityAddressSpace')
            $space.Count | Should -Be 1
            $space[0].Identity | Should -BeExactly 'fabrikam.com'
            $space[0].Verdict | Should -Be 'NeedsCrossTenantAccess'
            $space[0].Deadline | Should -Be ([datetime]'2027-04-01')
            $space[0].DependsOnEws | Should -BeFalse
            $space[0].Reason | Should -Match 'UNCONFIRMED'
            $space[0].NextStep | Should -BeExactly "in fabrikam.com's tenant: Grant-CrossTenantCalendarAccess -DomainName contoso.onmicrosoft.com -FreeBusyAccessLevel AvailabilityOnly"
            $rules = @($rows | Where-Object ObjectType -eq 'SharingPolicy')
            @($rules | ForEach-Object Partner) | Should -Be @('Anonymous', '*', 'fabrikam.com')
            $rules | ForEach-Object { $_.Identity | Should -BeExactly 'Default Sharing Policy' }
            $rules[2].Verdict | Should -Be 'NeedsCrossTenantAccess'
            $rules[2].PartnerTenantId | Should -BeExactly $FabrikamId
            $rules[2].NextStep | Should -BeExactly 'Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -CalendarSharingAccessLevel Detail'
            $rules[1].NextStep | Should -Match 'crossTenantCalendarSharingFreeBusySimple on the default cross-tenant access policy'
            # The default policy is the only candidate: its mailboxes are not read.
            @(Get-ServiceRequests adminapi | Where-Object cmdletName -eq 'Get-Mailbox').Count | Should -Be 0
        }

        It 'with the partner connected, the address space is ReadyToCutOver once the partner grants this tenant' {
            if (Skip-Untrusted) { return }
            Invoke-AdminApi contoso 'Add-AvailabilityAddressSpace' @{ ForestName = 'fabrikam.com'; AccessMethod = 'OrgWideFBToken'; TargetTenantId = $FabrikamId; TargetServiceEpr = 'https://outlook.office.com/EWS/Exchange.asmx' }
            Grant-Xtap fabrikam $ContosoId
            $row = Row (Invoke-Readiness @{ PartnerConnection = $fabrikam }) 'fabrikam.com'
            $row.Verdict | Should -Be 'ReadyToCutOver'
            $row.PartnerCrossTenantAccess | Should -Be 'Present'
            $row.NextStep | Should -Match "^Remove-AvailabilityAddressSpace -Identity 'fabrikam\.com'"
        }
    }

    Context 'both sides' {
        It 'reads the partner too: its EWS off breaks this side''s reading, and no partner domain is looked up' {
            if (Skip-Untrusted) { return }
            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -Method OrganizationRelationship -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -WarningAction SilentlyContinue)
            $sides | ForEach-Object { $_.Action | Should -Be 'Created' }
            Set-EwsEnabled contoso $true
            Set-EwsEnabled fabrikam $false
            Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/signins" | Out-Null
            $rows = Invoke-Readiness @{ PartnerConnection = $fabrikam }
            @($rows | ForEach-Object { "$($_.Organization)|$($_.ObjectType)" }) | Should -Be @("$L|OrganizationConfig", "$L|OrganizationRelationship", "$P|OrganizationConfig", "$P|OrganizationRelationship")
            $ours = Row $rows 'Fabrikam'
            $ours.Verdict | Should -Be 'BrokenNow'
            $ours.PartnerEwsEnabled | Should -Be 'False'
            $ours.PartnerCrossTenantAccess | Should -Be 'Missing'
            $ours.Reason | Should -Match 'EWS is off in fabrikam\.onmicrosoft\.com'
            $ours.Deadline | Should -Be ([datetime]'2026-10-01')
            $ours.NextStep | Should -Match 'in fabrikam\.onmicrosoft\.com: Grant-CrossTenantCalendarAccess -DomainName contoso\.onmicrosoft\.com -FreeBusyAccessLevel AvailabilityOnly'
            (Row $rows 'Contoso' $P).Verdict | Should -Be 'BrokenNow'
            (Row $rows 'EwsEnabled: False' $P).Organization | Should -BeExactly $P
            # Only a partner lookup asks about a tenant's other domains (a sign-in may ask about its own organization).
            @(Get-TenantLookups | Where-Object { $_ -in 'fabrikam.com', 'fabrikam.co.uk', 'contoso.com', 'sales.contoso.com' }) | Should -BeNullOrEmpty
        }

        It 'is ReadyToCutOver on both sides once each grants the other' {
            if (Skip-Untrusted) { return }
            New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -Method OrganizationRelationship -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -WarningAction SilentlyContinue | Out-Null
            Set-EwsEnabled contoso $true
            Set-EwsEnabled fabrikam $true
            Grant-Xtap contoso $FabrikamId
            $half = Row (Invoke-Readiness @{ PartnerConnection = $fabrikam }) 'Fabrikam'
            $half.Verdict | Should -Be 'NeedsCrossTenantAccess' -Because 'fabrikam still shares back through its relationship and has not granted contoso'
            Grant-Xtap fabrikam $ContosoId
            $rows = Invoke-Readiness @{ PartnerConnection = $fabrikam }
            $rows | Where-Object ObjectType -eq 'OrganizationRelationship' | ForEach-Object {
                $_.Verdict | Should -Be 'ReadyToCutOver'
                $_.NextStep | Should -Match '-PartnerConnection <(contoso|fabrikam)\.onmicrosoft\.com> -DisableLegacy$'
            }
        }
    }

    Context 'read-only access' {
        It 'a refused policy read gives Unknown with the missing permission, and the report still comes' {
            if (Skip-Untrusted) { return }
            New-ContosoForFabrikam
            # An app that may read Exchange (Global Reader for the admin API where roles are checked) but holds no Graph permission.
            $app = @{ appId = 'c0a5e000-0000-4000-8000-0000000000a1'; displayName = 'Readiness reader'; secret = 'reader-secret'; roles = @('Exchange.ManageAsApp'); directoryRoles = @('Global Reader') }
            Invoke-RestMethod -Method Post -Uri "$($sandbox.Url)/_sandbox/tenants/contoso/apps" -Body ($app | ConvertTo-Json -Compress) -ContentType 'application/json' | Out-Null
            $reader = Connect-CalendarFederation -AppId $app.appId -Organization $L -ClientSecret (ConvertTo-SecureString $app.secret -AsPlainText -Force) `
                -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
            try {
                Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/requests" | Out-Null
                $rows = @(Get-CalendarFederationReadiness -Connection $reader -WarningVariable warnings -WarningAction SilentlyContinue)
            }
            finally {
                Disconnect-CalendarFederation -Connection $reader -Confirm:$false
            }
            @(Get-ServiceRequests adminapi | Where-Object { $_.isWrite }).Count | Should -Be 0
            $row = Row $rows 'Fabrikam'
            $row.CrossTenantAccess | Should -Be 'Unknown'
            $row.Verdict | Should -Be 'NeedsCrossTenantAccess'
            $row.Reason | Should -Match 'Policy\.Read\.All'
            $rows[0].CrossTenantAccess | Should -Be 'Unknown'
            @($warnings | Where-Object { "$_" -match 'could not be read completely' }).Count | Should -Be 1
            @(Get-ServiceRequests graph | Where-Object { $_.status -eq 403 }).Count | Should -BeGreaterThan 0
        }
    }

    Context 'requests' {
        It 'takes one request per object type however many relationships, and one lookup per distinct domain' {
            if (Skip-Untrusted) { return }
            New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -Method OrganizationRelationship -FreeBusyAccessLevel AvailabilityOnly -Confirm:$false -WarningAction SilentlyContinue | Out-Null
            New-AdatumRelationship
            Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/signins" | Out-Null
            $rows = Invoke-Readiness
            @($rows | Where-Object ObjectType -eq 'OrganizationRelationship').Count | Should -Be 2
            $byCmdlet = @{}
            Get-ServiceRequests adminapi | Group-Object cmdletName | ForEach-Object { $byCmdlet[$_.Name] = $_.Count }
            $byCmdlet['Get-OrganizationRelationship'] | Should -Be 1
            $byCmdlet['Get-OrganizationConfig'] | Should -Be 1
            $byCmdlet['Get-AcceptedDomain'] | Should -Be 1
            $byCmdlet['Get-AvailabilityAddressSpace'] | Should -Be 1
            $byCmdlet['Get-SharingPolicy'] | Should -Be 1
            $byCmdlet.Keys.Count | Should -Be 5
            # Fabrikam's relationship lists its three domains; adatum is on-premises, so it is not looked up.
            $lookups = @(Get-TenantLookups | Where-Object { $_ -like '*fabrikam*' -or $_ -like '*adatum*' })
            @($lookups | Sort-Object) | Should -Be @('fabrikam.co.uk', 'fabrikam.com', 'fabrikam.onmicrosoft.com')
        }
    }

    Context 'the default view, narrowing and errors' {
        It 'renders at 120 columns with columns that can be told apart and the next command under each object' {
            if (Skip-Untrusted) { return }
            Set-EwsEnabled contoso $true
            New-ContosoForFabrikam
            New-AdatumRelationship
            $rows = Invoke-Readiness
            $lines = @((($rows | Out-String -Width 120) -split '\r?\n') | ForEach-Object { $_.TrimEnd() })
            $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
            @($lines | Where-Object { $_ -match "^\s*Organization: $([regex]::Escape($L))$" }).Count | Should -Be 1
            $h = [array]::FindIndex([string[]] $lines, [Predicate[string]] { param($l) $l -match '^Verdict\s+Deadline\s+Partner\s+Type\s+Identity -> NextStep$' })
            $h | Should -BeGreaterThan -1 -Because ($lines -join [Environment]::NewLine)
            $header = $lines[$h]
            # The dashes under the labels: five groups, one per column.
            @($lines[$h + 1] -split ' +' | Where-Object { $_ }).Count | Should -Be 5
            $col = @{ Deadline = $header.IndexOf('Deadline'); Partner = $header.IndexOf('Partner'); Type = $header.IndexOf('Type'); Identity = $header.IndexOf('Identity') }
            $at = [array]::FindIndex([string[]] $lines, [Predicate[string]] { param($l) $l -match '^NeedsCrossTenantAccess\s+2027-04-01\s+fabrikam\.com\s+Relationship\s+Fabrikam$' })
            $at | Should -BeGreaterThan -1 -Because ($lines -join [Environment]::NewLine)
            $lines[$at].IndexOf('2027-04-01') | Should -Be $col.Deadline
            $lines[$at].IndexOf('fabrikam.com') | Should -Be $col.Partner
            $lines[$at].IndexOf('Relationship') | Should -Be $col.Type
            $lines[$at].IndexOf('Fabrikam', $col.Identity) | Should -Be $col.Identity
            $lines[$at + 1].IndexOf('-> Grant-CrossTenantCalendarAccess') | Should -Be $col.Identity
            # KeepLegacy has no deadline; the EWS row says OrgConfig.
            @($lines | Where-Object { $_ -match '^KeepLegacy\s{10,}adatum\.com\s+Relationship\s+Adatum$' }).Count | Should -Be 1
            @($lines | Where-Object { $_ -match '^NeedsCrossTenantAccess\s+2027-04-01\s+OrgConfig\s+EwsEnabled: True$' }).Count | Should -Be 1
            # Not set: the date has passed while the path still works, so the table says now.
            Set-EwsEnabled contoso $null
            $now = @(((Invoke-Readiness) | Out-String -Width 120) -split '\r?\n')
            @($now | Where-Object { $_ -match '^NeedsCrossTenantAccess\s+now\s+fabrikam\.com\s+Relationship\s+Fabrikam' }).Count | Should -Be 1
        }

        It '-DomainName narrows to one partner and leaves out the rules for everyone; it binds from Get-OrganizationRelationship' {
            if (Skip-Untrusted) { return }
            New-ContosoForFabrikam
            New-AdatumRelationship
            $rows = Invoke-Readiness @{ DomainName = 'FABRIKAM.com' }
            @($rows | ForEach-Object Identity) | Should -Be @('EwsEnabled: not set', 'Fabrikam')
            $piped = @(Get-OrganizationRelationship -Connection $contoso -Identity Adatum | Get-CalendarFederationReadiness -Connection $contoso)
            @($piped | ForEach-Object Identity) | Should -Be @('EwsEnabled: not set', 'Adatum')
            $byTenant = @(Get-CalendarFederationReadiness -Connection $contoso -PartnerTenantId $FabrikamId.ToUpperInvariant())
            @($byTenant | ForEach-Object Identity) | Should -Be @('EwsEnabled: not set', 'Fabrikam')
        }

        It 'stops with <Id> for <What>' -TestCases @(
            @{ What = 'a domain that is not one'; Id = 'InvalidDomainName'; Parameters = @{ DomainName = 'alex@fabrikam.com' } }
            @{ What = 'a tenant id that is not a GUID'; Id = 'InvalidArgument'; Parameters = @{ PartnerTenantId = 'fabrikam' } }
            @{ What = 'the same tenant as partner'; Id = 'SameTenant'; Parameters = @{ PartnerConnection = 'self' } }
        ) {
            if (Skip-Untrusted) { return }
            $all = @{ Connection = $contoso }
            foreach ($key in $Parameters.Keys) { $all[$key] = $Parameters[$key] }
            if ($all['PartnerConnection'] -eq 'self') { $all['PartnerConnection'] = $contoso }
            { Get-CalendarFederationReadiness @all -ErrorAction Stop } | Should -Throw -ErrorId "$Id,$cmdletId"
        }

        It 'completes -DomainName with the relationships'' domains and takes no -WhatIf' {
            if (Skip-Untrusted) { return }
            New-ContosoForFabrikam
            $parameter = (Get-Command Get-CalendarFederationReadiness).Parameters['DomainName']
            $completer = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] })[0].Type
            $completer.Name | Should -BeExactly 'RelationshipDomainCompleter'
            $found = @($completer::new().CompleteArgument('Get-CalendarFederationReadiness', 'DomainName', 'fab', $null, @{ Connection = $contoso }))
            @($found | ForEach-Object CompletionText) | Should -Be @('fabrikam.com')
            $none = @($completer::new().CompleteArgument('Get-CalendarFederationReadiness', 'DomainName', 'zzz', $null, @{ Connection = $contoso }))
            $none.Count | Should -Be 0
            (Get-Command Get-CalendarFederationReadiness).Parameters.ContainsKey('WhatIf') | Should -BeFalse
        }
    }
}
