# 100,000 domains streamed through one Get-FederationInformation into a consumer that keeps nothing; the process's
# working set sampled every SampleEvery results. Input is generated lazily, so nothing upstream holds the list either.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxUrl,
    [int] $Count = 100000,
    [int] $SampleEvery = 10000,
    [int] $ThrottleLimit = 50,
    [Parameter(Mandatory)] [string] $Domains
)
. (Join-Path $PSScriptRoot 'Common.ps1')

$endpoint = "$SandboxUrl/autodiscover/autodiscover.svc"
$pool = @($Domains -split ',')
Import-Module $ModulePath
$null = Get-FederationInformation -DomainName contoso.com -AutodiscoverUri $endpoint
Invoke-RestMethod -Method Delete -Uri "$SandboxUrl/_sandbox/load" | Out-Null

$process = [System.Diagnostics.Process]::GetCurrentProcess()
$process.Refresh()
$samples = New-Object System.Collections.Generic.List[object]
$samples.Add([pscustomobject]@{ Results = 0; WorkingSetMB = $process.WorkingSet64 / 1MB; PeakWorkingSetMB = $process.PeakWorkingSet64 / 1MB
    ManagedHeapMB = [GC]::GetTotalMemory($false) / 1MB; ElapsedMs = 0 })
$n = 0
$sw = [System.Diagnostics.Stopwatch]::StartNew()
1..$Count | ForEach-Object { $pool[$_ % $pool.Count] } |
    Get-FederationInformation -AutodiscoverUri $endpoint -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue |
    ForEach-Object {
        $n++
        if ($n % $SampleEvery -eq 0) {
            $process.Refresh()
            $samples.Add([pscustomobject]@{ Results = $n; WorkingSetMB = $process.WorkingSet64 / 1MB; PeakWorkingSetMB = $process.PeakWorkingSet64 / 1MB
                ManagedHeapMB = [GC]::GetTotalMemory($false) / 1MB; ElapsedMs = $sw.Elapsed.TotalMilliseconds })
        }
    }
$sw.Stop()
$load = Invoke-RestMethod -Uri "$SandboxUrl/_sandbox/load"
Write-BenchResult ([ordered]@{
    Count         = $Count
    Succeeded     = $n
    ThrottleLimit = $ThrottleLimit
    ElapsedMs     = $sw.Elapsed.TotalMilliseconds
    MaxInFlight   = $load.maxInFlight
    Samples       = $samples.ToArray()
})
