# The package build.ps1 Package makes: it installs from a local repository into a clean module path, imports by name,
# and works. PSResourceGet ships with PowerShell 7.4+; Windows PowerShell 5.1 has only PowerShellGet 1, which would
# fetch a NuGet provider from the internet first, so this runs on PowerShell 7.

BeforeDiscovery {
    $script:hasResourceGet = [bool](Get-Module -ListAvailable Microsoft.PowerShell.PSResourceGet)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:packageDir = $env:CF_PACKAGE_DIR
    $script:sandbox = Get-CFSandbox
    $script:modules = Join-Path ([System.IO.Path]::GetTempPath()) ('cf-modules-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $modules | Out-Null

    $processPath = (Get-Process -Id $PID).Path
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        $script:pwsh = @($processPath, [System.Reflection.Assembly]::GetEntryAssembly().Location)
    }
    else {
        $script:pwsh = @($processPath)
    }
}

AfterAll {
    Stop-CFSandbox $sandbox
    Remove-Item -LiteralPath $modules -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The package' -Tag 'Package' -Skip:(-not $hasResourceGet) {
    It 'exists, made by build.ps1 Package' {
        $packageDir | Should -Not -BeNullOrEmpty -Because 'build.ps1 Test runs Package first and sets CF_PACKAGE_DIR'
        @(Get-ChildItem -LiteralPath $packageDir -Filter 'CalendarFederation.*.nupkg').Count | Should -Be 1
    }

    It 'installs from a local repository into a clean module path, imports by name and discovers against the sandbox' {
        $repository = 'CFTest' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Register-PSResourceRepository -Name $repository -Uri $packageDir -Trusted
        try {
            Save-PSResource -Name CalendarFederation -Repository $repository -Path $modules -TrustRepository -SkipDependencyCheck
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }
        Test-Path (Join-Path $modules 'CalendarFederation') | Should -BeTrue

        $script = "`$env:PSModulePath = '$modules'; Import-Module CalendarFederation -ErrorAction Stop; " +
            "`$m = Get-Module CalendarFederation; " +
            "`$r = Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri '$($sandbox.AutodiscoverUri)'; " +
            "`$h = Get-Help Get-FederationInformation -Full; " +
            "[pscustomobject]@{ Base = `$m.ModuleBase; Version = `$m.Version.ToString(); Domain = `$r.DomainName; Examples = @(`$h.examples.example).Count; Commands = @(`$m.ExportedCmdlets.Keys).Count } | ConvertTo-Json -Compress"
        $arguments = @()
        if ($pwsh.Count -gt 1) { $arguments += $pwsh[1] }
        $arguments += @('-NoProfile', '-NonInteractive', '-Command', $script)
        $output = & $pwsh[0] @arguments 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        $result = ($output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1) | ConvertFrom-Json
        $result.Base | Should -BeLike "$modules*"
        $result.Domain | Should -BeExactly 'fabrikam.com'
        $result.Examples | Should -BeGreaterOrEqual 2
        # Every cmdlet the source manifest exports, and no other.
        $result.Commands | Should -Be @((Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot '../../CalendarFederation.psd1')).CmdletsToExport).Count
    }

    It 'carries a manifest fit for the gallery: explicit exports, both editions, 5.1, tags, links and release notes' {
        $manifestPath = Get-ChildItem -LiteralPath (Join-Path $modules 'CalendarFederation') -Recurse -Filter 'CalendarFederation.psd1' | Select-Object -First 1
        $data = Import-PowerShellDataFile -LiteralPath $manifestPath.FullName
        @($data.CmdletsToExport) | Should -Not -Contain '*'
        @($data.CmdletsToExport) | Should -Be @((Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot '../../CalendarFederation.psd1')).CmdletsToExport)
        @($data.FunctionsToExport).Count | Should -Be 0
        @($data.AliasesToExport).Count | Should -Be 0
        @($data.VariablesToExport).Count | Should -Be 0
        $data.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $data.PowerShellVersion | Should -Be '5.1'
        $data.PrivateData.PSData.Tags | Should -Contain 'Exchange'
        $data.PrivateData.PSData.ProjectUri | Should -Match '^https://'
        $data.PrivateData.PSData.LicenseUri | Should -Match '^https://'
        $data.PrivateData.PSData.ReleaseNotes | Should -Match 'New-CalendarFederation'
        Test-ModuleManifest -Path $manifestPath.FullName -ErrorAction Stop | Should -Not -BeNullOrEmpty
    }
}
