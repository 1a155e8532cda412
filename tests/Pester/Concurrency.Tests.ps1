#Requires -Version 5.1
# Get-FederationInformation's bulk behaviour from the BUILT module against the sandbox: -ThrottleLimit bounds what
# is in flight, and stopping the pipeline stops the requests. The sandbox's /_sandbox/load counts requests being
# served (InFlight) and the most seen at once (MaxInFlight). No wall-clock targets, only bounds that a broken
# implementation would cross. Answers that must stay in flight are held at a sandbox gate (a fault rule with hold) and
# the tests wait for the sandbox's state (Wait-CFSandbox) instead of polling or sleeping. Windows PowerShell 5.1 compatible.

BeforeAll {
    if (-not $env:CF_MODULE_PATH) { throw 'CF_MODULE_PATH is not set. Run tests/Pester/Invoke-PesterSuite.ps1.' }
    Import-Module $env:CF_MODULE_PATH -Force -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force -ErrorAction Stop

    $sandbox = Get-CFSandbox
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

    # A handler counts itself out just after its answer is sent: wait for that before reading the load.
    function Wait-Idle { (Wait-CFSandbox -Sandbox $sandbox -InFlight 0).satisfied | Should -BeTrue -Because 'every request ends' }

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
        Wait-Idle
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

    # The answers are held at a gate that never opens: only cancellation ends a request, so Stop returning at all shows
    # it cancelled them, and waiting until all 16 slots are held first means no request can arrive after the stop.
    It 'stops promptly on PowerShell.Stop() and leaves no request in flight' {
        $null = Add-CFSandboxFault -Sandbox $sandbox -Rule @{ hold = 'never' }
        $domains = Get-TenantDomains -Count 200
        $ps = New-CFAsyncPowerShell -ModulePath $modulePath
        $handle = $null
        try {
            $null = $ps.AddCommand('Get-FederationInformation').AddParameter('DomainName', $domains).AddParameter('AutodiscoverUri', $uri).AddParameter('BypassAdditionalDomainValidation')
            $handle = $ps.BeginInvoke()

            # -ThrottleLimit is 16 by default: 16 held, no slot free for a 17th.
            (Wait-CFSandbox -Sandbox $sandbox -Gate never -HeldAtLeast 16).satisfied | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Running'

            # A hang guard, not a timing target: nothing would ever answer these requests.
            $stop = $ps.BeginStop($null, $null)
            $stop.AsyncWaitHandle.WaitOne(30000) | Should -BeTrue -Because 'Stop() cancels the requests it would otherwise wait for'
            $ps.EndStop($stop)
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $handle.AsyncWaitHandle.WaitOne(30000) | Should -BeTrue

            Wait-Idle
            (Get-Load).maxInFlight | Should -Be 16
            # Nothing was answered, so no slot freed up: only the first 16 domains were ever sent.
            Get-RequestCount | Should -Be 16
        }
        finally {
            Close-CFAsyncPowerShell -PowerShell $ps -Handle $handle
        }
    }

    It 'can run again in the same runspace after a stop' {
        $null = Add-CFSandboxFault -Sandbox $sandbox -Rule @{ domain = 'contoso.com'; hold = 'never' }
        $first = New-CFAsyncPowerShell -ModulePath $modulePath
        $runspace = $first.Runspace
        try {
            $null = $first.AddCommand('Get-FederationInformation').AddParameter('DomainName', @(1..50 | ForEach-Object { 'contoso.com' })).AddParameter('AutodiscoverUri', $uri)
            $handle = $first.BeginInvoke()
            (Wait-CFSandbox -Sandbox $sandbox -Gate never -HeldAtLeast 1).satisfied | Should -BeTrue
            $first.Stop()
            $first.InvocationStateInfo.State | Should -Be 'Stopped'
            # Let the stopped invocation finish before it is disposed and the runspace reused.
            $handle.AsyncWaitHandle.WaitOne(30000) | Should -BeTrue
            try { $null = $first.EndInvoke($handle) } catch [System.Management.Automation.PipelineStoppedException] { }
            $first.Dispose()

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
        Wait-Idle
    }

    # When the pipeline ends by a terminating error or by Select-Object -First, Dispose cancels what is in flight. The
    # answer that ends it is let through only once every other request is held, so none arrives later.
    It 'leaves no request in flight after -ErrorAction Stop ends the pipeline' {
        $null = Add-CFSandboxFault -Sandbox $sandbox -Rule @{ domain = 'fabrikam.com'; hold = 'never' }
        $null = Add-CFSandboxFault -Sandbox $sandbox -Rule @{ domain = 'tailspintoys.com'; hold = 'last' }
        $domains = @(1..10 | ForEach-Object { 'fabrikam.com' }) + 'tailspintoys.com'
        $ps = New-CFAsyncPowerShell -ModulePath $modulePath
        $handle = $null
        try {
            $null = $ps.AddCommand('Get-FederationInformation').AddParameter('DomainName', $domains).AddParameter('AutodiscoverUri', $uri).AddParameter('ErrorAction', 'Stop')
            $handle = $ps.BeginInvoke()
            (Wait-CFSandbox -Sandbox $sandbox -Gate never -HeldAtLeast 10).satisfied | Should -BeTrue
            (Wait-CFSandbox -Sandbox $sandbox -Gate last -HeldAtLeast 1).satisfied | Should -BeTrue
            Open-CFSandboxGate -Sandbox $sandbox -Name last
            $handle.AsyncWaitHandle.WaitOne(30000) | Should -BeTrue -Because 'the error ends the pipeline although nothing else will answer'
            { $ps.EndInvoke($handle) } | Should -Throw
            $ps.InvocationStateInfo.State | Should -Be 'Failed'
        }
        finally {
            Close-CFAsyncPowerShell -PowerShell $ps -Handle $handle
        }
        Wait-Idle
        Get-RequestCount | Should -Be 11
    }

    It 'leaves no request in flight after Select-Object -First stops it' {
        $null = Add-CFSandboxFault -Sandbox $sandbox -Rule @{ domain = 'fabrikam.com'; hold = 'never' }
        $null = Add-CFSandboxFault -Sandbox $sandbox -Rule @{ domain = 'contoso.com'; hold = 'first' }
        $domains = @('contoso.com') + @(1..10 | ForEach-Object { 'fabrikam.com' })
        $ps = New-CFAsyncPowerShell -ModulePath $modulePath
        $handle = $null
        try {
            $null = $ps.AddScript('param($d, $u) Get-FederationInformation -DomainName $d -AutodiscoverUri $u | Select-Object -First 1').AddArgument($domains).AddArgument($uri)
            $handle = $ps.BeginInvoke()
            (Wait-CFSandbox -Sandbox $sandbox -Gate never -HeldAtLeast 10).satisfied | Should -BeTrue
            (Wait-CFSandbox -Sandbox $sandbox -Gate first -HeldAtLeast 1).satisfied | Should -BeTrue
            Open-CFSandboxGate -Sandbox $sandbox -Name first
            $handle.AsyncWaitHandle.WaitOne(30000) | Should -BeTrue -Because 'Select-Object -First 1 ends the pipeline although nothing else will answer'
            $first = @($ps.EndInvoke($handle))
            $first.Count | Should -Be 1
            $first[0].DomainName | Should -BeExactly 'contoso.com'
        }
        finally {
            Close-CFAsyncPowerShell -PowerShell $ps -Handle $handle
        }
        Wait-Idle
        Get-RequestCount | Should -Be 11
    }
}
