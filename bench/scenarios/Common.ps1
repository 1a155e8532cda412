# Dot-sourced by every scenario script: the one way a scenario hands its numbers back to bench/Invoke-Benchmarks.ps1.
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Write-BenchResult {
    # One line, BENCH_RESULT=<json>, on stdout; the harness ignores everything else the script prints.
    param([Parameter(Mandatory)] $Result)
    [Console]::Out.WriteLine('BENCH_RESULT=' + ($Result | ConvertTo-Json -Depth 8 -Compress))
    [Console]::Out.Flush()
}

function Get-LoadedAssemblyNames {
    # Every assembly in the process, whichever AssemblyLoadContext holds it (the module's dependencies load in a private one).
    # Plain .NET only: a cmdlet such as Sort-Object would load Microsoft.PowerShell.Utility (and with it System.Text.Json
    # and System.Net.Http) between the snapshot and the step measured, and blame the step for them.
    $names = [System.Collections.Generic.SortedSet[string]]::new([System.StringComparer]::Ordinal)
    foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) { [void]$names.Add($assembly.GetName().Name) }
    return , ([string[]]@($names))
}

function Get-CpuMilliseconds {
    $p = [System.Diagnostics.Process]::GetCurrentProcess()
    $p.Refresh()
    $p.TotalProcessorTime.TotalMilliseconds
}
