#Requires -Version 5.1
# Get-FederationInformation from the BUILT module against the local sandbox: output, pipeline binding, error ids,
# -ErrorAction, verbose output and anonymity. Every call names the sandbox with -AutodiscoverUri, so nothing
# leaves the machine. Windows PowerShell 5.1 compatible.
#
# The last Describe ('Anonymity') asserts over every request made by the Describes before it: Reset-TestSandbox
# harvests the sandbox's request and violation logs before it clears them.

BeforeAll {
    if (-not $env:CF_MODULE_PATH) { throw 'CF_MODULE_PATH is not set. Run tests/Pester/Invoke-PesterSuite.ps1.' }
    Import-Module $env:CF_MODULE_PATH -Force -ErrorAction Stop
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force -ErrorAction Stop

    $sandbox = Get-CFSandbox
    $uri = $sandbox.AutodiscoverUri
    $CmdletId = 'CalendarFederation.Commands.GetFederationInformationCommand'
    $ExchangeMessage = 'Federation information could not be received from the external organization.'
    $SoapAction = '"http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation"'
    $HarvestedRequests = New-Object System.Collections.ArrayList
    $HarvestedViolations = New-Object System.Collections.ArrayList

    # The helpers return one JSON array as a single pipeline object; unroll it, and hand back an array even when
    # it is empty (the suite runs under Set-StrictMode 3.0, where $null.Count throws).
    function Get-Requests { , @(Get-CFSandboxRequests -Sandbox $sandbox | ForEach-Object { $_ }) }
    function Get-Violations { , @(Get-CFSandboxViolations -Sandbox $sandbox | ForEach-Object { $_ }) }

    function Reset-TestSandbox {
        $requests = Get-Requests
        $violations = Get-Violations
        foreach ($r in $requests) { [void] $HarvestedRequests.Add($r) }
        foreach ($v in $violations) { [void] $HarvestedViolations.Add($v) }
        Reset-CFSandbox -Sandbox $sandbox
    }

    function Add-Fault([hashtable] $Rule) {
        $id = Add-CFSandboxFault -Sandbox $sandbox -Rule $Rule
        if (-not $id) { throw 'The sandbox did not accept the fault rule.' }
        $id
    }

    function Set-Latency([int] $Milliseconds) {
        Invoke-RestMethod -Method Put -Uri "$($sandbox.Url)/_sandbox/latency?ms=$Milliseconds" | Out-Null
    }

    # Runs the cmdlet for one or more domains and returns what came out on each stream.
    function Invoke-Discovery {
        param([string[]] $Domain, [hashtable] $Parameters = @{})
        $errors = $null
        $output = @(Get-FederationInformation -DomainName $Domain -AutodiscoverUri $uri -ErrorAction SilentlyContinue -ErrorVariable errors @Parameters)
        [pscustomobject]@{ Output = $output; Errors = @($errors) }
    }

    function Get-EndpointOnPort([int] $Index) {
        "http://127.0.0.1:$($sandbox.Ports[$Index])/autodiscover/autodiscover.svc"
    }
}

AfterAll {
    if ($sandbox) { Stop-CFSandbox $sandbox }
}

