# The fleet cmdlets (docs/fleet.md) at MSP scale, on sandboxes of their own with generated fleets
# (tests/CalendarFederation.Sandbox/README.md, "A fleet"). The fleet file is this script's: every tenant paired with
# its next Neighbors/2 tenants around a ring, so each has Neighbors partners (50 tenants, 12 each: 300 pairs), by the
# cross-tenant access policy. The generated tenants start in the sandbox's mix of states (migrated, legacy, drifted,
# one way, ...); the unreadable pair's fault rules are removed first, so every tenant can be read and written.
#   1. Plan: Get-CalendarFederationPlan timed in this process at a sandbox latency; per tenant, the reads the sandbox
#      logged, against the least time they need within the per-tenant gates (below).
#   2. Apply under a Graph budget per tenant: Invoke-CalendarFederationPlan -Path in a child PowerShell, killed after a
#      seeded random number of logged requests, then the same command with the same checkpoint; then the sandbox's
#      state (lost, duplicated), its request log (writes repeated after the kill), violations, getSchedule both ways.
#   3. Memory: a child PowerShell plans the 50-tenant fleet, another a 500-tenant one (same shape), at zero latency.
# Alone: dotnet pwsh bench/Invoke-Benchmarks.ps1 -FleetOnly -ModulePath <built psd1> -SandboxDll <sandbox dll>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxDll,
    [int] $Tenants = 50,
    [int] $Neighbors = 12,
    [int] $LargeTenants = 500,
    [int] $LatencyMs = 50,
    [int] $ThrottleLimit = 8,
    [int] $LowThrottleLimit = 2,
    [int] $PlanRuns = 5,
    [double] $RequestsPerSecond = 20,
    [int] $Seed = 1,
    # The kill comes after a random number of requests in [KillAfterMin, KillAfterMax] past the plan's own reads.
    [int] $KillAfterMin = 200,
    [int] $KillAfterMax = 2500,
    [string] $WorkDirectory = (Join-Path (Split-Path (Split-Path $PSScriptRoot -Parent) -Parent) 'artifacts/bench')
)
. (Join-Path $PSScriptRoot 'Common.ps1')
$Root = Split-Path (Split-Path $PSScriptRoot -Parent) -Parent
Import-Module (Join-Path $Root 'tests/Pester/SandboxHelpers.psm1') -Force
New-Item -ItemType Directory -Path $WorkDirectory -Force | Out-Null
$EnvironmentName = 'BenchFleet'
# Per-tenant gates of the engine's clients (src/CalendarFederation.Engine/AdminApi/AdminApiClient.cs, Graph/GraphClientOptions.cs).
$AdminGate = 6
$GraphGate = 4

# Records of other services lack some properties, which matters under Set-StrictMode.
function P($Object, [string] $Name) { $q = $Object.PSObject.Properties[$Name]; if ($q) { $q.Value } else { $null } }
function Get-Requests($Url) { @(Invoke-RestMethod -Uri "$Url/_sandbox/requests" | ForEach-Object { $_ }) }

function Start-FleetSandbox([int] $Count) {
    $sandbox = Start-CFSandbox -SandboxDll $SandboxDll -Fleet $Count -FleetSeed $Seed
    $fleet = Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/fleet"
    # The unreadable pair's standing rules (one per service): removed so every pair can be planned and applied.
    foreach ($m in @($fleet.members | Where-Object { $_.unreadable })) {
        foreach ($id in "fleet-unreadable-adminapi-$($m.name)", "fleet-unreadable-graph-$($m.name)") {
            try { Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/faults/$id" | Out-Null } catch { }
        }
    }
    foreach ($m in $fleet.members) { Set-Item -Path "env:$($m.secretEnvironmentVariable)" -Value "$($m.name)-sandbox-secret" }
    [pscustomobject]@{ Sandbox = $sandbox; Members = @($fleet.members) }
}

function Write-FleetFile($Members, [string] $Path) {
    # Tenant i with tenants i+1 .. i+Neighbors/2 (around the ring): Neighbors partners each, N x Neighbors / 2 pairs.
    $n = $Members.Count
    $pairs = [System.Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $n; $i++) {
        for ($d = 1; $d -le $Neighbors / 2; $d++) { $pairs.Add([ordered]@{ Between = @($Members[$i].name, $Members[($i + $d) % $n].name) }) }
    }
    $file = [ordered]@{
        Defaults = [ordered]@{ Method = 'CrossTenantAccess'; FreeBusyAccessLevel = 'AvailabilityOnly'; ExchangeEnvironmentName = $EnvironmentName }
        Tenants  = @($Members | ForEach-Object {
                [ordered]@{ Name = $_.name; Organization = $_.organization; TenantId = $_.tenantId; AppId = $_.appId; ClientSecretEnvironmentVariable = $_.secretEnvironmentVariable } })
        Pairs    = $pairs
    }
    $file | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $Path -Encoding utf8NoBOM
    return $pairs
}

function Invoke-Child([string[]] $Arguments, [switch] $NoWait) {
    $pwsh = @((Get-Process -Id $PID).Path)
    if ([System.IO.Path]::GetFileNameWithoutExtension($pwsh[0]) -eq 'dotnet') { $pwsh += [System.Reflection.Assembly]::GetEntryAssembly().Location }
    $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'FleetChild.ps1')) + $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [System.Diagnostics.Process]::Start($psi)
    $child = [pscustomobject]@{ Process = $p; Out = $p.StandardOutput.ReadToEndAsync(); Err = $p.StandardError.ReadToEndAsync() }
    if ($NoWait) { return $child }
    return Complete-Child $child
}

