#Requires -Version 5.1
<#
.SYNOPSIS
    The secrets runs of Reliability.Tests.ps1 (cases S-01..S-06), in a fresh, non-interactive PowerShell whose host
    output the test reads back, the way a scheduled task's log would hold it.

.DESCRIPTION
    For each sign-in mode in the plan: reset the sandbox, start a transcript, set $VerbosePreference, $DebugPreference
    and $InformationPreference to Continue, run every cmdlet of the module with -Verbose -Debug and let every stream
    go to the host, show the connection's ToString and format views, stop the transcript, then print every error in
    full (Format-List * -Force and the exception chain). Host output goes to stdout/stderr, which the caller captures;
    lines "##### MODE <name> BEGIN/END" (on both) separate the modes. <OutDirectory>/<mode>.json says which steps ran
    and which wrote an error; <mode>.requests.json keeps the Autodiscover requests for the anonymity case.
    Not a *.Tests.ps1 file: Pester does not run it by itself. Windows PowerShell 5.1 compatible.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $PlanPath,
    [Parameter(Mandatory = $true)] [string] $OutDirectory
)

$ErrorActionPreference = 'Continue'
$plan = Get-Content -LiteralPath $PlanPath -Raw | ConvertFrom-Json
Import-Module $plan.ModulePath -Force -ErrorAction Stop

function Invoke-Sandbox([string] $Method, [string] $Path) {
    Invoke-RestMethod -Method $Method -Uri "$($plan.SandboxUrl)/_sandbox/$Path" -TimeoutSec 30
}

function Write-Marker([string] $Text) {
    [Console]::Out.WriteLine($Text)
    [Console]::Error.WriteLine($Text)
}

