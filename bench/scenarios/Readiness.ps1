# Get-CalendarFederationReadiness for a tenant with many organization relationships: what it asks the services for, and
# how long it takes. Self-contained: it starts its own sandbox from sandbox.json plus -PartnerTenants generated partner
# tenants (each with its share of the -Relationships domains), seeds contoso with one relationship per domain through the
# admin API and an X-TAP grant for most partner tenants, then runs the cmdlet -Runs times (the first includes the Graph
# sign-in) and reads the sandbox's own logs: admin API requests per cmdlet, Graph requests per kind, and the anonymous
# tenant lookups. Seeding is not timed.
#
# Alone (from the repository root, after ./build.ps1 Build and ./build.ps1 SandboxCa):
#   export CF_SANDBOX_CA=$PWD/artifacts/sandbox-ca SSL_CERT_FILE=$PWD/artifacts/sandbox-ca/bundle.pem
#   dotnet pwsh -NoProfile -File bench/scenarios/Readiness.ps1 -ModulePath out/CalendarFederation/0.1.0/CalendarFederation.psd1 `
#       -SandboxDll tests/CalendarFederation.Sandbox/bin/Release/net10.0/CalendarFederation.Sandbox.dll
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxDll,
    [int] $Relationships = 500,
    [int] $PartnerTenants = 50,
    # Partner tenants contoso has granted free/busy (the rest are NeedsCrossTenantAccess).
    [int] $Granted = 40,
    [int] $Runs = 3,
    # Latency the sandbox adds to each admin API and Graph request while the cmdlet runs (not to the anonymous tenant lookups: its sign-in endpoints have no latency knob; seeding runs without it).
    [int] $LatencyMs = 0,
    [string] $CaDirectory = $env:CF_SANDBOX_CA
)
. (Join-Path $PSScriptRoot 'Common.ps1')
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
$SandboxDll = (Resolve-Path -LiteralPath $SandboxDll).Path
if ($CaDirectory) { $CaDirectory = (Resolve-Path -LiteralPath $CaDirectory).Path }
Import-Module (Join-Path $PSScriptRoot '../../tests/Pester/SandboxHelpers.psm1') -Force
Import-Module $ModulePath

