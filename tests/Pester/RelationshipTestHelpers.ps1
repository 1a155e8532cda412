# Helpers the relationship test files share, dot-sourced inside their BeforeAll after they set $script:sandbox (from
# Start-CFSandbox) and $script:trusted (Test-CFSandboxTrust). Connected app-only to the sandbox's contoso tenant.
# Windows PowerShell 5.1 compatible.

function script:Skip-Untrusted {
    # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
    Skip-CFUntrusted -Trusted $script:trusted
}

function script:Reset-Sandbox { Reset-CFSandbox -Sandbox $script:sandbox }

function script:Clear-SandboxRequests { Invoke-RestMethod -Method Delete -Uri "$($script:sandbox.Url)/_sandbox/requests" | Out-Null }

function script:Get-AdminRequests { @(Get-CFSandboxRequests -Sandbox $script:sandbox | Where-Object { $_.service -eq 'adminapi' }) }

function script:Get-AdminWrites { @(Get-AdminRequests | Where-Object { $_.isWrite }) }

function script:Get-StoredRelationships {
    @(Invoke-RestMethod -Uri "$($script:sandbox.Url)/_sandbox/tenants/contoso/relationships" | ForEach-Object { $_ })
}

function script:Get-StoredRelationship([string] $Name) { Get-StoredRelationships | Where-Object { $_.name -eq $Name } }

function script:Set-ContosoKnob([string] $PathAndQuery) {
    Invoke-RestMethod -Method Put -Uri "$($script:sandbox.Url)/_sandbox/tenants/contoso/$PathAndQuery" | Out-Null
}

function script:New-TestRelationship([string] $Name, [string[]] $DomainNames) {
    New-OrganizationRelationship -Name $Name -DomainNames $DomainNames -WarningAction SilentlyContinue -ErrorAction Stop
}
