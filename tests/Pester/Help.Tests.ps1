#Requires -Version 5.1
# The help of the BUILT module: for every exported cmdlet, Get-Help -Full has a real synopsis and description, a
# description for every parameter, at least two examples with code and remarks, inputs, outputs and related links.
# The markdown in docs/cmdlets is checked against the real cmdlets (parameters, their yaml metadata, the syntax of
# each parameter set), so help cannot drift from the code. about_CalendarFederation must be found by Get-Help.
# Windows PowerShell 5.1 compatible; the syntax text is compared on PowerShell 7 only, because Windows PowerShell
# prints some type names differently.

BeforeDiscovery {
    if (-not $env:CF_MODULE_PATH) { throw 'CF_MODULE_PATH is not set. Run tests/Pester/Invoke-PesterSuite.ps1.' }
    $cmdlets = @((Import-PowerShellDataFile -LiteralPath $env:CF_MODULE_PATH).CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    if (-not $env:CF_MODULE_PATH) { throw 'CF_MODULE_PATH is not set. Run tests/Pester/Invoke-PesterSuite.ps1.' }
    Import-Module $env:CF_MODULE_PATH -Force -ErrorAction Stop
    $RepoRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    $CmdletDocs = Join-Path (Join-Path $RepoRoot 'docs') 'cmdlets'
    # The same parser build.ps1 uses to compile the markdown; here it reads the markdown to compare with the code.
    . (Join-Path (Join-Path $RepoRoot 'docs') 'Convert-HelpToMaml.ps1')
    $CommonParameters = @([System.Management.Automation.PSCmdlet]::CommonParameters)

    # Get-Help's objects only have the properties the MAML gave them; under Set-StrictMode a missing one throws.
    function Get-HelpValue($Object, [string] $Name) {
        if ($null -eq $Object) { return $null }
        $property = $Object.PSObject.Properties[$Name]
        if ($null -eq $property) { return $null }
        return $property.Value
    }

    # The text of a MAML description (an array of objects with a Text property), joined.
    function Get-HelpText($Value) {
        if ($null -eq $Value) { return '' }
        if ($Value -is [string]) { return $Value.Trim() }
        $parts = foreach ($item in @($Value)) {
            $text = Get-HelpValue $item 'Text'
            if ($null -ne $text) { [string] $text } elseif ($item -is [string]) { $item }
        }
        return (@($parts) -join "`n").Trim()
    }

    function Get-RealParameterName([string] $Name) {
        @((Get-Command -Name $Name -Module CalendarFederation).Parameters.Keys | Where-Object { $CommonParameters -notcontains $_ } | Sort-Object)
    }

    # What the markdown's yaml should say for one parameter set of a real parameter.
    function Get-ExpectedYaml($Parameter, [string] $SetName) {
        $meta = $Parameter.ParameterSets[$SetName]
        $type = $Parameter.ParameterType
        $underlying = [Nullable]::GetUnderlyingType($type)
        if ($null -ne $underlying) { $type = $underlying }
        $pipeline = 'False'
        if ($meta.ValueFromPipeline -and $meta.ValueFromPipelineByPropertyName) { $pipeline = 'True (ByPropertyName, ByValue)' }
        elseif ($meta.ValueFromPipeline) { $pipeline = 'True (ByValue)' }
        elseif ($meta.ValueFromPipelineByPropertyName) { $pipeline = 'True (ByPropertyName)' }
        $position = 'Named'
        if ($meta.Position -ge 0) { $position = [string] $meta.Position }
        return [pscustomobject]@{
            Type          = $type.Name
            Required      = [bool] $meta.IsMandatory
            Position      = $position
            PipelineInput = $pipeline
            Aliases       = (@($Parameter.Aliases | Sort-Object) -join ',')
        }
    }
}

Describe 'Help for <Name>' -Tag 'Help' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command -Name $Name -Module CalendarFederation -ErrorAction Stop
        $help = Get-Help -Name $Name -Full
        $realParameters = Get-RealParameterName $Name
        $markdownPath = Join-Path $CmdletDocs "$Name.md"
        $markdown = $null
        if (Test-Path -LiteralPath $markdownPath) { $markdown = ConvertFrom-HelpMarkdown -Path $markdownPath }
        $helpParameters = @(Get-HelpValue (Get-HelpValue $help 'parameters') 'parameter' | Where-Object { $null -ne $_ })
        $examples = @(Get-HelpValue (Get-HelpValue $help 'examples') 'example' | Where-Object { $null -ne $_ })
    }

    It 'comes from the compiled MAML, not from the placeholder PowerShell makes up' {
        # Without MAML, Get-Help returns the syntax as the synopsis and no description.
        $synopsis = ([string] $help.Synopsis).Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -Match ('^' + [regex]::Escape($Name) + '(\s|$)')
        $synopsis | Should -Not -Match '\{\{'
    }

    It 'has a description' {
        $description = Get-HelpText (Get-HelpValue $help 'description')
        $description | Should -Not -BeNullOrEmpty
        $description | Should -Not -Match '\{\{'
        $description.Length | Should -BeGreaterThan 100
    }

    It 'describes every parameter the cmdlet has, and no other' {
        @($helpParameters | ForEach-Object { [string] $_.name } | Sort-Object) | Should -Be $realParameters
        foreach ($p in $helpParameters) {
            $text = Get-HelpText (Get-HelpValue $p 'description')
            if ($text.Length -eq 0 -or $text -match '\{\{') { throw "-$($p.name) has no description in Get-Help." }
        }
    }

    It 'has at least two examples, each with code and remarks' {
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($e in $examples) {
            ([string] (Get-HelpValue $e 'code')).Trim() | Should -Not -BeNullOrEmpty -Because "$($e.title) needs code"
            Get-HelpText (Get-HelpValue $e 'remarks') | Should -Not -BeNullOrEmpty -Because "$($e.title) needs an explanation"
        }
    }

    It 'names its inputs and outputs' {
        $inputs = @(Get-HelpValue (Get-HelpValue $help 'inputTypes') 'inputType' | Where-Object { $null -ne $_ })
        $outputs = @(Get-HelpValue (Get-HelpValue $help 'returnValues') 'returnValue' | Where-Object { $null -ne $_ })
        $inputs.Count | Should -BeGreaterOrEqual 1
        $outputs.Count | Should -BeGreaterOrEqual 1
        foreach ($t in @($inputs) + @($outputs)) { ([string] (Get-HelpValue (Get-HelpValue $t 'type') 'name')).Trim() | Should -Not -BeNullOrEmpty }
    }

    It 'lists the types its OutputType attribute declares' {
        $declared = @($command.OutputType | ForEach-Object { $_.Name } | Where-Object { $_ -and $_ -ne 'System.Void' })
        $documented = @(Get-HelpValue (Get-HelpValue $help 'returnValues') 'returnValue' | ForEach-Object { [string] (Get-HelpValue (Get-HelpValue $_ 'type') 'name') })
        foreach ($type in $declared) { $documented | Should -Contain $type }
    }

    It 'has related links' {
        $links = @(Get-HelpValue (Get-HelpValue $help 'relatedLinks') 'navigationLink' | Where-Object { $null -ne $_ -and [string] (Get-HelpValue $_ 'linkText') -ne 'Online Version:' })
        $links.Count | Should -BeGreaterOrEqual 1
    }

    It 'has a markdown source in docs/cmdlets' {
        $markdown | Should -Not -BeNullOrEmpty -Because "docs/cmdlets/$Name.md must exist and parse"
    }

    It 'documents in markdown exactly the parameters the cmdlet has' {
        @($markdown.Parameters | ForEach-Object { $_.Name } | Sort-Object) | Should -Be $realParameters
    }

    It "documents each parameter's type, sets, position, Required, pipeline input and aliases as the cmdlet declares them" {
        $problems = New-Object System.Collections.ArrayList
        foreach ($p in $markdown.Parameters) {
            $real = $command.Parameters[$p.Name]
            if ($null -eq $real) { continue } # reported by the previous test
            $realSets = @($real.ParameterSets.Keys)
            $documentedSets = @()
            foreach ($yaml in $p.Metadata) {
                $sets = @($yaml.ParameterSets)
                if ($sets -contains '(All)') {
                    if ($realSets -notcontains '__AllParameterSets') { [void] $problems.Add("-$($p.Name): says (All), but it is only in $($realSets -join ', ')") }
                    $sets = @('__AllParameterSets')
                }
                foreach ($set in $sets) {
                    $documentedSets += $set
                    if ($realSets -notcontains $set) { [void] $problems.Add("-$($p.Name): is not in the parameter set '$set'"); continue }
                    $expected = Get-ExpectedYaml $real $set
                    if ($yaml.Type -ne $expected.Type) { [void] $problems.Add("-$($p.Name): Type is $($expected.Type), not $($yaml.Type)") }
                    if ($yaml.Required -ne $expected.Required) { [void] $problems.Add("-$($p.Name) in '$set': Required is $($expected.Required)") }
                    if ($yaml.Position -ne $expected.Position) { [void] $problems.Add("-$($p.Name) in '$set': Position is $($expected.Position), not $($yaml.Position)") }
                    if ($yaml.PipelineInput -ne $expected.PipelineInput) { [void] $problems.Add("-$($p.Name) in '$set': Accept pipeline input is $($expected.PipelineInput), not $($yaml.PipelineInput)") }
                    $documentedAliases = @($yaml.Aliases | Sort-Object) -join ','
                    if ($documentedAliases -ne $expected.Aliases) { [void] $problems.Add("-$($p.Name): Aliases are '$($expected.Aliases)', not '$documentedAliases'") }
                }
            }
            $missing = @($realSets | Where-Object { $documentedSets -notcontains $_ })
            if ($missing.Count -gt 0) { [void] $problems.Add("-$($p.Name): its yaml does not cover the parameter set(s) $($missing -join ', ')") }
        }
        $problems | Should -BeNullOrEmpty
    }

    It 'shows one syntax block per parameter set, as Get-Command -Syntax prints it' {
        $sets = @($command.ParameterSets)
        @($markdown.Syntax).Count | Should -Be $sets.Count
        foreach ($set in $sets) {
            $block = @($markdown.Syntax | Where-Object { $_.SetName -eq $set.Name })
            if ($sets.Count -eq 1) { $block = @($markdown.Syntax) }
            $block.Count | Should -Be 1 -Because "parameter set '$($set.Name)' needs its own syntax block"
            if ($sets.Count -gt 1) { $block[0].IsDefault | Should -Be $set.IsDefault -Because "'$($set.Name)' is the default set: $($set.IsDefault)" }
            if ($PSVersionTable.PSEdition -eq 'Core') {
                $block[0].Text | Should -BeExactly "$Name $set"
            }
        }
    }
}