if (-not (Get-CalendarFederationEnvironment -Name $plan.EnvName -ErrorAction SilentlyContinue)) {
    Add-CalendarFederationEnvironment -Name $plan.EnvName -AzureADAuthorizationEndpointUri $plan.GoodUrl -ConnectionUri $plan.GoodUrl `
        -AutodiscoverEndpoint $plan.AutodiscoverUri | Out-Null
}

foreach ($mode in @($plan.Modes)) {
    Invoke-Sandbox Post 'reset' | Out-Null
    $partner = Connect-CalendarFederation -AppId $plan.FabrikamApp -Organization fabrikam.onmicrosoft.com `
        -ClientSecret (ConvertTo-SecureString $plan.FabrikamSecret -AsPlainText -Force) -ExchangeEnvironmentName $plan.EnvName -PassThru -NotDefault -WarningAction SilentlyContinue
    $connect = @{}
    $restore = $null
    switch ($mode) {
        'ClientSecret' { $connect = @{ AppId = $plan.ContosoApp; Organization = 'contoso.onmicrosoft.com'; ClientSecret = (ConvertTo-SecureString $plan.ContosoSecret -AsPlainText -Force) } }
        'CertificateObject' {
            $flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable
            $certificate = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $plan.PfxPath, $plan.PfxPassword, $flags
            $connect = @{ AppId = $plan.ContosoApp; Organization = 'contoso.onmicrosoft.com'; Certificate = $certificate }
        }
        'CertificateFile' { $connect = @{ AppId = $plan.ContosoApp; Organization = 'contoso.onmicrosoft.com'; CertificateFilePath = $plan.PfxPath; CertificatePassword = (ConvertTo-SecureString $plan.PfxPassword -AsPlainText -Force) } }
        'CertificateThumbprint' { $connect = @{ AppId = $plan.ContosoApp; Organization = 'contoso.onmicrosoft.com'; CertificateThumbprint = $plan.Thumbprint } }
        'ManagedIdentity' {
            $restore = @{ Endpoint = $env:IDENTITY_ENDPOINT; Header = $env:IDENTITY_HEADER }
            $env:IDENTITY_ENDPOINT = "$($plan.SandboxUrl)/msi/token"
            $env:IDENTITY_HEADER = $plan.IdentityHeader
            $connect = @{ ManagedIdentity = $true }
        }
        'AccessToken' { $connect = @{ AccessToken = (Get-Content -LiteralPath $plan.AccessTokenPath -Raw).Trim(); Organization = 'contoso.onmicrosoft.com' } }
    }

    Write-Marker "##### MODE $mode BEGIN"
    $Error.Clear()
    $steps = New-Object System.Collections.ArrayList
    $failed = New-Object System.Collections.ArrayList
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $transcript = Join-Path $OutDirectory "$mode.transcript.txt"
    Start-Transcript -Path $transcript -Force | Out-Null
    $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
    $name = "Secrets$mode"
    $envCustom = "ReliabilitySecretsEnv$mode"

    # Every stream goes to the host (and so to the transcript and the captured stdout/stderr). -WarningAction Continue:
    # for a COMPILED cmdlet, -Debug makes PowerShell inquire on each verbose or warning line whose preference was not
    # set explicitly (Write-Verbose 'x' -Debug does the same), and a -NonInteractive host cannot ask.
    function Step([string] $Cmdlet, [scriptblock] $Block) {
        [void] $steps.Add($Cmdlet)
        $before = $Error.Count
        . $Block | Out-Host
        if ($Error.Count -gt $before) { [void] $failed.Add($Cmdlet) }
    }

    $script:c = $null
    Step 'Connect-CalendarFederation' { $script:c = Connect-CalendarFederation @connect -ExchangeEnvironmentName $plan.EnvName -PassThru -NotDefault -TimeoutSec 30 -Verbose -Debug -WarningAction Continue; $script:c }
    $c = $script:c
    if ($c) {
        Step 'Get-CalendarFederationConnection' { Get-CalendarFederationConnection -Verbose -Debug -WarningAction Continue; Get-CalendarFederationConnection | Format-List * }
        Step 'Get-OrganizationConfig' { Get-OrganizationConfig -Connection $c -Verbose -Debug -WarningAction Continue | Format-List * }
        Step 'Enable-OrganizationCustomization' { Enable-OrganizationCustomization -Connection $c -Verbose -Debug -WarningAction Continue }
        Step 'Get-FederationInformation' { $script:info = Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName $plan.EnvName -Verbose -Debug -WarningAction Continue; $script:info | Format-List * }
        Step 'New-OrganizationRelationship' { $script:info | New-OrganizationRelationship -Connection $c -Name $name -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -Verbose -Debug -WarningAction Continue | Format-List * }
        Step 'Get-OrganizationRelationship' { Get-OrganizationRelationship -Connection $c -Verbose -Debug -WarningAction Continue }
        Step 'Set-OrganizationRelationship' { Set-OrganizationRelationship -Connection $c -Identity $name -PhotosEnabled $true -Verbose -Debug -WarningAction Continue }
        Step 'Test-OrganizationRelationship' { Test-OrganizationRelationship -Connection $c -Identity $name -PartnerConnection $partner -Mailbox lee@fabrikam.com -RequesterMailbox alex@contoso.com -Verbose -Debug -WarningAction Continue }
        Step 'Remove-OrganizationRelationship' { Remove-OrganizationRelationship -Connection $c -Identity $name -Confirm:$false -Verbose -Debug -WarningAction Continue }
        Step 'New-CalendarFederation' { New-CalendarFederation -Connection $c -PartnerConnection $partner -FreeBusyAccessLevel AvailabilityOnly -Verbose -Debug -WarningAction Continue }
        Step 'Grant-CrossTenantCalendarAccess' { $script:info | Grant-CrossTenantCalendarAccess -Connection $c -FreeBusyAccessLevel LimitedDetails -Confirm:$false -Verbose -Debug -WarningAction Continue | Format-List * }
        Step 'Get-CrossTenantCalendarAccess' { Get-CrossTenantCalendarAccess -Connection $c -Verbose -Debug -WarningAction Continue | Format-List * }
        Step 'Revoke-CrossTenantCalendarAccess' { Revoke-CrossTenantCalendarAccess -Connection $c -DomainName fabrikam.com -Confirm:$false -Verbose -Debug -WarningAction Continue }
        Step 'Get-CalendarFederationReadiness' { Get-CalendarFederationReadiness -Connection $c -PartnerConnection $partner -Verbose -Debug -WarningAction Continue | Format-List * }
        # -Rollback reads both tenants and resolves the partner's tenant without Microsoft Graph, which not every mode here may call.
        Step 'Convert-OrganizationRelationship' { Get-OrganizationRelationship -Connection $c | Convert-OrganizationRelationship -Connection $c -PartnerConnection $partner -Rollback -Confirm:$false -Verbose -Debug -WarningAction Continue | Format-List * }
        # The fleet cmdlets through this mode's connection and the partner's (a fleet file of both, made by the export).
        $fleetDir = Join-Path $OutDirectory "fleet-$mode"
        New-Item -ItemType Directory -Path $fleetDir -Force | Out-Null
        $fleetFile = Join-Path $fleetDir 'fleet.psd1'
        Step 'Export-CalendarFederationPlan' { Export-CalendarFederationPlan -Connection $c, $partner -Path $fleetFile -Confirm:$false -Verbose -Debug -WarningAction Continue }
        Step 'Get-CalendarFederationPlan' { $script:fleetPlan = @(Get-CalendarFederationPlan -Path $fleetFile -Connection $c, $partner -Verbose -Debug -WarningAction Continue); $script:fleetPlan | Format-List * }
        Step 'Test-CalendarFederationPlan' { Test-CalendarFederationPlan -Path $fleetFile -Connection $c, $partner -Verbose -Debug -WarningAction Continue }
        Step 'Invoke-CalendarFederationPlan' { $script:fleetPlan | Invoke-CalendarFederationPlan -CheckpointPath (Join-Path $fleetDir 'fleet.checkpoint.jsonl') -Confirm:$false -Verbose -Debug -WarningAction Continue | Format-List * }
        Step 'Export-CalendarFederationReport' { $script:fleetPlan | Export-CalendarFederationReport -Path (Join-Path $fleetDir 'map.html') -Confirm:$false -Verbose -Debug -WarningAction Continue; Get-Content -Raw (Join-Path $fleetDir 'map.html') }
        Step 'Add-CalendarFederationEnvironment' { Add-CalendarFederationEnvironment -Name $envCustom -AzureADAuthorizationEndpointUri $plan.GoodUrl -ConnectionUri $plan.GoodUrl -Verbose -Debug -WarningAction Continue }
        Step 'Get-CalendarFederationEnvironment' { Get-CalendarFederationEnvironment -Verbose -Debug -WarningAction Continue }
        Step 'Remove-CalendarFederationEnvironment' { Remove-CalendarFederationEnvironment -Name $envCustom -Confirm:$false -Verbose -Debug -WarningAction Continue }
        Step 'connection views' {
            "ToString: $($c.ToString())"
            "Interpolated: $c"
            $c
            $c | Format-List * -Force
            $c | Format-Table *
            $c | Format-Custom
            $c | Select-Object *
            $c | ConvertTo-Json -Depth 5
            [System.Management.Automation.PSSerializer]::Serialize($c, 5)
        }
        Step 'Disconnect-CalendarFederation' { Disconnect-CalendarFederation -Connection $c -Confirm:$false -Verbose -Debug -WarningAction Continue }
    }
    $VerbosePreference = 'SilentlyContinue'; $DebugPreference = 'SilentlyContinue'; $InformationPreference = 'SilentlyContinue'
    Stop-Transcript | Out-Null
    $watch.Stop()

    # Every error in full, as a log would keep it.
    foreach ($e in @($Error)) {
        $e | Format-List * -Force | Out-String -Width 4096 | Out-Host
        if ($e.Exception) { $e.Exception.ToString() | Out-Host }
    }
    Write-Marker "##### MODE $mode END"

    if ($restore) { $env:IDENTITY_ENDPOINT = $restore.Endpoint; $env:IDENTITY_HEADER = $restore.Header }
    $requests = @(Invoke-Sandbox Get 'requests' | ForEach-Object { $_ } | Where-Object { -not $_.PSObject.Properties['service'] -or $_.service -eq 'autodiscover' })
    $violations = @(Invoke-Sandbox Get 'violations' | ForEach-Object { $_ })
    [System.IO.File]::WriteAllText((Join-Path $OutDirectory "$mode.requests.json"), (ConvertTo-Json -InputObject $requests -Depth 4))
    $summary = [ordered]@{
        Mode           = $mode
        Steps          = @($steps)
        Failed         = @($failed)
        ConnectionText = "$c"
        Seconds        = [Math]::Round($watch.Elapsed.TotalSeconds, 2)
        Violations     = $violations.Count
        Errors         = $Error.Count
    }
    [System.IO.File]::WriteAllText((Join-Path $OutDirectory "$mode.json"), ($summary | ConvertTo-Json -Depth 4))
    Disconnect-CalendarFederation -Connection $partner -Confirm:$false
}
Invoke-Sandbox Post 'reset' | Out-Null
