#Requires -Version 7.2
<#
.SYNOPSIS
    The benchmark harness: import cost, discovery throughput, CPU cost, bulk changes under throttling and memory,
    measured side by side with what admins would use instead. Writes docs/benchmarks.md and docs/benchmarks.json.

.DESCRIPTION
    Run by `./build.ps1 Bench`, which builds first, makes the sandbox's root CA trusted (SSL_CERT_FILE on Linux) and
    starts this script in a fresh PowerShell. Every measured PowerShell is a new process started the way build.ps1
    starts PowerShell (`dotnet <pwsh.dll>` under `dotnet pwsh`). Compared runs are interleaved (A, B, A, B, ...);
    tables give medians and the spread (min-max, and the interquartile range in the JSON).

    Before measuring, it waits (up to -MaxQuietWaitMinutes) for the 1-minute load average to fall to -QuietLoad, and
    records the load average at the start and the end.
#>
[CmdletBinding()]
param(
    [string] $ModulePath,
    [string] $SandboxDll,
    [string] $BenchmarksDll,
    # The import-cost floor: bench/MinimalBinaryModule (a manifest and a one-cmdlet binary module).
    [string] $MinimalModulePath,
    [string] $OutputDirectory = (Join-Path (Split-Path $PSScriptRoot -Parent) 'docs'),
    [string] $WorkDirectory = (Join-Path (Split-Path $PSScriptRoot -Parent) 'artifacts/bench'),
    [int] $ImportRuns = 12,
    [int] $FirstCallRuns = 5,
    [int] $DiscoveryRuns = 5,
    [int] $CpuRuns = 3,
    [double] $QuietLoad = 0.8,
    [int] $MaxQuietWaitMinutes = 20,
    [double] $LoadAverageBeforeBuild = -1,
    # Only re-render docs/benchmarks.md from an existing docs/benchmarks.json.
    [switch] $RenderOnly,
    # Partners in the migration scenario (section 7), and its Graph budget per tenant.
    [int] $MigrationPartners = 200,
    [double] $MigrationRequestsPerSecond = 20,
    # Run only the migration scenario (section 7): the other sections are kept from docs/benchmarks.json and re-rendered.
    [switch] $MigrationOnly,
    # Run only the fleet scenario (section 8): the other sections are kept from docs/benchmarks.json and re-rendered.
    [switch] $FleetOnly,
    # The fleet scenario's seed: the generated fleet's states and the point the applying process is killed at.
    [int] $FleetSeed = 1
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = Split-Path $PSScriptRoot -Parent
$Scenarios = Join-Path $PSScriptRoot 'scenarios'
Import-Module (Join-Path $Root 'tests/Pester/SandboxHelpers.psm1') -Force

# Real tenant domains from the sandbox's sandbox.json. Discovery uses the tenants that answer as Exchange Online has since
# mid-2025 (only the queried domain): one request per domain, so ceil(N/T) x latency is the bound. litware answers with all
# its domains, which makes the module re-discover each of them (additional validation); it is measured separately.
$SingleAnswerDomains = @('contoso.com', 'contoso.onmicrosoft.com', 'sales.contoso.com', 'fabrikam.com', 'fabrikam.onmicrosoft.com',
    'fabrikam.co.uk', 'adatum.com', 'adatum.onmicrosoft.com')
$AllDomainsTenantDomains = @('litware.com', 'litware.onmicrosoft.com', 'litware.net')

#region helpers
function Get-PwshCommand {
    # As build.ps1: 'dotnet <pwsh.dll>' under 'dotnet pwsh', the pwsh executable otherwise.
    $processPath = (Get-Process -Id $PID).Path
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        return @($processPath, [System.Reflection.Assembly]::GetEntryAssembly().Location)
    }
    return @($processPath)
}

function Get-LoadAverage {
    if (Test-Path '/proc/loadavg') {
        $parts = (Get-Content '/proc/loadavg' -Raw).Split(' ')
        return [ordered]@{ One = [double]$parts[0]; Five = [double]$parts[1]; Fifteen = [double]$parts[2]; At = [DateTime]::UtcNow.ToString('o') }
    }
    return [ordered]@{ One = $null; Five = $null; Fifteen = $null; At = [DateTime]::UtcNow.ToString('o') }
}

function Wait-QuietMachine {
    $deadline = [DateTime]::UtcNow.AddMinutes($MaxQuietWaitMinutes)
    $waited = 0
    while ($true) {
        $load = Get-LoadAverage
        if ($null -eq $load.One -or $load.One -le $QuietLoad) { break }
        if ([DateTime]::UtcNow -ge $deadline) {
            Write-Host ("The machine is still busy after {0} min (1-minute load {1}); measuring anyway, and the report says so." -f $MaxQuietWaitMinutes, $load.One) -ForegroundColor Yellow
            break
        }
        Write-Host ("Waiting for a quiet machine: 1-minute load {0} > {1} ..." -f $load.One, $QuietLoad)
        Start-Sleep -Seconds 30
        $waited += 30
    }
    return [ordered]@{ WaitedSeconds = $waited; Load = (Get-LoadAverage); Quiet = ($null -eq (Get-LoadAverage).One -or (Get-LoadAverage).One -le $QuietLoad) }
}

function Get-Median([double[]] $Values) {
    if ($Values.Count -eq 0) { return $null }
    $s = [double[]]($Values | Sort-Object)
    $m = [int][Math]::Floor($s.Count / 2)
    if ($s.Count % 2) { return $s[$m] }
    return ($s[$m - 1] + $s[$m]) / 2
}

function Get-Quantile([double[]] $Values, [double] $Q) {
    $s = [double[]]($Values | Sort-Object)
    if ($s.Count -eq 1) { return $s[0] }
    $pos = ($s.Count - 1) * $Q
    $lo = [int][Math]::Floor($pos)
    $hi = [int][Math]::Ceiling($pos)
    return $s[$lo] + ($s[$hi] - $s[$lo]) * ($pos - $lo)
}

function Get-Stats([double[]] $Values) {
    [ordered]@{
        N      = $Values.Count
        Median = Get-Median $Values
        Min    = ($Values | Measure-Object -Minimum).Minimum
        Max    = ($Values | Measure-Object -Maximum).Maximum
        Q1     = Get-Quantile $Values 0.25
        Q3     = Get-Quantile $Values 0.75
        Runs   = $Values
    }
}

function Get-MachineInfo {
    $os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription
    if (Test-Path '/etc/os-release') {
        $pretty = (Get-Content '/etc/os-release' | Where-Object { $_ -like 'PRETTY_NAME=*' } | Select-Object -First 1)
        if ($pretty) { $os = $pretty.Substring(12).Trim('"') }
        $kernel = (& uname -r 2>$null | Select-Object -First 1)
        if ($kernel) { $os += ", kernel $kernel" }
    }
    $cpu = $null
    if (Test-Path '/proc/cpuinfo') {
        $cpu = (Get-Content '/proc/cpuinfo' | Where-Object { $_ -like 'model name*' } | Select-Object -First 1)
        if ($cpu) { $cpu = $cpu.Split(':', 2)[1].Trim() }
    }
    if (-not $cpu -and $IsWindows) { $cpu = (Get-CimInstance Win32_Processor | Select-Object -First 1).Name }
    if (-not $cpu -and $IsMacOS) { $cpu = (& sysctl -n machdep.cpu.brand_string) }
    $memoryGB = $null
    if (Test-Path '/proc/meminfo') {
        $kb = [double]((Get-Content '/proc/meminfo' | Where-Object { $_ -like 'MemTotal:*' }) -replace '[^0-9]', '')
        $memoryGB = [Math]::Round($kb / 1MB, 1)
    }
    elseif ($IsWindows) { $memoryGB = [Math]::Round((Get-CimInstance Win32_ComputerSystem).TotalPhysicalMemory / 1GB, 1) }
    elseif ($IsMacOS) { $memoryGB = [Math]::Round([double](& sysctl -n hw.memsize) / 1GB, 1) }
    $sdk = (& dotnet --version 2>$null | Select-Object -First 1)
    $commit = (& git -C $Root rev-parse --short HEAD 2>$null | Select-Object -First 1)
    [ordered]@{
        OS                = $os
        Architecture      = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString()
        CpuModel          = $cpu
        LogicalCpus       = [Environment]::ProcessorCount
        MemoryGB          = $memoryGB
        DotNetRuntime     = [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        DotNetSdk         = $sdk
        PowerShell        = $PSVersionTable.PSVersion.ToString()
        PowerShellLauncher = (Get-PwshCommand) -join ' '
        GitCommit         = $commit
        DateUtc           = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
    }
}

$script:Pwsh = @(Get-PwshCommand)

function Invoke-Timed {
    # Starts a fresh PowerShell with the arguments and returns the wall time from start to exit (ms).
    param([string[]] $Arguments)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($script:Pwsh[0])
    foreach ($a in @($script:Pwsh | Select-Object -Skip 1) + $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $outTask = $p.StandardOutput.ReadToEndAsync()
    $errTask = $p.StandardError.ReadToEndAsync()
    $p.WaitForExit()
    $sw.Stop()
    if ($p.ExitCode -ne 0) { throw "pwsh $($Arguments -join ' ') exited with $($p.ExitCode): $($errTask.Result)$($outTask.Result)" }
    return $sw.Elapsed.TotalMilliseconds
}

function Invoke-Scenario {
    # Runs bench/scenarios/<Name>.ps1 in a fresh PowerShell and returns its BENCH_RESULT object.
    param([string] $Name, [hashtable] $Parameters, $Sandbox)
    $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Scenarios "$Name.ps1"))
    foreach ($k in $Parameters.Keys) { $arguments += @("-$k", [string]$Parameters[$k]) }
    $psi = [System.Diagnostics.ProcessStartInfo]::new($script:Pwsh[0])
    foreach ($a in @($script:Pwsh | Select-Object -Skip 1) + $arguments) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $sandboxCpu0 = $null
    if ($Sandbox) { $Sandbox.Process.Refresh(); $sandboxCpu0 = $Sandbox.Process.TotalProcessorTime.TotalMilliseconds }
    $p = [System.Diagnostics.Process]::Start($psi)
    $outTask = $p.StandardOutput.ReadToEndAsync()
    $errTask = $p.StandardError.ReadToEndAsync()
    $p.WaitForExit()
    $out = $outTask.Result
    $log = Join-Path $WorkDirectory ("{0}-{1:yyyyMMddHHmmssfff}.log" -f $Name, [DateTime]::UtcNow)
    Set-Content -LiteralPath $log -Value ($out + "`n--- stderr ---`n" + $errTask.Result)
    $line = @($out -split "`r?`n" | Where-Object { $_ -like 'BENCH_RESULT=*' }) | Select-Object -Last 1
    if ($p.ExitCode -ne 0 -or -not $line) { throw "Scenario $Name failed (exit $($p.ExitCode)); see $log. $($errTask.Result)" }
    $result = $line.Substring('BENCH_RESULT='.Length) | ConvertFrom-Json -AsHashtable
    if ($Sandbox) {
        $Sandbox.Process.Refresh()
        $result['SandboxCpuMs'] = $Sandbox.Process.TotalProcessorTime.TotalMilliseconds - $sandboxCpu0
    }
    return $result
}

