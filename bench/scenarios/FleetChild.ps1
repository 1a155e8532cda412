# The child process of bench/scenarios/Fleet.ps1: a fresh PowerShell that plans (Mode Plan: the memory it took) or
# applies (Mode Apply: Invoke-CalendarFederationPlan -Path with a checkpoint, until it ends or the parent kills it) a
# fleet file. The tenants' secrets come from the environment variables the file names, which the parent sets before it
# starts this process; nothing secret is on the command line.
param(
    [Parameter(Mandatory)] [ValidateSet('Plan', 'Apply')] [string] $Mode,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EnvironmentName,
    [Parameter(Mandatory)] [string] $SignInUri,
    [Parameter(Mandatory)] [string] $AutodiscoverUri,
    [Parameter(Mandatory)] [string] $FleetPath,
    [string] $CheckpointPath,
    [int] $ThrottleLimit = 8
)
. (Join-Path $PSScriptRoot 'Common.ps1')
Import-Module $ModulePath
Add-CalendarFederationEnvironment -Name $EnvironmentName -AzureADAuthorizationEndpointUri $SignInUri -ConnectionUri $SignInUri -AutodiscoverEndpoint $AutodiscoverUri | Out-Null

function Get-Memory {
    $p = [System.Diagnostics.Process]::GetCurrentProcess()
    $p.Refresh()
    [ordered]@{
        WorkingSetMB     = [Math]::Round($p.WorkingSet64 / 1MB, 1)
        PeakWorkingSetMB = [Math]::Round($p.PeakWorkingSet64 / 1MB, 1)
        ManagedMB        = [Math]::Round([GC]::GetTotalMemory($true) / 1MB, 1)
    }
}

if ($Mode -eq 'Plan') {
    $before = Get-Memory
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $errs = $null
    $rows = @(Get-CalendarFederationPlan -Path $FleetPath -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue)
    $sw.Stop()
    # Measured while the rows are still held: what an admin's session keeps after planning.
    $after = Get-Memory
    $actions = [ordered]@{}
    foreach ($g in ($rows | Group-Object { "$($_.Action)" } | Sort-Object Name)) { $actions[$g.Name] = $g.Count }
    Write-BenchResult ([ordered]@{
        ElapsedMs = $sw.Elapsed.TotalMilliseconds; Rows = $rows.Count; Actions = $actions; Errors = @($errs).Count
        ErrorSamples = @($errs | Select-Object -First 3 | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" })
        Before = $before; After = $after
    })
}
else {
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $errs = $null
    $results = @(Invoke-CalendarFederationPlan -Path $FleetPath -CheckpointPath $CheckpointPath -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue)
    $sw.Stop()
    $outcomes = [ordered]@{}
    foreach ($g in ($results | Group-Object { "$($_.Outcome)" } | Sort-Object Name)) { $outcomes[$g.Name] = $g.Count }
    Write-BenchResult ([ordered]@{
        ElapsedMs = $sw.Elapsed.TotalMilliseconds; Results = $results.Count; Outcomes = $outcomes; Errors = @($errs).Count
        ErrorSamples = @($errs | Select-Object -First 5 | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" })
    })
}
