# New-, Get-, Set- and Remove-OrganizationRelationship through the BUILT module against a sandbox process.
# The sandbox's https root must be trusted by this process (build.ps1 sets SSL_CERT_FILE on Linux; CI installs it in
# the OS store on Windows and macOS); without that trust these tests are skipped and say why. Windows PowerShell 5.1
# compatible. Every test starts and ends with POST /_sandbox/reset, which also empties the stored relationships; each
# Describe uses names of its own.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox
    $script:envName = 'RelationshipsSandbox'
    Add-CFSandboxEnvironment -Sandbox $sandbox -Name $envName
    $script:contosoApp = 'c0a5e000-0000-4000-8000-000000000001'
    $script:contosoSecret = ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force
    # build.ps1 runs Pester in 'pwsh -NonInteractive', where nothing can be asked.
    $script:nonInteractive = @([Environment]::GetCommandLineArgs() | Where-Object { $_ -match '^[-/]noni' }).Count -gt 0
    $script:newId = 'CalendarFederation.Commands.NewOrganizationRelationshipCommand'
    $script:getId = 'CalendarFederation.Commands.GetOrganizationRelationshipCommand'
    $script:setId = 'CalendarFederation.Commands.SetOrganizationRelationshipCommand'
    $script:removeId = 'CalendarFederation.Commands.RemoveOrganizationRelationshipCommand'
    $script:epr = 'https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity'

    . (Join-Path $PSScriptRoot 'RelationshipTestHelpers.ps1')

    if ($script:trusted) {
        $script:connection = Connect-CalendarFederation -AppId $contosoApp -Organization contoso.onmicrosoft.com -ClientSecret $contosoSecret `
            -ExchangeEnvironmentName $envName -PassThru -WarningAction SilentlyContinue
    }
}

AfterAll {
    if ($script:trusted) { Reset-Sandbox }
    Get-CalendarFederationConnection | Disconnect-CalendarFederation -Confirm:$false
    Stop-CFSandbox $sandbox
}

Describe 'New-OrganizationRelationship (built module)' -Tag 'Relationships' {
    BeforeEach { if ($script:trusted) { Reset-Sandbox } }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    It 'binds DomainNames, TargetApplicationUri and TargetAutodiscoverEpr from Get-FederationInformation by property name' {
        if (Skip-Untrusted) { return }
        $info = Get-FederationInformation -DomainName fabrikam.com -ExchangeEnvironmentName $envName -ErrorAction Stop
        Clear-SandboxRequests

        $created = $info | New-OrganizationRelationship -Name Fabrikam -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
            -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop

        $stored = @(Get-StoredRelationships)
        $stored | Should -HaveCount 1
        $stored[0].name | Should -BeExactly 'Fabrikam'
        @($stored[0].domainNames) | Should -Be @('fabrikam.com')
        $stored[0].targetApplicationUri | Should -BeExactly $info.TargetApplicationUri.OriginalString
        $stored[0].targetApplicationUri | Should -BeExactly 'outlook.com'
        $stored[0].targetAutodiscoverEpr | Should -BeExactly $info.TargetAutodiscoverEpr.OriginalString
        $stored[0].targetAutodiscoverEpr | Should -Match '/autodiscover/autodiscover\.svc/WSSecurity$'
        $stored[0].enabled | Should -BeTrue
        $stored[0].freeBusyAccessEnabled | Should -BeTrue
        $stored[0].freeBusyAccessLevel | Should -BeExactly 'AvailabilityOnly'
        $stored[0].canReachPartner | Should -BeTrue

        $created | Should -BeOfType ([CalendarFederation.OrganizationRelationship])
        $created.Name | Should -BeExactly 'Fabrikam'
        $created.Organization | Should -BeExactly 'contoso.onmicrosoft.com'
        $created.Guid | Should -Be ([guid] $stored[0].guid)
        $created.TargetAutodiscoverEpr | Should -Be $info.TargetAutodiscoverEpr
        @($warnings | Where-Object { "$_" -match 'TargetApplicationUri' }) | Should -HaveCount 0

        $writes = Get-AdminWrites
        $writes | Should -HaveCount 1
        $writes[0].cmdletName | Should -BeExactly 'New-OrganizationRelationship'
        $writes[0].parameterNames | Should -Contain 'TargetApplicationUri'
        $writes[0].parameterNames | Should -Contain 'TargetAutodiscoverEpr'
        $writes[0].parameterNames | Should -Not -Contain 'TargetSharingEpr'
    }

    It 'sends every parameter to the service' {
        if (Skip-Untrusted) { return }
        $created = New-OrganizationRelationship -Name 'Every Setting' -DomainNames every.example, every2.example -Enabled $false `
            -FreeBusyAccessEnabled $true -FreeBusyAccessLevel LimitedDetails -FreeBusyAccessScope CalendarSharing `
            -MailTipsAccessEnabled $true -MailTipsAccessLevel Limited -MailTipsAccessScope AllStaff `
            -DeliveryReportEnabled $true -ArchiveAccessEnabled $true -PhotosEnabled $true `
            -MailboxMoveEnabled $true -MailboxMoveCapability RemoteInbound -MailboxMovePublishedScopes CalendarSharing, AllStaff `
            -OAuthApplicationId 'a0a5e000-0000-4000-8000-0000000000aa' -OrganizationContact admin@contoso.com `
            -TargetApplicationUri outlook.com -TargetAutodiscoverEpr $epr -TargetOwaURL 'https://outlook.office.com/mail' `
            -TargetSharingEpr 'https://outlook.office365.com/EWS/Exchange.asmx' -WarningAction SilentlyContinue -ErrorAction Stop

        $s = Get-StoredRelationship 'Every Setting'
        @($s.domainNames) | Should -Be @('every.example', 'every2.example')
        $s.enabled | Should -BeFalse
        $s.freeBusyAccessEnabled | Should -BeTrue
        $s.freeBusyAccessLevel | Should -BeExactly 'LimitedDetails'
        $s.freeBusyAccessScope | Should -BeExactly 'CalendarSharing'
        $s.mailTipsAccessEnabled | Should -BeTrue
        $s.mailTipsAccessLevel | Should -BeExactly 'Limited'
        $s.mailTipsAccessScope | Should -BeExactly 'AllStaff'
        $s.deliveryReportEnabled | Should -BeTrue
        $s.archiveAccessEnabled | Should -BeTrue
        $s.photosEnabled | Should -BeTrue
        $s.mailboxMoveEnabled | Should -BeTrue
        $s.mailboxMoveCapability | Should -BeExactly 'RemoteInbound'
        @($s.mailboxMovePublishedScopes) | Should -Be @('CalendarSharing', 'AllStaff')
        $s.oAuthApplicationId | Should -BeExactly 'a0a5e000-0000-4000-8000-0000000000aa'
        $s.organizationContact | Should -BeExactly 'admin@contoso.com'
        $s.targetApplicationUri | Should -BeExactly 'outlook.com'
        $s.targetAutodiscoverEpr | Should -BeExactly $epr
        $s.targetOwaURL | Should -BeExactly 'https://outlook.office.com/mail'
        $s.targetSharingEpr | Should -BeExactly 'https://outlook.office365.com/EWS/Exchange.asmx'

        $created.Enabled | Should -BeFalse
        $created.FreeBusyAccessLevel | Should -Be ([CalendarFederation.FreeBusyAccessLevel]::LimitedDetails)
        $created.MailTipsAccessLevel | Should -Be ([CalendarFederation.MailTipsAccessLevel]::Limited)
        $created.MailboxMoveCapability | Should -Be ([CalendarFederation.MailboxMoveCapability]::RemoteInbound)
        $created.TargetOwaURL.AbsoluteUri | Should -BeExactly 'https://outlook.office.com/mail'
        # Properties the service adds that the type does not name are kept as notes.
        $created.PeopleSearchEnabled | Should -BeFalse
        $created.DistinguishedName | Should -Match '^CN=Every Setting,CN=Federation,'
    }

    It 'is enabled by default and sends Enabled explicitly' {
        if (Skip-Untrusted) { return }
        Clear-SandboxRequests
        New-TestRelationship -Name DefaultEnabled -DomainNames defaults.example | Out-Null
        (Get-StoredRelationship DefaultEnabled).enabled | Should -BeTrue
        (Get-StoredRelationship DefaultEnabled).freeBusyAccessEnabled | Should -BeFalse
        (Get-AdminWrites)[0].parameterNames | Should -Be @('Name', 'DomainNames', 'Enabled', 'Confirm')
    }
}

