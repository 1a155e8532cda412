# The child of the reliability case F-P-01 (tests/Pester/Reliability.Tests.ps1): a fresh PowerShell that applies a fleet
# file until the parent kills it. The tenants' secrets come from the environment variables the file names, which the
# parent sets before it starts this process; nothing secret is passed on the command line.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EnvironmentName,
    [Parameter(Mandatory)] [string] $SignInUri,
    [Parameter(Mandatory)] [string] $AutodiscoverUri,
    [Parameter(Mandatory)] [string] $FleetPath,
    [Parameter(Mandatory)] [string] $CheckpointPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Add-CalendarFederationEnvironment -Name $EnvironmentName -AzureADAuthorizationEndpointUri $SignInUri -ConnectionUri $SignInUri -AutodiscoverEndpoint $AutodiscoverUri | Out-Null
Invoke-CalendarFederationPlan -Path $FleetPath -CheckpointPath $CheckpointPath -Confirm:$false | Out-Null