Describe 'Get-FederationInformation output' -Tag 'Output' {
    BeforeEach { Reset-TestSandbox }

    It 'returns a FederationInformation for fabrikam.com with Exchange''s properties' {
        Set-Latency 150
        $result = @(Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri)

        $result.Count | Should -Be 1
        $info = $result[0]
        $info | Should -BeOfType ([CalendarFederation.FederationInformation])
        $info.DomainName | Should -BeExactly 'fabrikam.com'
        $info.Identity | Should -BeExactly 'fabrikam.com'
        $info.TargetApplicationUri | Should -BeOfType ([uri])
        $info.TargetApplicationUri.OriginalString | Should -BeExactly 'outlook.com'
        # Since the 2025 change only the queried domain comes back.
        @($info.DomainNames) | Should -Be @('fabrikam.com')
        $info.TargetAutodiscoverEpr.AbsoluteUri | Should -BeExactly "$uri/WSSecurity"
        @($info.TokenIssuerUris | ForEach-Object { $_.OriginalString }) | Should -Be @('urn:federation:MicrosoftOnline')
        $info.AnsweredBy.AbsoluteUri | Should -BeExactly $uri
        $info.AnsweredByCandidate | Should -BeExactly 'Explicit'
        $info.Duration | Should -BeOfType ([timespan])
        # The sandbox held the answer for 150 ms; Duration measures the discovery, so it cannot be shorter.
        $info.Duration.TotalMilliseconds | Should -BeGreaterOrEqual 150
        $info.IsValid | Should -BeTrue
        $info.ObjectState | Should -BeExactly 'Unchanged'
        $info.ServerVersion | Should -BeExactly 'Exchange2015'
        "$info" | Should -BeExactly 'fabrikam.com'

        $requests = Get-Requests
        $requests.Count | Should -Be 1
        $requests[0].domain | Should -BeExactly 'fabrikam.com'
        $requests[0].path | Should -BeExactly '/autodiscover/autodiscover.svc'
    }

    It 'normalises the queried domain and keeps the server''s spelling of DomainNames' {
        $info = Get-FederationInformation -DomainName 'FABRIKAM.onmicrosoft.com.' -AutodiscoverUri $uri
        $info.DomainName | Should -BeExactly 'fabrikam.onmicrosoft.com'
        @($info.DomainNames) | Should -BeExactly @('FABRIKAM.onmicrosoft.com')
        (Get-Requests)[0].domain | Should -BeExactly 'fabrikam.onmicrosoft.com'
    }

    It 'reports an on-premises style answer: another ApplicationUri and no token issuers' {
        $info = Get-FederationInformation -DomainName adatum.com -AutodiscoverUri $uri
        $info.TargetApplicationUri.OriginalString | Should -BeExactly 'FYDIBOHF25SPDLT.adatum.com'
        @($info.TokenIssuerUris).Count | Should -Be 0
    }

    It 'keeps a URL that already ends in /WSSecurity as the TargetAutodiscoverEpr' {
        $info = Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri "$uri/WSSecurity"
        $info.TargetAutodiscoverEpr.AbsoluteUri | Should -BeExactly "$uri/WSSecurity"
        $info.AnsweredBy.AbsoluteUri | Should -BeExactly "$uri/WSSecurity"
    }

    It 're-discovers the other returned domains unless -BypassAdditionalDomainValidation is given' {
        $info = Get-FederationInformation -DomainName litware.com -AutodiscoverUri $uri
        @($info.DomainNames) | Should -Be @('litware.com', 'litware.onmicrosoft.com', 'litware.net')
        @((Get-Requests) | ForEach-Object { $_.domain } | Sort-Object) | Should -Be @('litware.com', 'litware.net', 'litware.onmicrosoft.com')

        Reset-TestSandbox
        $info = Get-FederationInformation -DomainName litware.com -AutodiscoverUri $uri -BypassAdditionalDomainValidation
        @($info.DomainNames) | Should -Be @('litware.com', 'litware.onmicrosoft.com', 'litware.net')
        @((Get-Requests) | ForEach-Object { $_.domain }) | Should -Be @('litware.com')
    }

    It 'follows a redirect across sandbox hosts and reports the endpoint that answered' {
        $null = Add-Fault @{ port = $sandbox.Ports[0]; redirect = 'http://127.0.0.1:{port:1}/elsewhere' }
        $info = Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri
        # Exchange rebuilds https://{host}/autodiscover/autodiscover.svc and ignores the Location path.
        $info.AnsweredBy.AbsoluteUri | Should -BeExactly (Get-EndpointOnPort 1)
        $info.TargetAutodiscoverEpr.AbsoluteUri | Should -BeExactly ((Get-EndpointOnPort 1) + '/WSSecurity')
        $info.AnsweredByCandidate | Should -BeExactly 'Explicit'
        @((Get-Requests) | ForEach-Object { $_.port }) | Should -Be @($sandbox.Ports[0], $sandbox.Ports[1])
    }
}

