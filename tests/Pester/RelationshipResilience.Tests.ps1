# Organization relationships past Exchange's limits and through failures, with the BUILT module against a sandbox process:
# more than 238 domains, a chunk that fails, answers lost after the service applied a write, and throttling.
# Skipped (and saying why) when this process does not trust the sandbox's https root. Windows PowerShell 5.1 compatible.
# Every test starts and ends with POST /_sandbox/reset (relationships, faults, budgets); each Describe has names of its own.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:envName = 'RelationshipResilienceSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $envName
    $script:newId = 'CalendarFederation.Commands.NewOrganizationRelationshipCommand'
    $script:setId = 'CalendarFederation.Commands.SetOrganizationRelationshipCommand'
    # Exchange's body for a gateway that gave up; with rawBody the sandbox applies the write first, then answers this.
    $script:gatewayTimeout = '{"error":{"code":"GatewayTimeout","message":"The gateway did not receive a response in time."}}'

    . (Join-Path $PSScriptRoot 'RelationshipTestHelpers.ps1')

    function script:New-Domains([int] $Count, [string] $Suffix) { 1..$Count | ForEach-Object { "d$_.$Suffix" } }

    if ($script:trusted) {
        Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) `
            -ExchangeEnvironmentName $envName -WarningAction SilentlyContinue
    }
}

AfterAll {
    if ($script:trusted) { Reset-Sandbox }
    Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    Stop-CFSandbox $sandbox
}

Describe 'More than 238 domains (built module)' -Tag 'Relationships' {
    BeforeEach { if ($script:trusted) { Reset-Sandbox; Clear-SandboxRequests } }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    It 'creates a relationship with 600 domains: one New- with 238, then Set- calls add the rest' {
        if (Skip-Untrusted) { return }
        $domains = @(New-Domains 600 'partner600.example')

        $stream = New-OrganizationRelationship -Name Partner600 -DomainNames $domains -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
            -WarningAction SilentlyContinue -ErrorAction Stop -Verbose 4>&1
        $created = @($stream | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $verbose = @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })

        $verbose | Should -Contain "Creating 'Partner600' with 238 of 600 domains."
        $verbose | Should -Contain "Adding domains 239-476 of 600 to 'Partner600'."
        $verbose | Should -Contain "Adding domains 477-600 of 600 to 'Partner600'."

        # The sandbox refuses more than 238 domains in one request (its default domain cap), so every write here stayed within it.
        $writes = Get-AdminWrites
        ($writes | ForEach-Object { $_.cmdletName }) | Should -Be @('New-OrganizationRelationship', 'Set-OrganizationRelationship', 'Set-OrganizationRelationship')
        $writes | ForEach-Object { $_.status | Should -BeLessThan 300 }
        ($writes[1].parameterNames -join ',') | Should -BeExactly 'Identity,DomainNames,Confirm'
        ($writes[2].parameterNames -join ',') | Should -BeExactly 'Identity,DomainNames,Confirm'
        $writes[0].parameterNames | Should -Contain 'FreeBusyAccessLevel'

        $stored = @(Get-StoredRelationships)
        $stored | Should -HaveCount 1
        $storedDomains = @($stored[0].domainNames)
        $storedDomains | Should -HaveCount 600
        @($storedDomains | Sort-Object -Unique) | Should -HaveCount 600
        $storedDomains | Should -Be $domains
        $stored[0].freeBusyAccessLevel | Should -BeExactly 'AvailabilityOnly'

        $created | Should -HaveCount 1
        @($created[0].DomainNames) | Should -HaveCount 600
    }

    It 'sends exactly the first 238 with New-: a failing Set- leaves those, reported as OrganizationRelationshipPartiallyCreated' {
        if (Skip-Untrusted) { return }
        $domains = @(New-Domains 600 'partial600.example')
        # A bare status answers without running the cmdlet; 500 is not retried.
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'Set-OrganizationRelationship'; status = 500; remaining = 1 } | Out-Null

        $out = New-OrganizationRelationship -Name Partial600 -DomainNames $domains -WarningAction SilentlyContinue -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -Be "OrganizationRelationshipPartiallyCreated,$newId"
        $failures[0].CategoryInfo.Category | Should -Be 'WriteError'
        $failures[0].Exception.Message | Should -Match 'now has 238 of 600 domains'
        $failures[0].Exception.Message | Should -Match "Set-OrganizationRelationship -Identity 'Partial600' -DomainNames @\{Add=\.\.\.\}"
        $stored = Get-StoredRelationship Partial600
        @($stored.domainNames) | Should -Be $domains[0..237]
        # What exists now is written too, so a script can finish or undo it.
        @($out) | Should -HaveCount 1
        @($out[0].DomainNames) | Should -HaveCount 238
    }

    It 'replaces the domains with a list of 300: 238 in the Set-, the rest added' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name Replace300 -DomainNames old.replace300.example | Out-Null
        Clear-SandboxRequests
        $domains = @(New-Domains 300 'replace300.example')
        Set-OrganizationRelationship -Identity Replace300 -DomainNames $domains -ErrorAction Stop | Out-Null
        $stored = @((Get-StoredRelationship Replace300).domainNames)
        $stored | Should -HaveCount 300
        $stored | Should -Be $domains
        @(Get-AdminWrites | Where-Object { $_.cmdletName -eq 'Set-OrganizationRelationship' }) | Should -HaveCount 2
    }

    It 'adds 500 domains with @{Add=...} in chunks' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name Add500 -DomainNames first.add500.example | Out-Null
        Clear-SandboxRequests
        $domains = @(New-Domains 500 'add500.example')
        Set-OrganizationRelationship -Identity Add500 -DomainNames @{ Add = $domains } -ErrorAction Stop | Out-Null
        @((Get-StoredRelationship Add500).domainNames) | Should -HaveCount 501
        @(Get-AdminWrites | Where-Object { $_.cmdletName -eq 'Set-OrganizationRelationship' }) | Should -HaveCount 3
    }

    It 'adds 238 and removes one in one call without passing the per-request cap' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name AddRemove238 -DomainNames old.addremove.example | Out-Null
        $domains = @(New-Domains 238 'addremove.example')
        { Set-OrganizationRelationship -Identity AddRemove238 -DomainNames @{ Add = $domains; Remove = 'old.addremove.example' } -ErrorAction Stop } | Should -Not -Throw
        @((Get-StoredRelationship AddRemove238).domainNames) | Should -Be $domains
    }
}

Describe 'Answers lost after the service applied the write (built module)' -Tag 'Relationships' {
    BeforeEach { if ($script:trusted) { Reset-Sandbox; Clear-SandboxRequests } }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    It 'never creates two relationships when the answer to New- is lost and the request is retried' {
        if (Skip-Untrusted) { return }
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'New-OrganizationRelationship'; status = 504; rawBody = $gatewayTimeout; remaining = 1 } | Out-Null

        New-OrganizationRelationship -Name LostCreate -DomainNames lostcreate.example -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Out-Null

        $stored = @(Get-StoredRelationships)
        $stored | Should -HaveCount 1
        $stored[0].name | Should -BeExactly 'LostCreate'
        # Applied by the first attempt, which timed out at the gateway; the client retried the same request.
        $creates = @(Get-AdminRequests | Where-Object { $_.cmdletName -eq 'New-OrganizationRelationship' })
        $creates | Should -HaveCount 2
        $creates[0].status | Should -Be 504
    }

    It 'reports success, not an error, when the answer to New- is lost' {
        if (Skip-Untrusted) { return }
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'New-OrganizationRelationship'; status = 504; rawBody = $gatewayTimeout; remaining = 1 } | Out-Null
        $created = New-OrganizationRelationship -Name LostCreate -DomainNames lostcreate.example -WarningAction SilentlyContinue -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 0
        $created.Name | Should -BeExactly 'LostCreate'
        @(Get-StoredRelationships) | Should -HaveCount 1
    }

    It 'removes without an error when the answer to Remove- is lost' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name LostRemove -DomainNames lostremove.example | Out-Null
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'Remove-OrganizationRelationship'; status = 504; rawBody = $gatewayTimeout; remaining = 1 } | Out-Null
        Remove-OrganizationRelationship -Identity LostRemove -Confirm:$false -ErrorAction Stop
        Get-StoredRelationships | Should -HaveCount 0
        @(Get-AdminRequests | Where-Object { $_.cmdletName -eq 'Remove-OrganizationRelationship' }) | Should -HaveCount 2
    }

    It 'adds a domain once, without an error, when the answer to Set- is lost' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name LostSet -DomainNames lostset.example | Out-Null
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'Set-OrganizationRelationship'; status = 503; rawBody = $gatewayTimeout; remaining = 1 } | Out-Null
        Set-OrganizationRelationship -Identity LostSet -DomainNames @{ Add = 'lostset2.example' } -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        @((Get-StoredRelationship LostSet).domainNames) | Should -Be @('lostset.example', 'lostset2.example')
    }

    It 'retries a create the service refused with 503 without applying it' {
        if (Skip-Untrusted) { return }
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'New-OrganizationRelationship'; status = 503; remaining = 2 } | Out-Null
        $created = New-OrganizationRelationship -Name Retried -DomainNames retried.example -WarningAction SilentlyContinue -ErrorAction Stop
        $created.Name | Should -BeExactly 'Retried'
        @(Get-StoredRelationships) | Should -HaveCount 1
        @(Get-AdminRequests | Where-Object { $_.cmdletName -eq 'New-OrganizationRelationship' }) | Should -HaveCount 3
    }
}

Describe 'Throttling (built module)' -Tag 'Relationships' {
    BeforeEach {
        if ($script:trusted) {
            Reset-Sandbox
            Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/violations" | Out-Null
        }
    }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    # A budget of 2 per second: bursts of 2, then 429 with Retry-After 1 (whole seconds), which the module waits out in
    # real time; a few such waits show it, where 1 per second made the test wait for every request.
    It 'waits as the service asks and completes New, Set, Get and Remove under a budget of two requests per second' {
        if (Skip-Untrusted) { return }
        Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/tenants/contoso/budget?requestsPerSecond=2" | Out-Null
        Clear-SandboxRequests

        New-OrganizationRelationship -Name Throttled -DomainNames throttled.example -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        Set-OrganizationRelationship -Identity Throttled -DomainNames @{ Add = 'throttled2.example' } -ErrorAction Stop | Out-Null
        @(Get-OrganizationRelationship -ErrorAction Stop) | Should -HaveCount 1
        Remove-OrganizationRelationship -Identity Throttled -Confirm:$false -ErrorAction Stop

        Get-StoredRelationships | Should -HaveCount 0
        @(Get-AdminRequests | Where-Object { $_.status -eq 429 }).Count | Should -BeGreaterThan 0
        # No request came before the Retry-After the service sent had run out.
        @(Get-CFSandboxViolations -Sandbox $sandbox) | Should -HaveCount 0
        (Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/tenants/contoso/load").throttled | Should -BeGreaterThan 0
    }
}