Describe 'Get-, Set- and Remove-OrganizationRelationship (built module)' -Tag 'Relationships' {
    BeforeEach {
        if ($script:trusted) {
            Reset-Sandbox
            New-TestRelationship -Name GsrAlpha -DomainNames alpha.example | Out-Null
            New-TestRelationship -Name GsrBeta -DomainNames beta.example, beta2.example | Out-Null
            Clear-SandboxRequests
        }
    }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    It 'returns every relationship without -Identity, oldest first' {
        if (Skip-Untrusted) { return }
        $all = @(Get-OrganizationRelationship -ErrorAction Stop)
        $all | Should -HaveCount 2
        $all[0].Name | Should -BeExactly 'GsrAlpha'
        $all[1].Name | Should -BeExactly 'GsrBeta'
        @($all[1].DomainNames) | Should -Be @('beta.example', 'beta2.example')
        $all | ForEach-Object { $_ | Should -BeOfType ([CalendarFederation.OrganizationRelationship]) }
    }

    It 'returns nothing, and no error, when there are none' {
        if (Skip-Untrusted) { return }
        Reset-Sandbox
        @(Get-OrganizationRelationship -ErrorAction Stop) | Should -HaveCount 0
    }

    It 'gets one by name, in any case' {
        if (Skip-Untrusted) { return }
        $one = @(Get-OrganizationRelationship -Identity gsrbeta -ErrorAction Stop)
        $one | Should -HaveCount 1
        $one[0].Name | Should -BeExactly 'GsrBeta'
        (Get-OrganizationRelationship GsrAlpha).Name | Should -BeExactly 'GsrAlpha'
    }

    It 'gets one by GUID' {
        if (Skip-Untrusted) { return }
        $guid = (Get-StoredRelationship GsrBeta).guid
        $one = @(Get-OrganizationRelationship -Identity $guid -ErrorAction Stop)
        $one | Should -HaveCount 1
        $one[0].Name | Should -BeExactly 'GsrBeta'
        $one[0].Guid | Should -Be ([guid] $guid)
    }

    It 'reports OrganizationRelationshipNotFound for an unknown identity, from Get, Set and Remove' {
        if (Skip-Untrusted) { return }
        { Get-OrganizationRelationship -Identity NoSuchRelationship -ErrorAction Stop } | Should -Throw -ErrorId "OrganizationRelationshipNotFound,$getId"
        { Set-OrganizationRelationship -Identity NoSuchRelationship -PhotosEnabled $true -ErrorAction Stop } | Should -Throw -ErrorId "OrganizationRelationshipNotFound,$setId"
        { Remove-OrganizationRelationship -Identity NoSuchRelationship -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "OrganizationRelationshipNotFound,$removeId"
        try { Get-OrganizationRelationship -Identity NoSuchRelationship -ErrorAction Stop } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.Exception.Message | Should -Match "NoSuchRelationship"
        Get-AdminWrites | Should -HaveCount 0
    }

    It 'changes the relationship Get pipes into Set' {
        if (Skip-Untrusted) { return }
        $updated = Get-OrganizationRelationship -Identity GsrAlpha | Set-OrganizationRelationship -FreeBusyAccessEnabled $true -FreeBusyAccessLevel LimitedDetails -PassThru -ErrorAction Stop
        $updated.Name | Should -BeExactly 'GsrAlpha'
        $updated.FreeBusyAccessEnabled | Should -BeTrue
        $updated.FreeBusyAccessLevel | Should -Be ([CalendarFederation.FreeBusyAccessLevel]::LimitedDetails)
        (Get-StoredRelationship GsrAlpha).freeBusyAccessLevel | Should -BeExactly 'LimitedDetails'
        (Get-StoredRelationship GsrBeta).freeBusyAccessEnabled | Should -BeFalse
    }

    It 'changes every relationship Get pipes into Set' {
        if (Skip-Untrusted) { return }
        $updated = @(Get-OrganizationRelationship | Set-OrganizationRelationship -PhotosEnabled $true -MailTipsAccessLevel All -PassThru -ErrorAction Stop)
        $updated | Should -HaveCount 2
        Get-StoredRelationships | ForEach-Object {
            $_.photosEnabled | Should -BeTrue
            $_.mailTipsAccessLevel | Should -BeExactly 'All'
        }
        @(Get-AdminWrites | Where-Object { $_.cmdletName -eq 'Set-OrganizationRelationship' }) | Should -HaveCount 2
    }

    It 'removes the relationships Get pipes into Remove' {
        if (Skip-Untrusted) { return }
        Get-OrganizationRelationship | Remove-OrganizationRelationship -Confirm:$false -ErrorAction Stop
        Get-StoredRelationships | Should -HaveCount 0
        @(Get-AdminWrites | Where-Object { $_.cmdletName -eq 'Remove-OrganizationRelationship' }) | Should -HaveCount 2
    }

    It 'adds domains with -DomainNames @{Add=...}' {
        if (Skip-Untrusted) { return }
        $updated = Set-OrganizationRelationship -Identity GsrAlpha -DomainNames @{ Add = 'alpha2.example', 'alpha3.example' } -PassThru -ErrorAction Stop
        @((Get-StoredRelationship GsrAlpha).domainNames) | Should -Be @('alpha.example', 'alpha2.example', 'alpha3.example')
        @($updated.DomainNames) | Should -Be @('alpha.example', 'alpha2.example', 'alpha3.example')
    }

    It 'removes domains with -DomainNames @{Remove=...}' {
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity GsrBeta -DomainNames @{ Remove = 'BETA2.example' } -ErrorAction Stop | Out-Null
        @((Get-StoredRelationship GsrBeta).domainNames) | Should -Be @('beta.example')
    }

    It 'adds and removes in one call' {
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity GsrBeta -DomainNames @{ Add = 'beta3.example'; Remove = 'beta.example' } -ErrorAction Stop | Out-Null
        @((Get-StoredRelationship GsrBeta).domainNames) | Should -Be @('beta2.example', 'beta3.example')
    }

    It 'replaces the domains with a list' {
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity GsrBeta -DomainNames gamma.example, delta.example -ErrorAction Stop | Out-Null
        @((Get-StoredRelationship GsrBeta).domainNames) | Should -Be @('gamma.example', 'delta.example')
        # A single string replaces too.
        Set-OrganizationRelationship -Identity GsrBeta -DomainNames 'epsilon.example' -ErrorAction Stop | Out-Null
        @((Get-StoredRelationship GsrBeta).domainNames) | Should -Be @('epsilon.example')
    }

    It 'refuses an unknown key in the -DomainNames hashtable' {
        if (Skip-Untrusted) { return }
        { Set-OrganizationRelationship -Identity GsrBeta -DomainNames @{ Append = 'x.example' } -ErrorAction Stop } |
            Should -Throw -ErrorId "InvalidDomainNamesChange,$setId"
        Get-AdminWrites | Should -HaveCount 0
    }

    It 'changes any setting and keeps the others' {
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity GsrAlpha -TargetApplicationUri outlook.com -TargetAutodiscoverEpr $epr -OrganizationContact admin@contoso.com -ErrorAction Stop | Out-Null
        $s = Get-StoredRelationship GsrAlpha
        $s.targetApplicationUri | Should -BeExactly 'outlook.com'
        $s.targetAutodiscoverEpr | Should -BeExactly $epr
        $s.organizationContact | Should -BeExactly 'admin@contoso.com'
        @($s.domainNames) | Should -Be @('alpha.example')
        $s.enabled | Should -BeTrue
    }

    It 'warns, and sends nothing, when no setting is given' {
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity GsrAlpha -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        "$warnings" | Should -Match "No setting was given, so 'GsrAlpha' is unchanged"
        Get-AdminRequests | Should -HaveCount 0
    }

    It 'renames with -Name' {
        if (Skip-Untrusted) { return }
        $renamed = Set-OrganizationRelationship -Identity GsrAlpha -Name GsrAlphaRenamed -PassThru -ErrorAction Stop
        $renamed.Name | Should -BeExactly 'GsrAlphaRenamed'
        (Get-StoredRelationships).name | Should -Be @('GsrAlphaRenamed', 'GsrBeta')
    }

    It 'applies a rename on the service' {
        # What works today (see the known bug above): the rename itself is written.
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity GsrAlpha -Name GsrAlphaRenamed -ErrorAction SilentlyContinue | Out-Null
        (Get-StoredRelationships).name | Should -Be @('GsrAlphaRenamed', 'GsrBeta')
        @(Get-AdminWrites | Where-Object { $_.cmdletName -eq 'Set-OrganizationRelationship' }) | Should -HaveCount 1
    }

    It 'refuses a rename to a name that is taken (ObjectAlreadyExists)' {
        if (Skip-Untrusted) { return }
        { Set-OrganizationRelationship -Identity GsrBeta -Name gsralpha -ErrorAction Stop } | Should -Throw -ErrorId "ObjectAlreadyExists,$setId"
        (Get-StoredRelationships).name | Should -Be @('GsrAlpha', 'GsrBeta')
    }

    It 'refuses a new name over 64 characters before sending anything' {
        if (Skip-Untrusted) { return }
        { Set-OrganizationRelationship -Identity GsrBeta -Name ('n' * 65) -ErrorAction Stop } | Should -Throw -ErrorId "OrganizationRelationshipNameTooLong,$setId"
        Get-AdminRequests | Should -HaveCount 0
    }

    It 'asks before disabling; without -Force in a non-interactive session it errors with ConfirmationRequired and changes nothing' {
        if (Skip-Untrusted) { return }
        if (-not $script:nonInteractive) { Set-ItResult -Skipped -Because 'this session is interactive, so the question would be asked'; return }
        { Set-OrganizationRelationship -Identity GsrAlpha -Enabled $false -ErrorAction Stop } | Should -Throw -ErrorId "ConfirmationRequired,$setId"
        try { Set-OrganizationRelationship -Identity GsrAlpha -Enabled $false -ErrorAction Stop } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $record.Exception.Message | Should -Match '-Force'
        (Get-StoredRelationship GsrAlpha).enabled | Should -BeTrue
        Get-AdminWrites | Should -HaveCount 0
    }

    It 'disables and enables again with -Force' {
        if (Skip-Untrusted) { return }
        (Set-OrganizationRelationship -Identity GsrAlpha -Enabled $false -Force -PassThru -ErrorAction Stop).Enabled | Should -BeFalse
        (Get-StoredRelationship GsrAlpha).enabled | Should -BeFalse
        if ($script:nonInteractive) {
            { Set-OrganizationRelationship -Identity GsrAlpha -Enabled $true -ErrorAction Stop } | Should -Throw -ErrorId "ConfirmationRequired,$setId"
        }
        (Set-OrganizationRelationship -Identity GsrAlpha -Enabled $true -Force -PassThru -ErrorAction Stop).Enabled | Should -BeTrue
        (Get-StoredRelationship GsrAlpha).enabled | Should -BeTrue
    }

    It 'writes nothing without -PassThru, as Exchange''s Set-OrganizationRelationship' {
        if (Skip-Untrusted) { return }
        @(Set-OrganizationRelationship -Identity GsrAlpha -PhotosEnabled $true -ErrorAction Stop) | Should -HaveCount 0
        (Get-StoredRelationship GsrAlpha).photosEnabled | Should -BeTrue
    }

    It 'tells the service it was confirmed here: Force with an Enabled change, Confirm:$false on every write' {
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity GsrAlpha -Enabled $false -Force -ErrorAction Stop
        Set-OrganizationRelationship -Identity GsrAlpha -PhotosEnabled $true -ErrorAction Stop
        $sets = @(Get-AdminWrites | Where-Object { $_.cmdletName -eq 'Set-OrganizationRelationship' })
        $sets | Should -HaveCount 2
        @($sets[0].parameterNames) | Should -Contain 'Force'
        @($sets[0].parameterNames) | Should -Contain 'Confirm'
        @($sets[1].parameterNames) | Should -Not -Contain 'Force'
        @($sets[1].parameterNames) | Should -Contain 'Confirm'
    }

    It 'does not ask when -Enabled does not change it' {
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity GsrAlpha -Enabled $true -PhotosEnabled $true -ErrorAction Stop | Out-Null
        (Get-StoredRelationship GsrAlpha).photosEnabled | Should -BeTrue
    }

    It 'declares Remove-OrganizationRelationship ConfirmImpact High' {
        $command = Get-Command Remove-OrganizationRelationship
        $metadata = New-Object System.Management.Automation.CommandMetadata($command)
        $metadata.SupportsShouldProcess | Should -BeTrue
        $metadata.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::High)
        $command.Parameters.Keys | Should -Contain 'Confirm'
        (New-Object System.Management.Automation.CommandMetadata((Get-Command New-OrganizationRelationship))).ConfirmImpact | Should -Be 'Medium'
        (New-Object System.Management.Automation.CommandMetadata((Get-Command Set-OrganizationRelationship))).ConfirmImpact | Should -Be 'Medium'
    }

    It 'asks before removing: in a non-interactive session without -Confirm:$false nothing is removed' {
        if (Skip-Untrusted) { return }
        if (-not $script:nonInteractive) { Set-ItResult -Skipped -Because 'this session is interactive, so the question would be asked'; return }
        $ConfirmPreference | Should -Be 'High'
        { Remove-OrganizationRelationship -Identity GsrAlpha -ErrorAction Stop } | Should -Throw
        (Get-StoredRelationships).name | Should -Contain 'GsrAlpha'
        Get-AdminWrites | Should -HaveCount 0
    }

    It 'removes with -Confirm:$false' {
        if (Skip-Untrusted) { return }
        Remove-OrganizationRelationship -Identity GsrAlpha -Confirm:$false -ErrorAction Stop | Should -BeNullOrEmpty
        (Get-StoredRelationships).name | Should -Be @('GsrBeta')
        $writes = Get-AdminWrites
        $writes | Should -HaveCount 1
        $writes[0].cmdletName | Should -BeExactly 'Remove-OrganizationRelationship'
    }

    It 'removes by GUID' {
        if (Skip-Untrusted) { return }
        Remove-OrganizationRelationship -Identity (Get-StoredRelationship GsrBeta).guid -Confirm:$false -ErrorAction Stop
        (Get-StoredRelationships).name | Should -Be @('GsrAlpha')
    }
}

