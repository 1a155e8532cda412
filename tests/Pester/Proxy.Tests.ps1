# Discovery, sign-in and the admin API through a proxy: explicit (-Proxy, -ProxyCredential) and the system's
# (HTTPS_PROXY / NO_PROXY). The endpoints are *.sandbox.test names that only the sandbox's loopback proxy resolves, so
# a request that skips the proxy cannot succeed.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox -Proxy
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:proxy = $sandbox.ProxyUrl
    Add-CalendarFederationEnvironment -Name ProxySandbox -AzureADAuthorizationEndpointUri 'https://login.sandbox.test' `
        -ConnectionUri 'https://admin.sandbox.test' -AutodiscoverEndpoint 'https://autodiscover.sandbox.test/autodiscover/autodiscover.svc' | Out-Null
    $script:secret = ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }
    function script:Get-ProxyLog { Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/proxy" | ForEach-Object { $_ } }
    function script:Clear-ProxyLog { Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/proxy" | Out-Null }
    function script:Set-ProxyCredential([string] $Value) { Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/proxy/credentials?value=$Value" | Out-Null }

    # The same launcher build.ps1 uses, for a child whose system proxy comes from the environment.
    $processPath = (Get-Process -Id $PID).Path
    if ([System.IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') {
        $script:pwsh = @($processPath, [System.Reflection.Assembly]::GetEntryAssembly().Location)
    }
    else {
        $script:pwsh = @($processPath)
    }
    function script:Invoke-ChildDiscovery([hashtable] $Environment) {
        $script = "Import-Module '$($env:CF_MODULE_PATH)'; Add-CalendarFederationEnvironment -Name P -AzureADAuthorizationEndpointUri https://login.sandbox.test -ConnectionUri https://admin.sandbox.test -AutodiscoverEndpoint https://autodiscover.sandbox.test/autodiscover/autodiscover.svc | Out-Null; " +
            "`$r = Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName P -TimeoutSec 5 -ErrorAction SilentlyContinue -ErrorVariable e; " +
            "if (`$r) { 'ANSWERED ' + `$r.AnsweredBy } else { 'FAILED ' + `$e[0].FullyQualifiedErrorId }"
        $saved = @{}
        foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
        try {
            $arguments = @()
            if ($pwsh.Count -gt 1) { $arguments += $pwsh[1] }
            $arguments += @('-NoProfile', '-NonInteractive', '-Command', $script)
            (& $pwsh[0] @arguments 2>&1 | Out-String).Trim()
        }
        finally {
            foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
        }
    }
}

AfterAll {
    Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    Stop-CFSandbox $sandbox
}

Describe 'An explicit proxy' -Tag 'Proxy' {
    BeforeEach {
        Set-ProxyCredential ''
        Clear-ProxyLog
    }

    It 'carries discovery with -Proxy, and without it the names do not resolve' {
        if (Skip-Untrusted) { return }
        $info = Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName ProxySandbox -Proxy $proxy
        $info.AnsweredBy | Should -Be 'https://autodiscover.sandbox.test/autodiscover/autodiscover.svc'
        $info.AnsweredByCandidate | Should -BeExactly 'Cloud'
        @(Get-ProxyLog | Where-Object { $_.method -eq 'CONNECT' -and $_.target -eq 'autodiscover.sandbox.test:443' }).Count | Should -BeGreaterThan 0

        Clear-ProxyLog
        Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName ProxySandbox -TimeoutSec 5 -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null
        $failed.Count | Should -Be 1
        @(Get-ProxyLog).Count | Should -Be 0
    }

    It 'carries sign-in and the admin API with -Proxy' {
        if (Skip-Untrusted) { return }
        $c = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $secret `
            -ExchangeEnvironmentName ProxySandbox -Proxy $proxy -PassThru -NotDefault -WarningAction SilentlyContinue
        (Get-OrganizationConfig -Connection $c).DisplayName | Should -BeExactly 'Contoso'
        $targets = @(Get-ProxyLog | Where-Object { $_.method -eq 'CONNECT' } | ForEach-Object { $_.target })
        $targets | Should -Contain 'login.sandbox.test:443'
        $targets | Should -Contain 'admin.sandbox.test:443'
    }

    It 'sends -ProxyCredential to a proxy that asks, and fails clearly without it' {
        if (Skip-Untrusted) { return }
        Set-ProxyCredential 'proxyuser:proxy-pass'
        $credential = New-Object System.Management.Automation.PSCredential('proxyuser', (ConvertTo-SecureString 'proxy-pass' -AsPlainText -Force))

        $c = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $secret `
            -ExchangeEnvironmentName ProxySandbox -Proxy $proxy -ProxyCredential $credential -PassThru -NotDefault -WarningAction SilentlyContinue
        (Get-OrganizationConfig -Connection $c).DisplayName | Should -BeExactly 'Contoso'
        @(Get-ProxyLog | Where-Object { $_.status -eq 200 -and $_.hadCredentials }).Count | Should -BeGreaterThan 0

        $info = Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName ProxySandbox -Proxy $proxy -ProxyCredential $credential
        $info.DomainName | Should -BeExactly 'fabrikam.com'

        { Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $secret `
                -ExchangeEnvironmentName ProxySandbox -Proxy $proxy -NotDefault -WarningAction SilentlyContinue -ErrorAction Stop } | Should -Throw
        @(Get-ProxyLog | Where-Object { $_.status -eq 407 }).Count | Should -BeGreaterThan 0
    }
}

Describe 'The system proxy' -Tag 'Proxy' {
    BeforeEach {
        Set-ProxyCredential ''
        Clear-ProxyLog
    }

    It 'is honoured from HTTPS_PROXY, and NO_PROXY bypasses it' -Skip:($IsWindows -or $IsMacOS) {
        # On Linux and macOS .NET reads HTTPS_PROXY/NO_PROXY at start; Windows uses its own proxy settings instead.
        if (Skip-Untrusted) { return }
        $through = Invoke-ChildDiscovery @{ HTTPS_PROXY = $proxy; NO_PROXY = '' }
        $through | Should -Match '^ANSWERED https://autodiscover\.sandbox\.test/'
        @(Get-ProxyLog | Where-Object { $_.target -eq 'autodiscover.sandbox.test:443' }).Count | Should -BeGreaterThan 0

        Clear-ProxyLog
        $bypassed = Invoke-ChildDiscovery @{ HTTPS_PROXY = $proxy; NO_PROXY = '.sandbox.test' }
        $bypassed | Should -Match '^FAILED '
        @(Get-ProxyLog | Where-Object { $_.target -like 'autodiscover.sandbox.test*' }).Count | Should -Be 0
    }
}
