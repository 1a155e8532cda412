# Bulk relationship changes under the tenant's request budget: New-OrganizationRelationship for each partner, then
# Set-OrganizationRelationship for each, app-only through the built module: one loop as an admin's script would run them,
# or (-Parallel N) ForEach-Object -Parallel -ThrottleLimit N sharing the one connection, as a script in a hurry would.
# Then the sandbox's own records: every request it received, the final relationships, and early requests (violations).
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxUrl,
    [Parameter(Mandatory)] [string] $HttpsUrl,
    [int] $NewCount = 250,
    [int] $SetCount = 250,
    [double] $RequestsPerSecond = 20,
    [int] $Parallel = 0
)
. (Join-Path $PSScriptRoot 'Common.ps1')

Import-Module $ModulePath
Invoke-RestMethod -Method Post -Uri "$SandboxUrl/_sandbox/reset" | Out-Null
Add-CalendarFederationEnvironment -Name BenchSandbox -AzureADAuthorizationEndpointUri $HttpsUrl -ConnectionUri $HttpsUrl `
    -AutodiscoverEndpoint "$SandboxUrl/autodiscover/autodiscover.svc" | Out-Null
$secret = ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force
$connection = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $secret `
    -ExchangeEnvironmentName BenchSandbox -PassThru -WarningAction SilentlyContinue
# Sign-in and the first admin API call (MSAL, JSON, HTTP stacks loading) happen before the clock starts.
Get-OrganizationConfig -Connection $connection | Out-Null

Invoke-RestMethod -Method Put -Uri "$SandboxUrl/_sandbox/tenants/contoso/budget?requestsPerSecond=$RequestsPerSecond" | Out-Null
Invoke-RestMethod -Method Delete -Uri "$SandboxUrl/_sandbox/requests" | Out-Null
Invoke-RestMethod -Method Delete -Uri "$SandboxUrl/_sandbox/violations" | Out-Null