Describe '-WhatIf sends no write (built module)' -Tag 'Relationships' {
    BeforeEach {
        if ($script:trusted) {
            Reset-Sandbox
            New-TestRelationship -Name WhatIfExisting -DomainNames whatif.example | Out-Null
            Clear-SandboxRequests
        }
    }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    It 'New-OrganizationRelationship -WhatIf' {
        if (Skip-Untrusted) { return }
        $out = New-OrganizationRelationship -Name WhatIfNew -DomainNames whatif-new.example -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop
        $out | Should -BeNullOrEmpty
        Get-AdminWrites | Should -HaveCount 0
        (Get-StoredRelationships).name | Should -Be @('WhatIfExisting')
    }

    It 'Set-OrganizationRelationship -WhatIf' {
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity WhatIfExisting -FreeBusyAccessEnabled $true -DomainNames @{ Add = 'whatif2.example' } -WhatIf -ErrorAction Stop
        Get-AdminWrites | Should -HaveCount 0
        $s = Get-StoredRelationship WhatIfExisting
        $s.freeBusyAccessEnabled | Should -BeFalse
        @($s.domainNames) | Should -Be @('whatif.example')
    }

    It 'Set-OrganizationRelationship -Enabled $false -WhatIf reports instead of asking' {
        if (Skip-Untrusted) { return }
        { Set-OrganizationRelationship -Identity WhatIfExisting -Enabled $false -WhatIf -ErrorAction Stop } | Should -Not -Throw
        Get-AdminWrites | Should -HaveCount 0
        (Get-StoredRelationship WhatIfExisting).enabled | Should -BeTrue
    }

    It 'Set-OrganizationRelationship -Enabled $false -WhatIf writes nothing' {
        # What holds today despite the known bug above.
        if (Skip-Untrusted) { return }
        Set-OrganizationRelationship -Identity WhatIfExisting -Enabled $false -WhatIf -ErrorAction SilentlyContinue
        Get-AdminWrites | Should -HaveCount 0
        (Get-StoredRelationship WhatIfExisting).enabled | Should -BeTrue
    }

    It 'Remove-OrganizationRelationship -WhatIf' {
        if (Skip-Untrusted) { return }
        Remove-OrganizationRelationship -Identity WhatIfExisting -WhatIf -ErrorAction Stop
        Get-AdminWrites | Should -HaveCount 0
        (Get-StoredRelationships).name | Should -Be @('WhatIfExisting')
    }

    It 'Enable-OrganizationCustomization -WhatIf on a tenant that needs it' {
        if (Skip-Untrusted) { return }
        Set-ContosoKnob 'dehydrated?value=true'
        Enable-OrganizationCustomization -WhatIf -ErrorAction Stop
        Get-AdminWrites | Should -HaveCount 0
        (Invoke-RestMethod -Uri "$($sandbox.Url)/_sandbox/tenants/contoso").isDehydrated | Should -BeTrue
        (Get-OrganizationConfig).IsDehydrated | Should -BeTrue
    }
}

