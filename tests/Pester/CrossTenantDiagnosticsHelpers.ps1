# Helpers the diagnostics suites share for state the module never writes itself: EwsEnabled (Set-OrganizationConfig,
# through the sandbox's admin API with the tenant's sandbox app) and the cross-tenant access policy as a whole (the
# sandbox's control endpoint). Dot-source it after SandboxHelpers.psm1 is imported. Windows PowerShell 5.1 compatible.

$script:CFSandboxApps = @{
    contoso  = @{ AppId = 'c0a5e000-0000-4000-8000-000000000001'; Secret = 'contoso-sandbox-secret'; Domain = 'contoso.onmicrosoft.com' }
    fabrikam = @{ AppId = 'f0a5e000-0000-4000-8000-000000000001'; Secret = 'fabrikam-sandbox-secret'; Domain = 'fabrikam.onmicrosoft.com' }
}
$script:CFAdminTokens = @{}

# An Exchange token for the tenant's sandbox app (client credentials), kept for the run.
function Get-CFAdminToken {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Tenant)
    if ($script:CFAdminTokens.ContainsKey($Tenant)) { return $script:CFAdminTokens[$Tenant] }
    $app = $script:CFSandboxApps[$Tenant]
    $form = @{ grant_type = 'client_credentials'; client_id = $app.AppId; client_secret = $app.Secret; scope = 'https://outlook.office365.com/.default' }
    $token = (Invoke-RestMethod -Method Post -Uri "$($Sandbox.Url)/$($app.Domain)/oauth2/v2.0/token" -Body $form -ContentType 'application/x-www-form-urlencoded').access_token
    $script:CFAdminTokens[$Tenant] = $token
    $token
}

# One admin API cmdlet in the tenant, as Exchange Online PowerShell would send it.
function Invoke-CFAdminCmdlet {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Tenant, [Parameter(Mandatory)] [string] $Name, [hashtable] $Parameters = @{})
    $domain = $script:CFSandboxApps[$Tenant].Domain
    $body = @{ CmdletInput = @{ CmdletName = $Name; Parameters = $Parameters } } | ConvertTo-Json -Depth 6 -Compress
    Invoke-RestMethod -Method Post -Uri "$($Sandbox.Url)/adminapi/beta/$domain/InvokeCommand" -Body $body -ContentType 'application/json' `
        -Headers @{ Authorization = "Bearer $(Get-CFAdminToken -Sandbox $Sandbox -Tenant $Tenant)" } | Out-Null
}

# Set-OrganizationConfig -EwsEnabled $true | $false | $null (not set).
function Set-CFEwsEnabled {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Tenant, [AllowNull()] $Value)
    Invoke-CFAdminCmdlet -Sandbox $Sandbox -Tenant $Tenant -Name 'Set-OrganizationConfig' -Parameters @{ EwsEnabled = $Value }
}

# Seeds a tenant's whole cross-tenant access policy (the shape of GET /_sandbox/tenants/{t}/cross-tenant-access).
function Set-CFCrossTenantPolicy {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Tenant, [Parameter(Mandatory)] $State)
    Invoke-RestMethod -Method Put -Uri "$($Sandbox.Url)/_sandbox/tenants/$Tenant/cross-tenant-access" -ContentType 'application/json' `
        -Body ($State | ConvertTo-Json -Depth 10) | Out-Null
}

# A partner configuration as the policy state holds it: the trust (a JSON-ready hashtable, or $null to inherit) and capabilities.
function New-CFPartnerEntry {
    param([Parameter(Mandatory)] [string] $TenantId, $Trust = 'allowed', [object[]] $Capabilities = @())
    $entry = @{ tenantId = $TenantId; m365Capabilities = @($Capabilities) }
    if ($Trust -is [string]) {
        $entry.m365CollaborationInbound = @{ users = @{ accessType = $Trust; targets = @(@{ target = 'AllUsers'; targetType = 'user' }) } }
    }
    elseif ($null -ne $Trust) { $entry.m365CollaborationInbound = $Trust }
    $entry
}

function New-CFCapability {
    param([Parameter(Mandatory)] [string] $Name, [bool] $Allowed = $true, [object[]] $Included = @(@{ resourceId = 'All'; resourceType = 'user' }))
    @{ '@odata.type' = "#microsoft.graph.$Name"; name = $Name; inboundAccess = @{ isAllowed = $Allowed; resourceScopes = @{ included = @($Included); excluded = @() } } }
}
