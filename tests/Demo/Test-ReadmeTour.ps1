#Requires -Version 5.1
<#
.SYNOPSIS
    Checks that every output line the README's tour quotes was printed by this demo run, so the tour cannot drift from
    what the module does. build.ps1 Demo calls it with the run's transcript.
.DESCRIPTION
    The tour is the part of README.md between '<!-- tour:start -->' and '<!-- tour:end -->'. Its unlabelled fenced
    blocks (``` with no language) are output; blocks labelled powershell are commands and are not checked. Lines are
    compared with trailing spaces removed and the sandbox's port (which changes per run) replaced by '*'.
#>
param(
    [Parameter(Mandatory)] [string] $ReadmePath,
    [Parameter(Mandatory)] [string] $TranscriptPath
)
$ErrorActionPreference = 'Stop'

function ConvertTo-Comparable([string] $Line) { ($Line -replace '127\.0\.0\.1:\d+', '127.0.0.1:*').TrimEnd() }

$readme = Get-Content -LiteralPath $ReadmePath
$start = [Array]::IndexOf($readme, '<!-- tour:start -->')
$end = [Array]::IndexOf($readme, '<!-- tour:end -->')
if ($start -lt 0 -or $end -le $start) { throw "README.md has no tour between '<!-- tour:start -->' and '<!-- tour:end -->'." }

$printed = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::Ordinal)
foreach ($line in Get-Content -LiteralPath $TranscriptPath) { [void] $printed.Add((ConvertTo-Comparable $line)) }

$quoted = 0
$missing = [System.Collections.Generic.List[string]]::new()
$inOutput = $false
$inFence = $false
for ($i = $start + 1; $i -lt $end; $i++) {
    $line = $readme[$i]
    if ($line -match '^```') {
        if ($inFence) { $inFence = $false; $inOutput = $false }
        else { $inFence = $true; $inOutput = $line.Trim() -eq '```' }
        continue
    }
    if (-not $inOutput -or $line.Trim() -eq '') { continue }
    $quoted++
    if (-not $printed.Contains((ConvertTo-Comparable $line))) { $missing.Add("README.md line $($i + 1): $line") }
}
if ($quoted -eq 0) { throw 'The README tour quotes no output: nothing to check.' }
if ($missing.Count -gt 0) {
    throw "The README tour quotes $($missing.Count) of $quoted line(s) this demo run did not print (update the tour from $TranscriptPath):`n$($missing -join "`n")"
}
Write-Host "README tour: all $quoted quoted lines were printed by this run." -ForegroundColor Green
