#Requires -Version 5.1
<#
.SYNOPSIS
    The README's walkthrough on the sandbox's tenants contoso and fabrikam: the classic pipeline works; Exchange Online's
    EWS block turns it into hash marks; readiness says why; the migration to the cross-tenant access policy restores
    free/busy on both sides; a re-run changes nothing. build.ps1 Demo runs it in a fresh PowerShell that trusts the
    sandbox's root certificate, and checks that the README's tour quotes lines this run printed.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxDll,
    # Where the run's output is kept, for build.ps1 Demo to check the README's tour against.
    [string] $TranscriptPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'Pester/SandboxHelpers.psm1')

function Step([string] $Title) { Write-Host ''; Write-Host "== $Title" -ForegroundColor Cyan }
function Show([string] $Command) { Write-Host "PS> $Command" -ForegroundColor Yellow }
# Tables as wide as a terminal usually is, even when output is redirected.
function Out-Table { $input | Format-Table | Out-String -Width 150 | Write-Host }
function Test-Partner {
    Show 'Test-OrganizationRelationship -PartnerConnection $fabrikam -Mailbox lee@fabrikam.com -RequesterMailbox alex@contoso.com'
    Test-OrganizationRelationship -PartnerConnection $fabrikam -Mailbox lee@fabrikam.com -RequesterMailbox alex@contoso.com | Out-Table
}

if ($TranscriptPath) { Start-Transcript -LiteralPath $TranscriptPath -UseMinimalHeader | Out-Null }
$sandbox = Start-CFSandbox -SandboxDll $SandboxDll
try {
    if (-not (Test-CFSandboxTrust -Sandbox $sandbox)) {
        throw "This PowerShell does not trust the sandbox's root certificate ($env:CF_SANDBOX_CA/root.pem). On Linux build.ps1 sets SSL_CERT_FILE; on Windows and macOS add root.pem to the trusted roots first."
    }
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name Sandbox
    Write-Host "Sandbox at $($sandbox.Url): tenants $(@($sandbox.Tenants | ForEach-Object { $_.name }) -join ', '), behind one environment named 'Sandbox'." -ForegroundColor Green

    Step '1. Connect to both tenants (app-only here; every mode of Connect-CalendarFederation works the same way)'
    Show "`$contoso  = Connect-CalendarFederation -AppId c0a5e000-... -Organization contoso.onmicrosoft.com  -ClientSecret `$s -ExchangeEnvironmentName Sandbox -PassThru"
    $contoso = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
        -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName Sandbox -PassThru
    Show "`$fabrikam = Connect-CalendarFederation -AppId f0a5e000-... -Organization fabrikam.onmicrosoft.com -ClientSecret `$s -ExchangeEnvironmentName Sandbox -PassThru -NotDefault"
    $fabrikam = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com `
        -ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName Sandbox -PassThru -NotDefault
    Get-CalendarFederationConnection | Out-Table

    Step '2. The classic pipeline, once on each side: free/busy works'
    Show 'Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName Sandbox |'
    Show '  New-OrganizationRelationship -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly'
    Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName Sandbox |
        New-OrganizationRelationship -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly | Out-Table
    Show 'Get-FederationInformation -DomainName contoso.com -ExchangeEnvironmentName Sandbox |'
    Show '  New-OrganizationRelationship -Connection $fabrikam -Name Contoso -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly'
    Get-FederationInformation -DomainName contoso.com -ExchangeEnvironmentName Sandbox |
        New-OrganizationRelationship -Connection $fabrikam -Name Contoso -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly | Out-Table
    Test-Partner

    Step "3. Exchange Online switches fabrikam's EWS off (EwsEnabled was not set): the same relationships now give hash marks"
    Show "Invoke-RestMethod -Method Put `$sandbox/_sandbox/tenants/fabrikam/ews-block?value=true   # what Microsoft does, tenant by tenant, since 2026-10-01"
    Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/tenants/fabrikam/ews-block?value=true" | Out-Null
    Test-Partner

    Step '4. Readiness says why, for both tenants, by when, and what to run'
    Show 'Get-CalendarFederationReadiness -PartnerConnection $fabrikam'
    Get-CalendarFederationReadiness -PartnerConnection $fabrikam | Out-Table

    Step '5. Migrate: grant on both sides through the cross-tenant access policy, verify both, then disable both relationships'
    Show "Convert-OrganizationRelationship -Identity Fabrikam -PartnerConnection `$fabrikam -DisableLegacy"
    Convert-OrganizationRelationship -Identity Fabrikam -PartnerConnection $fabrikam -DisableLegacy -Confirm:$false | Out-Table
    Test-Partner
    Show 'Get-CrossTenantCalendarAccess; Get-CrossTenantCalendarAccess -Connection $fabrikam'
    @(Get-CrossTenantCalendarAccess) + @(Get-CrossTenantCalendarAccess -Connection $fabrikam) | Out-Table

    Step 'Running it again changes nothing'
    Show "Convert-OrganizationRelationship -Identity Fabrikam -PartnerConnection `$fabrikam -DisableLegacy"
    Convert-OrganizationRelationship -Identity Fabrikam -PartnerConnection $fabrikam -DisableLegacy -Confirm:$false | Out-Table
    Show 'Get-CalendarFederationReadiness -PartnerConnection $fabrikam'
    Get-CalendarFederationReadiness -PartnerConnection $fabrikam | Out-Table
}
finally {
    Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    Stop-CFSandbox $sandbox
    if ($TranscriptPath) { Stop-Transcript | Out-Null }
}