function Set-SandboxLatency($Sandbox, [int] $Ms) {
    Invoke-RestMethod -Method Put -Uri "$($Sandbox.Url)/_sandbox/latency?ms=$Ms" | Out-Null
}

function Format-Ms($v) { if ($null -eq $v) { return 'n/a' }; return ('{0:n0} ms' -f $v) }
function Format-S($ms) { if ($null -eq $ms) { return 'n/a' }; return ('{0:n2} s' -f ($ms / 1000)) }
function Format-Spread($stats, [switch] $Seconds) {
    if ($Seconds) { return ('{0:n2}-{1:n2} s' -f ($stats.Min / 1000), ($stats.Max / 1000)) }
    return ('{0:n0}-{1:n0} ms' -f $stats.Min, $stats.Max)
}
#endregion

New-Item -ItemType Directory -Path $WorkDirectory -Force | Out-Null
New-Item -ItemType Directory -Path $OutputDirectory -Force | Out-Null
$jsonPath = Join-Path $OutputDirectory 'benchmarks.json'
function Invoke-MigrationBenchmark {
    # Section 7: its own sandbox (the scenario generates the partner tenants), so it runs after the shared one stopped.
    Write-Host ("7. Migration to the cross-tenant access policy ({0} partners, both sides, Graph budget {1} requests/s per tenant)" -f $MigrationPartners, $MigrationRequestsPerSecond) -ForegroundColor Cyan
    $r = Invoke-Scenario Migration @{ ModulePath = $ModulePath; SandboxDll = $SandboxDll; Partners = $MigrationPartners; RequestsPerSecond = $MigrationRequestsPerSecond; WorkDirectory = $WorkDirectory }
    $r.TargetRatio = 1.2
    $r.HeldRequests = $r.GraphRatioToMinimum -le 1.2
    $r.HeldIntegrity = $r.Lost -eq 0 -and $r.Duplicated -eq 0 -and $r.Errors -eq 0 -and $r.ServedBothWays -eq $r.Partners
    $r.HeldNoEarlyRequest = $r.Violations -eq 0
    $r.MinimumRatioTime = $r.ElapsedMs / $r.ContosoBudgetMinimumMs
    Write-Host ("   {0:n2} Graph requests per partner (minimum {1}: {2:n3}x); {3:n1} s; lost {4}, duplicated {5}" -f $r.GraphRequestsPerPartner, $r.GraphMinimumPerPartner, $r.GraphRatioToMinimum, ($r.ElapsedMs / 1000), $r.Lost, $r.Duplicated)
    return $r
}

