#Requires -Version 5.1
# Importing the BUILT module in a fresh PowerShell loads nothing heavy: the engine stays on disk until the first
# Get-FederationInformation call, and on PowerShell 7 it then lives in the module's own AssemblyLoadContext.
# The child is started like build.ps1's Invoke-FreshPwsh does: 'dotnet <pwsh.dll>' under 'dotnet pwsh'.

BeforeAll {
    if (-not $env:CF_MODULE_PATH) { throw 'CF_MODULE_PATH is not set. Run tests/Pester/Invoke-PesterSuite.ps1.' }
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force -ErrorAction Stop
    $sandbox = Get-CFSandbox

    function Get-PwshCommand {
        $processPath = (Get-Process -Id $PID).Path
        $leaf = [System.IO.Path]::GetFileNameWithoutExtension($processPath)
        if ($leaf -eq 'dotnet') {
            return @($processPath, [System.Reflection.Assembly]::GetEntryAssembly().Location)
        }
        return @($processPath)
    }

    function ConvertTo-Literal([string] $Text) { "'" + $Text.Replace("'", "''") + "'" }

    # Runs a script in a fresh PowerShell like this one and returns its last output line parsed from JSON.
    function Invoke-FreshPowerShell([string] $Script) {
        $command = @(Get-PwshCommand)
        $arguments = @()
        if ($command.Count -gt 1) { $arguments += $command[1..($command.Count - 1)] }
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
        $arguments += @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
        $lines = @(& $command[0] @arguments 2>&1 | ForEach-Object { "$_" })
        if ($LASTEXITCODE -ne 0) { throw "The child PowerShell exited with $LASTEXITCODE`: $($lines -join [Environment]::NewLine)" }
        $json = @($lines | Where-Object { $_.StartsWith('{') })
        if ($json.Count -eq 0) { throw "The child PowerShell wrote no result: $($lines -join [Environment]::NewLine)" }
        $json[-1] | ConvertFrom-Json
    }

    $childScript = @"
`$ErrorActionPreference = 'Stop'
# Records who loads the engine, so a failure below says why (Windows PowerShell 5.1 and 7 alike).
Add-Type -TypeDefinition 'public static class EngineLoadTrace { public static string Trace; public static void Hook() { System.AppDomain.CurrentDomain.AssemblyLoad += (s, e) => { if (e.LoadedAssembly.GetName().Name == "CalendarFederation.Engine" && Trace == null) Trace = System.Environment.StackTrace; }; } }'
[EngineLoadTrace]::Hook()
function Get-Engine { @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'CalendarFederation.Engine' }) }
`$module = Import-Module $(ConvertTo-Literal $env:CF_MODULE_PATH) -PassThru
`$afterImport = (Get-Engine).Count
`$command = Get-Command Get-FederationInformation
`$afterGetCommand = (Get-Engine).Count
`$loadTrace = [EngineLoadTrace]::Trace
`$info = Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $(ConvertTo-Literal $sandbox.AutodiscoverUri)
`$engines = Get-Engine
`$cmdlets = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'CalendarFederation' } | Select-Object -First 1
`$result = [ordered]@{
    Edition          = `$PSVersionTable.PSEdition
    ModuleVersion    = `$module.Version.ToString()
    ModuleBase       = `$module.ModuleBase
    AfterImport      = `$afterImport
    AfterGetCommand  = `$afterGetCommand
    LoadTrace        = `$loadTrace
    AfterCall        = `$engines.Count
    Answered         = `$info.DomainName
    EngineLocation   = `$engines[0].Location
    CmdletsLocation  = `$cmdlets.Location
    EngineContext    = `$null
    EngineIsDefault  = `$null
    CmdletsIsDefault = `$null
}
if (`$PSVersionTable.PSEdition -eq 'Core') {
    `$engineContext = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$engines[0])
    `$result.EngineContext = `$engineContext.GetType().FullName
    `$result.EngineIsDefault = [object]::ReferenceEquals(`$engineContext, [System.Runtime.Loader.AssemblyLoadContext]::Default)
    `$result.CmdletsIsDefault = [object]::ReferenceEquals([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$cmdlets), [System.Runtime.Loader.AssemblyLoadContext]::Default)
}
[pscustomobject]`$result | ConvertTo-Json -Compress
"@
    $child = Invoke-FreshPowerShell $childScript
    $moduleBase = Split-Path -Parent $env:CF_MODULE_PATH
}

AfterAll {
    if ($sandbox) { Stop-CFSandbox $sandbox }
}

Describe 'Importing CalendarFederation in a fresh PowerShell' -Tag 'Loading' {
    It 'runs the child on the same PowerShell edition' {
        $child.Edition | Should -BeExactly $PSVersionTable.PSEdition
        $child.ModuleBase | Should -Be $moduleBase
    }

    It 'does not load CalendarFederation.Engine at import' {
        $child.AfterImport | Should -Be 0
    }

    It 'does not load it for Get-Command either' {
        $child.AfterGetCommand | Should -Be 0 -Because "the engine was loaded by: $($child.LoadTrace)"
    }

    It 'loads it exactly once, from Dependencies/, at the first Get-FederationInformation call' {
        $child.Answered | Should -BeExactly 'fabrikam.com'
        $child.AfterCall | Should -Be 1
        $child.EngineLocation | Should -Be (Join-Path (Join-Path $moduleBase 'Dependencies') 'CalendarFederation.Engine.dll')
        $child.CmdletsLocation | Should -Be (Join-Path $moduleBase 'CalendarFederation.dll')
    }

    It 'loads the engine in a non-default AssemblyLoadContext and the cmdlets in the default one (PowerShell 7)' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
        $child.EngineIsDefault | Should -BeFalse
        $child.EngineContext | Should -BeExactly 'CalendarFederation.Loading.DependencyLoadContext'
        $child.CmdletsIsDefault | Should -BeTrue
    }
}
