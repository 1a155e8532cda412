#Requires -Version 5.1
# Get-FederationInformation's bulk behaviour from the BUILT module against the sandbox: -ThrottleLimit bounds what
# is in flight, and stopping the pipeline stops the requests. The sandbox's /_sandbox/load counts requests being
# served (InFlight) and the most seen at once (MaxInFlight). No wall-clock targets, only bounds that a broken
# implementation would cross. Windows PowerShell 5.1 compatible.

BeforeAll {
    if (-not $env:CF_MODULE_PATH) { throw 'CF_MODULE_PATH is not set. Run tests/Pester/Invoke-PesterSuite.ps1.' }
    Import-Module $env:CF_MODULE_PATH -Force -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force -ErrorAction Stop

    $sandbox = Start-CFSandbox
    $uri = $sandbox.AutodiscoverUri

    function Set-Latency([int] $Milliseconds) {
        Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/latency?ms=$Milliseconds" | Out-Null
    }

    function Reset-Load {
        Invoke-RestMethod -Method Delete -Uri "$($sandbox.Url)/_sandbox/load" | Out-Null
    }

    function Get-Load {
        Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/load"
    }

    function Get-RequestCount {
        @(Get-CFSandboxRequests -Sandbox $sandbox | ForEach-Object { $_ }).Count
    }

    # Polls the sandbox until the condition on its load holds or the time is up; returns the last load seen.
    function Wait-Load([scriptblock] $Condition, [int] $TimeoutMs) {
        $deadline = [DateTime]::UtcNow.AddMilliseconds($TimeoutMs)
        while ($true) {
            $load = Get-Load
            if (& $Condition $load) { return $load }
            if ([DateTime]::UtcNow -gt $deadline) { return $load }
            Start-Sleep -Milliseconds 20
        }
    }

    # Real tenant domains from the sandbox's world, repeated to the count asked for (the cmdlet does not dedupe).
    function Get-TenantDomains([int] $Count, [string[]] $Tenant) {
        $tenants = @($sandbox.Tenants | Where-Object { $_.federated })
        if ($Tenant) { $tenants = @($tenants | Where-Object { $Tenant -contains $_.name }) }
        $pool = @($tenants | ForEach-Object { $_.domains })
        if ($pool.Count -eq 0) { throw 'The sandbox has no federated tenant domains.' }
        $list = New-Object System.Collections.Generic.List[string]
        while ($list.Count -lt $Count) { $list.Add($pool[$list.Count % $pool.Count]) }
        , $list.ToArray()
    }

    $modulePath = $env:CF_MODULE_PATH
}

AfterAll {
    if ($sandbox) { Stop-CFSandbox $sandbox }
}

Describe 'Get-FederationInformation -ThrottleLimit' -Tag 'Concurrency' {
    BeforeEach {
        Reset-CFSandbox -Sandbox $sandbox
        Set-Latency 200
        Reset-Load
    }

    It 'discovers 20 domains with more than one and at most 5 requests in flight' {
        $domains = Get-TenantDomains -Count 20
        $result = @(Get-FederationInformation -DomainName $domains -AutodiscoverUri $uri -ThrottleLimit 5 -BypassAdditionalDomainValidation)

        $result.Count | Should -Be 20
        @($result | ForEach-Object { $_.DomainName } | Sort-Object) | Should -Be @($domains | ForEach-Object { $_.ToLowerInvariant() } | Sort-Object)
        $load = Get-Load
        $load.maxInFlight | Should -BeGreaterThan 1
        $load.maxInFlight | Should -BeLessOrEqual 5
        $load.inFlight | Should -Be 0
        Get-RequestCount | Should -Be 20
    }

    It 'keeps to one request at a time with -ThrottleLimit 1' {
        $domains = Get-TenantDomains -Count 6 -Tenant contoso, fabrikam
        $result = @(Get-FederationInformation -DomainName $domains -AutodiscoverUri $uri -ThrottleLimit 1)
        $result.Count | Should -Be 6
        (Get-Load).maxInFlight | Should -Be 1
    }

    It 'counts -ThrottleLimit in domains: tenants that answer with one domain stay within it without the bypass too' {
        $domains = Get-TenantDomains -Count 20 -Tenant contoso, fabrikam
        $result = @(Get-FederationInformation -DomainName $domains -AutodiscoverUri $uri -ThrottleLimit 5)
        $result.Count | Should -Be 20
        $load = Get-Load
        $load.maxInFlight | Should -BeGreaterThan 1
        $load.maxInFlight | Should -BeLessOrEqual 5
    }

    # Additional domain validation re-discovers each extra returned domain within the same request slots.
    It 'bounds requests by -ThrottleLimit during additional domain validation too' {
        $domains = Get-TenantDomains -Count 20 -Tenant litware
        $result = @(Get-FederationInformation -DomainName $domains -AutodiscoverUri $uri -ThrottleLimit 5)
        $result.Count | Should -Be 20
        (Get-Load).maxInFlight | Should -BeLessOrEqual 5
    }
}

