# Test-OrganizationRelationship through the BUILT module against the sandbox's contoso (local) and fabrikam (partner),
# connected app-only, and adatum (an on-premises-style partner, never connected): which findings come out, in which
# rank, for each way free/busy breaks, and how the default table shows them. Each test starts from the
# sandbox's reset state (no relationships, both tenants hydrated, no fault rules), with EwsEnabled True on both tenants:
# these tests are about the relationships themselves, so EWS is kept on (EwsEnabled not set is EwsAtRisk, which
# CrossTenantDiagnostics.Tests.ps1 covers with the rest of the cross-tenant access findings). Without trust in the
# sandbox's https root every test is skipped and says why. Windows PowerShell 5.1 compatible.

BeforeAll {
    # These tests cover the organization-relationship backend; -Method Auto would choose the cross-tenant access policy here.
    $PSDefaultParameterValues['New-CalendarFederation:Method'] = 'OrganizationRelationship'
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    . (Join-Path $PSScriptRoot 'CrossTenantDiagnosticsHelpers.ps1')
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:environmentName = 'FederationDiagnosticsSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $environmentName
    $script:cmdletId = 'CalendarFederation.Commands.TestOrganizationRelationshipCommand'
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
    $script:L = 'contoso.onmicrosoft.com'
    $script:P = 'fabrikam.onmicrosoft.com'

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }

    function script:Reset-Federation {
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/faults" | Out-Null
        Reset-CFSandbox -Sandbox $sandbox
        foreach ($tenant in 'contoso', 'fabrikam') { Set-CFEwsEnabled -Sandbox $sandbox -Tenant $tenant -Value $true }
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/requests" | Out-Null
    }

    # The free/busy questions the probe asked (Graph also serves the cross-tenant access policy reads).
    function script:Get-ScheduleRequests {
        @(Get-ServiceRequests graph | Where-Object { "$($_.path)" -match '/getSchedule$' })
    }

    # The sandbox's request log for one service ('adminapi', 'graph'); entries of other services lack the field, which
    # matters under Set-StrictMode (Invoke-PesterSuite.ps1 sets it).
    function script:Get-ServiceRequests([string] $Service) {
        @(Get-CFSandboxRequests -Sandbox $sandbox | Where-Object { $p = $_.PSObject.Properties['service']; $p -and $p.Value -eq $Service })
    }

    function script:Set-Sandbox([string] $Path) {
        Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/$Path" | Out-Null
    }

    # Both sides as New-CalendarFederation sets them up: all domains, AvailabilityOnly each way, fresh targets.
    function script:New-BothSides {
        $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam -FreeBusyAccessLevel AvailabilityOnly)
        $sides | ForEach-Object { $_.Action | Should -Be 'Created' }
    }

    # Contoso's side only, the classic way: since 2025 discovery gives one domain.
    function script:New-LocalSideClassic {
        Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName $environmentName |
            New-OrganizationRelationship -Connection $contoso -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -WarningAction SilentlyContinue | Out-Null
    }

    function script:Invoke-Test {
        param([hashtable] $Parameters = @{})
        $all = @{ Connection = $contoso }
        foreach ($key in $Parameters.Keys) { $all[$key] = $Parameters[$key] }
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/requests" | Out-Null
        $findings = @(Test-OrganizationRelationship @all)
        Assert-Ranked $findings
        # A diagnostic never writes.
        @(Get-ServiceRequests adminapi | Where-Object { $_.isWrite }).Count | Should -Be 0
        , $findings
    }

    # Ranks are 1..n in output order, and Blocking comes before Warning before Info before Pass.
    function script:Assert-Ranked([object[]] $Findings) {
        $Findings.Count | Should -BeGreaterThan 0
        $order = @{ Blocking = 0; Warning = 1; Info = 2; Pass = 3 }
        for ($i = 0; $i -lt $Findings.Count; $i++) {
            $Findings[$i].Rank | Should -Be ($i + 1)
            $order.ContainsKey($Findings[$i].Severity) | Should -BeTrue -Because "'$($Findings[$i].Severity)' is a known severity"
            if ($i -gt 0) {
                $order[$Findings[$i].Severity] | Should -BeGreaterOrEqual $order[$Findings[$i - 1].Severity] -Because "finding $($i + 1) ($($Findings[$i].Check)) follows $($Findings[$i - 1].Check)"
            }
        }
    }

    function script:Checks([object[]] $Findings) {
        @($Findings | ForEach-Object { $_.Check })
    }

    function script:Find([object[]] $Findings, [string] $Check) {
        $found = @($Findings | Where-Object { $_.Check -eq $Check })
        $found.Count | Should -Be 1 -Because "$Check should come out once among: $((Checks $Findings) -join ', ')"
        $found[0]
    }

    # The sandbox's Autodiscover requests (they carry no 'service'), as host, path and domain.
    function script:Get-AutodiscoverRequests {
        @(Get-CFSandboxRequests -Sandbox $sandbox | Where-Object { -not $_.PSObject.Properties['service'] -and $_.PSObject.Properties['domain'] } |
            ForEach-Object { [pscustomobject]@{ Host = $_.host; Path = $_.path; Domain = $_.domain } })
    }

    # Adatum's relationship as built from its on-premises Autodiscover: a sandbox endpoint reached as 'localhost' (not the
    # cloud's 127.0.0.1), which answers adatum.com with Adatum's on-premises ApplicationUri.
    function script:New-AdatumRelationship {
        $script:adatumEndpoint = "http://localhost:$($sandbox.Ports[1])/autodiscover/autodiscover.svc"
        Get-FederationInformation -DomainName adatum.com -AutodiscoverUri $adatumEndpoint |
            New-OrganizationRelationship -Connection $contoso -Name Adatum -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -WarningAction SilentlyContinue | Out-Null
        $stored = Get-OrganizationRelationship -Connection $contoso -Identity Adatum
        "$($stored.TargetApplicationUri)" | Should -BeExactly 'FYDIBOHF25SPDLT.adatum.com'
        "$($stored.TargetAutodiscoverEpr)" | Should -BeExactly "$adatumEndpoint/WSSecurity"
    }

    # The cloud endpoint (127.0.0.1) answering adatum.com as Exchange Online answers a hybrid organization's domain: outlook.com.
    function script:Add-CloudAnswersHybrid {
        $answer = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
            '<GetFederationInformationResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover"><Response>' +
            '<ErrorCode>NoError</ErrorCode><ErrorMessage/><ApplicationUri>outlook.com</ApplicationUri><Domains><Domain>adatum.com</Domain></Domains>' +
            '<TokenIssuers><TokenIssuer><Endpoint>https://login.microsoftonline.com/extSTS.srf</Endpoint><Uri>urn:federation:MicrosoftOnline</Uri></TokenIssuer></TokenIssuers>' +
            '</Response></GetFederationInformationResponseMessage></s:Body></s:Envelope>'
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ host = '127.0.0.1'; domain = 'adatum.com'; rawBody = $answer } | Out-Null
        # What the old cloud-first re-discovery compared with.
        (Get-FederationInformation -DomainName adatum.com -ExchangeEnvironmentName $environmentName).TargetApplicationUri.OriginalString | Should -BeExactly 'outlook.com'
    }

    # An Exchange "not found" for a group, as the admin API answers when a scope group has been deleted.
    function script:Add-GroupGoneFault([string] $Tenant, [string] $Group) {
        $message = "Ex94914C|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|Couldn't find object `"$Group`". Please make sure that it was spelled correctly or specify a different object."
        $raw = @{ error = @{ code = 'BadRequest'; message = 'Error executing cmdlet'; details = @(@{ code = 'Context'; target = ''; message = $message }) } } | ConvertTo-Json -Depth 5 -Compress
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = $Tenant; cmdlet = 'Get-DistributionGroup'; status = 400; rawBody = $raw } | Out-Null
    }
}

AfterAll {
    foreach ($connection in @($contoso, $fabrikam)) {
        if ($connection) { Disconnect-CalendarFederation -Connection $connection -Confirm:$false }
    }
    Stop-CFSandbox $sandbox
}

Describe 'Test-OrganizationRelationship (built module)' -Tag 'Federation' {
    BeforeEach {
        if ($trusted) { Reset-Federation }
    }

    Context 'relationships missing' {
        It 'names both missing sides, local first, when neither tenant has one' {
            if (Skip-Untrusted) { return }
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            Checks $findings | Should -BeExactly @('LocalRelationshipMissing', 'PartnerRelationshipMissing')
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Side | Should -BeExactly $L
            $findings[0].Recommendation | Should -Match 'New-CalendarFederation'
            $findings[1].Severity | Should -BeExactly 'Blocking'
            $findings[1].Side | Should -BeExactly $P
            $findings[1].Message | Should -Match 'one-way'
        }

        It 'puts PartnerRelationshipMissing first when only the local side exists (the classic one-sided setup)' {
            if (Skip-Untrusted) { return }
            New-LocalSideClassic
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            $findings[0].Check | Should -BeExactly 'PartnerRelationshipMissing'
            $findings[0].Rank | Should -Be 1
            $findings[0].Side | Should -BeExactly $P
            Checks $findings | Should -Not -Contain 'LocalRelationshipMissing'
            $probe = @($findings | Where-Object { $_.Side -eq 'Probe' })
            $probe.Count | Should -Be 1
            $probe[0].Check | Should -BeExactly 'FreeBusyNotVisible'
            $probe[0].Message | Should -Match 'ErrorFreeBusyAccessDenied'
            # The classic flow also left out the partner's other domains.
            $notCovered = Find $findings 'PartnerDomainsNotCovered'
            $notCovered.Severity | Should -BeExactly 'Warning'
            $notCovered.Message | Should -Match 'fabrikam\.onmicrosoft\.com, fabrikam\.co\.uk'
        }
    }

    Context 'relationships disabled or not sharing' {
        It 'ranks LocalRelationshipDisabled first when the local side is disabled' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -Enabled $false -Force | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            $findings[0].Check | Should -BeExactly 'LocalRelationshipDisabled'
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Side | Should -BeExactly $L
            $findings[0].Recommendation | Should -BeExactly "Set-OrganizationRelationship -Identity 'Fabrikam' -Enabled `$true"
            (Find $findings 'FreeBusyNotVisible').Side | Should -BeExactly 'Probe'
            Checks $findings | Should -Not -Contain 'NoProblemsFound'
        }

        It 'ranks PartnerRelationshipDisabled first when the partner side is disabled' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -Enabled $false -Force | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            $findings[0].Check | Should -BeExactly 'PartnerRelationshipDisabled'
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Side | Should -BeExactly $P
            $findings[0].Recommendation | Should -Match "-Connection <fabrikam\.onmicrosoft\.com> -Identity 'Contoso' -Enabled \`$true"
            (Find $findings 'FreeBusyNotVisible').Severity | Should -BeExactly 'Blocking'
        }

        It 'ranks PartnerFreeBusyNotShared first when the partner shares no free/busy' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -FreeBusyAccessEnabled $false | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            $findings[0].Check | Should -BeExactly 'PartnerFreeBusyNotShared'
            $findings[0].Side | Should -BeExactly $P
            (Find $findings 'FreeBusyNotVisible').Message | Should -Match 'ErrorFreeBusyAccessDenied'
        }

        It 'treats FreeBusyAccessLevel None on the partner side as not sharing, and the local one as a warning' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -FreeBusyAccessLevel None | Out-Null
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -FreeBusyAccessLevel None | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            $findings[0].Check | Should -BeExactly 'PartnerFreeBusyNotShared'
            (Find $findings 'LocalFreeBusyNotShared').Severity | Should -BeExactly 'Warning'
        }
    }

    Context 'domains' {
        It 'warns PartnerDomainsNotCovered naming only the missing partner domain' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -DomainNames @{ Remove = 'fabrikam.co.uk' } | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            Checks $findings | Should -BeExactly @('PartnerDomainsNotCovered')
            $findings[0].Severity | Should -BeExactly 'Warning'
            $findings[0].Side | Should -BeExactly $L
            $findings[0].Message | Should -Match "lists fabrikam\.co\.uk:"
            $findings[0].Recommendation | Should -BeExactly "Set-OrganizationRelationship -Identity 'Fabrikam' -DomainNames @{Add='fabrikam.co.uk'}"
        }

        It 'names a split of the partner''s domains across two local relationships instead of recommending a refused change' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -DomainNames @{ Remove = 'fabrikam.co.uk' } | Out-Null
            $fresh = Get-FederationInformation -DomainName fabrikam.onmicrosoft.com -ExchangeEnvironmentName $environmentName
            New-OrganizationRelationship -Connection $contoso -Name FabUK -DomainNames fabrikam.co.uk -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
                -TargetApplicationUri $fresh.TargetApplicationUri -TargetAutodiscoverEpr $fresh.TargetAutodiscoverEpr -WarningAction SilentlyContinue | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            @($findings | Where-Object { $_.Message -match "'FabUK'" }).Count | Should -BeGreaterThan 0 -Because 'the split should be named'
            @($findings | Where-Object { "$($_.Recommendation)" -match "-Identity 'Fabrikam' -DomainNames @\{Add='fabrikam\.co\.uk'\}" }).Count | Should -Be 0
        }

        It 'warns LocalDomainsNotCoveredByPartner when the partner''s relationship lacks one of our domains' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -DomainNames @{ Remove = 'sales.contoso.com' } | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            Checks $findings | Should -BeExactly @('LocalDomainsNotCoveredByPartner')
            $findings[0].Side | Should -BeExactly $P
            $findings[0].Message | Should -Match 'sales\.contoso\.com'
        }
    }

    Context 'stale targets' {
        It 'ranks TargetApplicationUriStale as Blocking with the freshly discovered value' {
            if (Skip-Untrusted) { return }
            New-BothSides
            $fresh = Get-FederationInformation -DomainName fabrikam.onmicrosoft.com -ExchangeEnvironmentName $environmentName
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -TargetApplicationUri 'fabrikam.example.net' | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            $findings[0].Check | Should -BeExactly 'TargetApplicationUriStale'
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Side | Should -BeExactly $L
            $findings[0].Message | Should -Match "TargetApplicationUri fabrikam\.example\.net, but fabrikam\.onmicrosoft\.com now answers $([regex]::Escape("$($fresh.TargetApplicationUri)"))"
            $findings[0].Recommendation | Should -BeExactly "Set-OrganizationRelationship -Identity 'Fabrikam' -TargetApplicationUri $($fresh.TargetApplicationUri)"
        }

        It 'warns TargetAutodiscoverEprStale, and New-CalendarFederation puts the discovered endpoint back' {
            if (Skip-Untrusted) { return }
            New-BothSides
            $fresh = Get-FederationInformation -DomainName fabrikam.onmicrosoft.com -ExchangeEnvironmentName $environmentName
            $stale = 'https://autodiscover.fabrikam.example.net/autodiscover/autodiscover.svc/WSSecurity'
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -TargetAutodiscoverEpr $stale | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            Checks $findings | Should -BeExactly @('TargetAutodiscoverEprStale')
            $findings[0].Severity | Should -BeExactly 'Warning'
            $findings[0].Message | Should -Match ([regex]::Escape("has TargetAutodiscoverEpr $stale, but discovery now gives $($fresh.TargetAutodiscoverEpr)"))

            $sides = @(New-CalendarFederation -Connection $contoso -PartnerConnection $fabrikam)
            $sides[0].Action | Should -BeExactly 'Updated'
            @($sides[0].Changes) | Should -BeExactly @("TargetAutodiscoverEpr: $stale -> $($fresh.TargetAutodiscoverEpr)")
            Checks (Invoke-Test @{ PartnerConnection = $fabrikam }) | Should -BeExactly @('NoProblemsFound')
        }
    }

    Context 'hybrid and on-premises partners' {
        It 're-discovers a hybrid partner at the relationship''s own TargetAutodiscoverEpr: no false TargetApplicationUriStale, and PartnerIsHybrid' {
            if (Skip-Untrusted) { return }
            New-AdatumRelationship
            Add-CloudAnswersHybrid
            $findings = Invoke-Test @{ Identity = 'Adatum' }
            # Compared with the cloud's outlook.com, the on-premises FYDIBOHF25SPDLT.adatum.com used to be a Blocking TargetApplicationUriStale.
            Checks $findings | Should -BeExactly @('PartnerSideNotChecked', 'PartnerIsHybrid', 'NoProblemsFound')
            $hybrid = Find $findings 'PartnerIsHybrid'
            $hybrid.Severity | Should -BeExactly 'Info'
            $hybrid.Side | Should -BeExactly 'adatum.com'
            $hybrid.Message | Should -Match ([regex]::Escape("reaches its on-premises Exchange (FYDIBOHF25SPDLT.adatum.com), while Microsoft 365 also answers for adatum.com"))
            $hybrid.Message | Should -Match ([regex]::Escape("$adatumEndpoint/WSSecurity, its TargetAutodiscoverEpr"))
            # Asked: the stored endpoint (as localhost), and the cloud alone to tell hybrid from on-premises; adatum's own hosts not at all.
            $asked = @(Get-AutodiscoverRequests | Where-Object { $_.Domain -eq 'adatum.com' })
            @($asked | Where-Object { $_.Host -eq 'localhost' } | ForEach-Object { $_.Path }) | Should -BeExactly @('/autodiscover/autodiscover.svc/WSSecurity')
            @($asked | Where-Object { $_.Host -eq '127.0.0.1' }).Count | Should -Be 1
            $asked.Count | Should -Be 2
        }

        It 'calls a partner on Exchange on-premises only PartnerIsOnPremises, and still finds a stale TargetApplicationUri at its endpoint' {
            if (Skip-Untrusted) { return }
            New-AdatumRelationship
            Checks (Invoke-Test @{ DomainName = 'adatum.com' }) | Should -BeExactly @('PartnerSideNotChecked', 'PartnerIsOnPremises', 'NoProblemsFound')

            Set-OrganizationRelationship -Connection $contoso -Identity Adatum -TargetApplicationUri 'FYDIBOHF25SPDLT.adatum.example' | Out-Null
            $findings = Invoke-Test @{ DomainName = 'adatum.com' }
            $findings[0].Check | Should -BeExactly 'TargetApplicationUriStale'
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Message | Should -BeExactly ("'Adatum' has TargetApplicationUri FYDIBOHF25SPDLT.adatum.example, but $adatumEndpoint/WSSecurity, its TargetAutodiscoverEpr, " +
                'now answers FYDIBOHF25SPDLT.adatum.com for adatum.com.')
            $findings[0].Recommendation | Should -BeExactly "Set-OrganizationRelationship -Identity 'Adatum' -TargetApplicationUri FYDIBOHF25SPDLT.adatum.com"
        }
    }

    Context 'scope groups' {
        It 'warns LocalScopeGroupTooLarge for AllStaff (12,000 members, more than 10,000)' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -FreeBusyAccessScope AllStaff | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            Checks $findings | Should -BeExactly @('LocalScopeGroupTooLarge')
            $findings[0].Severity | Should -BeExactly 'Warning'
            $findings[0].Side | Should -BeExactly $L
            $findings[0].Message | Should -Match "'AllStaff'"
            $findings[0].Message | Should -Match 'more than 10[,.]000 members'
        }

        It 'finds nothing wrong with a small local scope group' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -FreeBusyAccessScope CalendarSharing | Out-Null
            Checks (Invoke-Test @{ PartnerConnection = $fabrikam }) | Should -BeExactly @('NoProblemsFound')
        }

        It 'warns LocalScopeGroupMissing when the local scope group no longer exists' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -FreeBusyAccessScope CalendarSharing | Out-Null
            Add-GroupGoneFault -Tenant contoso -Group CalendarSharing
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            Checks $findings | Should -BeExactly @('LocalScopeGroupMissing')
            $findings[0].Severity | Should -BeExactly 'Warning'
            $findings[0].Side | Should -BeExactly $L
            $findings[0].Message | Should -Match "the group 'CalendarSharing', which does not exist"
        }

        It 'blocks with PartnerScopeGroupMissing when the partner''s scope group no longer exists' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -FreeBusyAccessScope FreeBusyShared | Out-Null
            Add-GroupGoneFault -Tenant fabrikam -Group FreeBusyShared
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            $findings[0].Check | Should -BeExactly 'PartnerScopeGroupMissing'
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Side | Should -BeExactly $P
        }

        It 'blocks with PartnerScopeExcludesMailbox for a mailbox outside the partner''s scope group, and not for one inside' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -FreeBusyAccessScope FreeBusyShared | Out-Null
            $outside = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'nestor@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            $outside[0].Check | Should -BeExactly 'PartnerScopeExcludesMailbox'
            $outside[0].Severity | Should -BeExactly 'Blocking'
            $outside[0].Side | Should -BeExactly $P
            $outside[0].Message | Should -Match "nestor@fabrikam\.com is not a member of 'FreeBusyShared'"
            (Find $outside 'FreeBusyNotVisible').Message | Should -Match 'ErrorFreeBusyScopeExcluded'

            $inside = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $inside | Should -Not -Contain 'PartnerScopeExcludesMailbox'
            Checks $inside | Should -Contain 'FreeBusyVisibleAvailabilityOnly'
        }

        It 'does not call a member of a very large partner scope group excluded' {
            if (Skip-Untrusted) { return }
            $members = @(1..10001 | ForEach-Object { 'ext{0:00000}@partner.example' -f $_ }) + 'lee@fabrikam.com'
            $group = @{ name = 'BigShared'; displayName = 'Big shared'; address = 'bigshared@fabrikam.com'; members = $members } | ConvertTo-Json -Depth 3 -Compress
            Invoke-RestMethod -Method Post -Uri "$($sandbox.Url)/_sandbox/tenants/fabrikam/groups" -Body $group -ContentType 'application/json' | Out-Null
            New-BothSides
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -FreeBusyAccessScope BigShared | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -Contain 'FreeBusyVisibleAvailabilityOnly'
            Checks $findings | Should -Not -Contain 'PartnerScopeExcludesMailbox'
            Checks $findings | Should -Contain 'PartnerScopeGroupTooLarge'
        }
    }

    Context 'calendar permission and hydration' {
        It 'blocks with CalendarDefaultPermissionNone for pradeep, whose calendar grants Default None' {
            if (Skip-Untrusted) { return }
            New-BothSides
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'pradeep@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            Checks $findings | Should -BeExactly @('CalendarDefaultPermissionNone', 'FreeBusyNotVisible')
            $findings[0].Severity | Should -BeExactly 'Blocking'
            $findings[0].Side | Should -BeExactly $P
            $findings[0].Recommendation | Should -Match ([regex]::Escape("Set-MailboxFolderPermission -Identity 'pradeep@fabrikam.com:\Calendar' -User Default -AccessRights AvailabilityOnly"))
            $findings[1].Side | Should -BeExactly 'Probe'
            $findings[1].Message | Should -Match 'ErrorFreeBusyLevelNone'
        }

        It 'ranks TenantDehydrated first for a dehydrated local tenant' {
            if (Skip-Untrusted) { return }
            Set-Sandbox 'tenants/contoso/dehydrated?value=true'
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            $findings[0].Check | Should -BeExactly 'TenantDehydrated'
            $findings[0].Side | Should -BeExactly $L
            $findings[0].Recommendation | Should -Match 'Enable-OrganizationCustomization'
        }

        It 'ranks TenantDehydrated first for a dehydrated partner tenant' {
            if (Skip-Untrusted) { return }
            Set-Sandbox 'tenants/fabrikam/dehydrated?value=true'
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            $findings[0].Check | Should -BeExactly 'TenantDehydrated'
            $findings[0].Side | Should -BeExactly $P
            $findings[0].Recommendation | Should -Match 'Enable-OrganizationCustomization -Connection <fabrikam\.onmicrosoft\.com>'
            Checks $findings | Should -Contain 'PartnerRelationshipMissing'
        }
    }

    Context 'the default view' {
        It 'shows each recommendation on the line under its finding at 120 columns, without Format-List' {
            if (Skip-Untrusted) { return }
            New-BothSides
            Set-OrganizationRelationship -Connection $contoso -Identity Fabrikam -Enabled $false -Force | Out-Null
            Set-OrganizationRelationship -Connection $fabrikam -Identity Contoso -FreeBusyAccessLevel LimitedDetails | Out-Null
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam }
            Checks $findings | Should -BeExactly @('LocalRelationshipDisabled', 'FreeBusyLevelsDiffer')
            $lines = @((($findings | Out-String -Width 120) -split '\r?\n') | ForEach-Object { $_.TrimEnd() })
            $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
            $header = @($lines | Where-Object { $_ -match '^\s*#\s+Severity\s+Check\s+Message$' })
            $header.Count | Should -Be 1
            $at = [array]::FindIndex([string[]] $lines, [Predicate[string]] { param($l) $l -match "LocalRelationshipDisabled\s+'Fabrikam' in contoso\.onmicrosoft\.com is disabled\.$" })
            $at | Should -BeGreaterThan -1 -Because ($lines -join [Environment]::NewLine)
            $lines[$at + 1].Trim() | Should -BeExactly "-> Set-OrganizationRelationship -Identity 'Fabrikam' -Enabled `$true"
            # The recommendation sits in the Message column, under the message.
            $lines[$at + 1].IndexOf('->') | Should -Be $lines[$at].IndexOf("'Fabrikam' in")
            # A finding without a recommendation gets no second line.
            @($lines | Where-Object { $_ -match '->' }).Count | Should -Be 1
        }
    }

    Context 'what was asked' {
        It 'says PartnerSideNotChecked without -PartnerConnection' {
            if (Skip-Untrusted) { return }
            New-BothSides
            $findings = Invoke-Test @{ Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            $notChecked = Find $findings 'PartnerSideNotChecked'
            $notChecked.Severity | Should -BeExactly 'Info'
            $notChecked.Recommendation | Should -Match '-PartnerConnection'
            Checks $findings | Should -Contain 'FreeBusyVisibleAvailabilityOnly'
            Checks $findings | Should -Not -Contain 'PartnerRelationshipMissing'
        }

        It 'says PartnerSideNotChecked for -DomainName and for -Identity alone' {
            if (Skip-Untrusted) { return }
            Checks (Invoke-Test @{ DomainName = 'fabrikam.com' }) | Should -BeExactly @('LocalRelationshipMissing', 'PartnerSideNotChecked')
            New-LocalSideClassic
            $findings = Invoke-Test @{ Identity = 'Fabrikam' }
            Checks $findings | Should -Contain 'PartnerSideNotChecked'
            Checks $findings | Should -Contain 'PartnerDomainsUnknown'
        }

        It 'stops with PartnerNotNamed when nothing names the partner' {
            if (Skip-Untrusted) { return }
            { Test-OrganizationRelationship -Connection $contoso -ErrorAction Stop } | Should -Throw -ErrorId "PartnerNotNamed,$cmdletId"
            try { Test-OrganizationRelationship -Connection $contoso -ErrorAction Stop } catch { $record = $_ }
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.ErrorDetails.RecommendedAction | Should -Match '-PartnerConnection'
            $record.Exception.Message | Should -Not -Match ' -[A-Z]'   # the engine names no parameters; the cmdlet's advice does
        }

        It 'stops with OrganizationRelationshipNotFound for an unknown -Identity' {
            if (Skip-Untrusted) { return }
            New-BothSides
            { Test-OrganizationRelationship -Connection $contoso -Identity 'No such relationship' -ErrorAction Stop } |
                Should -Throw -ErrorId "OrganizationRelationshipNotFound,$cmdletId"
            try { Test-OrganizationRelationship -Connection $contoso -Identity 'No such relationship' -PartnerConnection $fabrikam -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeExactly "OrganizationRelationshipNotFound,$cmdletId"
            $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $record.Exception.Message | Should -Match "'No such relationship' couldn't be found in contoso\.onmicrosoft\.com"
        }

        It 'skips the probe (ProbeSkipped) on an app-only connection without -RequesterMailbox, asking nothing of Graph' {
            if (Skip-Untrusted) { return }
            New-BothSides
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com' }
            $skipped = Find $findings 'ProbeSkipped'
            $skipped.Severity | Should -BeExactly 'Info'
            $skipped.Side | Should -BeExactly 'Probe'
            # The message says what happened; the parameter to add is the recommendation's.
            $skipped.Message | Should -Match 'app-only connection'
            $skipped.Message | Should -Not -Match ' -[A-Z]'
            $skipped.Recommendation | Should -Match '-RequesterMailbox <a mailbox of contoso\.onmicrosoft\.com>'
            @($findings | Where-Object { $_.Check -like 'FreeBusy*' }).Count | Should -Be 0
            @(Get-ScheduleRequests).Count | Should -Be 0
        }

        It 'ends with NoProblemsFound (Pass) when both sides are right, and writes nothing' {
            if (Skip-Untrusted) { return }
            New-BothSides
            $findings = Invoke-Test @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            $findings[-1].Check | Should -BeExactly 'NoProblemsFound'
            $findings[-1].Severity | Should -BeExactly 'Pass'
            @($findings | Where-Object { $_.Severity -eq 'Blocking' -or $_.Severity -eq 'Warning' }).Count | Should -Be 0
            (Find $findings 'FreeBusyVisibleAvailabilityOnly').Message | Should -Match '09:00-10:00 UTC busy'
            # It asked the real question once, as alex, for lee.
            $asked = @(Get-ScheduleRequests)
            $asked.Count | Should -Be 1
            $asked[0].requester | Should -Be 'alex@contoso.com'
            @($asked[0].schedules) | Should -Be @('lee@fabrikam.com')
        }

        It 'reports a probe without the calendar permission as FreeBusyProbeNotRun (Info) naming the grant, and the other findings stand' {
            if (Skip-Untrusted) { return }
            New-BothSides
            $parameters = @{ PartnerConnection = $fabrikam; Mailbox = 'lee@fabrikam.com'; RequesterMailbox = 'alex@contoso.com' }
            $baseline = Invoke-Test $parameters
            # The automation app without Calendars.ReadBasic.All: everything else it needs, and Graph's getSchedule refuses it.
            $appId = 'c0a5e000-0000-4000-8000-0000000000c7'
            $app = @{ appId = $appId; displayName = 'No calendar permission'; secret = 'no-calendar-secret'; directoryRoles = @('Exchange Administrator')
                roles = @('Exchange.ManageAsApp', 'Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess', 'Policy.ReadWrite.CrossTenantCapability', 'CrossTenantInformation.ReadBasic.All') }
            try { Invoke-RestMethod -Method Post -Uri "$($sandbox.Url)/_sandbox/tenants/contoso/apps" -Body ($app | ConvertTo-Json) -ContentType 'application/json' | Out-Null }
            catch { if ("$_" -notmatch 'already') { throw } }
            $noCalendar = Connect-CalendarFederation -AppId $appId -Organization $L -ClientSecret (ConvertTo-SecureString $app.secret -AsPlainText -Force) `
                -ExchangeEnvironmentName $environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
            try {
                $parameters.Connection = $noCalendar
                $findings = Invoke-Test $parameters
                $notRun = Find $findings 'FreeBusyProbeNotRun'
                $notRun.Severity | Should -BeExactly 'Info'
                $notRun.Side | Should -BeExactly 'Probe'
                $notRun.Message | Should -BeExactly ("The free/busy probe could not run: Microsoft Graph refused getSchedule (HTTP 403: Access is denied. Check credentials and try again.); " +
                    "grant Calendars.ReadBasic.All to $appId. The other findings stand; only the live question was not asked.")
                $notRun.Recommendation | Should -Match ('^Grant app ' + [regex]::Escape($appId) + ' the Microsoft Graph application permission Calendars\.ReadBasic\.All')
                # No free/busy verdict either way, and the rest is what the permitted app found.
                @($findings | Where-Object { $_.Check -like 'FreeBusy*' -and $_.Check -ne 'FreeBusyProbeNotRun' }).Count | Should -Be 0
                @($findings | Where-Object { $_.Severity -eq 'Blocking' -or $_.Severity -eq 'Warning' }).Count | Should -Be 0
                Checks $findings | Where-Object { $_ -ne 'FreeBusyProbeNotRun' } | Should -Be @(Checks $baseline | Where-Object { $_ -notlike 'FreeBusyVisible*' })
                $asked = @(Get-ScheduleRequests)
                $asked.Count | Should -Be 1
                $asked[0].status | Should -Be 403
            }
            finally {
                Disconnect-CalendarFederation -Connection $noCalendar -Confirm:$false
            }
        }
    }
}
