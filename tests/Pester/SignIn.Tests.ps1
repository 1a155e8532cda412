# Connect-CalendarFederation through the BUILT module against the sandbox's Entra ID and admin API.
# The sandbox's https root must be trusted by this process: build.ps1 sets SSL_CERT_FILE on Linux; CI installs it
# in the OS store on Windows and macOS. Without that trust the sign-in tests are skipped and say why.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name 'PesterSandbox'
    $script:contosoApp = 'c0a5e000-0000-4000-8000-000000000001'
    $script:fabrikamApp = 'f0a5e000-0000-4000-8000-000000000001'
    $script:contosoSecret = ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force
    $script:cmdletId = 'CalendarFederation.Commands.ConnectCalendarFederationCommand'

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }

    function script:Connect-Contoso {
        Connect-CalendarFederation -AppId $contosoApp -Organization contoso.onmicrosoft.com -ClientSecret $contosoSecret `
            -ExchangeEnvironmentName PesterSandbox -PassThru -WarningAction SilentlyContinue
    }
}

AfterAll {
    Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    Stop-CFSandbox $sandbox
}

Describe 'Connect-CalendarFederation (built module)' -Tag 'SignIn' {
    BeforeEach {
        Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    }

    It 'connects app-only with a client secret and calls the admin API' {
        if (Skip-Untrusted) { return }
        $connection = Connect-Contoso
        $connection.AuthenticationMode | Should -BeExactly 'ClientSecret'
        $connection.Organization | Should -BeExactly 'contoso.onmicrosoft.com'
        $connection.OrganizationName | Should -BeExactly 'Contoso'
        (Get-OrganizationConfig).IsDehydrated | Should -BeFalse
        (Get-CalendarFederationConnection -Default).Id | Should -Be $connection.Id
    }

    It 'works on two tenants at once with different modes' {
        if (Skip-Untrusted) { return }
        $contoso = Connect-Contoso
        $cert = New-CFSandboxCertificate -Sandbox $sandbox -Tenant fabrikam -AppId $fabrikamApp
        $fabrikam = Connect-CalendarFederation -AppId $fabrikamApp -Organization fabrikam.onmicrosoft.com -Certificate $cert `
            -ExchangeEnvironmentName PesterSandbox -PassThru -NotDefault
        $fabrikam.AuthenticationMode | Should -BeExactly 'Certificate'
        (Get-OrganizationConfig -Connection $contoso).DisplayName | Should -BeExactly 'Contoso'
        (Get-OrganizationConfig -Connection $fabrikam).DisplayName | Should -BeExactly 'Fabrikam'
        (Get-OrganizationConfig).DisplayName | Should -BeExactly 'Contoso'
        @(Get-CalendarFederationConnection).Count | Should -Be 2
    }

    It 'keeps the default connection per runspace in ForEach-Object -Parallel' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
        if (Skip-Untrusted) { return }
        $connection = Connect-Contoso
        $module = $env:CF_MODULE_PATH
        $results = 1..3 | ForEach-Object -ThrottleLimit 3 -Parallel {
            Import-Module $using:module
            [pscustomobject]@{
                Inherited = @(Get-CalendarFederationConnection).Count
                Name      = (Get-OrganizationConfig -Connection $using:connection).DisplayName
            }
        }
        $results.Count | Should -Be 3
        $results | ForEach-Object { $_.Inherited | Should -Be 0 }
        $results | ForEach-Object { $_.Name | Should -BeExactly 'Contoso' }
        @(Get-CalendarFederationConnection).Count | Should -Be 1
    }

    It 'fails at once, naming the modes that work, when an interactive mode runs non-interactively' {
        # This Pester run is 'pwsh -NonInteractive': device code and interactive sign-in must not wait for anyone. They
        # fail before asking the sign-in service anything (so there is nothing to wait for), not after a time.
        Reset-CFSandbox -Sandbox $sandbox
        foreach ($parameters in @(@{ Device = $true }, @{})) {
            { Connect-CalendarFederation @parameters -ExchangeEnvironmentName PesterSandbox -ErrorAction Stop } |
                Should -Throw -ErrorId "InteractiveSignInNotPossible,$cmdletId"
        }
        @(Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/signins" | ForEach-Object { $_ }) | Should -HaveCount 0
        try { Connect-CalendarFederation -Device -ExchangeEnvironmentName PesterSandbox -ErrorAction Stop } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $record.Exception.Message | Should -Match '-NonInteractive'
        $record.Exception.Message | Should -Match '-ManagedIdentity'
        $record.Exception.Message | Should -Match 'CertificateThumbprint'
    }

    It 'refuses plain http for the sign-in authority and for a non-loopback admin API' {
        { Connect-CalendarFederation -AppId $contosoApp -Organization contoso.onmicrosoft.com -ClientSecret $contosoSecret `
                -ConnectionUri 'http://outlook.example.invalid' -ErrorAction Stop } | Should -Throw -ErrorId "InsecureEndpoint,$cmdletId"
        { Add-CalendarFederationEnvironment -Name Bad -AzureADAuthorizationEndpointUri 'http://localhost:1' -ConnectionUri 'https://x.invalid' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidEnvironment,CalendarFederation.Commands.AddCalendarFederationEnvironmentCommand'
    }

    It 'says which environments exist when the name is unknown' {
        { Connect-CalendarFederation -ManagedIdentity -ExchangeEnvironmentName NoSuchCloud -ErrorAction Stop } | Should -Throw -ErrorId "UnknownExchangeEnvironment,$cmdletId"
        (Get-CalendarFederationEnvironment).Name | Should -Contain 'O365USGovGCCHigh'
        (Get-CalendarFederationEnvironment -Name PesterSandbox).IsBuiltIn | Should -BeFalse
    }

    It 'shows no secret or token in any stream, view or transcript' {
        if (Skip-Untrusted) { return }
        $transcript = Join-Path ([System.IO.Path]::GetTempPath()) ("cf-transcript-" + [guid]::NewGuid() + '.txt')
        $VerbosePreference = 'Continue'
        $DebugPreference = 'Continue'
        Start-Transcript -Path $transcript | Out-Null
        try {
            $captured = & {
                $c = Connect-CalendarFederation -AppId $contosoApp -Organization contoso.onmicrosoft.com -ClientSecret $contosoSecret `
                    -ExchangeEnvironmentName PesterSandbox -PassThru -Verbose -Debug
                Get-OrganizationConfig -Connection $c -Verbose -Debug
                $c | Format-List * | Out-String
                $c | Format-Table | Out-String
                "$c"
                Get-CalendarFederationConnection | Out-String
            } *>&1 | Out-String
        }
        finally {
            Stop-Transcript | Out-Null
            $VerbosePreference = 'SilentlyContinue'
            $DebugPreference = 'SilentlyContinue'
        }
        $text = $captured + (Get-Content -LiteralPath $transcript -Raw)
        Remove-Item -LiteralPath $transcript -ErrorAction SilentlyContinue
        $text | Should -Match 'MSAL'                   # the debug stream was really captured
        $text | Should -Match 'POST /adminapi/beta/'   # and the request trace
        $text | Should -Not -Match 'contoso-sandbox-secret'
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_\-]{10,}\.eyJ'
        $text | Should -Not -Match 'PRIVATE KEY'
    }
}