Describe 'Get-FederationInformation pipeline binding' -Tag 'Pipeline' {
    BeforeEach { Reset-TestSandbox }

    It 'binds domain names from the pipeline by value' {
        $result = @('contoso.com', 'fabrikam.com' | Get-FederationInformation -AutodiscoverUri $uri)
        @($result | ForEach-Object { $_.DomainName } | Sort-Object) | Should -Be @('contoso.com', 'fabrikam.com')
    }

    It 'binds DomainName from the pipeline by property name' {
        $errors = $null
        $objects = [pscustomobject]@{ DomainName = 'sales.contoso.com' }, [pscustomobject]@{ DomainName = 'fabrikam.co.uk' }
        $result = @($objects | Get-FederationInformation -AutodiscoverUri $uri -ErrorVariable errors)
        @($errors).Count | Should -Be 0
        @($result | ForEach-Object { $_.DomainName } | Sort-Object) | Should -Be @('fabrikam.co.uk', 'sales.contoso.com')
        @((Get-Requests) | ForEach-Object { $_.domain } | Sort-Object) | Should -Be @('fabrikam.co.uk', 'sales.contoso.com')
    }

    It 'binds an array-valued DomainName property' {
        $result = @([pscustomobject]@{ DomainName = @('contoso.com', 'fabrikam.com') } | Get-FederationInformation -AutodiscoverUri $uri)
        @($result | ForEach-Object { $_.DomainName } | Sort-Object) | Should -Be @('contoso.com', 'fabrikam.com')
    }

    It 'does not dedupe: a domain given twice is discovered twice' {
        $result = @(Get-FederationInformation -DomainName fabrikam.com, fabrikam.com -AutodiscoverUri $uri)
        $result.Count | Should -Be 2
        (Get-Requests).Count | Should -Be 2
    }
}