function Complete-Child($Child) {
    $Child.Process.WaitForExit()
    $out = $Child.Out.Result
    $line = @($out -split "`r?`n" | Where-Object { $_ -like 'BENCH_RESULT=*' }) | Select-Object -Last 1
    if (-not $line) { return $null }
    return $line.Substring('BENCH_RESULT='.Length) | ConvertFrom-Json -AsHashtable
}

function Get-ChildArguments($Sandbox, [string] $Mode, [string] $FleetPath, [string] $Checkpoint) {
    $a = @('-Mode', $Mode, '-ModulePath', $ModulePath, '-EnvironmentName', $EnvironmentName, '-SignInUri', $Sandbox.HttpsUrls['good'],
        '-AutodiscoverUri', $Sandbox.AutodiscoverUri, '-FleetPath', $FleetPath, '-ThrottleLimit', "$ThrottleLimit")
    if ($Checkpoint) { $a += @('-CheckpointPath', $Checkpoint) }
    return $a
}

function Get-ReadMinimum($Requests, [int] $Limit = $ThrottleLimit) {
    # Per tenant: its admin API and Graph reads run in parallel, each within its gate (6 and 4 at once), every request
    # one latency. A read that needs another's answer cannot start before it (src/CalendarFederation.Engine/Fleet/
    # FleetStateReader.cs): first the reads that need nothing (organization relationships, configuration, accepted
    # domains; the default policy, its capabilities and the partner list), then each listed partner's reads, then the
    # admin API lookup of a scope group found in a partner's capabilities (Get-DistributionGroup), then Get-Recipient
    # for a group that lookup did not find (XtapDecisions D15). So tenant t needs
    #   rounds_t = max(ceil(admin_t/6), graph rounds, depth_t) latencies, where graph rounds are ceil(graph_t/4), or
    #   1 + ceil(p_t/4) when it has p_t partner reads, and depth_t counts the levels above that it reaches.
    # T tenants are read at once, so the fleet needs at least max(the slowest tenant, the sum over tenants / T).
    # Two references: gates only (the same without the order, a bound no client can reach once a tenant has a partner),
    # and serial (a tenant's reads one after another).
    $perTenant = [ordered]@{}
    foreach ($g in ($Requests | Where-Object { (P $_ 'service') -in 'adminapi', 'graph' } | Group-Object { "$(P $_ 'tenant')" } | Sort-Object Name)) {
        $adminRequests = @($g.Group | Where-Object { (P $_ 'service') -eq 'adminapi' })
        $graphRequests = @($g.Group | Where-Object { (P $_ 'service') -eq 'graph' })
        $admin = $adminRequests.Count
        $graph = $graphRequests.Count
        $partnerReads = @($graphRequests | Where-Object { "$(P $_ 'path')" -match '/crossTenantAccessPolicy/partners/[^/]+' }).Count
        $groupLookups = @($adminRequests | Where-Object { (P $_ 'cmdletName') -eq 'Get-DistributionGroup' }).Count
        $recipientLookups = @($adminRequests | Where-Object { (P $_ 'cmdletName') -eq 'Get-Recipient' }).Count
        $graphRounds = [Math]::Ceiling($graph / $GraphGate)
        if ($partnerReads -gt 0) { $graphRounds = [Math]::Max($graphRounds, 1 + [Math]::Ceiling($partnerReads / $GraphGate)) }
        $depth = 1 + [int]($partnerReads -gt 0) + [int]($groupLookups -gt 0) + [int]($recipientLookups -gt 0)
        $gatesOnly = [Math]::Max([Math]::Ceiling($admin / $AdminGate), [Math]::Ceiling($graph / $GraphGate))
        $perTenant[$g.Name] = [ordered]@{ Admin = $admin; Graph = $graph; PartnerReads = $partnerReads
            Rounds = [Math]::Max([Math]::Max([Math]::Ceiling($admin / $AdminGate), $graphRounds), $depth)
            GatesOnlyRounds = $gatesOnly; SerialMs = ($admin + $graph) * $LatencyMs }
    }
    function Get-Bound([double[]] $PerTenantMs) {
        [Math]::Max(($PerTenantMs | Measure-Object -Maximum).Maximum, ($PerTenantMs | Measure-Object -Sum).Sum / $Limit)
    }
    $rounds = [double[]]@($perTenant.Values | ForEach-Object { $_.Rounds * $LatencyMs })
    $histogram = [ordered]@{}
    foreach ($h in ($perTenant.Values | Group-Object { $_.Rounds } | Sort-Object { [int]$_.Name })) { $histogram["$($h.Name)"] = $h.Count }
    [ordered]@{
        Tenants = $perTenant.Count; Requests = @($Requests | Where-Object { (P $_ 'service') -in 'adminapi', 'graph' }).Count
        AdminRequests = ($perTenant.Values | ForEach-Object { $_.Admin } | Measure-Object -Sum).Sum
        GraphRequests = ($perTenant.Values | ForEach-Object { $_.Graph } | Measure-Object -Sum).Sum
        PartnerReads = ($perTenant.Values | ForEach-Object { $_.PartnerReads } | Measure-Object -Sum).Sum
        RoundsPerTenant = $histogram
        SlowestTenantMs = ($rounds | Measure-Object -Maximum).Maximum; SumOfTenantsMs = ($rounds | Measure-Object -Sum).Sum
        MinimumMs = Get-Bound $rounds
        GatesOnlyMinimumMs = Get-Bound ([double[]]@($perTenant.Values | ForEach-Object { $_.GatesOnlyRounds * $LatencyMs }))
        SerialMinimumMs = Get-Bound ([double[]]@($perTenant.Values | ForEach-Object { $_.SerialMs }))
        RequestsPerTenantMin = ($perTenant.Values | ForEach-Object { $_.Admin + $_.Graph } | Measure-Object -Minimum).Minimum
        RequestsPerTenantMax = ($perTenant.Values | ForEach-Object { $_.Admin + $_.Graph } | Measure-Object -Maximum).Maximum
    }
}