Describe 'Help markdown' -Tag 'Help' {
    It 'has no file for a cmdlet the module does not export' {
        $exported = @((Get-Module CalendarFederation).ExportedCmdlets.Keys)
        $files = @(Get-ChildItem -LiteralPath $CmdletDocs -Filter '*.md' | ForEach-Object { $_.BaseName })
        @($files | Where-Object { $exported -notcontains $_ }) | Should -BeNullOrEmpty
    }

    It 'is compiled into the built module' {
        $helpFile = Join-Path (Join-Path (Split-Path -Parent $env:CF_MODULE_PATH) 'en-US') 'CalendarFederation.dll-Help.xml'
        Test-Path -LiteralPath $helpFile | Should -BeTrue
        [xml] $maml = Get-Content -LiteralPath $helpFile -Raw
        $names = @($maml.helpItems.command | ForEach-Object { $_.details.name } | Sort-Object)
        $names | Should -Be @((Get-Module CalendarFederation).ExportedCmdlets.Keys | Sort-Object)
    }
}

Describe 'about_CalendarFederation' -Tag 'Help' {
    BeforeAll {
        # Where an installed module lives: its version folder's parent's parent is on PSModulePath.
        $previousModulePath = $env:PSModulePath
        $moduleRoot = Split-Path -Parent (Split-Path -Parent (Split-Path -Parent $env:CF_MODULE_PATH))
        $env:PSModulePath = $moduleRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
        $about = Get-Help -Name about_CalendarFederation -ErrorAction Stop | Out-String
    }

    AfterAll {
        $env:PSModulePath = $previousModulePath
    }

    It 'is shipped in the built module' {
        Test-Path -LiteralPath (Join-Path (Join-Path (Split-Path -Parent $env:CF_MODULE_PATH) 'en-US') 'about_CalendarFederation.help.txt') | Should -BeTrue
    }

    It 'is found by Get-Help' {
        $about | Should -Match 'about_CalendarFederation'
        $about | Should -Match 'SHORT DESCRIPTION'
        $about | Should -Match 'LONG DESCRIPTION'
    }

    It 'explains <Term>' -ForEach @(
        @{ Term = '2025' }
        @{ Term = 'one-way' }
        @{ Term = 'Exchange.ManageAsApp' }
        @{ Term = 'O365USGovGCCHigh' }
        @{ Term = 'TrustedHostnames' }
        @{ Term = 'Federation information could not be received' }
        @{ Term = 'Enable-OrganizationCustomization' }
        @{ Term = 'InteractiveSignInNotPossible' }
    ) {
        $about | Should -Match ([regex]::Escape($Term))
    }

    It 'names every exported cmdlet' {
        foreach ($name in (Get-Module CalendarFederation).ExportedCmdlets.Keys) { $about | Should -Match ([regex]::Escape($name)) }
    }
}