Describe 'Stopping Get-FederationInformation' -Tag 'Cancellation' {
    BeforeEach {
        Reset-CFSandbox -Sandbox $sandbox
        Reset-Load
    }

    It 'stops promptly on PowerShell.Stop() and leaves no request in flight' {
        Set-Latency 500
        $domains = Get-TenantDomains -Count 200
        $ps = New-CFAsyncPowerShell -ModulePath $modulePath
        $handle = $null
        try {
            $null = $ps.AddCommand('Get-FederationInformation').AddParameter('DomainName', $domains).AddParameter('AutodiscoverUri', $uri).AddParameter('BypassAdditionalDomainValidation')
            $handle = $ps.BeginInvoke()

            $busy = Wait-Load -Condition { param($l) $l.inFlight -gt 0 } -TimeoutMs 15000
            $busy.inFlight | Should -BeGreaterThan 0
            $ps.InvocationStateInfo.State | Should -Be 'Running'

            $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopwatch.Stop()

            $stopwatch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # The async result is signalled just after the state changes; give it a moment rather than race it.
            $handle.AsyncWaitHandle.WaitOne(2000) | Should -BeTrue

            $idle = Wait-Load -Condition { param($l) $l.inFlight -eq 0 } -TimeoutMs 3000
            $idle.inFlight | Should -Be 0
            # It stopped early: 200 domains at 500 ms with 16 at a time would take over 6 s and 200 requests.
            Get-RequestCount | Should -BeLessThan 100
        }
        finally {
            Close-CFAsyncPowerShell -PowerShell $ps -Handle $handle
        }
    }

    It 'can run again in the same runspace after a stop' {
        Set-Latency 300
        $first = New-CFAsyncPowerShell -ModulePath $modulePath
        $runspace = $first.Runspace
        try {
            $null = $first.AddCommand('Get-FederationInformation').AddParameter('DomainName', (Get-TenantDomains -Count 50)).AddParameter('AutodiscoverUri', $uri)
            $handle = $first.BeginInvoke()
            $null = Wait-Load -Condition { param($l) $l.inFlight -gt 0 } -TimeoutMs 15000
            $first.Stop()
            $first.InvocationStateInfo.State | Should -Be 'Stopped'
            # Let the stopped invocation finish before it is disposed and the runspace reused.
            $handle.AsyncWaitHandle.WaitOne(5000) | Should -BeTrue
            try { $null = $first.EndInvoke($handle) } catch [System.Management.Automation.PipelineStoppedException] { }
            $first.Dispose()

            Set-Latency 0
            $second = [powershell]::Create()
            $second.Runspace = $runspace
            $null = $second.AddCommand('Get-FederationInformation').AddParameter('DomainName', 'fabrikam.com').AddParameter('AutodiscoverUri', $uri)
            $output = @($second.Invoke())
            $second.HadErrors | Should -BeFalse
            $output.Count | Should -Be 1
            $output[0].DomainName | Should -BeExactly 'fabrikam.com'
            $second.Dispose()
        }
        finally {
            $runspace.Dispose()
        }
    }

    # When the pipeline ends by a terminating error or by Select-Object -First, Dispose cancels what is in flight.
    It 'leaves no request in flight after -ErrorAction Stop ends the pipeline' {
        $null = Add-CFSandboxFault -Sandbox $sandbox -Rule @{ domain = 'fabrikam.com'; latencyMs = 5000 }
        $domains = @(1..10 | ForEach-Object { 'fabrikam.com' }) + 'tailspintoys.com'
        { Get-FederationInformation -DomainName $domains -AutodiscoverUri $uri -ErrorAction Stop } | Should -Throw
        $idle = Wait-Load -Condition { param($l) $l.inFlight -eq 0 } -TimeoutMs 2000
        $idle.inFlight | Should -Be 0
    }

    It 'leaves no request in flight after Select-Object -First stops it' {
        $null = Add-CFSandboxFault -Sandbox $sandbox -Rule @{ domain = 'fabrikam.com'; latencyMs = 5000 }
        $domains = @('contoso.com') + @(1..10 | ForEach-Object { 'fabrikam.com' })
        $first = Get-FederationInformation -DomainName $domains -AutodiscoverUri $uri | Select-Object -First 1
        $first.DomainName | Should -BeExactly 'contoso.com'
        $idle = Wait-Load -Condition { param($l) $l.inFlight -eq 0 } -TimeoutMs 2000
        $idle.inFlight | Should -Be 0
    }
}
