#Requires -Version 5.1
<#
.SYNOPSIS
    Runs the Pester suite in tests/Pester against the built module. Called by build.ps1 Test in a fresh PowerShell.

.DESCRIPTION
    Imports Pester 5.7.1 by path from the NuGet global packages folder (tests/CalendarFederation.Tests brings it with
    a PackageDownload), never from the Gallery or PSModulePath. Starts ONE sandbox for the whole run (with its proxy)
    and tells the test files where it is (CF_SANDBOX_URL, CF_SANDBOX_PROXY: SandboxHelpers.psm1's Get-CFSandbox resets
    it for each file), and where the built module and the sandbox build are (CF_MODULE_PATH, CF_SANDBOX_DLL). Runs
    every *.Tests.ps1 next to this script, or only the files -Include names (e.g. -Include Reliability), less the ones
    -Exclude names, and writes {"Passed":N,"Failed":N,"Skipped":N} to -ResultPath. Failed also counts failed blocks
    and containers, so a broken BeforeAll is a failure. Exits 1 when anything failed.

    Tests that need the sandbox's https root trusted FAIL when this process does not trust it, unless -SkipUntrusted
    is given: then they are skipped, counted as skipped and reported in red. -SkipUntrusted is refused when CI=true.
    Windows PowerShell 5.1 compatible.

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
    [string[]] $Include,

    # Test files not to run (e.g. Reliability, which build.ps1 Reliability runs with its timing targets).
    [string[]] $Exclude,

    # Skip (loudly) instead of failing the tests that need a trusted sandbox root. Refused when CI=true.
    [switch] $SkipUntrusted
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

function Write-Result([string] $Path, [int] $Passed, [int] $Failed, [int] $Skipped) {
    $directory = Split-Path -Parent $Path
    if ($directory -and -not (Test-Path -LiteralPath $directory)) { New-Item -ItemType Directory -Path $directory -Force | Out-Null }
    $json = '{{"Passed":{0},"Failed":{1},"Skipped":{2}}}' -f $Passed, $Failed, $Skipped
    [System.IO.File]::WriteAllText($Path, $json, (New-Object System.Text.UTF8Encoding($false)))
}

$resultFile = Resolve-FullPath $ResultPath
$passed = 0
$failed = 0
$skipped = 0
$previous = @{}
foreach ($name in 'CF_MODULE_PATH', 'CF_SANDBOX_DLL', 'CF_SANDBOX_URL', 'CF_SANDBOX_PROXY', 'CF_SKIP_UNTRUSTED') { $previous[$name] = [Environment]::GetEnvironmentVariable($name) }
$sandbox = $null
try {
    if ($SkipUntrusted -and $env:CI -eq 'true') { throw '-SkipUntrusted is refused in CI (CI=true): there every test must run.' }
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

    # One sandbox for every file: a process start and a set of https certificates per file cost more than a reset.
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force -ErrorAction Stop
    $sandbox = Start-CFSandbox -SandboxDll $sandboxFile -Proxy
    $env:CF_SANDBOX_URL = $sandbox.Url
    $env:CF_SANDBOX_PROXY = $sandbox.ProxyUrl
    $env:CF_SKIP_UNTRUSTED = $(if ($SkipUntrusted) { '1' } else { $null })
    $trusted = Test-CFSandboxTrust -Sandbox $sandbox
    if (-not $trusted) {
        $what = $(if ($SkipUntrusted) { 'SKIPPED (-SkipUntrusted)' } else { 'FAILED' })
        Write-Host "This process does not trust the sandbox's https root: every test that signs in or calls the admin API will be $what." -ForegroundColor Red
    }

    $configuration = New-PesterConfiguration
    # -File passes one string: "A,B" names two files.
    $Include = @($Include | ForEach-Object { "$_" -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    $Exclude = @($Exclude | ForEach-Object { "$_" -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    $names = @(if ($Include.Count -gt 0) { $Include } else { Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*.Tests.ps1' | ForEach-Object { $_.Name -replace '\.Tests\.ps1$', '' } })
    foreach ($name in $Exclude) {
        if (-not (Test-Path -LiteralPath (Join-Path $PSScriptRoot ($name + '.Tests.ps1')))) { throw "There is no test file '$name.Tests.ps1' to exclude." }
    }
    $configuration.Run.Path = @($names | Where-Object { $Exclude -notcontains $_ } | ForEach-Object {
            $file = Join-Path $PSScriptRoot ($_ + '.Tests.ps1')
            if (-not (Test-Path -LiteralPath $file)) { throw "There is no test file '$file'." }
            $file
        })
    $configuration.Run.PassThru = $true
    $configuration.Run.Exit = $false
    $configuration.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $configuration

    if ($null -eq $result) {
        throw 'Invoke-Pester returned no result.'
    }
    $passed = [int] $result.PassedCount
    $failed = [int] $result.FailedCount + [int] $result.FailedBlocksCount + [int] $result.FailedContainersCount
    $skipped = [int] $result.SkippedCount
    if ([int] $result.TotalCount -eq 0) {
        Write-Host 'Pester discovered no tests; that counts as a failure.' -ForegroundColor Red
        $failed++
    }
    Write-Host ("Pester: {0} passed, {1} failed ({2} tests failed, {3} blocks failed, {4} containers failed), {5} skipped, {6:n1} s" -f `
            $passed, $failed, $result.FailedCount, $result.FailedBlocksCount, $result.FailedContainersCount, $skipped, $result.Duration.TotalSeconds)
    $untrusted = @($result.Skipped | Where-Object { "$(@($_.ErrorRecord) | ForEach-Object { $_.Exception.Message })" -match 'UNTRUSTED' })
    if ($untrusted.Count -gt 0) {
        Write-Host "$($untrusted.Count) test(s) SKIPPED because this process does not trust the sandbox root (-SkipUntrusted); they proved nothing." -ForegroundColor Red
    }
}
catch {
    Write-Host "The Pester suite could not run: $($_.Exception.Message)" -ForegroundColor Red
    $failed++
}
finally {
    if ($sandbox) { Stop-CFSandbox $sandbox }
    foreach ($name in $previous.Keys) { [Environment]::SetEnvironmentVariable($name, $previous[$name]) }
}

Write-Result -Path $resultFile -Passed $passed -Failed $failed -Skipped $skipped
if ($failed -gt 0) { exit 1 }
exit 0
