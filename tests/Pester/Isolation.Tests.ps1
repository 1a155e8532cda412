# Dependency isolation, proven in fresh processes: another module's MSAL (4.61.3, what other modules ship) loaded before
# or after CalendarFederation, both working in one session. PowerShell 7 only: Windows PowerShell 5.1 has one
# AppDomain and relies on the AssemblyResolve handler instead.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    Import-Module $env:CF_MODULE_PATH -Force
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $packages = $env:CF_NUGET_PACKAGES
    $script:oldMsal = Join-Path $packages 'microsoft.identity.client/4.61.3/lib/net6.0/Microsoft.Identity.Client.dll'
    $script:oldAbstractions = Join-Path $packages 'microsoft.identitymodel.abstractions/6.35.0/lib/net6.0/Microsoft.IdentityModel.Abstractions.dll'

    # The same launcher build.ps1 uses: under 'dotnet pwsh' the process is dotnet running pwsh.dll.
    $processPath = (Get-Process -Id $PID).Path
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        $script:pwsh = @($processPath, [System.Reflection.Assembly]::GetEntryAssembly().Location)
    }
    else {
        $script:pwsh = @($processPath)
    }

    # What the child runs: the other MSAL acquires a token from the sandbox; CalendarFederation connects and calls the admin API.
    $script:childScript = @'
param($Order, $ModulePath, $OldMsal, $OldAbstractions, $Https, $AutodiscoverUri)
$ErrorActionPreference = 'Stop'
function Use-OtherMsal {
    $app = [Microsoft.Identity.Client.ConfidentialClientApplicationBuilder]::Create('c0a5e000-0000-4000-8000-000000000001').
        WithClientSecret('contoso-sandbox-secret').WithAuthority("$Https/contoso.onmicrosoft.com", $false).WithInstanceDiscovery($false).Build()
    $result = $app.AcquireTokenForClient([string[]]@("$Https/.default")).ExecuteAsync().GetAwaiter().GetResult()
    if (-not $result.AccessToken) { throw 'the other MSAL got no token' }
    [Microsoft.Identity.Client.ConfidentialClientApplicationBuilder].Assembly.GetName().Version.ToString()
}
function Use-CalendarFederation {
    Import-Module $ModulePath
    Add-CalendarFederationEnvironment -Name Iso -AzureADAuthorizationEndpointUri $Https -ConnectionUri $Https -AutodiscoverEndpoint $AutodiscoverUri | Out-Null
    $secret = ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force
    Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $secret -ExchangeEnvironmentName Iso -WarningAction SilentlyContinue
    (Get-OrganizationConfig).DisplayName
}
$out = [ordered]@{}
if ($Order -eq 'OtherFirst') {
    Add-Type -Path $OldAbstractions
    Add-Type -Path $OldMsal
    $out.OtherBefore = Use-OtherMsal
    $out.Ours = Use-CalendarFederation
    $out.OtherAfter = Use-OtherMsal
}
else {
    $out.Ours = Use-CalendarFederation
    Add-Type -Path $OldAbstractions
    Add-Type -Path $OldMsal
    $out.OtherAfter = Use-OtherMsal
    $out.OursAgain = (Get-OrganizationConfig).DisplayName
}
$out.MsalVersions = @([System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object {
    foreach ($a in $_.Assemblies) { if ($a.GetName().Name -eq 'Microsoft.Identity.Client') { '{0} in {1}' -f $a.GetName().Version, $_.GetType().Name } }
})
$out | ConvertTo-Json -Compress
'@

    function script:Invoke-Child([string] $Order) {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ("cf-isolation-" + [guid]::NewGuid() + '.ps1')
        Set-Content -LiteralPath $file -Value $childScript
        try {
            $arguments = @()
            if ($pwsh.Count -gt 1) { $arguments += $pwsh[1] }
            $arguments += @('-NoProfile', '-NonInteractive', '-File', $file, '-Order', $Order, '-ModulePath', $env:CF_MODULE_PATH,
                '-OldMsal', $oldMsal, '-OldAbstractions', $oldAbstractions, '-Https', $sandbox.HttpsUrls['good'], '-AutodiscoverUri', $sandbox.AutodiscoverUri)
            $output = & $pwsh[0] @arguments 2>&1
            [pscustomobject]@{ Exit = $LASTEXITCODE; Text = ($output | Out-String) }
        }
        finally {
            Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
        }
    }
}

AfterAll {
    Stop-CFSandbox $sandbox
}

Describe 'Dependency isolation with another MSAL in the session' -Tag 'Isolation' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
    It 'works when the other MSAL is loaded first (<Order>)' -TestCases @(@{ Order = 'OtherFirst' }, @{ Order = 'OursFirst' }) {
        if (Skip-CFUntrusted -Trusted $trusted) { return }
        Test-Path -LiteralPath $oldMsal | Should -BeTrue -Because 'tests/CalendarFederation.Tests downloads MSAL 4.61.3 with PackageDownload'
        $run = Invoke-Child $Order
        $run.Exit | Should -Be 0 -Because $run.Text
        $json = ($run.Text -split "`n" | Where-Object { $_ -match '^\{' } | Select-Object -Last 1) | ConvertFrom-Json
        $json.Ours | Should -BeExactly 'Contoso'
        $json.OtherAfter | Should -BeExactly '4.61.3.0'
        if ($Order -eq 'OtherFirst') { $json.OtherBefore | Should -BeExactly '4.61.3.0' } else { $json.OursAgain | Should -BeExactly 'Contoso' }
        # Two MSALs side by side: the other module's in the default context, ours in the module's own.
        $json.MsalVersions | Should -Contain '4.61.3.0 in DefaultAssemblyLoadContext'
        @($json.MsalVersions | Where-Object { $_ -like '4.92.0.0 in DependencyLoadContext' }).Count | Should -Be 1
    }
}
