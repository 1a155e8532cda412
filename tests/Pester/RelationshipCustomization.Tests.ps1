# Enable-OrganizationCustomization, which a tenant needs before it can have organization relationships, through the BUILT
# module against a sandbox process: every state of the tenant (enabled, dehydrated, hydrating, customization unavailable).
# Skipped (and saying why) when this process does not trust the sandbox's https root. Windows PowerShell 5.1 compatible.
# Every test starts and ends with POST /_sandbox/reset, which also restores the tenant's hydration state.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:envName = 'RelationshipCustomizationSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $envName
    $script:enableId = 'CalendarFederation.Commands.EnableOrganizationCustomizationCommand'
    $script:newId = 'CalendarFederation.Commands.NewOrganizationRelationshipCommand'

    . (Join-Path $PSScriptRoot 'RelationshipTestHelpers.ps1')

    function script:Get-ContosoState { Invoke-RestMethod -Uri "$($script:sandbox.Url)/_sandbox/tenants/contoso" }

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

Describe 'Enable-OrganizationCustomization (built module)' -Tag 'Relationships' {
    BeforeEach { if ($script:trusted) { Reset-Sandbox; Clear-SandboxRequests } }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    It 'says, without an error or a write, that an enabled tenant needs nothing' {
        if (Skip-Untrusted) { return }
        $out = Enable-OrganizationCustomization -InformationVariable info -ErrorVariable failures -ErrorAction Stop
        $out | Should -BeNullOrEmpty
        $failures | Should -HaveCount 0
        $info | Should -HaveCount 1
        "$($info[0].MessageData)" | Should -Match 'contoso\.onmicrosoft\.com is already enabled for customization'
        $info[0].Tags | Should -Contain 'CalendarFederation'
        Get-AdminWrites | Should -HaveCount 0
        (Get-AdminRequests | ForEach-Object { $_.cmdletName }) | Should -Be @('Get-OrganizationConfig')
    }

    It 'enables a dehydrated tenant, says hydration may take time, and relationships can then be created' {
        if (Skip-Untrusted) { return }
        Set-ContosoKnob 'dehydrated?value=true'
        Enable-OrganizationCustomization -InformationVariable info -ErrorAction Stop

        $writes = Get-AdminWrites
        $writes | Should -HaveCount 1
        $writes[0].cmdletName | Should -BeExactly 'Enable-OrganizationCustomization'
        $info | Should -HaveCount 1
        "$($info[0].MessageData)" | Should -Match 'Customization is being enabled for contoso\.onmicrosoft\.com'
        "$($info[0].MessageData)" | Should -Match 'can take up to an hour'
        "$($info[0].MessageData)" | Should -Match 'New-OrganizationRelationship may fail until it completes'

        # hydrationSeconds is 0: done at once.
        (Get-OrganizationConfig).IsDehydrated | Should -BeFalse
        (New-OrganizationRelationship -Name Hydrated -DomainNames hydrated.example -WarningAction SilentlyContinue -ErrorAction Stop).Name | Should -BeExactly 'Hydrated'
    }

    It 'says hydration is in progress (OrganizationHydrationInProgress) when run again while it runs' {
        if (Skip-Untrusted) { return }
        Set-ContosoKnob 'hydration?seconds=30'
        Set-ContosoKnob 'dehydrated?value=true'
        Enable-OrganizationCustomization -ErrorAction Stop
        (Get-ContosoState).isHydrating | Should -BeTrue

        { Enable-OrganizationCustomization -ErrorAction Stop } | Should -Throw -ErrorId "OrganizationHydrationInProgress,$enableId"
        try { Enable-OrganizationCustomization -ErrorAction Stop } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'ResourceBusy'
        $record.Exception.Message | Should -Match 'still being prepared'
        $record.Exception.Message | Should -Match 'temporarily disabled'
        $record.Exception.Message | Should -Match 'run Enable-OrganizationCustomization again'

        # Meanwhile relationship writes fail as on a dehydrated tenant.
        (Get-OrganizationConfig).IsDehydrated | Should -BeTrue
        { New-OrganizationRelationship -Name Hydrating -DomainNames hydrating.example -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId "OrganizationNotCustomized,$newId"
    }

    It 'says in plain words that customization is not available (OrganizationCustomizationNotAvailable)' {
        if (Skip-Untrusted) { return }
        Set-ContosoKnob 'dehydrated?value=true'
        Set-ContosoKnob 'customization-unavailable?value=true'
        { Enable-OrganizationCustomization -ErrorAction Stop } | Should -Throw -ErrorId "OrganizationCustomizationNotAvailable,$enableId"
        try { Enable-OrganizationCustomization -ErrorAction Stop } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $record.Exception.Message | Should -Match "contoso\.onmicrosoft\.com's subscription does not allow organization customization"
        $record.Exception.Message | Should -Match 'organization relationships cannot be created in it'
        # The service's own words are kept, quoted.
        $record.Exception.Message | Should -Match '"This operation is not available in current Service Offer"'
        (Get-ContosoState).isDehydrated | Should -BeTrue
    }

    It 'treats the service''s "not required" answer as done (another admin enabled it meanwhile)' {
        if (Skip-Untrusted) { return }
        Set-ContosoKnob 'dehydrated?value=true'
        $notRequired = '{"error":{"code":"BadRequest","message":"Error executing cmdlet","details":[{"code":"Context","target":"","message":"Ex7F1E22|System.InvalidOperationException|This operation is not required. Organization is already enabled for customization."}]}}'
        Add-CFSandboxFault -Sandbox $sandbox -Rule @{ service = 'adminapi'; tenant = 'contoso'; cmdlet = 'Enable-OrganizationCustomization'; status = 400; rawBody = $notRequired; remaining = 1 } | Out-Null
        Enable-OrganizationCustomization -InformationVariable info -ErrorVariable failures -ErrorAction Stop
        $failures | Should -HaveCount 0
        "$($info[0].MessageData)" | Should -Match 'already enabled for customization; nothing to do'
    }
}
