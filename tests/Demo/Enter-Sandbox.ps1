#Requires -Version 5.1
<#
.SYNOPSIS
    build.ps1 Sandbox: the sandbox in the foreground, for trying the module by hand. It starts the sandbox, imports the
    built module, adds the environment 'Sandbox', connects $contoso and $fabrikam, prints what it did, and leaves this
    PowerShell open at a prompt (it runs with -NoExit). Leaving the prompt (exit) stops the sandbox.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxDll
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Global
Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'Pester/SandboxHelpers.psm1') -Global

$global:sandbox = Start-CFSandbox -SandboxDll $SandboxDll
if (-not (Test-CFSandboxTrust -Sandbox $global:sandbox)) {
    Write-Warning "This PowerShell does not trust the sandbox's root certificate ($env:CF_SANDBOX_CA/root.pem). On Linux build.ps1 sets SSL_CERT_FILE for it; on Windows and macOS add root.pem to the trusted roots (CI does: .github/workflows/ci.yml), then run build.ps1 Sandbox again."
}
$good = $global:sandbox.HttpsUrls['good']
Add-CalendarFederationEnvironment -Name Sandbox -AzureADAuthorizationEndpointUri $good -ConnectionUri $good -AutodiscoverEndpoint $global:sandbox.AutodiscoverUri | Out-Null
$global:contoso = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
    -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName Sandbox -PassThru -WarningAction SilentlyContinue
$global:fabrikam = Connect-CalendarFederation -AppId 'f0a5e000-0000-4000-8000-000000000001' -Organization fabrikam.onmicrosoft.com `
    -ClientSecret (ConvertTo-SecureString 'fabrikam-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName Sandbox -PassThru -NotDefault -WarningAction SilentlyContinue

Write-Host @"

The sandbox runs at $($global:sandbox.Url) (https: $good), with the tenants $((@($global:sandbox.Tenants) | ForEach-Object { $_.name }) -join ', ').
Done for you in this shell (which trusts the sandbox's root certificate):

    Add-CalendarFederationEnvironment -Name Sandbox -AzureADAuthorizationEndpointUri $good -ConnectionUri $good -AutodiscoverEndpoint $($global:sandbox.AutodiscoverUri)
    `$contoso  = Connect-CalendarFederation -AppId c0a5e000-0000-4000-8000-000000000001 -Organization contoso.onmicrosoft.com  -ClientSecret <contoso-sandbox-secret>  -ExchangeEnvironmentName Sandbox -PassThru
    `$fabrikam = Connect-CalendarFederation -AppId f0a5e000-0000-4000-8000-000000000001 -Organization fabrikam.onmicrosoft.com -ClientSecret <fabrikam-sandbox-secret> -ExchangeEnvironmentName Sandbox -PassThru -NotDefault

Try:
    Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName Sandbox
    Get-CalendarFederationReadiness -PartnerConnection `$fabrikam
    New-CalendarFederation -PartnerConnection `$fabrikam -WhatIf
    Invoke-RestMethod -Method Put "$($global:sandbox.Url)/_sandbox/tenants/fabrikam/ews-block?value=true"   # Exchange Online switches fabrikam's EWS off

The sandbox's knobs are in tests/CalendarFederation.Sandbox/README.md. Type exit to stop the sandbox.

"@ -ForegroundColor Green
