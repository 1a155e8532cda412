# Every tenant cmdlet of the BUILT module with a connection that cannot work: disconnected, refused by the service
# (a token it does not accept), and unreachable. Each must fail with the module's own id (ConnectionClosed,
# AuthenticationRequired, ConnectionFailed), never a raw .NET error (an id starting with "System."). A tenant cmdlet
# added later without a row below fails the first test, so the walk stays complete.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:envName = 'ConnectionStatesSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $envName
    . (Join-Path $PSScriptRoot 'RelationshipTestHelpers.ps1')

    # Minimal arguments per tenant cmdlet; each row gets -Connection (and -PartnerConnection where it takes one).
    $script:calls = [ordered]@{
        'Get-OrganizationConfig'             = @{}
        'Enable-OrganizationCustomization'   = @{ Confirm = $false }
        'Get-OrganizationRelationship'       = @{}
        'New-OrganizationRelationship'       = @{ Name = 'States'; DomainNames = 'states.example'; Confirm = $false }
        'Set-OrganizationRelationship'       = @{ Identity = 'States'; PhotosEnabled = $true; Confirm = $false }
        'Remove-OrganizationRelationship'    = @{ Identity = 'States'; Confirm = $false }
        'New-CalendarFederation'             = @{ Partner = $true; Confirm = $false }
        'Test-OrganizationRelationship'      = @{ DomainName = 'fabrikam.com' }
        'Get-CrossTenantCalendarAccess'      = @{}
        'Grant-CrossTenantCalendarAccess'    = @{ PartnerTenantId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22'; Confirm = $false }
        'Revoke-CrossTenantCalendarAccess'   = @{ PartnerTenantId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22'; Confirm = $false }
        'Get-CalendarFederationReadiness'    = @{}
        'Convert-OrganizationRelationship'   = @{ Identity = 'States'; Partner = $true; Confirm = $false }
        # The fleet cmdlets take -Connection for the tenants of a file: a connection that cannot work makes its tenant
        # unreadable (FleetTenantUnreadable), which tests/CalendarFederation.Tests/Fleet covers; listed for completeness.
        'Get-CalendarFederationPlan'         = @{ Path = 'states-fleet.psd1' }
        'Test-CalendarFederationPlan'        = @{ Path = 'states-fleet.psd1' }
        'Invoke-CalendarFederationPlan'      = @{ Path = 'states-fleet.psd1'; Confirm = $false }
        'Export-CalendarFederationPlan'      = @{ Path = 'states-fleet.psd1'; Confirm = $false }
        'Export-CalendarFederationReport'    = @{ FleetPath = 'states-fleet.psd1'; Path = 'states-map.html'; Confirm = $false }
    }
    # A connection made with -AccessToken holds no Graph token: the Graph cmdlets say so, by name.
    $script:graphCmdlets = @('Get-CrossTenantCalendarAccess', 'Grant-CrossTenantCalendarAccess', 'Revoke-CrossTenantCalendarAccess')

    function script:Invoke-WithConnection([string] $Command, $Connection, $Partner) {
        $arguments = @{} + $script:calls[$Command]
        if ($arguments.ContainsKey('Partner')) { $arguments.Remove('Partner'); $arguments['PartnerConnection'] = $Partner }
        $caught = @()
        try {
            & $Command @arguments -Connection $Connection -ErrorAction SilentlyContinue -ErrorVariable written -WarningAction SilentlyContinue | Out-Null
        }
        catch {
            $caught = @($_)
        }
        , @(@($written) + $caught | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
    }

    if ($script:trusted) {
        $secret = ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force
        $script:partner = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName $envName -PassThru -NotDefault -WarningAction SilentlyContinue
        $script:closed = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $secret `
            -ExchangeEnvironmentName $envName -PassThru -NotDefault -WarningAction SilentlyContinue
        $script:closed | Disconnect-CalendarFederation -Confirm:$false
        # A token that looks current here but that the service refuses (not signed by it): what an expired or revoked token meets.
        $b64 = { param($t) [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($t)).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
        $exp = [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds()
        $jwt = (& $b64 '{"alg":"RS256","typ":"JWT"}') + '.' + (& $b64 ('{"aud":"https://outlook.office365.com","tid":"6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11","appid":"c0a5e000-0000-4000-8000-000000000001","roles":["Exchange.ManageAsApp"],"exp":' + $exp + '}')) + '.c2ln'
        $script:refused = Connect-CalendarFederation -AccessToken $jwt -Organization contoso.onmicrosoft.com -ExchangeEnvironmentName $envName `
            -SkipConnectionCheck -PassThru -NotDefault -WarningAction SilentlyContinue
        # Nothing listens on port 9 of the loopback interface: neither the admin API nor Graph answers there; sign-in does.
        Add-CalendarFederationEnvironment -Name ConnectionStatesDown -AzureADAuthorizationEndpointUri $sandbox.HttpsUrls['good'] `
            -ConnectionUri 'https://127.0.0.1:9' -GraphEndpoint 'https://127.0.0.1:9' | Out-Null
        $script:unreachable = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $secret `
            -ExchangeEnvironmentName ConnectionStatesDown -SkipConnectionCheck -TimeoutSec 20 -PassThru -NotDefault -WarningAction SilentlyContinue

        # Each unreachable call spends a few seconds on its two retries (the admin API client's rule for refused hosts):
        # run them side by side, one runspace each, and let the rows below read the outcomes.
        $script:unreachableIds = @{}
        $running = foreach ($command in $script:calls.Keys) {
            $ps = New-CFAsyncPowerShell -ModulePath $env:CF_MODULE_PATH
            $arguments = @{} + $script:calls[$command]
            if ($arguments.ContainsKey('Partner')) { $arguments.Remove('Partner'); $arguments['PartnerConnection'] = $script:partner }
            $null = $ps.AddScript({
                    param($Command, $Arguments, $Connection)
                    $caught = @()
                    try { & $Command @Arguments -Connection $Connection -ErrorAction SilentlyContinue -ErrorVariable written -WarningAction SilentlyContinue | Out-Null }
                    catch { $caught = @($_) }
                    @(@($written) + $caught | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
                }).AddArgument($command).AddArgument($arguments).AddArgument($script:unreachable)
            [pscustomobject]@{ Command = $command; PowerShell = $ps; Handle = $ps.BeginInvoke() }
        }
        foreach ($r in $running) {
            $script:unreachableIds[$r.Command] = @($r.PowerShell.EndInvoke($r.Handle) | ForEach-Object { Get-CFErrorId $_.psobject.BaseObject })
            Close-CFAsyncPowerShell -PowerShell $r.PowerShell
        }
    }
}

AfterAll {
    Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    Remove-CalendarFederationEnvironment -Name ConnectionStatesDown -ErrorAction SilentlyContinue
    Stop-CFSandbox $sandbox
}

Describe 'Tenant cmdlets with a connection that cannot work (built module)' -Tag 'Connections' {
    It 'covers every tenant cmdlet the module exports' {
        # Disconnect-CalendarFederation takes a connection to close, not one to work through.
        $tenantCmdlets = @(Get-Command -Module CalendarFederation | Where-Object { $_.Parameters.ContainsKey('Connection') -and $_.Name -ne 'Disconnect-CalendarFederation' } |
                ForEach-Object Name | Sort-Object)
        $missing = @($tenantCmdlets | Where-Object { -not $script:calls.Contains($_) })
        $missing | Should -BeNullOrEmpty -Because 'each tenant cmdlet needs a row in $calls'
    }

    It '<State>: <Command> fails with <Expected>, never a System.* id' -ForEach @(
        foreach ($command in 'Get-OrganizationConfig', 'Enable-OrganizationCustomization', 'Get-OrganizationRelationship', 'New-OrganizationRelationship',
            'Set-OrganizationRelationship', 'Remove-OrganizationRelationship', 'New-CalendarFederation', 'Test-OrganizationRelationship',
            'Get-CrossTenantCalendarAccess', 'Grant-CrossTenantCalendarAccess', 'Revoke-CrossTenantCalendarAccess', 'Get-CalendarFederationReadiness') {
            $graph = @('Get-CrossTenantCalendarAccess', 'Grant-CrossTenantCalendarAccess', 'Revoke-CrossTenantCalendarAccess') -contains $command
            @{ Command = $command; State = 'disconnected'; Connection = 'closed'; Expected = @('ConnectionClosed') }
            @{ Command = $command; State = 'refused token'; Connection = 'refused'; Expected = $(if ($graph) { @('GraphTokenRequired') } else { @('AuthenticationRequired') }) }
            @{ Command = $command; State = 'unreachable'; Connection = 'unreachable'; Expected = @('ConnectionFailed', 'AdminApiTimeout', 'GraphTimeout') }
        }
    ) {
        if (Skip-Untrusted) { return }
        $ids = if ($Connection -eq 'unreachable') { $script:unreachableIds[$Command] }
        else { @(Invoke-WithConnection $Command (Get-Variable -Scope Script -Name $Connection -ValueOnly) $script:partner | ForEach-Object { $_ | Get-CFErrorId }) }
        $ids | Should -Not -BeNullOrEmpty
        foreach ($id in $ids) {
            $id | Should -Not -Match '^System\.'
            $id | Should -BeIn $Expected
        }
    }

    It 'refuses a disconnected partner connection with ConnectionClosed' {
        if (Skip-Untrusted) { return }
        $errors = Invoke-WithConnection 'New-CalendarFederation' $script:partner $script:closed
        @($errors | Get-CFErrorId) | Should -Be @('ConnectionClosed')
    }
}