# The sandbox's own configuration plus the partner tenants; partner t has the domains d<i>.bench<t>.example for i = t, t+P, ...
$source = Join-Path (Split-Path -Parent $SandboxDll) 'sandbox.json'
$config = Get-Content -LiteralPath $source -Raw | ConvertFrom-Json -AsHashtable
$tenantIds = @{}
for ($t = 0; $t -lt $PartnerTenants; $t++) {
    $id = [guid]::new($t, 0x1000, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1).ToString()
    $tenantIds[$t] = $id
    $domains = @(for ($i = $t; $i -lt $Relationships; $i += $PartnerTenants) { 'd{0:000}.bench{1:00}.example' -f $i, $t })
    $config.tenants += @{ name = ('bench{0:00}' -f $t); id = $id; initialDomain = ('bench{0:00}.onmicrosoft.com' -f $t); domains = @($domains + ('bench{0:00}.onmicrosoft.com' -f $t)) }
}
$configPath = Join-Path ([System.IO.Path]::GetTempPath()) ("readiness-bench-{0}.json" -f [guid]::NewGuid())
$config | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $configPath -Encoding utf8NoBOM
$sandbox = Start-CFSandbox -SandboxDll $SandboxDll -ConfigPath $configPath -CaDirectory $CaDirectory
try {
    if (-not (Test-CFSandboxTrust -Sandbox $sandbox)) { throw 'This process does not trust the sandbox root: set SSL_CERT_FILE (Linux) to artifacts/sandbox-ca/bundle.pem before pwsh starts.' }
    $url = $sandbox.Url

    # Seeding: New-OrganizationRelationship straight to the admin API (one request each, side by side).
    $form = @{ grant_type = 'client_credentials'; client_id = 'c0a5e000-0000-4000-8000-000000000001'; client_secret = 'contoso-sandbox-secret'; scope = 'https://outlook.office365.com/.default' }
    $token = (Invoke-RestMethod -Method Post -Uri "$url/contoso.onmicrosoft.com/oauth2/v2.0/token" -Body $form).access_token
    $seedErrors = @(0..($Relationships - 1) | ForEach-Object -ThrottleLimit 8 -Parallel {
        $i = $_
        $domain = 'd{0:000}.bench{1:00}.example' -f $i, ($i % $using:PartnerTenants)
        $parameters = @{ Name = ('Bench{0:000}' -f $i); DomainNames = @($domain); FreeBusyAccessEnabled = $true; FreeBusyAccessLevel = 'AvailabilityOnly'
            TargetApplicationUri = 'outlook.com'; TargetAutodiscoverEpr = 'https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity'; Confirm = $false }
        $body = @{ CmdletInput = @{ CmdletName = 'New-OrganizationRelationship'; Parameters = $parameters } } | ConvertTo-Json -Depth 6 -Compress
        try {
            Invoke-RestMethod -Method Post -Uri "$using:url/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand" -Body $body -ContentType 'application/json' `
                -Headers @{ Authorization = "Bearer $using:token"; 'X-AnchorMailbox' = 'APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@contoso.onmicrosoft.com' } | Out-Null
        }
        catch { "$domain`: $_" }
    })
    if ($seedErrors.Count -gt 0) { throw "Seeding failed for $($seedErrors.Count) relationships, e.g. $($seedErrors[0])" }
    $capability = @{ '@odata.type' = '#microsoft.graph.crossTenantCalendarAvailabilityBasic'; inboundAccess = @{ isAllowed = $true; resourceScopes = @{ included = @(@{ resourceId = 'All'; resourceType = 'user' }); excluded = @() } } }
    $trust = @{ users = @{ accessType = 'allowed'; targets = @(@{ target = 'AllUsers'; targetType = 'user' }) } }
    $partners = @(for ($t = 0; $t -lt $Granted; $t++) { @{ tenantId = $tenantIds[$t]; m365CollaborationInbound = $trust; m365Capabilities = @($capability) } })
    Invoke-RestMethod -Method Put -Uri "$url/_sandbox/tenants/contoso/cross-tenant-access" -Body (@{ partners = $partners } | ConvertTo-Json -Depth 12 -Compress) -ContentType 'application/json' | Out-Null
    $stored = @(Invoke-RestMethod -Uri "$url/_sandbox/tenants/contoso/relationships" | ForEach-Object { $_ }).Count

    Add-CalendarFederationEnvironment -Name ReadinessBench -AzureADAuthorizationEndpointUri $sandbox.HttpsUrls['good'] -ConnectionUri $sandbox.HttpsUrls['good'] `
        -AutodiscoverEndpoint "$url/autodiscover/autodiscover.svc" | Out-Null
    $connection = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com `
        -ClientSecret (ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force) -ExchangeEnvironmentName ReadinessBench -PassThru -WarningAction SilentlyContinue

    Invoke-RestMethod -Method Put -Uri "$url/_sandbox/latency?ms=$LatencyMs" | Out-Null
    $runResults = @()
    for ($run = 1; $run -le $Runs; $run++) {
        Invoke-RestMethod -Method Delete -Uri "$url/_sandbox/requests" | Out-Null
        Invoke-RestMethod -Method Delete -Uri "$url/_sandbox/signins" | Out-Null
        $cpu0 = Get-CpuMilliseconds
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $rows = @(Get-CalendarFederationReadiness -Connection $connection -WarningAction SilentlyContinue)
        $sw.Stop()
        $cpu = (Get-CpuMilliseconds) - $cpu0
        $requests = @(Invoke-RestMethod -Uri "$url/_sandbox/requests" | ForEach-Object { $_ })
        $admin = [ordered]@{}
        foreach ($g in @($requests | Where-Object { $_.PSObject.Properties['service'] -and $_.service -eq 'adminapi' } | Group-Object cmdletName | Sort-Object Name)) { $admin[$g.Name] = $g.Count }
        $graph = [ordered]@{ 'GET default' = 0; 'GET default/m365Capabilities' = 0; 'GET partners (pages)' = 0; 'GET partners/{id}/m365Capabilities' = 0; Other = 0 }
        foreach ($r in @($requests | Where-Object { $_.PSObject.Properties['service'] -and $_.service -eq 'graph' })) {
            $path = "$($r.path)" -replace '^/(v1\.0|beta)/policies/crossTenantAccessPolicy', ''
            $kind = switch -Regex ($path) {
                '^/default$' { 'GET default' }
                '^/default/m365Capabilities$' { 'GET default/m365Capabilities' }
                '^/partners$' { 'GET partners (pages)' }
                '^/partners/[^/]+/m365Capabilities$' { 'GET partners/{id}/m365Capabilities' }
                default { 'Other' }
            }
            if ($r.method -ne 'GET') { $kind = 'Other' }
            $graph[$kind]++
        }
        $lookups = @(Invoke-RestMethod -Uri "$url/_sandbox/signins" | ForEach-Object { $_ } | Where-Object { $_.endpoint -eq 'openid-configuration' -and "$($_.tenant)" -like '*.bench*.example' } | ForEach-Object { "$($_.tenant)".ToLowerInvariant() })
        $verdicts = [ordered]@{}
        foreach ($g in @($rows | Where-Object ObjectType -eq 'OrganizationRelationship' | Group-Object { "$($_.Verdict)" } | Sort-Object Name)) { $verdicts[$g.Name] = $g.Count }
        $runResults += [ordered]@{
            Run                   = $run
            ElapsedMs             = $sw.Elapsed.TotalMilliseconds
            ClientCpuMs           = $cpu
            Rows                  = $rows.Count
            RelationshipVerdicts  = $verdicts
            AdminApiRequests      = $admin
            AdminApiWrites        = @($requests | Where-Object { $_.PSObject.Properties['isWrite'] -and $_.isWrite }).Count
            GraphRequests         = $graph
            TenantLookups         = $lookups.Count
            DistinctLookedUp      = @($lookups | Sort-Object -Unique).Count
        }
        Write-Host ("run {0}: {1:n0} ms, {2} rows; admin API {3}; Graph {4}; {5} tenant lookups ({6} distinct domains)" -f $run, $sw.Elapsed.TotalMilliseconds, $rows.Count,
            (($admin.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '), (($graph.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '),
            $lookups.Count, @($lookups | Sort-Object -Unique).Count)
    }
    Disconnect-CalendarFederation -Connection $connection -Confirm:$false

    $warm = @($runResults | Select-Object -Skip 1)
    $elapsed = @($warm | ForEach-Object { $_.ElapsedMs })
    $last = $runResults[-1]
    $onePerType = @($last.AdminApiRequests.Values | Where-Object { $_ -ne 1 }).Count -eq 0
    Write-BenchResult ([ordered]@{
        Relationships         = $Relationships
        Stored                = $stored
        LatencyMs             = $LatencyMs
        LookupConcurrency     = 8
        PartnerTenants        = $PartnerTenants
        GrantedPartnerTenants = $Granted
        Runs                  = $runResults
        FirstRunMs            = $runResults[0].ElapsedMs
        WarmMedianMs          = if ($elapsed.Count) { ($elapsed | Sort-Object)[[int][Math]::Floor(($elapsed.Count - 1) / 2)] } else { $null }
        OneRequestPerObjectType = $onePerType
        LookupsPerDistinctDomain = ($last.TenantLookups -eq $last.DistinctLookedUp -and $last.DistinctLookedUp -eq $Relationships)
        CapabilityReadsPerGrantedPartner = ($last.GraphRequests['GET partners/{id}/m365Capabilities'] -eq $Granted)
    })
}
finally {
    Stop-CFSandbox $sandbox
    Remove-Item -LiteralPath $configPath -ErrorAction SilentlyContinue
}