function Get-WriteKey($r) {
    # A successful write as the log names it; POSTs to a collection are left out (their path does not say what they
    # created): a create sent again for something that exists is answered 409 and counted as such.
    $service = P $r 'service'; $status = [int](P $r 'status')
    if ($status -lt 200 -or $status -ge 300) { return $null }
    if ($service -eq 'graph' -and "$(P $r 'method')" -notin 'GET', 'POST' -and "$(P $r 'path')" -like '*/policies/crossTenantAccessPolicy*') { return "graph $(P $r 'tenant') $(P $r 'method') $(P $r 'path')" }
    if ($service -eq 'adminapi' -and (P $r 'isWrite')) { return "adminapi $(P $r 'tenant') $(P $r 'cmdletName')" }
    return $null
}

function Test-IsWrite($r) {
    $service = P $r 'service'
    ($service -eq 'graph' -and "$(P $r 'method')" -ne 'GET' -and "$(P $r 'path')" -like '*/policies/crossTenantAccessPolicy*') -or ($service -eq 'adminapi' -and (P $r 'isWrite'))
}

$result = [ordered]@{ Tenants = $Tenants; Neighbors = $Neighbors; LatencyMs = $LatencyMs; ThrottleLimit = $ThrottleLimit; Seed = $Seed
    AdminGate = $AdminGate; GraphGate = $GraphGate; RequestsPerSecondBudget = $RequestsPerSecond; LargeTenants = $LargeTenants }