Describe 'about_CalendarFederationFleet' -Tag 'Help' {
    BeforeAll {
        $previousModulePath = $env:PSModulePath
        $moduleRoot = Split-Path -Parent (Split-Path -Parent (Split-Path -Parent $env:CF_MODULE_PATH))
        $env:PSModulePath = $moduleRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
        $fleet = Get-Help -Name about_CalendarFederationFleet -ErrorAction Stop | Out-String
    }

    AfterAll {
        $env:PSModulePath = $previousModulePath
    }

    It 'is shipped in the built module and found by Get-Help' {
        Test-Path -LiteralPath (Join-Path (Join-Path (Split-Path -Parent $env:CF_MODULE_PATH) 'en-US') 'about_CalendarFederationFleet.help.txt') | Should -BeTrue
        $fleet | Should -Match 'SHORT DESCRIPTION'
    }

    # The schema: every key the fleet file reader accepts (src/CalendarFederation.Engine/Fleet/FleetFileSettings.cs) is explained.
    It 'explains the key <_>' -ForEach @(
        'Defaults', 'Tenants', 'Pairs', 'Exclude', 'Name', 'Organization', 'TenantId', 'ExchangeEnvironmentName', 'AppId',
        'CertificateThumbprint', 'CertificateFilePath', 'CertificatePasswordEnvironmentVariable', 'ManagedIdentity', 'ManagedIdentityClientId',
        'ClientSecretEnvironmentVariable', 'ClientSecretVault', 'ClientSecretName', 'Connection', 'Between', 'From', 'To',
        'FreeBusyAccessLevel', 'FreeBusyAccessScope', 'MailTipsAccessLevel', 'CalendarSharingAccessLevel', 'RoomBooking', 'Method'
    ) {
        $fleet | Should -Match ([regex]::Escape($_))
    }

    It 'names the error ids a file can give: <_>' -ForEach @('FleetFileInvalid', 'FleetFileSecretInline', 'FleetFileMethodConflict', 'FleetTenantIdMismatch') {
        $fleet | Should -Match $_
    }
}
