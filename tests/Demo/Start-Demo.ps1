#Requires -Version 5.1
<#
.SYNOPSIS
    The README's walkthrough on the sandbox's two tenants, contoso and fabrikam. build.ps1 Demo runs it in a fresh
    PowerShell that trusts the sandbox's root certificate.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxDll
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'Pester/SandboxHelpers.psm1')

function Step([string] $Title) { Write-Host ''; Write-Host "== $Title" -ForegroundColor Cyan }
function Show([string] $Command) { Write-Host "PS> $Command" -ForegroundColor Yellow }
# Tables as wide as a terminal usually is, even when output is redirected.
function Out-Table { $input | Format-Table | Out-String -Width 150 | Write-Host }

$sandbox = Start-CFSandbox -SandboxDll $SandboxDll
try {
    if (-not (Test-CFSandboxTrust -Sandbox $sandbox)) {
        throw "This PowerShell does not trust the sandbox's root certificate ($env:CF_SANDBOX_CA/root.pem). On Linux build.ps1 sets SSL_CERT_FILE; on Windows and macOS add root.pem to the trusted roots first."
    }
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name Sandbox
    # Fabrikam starts as a fresh tenant that still needs Enable-OrganizationCustomization.
    Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/tenants/fabrikam/dehydrated?value=true" | Out-Null

    Write-Host "Sandbox at $($sandbox.Url): two tenants, contoso and fabrikam, behind one environment named 'Sandbox'." -ForegroundColor Green

    Step '1. Connect to both tenants (app-only; any mode of Connect-CalendarFederation works the same way)'
    Show "`$contoso  = Connect-CalendarFederation -AppId c0a5e000-... -Organization contoso.onmicrosoft.com  -ClientSecret `$s -ExchangeEnvironmentName Sandbox -PassThru"
    $contoso = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
        -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName Sandbox -PassThru -WarningAction SilentlyContinue
    Show "`$fabrikam = Connect-CalendarFederation -AppId f0a5e000-... -Organization fabrikam.onmicrosoft.com -ClientSecret `$s -ExchangeEnvironmentName Sandbox -PassThru -NotDefault"
    $fabrikam = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com `
        -ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName Sandbox -PassThru -NotDefault -WarningAction SilentlyContinue
    Get-CalendarFederationConnection | Out-Table

    Step '2. Hydrate: a tenant must be enabled for customization before it can hold relationships'
    Show 'Enable-OrganizationCustomization -Connection $contoso; Enable-OrganizationCustomization -Connection $fabrikam'
    Enable-OrganizationCustomization -Connection $contoso -InformationAction Continue
    Enable-OrganizationCustomization -Connection $fabrikam -InformationAction Continue

    Step "3. Contoso creates its relationship for Fabrikam, the classic way"
    Show 'Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName Sandbox |'
    Show '  New-OrganizationRelationship -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly'
    Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName Sandbox |
        New-OrganizationRelationship -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly | Out-Table

    Step '4. Can Alex at Contoso see Lee at Fabrikam? Not yet, and the test says why'
    Show 'Test-OrganizationRelationship -PartnerConnection $fabrikam -Mailbox lee@fabrikam.com -RequesterMailbox alex@contoso.com'
    Test-OrganizationRelationship -PartnerConnection $fabrikam -Mailbox lee@fabrikam.com -RequesterMailbox alex@contoso.com | Out-Table

    Step '5. Set up the other side (and the domains the 2025 discovery change left out), both in one command'
    Show 'New-CalendarFederation -PartnerConnection $fabrikam -FreeBusyAccessLevel AvailabilityOnly'
    New-CalendarFederation -PartnerConnection $fabrikam -FreeBusyAccessLevel AvailabilityOnly | Out-Table

    Step '6. Free/busy is visible now, at AvailabilityOnly: times and busy type, no subjects'
    Show 'Test-OrganizationRelationship -PartnerConnection $fabrikam -Mailbox nestor@fabrikam.com -RequesterMailbox alex@contoso.com'
    Test-OrganizationRelationship -PartnerConnection $fabrikam -Mailbox nestor@fabrikam.com -RequesterMailbox alex@contoso.com | Out-Table

    Step '7. Raise both sides to LimitedDetails: subjects and locations appear'
    Show 'New-CalendarFederation -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails'
    New-CalendarFederation -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails | Out-Table
    Show 'Test-OrganizationRelationship -PartnerConnection $fabrikam -Mailbox nestor@fabrikam.com -RequesterMailbox alex@contoso.com'
    Test-OrganizationRelationship -PartnerConnection $fabrikam -Mailbox nestor@fabrikam.com -RequesterMailbox alex@contoso.com | Out-Table

    Step 'Running it again changes nothing'
    Show 'New-CalendarFederation -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails'
    New-CalendarFederation -PartnerConnection $fabrikam -FreeBusyAccessLevel LimitedDetails -InformationAction Continue | Out-Table
}
finally {
    Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    Stop-CFSandbox $sandbox
}