$names = 1..$NewCount | ForEach-Object { 'Bench{0:d4}' -f $_ }
$cpu0 = Get-CpuMilliseconds
$sw = [System.Diagnostics.Stopwatch]::StartNew()
$epr = 'https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity'
$setNames = @($names | Select-Object -First $SetCount)
if ($Parallel -gt 0) {
    $newErrors = @($names | ForEach-Object -ThrottleLimit $Parallel -Parallel {
        Import-Module $using:ModulePath
        $name = $_
        try {
            New-OrganizationRelationship -Connection $using:connection -Name $name -DomainNames ($name.ToLowerInvariant() + '.partner.example') `
                -TargetApplicationUri 'outlook.com' -TargetAutodiscoverEpr $using:epr -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        }
        catch { $_.ToString() }
    })
    $newMs = $sw.Elapsed.TotalMilliseconds
    $setErrors = @($setNames | ForEach-Object -ThrottleLimit $Parallel -Parallel {
        Import-Module $using:ModulePath
        try {
            Set-OrganizationRelationship -Connection $using:connection -Identity $_ -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
                -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        }
        catch { $_.ToString() }
    })
    $errorTexts = @($newErrors) + @($setErrors)
}
else {
    foreach ($name in $names) {
        New-OrganizationRelationship -Connection $connection -Name $name -DomainNames ($name.ToLowerInvariant() + '.partner.example') -TargetApplicationUri 'outlook.com' `
            -TargetAutodiscoverEpr $epr -WarningAction SilentlyContinue -ErrorAction Continue -ErrorVariable +bulkErrors | Out-Null
    }
    $newMs = $sw.Elapsed.TotalMilliseconds
    foreach ($name in $setNames) {
        Set-OrganizationRelationship -Connection $connection -Identity $name -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
            -WarningAction SilentlyContinue -ErrorAction Continue -ErrorVariable +bulkErrors | Out-Null
    }
    $errorTexts = @()
    if (Get-Variable bulkErrors -ErrorAction SilentlyContinue) { $errorTexts = @($bulkErrors | ForEach-Object { $_.ToString() }) }
}
$sw.Stop()
$cpu = (Get-CpuMilliseconds) - $cpu0

$requests = @(Invoke-RestMethod -Uri "$SandboxUrl/_sandbox/requests" | ForEach-Object { $_ } | Where-Object { $_.service -eq 'adminapi' })
$violations = @(Invoke-RestMethod -Uri "$SandboxUrl/_sandbox/violations" | ForEach-Object { $_ })
$stored = @(Invoke-RestMethod -Uri "$SandboxUrl/_sandbox/tenants/contoso/relationships" | ForEach-Object { $_ })
$tenantLoad = Invoke-RestMethod -Uri "$SandboxUrl/_sandbox/tenants/contoso/load"
Invoke-RestMethod -Method Delete -Uri "$SandboxUrl/_sandbox/tenants/contoso/budget" | Out-Null

# The final state: every relationship exactly once, with its own domain, and every Set applied.
$expected = @{}
foreach ($n in $names) { $expected[$n] = $true }
$storedNames = @($stored | ForEach-Object { $_.name })
$lost = @($names | Where-Object { $storedNames -notcontains $_ })
$duplicateNames = @($storedNames | Group-Object | Where-Object { $_.Count -gt 1 } | ForEach-Object { $_.Name })
$allDomains = @($stored | ForEach-Object { $_.domainNames })
$duplicateDomains = @($allDomains | Group-Object | Where-Object { $_.Count -gt 1 } | ForEach-Object { $_.Name })
$unexpected = @($storedNames | Where-Object { -not $expected.ContainsKey($_) })
$notUpdated = @($stored | Where-Object { $setNames -contains $_.name -and -not ($_.freeBusyAccessEnabled -eq $true -and $_.freeBusyAccessLevel -eq 'AvailabilityOnly') } | ForEach-Object { $_.name })
$wrongDomain = @($stored | Where-Object { @($_.domainNames).Count -ne 1 -or $_.domainNames[0] -ne ($_.name.ToLowerInvariant() + '.partner.example') } | ForEach-Object { $_.name })

$byCmdlet = [ordered]@{}
foreach ($g in ($requests | Group-Object cmdletName | Sort-Object Name)) {
    $byCmdlet[$g.Name] = [ordered]@{ All = $g.Count; Throttled = @($g.Group | Where-Object { $_.status -eq 429 }).Count }
}
$throttled = @($requests | Where-Object { $_.status -eq 429 }).Count
$accepted = $requests.Count - $throttled
$seconds = $sw.Elapsed.TotalSeconds
Write-BenchResult ([ordered]@{
    Parallel           = $Parallel
    Operations         = $NewCount + $SetCount
    NewCount           = $NewCount
    SetCount           = $SetCount
    RequestsPerSecondBudget = $RequestsPerSecond
    ElapsedMs          = $sw.Elapsed.TotalMilliseconds
    NewPhaseMs         = $newMs
    OpsPerSecond       = ($NewCount + $SetCount) / $seconds
    Requests           = $requests.Count
    Accepted           = $accepted
    Throttled          = $throttled
    RequestsByCmdlet   = $byCmdlet
    BudgetMinimumAllMs = 1000.0 * $requests.Count / $RequestsPerSecond
    BudgetMinimumAcceptedMs = 1000.0 * $accepted / $RequestsPerSecond
    AchievedRequestsPerSecond = $requests.Count / $seconds
    AchievedAcceptedPerSecond = $accepted / $seconds
    Errors             = $errorTexts.Count
    ErrorSamples       = @($errorTexts | Select-Object -First 5)
    Stored             = $stored.Count
    Lost               = $lost.Count
    DuplicateNames     = $duplicateNames.Count
    DuplicateDomains   = $duplicateDomains.Count
    Unexpected         = $unexpected.Count
    NotUpdated         = $notUpdated.Count
    WrongDomains       = $wrongDomain.Count
    Violations         = $violations.Count
    ViolationSamples   = @($violations | Select-Object -First 5)
    ViolationsWithin5MsOfThe429 = @($violations | Where-Object { $_ -match '\((\d+) ms after it was sent\)' -and [int]$Matches[1] -le 5 }).Count
    SandboxThrottledCount = $tenantLoad.throttled
    SandboxMaxInFlight = $tenantLoad.maxInFlight
    ClientCpuMs        = $cpu
})
