#Requires -Version 5.1
<#
.SYNOPSIS
    Runs the Pester suite in tests/Pester against the built module. Called by build.ps1 Test in a fresh PowerShell.

.DESCRIPTION
    Imports Pester 5.7.1 by path from the NuGet global packages folder (tests/CalendarFederation.Tests brings it with
    a PackageDownload), never from the Gallery or PSModulePath. Tells the test files where the built module and the
    sandbox are through CF_MODULE_PATH and CF_SANDBOX_DLL, runs every *.Tests.ps1 next to this script (or only the
    files -Include names, e.g. -Include Reliability for Reliability.Tests.ps1), and writes {"Passed":N,"Failed":N} to -ResultPath. Failed also counts failed blocks and containers, so a broken BeforeAll
    is a failure. Exits 1 when anything failed. Windows PowerShell 5.1 compatible.

.EXAMPLE
    dotnet pwsh -NoProfile -File tests/Pester/Invoke-PesterSuite.ps1 -ModulePath out/CalendarFederation/0.1.0/CalendarFederation.psd1 `
        -SandboxDll tests/CalendarFederation.Sandbox/bin/Release/net10.0/CalendarFederation.Sandbox.dll -ResultPath /tmp/pester.json
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string] $ModulePath,

    [Parameter(Mandatory = $true)]
    [string] $SandboxDll,

    [Parameter(Mandatory = $true)]
    [string] $ResultPath,

    # Test files to run, by name without .Tests.ps1; all of them when omitted.
    [string[]] $Include
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$PesterVersion = '5.7.1'
$RepoRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)

function Resolve-FullPath([string] $Path) {
    # Works for paths that do not exist yet (the result file), relative to the current location.
    return $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

function Get-NuGetGlobalPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $ErrorActionPreference = 'Continue' # Windows PowerShell turns native stderr into errors under Stop
    try {
        $lines = @(& dotnet nuget locals global-packages --list 2>$null)
        if ($LASTEXITCODE -eq 0) {
            foreach ($line in $lines) {
                if ("$line" -match '^\s*global-packages:\s*(.+?)\s*$') { return $Matches[1] }
            }
        }
    }
    catch {
        Write-Host "'dotnet nuget locals' failed: $($_.Exception.Message)" -ForegroundColor Yellow
    }
    # NuGet's documented default when the CLI cannot tell us.
    $userHome = $env:USERPROFILE
    if (-not $userHome) { $userHome = $env:HOME }
    return Join-Path (Join-Path $userHome '.nuget') 'packages'
}

function Get-PesterManifest {
    $folder = Get-NuGetGlobalPackagesFolder
    $manifest = Join-Path (Join-Path (Join-Path (Join-Path $folder 'pester') $PesterVersion) 'tools') 'Pester.psd1'
    if (Test-Path -LiteralPath $manifest) { return $manifest }

    # tests/CalendarFederation.Tests downloads Pester with <PackageDownload>; restoring it fills the cache.
    $project = Join-Path $RepoRoot 'tests/CalendarFederation.Tests/CalendarFederation.Tests.csproj'
    Write-Host "Pester $PesterVersion is not in '$folder'; restoring $project to download it." -ForegroundColor Yellow
    & dotnet restore $project --nologo -v quiet | Out-Host
    if (Test-Path -LiteralPath $manifest) { return $manifest }
    throw "Pester $PesterVersion not found at '$manifest'. Run 'dotnet restore $project' (its PackageDownload brings Pester from NuGet)."
}

function Write-Result([string] $Path, [int] $Passed, [int] $Failed) {
    $directory = Split-Path -Parent $Path
    if ($directory -and -not (Test-Path -LiteralPath $directory)) { New-Item -ItemType Directory -Path $directory -Force | Out-Null }
    $json = '{{"Passed":{0},"Failed":{1}}}' -f $Passed, $Failed
    [System.IO.File]::WriteAllText($Path, $json, (New-Object System.Text.UTF8Encoding($false)))
}

$resultFile = Resolve-FullPath $ResultPath
$passed = 0
$failed = 0
$previousModulePath = $env:CF_MODULE_PATH
$previousSandboxDll = $env:CF_SANDBOX_DLL
try {
    $moduleFile = Resolve-FullPath $ModulePath
    $sandboxFile = Resolve-FullPath $SandboxDll
    if (-not (Test-Path -LiteralPath $moduleFile)) { throw "The built module is not at '$moduleFile'. Run ./build.ps1 Build first." }
    if (-not (Test-Path -LiteralPath $sandboxFile)) { throw "The sandbox is not at '$sandboxFile'. Run ./build.ps1 Build first." }

    $pesterManifest = Get-PesterManifest
    # Windows PowerShell ships Pester 3.4; only the pinned version may answer.
    Get-Module Pester | Remove-Module -Force
    Import-Module -Name $pesterManifest -Force -ErrorAction Stop
    $loaded = Get-Module Pester
    if (-not $loaded -or $loaded.Version.ToString() -ne $PesterVersion) { throw "Expected Pester $PesterVersion, loaded $($loaded.Version)." }
    Write-Host "Pester $($loaded.Version) from $pesterManifest" -ForegroundColor Cyan

    $env:CF_MODULE_PATH = $moduleFile
    $env:CF_SANDBOX_DLL = $sandboxFile
    # Where PackageDownload put other test-only packages (e.g. an older MSAL for the isolation test).
    $env:CF_NUGET_PACKAGES = Get-NuGetGlobalPackagesFolder

    $configuration = New-PesterConfiguration
    # -File passes one string: "A,B" names two files.
    $Include = @($Include | ForEach-Object { "$_" -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    if ($Include.Count -gt 0) {
        $configuration.Run.Path = @($Include | ForEach-Object {
                $file = Join-Path $PSScriptRoot ($_ + '.Tests.ps1')
                if (-not (Test-Path -LiteralPath $file)) { throw "There is no test file '$file'." }
                $file
            })
    }
    else {
        $configuration.Run.Path = $PSScriptRoot
    }
    $configuration.Run.PassThru = $true
    $configuration.Run.Exit = $false
    $configuration.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $configuration

    if ($null -eq $result) {
        throw 'Invoke-Pester returned no result.'
    }
    $passed = [int] $result.PassedCount
    $failed = [int] $result.FailedCount + [int] $result.FailedBlocksCount + [int] $result.FailedContainersCount
    if ([int] $result.TotalCount -eq 0) {
        Write-Host 'Pester discovered no tests; that counts as a failure.' -ForegroundColor Red
        $failed++
    }
    Write-Host ("Pester: {0} passed, {1} failed ({2} tests failed, {3} blocks failed, {4} containers failed), {5} skipped, {6:n1} s" -f `
            $passed, $failed, $result.FailedCount, $result.FailedBlocksCount, $result.FailedContainersCount, $result.SkippedCount, $result.Duration.TotalSeconds)
}
catch {
    Write-Host "The Pester suite could not run: $($_.Exception.Message)" -ForegroundColor Red
    $failed++
}
finally {
    $env:CF_MODULE_PATH = $previousModulePath
    $env:CF_SANDBOX_DLL = $previousSandboxDll
}

Write-Result -Path $resultFile -Passed $passed -Failed $failed
if ($failed -gt 0) { exit 1 }
exit 0