function Invoke-FleetBenchmark {
    # Section 8: its own sandboxes (a generated fleet of 50, then one of 500), so it runs after the shared one stopped.
    Write-Host '8. Fleet: plan 50 tenants / 300 pairs, apply them under a Graph budget killed and re-run, memory of 50 vs 500 tenants' -ForegroundColor Cyan
    $start = Get-LoadAverage
    $r = Invoke-Scenario Fleet @{ ModulePath = $ModulePath; SandboxDll = $SandboxDll; Seed = $FleetSeed; WorkDirectory = $WorkDirectory }
    $r.LoadAverageStart = $start
    $r.LoadAverageEnd = Get-LoadAverage
    $r.TargetRatio = 1.3
    $r.PlanElapsed = Get-Stats ([double[]]($r.PlanRuns | ForEach-Object { $_.ElapsedMs }))
    $r.PlanRatio = Get-Median ([double[]]($r.PlanRuns | ForEach-Object { $_.Ratio }))
    $r.PlanSerialRatio = Get-Median ([double[]]($r.PlanRuns | ForEach-Object { $_.SerialRatio }))
    $r.PlanGatesOnlyRatio = Get-Median ([double[]]($r.PlanRuns | ForEach-Object { $_.GatesOnlyRatio }))
    if ($r['PlanRunsLowLimit']) { $r.PlanRatioLowLimit = Get-Median ([double[]]($r.PlanRunsLowLimit | ForEach-Object { $_.Ratio })) }
    $r.HeldPlanGates = $r.PlanRatio -le 1.3
    $r.HeldPlanSerial = $r.PlanSerialRatio -le 1.3
    $a = $r.Apply
    $r.HeldApply = $a.Killed -and $a.Lost -eq 0 -and $a.Duplicated -eq 0 -and $a.Repeated -eq 0 -and $a.ServedDirections -eq $a.Directions
    $small = $r.Memory50; $large = $r.MemoryLarge
    $r.ManagedGrowthPerTenantKB = 1024 * ($large.After.ManagedMB - $small.After.ManagedMB) / ($r.LargeTenants - $r.Tenants)
    $r.ManagedPerTenantKB50 = 1024 * ($small.After.ManagedMB - $small.Before.ManagedMB) / $r.Tenants
    $r.ManagedPerTenantKBLarge = 1024 * ($large.After.ManagedMB - $large.Before.ManagedMB) / $r.LargeTenants
    $r.PeakGrowthPerTenantKB = 1024 * ($large.After.PeakWorkingSetMB - $small.After.PeakWorkingSetMB) / ($r.LargeTenants - $r.Tenants)
    Write-Host ("   plan {0:n2} s median ({1:n2}x the reads' minimum, {2:n2}x the serial one); apply: lost {3}, duplicated {4}, repeated {5}; managed {6:n1} MB / {7:n1} MB, peak working set {8:n0} MB / {9:n0} MB" -f `
        ($r.PlanElapsed.Median / 1000), $r.PlanRatio, $r.PlanSerialRatio, $a.Lost, $a.Duplicated, $a.Repeated, $small.After.ManagedMB, $large.After.ManagedMB, $small.After.PeakWorkingSetMB, $large.After.PeakWorkingSetMB)
    return $r
}

if ($RenderOnly) {
    # Dates stay the strings they were written as (ISO 8601), as -MigrationOnly and -FleetOnly read them.
    $report = Get-Content -LiteralPath $jsonPath -Raw | ConvertFrom-Json -AsHashtable -DateKind String
}
elseif ($FleetOnly) {
    if (-not ($ModulePath -and $SandboxDll)) { throw '-ModulePath and -SandboxDll are required.' }
    # Measured at whatever load there is (no wait for a quiet machine); the load average is recorded with the figures.
    $report = Get-Content -LiteralPath $jsonPath -Raw | ConvertFrom-Json -AsHashtable -DateKind String
    $report.Fleet = Invoke-FleetBenchmark
    $report.Fleet.Machine = Get-MachineInfo
    $report | ConvertTo-Json -Depth 12 | Set-Content -LiteralPath $jsonPath -Encoding utf8NoBOM
}
elseif ($MigrationOnly) {
    if (-not ($ModulePath -and $SandboxDll)) { throw '-ModulePath and -SandboxDll are required.' }
    # Dates stay the strings they were written as (the other sections are kept as they are).
    $report = Get-Content -LiteralPath $jsonPath -Raw | ConvertFrom-Json -AsHashtable -DateKind String
    $migrationLoad = Get-LoadAverage
    $report.Migration = Invoke-MigrationBenchmark
    $report.Migration.LoadAverageStart = $migrationLoad
    $report.Migration.LoadAverageEnd = Get-LoadAverage
    $report.Migration.Machine = Get-MachineInfo
    $report | ConvertTo-Json -Depth 12 | Set-Content -LiteralPath $jsonPath -Encoding utf8NoBOM
}
else {
if (-not ($ModulePath -and $SandboxDll -and $BenchmarksDll -and $MinimalModulePath)) { throw '-ModulePath, -SandboxDll, -BenchmarksDll and -MinimalModulePath are required (./build.ps1 Bench passes them).' }
$total = [System.Diagnostics.Stopwatch]::StartNew()
$report = [ordered]@{}
$report.Machine = Get-MachineInfo
$report.LoadAverage = [ordered]@{ BeforeBuild = $(if ($LoadAverageBeforeBuild -ge 0) { $LoadAverageBeforeBuild } else { $null }) }
Write-Host "Machine: $($report.Machine.CpuModel), $($report.Machine.LogicalCpus) CPUs, $($report.Machine.MemoryGB) GB, $($report.Machine.OS)" -ForegroundColor Cyan
$quiet = Wait-QuietMachine
$report.LoadAverage.Start = $quiet.Load
$report.LoadAverage.WaitedSeconds = $quiet.WaitedSeconds
$report.LoadAverage.QuietThreshold = $QuietLoad
$report.LoadAverage.QuietAtStart = $quiet.Quiet
Write-Host ("Load average at start: {0} {1} {2}" -f $quiet.Load.One, $quiet.Load.Five, $quiet.Load.Fifteen)

$sandbox = Start-CFSandbox -SandboxDll $SandboxDll
try {
    if (-not (Test-CFSandboxTrust -Sandbox $sandbox)) { throw 'This process does not trust the sandbox root: run through ./build.ps1 Bench (it sets SSL_CERT_FILE on Linux).' }
    $autodiscover = $sandbox.AutodiscoverUri

    #region 1. Import cost
    Write-Host '1. Import cost' -ForegroundColor Cyan
    # Controls: the smallest binary module with a manifest (bench/MinimalBinaryModule: one cmdlet) shows what PowerShell's
    # own first Import-Module of a manifest module costs, whatever the module; the module without its FormatsToProcess
    # shows what the format file costs (it makes PowerShell build its formatting database at import).
    $controlDir = Join-Path $WorkDirectory 'import-controls'
    if (Test-Path $controlDir) { Remove-Item $controlDir -Recurse -Force }
    New-Item -ItemType Directory -Path $controlDir -Force | Out-Null
    $noFormatDir = Join-Path $controlDir 'CalendarFederation'
    Copy-Item -LiteralPath (Split-Path $ModulePath -Parent) -Destination $noFormatDir -Recurse
    $noFormatManifest = Join-Path $noFormatDir 'CalendarFederation.psd1'
    (Get-Content -LiteralPath $noFormatManifest -Raw) -replace "FormatsToProcess\s*=\s*@\([^)]*\)", '' | Set-Content -LiteralPath $noFormatManifest

    $variants = [ordered]@{
        Bare                = @('-NoProfile', '-c', 'exit')
        Import              = @('-NoProfile', '-c', "Import-Module '$ModulePath'")
        MinimalBinaryModule = @('-NoProfile', '-c', "Import-Module '$MinimalModulePath'")
        ImportNoFormatFile  = @('-NoProfile', '-c', "Import-Module '$noFormatManifest'")
    }
    $importTimes = [ordered]@{}
    foreach ($k in $variants.Keys) { $importTimes[$k] = [System.Collections.Generic.List[double]]::new() }
    # Two discarded rounds warm the file cache, then A, B, C, D, A, B, C, D ...
    for ($round = -2; $round -lt $ImportRuns; $round++) {
        foreach ($k in $variants.Keys) {
            $ms = Invoke-Timed $variants[$k]
            if ($round -ge 0) { $importTimes[$k].Add($ms) }
        }
    }
    $import = [ordered]@{ Order = 'interleaved: ' + ($variants.Keys -join ', ') + " x $ImportRuns, after 2 discarded rounds" }
    foreach ($k in $importTimes.Keys) { $import[$k] = Get-Stats $importTimes[$k].ToArray() }
    $import.AddedMs = $import.Import.Median - $import.Bare.Median
    $import.PowerShellImportFixedMs = $import.MinimalBinaryModule.Median - $import.Bare.Median
    $import.ModuleOwnMs = $import.Import.Median - $import.MinimalBinaryModule.Median
    $import.FormatFileMs = $import.Import.Median - $import.ImportNoFormatFile.Median
    $import.TargetMs = 100
    $import.Held = $import.AddedMs -le 100
    Write-Host ("   bare {0}, import {1}: +{2}" -f (Format-Ms $import.Bare.Median), (Format-Ms $import.Import.Median), (Format-Ms $import.AddedMs))

    $firstCalls = @()
    for ($i = 0; $i -lt $FirstCallRuns; $i++) {
        $firstCalls += Invoke-Scenario FirstCall @{ ModulePath = $ModulePath; AutodiscoverUri = $autodiscover }
    }
    $import.FirstCall = [ordered]@{
        ImportInProcess = Get-Stats ([double[]]($firstCalls | ForEach-Object { $_.ImportMs }))
        FirstCall       = Get-Stats ([double[]]($firstCalls | ForEach-Object { $_.FirstCallMs }))
        SecondCall      = Get-Stats ([double[]]($firstCalls | ForEach-Object { $_.SecondCallMs }))
        AllAnswered     = -not ($firstCalls | Where-Object { -not ($_.FirstAnswered -and $_.SecondAnswered) })
        LoadedByImport  = $firstCalls[0].LoadedByImport
        HeavyLoadedByImport = @($firstCalls | ForEach-Object { $_.HeavyLoadedByImport } | Sort-Object -Unique)
        LoadedByFirstCall = $firstCalls[0].LoadedByFirstCall
        LoadedBySecondCall = $firstCalls[0].LoadedBySecondCall
        MsalLoadedByDiscovery = [bool]($firstCalls | Where-Object { $_.MsalLoadedAfterDiscovery })
        HeavyAlreadyInPowerShell = $firstCalls[0].HeavyAlreadyInPowerShell
        Runs            = $firstCalls
    }
    $import.NothingHeavyAtImport = @($import.FirstCall.HeavyLoadedByImport).Count -eq 0
    $report.Import = $import
    Write-Host ("   first call {0}, second {1}; loaded by import: {2}" -f (Format-Ms $import.FirstCall.FirstCall.Median), (Format-Ms $import.FirstCall.SecondCall.Median), ($import.FirstCall.LoadedByImport -join ', '))
    #endregion

    #region 2. Discovery throughput
    Write-Host '2. Discovery throughput (50 ms latency, 1,000 domains)' -ForegroundColor Cyan
    $latency = 50
    $n = 1000
    $t = 50
    Set-SandboxLatency $sandbox $latency
    $domainsArg = $SingleAnswerDomains -join ','
    $moduleRuns = @()
    $powerRuns = @()
    for ($i = 0; $i -lt $DiscoveryRuns; $i++) {
        $moduleRuns += Invoke-Scenario Discovery @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; Mode = 'Module'; Count = $n; ThrottleLimit = $t; Domains = $domainsArg } $sandbox
        $powerRuns += Invoke-Scenario Discovery @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; Mode = 'PowerUser'; Count = $n; ThrottleLimit = $t; Domains = $domainsArg } $sandbox
        Write-Host ("   run {0}: module {1}, ForEach-Object -Parallel {2}" -f ($i + 1), (Format-S $moduleRuns[-1].ElapsedMs), (Format-S $powerRuns[-1].ElapsedMs))
    }
    Write-Host '   sequential loop (once, all 1,000 domains) ...'
    $sequential = Invoke-Scenario Discovery @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; Mode = 'Sequential'; Count = $n; ThrottleLimit = 1; Domains = $domainsArg } $sandbox
    Write-Host ("   sequential {0}" -f (Format-S $sequential.ElapsedMs))
    $mixed = Invoke-Scenario Discovery @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; Mode = 'Module'; Count = $n; ThrottleLimit = $t; Domains = (($SingleAnswerDomains + $AllDomainsTenantDomains) -join ',') } $sandbox
    $bound = [Math]::Ceiling($n / $t) * $latency
    $discovery = [ordered]@{
        Domains = $n; ThrottleLimit = $t; LatencyMs = $latency; DomainSet = $SingleAnswerDomains
        BoundMs = $bound
        Module = [ordered]@{ Elapsed = Get-Stats ([double[]]($moduleRuns | ForEach-Object { $_.ElapsedMs })); Runs = $moduleRuns }
        PowerUser = [ordered]@{ Elapsed = Get-Stats ([double[]]($powerRuns | ForEach-Object { $_.ElapsedMs })); Runs = $powerRuns }
        Sequential = [ordered]@{ Elapsed = Get-Stats ([double[]]@($sequential.ElapsedMs)); Runs = @($sequential); Note = 'run once, all 1,000 domains' }
        WithAdditionalValidation = [ordered]@{ DomainSet = $SingleAnswerDomains + $AllDomainsTenantDomains; Run = $mixed
            Note = 'litware answers with all three of its domains, so the module re-discovers the other two (additional validation): more requests than domains' }
    }
    $discovery.BoundRatio = $discovery.Module.Elapsed.Median / $bound
    $discovery.SpeedupVsPowerUser = $discovery.PowerUser.Elapsed.Median / $discovery.Module.Elapsed.Median
    $discovery.SpeedupVsSequential = $sequential.ElapsedMs / $discovery.Module.Elapsed.Median
    $discovery.AllSucceeded = -not (@($moduleRuns) + @($powerRuns) + @($sequential) | Where-Object { $_.Failed -ne 0 })
    $discovery.HeldBound = $discovery.BoundRatio -le 1.3
    $discovery.HeldSpeedup = $discovery.SpeedupVsPowerUser -ge 3
    $report.Discovery = $discovery
    #endregion

    #region 3. CPU cost
    Write-Host '3. CPU cost (zero latency)' -ForegroundColor Cyan
    Set-SandboxLatency $sandbox 0
    $cpuModule50 = @(); $cpuModule16 = @(); $cpuPower = @()
    for ($i = 0; $i -lt $CpuRuns; $i++) {
        $cpuModule50 += Invoke-Scenario Discovery @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; Mode = 'Module'; Count = 5000; ThrottleLimit = 50; Domains = $domainsArg } $sandbox
        $cpuModule16 += Invoke-Scenario Discovery @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; Mode = 'Module'; Count = 5000; ThrottleLimit = 16; Domains = $domainsArg } $sandbox
        $cpuPower += Invoke-Scenario Discovery @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; Mode = 'PowerUser'; Count = 1000; ThrottleLimit = 50; Domains = $domainsArg } $sandbox
        Write-Host ("   run {0}: module T=50 {1:n0}/s, T=16 {2:n0}/s, ForEach-Object -Parallel {3:n0}/s" -f ($i + 1), $cpuModule50[-1].DomainsPerSecond, $cpuModule16[-1].DomainsPerSecond, $cpuPower[-1].DomainsPerSecond)
    }
    function Get-CpuSummary($runs) {
        [ordered]@{
            DomainsPerSecond = Get-Stats ([double[]]($runs | ForEach-Object { $_.DomainsPerSecond }))
            ClientCpuMsPerDomain = Get-Median ([double[]]($runs | ForEach-Object { $_.ClientCpuMs / $_.Count }))
            SandboxCpuMsPerDomain = Get-Median ([double[]]($runs | ForEach-Object { $_.SandboxCpuMs / $_.Count }))
            Runs = $runs
        }
    }
    $cpu = [ordered]@{
        Module50 = Get-CpuSummary $cpuModule50
        Module16 = Get-CpuSummary $cpuModule16
        PowerUser = Get-CpuSummary $cpuPower
        Note = 'CPU ms per domain from the client process (pwsh) and the sandbox process; with both on this machine, the sum over the cores bounds domains per second.'
    }
    $report.Cpu = $cpu
    #endregion

    #region 4. Bulk changes under throttling
    function Complete-Bulk($r) {
        $r.MinimumRatioAll = $r.ElapsedMs / $r.BudgetMinimumAllMs
        $r.MinimumRatioAccepted = $r.ElapsedMs / $r.BudgetMinimumAcceptedMs
        $r.HeldTime = $r.MinimumRatioAccepted -le 1.2
        $r.HeldIntegrity = ($r.Lost -eq 0 -and $r.DuplicateNames -eq 0 -and $r.DuplicateDomains -eq 0 -and $r.NotUpdated -eq 0 -and $r.Unexpected -eq 0 -and $r.WrongDomains -eq 0 -and $r.Errors -eq 0)
        $r.HeldNoEarlyRequest = $r.Violations -eq 0
        Write-Host ("   {0} in {1} ({2:n1} ops/s), {3} requests ({4} accepted, {5} throttled): {6:n2}x the budget's minimum; {7} violations" -f $r.Operations, (Format-S $r.ElapsedMs), $r.OpsPerSecond, $r.Requests, $r.Accepted, $r.Throttled, $r.MinimumRatioAccepted, $r.Violations)
        return $r
    }
    Write-Host '4. Bulk changes under throttling (250 New + 250 Set, budget 20 requests/s): one loop, then 4 runspaces' -ForegroundColor Cyan
    $report.Bulk = Complete-Bulk (Invoke-Scenario Bulk @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; HttpsUrl = $sandbox.HttpsUrls['good']; NewCount = 250; SetCount = 250; RequestsPerSecond = 20 } $sandbox)
    $report.BulkParallel = Complete-Bulk (Invoke-Scenario Bulk @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; HttpsUrl = $sandbox.HttpsUrls['good']; NewCount = 250; SetCount = 250; RequestsPerSecond = 20; Parallel = 4 } $sandbox)
    #endregion

    #region 5. Memory
    Write-Host '5. Memory (100,000 domains streamed, zero latency)' -ForegroundColor Cyan
    Set-SandboxLatency $sandbox 0
    $memory = Invoke-Scenario Memory @{ ModulePath = $ModulePath; SandboxUrl = $sandbox.Url; Count = 100000; SampleEvery = 10000; ThrottleLimit = 50; Domains = $domainsArg } $sandbox
    $at10 = $memory.Samples | Where-Object { $_.Results -eq 10000 } | Select-Object -First 1
    $at100 = $memory.Samples | Where-Object { $_.Results -eq 100000 } | Select-Object -First 1
    $memory.PeakAt10kMB = $at10.PeakWorkingSetMB
    $memory.PeakAt100kMB = $at100.PeakWorkingSetMB
    $memory.WorkingSetAt10kMB = $at10.WorkingSetMB
    $memory.WorkingSetAt100kMB = $at100.WorkingSetMB
    $memory.GrowthPercent = 100 * ($at100.PeakWorkingSetMB - $at10.PeakWorkingSetMB) / $at10.PeakWorkingSetMB
    $memory.Criterion = 'flat: the peak working set at 100,000 is within 10% of the peak at 10,000'
    $memory.Held = $memory.GrowthPercent -le 10 -and $memory.Succeeded -eq $memory.Count
    $report.Memory = $memory
    Write-Host ("   peak working set {0:n0} MB at 10,000, {1:n0} MB at 100,000" -f $memory.PeakAt10kMB, $memory.PeakAt100kMB)
    #endregion
}
finally {
    Stop-CFSandbox $sandbox
}

#region 5b. Readiness (its own sandbox: 50 generated partner tenants)
Write-Host '5b. Get-CalendarFederationReadiness, 500 relationships for 50 partner tenants, 50 ms latency' -ForegroundColor Cyan
$readiness = Invoke-Scenario Readiness @{ ModulePath = $ModulePath; SandboxDll = $SandboxDll; Relationships = 500; PartnerTenants = 50; Granted = 40; Runs = 3; LatencyMs = 50 }
$readiness.Held = $readiness.OneRequestPerObjectType -and $readiness.LookupsPerDistinctDomain -and $readiness.CapabilityReadsPerGrantedPartner
$report.Readiness = $readiness
Write-Host ("   first run {0}, warm median {1}; one request per object type: {2}" -f (Format-Ms $readiness.FirstRunMs), (Format-Ms $readiness.WarmMedianMs), $readiness.OneRequestPerObjectType)
#endregion
#region 7. Migration
$report.Migration = Invoke-MigrationBenchmark
#endregion
#region 8. Fleet
$report.Fleet = Invoke-FleetBenchmark
#endregion

#region 6. BenchmarkDotNet
Write-Host '6. Engine micro-benchmarks (BenchmarkDotNet, short in-process job)' -ForegroundColor Cyan
$bdnDir = Join-Path $WorkDirectory 'BenchmarkDotNet'
if (Test-Path $bdnDir) { Remove-Item $bdnDir -Recurse -Force }
& dotnet $BenchmarksDll --artifacts $bdnDir | Out-File (Join-Path $WorkDirectory 'BenchmarkDotNet.log')
if ($LASTEXITCODE -ne 0) { throw "BenchmarkDotNet failed (exit $LASTEXITCODE); see $(Join-Path $WorkDirectory 'BenchmarkDotNet.log')." }
$micro = @()
foreach ($file in Get-ChildItem (Join-Path $bdnDir 'results') -Filter '*-report-full.json') {
    $json = Get-Content -LiteralPath $file.FullName -Raw | ConvertFrom-Json
    foreach ($b in $json.Benchmarks) {
        $micro += [ordered]@{
            Class = $b.Type; Method = $b.Method; Title = $b.MethodTitle.Trim("'")
            MedianNs = $b.Statistics.Median; MeanNs = $b.Statistics.Mean; StdDevNs = $b.Statistics.StandardDeviation
            MinNs = $b.Statistics.Min; MaxNs = $b.Statistics.Max
            AllocatedBytes = $b.Memory.BytesAllocatedPerOperation; Gen0PerThousand = 1000.0 * $b.Memory.Gen0Collections / [Math]::Max(1, $b.Memory.TotalOperations)
        }
    }
}
$bdnVersion = Get-ChildItem (Join-Path $bdnDir 'results') -Filter '*-report-full.json' | Select-Object -First 1 |
    ForEach-Object { (Get-Content $_.FullName -Raw | ConvertFrom-Json).HostEnvironmentInfo.BenchmarkDotNetVersion }
$report.Micro = [ordered]@{ Job = 'ShortRun shape: in-process, 3 warm-up and 5 measured iterations, MemoryDiagnoser'; Version = $bdnVersion; Results = $micro }
#endregion

$report.LoadAverage.End = Get-LoadAverage
$report.TotalSeconds = [Math]::Round($total.Elapsed.TotalSeconds, 1)
$report | ConvertTo-Json -Depth 12 | Set-Content -LiteralPath $jsonPath -Encoding utf8NoBOM
}

#region report
$micro = @($report.Micro.Results)

function Held([bool] $b) { if ($b) { 'held' } else { '**not held**' } }
$m = $report.Machine
$i = $report.Import
$d = $report.Discovery
$c = $report.Cpu
$b = $report.Bulk
$bp = $report.BulkParallel
$mem = $report.Memory
$la = $report.LoadAverage
$md = [System.Text.StringBuilder]::new()
function Line([string] $s = '') { [void]$md.AppendLine($s) }

Line '# Benchmarks'
Line
Line "Generated by ``./build.ps1 Bench`` (bench/Invoke-Benchmarks.ps1) on $($m.DateUtc), commit $($m.GitCommit). Raw numbers, every run: [benchmarks.json](benchmarks.json)."
Line
Line "**Machine:** $($m.OS), $($m.Architecture); $($m.CpuModel), $($m.LogicalCpus) logical CPUs; $($m.MemoryGB) GB; $($m.DotNetRuntime) (SDK $($m.DotNetSdk)); PowerShell $($m.PowerShell) started as ``$(($m.PowerShellLauncher -replace '^.*/dotnet ', 'dotnet ') -replace ' /.*/pwsh.dll', ' pwsh.dll')``. The sandbox runs on the same machine."
Line
Line ("**Load average** (1/5/15 min): {0} / {1} / {2} at the start (quiet threshold {3}; waited {4} s), {5} / {6} / {7} at the end (the end includes this run's own load). Total run time {8:n0} s." -f `
    $la.Start.One, $la.Start.Five, $la.Start.Fifteen, $la.QuietThreshold, $la.WaitedSeconds, $la.End.One, $la.End.Five, $la.End.Fifteen, $report.TotalSeconds)
Line
Line 'Compared runs are interleaved (A, B, A, B, ...). Figures are medians; the spread is min-max over the runs.'
Line
Line '## Targets'
Line
Line '| Target | Measured | Result |'
Line '|---|---|---|'
Line ("| Import adds at most 100 ms over a bare ``pwsh -NoProfile -c exit`` | +{0:n0} ms (bare {1:n0} ms, import {2:n0} ms, medians of {3}) | {4} |" -f $i.AddedMs, $i.Bare.Median, $i.Import.Median, $i.Import.N, (Held $i.Held))
Line ("| Nothing heavy (MSAL, JSON, HTTP stacks) loads at import | loaded by import: {0} | {1} |" -f (($i.FirstCall.LoadedByImport | ForEach-Object { "``$_``" }) -join ', '), (Held $i.NothingHeavyAtImport))
Line ("| Discovery, 1,000 domains, 50 ms latency, ``-ThrottleLimit 50``: within 1.3x of ceil(N/T) x latency = {0:n2} s | {1:n2} s median ({2:n2}x) | {3} |" -f ($d.BoundMs / 1000), ($d.Module.Elapsed.Median / 1000), $d.BoundRatio, (Held $d.HeldBound))
Line ("| Discovery at least 3x faster than ``ForEach-Object -Parallel -ThrottleLimit 50`` + ``Invoke-RestMethod`` | {0:n1}x ({1:n2} s vs {2:n2} s) | {3} |" -f $d.SpeedupVsPowerUser, ($d.Module.Elapsed.Median / 1000), ($d.PowerUser.Elapsed.Median / 1000), (Held $d.HeldSpeedup))
Line ("| Bulk: 500 operations within 1.2x of the budget's minimum ({0} accepted requests / 20 per s = {1:n1} s) | {2:n1} s ({3:n2}x; {4:n2}x of all {5} requests incl. 429s) | {6} |" -f $b.Accepted, ($b.BudgetMinimumAcceptedMs / 1000), ($b.ElapsedMs / 1000), $b.MinimumRatioAccepted, $b.MinimumRatioAll, $b.Requests, (Held $b.HeldTime))
Line ("| Bulk: zero lost, zero duplicated relationships (sandbox's final state) | {0} stored; lost {1}, duplicate names {2}, duplicate domains {3}, Set not applied {4}, errors {5} | {6} |" -f $b.Stored, $b.Lost, $b.DuplicateNames, $b.DuplicateDomains, $b.NotUpdated, $b.Errors, (Held $b.HeldIntegrity))
Line ("| Bulk: no request while a Retry-After is pending | {0} violations ({1} requests were answered 429) | {2} |" -f $b.Violations, $b.Throttled, (Held $b.HeldNoEarlyRequest))
Line ("| Bulk, 4 runspaces (``ForEach-Object -Parallel -ThrottleLimit 4``, one connection): within 1.2x of the budget's minimum ({0} accepted / 20 per s = {1:n1} s) | {2:n1} s ({3:n2}x) | {4} |" -f $bp.Accepted, ($bp.BudgetMinimumAcceptedMs / 1000), ($bp.ElapsedMs / 1000), $bp.MinimumRatioAccepted, (Held $bp.HeldTime))
Line ("| Bulk, 4 runspaces: zero lost, zero duplicated | {0} stored; lost {1}, duplicate names {2}, duplicate domains {3}, Set not applied {4}, errors {5} | {6} |" -f $bp.Stored, $bp.Lost, $bp.DuplicateNames, $bp.DuplicateDomains, $bp.NotUpdated, $bp.Errors, (Held $bp.HeldIntegrity))
Line ("| Bulk, 4 runspaces: no request while a Retry-After is pending | {0} violations, {1} of them arriving at most 5 ms after the 429 was sent ({2} requests answered 429) | {3} |" -f $bp.Violations, $bp.ViolationsWithin5MsOfThe429, $bp.Throttled, (Held $bp.HeldNoEarlyRequest))
$mg = $report['Migration']
if ($mg) {
    Line ("| Migration: {0} partners, both sides, Graph budget {1}/s per tenant: requests per partner within 1.2x of the minimum ({2}) | {3:n2} per partner ({4:n3}x): {5} Graph requests, {6} of them 429 | {7} |" -f $mg.Partners, $mg.RequestsPerSecondBudget, $mg.GraphMinimumPerPartner, $mg.GraphRequestsPerPartner, $mg.GraphRatioToMinimum, $mg.GraphRequests, $mg.GraphThrottled, (Held $mg.HeldRequests))
    Line ("| Migration: zero lost, zero duplicated (each partner: one entry and one capability per side, both relationships disabled, getSchedule served both ways) | lost {0}, duplicated {1}, errors {2}, served both ways {3} of {4} | {5} |" -f $mg.Lost, $mg.Duplicated, $mg.Errors, $mg.ServedBothWays, $mg.Partners, (Held $mg.HeldIntegrity))
}
$fl = $report['Fleet']
if ($fl) {
    $fa = $fl.Apply
    Line ("| Fleet: plan of {0} tenants / {1} pairs within {2}x of the reads' minimum: per tenant its admin API and Graph reads in the order they need, within the per-tenant gates ({3} and {4} at once) x the latency, {5} tenants at once (section 8) | {6:n2} s median vs {7:n2} s ({8:n2}x; {9:n2}x of the gates-only reference) | {10} |" -f $fl.Tenants, $fl.Pairs, $fl.TargetRatio, $fl.AdminGate, $fl.GraphGate, $fl.ThrottleLimit, ($fl.PlanElapsed.Median / 1000), ($fl.PlanRuns[-1].Reads.MinimumMs / 1000), $fl.PlanRatio, $(if ($fl['PlanGatesOnlyRatio']) { $fl.PlanGatesOnlyRatio } else { 0 }), (Held $fl.HeldPlanGates))
    Line ("| Fleet: apply of {0} pairs under a Graph budget of {1}/s per tenant, killed and re-run with the checkpoint: 0 lost, 0 duplicated, 0 writes repeated | killed: {2}; lost {3}, duplicated {4}, repeated {5}; getSchedule served {6} of {7} directions | {8} |" -f $fl.Pairs, $fl.RequestsPerSecondBudget, $(if ($fa.Killed) { 'yes' } else { 'NO (the run ended first)' }), $fa.Lost, $fa.Duplicated, $fa.Repeated, $fa.ServedDirections, $fa.Directions, (Held $fl.HeldApply))
}
Line ("| Memory: 100,000 domains streamed, peak working set flat | {0:n0} MB at 10,000, {1:n0} MB at 100,000 ({2:+0.0;-0.0}%) | {3} |" -f $mem.PeakAt10kMB, $mem.PeakAt100kMB, $mem.GrowthPercent, (Held $mem.Held))
$rd = $report['Readiness']
if ($rd) {
    $rl = $rd.Runs[-1]
    Line ("| Readiness, {0} relationships: one paged read per object type, one lookup per distinct domain, one capability list per granted partner | admin API {1}; {2} lookups for {3} domains; {4} capability lists for {5} granted partners | {6} |" -f `
        $rd.Relationships, (($rl.AdminApiRequests.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '), $rl.TenantLookups, $rl.DistinctLookedUp,
        $rl.GraphRequests['GET partners/{id}/m365Capabilities'], $rd.GrantedPartnerTenants, (Held $rd.Held))
}
Line
Line '## 1. Import cost'
Line
Line "Fresh ``pwsh -NoProfile -c ...`` processes, wall time from start to exit, $($i.Import.N) runs each, interleaved after 2 discarded rounds."
Line
Line '| Command | Median | Spread | Added over bare |'
Line '|---|---|---|---|'
Line ("| ``exit`` (bare) | {0} | {1} | |" -f (Format-Ms $i.Bare.Median), (Format-Spread $i.Bare))
Line ("| ``Import-Module`` CalendarFederation | {0} | {1} | +{2:n0} ms |" -f (Format-Ms $i.Import.Median), (Format-Spread $i.Import), $i.AddedMs)
Line ("| control: ``Import-Module`` of the smallest binary module (manifest + one cmdlet, ``bench/MinimalBinaryModule``) | {0} | {1} | +{2:n0} ms |" -f (Format-Ms $i.MinimalBinaryModule.Median), (Format-Spread $i.MinimalBinaryModule), $i.PowerShellImportFixedMs)
Line ("| diagnostic: CalendarFederation without ``FormatsToProcess`` | {0} | {1} | +{2:n0} ms |" -f (Format-Ms $i.ImportNoFormatFile.Median), (Format-Spread $i.ImportNoFormatFile), ($i.ImportNoFormatFile.Median - $i.Bare.Median))
Line
Line ("PowerShell's own first ``Import-Module`` of a manifest module costs {0:n0} ms here, whatever the module (the smallest binary module); CalendarFederation adds {1:n0} ms over it, of which {2:n0} ms is ``FormatsToProcess`` (it makes PowerShell build its whole formatting database at import, which a session otherwise builds at its first formatted output)." -f $i.PowerShellImportFixedMs, $i.ModuleOwnMs, $i.FormatFileMs)
Line
Line ("First call, in one fresh process ({0} runs): ``Import-Module`` {1} in-process; first ``Get-FederationInformation`` against the sandbox {2} (spread {3}); second call {4} (spread {5})." -f `
    $i.FirstCall.FirstCall.N, (Format-Ms $i.FirstCall.ImportInProcess.Median), (Format-Ms $i.FirstCall.FirstCall.Median), (Format-Spread $i.FirstCall.FirstCall), (Format-Ms $i.FirstCall.SecondCall.Median), (Format-Spread $i.FirstCall.SecondCall))
Line
Line '| Step | Assemblies it loaded |'
Line '|---|---|'
Line ("| ``Import-Module`` | {0} |" -f (($i.FirstCall.LoadedByImport | ForEach-Object { "``$_``" }) -join ', '))
Line ("| first ``Get-FederationInformation`` | {0} |" -f (($i.FirstCall.LoadedByFirstCall | ForEach-Object { "``$_``" }) -join ', '))
Line ("| second call | {0} |" -f $(if (@($i.FirstCall.LoadedBySecondCall).Count) { ($i.FirstCall.LoadedBySecondCall | ForEach-Object { "``$_``" }) -join ', ' } else { 'none' }))
Line
Line ("MSAL loaded by discovery: {0}. Already in PowerShell before the import: {1}." -f $(if ($i.FirstCall.MsalLoadedByDiscovery) { 'yes' } else { 'no (only the sign-in cmdlets load it)' }), (($i.FirstCall.HeavyAlreadyInPowerShell | ForEach-Object { "``$_``" }) -join ', '))
Line
Line '## 2. Discovery throughput'
Line
Line ("1,000 domains (the {0} single-answer domains of contoso, fabrikam and adatum in sandbox.json, repeated), sandbox latency {1} ms per request, ``-AutodiscoverUri`` the sandbox. Timed inside the process (start-up and import excluded), after one warm-up call." -f $SingleAnswerDomains.Count, $d.LatencyMs)
Line
Line '| Way | Runs | Median | Spread | Requests | Max in flight | vs this module |'
Line '|---|---|---|---|---|---|---|'
Line ("| this module, ``... \| Get-FederationInformation -ThrottleLimit 50`` | {0} | {1} | {2} | {3} | {4} | 1.0x |" -f $d.Module.Elapsed.N, (Format-S $d.Module.Elapsed.Median), (Format-Spread $d.Module.Elapsed -Seconds), $d.Module.Runs[0].Requests, (($d.Module.Runs | ForEach-Object { $_.MaxInFlight } | Measure-Object -Maximum).Maximum))
Line ("| (b) ``ForEach-Object -Parallel -ThrottleLimit 50`` + ``Invoke-RestMethod`` (SOAP) | {0} | {1} | {2} | {3} | {4} | {5:n1}x slower |" -f $d.PowerUser.Elapsed.N, (Format-S $d.PowerUser.Elapsed.Median), (Format-Spread $d.PowerUser.Elapsed -Seconds), $d.PowerUser.Runs[0].Requests, (($d.PowerUser.Runs | ForEach-Object { $_.MaxInFlight } | Measure-Object -Maximum).Maximum), $d.SpeedupVsPowerUser)
Line ("| (a) sequential loop, one ``Get-FederationInformation`` per domain (once, all 1,000) | 1 | {0} | | {1} | {2} | {3:n1}x slower |" -f (Format-S $d.Sequential.Elapsed.Median), $d.Sequential.Runs[0].Requests, $d.Sequential.Runs[0].MaxInFlight, $d.SpeedupVsSequential)
Line
Line ("The bound ceil(N/T) x latency = {0:n2} s; this module's median is {1:n2}x of it. Every run answered all 1,000 domains: {2}." -f ($d.BoundMs / 1000), $d.BoundRatio, $(if ($d.AllSucceeded) { 'yes' } else { 'NO' }))
Line ("With litware's domains mixed in (litware answers with all its domains, so the module re-discovers the other two, as Exchange's additional validation does): {0} for 1,000 domains, {1} requests (once)." -f (Format-S $d.WithAdditionalValidation.Run.ElapsedMs), $d.WithAdditionalValidation.Run.Requests)
Line
Line '## 3. CPU cost'
Line
Line 'Zero latency; the sandbox on the same 2-core machine. Domains per second end to end in pwsh, and CPU time per domain in each process.'
Line
Line '| Way | Domains | Runs | Domains/s (median) | Spread | pwsh CPU per domain | sandbox CPU per domain |'
Line '|---|---|---|---|---|---|---|'
foreach ($row in @(@('this module, `-ThrottleLimit 50`', $c.Module50, 5000), @('this module, default `-ThrottleLimit 16`', $c.Module16, 5000), @('(b) `ForEach-Object -Parallel -ThrottleLimit 50` + `Invoke-RestMethod`', $c.PowerUser, 1000))) {
    $s = $row[1]
    Line ("| {0} | {1:n0} | {2} | {3:n0} | {4:n0}-{5:n0} | {6:n3} ms | {7:n3} ms |" -f $row[0], $row[2], $s.DomainsPerSecond.N, $s.DomainsPerSecond.Median, $s.DomainsPerSecond.Min, $s.DomainsPerSecond.Max, $s.ClientCpuMsPerDomain, $s.SandboxCpuMsPerDomain)
}
Line
Line "Engine micro-benchmarks (BenchmarkDotNet $($report.Micro.Version), $($report.Micro.Job)):"
Line
Line '| Operation | Median | Min-max | Allocated per operation |'
Line '|---|---|---|---|'
foreach ($r in $micro) {
    $fmt = { param($ns) if ($ns -ge 1000000) { '{0:n2} ms' -f ($ns / 1e6) } elseif ($ns -ge 1000) { '{0:n2} us' -f ($ns / 1000) } else { '{0:n0} ns' -f $ns } }
    Line ("| {0} | {1} | {2}-{3} | {4:n2} KB |" -f $r.Title, (& $fmt $r.MedianNs), (& $fmt $r.MinNs), (& $fmt $r.MaxNs), ($r.AllocatedBytes / 1024))
}
Line
Line '## 4. Bulk changes under throttling'
Line
Line ("{0} ``New-OrganizationRelationship`` then {1} ``Set-OrganizationRelationship`` (free/busy on), app-only (contoso's app, client secret) through a custom environment on the sandbox's https listener; tenant budget {2} requests/s (429 + Retry-After), burst {2}. Two ways, each run once: one loop in one process (what an admin's script does), and ``ForEach-Object -Parallel -ThrottleLimit 4`` sharing the one connection. Counts come from the sandbox's request log and final state." -f $b.NewCount, $b.SetCount, $b.RequestsPerSecondBudget)
Line
Line '| Measure | One loop | 4 runspaces |'
Line '|---|---|---|'
Line ("| Total time | {0:n1} s (New phase {1:n1} s) | {2:n1} s (New phase {3:n1} s) |" -f ($b.ElapsedMs / 1000), ($b.NewPhaseMs / 1000), ($bp.ElapsedMs / 1000), ($bp.NewPhaseMs / 1000))
Line ("| Operations per second | {0:n2} | {1:n2} |" -f $b.OpsPerSecond, $bp.OpsPerSecond)
Line ("| Requests the sandbox received | {0}: {1} accepted, {2} answered 429 | {3}: {4} accepted, {5} answered 429 |" -f $b.Requests, $b.Accepted, $b.Throttled, $bp.Requests, $bp.Accepted, $bp.Throttled)
foreach ($k in $b.RequestsByCmdlet.Keys) {
    $pk = $bp.RequestsByCmdlet[$k]
    Line ("| &nbsp;&nbsp;{0} | {1} ({2} throttled) | {3} ({4} throttled) |" -f $k, $b.RequestsByCmdlet[$k].All, $b.RequestsByCmdlet[$k].Throttled, $pk.All, $pk.Throttled)
}
Line ("| Requests per operation | {0:n2} | {1:n2} |" -f ($b.Requests / $b.Operations), ($bp.Requests / $bp.Operations))
Line ("| Budget's minimum (accepted requests / 20 per s) | {0:n1} s; measured {1:n2}x | {2:n1} s; measured {3:n2}x |" -f ($b.BudgetMinimumAcceptedMs / 1000), $b.MinimumRatioAccepted, ($bp.BudgetMinimumAcceptedMs / 1000), $bp.MinimumRatioAccepted)
Line ("| Achieved request rate | {0:n1} accepted/s ({1:n1}/s with 429s) | {2:n1} accepted/s ({3:n1}/s with 429s) |" -f $b.AchievedAcceptedPerSecond, $b.AchievedRequestsPerSecond, $bp.AchievedAcceptedPerSecond, $bp.AchievedRequestsPerSecond)
Line ("| Most requests in flight at the tenant | {0} | {1} |" -f $b.SandboxMaxInFlight, $bp.SandboxMaxInFlight)
Line ("| Final state: relationships, lost, duplicate names, duplicate domains, unexpected, Set not applied, wrong domain | {0}, {1}, {2}, {3}, {4}, {5}, {6} | {7}, {8}, {9}, {10}, {11}, {12}, {13} |" -f $b.Stored, $b.Lost, $b.DuplicateNames, $b.DuplicateDomains, $b.Unexpected, $b.NotUpdated, $b.WrongDomains, $bp.Stored, $bp.Lost, $bp.DuplicateNames, $bp.DuplicateDomains, $bp.Unexpected, $bp.NotUpdated, $bp.WrongDomains)
Line ("| Requests while a Retry-After was pending (``/_sandbox/violations``) | {0} | {1} ({2} arrived at most 5 ms after the 429 was sent) |" -f $b.Violations, $bp.Violations, $bp.ViolationsWithin5MsOfThe429)
Line ("| Errors written | {0} | {1} |" -f $b.Errors, $bp.Errors)
Line
Line ("Why more requests than operations: each ``New-OrganizationRelationship`` reads the tenant's relationships first (the pre-flight that refuses a domain another relationship holds, before anything is written), and each ``Set-OrganizationRelationship`` reads the relationship, changes it and reads it back for its output. If every operation were a single request, the budget's minimum would be {0} / 20 per s = {1:n1} s, and the one loop took {2:n2}x that; the reads are the price of never writing twice or over another relationship." -f $b.Operations, ($b.Operations / 20), ($b.ElapsedMs / 1000 / ($b.Operations / 20)))
Line
if ($bp.Violations -gt 0) {
    Line ("With 4 runspaces, up to {0} requests are in flight to the tenant at once. When one of them is answered 429, the others were already sent; they reach the sandbox after it started the Retry-After and it counts them. The samples:" -f $bp.SandboxMaxInFlight)
    Line
    foreach ($v in @($bp.ViolationSamples)) { Line "- $v" }
    Line
}
Line '## 5. Memory'
Line
Line ("{0:n0} domains generated lazily, piped through ``Get-FederationInformation -ThrottleLimit {1}`` into ``ForEach-Object {{ `$n++ }}``, zero latency; the pwsh process sampled every 10,000 results. {2:n0} answered in {3:n1} s; at most {4} requests in flight at the sandbox. The sandbox keeps a capped request log (20,000)." -f $mem.Count, $mem.ThrottleLimit, $mem.Succeeded, ($mem.ElapsedMs / 1000), $mem.MaxInFlight)
Line
Line '| Results | Working set | Peak working set | Managed heap |'
Line '|---|---|---|---|'
foreach ($s in $mem.Samples) { Line ("| {0:n0} | {1:n0} MB | {2:n0} MB | {3:n0} MB |" -f $s.Results, $s.WorkingSetMB, $s.PeakWorkingSetMB, $s.ManagedHeapMB) }
Line
Line ("Criterion: {0}." -f $mem.Criterion)
if ($rd) {
    Line
    Line '## 6. Readiness'
    Line
    Line ("``Get-CalendarFederationReadiness`` for contoso with {0} organization relationships (one domain each) for {1} partner tenants, {2} of them granted free/busy in contoso's cross-tenant access policy; sandbox latency {3} ms per request; bench/scenarios/Readiness.ps1, its own sandbox. The first run includes the Graph sign-in. Requests as the sandbox logged them." -f $rd.Relationships, $rd.PartnerTenants, $rd.GrantedPartnerTenants, $rd.LatencyMs)
    Line
    Line '| Run | Time | Rows | Admin API requests | Graph requests | Tenant lookups (distinct domains) |'
    Line '|---|---|---|---|---|---|'
    foreach ($r in $rd.Runs) {
        Line ("| {0} | {1} | {2} | {3} | {4} | {5} ({6}) |" -f $r.Run, (Format-Ms $r.ElapsedMs), $r.Rows, (($r.AdminApiRequests.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '),
            (($r.GraphRequests.GetEnumerator() | Where-Object { $_.Value } | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '), $r.TenantLookups, $r.DistinctLookedUp)
    }
    Line
    Line ("The sandbox adds its latency to the admin API and Graph, not to the anonymous OpenID lookups (its sign-in endpoints have no latency knob), so here the lookups cost only the loopback round trip. They run at most {0} at once: at a real latency L they add about ceil({1}/{0}) x L (at {2} ms, {3:n0} ms). The {4} capability lists go through the Graph client's per-tenant gate (4 at once)." -f `
        $rd.LookupConcurrency, $rd.Runs[-1].DistinctLookedUp, $rd.LatencyMs, ([Math]::Ceiling($rd.Runs[-1].DistinctLookedUp / $rd.LookupConcurrency) * $rd.LatencyMs), $rd.GrantedPartnerTenants)
}
if ($mg) {
    Line
    Line '## 7. Migration to the cross-tenant access policy'
    Line
    Line ("bench/scenarios/Migration.ps1, on a sandbox of its own: contoso and {0} generated partner tenants, each pair with the legacy relationships (contoso's for the partner, the partner's for contoso, both enabled, free/busy times). One loop, as an admin's script runs it: ``Convert-OrganizationRelationship -Connection `$contoso -Identity <partner> -PartnerConnection `$partner -DisableLegacy -Confirm:`$false`` per partner, app-only. Every tenant has a Graph budget of {1} requests/s (``PUT /_sandbox/tenants/{{t}}/graph-budget``; 429 + Retry-After). Counts come from the sandbox's request log and final state. Rerun alone: ``dotnet pwsh bench/Invoke-Benchmarks.ps1 -MigrationOnly -ModulePath <built psd1> -SandboxDll <sandbox dll>``." -f $mg.Partners, $mg.RequestsPerSecondBudget)
    Line
    Line '| Measure | Value |'
    Line '|---|---|'
    Line ("| Total time | {0:n1} s ({1:n0} partners per minute) |" -f ($mg.ElapsedMs / 1000), $mg.PartnersPerMinute)
    Line ("| Outcomes (one row per side) | {0} |" -f (($mg.Outcomes.Keys | ForEach-Object { "$_ $($mg.Outcomes[$_])" }) -join ', '))
    Line ("| Graph requests | {0}: {1} accepted, {2} answered 429 |" -f $mg.GraphRequests, $mg.GraphAccepted, $mg.GraphThrottled)
    foreach ($k in $mg.GraphRequestsByKind.Keys) { Line ("| &nbsp;&nbsp;{0} | {1} ({2} throttled) |" -f $k, $mg.GraphRequestsByKind[$k].All, $mg.GraphRequestsByKind[$k].Throttled) }
    Line ("| Graph requests per partner (both sides) | {0:n2} ({1:n2} accepted); minimum {2}: **{3:n3}x** |" -f $mg.GraphRequestsPerPartner, $mg.GraphAcceptedPerPartner, $mg.GraphMinimumPerPartner, $mg.GraphRatioToMinimum)
    Line ("| contoso's budget minimum ({0} accepted Graph requests / {1} per s) | {2:n1} s; measured {3:n2}x |" -f $mg.ContosoGraphAccepted, $mg.RequestsPerSecondBudget, ($mg.ContosoBudgetMinimumMs / 1000), $mg.MinimumRatioTime)
    Line ("| Admin API requests per partner (both sides) | {0:n2}: {1} |" -f $mg.AdminRequestsPerPartner, (($mg.AdminRequestsByCmdlet.Keys | ForEach-Object { "$_ $($mg.AdminRequestsByCmdlet[$_])" }) -join ', '))
    Line ("| Final state: lost, duplicated, errors, getSchedule served both ways | {0}, {1}, {2}, {3} of {4} |" -f $mg.Lost, $mg.Duplicated, $mg.Errors, $mg.ServedBothWays, $mg.Partners)
    Line ("| Requests while a Retry-After was pending (``/_sandbox/violations``) | {0} |" -f $mg.Violations)
    Line ("| Load average (1 min) at the start and the end of this section | {0} / {1} |" -f $(if ($mg['LoadAverageStart']) { $mg.LoadAverageStart.One } else { $la.End.One }), $(if ($mg['LoadAverageEnd']) { $mg.LoadAverageEnd.One } else { $la.End.One }))
    Line
    Line ("The minimum, {0} Graph requests per partner, is 8 per side, each of them needed: the default policy and its capabilities (2 reads: whether the default grants a free/busy level decides if the partner must hold it denied, XtapDecisions D4); the partner configuration (1 read before any write, D3; a 404 means there are no capabilities to list); creating the partner configuration, writing its Microsoft 365 collaboration trust (documented as two calls, D2) and adding the free/busy capability (3 writes; MailTips would add one); and the read-back of the partner and its capabilities that verifies the grant (2 reads, D8). The plan is not read a second time for ShouldProcess (MigrationDecisions M10). Everything above the minimum is 429 answers, each followed by a wait for its Retry-After: with one loop, contoso's 8 requests per partner come faster than its 20 per second, so its bucket empties about once every 20 accepted requests." -f $mg.GraphMinimumPerPartner)
    Line
    Line ("Admin API (not budgeted here): per side the relationship (contoso by name, the partner's full list to find its relationship for contoso), contoso's accepted domains, the sharing policies and availability address spaces (the cutover's check for other legacy sharing), and one Set-OrganizationRelationship -Enabled `$false. The partner tenant ids come from the anonymous OpenID configuration, not Graph.")
}
if ($fl) {
    $fa = $fl.Apply
    $r0 = $fl.PlanRuns[-1].Reads
    Line
    Line '## 8. Fleet'
    Line
    Line ("bench/scenarios/Fleet.ps1, on sandboxes of their own with generated fleets (``--fleet {0}``, seed {1}; tests/CalendarFederation.Sandbox/README.md, ""A fleet""), the tenants in the sandbox's mix of states (migrated, legacy, drifted, one way, scoped; the unreadable pair's fault rules removed first, so every tenant can be read and written). The fleet file is the scenario's own (JSON): every tenant paired with the next {2} around a ring, so each has {3} partners: {4} pairs, by the cross-tenant access policy, each tenant signing in app-only with the client secret from the environment variable the file names. Rerun alone: ``dotnet pwsh bench/Invoke-Benchmarks.ps1 -FleetOnly -ModulePath <built psd1> -SandboxDll <sandbox dll>`` (no wait for a quiet machine; the load average is recorded)." -f $fl.Tenants, $fl.Seed, ($fl.Neighbors / 2), $fl.Neighbors, $fl.Pairs)
    Line
    $fm = if ($fl['Machine']) { $fl.Machine } else { $m }
    Line ("Measured {0}, commit {1}. **Load average** (1/5/15 min) at the start of this section: {2} / {3} / {4}; at the end: {5} / {6} / {7}. The harness does not wait for a quiet machine here: a 1-minute load above the 2 cores means other work ran at the same time, and the times are upper bounds." -f $fm.DateUtc, $fm.GitCommit, $fl.LoadAverageStart.One, $fl.LoadAverageStart.Five, $fl.LoadAverageStart.Fifteen, $fl.LoadAverageEnd.One, $fl.LoadAverageEnd.Five, $fl.LoadAverageEnd.Fifteen)
    Line
    Line ("### Plan: ``Get-CalendarFederationPlan -Path <file> -ThrottleLimit {0}``, sandbox latency {1} ms, timed in one process, {2} runs" -f $fl.ThrottleLimit, $fl.LatencyMs, $fl.PlanRuns.Count)
    Line
    Line '| Run | Time | Rows | Reads (admin API + Graph) | Reads per tenant | Tenants by rounds of reads | Minimum: the reads in their order within the gates (target) | Ratio | Reference: gates only | Ratio | Reference: serial | Ratio | Load (1 min) |'
    Line '|---|---|---|---|---|---|---|---|---|---|---|---|---|'
    foreach ($pr in $fl.PlanRuns) {
        $rr = $pr.Reads
        $hist = if ($rr['RoundsPerTenant']) { ($rr.RoundsPerTenant.Keys | ForEach-Object { "$($rr.RoundsPerTenant[$_]) x $_" }) -join ', ' } else { '' }
        Line ("| {0} | {1} | {2} ({3}) | {4} ({5} + {6}) | {7}-{8} | {9} | {10} | **{11:n2}x** | {12} | {13:n2}x | {14} | {15:n2}x | {16} |" -f $pr.Run, (Format-S $pr.ElapsedMs), $pr.Rows, (($pr.Actions.Keys | ForEach-Object { "$_ $($pr.Actions[$_])" }) -join ', '), $rr.Requests, $rr.AdminRequests, $rr.GraphRequests,
            $rr.RequestsPerTenantMin, $rr.RequestsPerTenantMax, $hist, (Format-S $rr.MinimumMs), $pr.Ratio, (Format-S $rr.GatesOnlyMinimumMs), $pr.GatesOnlyRatio, (Format-S $rr.SerialMinimumMs), $pr.SerialRatio, "$($pr.LoadAverage)".Split(' ')[0])
    }
    Line
    Line ("The minimum, from each run's request log (sign-in excluded: the sandbox adds no latency to it). The engine runs a tenant's admin API calls {2} at once and its Graph calls {3} at once (src/CalendarFederation.Engine/AdminApi/AdminApiClient.cs, Graph/GraphClientOptions.cs), every request takes one latency of {0} ms, and a read that needs another's answer cannot start before it: first the reads that need nothing (the organization relationships, the organization configuration, the accepted domains, the default policy, its capabilities and the partner list), then each listed partner's capabilities, then the name of a scope group found in them (Get-DistributionGroup), then Get-Recipient for a group that lookup did not find (XtapDecisions D15). So tenant t needs rounds_t = max(ceil(admin_t/{2}), its Graph rounds, the levels it reaches) latencies, where its Graph rounds are ceil(graph_t/{3}), or 1 + ceil(partner reads/{3}) when it has partners; {1} tenants are read at once, so the fleet needs at least max(the slowest tenant, the sum over tenants / {1}). That is the target's minimum. Two references, not bounds a plan can meet: gates only is the same without the order (max(ceil(admin_t/{2}), ceil(graph_t/{3})) x {0} ms; no client reaches it once a tenant has a partner, since a partner's capabilities cannot be asked before the list names it), and serial is a tenant's reads one after another (the plan beats it, below 1x). None counts what the time holds besides the reads: each tenant's sign-in, the planner's CPU, and whatever else loads the machine (the load average above). Median time {4} (spread {5}). The same plan at zero latency (the memory run below, a fresh process) took {6}: that is the overhead left when the reads cost nothing." -f $fl.LatencyMs, $fl.ThrottleLimit, $fl.AdminGate, $fl.GraphGate, (Format-S $fl.PlanElapsed.Median), (Format-Spread $fl.PlanElapsed -Seconds), (Format-S $fl.Memory50.ElapsedMs))
    Line
    if ($fl['PlanRunsLowLimit']) {
        $low = @($fl.PlanRunsLowLimit)
        Line ("The same plan with ``-ThrottleLimit {0}`` (3 runs, its minimum with {0} tenants at once): {1}; median **{2:n2}x** of that minimum. This machine's 2 cores run the sandbox as well as the planner: with fewer tenants at once, less of the time is their CPU, and the plan comes closer to what the reads need." -f $low[0].ThrottleLimit, (($low | ForEach-Object { "{0} vs {1} ({2:n2}x)" -f (Format-S $_.ElapsedMs), (Format-S $_.Reads.MinimumMs), $_.Ratio }) -join '; '), $fl.PlanRatioLowLimit)
        Line
    }
    Line ("### Apply under throttling, killed and re-run")
    Line
    Line ("Every fleet tenant has a Graph budget of {0} requests/s (``PUT /_sandbox/tenants/{{t}}/graph-budget``; 429 + Retry-After), latency {1} ms. A child PowerShell runs ``Invoke-CalendarFederationPlan -Path <file> -CheckpointPath <file>``; it is killed (``Process.Kill``, the whole tree) once the sandbox has logged {2} requests (the {4} reads of the last timed plan plus a number drawn from ``System.Random({3})`` in [{5}, {6}]; the sandbox's ``/_sandbox/wait?requestsAtLeast=`` answers when it is reached); then the same command with the same checkpoint runs to its end in a new process. Then the sandbox's state and request log." -f $fl.RequestsPerSecondBudget, $fl.LatencyMs, $fa.KillAtRequests, $fl.Seed, $fa.PlanReads, $fa.KillAfterMin, $fa.KillAfterMax)
    Line
    Line '| Measure | Value |'
    Line '|---|---|'
    Line ("| Killed | {0} after {1} ({2} requests logged, {3} successful writes; checkpoint {4} lines) |" -f $(if ($fa.Killed) { 'yes' } else { 'NO: the run ended before the point' }), (Format-S $fa.KilledAfterMs), $fa.RequestsBeforeKill, $fa.WritesBeforeKill, $fa.CheckpointLinesAtKill)
    Line ("| Re-run | {0} (in the process: {1}); {2} results: {3}; {4} errors |" -f (Format-S $fa.RerunMs), (Format-S $fa.Rerun.ElapsedMs), $fa.Rerun.Results, (($fa.Rerun.Outcomes.Keys | ForEach-Object { "$_ $($fa.Rerun.Outcomes[$_])" }) -join ', '), $fa.Rerun.Errors)
    Line ("| Requests after the kill | {0} ({1} successful writes) |" -f $fa.RequestsAfterKill, $fa.WritesAfterKill)
    Line ("| Graph policy requests, both runs | {0}, {1} answered 429 |" -f $fa.GraphRequests, $fa.GraphThrottled)
    Line ("| Lost: a direction without its grant (exactly the Basic free/busy capability allowed), with the legacy relationship still enabled, or whose getSchedule is not served | **{0}** of {1} directions ({2} served) |" -f $fa.Lost, $fa.Directions, $fa.ServedDirections)
    Line ("| Duplicated: a partner entry or a capability held twice | **{0}** |" -f $fa.Duplicated)
    Line ("| Repeated: a write the killed run completed (2xx) sent again after the kill, same tenant, method and path (admin API: tenant and cmdlet); plus creates sent again and refused as existing (409) | **{0}** ({1} + {2}) |" -f $fa.Repeated, $fa.RepeatedExact, $fa.RefusedAsDuplicate)
    Line ("| Requests while a Retry-After was pending (``/_sandbox/violations``) | {0} |" -f $fa.Violations)
    Line ("| The request log holds both runs whole (cap 20,000) | {0} ({1} records) |" -f $(if ($fa.RequestLogCapped) { 'NO' } else { 'yes' }), $fa.RequestLogTotal)
    if (@($fa.LostSamples).Count -or @($fa.DuplicatedSamples).Count -or @($fa.RepeatedSamples).Count -or @($fa.Rerun.ErrorSamples).Count) {
        Line
        foreach ($x in @($fa.LostSamples) + @($fa.DuplicatedSamples) + @($fa.RepeatedSamples) + @($fa.Rerun.ErrorSamples)) { if ($x) { Line "- $x" } }
    }
    if ($fa.Violations -gt 0) {
        Line
        Line 'Violations (pairs run concurrently within a tenant, so requests already in flight reach the sandbox after one of them was answered 429):'
        Line
        foreach ($v in @($fa.ViolationSamples)) { Line "- $v" }
    }
    $s = $fl.Memory50; $lg = $fl.MemoryLarge
    Line
    Line ("### Memory: planning {0} vs {1} tenants" -f $fl.Tenants, $fl.LargeTenants)
    Line
    Line ("A fresh PowerShell per size plans its fleet (the same ring shape, {0} partners per tenant) at zero latency, before anything is applied, and is measured while it still holds the rows: working set, peak working set, and the managed heap after a full collection (``[GC]::GetTotalMemory(`$true)``); ""before"" is after ``Import-Module`` and the environment." -f $fl.Neighbors)
    Line
    Line '| Tenants | Pairs | Rows | Plan time | Working set before / after | Peak working set | Managed before / after |'
    Line '|---|---|---|---|---|---|---|'
    foreach ($row in @(@($fl.Tenants, $fl.Pairs, $s), @($fl.LargeTenants, $fl.LargePairs, $lg))) {
        $x = $row[2]
        Line ("| {0} | {1} | {2} | {3} | {4:n0} / {5:n0} MB | {6:n0} MB | {7:n1} / {8:n1} MB |" -f $row[0], $row[1], $x.Rows, (Format-S $x.ElapsedMs), $x.Before.WorkingSetMB, $x.After.WorkingSetMB, $x.After.PeakWorkingSetMB, $x.Before.ManagedMB, $x.After.ManagedMB)
    }
    Line
    Line ("Per tenant: the managed heap grows {0:n1} KB per tenant from {1} to {2} tenants; the plan of {1} holds {3:n1} KB per tenant over the imported module, that of {2} {4:n1} KB; the peak working set grows {5:n1} KB per tenant. Flat per tenant means the per-tenant figure does not rise with the fleet's size." -f $fl.ManagedGrowthPerTenantKB, $fl.Tenants, $fl.LargeTenants, $fl.ManagedPerTenantKB50, $fl.ManagedPerTenantKBLarge, $fl.PeakGrowthPerTenantKB)
}
Set-Content -LiteralPath (Join-Path $OutputDirectory 'benchmarks.md') -Value $md.ToString().TrimEnd() -Encoding utf8NoBOM
#endregion

Write-Host ("Benchmarks written: {0}, {1} ({2:n0} s)" -f (Join-Path $OutputDirectory 'benchmarks.md'), $jsonPath, $report.TotalSeconds) -ForegroundColor Green
