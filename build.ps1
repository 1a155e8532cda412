#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and demonstrates CalendarFederation. Plain PowerShell: nothing from the Gallery.

.DESCRIPTION
    Tasks:
      Build   Assemble the module in out/CalendarFederation/<version>/ (the version comes from Directory.Build.props),
              with its help: docs/cmdlets/*.md compiled to en-US/CalendarFederation.dll-Help.xml by
              docs/Convert-HelpToMaml.ps1, and docs/about_CalendarFederation.help.txt.
      Test    Build and package once, build the test projects once (tests/CalendarFederation.Tests.slnx), then run
              the three xunit suites (--no-build) and Pester against the built module in a fresh process, side by side.
              No wall-clock targets: those are Reliability's and Bench's. Ends with one line
              "N passed, N failed, N skipped" and exits non-zero on any failure. Tests that need the sandbox's https
              root trusted fail when it is not, unless -SkipUntrusted says to skip them (refused when CI=true).
              tests/CalendarFederation.Tests holds the federation map's browser test (headless Chromium, offline; .ci/run
              installs Chromium): without Chromium it is skipped, loudly, except in CI, where it fails.
      Reliability
              Build, then run only the reliability suite (issue 6) with its timing targets (MaxSeconds/MinSeconds,
              CF_TIMING_TARGETS=1): the fuzzing properties and the hosted-runspace reliability tests (xunit), then
              tests/Pester/Reliability.Tests.ps1 against the built module, which writes the case table to
              artifacts/reliability/results.json. Renders docs/reliability.md from it (one table per section, the
              summary figures, the machine and the date) and exits non-zero if a case failed (a known product bug is
              reported, not failed). CI (.ci/run) runs Test, then Reliability.
      Demo    Build, start the sandbox, run the README's main walkthrough against it, stop the sandbox.
      Sandbox Build, start the sandbox in the foreground and open a PowerShell prompt that trusts it, with the module imported,
              the environment 'Sandbox' added and $contoso and $fabrikam connected (tests/Demo/Enter-Sandbox.ps1). Exit stops it.
      Clean   Remove build output.
      Package Build, then publish the module as a .nupkg into artifacts/package (a local PSResourceGet repository),
              ready for Install-PSResource or Install-Module.
      SandboxCa
              Create (once) the sandbox's root CA in artifacts/sandbox-ca. CI on Windows and macOS trusts it in the OS store;
              on Linux the test run trusts it through SSL_CERT_FILE for the processes it starts.
      Bench   Build, then run the benchmark harness (bench/Invoke-Benchmarks.ps1) against the sandbox: import cost, discovery
              throughput, CPU cost (with BenchmarkDotNet), bulk changes under throttling, memory. Waits for a quiet
              machine first, and writes docs/benchmarks.md and docs/benchmarks.json. Not part of Test; about 10 minutes.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test

.EXAMPLE
    dotnet pwsh ./build.ps1 Reliability

.EXAMPLE
    dotnet pwsh ./build.ps1 Test, Reliability    # what .ci/run runs
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Reliability', 'Demo', 'Sandbox', 'Clean', 'SandboxCa', 'Package', 'Bench')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Test and Reliability: skip, and report loudly, the tests that need the sandbox's https root trusted, instead of
    # failing them. For a machine that cannot trust it; refused when CI=true.
    [switch] $SkipUntrusted,

    # Test: run the xunit suites and Pester one after another instead of side by side.
    [switch] $Sequential
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$Artifacts = Join-Path $Root 'artifacts'
$OutRoot = Join-Path $Root 'out'
$TestProjects = @('CalendarFederation.Engine.Tests', 'CalendarFederation.Sandbox.Tests', 'CalendarFederation.Tests')
# Test runs the Pester files in two processes side by side (each with its own sandbox), so both cores stay busy once
# the xunit suites are done: these files, and every other one but Reliability (new files land in the second).
$PesterFirstHalf = @('FederationDiagnostics', 'FederationMatrix', 'GetFederationInformation', 'ModuleLoading', 'Package', 'SignIn', 'Views')
# What was built in this run, so Test, Reliability and Package in one invocation build once.
$Built = @{}

function Invoke-Native {
    # Runs a native command; a non-zero exit stops the task with a clear message.
    param([Parameter(Mandatory)][string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    [xml] $props = Get-Content -LiteralPath (Join-Path $Root 'Directory.Build.props') -Raw
    $version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
    if (-not $version) { throw 'Directory.Build.props has no <Version>.' }
    return $version
}

function Get-ReleaseNotes([string] $Version) {
    # The section of CHANGELOG.md for this version, as the manifest's release notes.
    $lines = Get-Content -LiteralPath (Join-Path $Root 'CHANGELOG.md')
    $start = [Array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match "^##\s+$([regex]::Escape($Version))\b" })
    if ($start -lt 0) { throw "CHANGELOG.md has no '## $Version' section." }
    $section = @()
    for ($i = $start + 1; $i -lt $lines.Count -and $lines[$i] -notmatch '^##\s'; $i++) { $section += $lines[$i] }
    return ($section -join "`n").Trim()
}

function Get-ModuleDirectory {
    return Join-Path (Join-Path $OutRoot 'CalendarFederation') (Get-ModuleVersion)
}

function Invoke-FreshPwsh {
    # Runs a fresh PowerShell like this one ('dotnet <pwsh.dll>' under 'dotnet pwsh', the pwsh or powershell.exe
    # executable otherwise), started after SSL_CERT_FILE is set so it trusts the sandbox. Shows its output and
    # returns its exit code.
    param([Parameter(Mandatory)][string[]] $Arguments)
    $processPath = (Get-Process -Id $PID).Path
    $launcher = @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        $launcher = @([System.Reflection.Assembly]::GetEntryAssembly().Location)
    }
    & $processPath @($launcher + $Arguments) | Out-Host
    return $LASTEXITCODE
}

function Invoke-Build {
    if ($Built['Module']) { return }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $version = Get-ModuleVersion
    $moduleDir = Get-ModuleDirectory
    $publishDir = Join-Path $Artifacts 'publish'
    Write-Host "Building CalendarFederation $version ($Configuration)" -ForegroundColor Cyan

    if (Test-Path $publishDir) { Remove-Item $publishDir -Recurse -Force }
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/CalendarFederation/CalendarFederation.csproj'),
        '-c', $Configuration, '-o', $publishDir, '--nologo', '-v', 'quiet', '-p:GenerateDocumentationFile=false')

    if (Test-Path $moduleDir) { Remove-Item $moduleDir -Recurse -Force }
    $dependencies = Join-Path $moduleDir 'Dependencies'
    New-Item -ItemType Directory -Path $dependencies -Force | Out-Null

    # Only the cmdlet assembly sits next to the manifest; the engine and everything it needs go to
    # Dependencies/, where default probing never finds them and the module's own loader does.
    Copy-Item (Join-Path $publishDir 'CalendarFederation.dll') $moduleDir
    Get-ChildItem $publishDir -Filter '*.dll' |
        Where-Object { $_.Name -ne 'CalendarFederation.dll' -and $_.Name -ne 'System.Management.Automation.dll' } |
        Copy-Item -Destination $dependencies

    $manifest = Get-Content -LiteralPath (Join-Path $Root 'CalendarFederation.psd1') -Raw
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    $notes = (Get-ReleaseNotes $version).Replace("'", "''")
    $manifest = $manifest -replace "ReleaseNotes\s*=\s*'[^']*'", "ReleaseNotes = '$notes'"
    Set-Content -LiteralPath (Join-Path $moduleDir 'CalendarFederation.psd1') -Value $manifest -Encoding UTF8
    Copy-Item (Join-Path $Root 'LICENSE') $moduleDir
    Copy-Item (Join-Path $Root 'src/CalendarFederation/CalendarFederation.format.ps1xml') $moduleDir
    Export-ModuleHelp -ModuleDirectory $moduleDir

    $info = Test-ModuleManifest -Path (Join-Path $moduleDir 'CalendarFederation.psd1') -ErrorAction Stop
    if ($info.Version.ToString() -ne $version) { throw "Manifest version $($info.Version) does not match $version." }

    # The sandbox, so Demo and Bench start from a complete build (Test and Reliability build it with the test projects).
    Invoke-Native dotnet @('build', (Join-Path $Root 'tests/CalendarFederation.Sandbox/CalendarFederation.Sandbox.csproj'),
        '-c', $Configuration, '--nologo', '-v', 'quiet')
    $Built['Module'] = $true
    Write-Host ("Module: {0} ({1:n0} s)" -f $moduleDir, $clock.Elapsed.TotalSeconds) -ForegroundColor Green
}

function Invoke-TestRestore {
    # The test projects' packages, Pester and the older MSAL the Pester suite loads by path among them (PackageDownload
    # in tests/CalendarFederation.Tests), so the Pester suite can start while the test projects build. When NuGet's
    # cache has those already, the build's own restore is enough.
    if ($Built['TestRestore']) { return }
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) { $packages = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $needed = @('pester/5.7.1/tools/Pester.psd1', 'microsoft.identity.client/4.61.3', 'microsoft.identitymodel.abstractions/6.35.0')
    if (@($needed | Where-Object { -not (Test-Path -LiteralPath (Join-Path $packages $_)) }).Count -gt 0) {
        Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/CalendarFederation.Tests.slnx'), '--nologo', '-v', 'quiet')
        $Built['Restored'] = $true
    }
    $Built['TestRestore'] = $true
}

function Invoke-TestBuild {
    # The three test projects (and the sandbox and src they reference) in one MSBuild graph, built in parallel, so
    # 'dotnet test --no-build' starts at once and no suite rebuilds what another has built. After Invoke-Build this
    # rewrites nothing the Pester suite uses (out/, the sandbox's bin/), so Pester may already be running.
    if ($Built['Tests']) { return }
    Invoke-TestRestore
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $buildArgs = @('build', (Join-Path $Root 'tests/CalendarFederation.Tests.slnx'), '-c', $Configuration, '--nologo', '-v', 'quiet')
    if ($Built['Restored']) { $buildArgs += '--no-restore' }
    Invoke-Native dotnet $buildArgs
    $Built['Tests'] = $true
    Write-Host ("Test projects built ({0:n0} s)" -f $clock.Elapsed.TotalSeconds) -ForegroundColor Green
}

function Export-ModuleHelp {
    # Compiles docs/cmdlets/*.md (platyPS v1 markdown) into en-US/CalendarFederation.dll-Help.xml, the MAML Get-Help
    # reads for the cmdlets, and copies the about_ topics. A malformed file, or a cmdlet without help, fails the build.
    param([Parameter(Mandatory)][string] $ModuleDirectory)
    $docs = Join-Path $Root 'docs'
    . (Join-Path $docs 'Convert-HelpToMaml.ps1')
    $exported = @((Import-PowerShellDataFile -LiteralPath (Join-Path $Root 'CalendarFederation.psd1')).CmdletsToExport)
    $helpDir = Join-Path $ModuleDirectory 'en-US'
    $help = Export-HelpMaml -MarkdownFolder (Join-Path $docs 'cmdlets') -OutputPath (Join-Path $helpDir 'CalendarFederation.dll-Help.xml') -ExpectedCommand $exported
    $abouts = @(Get-ChildItem -LiteralPath $docs -Filter 'about_*.help.txt' | Sort-Object Name)
    foreach ($about in $abouts) {
        Test-AboutHelpFile -Path $about.FullName
        Copy-Item -LiteralPath $about.FullName -Destination $helpDir
    }
    Write-Host "Help: $(@($help).Count) cmdlets and $(($abouts | ForEach-Object { $_.Name -replace '\.help\.txt$', '' }) -join ', ') in $helpDir"
}

function Get-SandboxDll {
    return Join-Path $Root "tests/CalendarFederation.Sandbox/bin/$Configuration/net10.0/CalendarFederation.Sandbox.dll"
}

function Initialize-SandboxCa {
    # One stable root for the sandbox's https listeners, so processes can trust it before the sandbox starts.
    $dir = Join-Path $Artifacts 'sandbox-ca'
    $pem = Join-Path $dir 'root.pem'
    if (-not (Test-Path $pem)) {
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        Invoke-Native dotnet @((Get-SandboxDll), '--make-ca', $dir) | Out-Null
    }
    $env:CF_SANDBOX_CA = $dir
    if ($PSVersionTable.PSEdition -eq 'Core' -and $IsLinux) {
        # .NET on Linux reads SSL_CERT_FILE: the system's roots plus the sandbox's, for the test processes only.
        $bundle = Join-Path $dir 'bundle.pem'
        $system = @('/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt') | Where-Object { Test-Path $_ } | Select-Object -First 1
        $text = ''
        if ($system) { $text = [System.IO.File]::ReadAllText($system) + [Environment]::NewLine }
        $text += [System.IO.File]::ReadAllText($pem)
        [System.IO.File]::WriteAllText($bundle, $text)
        $env:SSL_CERT_FILE = $bundle
    }
    return $dir
}

function Read-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content -LiteralPath $Path -Raw
    $counters = $trx.TestRun.ResultSummary.Counters
    return [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
    }
}

function New-TestTally {
    [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Problems = [System.Collections.Generic.List[string]]::new()
        Timings = [System.Collections.Generic.List[string]]::new(); Clock = [System.Diagnostics.Stopwatch]::StartNew() }
}

function Add-TestCounts {
    # One suite's counts into the tally. A suite without results, or one that exited non-zero with no failed test,
    # counts as a failure: a crash must never read as a pass.
    param($Tally, [string] $Name, [int] $Exit, $Counts)
    if ($null -eq $Counts) {
        $Tally.Problems.Add("$Name produced no results (exit $Exit)")
        $Tally.Failed++
        return
    }
    $skipped = 0
    if ($Counts.PSObject.Properties['Skipped']) { $skipped = [int]$Counts.Skipped }
    $Tally.Passed += [int]$Counts.Passed
    $Tally.Failed += [int]$Counts.Failed
    $Tally.Skipped += $skipped
    if ($Exit -ne 0 -and [int]$Counts.Failed -eq 0) {
        $Tally.Problems.Add("$Name exited with $Exit")
        $Tally.Failed++
    }
}

function ConvertTo-CommandLine([string[]] $Arguments) {
    # One command-line string from arguments (Start-Process joins an array with spaces and quotes nothing).
    ($Arguments | ForEach-Object { if ($_ -match '[\s"]' -or $_ -eq '') { '"' + ($_ -replace '"', '\"') + '"' } else { $_ } }) -join ' '
}

function Start-Suite {
    # Starts one suite as a child process, its output to a log file; Complete-Suite waits for it and shows the log.
    param([Parameter(Mandatory)][string] $Name, [Parameter(Mandatory)][string] $FilePath, [string[]] $ArgumentList,
        [Parameter(Mandatory)][string] $LogDirectory, [Parameter(Mandatory)][string] $ResultPath)
    $log = Join-Path $LogDirectory "$Name.log"
    $errors = Join-Path $LogDirectory "$Name.stderr.log"
    $process = Start-Process -FilePath $FilePath -ArgumentList (ConvertTo-CommandLine $ArgumentList) -NoNewWindow -PassThru `
        -RedirectStandardOutput $log -RedirectStandardError $errors
    $null = $process.Handle # on Windows, ExitCode is only kept for a process whose handle was opened
    [pscustomobject]@{ Name = $Name; Process = $process; Log = $log; Errors = $errors; ResultPath = $ResultPath; Clock = [System.Diagnostics.Stopwatch]::StartNew() }
}

function Complete-Suite($Tally, $Suite) {
    $Suite.Process.WaitForExit()
    $exit = $Suite.Process.ExitCode
    $seconds = $Suite.Clock.Elapsed.TotalSeconds
    Write-Host ("---- {0}: exit {1}, {2:n0} s ----" -f $Suite.Name, $exit, $seconds) -ForegroundColor Cyan
    foreach ($file in $Suite.Log, $Suite.Errors) {
        if (Test-Path -LiteralPath $file) { Get-Content -LiteralPath $file | Out-Host }
    }
    $Tally.Timings.Add(("{0} {1:n0} s" -f $Suite.Name, $seconds))
    $counts = $null
    if (Test-Path -LiteralPath $Suite.ResultPath) {
        # A trx from dotnet test, or Invoke-PesterSuite.ps1's {"Passed","Failed","Skipped"}.
        if ($Suite.ResultPath.EndsWith('.trx')) { $counts = Read-TrxCounts $Suite.ResultPath }
        else { $counts = Get-Content -LiteralPath $Suite.ResultPath -Raw | ConvertFrom-Json }
    }
    Add-TestCounts $Tally $Suite.Name $exit $counts
}

function Start-XunitSuite {
    param([Parameter(Mandatory)][string] $Project, [Parameter(Mandatory)][string] $ResultsDirectory, [string] $Trx = "$Project.trx", [string] $Filter)
    $testArgs = @('test', (Join-Path $Root "tests/$Project/$Project.csproj"), '-c', $Configuration, '--no-build', '--nologo')
    if ($Filter) { $testArgs += @('--filter', $Filter) }
    $testArgs += @('--logger', "trx;LogFileName=$Trx", '--logger', 'console;verbosity=minimal', '--results-directory', $ResultsDirectory)
    Start-Suite -Name ([System.IO.Path]::GetFileNameWithoutExtension($Trx)) -FilePath 'dotnet' -ArgumentList $testArgs -LogDirectory $ResultsDirectory `
        -ResultPath (Join-Path $ResultsDirectory $Trx)
}

function Start-PesterSuite {
    # tests/Pester/Invoke-PesterSuite.ps1 in a fresh PowerShell like this one ('dotnet <pwsh.dll>' under 'dotnet pwsh'),
    # started after SSL_CERT_FILE is set so it trusts the sandbox.
    param([Parameter(Mandatory)][string] $ResultPath, [Parameter(Mandatory)][string] $LogDirectory, [string[]] $Include, [string[]] $Exclude,
        [string] $Name = 'Pester')
    $processPath = (Get-Process -Id $PID).Path
    $launcher = @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        $launcher = @([System.Reflection.Assembly]::GetEntryAssembly().Location)
    }
    $pwshArgs = $launcher + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/Pester/Invoke-PesterSuite.ps1'),
        '-ModulePath', (Join-Path (Get-ModuleDirectory) 'CalendarFederation.psd1'),
        '-SandboxDll', (Get-SandboxDll),
        '-ResultPath', $ResultPath)
    if ($Include) { $pwshArgs += @('-Include', ($Include -join ',')) }
    if ($Exclude) { $pwshArgs += @('-Exclude', ($Exclude -join ',')) }
    if ($SkipUntrusted) { $pwshArgs += '-SkipUntrusted' }
    Start-Suite -Name $Name -FilePath $processPath -ArgumentList $pwshArgs -LogDirectory $LogDirectory -ResultPath $ResultPath
}

function Write-TestTally($Tally, [string] $Label) {
    # Ends with the one line CI reads: "N passed, N failed, N skipped".
    $Tally.Clock.Stop()
    foreach ($p in $Tally.Problems) { Write-Host "Problem: $p" -ForegroundColor Red }
    Write-Host ("{0} time: {1:n0} s ({2})" -f $Label, $Tally.Clock.Elapsed.TotalSeconds, ($Tally.Timings -join ', '))
    if ($Tally.Skipped -gt 0) { Write-Host "$($Tally.Skipped) test(s) skipped: see the suites' output for why." -ForegroundColor Yellow }
    Write-Host "$($Tally.Passed) passed, $($Tally.Failed) failed, $($Tally.Skipped) skipped"
}

function Assert-SkipAllowed {
    if ($SkipUntrusted -and $env:CI -eq 'true') { throw '-SkipUntrusted is refused in CI (CI=true): there every test must run.' }
}

function Invoke-Test {
    Assert-SkipAllowed
    $tally = New-TestTally
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    Invoke-Package | Out-Null
    Invoke-TestRestore
    $tally.Timings.Add(("build and package {0:n0} s" -f $clock.Elapsed.TotalSeconds))
    $results = Join-Path $Artifacts 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory -Path $results -Force | Out-Null

    Initialize-SandboxCa | Out-Null
    # Side by side: every suite has its own sandbox (xunit in process, Pester one process for its files) on ports of
    # its own, and no suite asserts wall-clock times, so they do not disturb each other. Pester, the longest, needs only
    # the module, the package and the sandbox: it starts before the test projects build.
    $running = @()
    try {
        if ($Sequential) {
            Complete-Suite $tally (Start-PesterSuite -ResultPath (Join-Path $results 'pester.json') -LogDirectory $results -Exclude 'Reliability')
        }
        else {
            $running += Start-PesterSuite -Name 'Pester-1' -ResultPath (Join-Path $results 'pester-1.json') -LogDirectory $results -Include $PesterFirstHalf
            $running += Start-PesterSuite -Name 'Pester-2' -ResultPath (Join-Path $results 'pester-2.json') -LogDirectory $results -Exclude (@('Reliability') + $PesterFirstHalf)
        }
        $clock.Restart()
        Invoke-TestBuild
        $tally.Timings.Add(("test build {0:n0} s" -f $clock.Elapsed.TotalSeconds))
        foreach ($name in @($TestProjects | Sort-Object -Descending)) {
            $suite = Start-XunitSuite $name $results
            if ($Sequential) { Complete-Suite $tally $suite } else { $running += $suite }
        }
        # Each suite's output as it finishes.
        while ($running.Count -gt 0) {
            $done = @($running | Where-Object { $_.Process.WaitForExit(250) } | Select-Object -First 1)
            if ($done.Count -eq 0) { continue }
            $done[0].Clock.Stop()
            $running = @($running | Where-Object { $_ -ne $done[0] })
            Complete-Suite $tally $done[0]
        }
    }
    finally {
        # If this run is cut short, end the suites it started (by their process, never by name).
        foreach ($suite in $running) { if (-not $suite.Process.HasExited) { try { $suite.Process.Kill($true) } catch { $suite.Process.Kill() } } }
    }
    Write-TestTally $tally 'Test'
    if ($tally.Failed -gt 0) { $script:FailedTasks += 'Test' }
}

function Invoke-Reliability {
    Assert-SkipAllowed
    Invoke-Build
    Invoke-TestBuild
    Initialize-SandboxCa | Out-Null
    $tally = New-TestTally
    $reliability = Join-Path $Artifacts 'reliability'
    if (Test-Path $reliability) { Remove-Item $reliability -Recurse -Force }
    New-Item -ItemType Directory -Path $reliability -Force | Out-Null

    # The timing targets: the cases' MaxSeconds/MinSeconds and the fuzzing's time per input (FuzzTests.cs).
    $previousTargets = $env:CF_TIMING_TARGETS
    $env:CF_TIMING_TARGETS = '1'
    try {
        # The fuzzing properties (section 6), and the hosted-runspace cases (delegated sign-in, the persistent cache) with the
        # sign-in tests the report refers to. Their rows go to artifacts/reliability/xunit, which the Pester run merges.
        # One after another: the times in the report are the point.
        Complete-Suite $tally (Start-XunitSuite 'CalendarFederation.Engine.Tests' $reliability -Trx 'fuzz.trx' `
                -Filter 'FullyQualifiedName~CalendarFederation.Engine.Tests.FuzzTests|FullyQualifiedName~CalendarFederation.Engine.Tests.PageParserEdgeTests')
        Complete-Suite $tally (Start-XunitSuite 'CalendarFederation.Tests' $reliability -Trx 'hosted.trx' `
                -Filter 'FullyQualifiedName~CalendarFederation.Tests.Reliability|FullyQualifiedName~No_secret_or_token_appears_in_any_stream_or_view|FullyQualifiedName~Interactive_goes_through_the_browser_seam|FullyQualifiedName~Tokens_are_refreshed_silently_when_they_expire')
        Complete-Suite $tally (Start-PesterSuite -ResultPath (Join-Path $reliability 'pester.json') -LogDirectory $reliability -Include 'Reliability')
    }
    finally {
        $env:CF_TIMING_TARGETS = $previousTargets
    }

    . (Join-Path $Root 'docs/Export-ReliabilityReport.ps1')
    $report = Join-Path $Root 'docs/reliability.md'
    $summary = Export-ReliabilityReport -ResultPath (Join-Path $reliability 'results.json') -OutputPath $report `
        -FuzzSource (Join-Path $Root 'tests/CalendarFederation.Engine.Tests/FuzzTests.cs') `
        -TrxPath @((Join-Path $reliability 'fuzz.trx'), (Join-Path $reliability 'hosted.trx'))
    Write-Host "Report: $report" -ForegroundColor Green
    Write-Host ("Reliability: {0} cases tried, {1} passed, {2} known-bug cases ({3} bugs), {4} failed; relationships lost {5}, duplicated {6}, half-written {7}; early requests {8}; fuzzing {9} properties, {10} inputs" -f `
            $summary.Cases, $summary.Passed, $summary.KnownBugCases, $summary.KnownBugs, $summary.Failed, $summary.Lost, $summary.Duplicated, $summary.HalfWritten,
        $summary.Violations, $summary.FuzzProperties, $summary.FuzzInputs)
    Write-TestTally $tally 'Reliability'
    if ($tally.Failed -gt 0 -or $summary.Failed -gt 0 -or ($summary.Lost + $summary.Duplicated + $summary.HalfWritten) -gt 0) { $script:FailedTasks += 'Reliability' }
}

function Invoke-Demo {
    Invoke-Build
    Initialize-SandboxCa | Out-Null
    $transcript = Join-Path $Artifacts 'demo/demo.txt'
    New-Item -ItemType Directory -Force (Split-Path $transcript) | Out-Null
    $exit = Invoke-FreshPwsh @('-NoProfile', '-File', (Join-Path $Root 'tests/Demo/Start-Demo.ps1'),
        '-ModulePath', (Join-Path (Get-ModuleDirectory) 'CalendarFederation.psd1'), '-SandboxDll', (Get-SandboxDll), '-TranscriptPath', $transcript)
    if ($exit -ne 0) { throw "The demo failed (exit code $exit)." }
    & (Join-Path $Root 'tests/Demo/Test-ReadmeTour.ps1') -ReadmePath (Join-Path $Root 'README.md') -TranscriptPath $transcript
}

function Invoke-Sandbox {
    Invoke-Build
    Initialize-SandboxCa | Out-Null
    # The console itself, not a pipe: the prompt must stay interactive (Invoke-FreshPwsh pipes to Out-Host).
    $processPath = (Get-Process -Id $PID).Path
    $launcher = @()
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') { $launcher = @([System.Reflection.Assembly]::GetEntryAssembly().Location) }
    & $processPath @($launcher + @('-NoProfile', '-NoExit', '-File', (Join-Path $Root 'tests/Demo/Enter-Sandbox.ps1'),
            '-ModulePath', (Join-Path (Get-ModuleDirectory) 'CalendarFederation.psd1'), '-SandboxDll', (Get-SandboxDll)))
}

function Use-OwnResourceStore {
    # PSResourceGet keeps registered repositories in one file per user (LocalApplicationData/PSResourceGet). Builds
    # side by side on one machine register and unregister there at the same moment and can leave it corrupted
    # ("Repository store may be corrupted"), failing Package or tests/Pester/Package.Tests.ps1. On Linux and macOS
    # it lives under XDG_DATA_HOME: give this build, and the processes it starts, a store of their own. PSResourceGet
    # reads the path once, so this runs before its first use here. (Windows has no such variable; CI runs one build.)
    if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows -and -not $Built['ResourceStore']) {
        $env:XDG_DATA_HOME = Join-Path $Artifacts 'xdg-data'
        New-Item -ItemType Directory -Path $env:XDG_DATA_HOME -Force | Out-Null
        $Built['ResourceStore'] = $true
    }
}

function Invoke-Package {
    Use-OwnResourceStore
    Invoke-Build
    $packageDir = Join-Path $Artifacts 'package'
    if (Test-Path $packageDir) { Remove-Item $packageDir -Recurse -Force }
    New-Item -ItemType Directory -Path $packageDir -Force | Out-Null
    $repository = 'CalendarFederationBuild-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Register-PSResourceRepository -Name $repository -Uri $packageDir -Trusted
    try {
        Publish-PSResource -Path (Get-ModuleDirectory) -Repository $repository -SkipDependenciesCheck
    }
    finally {
        Unregister-PSResourceRepository -Name $repository
    }
    $package = Get-ChildItem $packageDir -Filter '*.nupkg' | Select-Object -First 1
    if (-not $package) { throw 'Publish-PSResource wrote no package.' }
    $env:CF_PACKAGE_DIR = $packageDir
    Write-Host "Package: $($package.FullName)" -ForegroundColor Green
    return $package.FullName
}

function Invoke-Bench {
    # The load average before our own build adds to it, so the report shows what the machine was doing.
    $loadBefore = -1
    if (Test-Path '/proc/loadavg') { $loadBefore = [double](Get-Content '/proc/loadavg' -Raw).Split(' ')[0] }
    Invoke-Build
    foreach ($project in 'bench/CalendarFederation.Benchmarks/CalendarFederation.Benchmarks.csproj', 'bench/MinimalBinaryModule/MinimalBinaryModule.csproj') {
        Invoke-Native dotnet @('build', (Join-Path $Root $project), '-c', 'Release', '--nologo', '-v', 'quiet')
    }
    Initialize-SandboxCa | Out-Null
    # The harness signs in to the sandbox's https for the bulk run; Invoke-FreshPwsh starts it trusting the sandbox.
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $exit = Invoke-FreshPwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'bench/Invoke-Benchmarks.ps1'),
        '-ModulePath', (Join-Path (Get-ModuleDirectory) 'CalendarFederation.psd1'),
        '-SandboxDll', (Get-SandboxDll),
        '-BenchmarksDll', (Join-Path $Root 'bench/CalendarFederation.Benchmarks/bin/Release/net10.0/CalendarFederation.Benchmarks.dll'),
        '-MinimalModulePath', (Join-Path $Root 'bench/MinimalBinaryModule/bin/Release/netstandard2.0/MinimalBinaryModule.psd1'),
        '-LoadAverageBeforeBuild', $loadBefore)
    Write-Host ("Bench time: {0:n0} s" -f $stopwatch.Elapsed.TotalSeconds)
    if ($exit -ne 0) { throw "The benchmark harness failed (exit code $exit)." }
}

function Invoke-Clean {
    foreach ($path in $OutRoot, $Artifacts) {
        if (Test-Path $path) { Remove-Item $path -Recurse -Force }
    }
    Get-ChildItem $Root -Include 'bin', 'obj' -Recurse -Directory -ErrorAction SilentlyContinue |
        Where-Object { $_.FullName -notmatch '[\\/]\.git[\\/]' } |
        Remove-Item -Recurse -Force
    Write-Host 'Clean.'
}

# Test and Reliability add their name here when something failed, so a later task still runs (Test, then Reliability).
$FailedTasks = @()
try {
    Push-Location $Root
    foreach ($t in $Task) {
        switch ($t) {
            'Build' { Invoke-Build }
            'Test' { Invoke-Test }
            'Reliability' { Invoke-Reliability }
            'Demo' { Invoke-Demo }
            'Sandbox' { Invoke-Sandbox }
            'Clean' { Invoke-Clean }
            'Package' { Invoke-Package | Out-Null }
            'SandboxCa' { Invoke-Build; Write-Host "Sandbox root CA: $(Join-Path (Initialize-SandboxCa) 'root.pem')" }
            'Bench' { Invoke-Bench }
        }
    }
}
catch {
    Write-Host "build.ps1 $($Task -join ', ') failed: $($_.Exception.Message)" -ForegroundColor Red
    exit 1
}
finally {
    Pop-Location
}
if ($FailedTasks.Count -gt 0) {
    Write-Host "build.ps1: $($FailedTasks -join ', ') failed." -ForegroundColor Red
    exit 1
}
exit 0