# The whole fault -> error-id matrix is tests/CalendarFederation.Tests/ErrorTests.cs (the cmdlet in a hosted runspace)
# and the reliability suite's table (./build.ps1 Reliability). Here: one case per error category, end to end through
# the built module, to show the ids, categories and messages survive the module's packaging and loading.
Describe 'Get-FederationInformation error ids' -Tag 'Errors' {
    BeforeEach { Reset-TestSandbox }

    It 'reports DomainNotFederated for tailspintoys.com, which is not federated' {
        $record = { Get-FederationInformation -DomainName tailspintoys.com -AutodiscoverUri $uri -ErrorAction Stop } |
            Should -Throw -ErrorId "DomainNotFederated,$CmdletId" -PassThru
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.TargetObject | Should -BeExactly 'tailspintoys.com'
        # The headline names the domain; Exchange's sentence follows on the second line.
        $record.Exception.Message | Should -Match "^Discovery for domain 'tailspintoys\.com' failed: POST "
        $record.Exception.Message.Contains($ExchangeMessage) | Should -BeTrue
        $record.Exception.Message | Should -Match 'NotFederated: The organization is not federated\.'
        $record.Exception | Should -BeOfType ([CalendarFederation.FederationInformationException])
        $record.Exception.Reason | Should -BeExactly 'NotFederated'
        $record.Exception.DomainName | Should -BeExactly 'tailspintoys.com'
        @($record.Exception.Attempts).Count | Should -Be 1
        $record.Exception.Attempts[0] | Should -Match ([regex]::Escape("POST $uri"))
        $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'reports DomainNotFederated for a domain the service does not know (InvalidDomain means "Domain isn''t federated", docs/protocol.md §1.5)' {
        $record = { Get-FederationInformation -DomainName unknown-partner.example -AutodiscoverUri $uri -ErrorAction Stop } |
            Should -Throw -ErrorId "DomainNotFederated,$CmdletId" -PassThru
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.TargetObject | Should -BeExactly 'unknown-partner.example'
        $record.Exception.Message | Should -Match 'InvalidDomain: The domain is invalid\.'
        (Get-Requests)[0].domain | Should -BeExactly 'unknown-partner.example'
    }

    It 'puts the domain as typed in TargetObject and the normalised one in the exception' {
        $result = Invoke-Discovery -Domain 'TailspinToys.COM'
        $result.Errors.Count | Should -Be 1
        $result.Errors[0].TargetObject | Should -BeExactly 'TailspinToys.COM'
        $result.Errors[0].Exception.DomainName | Should -BeExactly 'tailspintoys.com'
    }

    It 'refuses a mail address with InvalidDomainName before anything is sent' {
        $record = { Get-FederationInformation -DomainName 'admin@fabrikam.com' -AutodiscoverUri $uri -ErrorAction Stop } |
            Should -Throw -ErrorId "InvalidDomainName,$CmdletId" -PassThru
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.TargetObject | Should -BeExactly 'admin@fabrikam.com'
        $record.Exception | Should -BeOfType ([System.ArgumentException])
        $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        (Get-Requests).Count | Should -Be 0
    }

    It 'says why a name is refused' {
        $result = Invoke-Discovery -Domain 'admin@fabrikam.com', (((1..5 | ForEach-Object { 'a' * 60 }) -join '.') + '.com')
        $result.Errors.Count | Should -Be 2
        $result.Errors[0].Exception.Message | Should -Match 'mail address'
        $result.Errors[1].Exception.Message | Should -Match 'limit is 253'
    }

    It 'reports <Id> (<Category>) for <Name>' -ForEach @(
        @{ Name = 'a body that is not XML'; Fault = @{ body = 'Malformed' }; Id = 'MalformedResponse'; Category = 'InvalidData'; Detail = 'not well-formed XML' }
        @{ Name = 'a redirect to autodiscover.<tld>'; Fault = @{ redirect = 'https://autodiscover.com/autodiscover/autodiscover.svc' }; Id = 'UntrustedRedirect'; Category = 'SecurityError'; Detail = 'autodiscover.com' }
        @{ Name = 'HTTP 503'; Fault = @{ status = 503 }; Id = 'ServerBusy'; Category = 'ResourceBusy'; Detail = 'HTTP 503' }
        @{ Name = 'a 50 MB answer'; Fault = @{ body = 'Oversized' }; Id = 'ResponseTooLarge'; Category = 'LimitsExceeded'; Detail = 'larger than the limit' }
        @{ Name = 'a dropped connection'; Fault = @{ abort = $true }; Id = 'FederationInformationNotFound'; Category = 'ConnectionError'; Detail = 'POST' }
    ) {
        $faultId = Add-Fault $Fault

        $record = { Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,$CmdletId" -PassThru
        $record.CategoryInfo.Category | Should -Be $Category
        $record.TargetObject | Should -BeExactly 'fabrikam.com'
        $record.Exception.Message.Contains($ExchangeMessage) | Should -BeTrue
        $record.Exception.Message | Should -Match ([regex]::Escape($Detail))
        $record.ErrorDetails.Message | Should -BeExactly $record.Exception.Message
        # The sandbox really served the fault: the error is the fault's doing. A dropped connection's request is
        # logged as its handler ends, which can be just after the client saw the reset: wait for it.
        (Wait-CFSandbox -Sandbox $sandbox -RequestsAtLeast 1).satisfied | Should -BeTrue
        (Get-Requests)[0].fault | Should -BeExactly $faultId
    }

    # A partner's malformed TokenIssuer/Uri is left out of TokenIssuerUris; it does not fail the answer or the run.
    It 'drops an unparseable TokenIssuer Uri and keeps every domain going' {
        $raw = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
            '<GetFederationInformationResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover"><Response>' +
            '<ErrorCode>NoError</ErrorCode><ApplicationUri>outlook.com</ApplicationUri><Domains><Domain>fabrikam.com</Domain></Domains>' +
            '<TokenIssuers><TokenIssuer><Uri>http://[bad</Uri></TokenIssuer><TokenIssuer><Uri>urn:federation:MicrosoftOnline</Uri></TokenIssuer></TokenIssuers>' +
            '</Response></GetFederationInformationResponseMessage></s:Body></s:Envelope>'
        $null = Add-Fault @{ domain = 'fabrikam.com'; rawBody = $raw }
        $result = Invoke-Discovery -Domain contoso.com, fabrikam.com, sales.contoso.com -Parameters @{ ThrottleLimit = 1 }
        @($result.Output | ForEach-Object { $_.DomainName }) | Should -Be @('contoso.com', 'fabrikam.com', 'sales.contoso.com')
        $result.Errors.Count | Should -Be 0
        $fabrikam = $result.Output | Where-Object DomainName -eq 'fabrikam.com'
        @($fabrikam.TokenIssuerUris | ForEach-Object { "$_" }) | Should -Be @('urn:federation:MicrosoftOnline')
    }

    It 'reports a failure only for the domain it concerns' {
        $null = Add-Fault @{ domain = 'contoso.com'; body = 'Malformed' }
        $result = Invoke-Discovery -Domain contoso.com, fabrikam.com
        @($result.Output | ForEach-Object { $_.DomainName }) | Should -Be @('fabrikam.com')
        $result.Errors.Count | Should -Be 1
        $result.Errors[0].FullyQualifiedErrorId | Should -BeExactly "MalformedResponse,$CmdletId"
        $result.Errors[0].TargetObject | Should -BeExactly 'contoso.com'
    }
}

Describe 'Get-FederationInformation and -ErrorAction' -Tag 'ErrorAction' {
    BeforeEach { Reset-TestSandbox }

    It 'writes non-terminating errors by default and still outputs the other domains' {
        $ErrorActionPreference = 'Continue'
        $stream = @(Get-FederationInformation -DomainName fabrikam.com, tailspintoys.com, contoso.com -AutodiscoverUri $uri 2>&1)
        $records = @($stream | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $objects = @($stream | Where-Object { $_ -is [CalendarFederation.FederationInformation] })
        $records.Count | Should -Be 1
        $records[0].FullyQualifiedErrorId | Should -BeExactly "DomainNotFederated,$CmdletId"
        $records[0].TargetObject | Should -BeExactly 'tailspintoys.com'
        @($objects | ForEach-Object { $_.DomainName } | Sort-Object) | Should -Be @('contoso.com', 'fabrikam.com')
        $stream.Count | Should -Be 3
    }

    It 'throws with -ErrorAction Stop, catchable with try/catch' {
        $reached = $false
        $caught = $null
        try {
            Get-FederationInformation -DomainName tailspintoys.com -AutodiscoverUri $uri -ErrorAction Stop | Out-Null
            $reached = $true
        }
        catch {
            $caught = $_
        }
        $reached | Should -BeFalse
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeExactly "DomainNotFederated,$CmdletId"
        $caught.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $caught.TargetObject | Should -BeExactly 'tailspintoys.com'
        $caught.Exception | Should -BeOfType ([CalendarFederation.FederationInformationException])
    }

    It 'honours $ErrorActionPreference = ''Stop'' in the caller' {
        $ErrorActionPreference = 'Stop'
        { Get-FederationInformation -DomainName tailspintoys.com -AutodiscoverUri $uri } |
            Should -Throw -ErrorId "DomainNotFederated,$CmdletId"
    }

    It 'collects errors with -ErrorAction SilentlyContinue -ErrorVariable and shows none' {
        $ErrorActionPreference = 'Continue'
        $collected = $null
        $stream = @(Get-FederationInformation -DomainName 'bad name', tailspintoys.com, fabrikam.com -AutodiscoverUri $uri `
                -ErrorAction SilentlyContinue -ErrorVariable collected 2>&1)
        @($stream | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -Be 0
        @($stream | ForEach-Object { $_.DomainName }) | Should -Be @('fabrikam.com')
        @($collected).Count | Should -Be 2
        @($collected | ForEach-Object { $_.FullyQualifiedErrorId } | Sort-Object) |
            Should -Be @("DomainNotFederated,$CmdletId", "InvalidDomainName,$CmdletId")
        @($collected | ForEach-Object { $_.TargetObject } | Sort-Object) | Should -Be @('bad name', 'tailspintoys.com')
    }

    It 'outputs every good domain of a mixed list and one error per bad one' {
        $good = @('contoso.com', 'sales.contoso.com', 'fabrikam.co.uk', 'litware.net')
        $bad = @('tailspintoys.com', 'not a domain', 'unknown-partner.example', 'admin@contoso.com')
        $result = Invoke-Discovery -Domain ($good + $bad) -Parameters @{ BypassAdditionalDomainValidation = $true }
        @($result.Output | ForEach-Object { $_.DomainName } | Sort-Object) | Should -Be @($good | Sort-Object)
        @($result.Errors | ForEach-Object { $_.TargetObject } | Sort-Object) | Should -Be @($bad | Sort-Object)
    }
}

Describe 'Get-FederationInformation verbose output' -Tag 'Verbose' {
    BeforeEach { Reset-TestSandbox }

    It 'says what it does, with a line per request and its URL' {
        $stream = @(Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri -Verbose 4>&1)
        $verbose = @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        @($stream | Where-Object { $_ -is [CalendarFederation.FederationInformation] }).Count | Should -Be 1

        $verbose | Should -Contain 'Retrieving federation information.'
        $verbose | Should -Contain "Retrieving data for domain 'fabrikam.com'."
        @($verbose | Where-Object { $_ -match ('^\[fabrikam\.com\] POST ' + [regex]::Escape($uri) + ': NoError') }).Count | Should -Be 1
        @($verbose | Where-Object { $_ -match ('^\[fabrikam\.com\] Answered by ' + [regex]::Escape($uri) + ' \(Explicit\)') }).Count | Should -Be 1
    }

    It 'writes a line for every endpoint of a redirect chain and for a failure' {
        $null = Add-Fault @{ port = $sandbox.Ports[0]; domain = 'fabrikam.com'; redirect = 'http://127.0.0.1:{port:1}/x' }
        $stream = @(Get-FederationInformation -DomainName fabrikam.com, tailspintoys.com -AutodiscoverUri $uri -Verbose -ErrorAction SilentlyContinue 4>&1)
        $verbose = @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })

        $first = [regex]::Escape((Get-EndpointOnPort 0))
        $second = [regex]::Escape((Get-EndpointOnPort 1))
        @($verbose | Where-Object { $_ -match "^\[fabrikam\.com\] POST ${first}: Redirect \(302\) to $second" }).Count | Should -Be 1
        @($verbose | Where-Object { $_ -match "^\[fabrikam\.com\] POST ${second}: NoError" }).Count | Should -Be 1
        @($verbose | Where-Object { $_ -match "^\[tailspintoys\.com\] POST ${first}: Domain isn't federated" }).Count | Should -Be 1
        $verbose | Should -Contain "Retrieving data for domain 'tailspintoys.com'."
    }

    It 'lists the trusted host names it was given' {
        $stream = @(Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri -TrustedHostnames mail.fabrikam.com, '*.contoso.com' -Verbose 4>&1)
        $verbose = @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        $verbose | Should -Contain 'Using the following trusted host names: mail.fabrikam.com, *.contoso.com.'
    }

    It 'writes no verbose output unless asked' {
        $stream = @(Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri 4>&1)
        @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
    }
}

Describe 'Get-FederationInformation parameters' -Tag 'Parameters' {
    BeforeEach { Reset-TestSandbox }

    # Hosts under .invalid never resolve (RFC 2606), so even a regression could not reach the internet.
    It 'refuses plain http to a host that is not loopback, before sending anything' {
        $record = { Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri 'http://autodiscover.fabrikam.invalid/autodiscover/autodiscover.svc' } |
            Should -Throw -ErrorId "InvalidAutodiscoverUri,$CmdletId" -PassThru
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.TargetObject | Should -BeOfType ([uri])
    }

    It 'validates -ThrottleLimit and -TimeoutSec' {
        { Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri -ThrottleLimit 0 } |
            Should -Throw -ErrorId "ParameterArgumentValidationError,$CmdletId"
        { Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri -TimeoutSec 0 } |
            Should -Throw -ErrorId "ParameterArgumentValidationError,$CmdletId"
        (Get-Requests).Count | Should -Be 0
    }
}

Describe 'Get-FederationInformation and the partner''s tenant' -Tag 'Tenant' {
    BeforeAll {
        $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
        if ($trusted) { Add-CFSandboxEnvironment -Sandbox $sandbox -Name 'DiscoverySandbox' }
    }
    BeforeEach { Reset-TestSandbox }

    It 'outputs TenantId, PartnerTenantId and the cloud, looked up at the environment''s sign-in host' {
        if (Skip-CFUntrusted -Trusted $trusted) { return }
        $fabrikam = @($sandbox.Tenants | Where-Object { $_.name -eq 'fabrikam' })[0].id
        $info = Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName DiscoverySandbox
        "$($info.TenantId)" | Should -BeExactly $fabrikam
        "$($info.PartnerTenantId)" | Should -BeExactly $fabrikam
        $info.CloudInstanceName | Should -BeExactly 'microsoftonline.com'
        # What New-OrganizationRelationship binds is what it bound before.
        @($info.DomainNames) | Should -Be @('fabrikam.com')
        $info.TargetApplicationUri.OriginalString | Should -BeExactly 'outlook.com'
    }

    It 'returns Autodiscover''s answer with an empty TenantId, and says why, when the lookup fails' {
        if (Skip-CFUntrusted -Trusted $trusted) { return }
        $raw = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
            '<GetFederationInformationResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover"><Response>' +
            '<ErrorCode>NoError</ErrorCode><ApplicationUri>outlook.com</ApplicationUri><Domains><Domain>unknown-partner.example</Domain></Domains>' +
            '</Response></GetFederationInformationResponseMessage></s:Body></s:Envelope>'
        $null = Add-Fault @{ domain = 'unknown-partner.example'; rawBody = $raw }
        $stream = @(Get-FederationInformation -DomainName unknown-partner.example -ExchangeEnvironmentName DiscoverySandbox -Verbose 4>&1)
        $info = @($stream | Where-Object { $_ -is [CalendarFederation.FederationInformation] })
        $info.Count | Should -Be 1
        $info[0].TenantId | Should -BeNullOrEmpty
        $verbose = @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        @($verbose | Where-Object { $_ -match "^\[unknown-partner\.example\] TenantId is empty: .*AADSTS90002" }).Count | Should -Be 1
    }

    It 'looks nothing up with -AutodiscoverUri alone' {
        $stream = @(Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $uri -Verbose 4>&1)
        @($stream | Where-Object { $_ -is [CalendarFederation.FederationInformation] })[0].TenantId | Should -BeNullOrEmpty
        @($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'TenantId is not looked up*' }).Count | Should -Be 1
    }
}

Describe 'Anonymity' -Tag 'Anonymity' {
    It 'sent every request above anonymously, with Exchange''s User-Agent and quoted SOAPAction' {
        Reset-TestSandbox
        $requests = @($HarvestedRequests)
        # The Describes above made dozens of requests; an empty log would prove nothing.
        $requests.Count | Should -BeGreaterThan 30
        # One record per request, not one list per reset.
        @($requests | Where-Object { $_ -is [System.Array] }).Count | Should -Be 0
        @($requests | ForEach-Object { $_.sequence } | Where-Object { $_ -gt 0 }).Count | Should -Be $requests.Count
        @($HarvestedViolations).Count | Should -Be 0
        @($requests | Where-Object { $_.userAgent -cne 'AutodiscoverClient' }).Count | Should -Be 0
        @($requests | Where-Object { $_.method -ne 'POST' }).Count | Should -Be 0
        @($requests | Where-Object { $_.soapAction -cne $SoapAction }).Count | Should -Be 0
        @($requests | Where-Object { $_.soapVersion -ne '1.1' }).Count | Should -Be 0
        @($requests | Where-Object { $_.hasAuthorization -or $_.hasCookie -or $_.hasClientCertificate }).Count | Should -Be 0
    }

    It 'has a violations log that does record credentials (control)' {
        Reset-TestSandbox
        try {
            Invoke-WebRequest -Method Post -Uri $uri -Headers @{ Authorization = 'Bearer not-a-token' } -Body 'x' -ContentType 'text/plain' -UseBasicParsing | Out-Null
        }
        catch {
            # 415: the sandbox refuses the body, after it has logged the credentials.
        }
        $violations = Get-Violations
        $violations.Count | Should -Be 1
        $violations[0] | Should -Match 'Authorization: True'
        Reset-CFSandbox -Sandbox $sandbox
        (Get-Violations).Count | Should -Be 0
    }
}