Describe 'Relationship error ids (built module)' -Tag 'Relationships' {
    BeforeEach { if ($script:trusted) { Reset-Sandbox } }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    It 'OrganizationRelationshipNameTooLong for a name over 64 characters, before any request' {
        if (Skip-Untrusted) { return }
        Clear-SandboxRequests
        { New-OrganizationRelationship -Name ('x' * 65) -DomainNames toolong.example -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId "OrganizationRelationshipNameTooLong,$newId"
        try { New-OrganizationRelationship -Name ('x' * 65) -DomainNames toolong.example -WarningAction SilentlyContinue -ErrorAction Stop } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -Match '65 characters'
        $record.Exception.Message | Should -Match '64'
        Get-AdminRequests | Should -HaveCount 0
        Get-StoredRelationships | Should -HaveCount 0
    }

    It 'accepts a name of exactly 64 characters' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name ('x' * 64) -DomainNames sixtyfour.example | Out-Null
        (Get-StoredRelationships).name | Should -Be @('x' * 64)
    }

    It 'InvalidTargetUri for a relative TargetAutodiscoverEpr, before any request' {
        if (Skip-Untrusted) { return }
        Clear-SandboxRequests
        { New-OrganizationRelationship -Name RelativeEpr -DomainNames relative.example -TargetApplicationUri outlook.com `
                -TargetAutodiscoverEpr 'autodiscover/autodiscover.svc/WSSecurity' -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId "InvalidTargetUri,$newId"
        try { New-OrganizationRelationship -Name RelativeEpr -DomainNames relative.example -TargetAutodiscoverEpr 'autodiscover/autodiscover.svc' -ErrorAction Stop } catch { $record = $_ }
        $record.Exception.Message | Should -Match '-TargetAutodiscoverEpr must be an absolute URI'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-AdminRequests | Should -HaveCount 0
    }

    It 'InvalidDomainName for a domain that is not one, before any request' {
        if (Skip-Untrusted) { return }
        Clear-SandboxRequests
        { New-OrganizationRelationship -Name BadDomain -DomainNames 'fabrikam.com', 'not a domain' -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId "InvalidDomainName,$newId"
        try { New-OrganizationRelationship -Name BadDomain -DomainNames 'admin@fabrikam.com' -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -Be "InvalidDomainName,$newId"
        $record.Exception.Message | Should -Match 'looks like a mail address'
        $record.TargetObject | Should -Be 'admin@fabrikam.com'
        { New-OrganizationRelationship -Name BadDomain -DomainNames '*.fabrikam.com' -ErrorAction Stop } | Should -Throw -ErrorId "InvalidDomainName,$newId"
        Get-AdminRequests | Should -HaveCount 0
        Get-StoredRelationships | Should -HaveCount 0
    }

    It 'InvalidDomainName from Set too, before any write' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name BadDomainSet -DomainNames good.example | Out-Null
        Clear-SandboxRequests
        { Set-OrganizationRelationship -Identity BadDomainSet -DomainNames @{ Add = 'bad domain' } -ErrorAction Stop } | Should -Throw -ErrorId "InvalidDomainName,$setId"
        Get-AdminRequests | Should -HaveCount 0
    }

    It 'OrganizationRelationshipDomainInUse names the other relationship and sends no write (pre-flight)' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name InUseFabrikam -DomainNames inuse.example, inuse2.example | Out-Null
        Clear-SandboxRequests
        { New-OrganizationRelationship -Name InUseOther -DomainNames other.example, INUSE.example -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId "OrganizationRelationshipDomainInUse,$newId"
        try { New-OrganizationRelationship -Name InUseOther -DomainNames other.example, INUSE.example -WarningAction SilentlyContinue -ErrorAction Stop } catch { $record = $_ }
        $message = $record.Exception.Message
        $message | Should -BeLike '*already exist in another organization relationship. Domains can only exist in one organization relationship. To create an organization relationship with this domain, remove the domain from the other organization relationship.*'
        $message | Should -Match 'inuse\.example'
        $message | Should -Match "'InUseFabrikam'"
        $record.CategoryInfo.Category | Should -Be 'InvalidOperation'
        Get-AdminWrites | Should -HaveCount 0
        (Get-StoredRelationships).name | Should -Be @('InUseFabrikam')
    }

    It 'OrganizationRelationshipDomainInUse from Set, and none for its own domains' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name InUseA -DomainNames a.inuse.example | Out-Null
        New-TestRelationship -Name InUseB -DomainNames b.inuse.example | Out-Null
        Clear-SandboxRequests
        { Set-OrganizationRelationship -Identity InUseB -DomainNames @{ Add = 'A.INUSE.example' } -ErrorAction Stop } |
            Should -Throw -ErrorId "OrganizationRelationshipDomainInUse,$setId"
        { Set-OrganizationRelationship -Identity InUseB -DomainNames 'b.inuse.example', 'a.inuse.example' -ErrorAction Stop } |
            Should -Throw -ErrorId "OrganizationRelationshipDomainInUse,$setId"
        Get-AdminWrites | Should -HaveCount 0
        Set-OrganizationRelationship -Identity InUseB -DomainNames 'B.inuse.example', 'c.inuse.example' -ErrorAction Stop | Out-Null
        @((Get-StoredRelationship InUseB).domainNames) | Should -Be @('b.inuse.example', 'c.inuse.example')
    }

    It 'ObjectAlreadyExists for a name that is taken, in any case, with no write' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name DupName -DomainNames dup.example | Out-Null
        Clear-SandboxRequests
        { New-OrganizationRelationship -Name DUPNAME -DomainNames dup2.example -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId "ObjectAlreadyExists,$newId"
        try { New-OrganizationRelationship -Name DupName -DomainNames dup2.example -WarningAction SilentlyContinue -ErrorAction Stop } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'ResourceExists'
        $record.Exception.Message | Should -Match 'Set-OrganizationRelationship'
        Get-AdminWrites | Should -HaveCount 0
        Get-StoredRelationships | Should -HaveCount 1
    }

    It 'OrganizationNotCustomized on a dehydrated tenant' {
        if (Skip-Untrusted) { return }
        Set-ContosoKnob 'dehydrated?value=true'
        { New-OrganizationRelationship -Name Dehydrated -DomainNames dry.example -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId "OrganizationNotCustomized,$newId"
        try { New-OrganizationRelationship -Name Dehydrated -DomainNames dry.example -WarningAction SilentlyContinue -ErrorAction Stop } catch { $record = $_ }
        $record.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $record.Exception.Message | Should -Match 'Enable-OrganizationCustomization'
        Get-StoredRelationships | Should -HaveCount 0
    }

    It 'AccessDenied for an app without Exchange.ManageAsApp' {
        if (Skip-Untrusted) { return }
        $noPermission = Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000003' -Organization contoso.onmicrosoft.com `
            -ClientSecret (ConvertTo-SecureString 'contoso-noperm-secret' -AsPlainText -Force) -ExchangeEnvironmentName $envName `
            -SkipConnectionCheck -NotDefault -PassThru -WarningAction SilentlyContinue -ErrorAction Stop
        try {
            { Get-OrganizationRelationship -Connection $noPermission -ErrorAction Stop } | Should -Throw -ErrorId "AccessDenied,$getId"
            { New-OrganizationRelationship -Connection $noPermission -Name Denied -DomainNames denied.example -WarningAction SilentlyContinue -ErrorAction Stop } |
                Should -Throw -ErrorId "AccessDenied,$newId"
            try { Get-OrganizationRelationship -Connection $noPermission -ErrorAction Stop } catch { $record = $_ }
            $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $record.Exception.Message | Should -Match 'Exchange\.ManageAsApp'
            Get-StoredRelationships | Should -HaveCount 0
            # The default connection is untouched.
            @(Get-OrganizationRelationship -ErrorAction Stop) | Should -HaveCount 0
        }
        finally {
            $noPermission | Disconnect-CalendarFederation -Confirm:$false
        }
    }
}

Describe 'New-OrganizationRelationship warnings (built module)' -Tag 'Relationships' {
    BeforeEach { if ($script:trusted) { Reset-Sandbox } }
    AfterEach { if ($script:trusted) { Reset-Sandbox } }

    It 'warns that -FreeBusyAccessLevel has no effect without -FreeBusyAccessEnabled $true, and that $true without a level shares None' {
        if (Skip-Untrusted) { return }
        New-OrganizationRelationship -Name WarnLevel -DomainNames warnlevel.example -FreeBusyAccessLevel LimitedDetails -TargetApplicationUri outlook.com `
            -TargetAutodiscoverEpr $epr -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        @($warnings | Where-Object { "$_" -match '''WarnLevel'': -FreeBusyAccessLevel has no effect while -FreeBusyAccessEnabled is \$false' }) | Should -HaveCount 1
        New-OrganizationRelationship -Name WarnNoLevel -DomainNames warnlevel3.example -FreeBusyAccessEnabled $true `
            -WarningVariable none -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        @($none | Where-Object { "$_" -match '''WarnNoLevel'': -FreeBusyAccessEnabled \$true without -FreeBusyAccessLevel shares at None' }) | Should -HaveCount 1
        New-OrganizationRelationship -Name WarnLevelOk -DomainNames warnlevel2.example -FreeBusyAccessEnabled $true -FreeBusyAccessLevel LimitedDetails `
            -WarningVariable quiet -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        @($quiet | Where-Object { "$_" -match 'has no effect|shares at None' }) | Should -HaveCount 0
    }

    It 'warns when TargetApplicationUri or TargetAutodiscoverEpr is missing' {
        if (Skip-Untrusted) { return }
        $pattern = 'without TargetApplicationUri and TargetAutodiscoverEpr \(or TargetSharingEpr\) your users cannot ask the partner'
        New-OrganizationRelationship -Name WarnTargets -DomainNames warntargets.example -WarningVariable none -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        @($none | Where-Object { "$_" -match $pattern -and "$_" -match 'Pipe Get-FederationInformation in' }) | Should -HaveCount 1
        New-OrganizationRelationship -Name WarnTargets2 -DomainNames warntargets2.example -TargetApplicationUri outlook.com `
            -WarningVariable half -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        @($half | Where-Object { "$_" -match $pattern }) | Should -HaveCount 1
        New-OrganizationRelationship -Name WarnTargets3 -DomainNames warntargets3.example -TargetApplicationUri outlook.com `
            -TargetSharingEpr 'https://outlook.office365.com/EWS/Exchange.asmx' -WarningVariable full -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        @($full | Where-Object { "$_" -match $pattern }) | Should -HaveCount 0
    }

    It 'warns that since 2025 one domain is all Get-FederationInformation returns' {
        if (Skip-Untrusted) { return }
        New-OrganizationRelationship -Name WarnSingle -DomainNames single.example -WarningVariable single -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        $warning = @($single | Where-Object { "$_" -match 'covers one partner domain' })
        $warning | Should -HaveCount 1
        "$($warning[0])" | Should -Match "'WarnSingle' \(single\.example\) covers one partner domain\. Since 2025"
        "$($warning[0])" | Should -Match 'about_CalendarFederation'
        New-OrganizationRelationship -Name WarnDouble -DomainNames double.example, double2.example -WarningVariable double -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        @($double | Where-Object { "$_" -match 'cover(s)? one partner domain' }) | Should -HaveCount 0
    }

    It 'warns that a relationship is one-way, without claiming it shares free/busy' {
        if (Skip-Untrusted) { return }
        New-OrganizationRelationship -Name WarnOneWay -DomainNames oneway.example, oneway2.example -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
            -WarningVariable oneWay -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null
        $warning = @($oneWay | Where-Object { "$_" -match 'one-way' })
        $warning | Should -HaveCount 1
        "$($warning[0])" | Should -Match "only once it creates a relationship for you \('WarnOneWay'\)"
        "$($warning[0])" | Should -Not -Match 'shares your free/busy'
    }

    It 'says each kind of warning once per pipeline, with the count and the names, and nothing for the items that failed' {
        if (Skip-Untrusted) { return }
        $piped = 1..20 | ForEach-Object { [pscustomobject]@{ DomainNames = "bulk$_.example"; TargetApplicationUri = 'outlook.com'; TargetAutodiscoverEpr = $epr } }
        # Twenty piped into one name: -WhatIf previews all twenty, and each kind of warning comes once, at the end.
        $piped | New-OrganizationRelationship -Name Bulk -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly -WhatIf `
            -WarningVariable preview -WarningAction SilentlyContinue -ErrorAction Stop
        @($preview) | Should -HaveCount 3   # one domain each, one-way, EWS retirement (a Microsoft 365 partner)
        $single = @($preview | Where-Object { "$_" -match 'cover one partner domain each' })
        "$($single[0])" | Should -Match "^20 relationships cover one partner domain each: 'Bulk' \(bulk1\.example\), 'Bulk' \(bulk2\.example\), 'Bulk' \(bulk3\.example\) and 17 more\."
        $ews = @($preview | Where-Object { "$_" -match 'EWS' })
        "$($ews[0])" | Should -Match '2027-04-01'
        "$($ews[0])" | Should -Match 'Grant-CrossTenantCalendarAccess'
        foreach ($w in $preview) { "$w".Length | Should -BeLessOrEqual 240 }   # the texts are at most 160 (Surface/MessageLengthTests.cs); names add the rest
        # For real: the first is created, the other nineteen meet its name, and only the one created is warned about.
        $created = @($piped | New-OrganizationRelationship -Name Bulk -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
                -WarningVariable real -WarningAction SilentlyContinue -ErrorVariable failures -ErrorAction SilentlyContinue)
        $created | Should -HaveCount 1
        @($failures) | Should -HaveCount 19
        @($real) | Should -HaveCount 3
        "$(@($real | Where-Object { "$_" -match 'one partner domain' })[0])" | Should -Match "^'Bulk' \(bulk1\.example\) covers one partner domain\."
    }

    It 'writes no warning for a create that failed, and none without a connection' {
        if (Skip-Untrusted) { return }
        New-TestRelationship -Name WarnExisting -DomainNames warnexisting.example | Out-Null
        New-OrganizationRelationship -Name WarnExisting -DomainNames warnexisting2.example -TargetApplicationUri outlook.com -TargetAutodiscoverEpr $epr `
            -WarningVariable failed -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Out-Null
        @($failed) | Should -HaveCount 0
        New-OrganizationRelationship -Name WarnInUse -DomainNames warnexisting.example -WarningVariable inUse -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Out-Null
        @($inUse) | Should -HaveCount 0
    }
}

Describe 'Tab completion of -Identity (built module)' -Tag 'Relationships' {
    BeforeAll {
        if ($script:trusted) {
            Reset-Sandbox
            New-TestRelationship -Name Fabrikam -DomainNames completion.example | Out-Null
            New-TestRelationship -Name 'Fabrikam Europe' -DomainNames completion-eu.example | Out-Null
            New-TestRelationship -Name Litware -DomainNames completion-litware.example | Out-Null
        }
    }
    AfterAll { if ($script:trusted) { Reset-Sandbox } }

    It 'completes Set-OrganizationRelationship -Identity Fab with the relationship names' {
        if (Skip-Untrusted) { return }
        $line = 'Set-OrganizationRelationship -Identity Fab'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $texts = @($result.CompletionMatches | ForEach-Object { $_.CompletionText })
        $texts | Should -Contain 'Fabrikam'
        $texts | Should -Contain "'Fabrikam Europe'"
        $texts | Should -Not -Contain 'Litware'
        $result.ReplacementIndex | Should -Be ($line.Length - 3)
    }

    It 'completes Get- and Remove-OrganizationRelationship too, in any case' {
        if (Skip-Untrusted) { return }
        foreach ($line in 'Get-OrganizationRelationship lit', 'Remove-OrganizationRelationship -Identity LIT') {
            $texts = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText })
            $texts | Should -Be @('Litware')
        }
    }
}