# ----- 50 tenants: memory, plan, apply --------------------------------------------------------------------------------
$fleet = Start-FleetSandbox $Tenants
$sandbox = $fleet.Sandbox
$url = $sandbox.Url
try {
    $fleetPath = Join-Path $WorkDirectory 'fleet-bench.json'
    $pairs = Write-FleetFile $fleet.Members $fleetPath
    $result.Pairs = $pairs.Count

    # 3. Memory of planning 50 tenants, a fresh process, zero latency, before anything is applied.
    Invoke-RestMethod -Method Put -Uri "$url/_sandbox/latency?ms=0" | Out-Null
    $result.Memory50 = Invoke-Child (Get-ChildArguments $sandbox 'Plan' $fleetPath $null)

    # 1. Plan, timed in this process, PlanRuns times.
    Invoke-RestMethod -Method Put -Uri "$url/_sandbox/latency?ms=$LatencyMs" | Out-Null
    Import-Module $ModulePath
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $EnvironmentName
    function Measure-Plan([int] $Limit, [int] $Runs) {
        $planResults = @()
        for ($run = 1; $run -le $Runs; $run++) {
            Invoke-RestMethod -Method Delete -Uri "$url/_sandbox/requests" | Out-Null
            $errs = $null
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $rows = @(Get-CalendarFederationPlan -Path $fleetPath -ThrottleLimit $Limit -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue)
            $sw.Stop()
            $min = Get-ReadMinimum (Get-Requests $url) $Limit
            $actions = [ordered]@{}
            foreach ($g in ($rows | Group-Object { "$($_.Action)" } | Sort-Object Name)) { $actions[$g.Name] = $g.Count }
            $planResults += [ordered]@{ Run = $run; ThrottleLimit = $Limit; ElapsedMs = $sw.Elapsed.TotalMilliseconds; Rows = $rows.Count; Actions = $actions; Errors = @($errs).Count
                ErrorSamples = @($errs | Select-Object -First 3 | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" })
                Reads = $min; Ratio = $sw.Elapsed.TotalMilliseconds / $min.MinimumMs; GatesOnlyRatio = $sw.Elapsed.TotalMilliseconds / $min.GatesOnlyMinimumMs
                SerialRatio = $sw.Elapsed.TotalMilliseconds / $min.SerialMinimumMs; LoadAverage = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) }
            Write-Host ("   plan (ThrottleLimit {10}) run {0}: {1:n2} s, {2} rows, {3} reads, minimum {4:n2} s ({5:n2}x; gates only {6:n2} s, {7:n2}x; serial {8:n2} s, {9:n2}x)" -f $run, ($sw.Elapsed.TotalSeconds), $rows.Count, $min.Requests, ($min.MinimumMs / 1000), $planResults[-1].Ratio, ($min.GatesOnlyMinimumMs / 1000), $planResults[-1].GatesOnlyRatio, ($min.SerialMinimumMs / 1000), $planResults[-1].SerialRatio, $Limit)
        }
        return , $planResults
    }
    $planResults = Measure-Plan $ThrottleLimit $PlanRuns
    # The same at a low bound: the machine's 2 cores run the sandbox as well as the planner, and with fewer tenants at
    # once less of the time is their CPU (docs/benchmarks.md section 8).
    $result.PlanRunsLowLimit = Measure-Plan $LowThrottleLimit 3
    $result.PlanRuns = $planResults
    $planReads = $planResults[-1].Reads.Requests

    # 2. Apply under a Graph budget per tenant; killed at a seeded random point; re-run with the same checkpoint.
    foreach ($m in $fleet.Members) { Invoke-RestMethod -Method Put -Uri "$url/_sandbox/tenants/$($m.name)/graph-budget?requestsPerSecond=$RequestsPerSecond" | Out-Null }
    Invoke-RestMethod -Method Delete -Uri "$url/_sandbox/requests" | Out-Null
    Invoke-RestMethod -Method Delete -Uri "$url/_sandbox/violations" | Out-Null
    $checkpoint = Join-Path $WorkDirectory 'fleet-bench.checkpoint.jsonl'
    Remove-Item -LiteralPath $checkpoint -ErrorAction SilentlyContinue
    $killAt = $planReads + [System.Random]::new($Seed).Next($KillAfterMin, $KillAfterMax + 1)
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $child = Invoke-Child (Get-ChildArguments $sandbox 'Apply' $fleetPath $checkpoint) -NoWait
    $killed = $false
    while (-not $child.Process.HasExited) {
        $w = Invoke-RestMethod -Uri "$url/_sandbox/wait?requestsAtLeast=$killAt&timeoutMs=2000" -TimeoutSec 30
        if ($w.satisfied -and -not $child.Process.HasExited) { $child.Process.Kill($true); $killed = $true; break }
    }
    $child.Process.WaitForExit()
    $killedAfterMs = $sw.Elapsed.TotalMilliseconds
    # Requests the killed process left in flight finish in the sandbox; then the log holds everything before the kill.
    Invoke-RestMethod -Uri "$url/_sandbox/wait?inFlight=0&timeoutMs=30000" -TimeoutSec 60 | Out-Null
    $beforeKill = Get-Requests $url
    $firstOutcome = if ($killed) { $null } else { Complete-Child $child }
    $checkpointLines = @(Get-Content -LiteralPath $checkpoint -ErrorAction SilentlyContinue).Count
    $sw2 = [System.Diagnostics.Stopwatch]::StartNew()
    $rerun = Invoke-Child (Get-ChildArguments $sandbox 'Apply' $fleetPath $checkpoint)
    $sw2.Stop()
    Invoke-RestMethod -Uri "$url/_sandbox/wait?inFlight=0&timeoutMs=30000" -TimeoutSec 60 | Out-Null
    $all = Get-Requests $url
    $afterKill = @($all | Select-Object -Skip $beforeKill.Count)
    $violations = @(Invoke-RestMethod -Uri "$url/_sandbox/violations" | ForEach-Object { $_ })

    $keysBefore = [System.Collections.Generic.HashSet[string]]::new()
    foreach ($r in $beforeKill) { $k = Get-WriteKey $r; if ($k) { [void]$keysBefore.Add($k) } }
    $repeated = [System.Collections.Generic.List[string]]::new()
    foreach ($r in $afterKill) { $k = Get-WriteKey $r; if ($k -and $keysBefore.Contains($k)) { $repeated.Add($k) } }
    $conflicts = @($afterKill | Where-Object { (Test-IsWrite $_) -and [int](P $_ 'status') -eq 409 })
    $writesBefore = @($beforeKill | Where-Object { (Test-IsWrite $_) -and [int](P $_ 'status') -ge 200 -and [int](P $_ 'status') -lt 300 }).Count
    $writesAfter = @($afterKill | Where-Object { (Test-IsWrite $_) -and [int](P $_ 'status') -ge 200 -and [int](P $_ 'status') -lt 300 }).Count
    $graphAll = @($all | Where-Object { (P $_ 'service') -eq 'graph' -and "$(P $_ 'path')" -like '*/policies/crossTenantAccessPolicy*' })

    # The state: per pair and direction, the sharing tenant's one partner entry for the other with the Basic free/busy
    # capability (and only it) allowed, no enabled relationship for the partner on either side, getSchedule served.
    Invoke-RestMethod -Method Put -Uri "$url/_sandbox/latency?ms=0" | Out-Null
    $byName = @{}; foreach ($m in $fleet.Members) { $byName[$m.name] = $m }
    $policy = @{}; $relationships = @{}; $tokens = @{}
    foreach ($m in $fleet.Members) {
        $policy[$m.name] = Invoke-RestMethod -Uri "$url/_sandbox/tenants/$($m.name)/cross-tenant-access"
        $relationships[$m.name] = @(Invoke-RestMethod -Uri "$url/_sandbox/tenants/$($m.name)/relationships" | ForEach-Object { $_ })
        $tokens[$m.name] = (Invoke-RestMethod -Method Post -Uri "$($sandbox.HttpsUrls['good'])/$($m.organization)/oauth2/v2.0/token" -ContentType 'application/x-www-form-urlencoded' `
                -Body @{ grant_type = 'client_credentials'; client_id = $m.appId; client_secret = "$($m.name)-sandbox-secret"; scope = 'https://graph.microsoft.com/.default' }).access_token
    }
    function Test-Served([string] $From, [string] $To) {
        # $To's user asks for $From's mailbox: served when $From shares with $To.
        $body = @{ schedules = @("user1@$($byName[$From].domain)"); startTime = @{ dateTime = '2030-01-07T08:00:00'; timeZone = 'UTC' }; endTime = @{ dateTime = '2030-01-07T18:00:00'; timeZone = 'UTC' } } | ConvertTo-Json -Depth 5
        $answer = Invoke-RestMethod -Method Post -Uri "$($sandbox.HttpsUrls['good'])/v1.0/users/user1@$($byName[$To].domain)/calendar/getSchedule" -ContentType 'application/json' -Headers @{ Authorization = "Bearer $($tokens[$To])" } -Body $body
        return -not (@($answer.value)[0].PSObject.Properties['error'])
    }
    $lost = [System.Collections.Generic.List[string]]::new()
    $duplicated = [System.Collections.Generic.List[string]]::new()
    $served = 0
    foreach ($pair in $pairs) {
        $a, $b = $pair.Between
        foreach ($dir in @(@($a, $b), @($b, $a))) {
            $from, $to = $dir
            $entries = @(@($policy[$from].partners) | Where-Object { $_ -and $_.tenantId -eq $byName[$to].tenantId })
            if ($entries.Count -gt 1) { $duplicated.Add("$from has $($entries.Count) partner entries for $to") }
            $names = @($entries | ForEach-Object { @($_.m365Capabilities) } | Where-Object { $_ } | ForEach-Object { $_.name })
            if ($names.Count -ne @($names | Sort-Object -Unique).Count) { $duplicated.Add("$from holds a capability for $to twice") }
            $allowed = @($entries | ForEach-Object { @($_.m365Capabilities) } | Where-Object { $_ -and $_.inboundAccess.isAllowed } | ForEach-Object { $_.name })
            $problems = @()
            if (($allowed -join ',') -ne 'crossTenantCalendarAvailabilityBasic') { $problems += "grants [$($allowed -join ',')]" }
            if (@($relationships[$from] | Where-Object { $_.enabled -and "$($_.name)" -eq $to }).Count) { $problems += 'a relationship is still enabled' }
            if (Test-Served $from $to) { $served++ } else { $problems += 'getSchedule not served' }
            if ($problems.Count) { $lost.Add("$from -> ${to}: $($problems -join '; ')") }
        }
    }
    $result.Apply = [ordered]@{
        KillAtRequests = $killAt; KillAfterMin = $KillAfterMin; KillAfterMax = $KillAfterMax; PlanReads = $planReads; Killed = $killed; KilledAfterMs = $killedAfterMs; FirstRunOutcome = $firstOutcome
        RequestsBeforeKill = $beforeKill.Count; WritesBeforeKill = $writesBefore; CheckpointLinesAtKill = $checkpointLines
        RerunMs = $sw2.Elapsed.TotalMilliseconds; Rerun = $rerun; RequestsAfterKill = $afterKill.Count; WritesAfterKill = $writesAfter
        RequestLogTotal = $all.Count; RequestLogCapped = $all.Count -ge 20000
        GraphRequests = $graphAll.Count; GraphThrottled = @($graphAll | Where-Object { [int](P $_ 'status') -eq 429 }).Count
        Directions = 2 * $pairs.Count; ServedDirections = $served
        Lost = $lost.Count; LostSamples = @($lost | Select-Object -First 5)
        Duplicated = $duplicated.Count; DuplicatedSamples = @($duplicated | Select-Object -First 5)
        Repeated = $repeated.Count + $conflicts.Count; RepeatedSamples = @(@($repeated) + @($conflicts | ForEach-Object { "409 $(P $_ 'tenant') $(P $_ 'method') $(P $_ 'path') $(P $_ 'cmdletName')" }) | Select-Object -First 5)
        RepeatedExact = $repeated.Count; RefusedAsDuplicate = $conflicts.Count
        Violations = $violations.Count; ViolationSamples = @($violations | Select-Object -First 3)
    }
    Write-Host ("   apply: killed {0} at {1} requests; re-run {2:n1} s; lost {3}, duplicated {4}, repeated {5}" -f $killed, $killAt, ($sw2.Elapsed.TotalSeconds), $lost.Count, $duplicated.Count, $result.Apply.Repeated)
}
finally {
    Stop-CFSandbox $sandbox
}

# ----- 500 tenants: memory only -----------------------------------------------------------------------------------------
$large = Start-FleetSandbox $LargeTenants
try {
    Invoke-RestMethod -Method Put -Uri "$($large.Sandbox.Url)/_sandbox/latency?ms=0" | Out-Null
    $largePath = Join-Path $WorkDirectory 'fleet-bench-large.json'
    $result.LargePairs = (Write-FleetFile $large.Members $largePath).Count
    $result.MemoryLarge = Invoke-Child (Get-ChildArguments $large.Sandbox 'Plan' $largePath $null)
}
finally {
    Stop-CFSandbox $large.Sandbox
}
Write-BenchResult $result
