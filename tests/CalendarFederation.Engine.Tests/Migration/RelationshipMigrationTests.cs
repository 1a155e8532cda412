using System.Text.Json.Nodes;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Migration;
using CalendarFederation.Engine.Tests.CrossTenantAccess;
using CalendarFederation.Engine.Tests.Graph;
using CalendarFederation.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CalendarFederation.Engine.Tests.Migration;

/// <summary>
/// The migration of a relationship pair end to end against fake tenants (in-memory Exchange, the stateful fake X-TAP Graph):
/// the grants each side writes, the exact requests, the cutover order, compensation after failures and stops, re-runs,
/// one-sided refusals, and what is not migrated.
/// </summary>
public sealed class RelationshipMigrationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeTenant _contoso;
    private readonly FakeTenant _fabrikam;
    private readonly FakeTenantLookup _lookup = new();
    private readonly RecordingEvents _events = new();
    private readonly RelationshipMigration _migration;

    public RelationshipMigrationTests()
    {
        _contoso = new FakeTenant("contoso.onmicrosoft.com", Ids.Contoso, _time, new[] { "contoso.com", "contoso.onmicrosoft.com" });
        _fabrikam = new FakeTenant("fabrikam.onmicrosoft.com", Ids.Fabrikam, _time, new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" });
        foreach (string d in _contoso.Exchange.AcceptedDomains) _lookup.Tenants[d] = Guid.Parse(Ids.Contoso);
        foreach (string d in _fabrikam.Exchange.AcceptedDomains) _lookup.Tenants[d] = Guid.Parse(Ids.Fabrikam);
        _lookup.Tenants["litware.com"] = Guid.Parse(Ids.Litware);
        _contoso.Exchange.Relationship("Fabrikam", new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" }, mailTips: "Limited", mailTipsEnabled: true);
        _fabrikam.Exchange.Relationship("Contoso", new[] { "contoso.com", "contoso.onmicrosoft.com" }, freeBusy: "LimitedDetails");
        _migration = new RelationshipMigration(_lookup, _time);
    }

    public void Dispose()
    {
        _contoso.Dispose();
        _fabrikam.Dispose();
    }

    private Task<T> Run<T>(Task<T> task) => Clock.Run(_time, task, TimeSpan.FromMilliseconds(500));

    private Task<MigrationPreparation> Prepare(MigrationOptions? options = null, bool twoSided = true, string identity = "Fabrikam") =>
        Run(_migration.PrepareAsync(_contoso.Side, twoSided ? _fabrikam.Side : null, identity, options ?? new MigrationOptions(), _events, CancellationToken.None));

    private async Task<(SideGrant Local, SideGrant? Partner)> GrantBoth(MigrationPreparation prep)
    {
        SideGrant local = await Run(_migration.GrantAsync(prep.Local, _events, CancellationToken.None));
        SideGrant? partner = prep.Partner?.Request == null ? null : await Run(_migration.GrantAsync(prep.Partner, _events, CancellationToken.None));
        return (local, partner);
    }

    private static readonly string[] FreshGrant =
    {
        "GET ~/default", "GET ~/default/m365Capabilities", "GET ~/partners/{id}",
        "POST ~/partners", "PATCH ~/partners/{id}", "POST ~/partners/{id}/m365Capabilities",
        "GET ~/partners/{id}", "GET ~/partners/{id}/m365Capabilities",
    };

    private static string[] Lines(FakeTenant tenant, string partnerId) => tenant.Graph.Lines.Select(l => l.Replace(partnerId, "{id}")).ToArray();

    [Fact]
    public async Task Each_side_grants_what_its_relationship_shares_to_the_other_tenant()
    {
        MigrationPreparation prep = await Prepare();
        Assert.Null(prep.Blocker);
        Assert.Equal(Ids.Fabrikam, prep.Local.PartnerTenantId);
        Assert.Equal(Ids.Contoso, prep.Partner!.PartnerTenantId);
        Assert.Equal("Contoso", prep.Partner.Relationship!.Name);

        var (local, partner) = await GrantBoth(prep);

        // contoso's relationship for fabrikam shares times and limited MailTips: contoso's policy grants fabrikam exactly that.
        Assert.Equal(new[] { M365CapabilityNames.CalendarAvailabilityBasic, M365CapabilityNames.MailTipsLimited }, _contoso.Allowed(Ids.Fabrikam));
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, local.FreeBusy);
        Assert.Equal(MailTipsAccessLevel.Limited, local.MailTips);
        // fabrikam's relationship for contoso shares subject and location: fabrikam's policy grants contoso LimitedDetails, no MailTips.
        Assert.Equal(new[] { M365CapabilityNames.CalendarAvailabilityLimitedDetails }, _fabrikam.Allowed(Ids.Contoso));
        Assert.Equal(FreeBusyAccessLevel.LimitedDetails, partner!.FreeBusy);
        // Nothing is granted the wrong way round, and the relationships are untouched without -DisableLegacy.
        Assert.False(_contoso.Graph.Partners.ContainsKey(Ids.Contoso));
        Assert.False(_fabrikam.Graph.Partners.ContainsKey(Ids.Fabrikam));
        Assert.Equal(0, _contoso.Exchange.Sets + _fabrikam.Exchange.Sets);
        Assert.Equal(FakeXtapGraph.AllUsersTrust, _contoso.Graph.Partners[Ids.Fabrikam].Inbound!.ToJsonString());
    }

    [Fact]
    public async Task A_fresh_grant_sends_exactly_the_documented_calls_eight_per_side_plus_one_per_more_capability()
    {
        MigrationPreparation prep = await Prepare();
        await GrantBoth(prep);
        Assert.Equal(FreshGrant, Lines(_fabrikam, Ids.Contoso));
        // MailTips adds one capability POST.
        Assert.Equal(FreshGrant.Take(6).Concat(new[] { "POST ~/partners/{id}/m365Capabilities" }).Concat(FreshGrant.Skip(6)), Lines(_contoso, Ids.Fabrikam));
        // Preparing reads no Graph at all: the plan is read only for -WhatIf.
        await Prepare();
        Assert.Equal(FreshGrant.Length, _fabrikam.Graph.Requests.Count);
    }

    [Fact]
    public async Task WhatIf_plans_both_sides_and_writes_nothing()
    {
        MigrationPreparation prep = await Prepare(new MigrationOptions { Plan = true, DisableLegacy = true });
        Assert.Equal(new[] { "Create partner configuration for " + Ids.Fabrikam, "Set the Microsoft 365 collaboration trust to all users",
            "Add crossTenantCalendarAvailabilityBasic for all users", "Add crossTenantMailTipsLimited for all users" }, prep.Local.Plan!.Steps.Select(s => s.Description));
        Assert.Equal(3, prep.Partner!.Plan!.Steps.Count);
        Assert.Empty(_contoso.Graph.Writes);
        Assert.Empty(_fabrikam.Graph.Writes);
        Assert.Equal(0, _contoso.Exchange.Sets + _fabrikam.Exchange.Sets);
    }

    [Fact]
    public async Task The_cutover_disables_both_relationships_only_after_both_grants_are_verified()
    {
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        DateTimeOffset lastGraph = new[] { _contoso.Graph.Requests.Last().At, _fabrikam.Graph.Requests.Last().At }.Max();
        LegacyChangeResult change = await Run(_migration.ChangeLegacyAsync(prep, enable: false, _events, CancellationToken.None));

        Assert.True(change.Consistent);
        Assert.True(change.Local.Changed);
        Assert.True(change.Partner!.Changed);
        Assert.False(_contoso.Exchange.EnabledOf("Fabrikam"));
        Assert.False(_fabrikam.Exchange.EnabledOf("Contoso"));
        Assert.Equal(new[] { "Set Fabrikam Enabled=False" }, _contoso.Exchange.Calls.Where(c => c.StartsWith("Set", StringComparison.Ordinal)));
        Assert.Equal(new[] { "Set Contoso Enabled=False" }, _fabrikam.Exchange.Calls.Where(c => c.StartsWith("Set", StringComparison.Ordinal)));
        Assert.True(_time.GetUtcNow() >= lastGraph);
        Assert.Contains(_events.ProgressUpdates, p => p.Activity == RelationshipMigration.Activity && p.Completed);
    }

    [Fact]
    public async Task A_second_run_writes_nothing_and_finds_both_migrated()
    {
        MigrationPreparation first = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(first);
        await Run(_migration.ChangeLegacyAsync(first, enable: false, _events, CancellationToken.None));
        int graphWrites = _contoso.Graph.Writes.Count + _fabrikam.Graph.Writes.Count;
        int sets = _contoso.Exchange.Sets + _fabrikam.Exchange.Sets;

        MigrationPreparation again = await Prepare(new MigrationOptions { DisableLegacy = true });
        Assert.False(again.Local.LegacyEnabled);
        var (local, partner) = await GrantBoth(again);
        LegacyChangeResult change = await Run(_migration.ChangeLegacyAsync(again, enable: false, _events, CancellationToken.None));

        Assert.False(local.Changed);
        Assert.False(partner!.Changed);
        Assert.False(change.Local.Changed);
        Assert.False(change.Partner!.Changed);
        Assert.Equal(graphWrites, _contoso.Graph.Writes.Count + _fabrikam.Graph.Writes.Count);
        Assert.Equal(sets, _contoso.Exchange.Sets + _fabrikam.Exchange.Sets);
        Assert.Single(_contoso.Graph.Partners);
        Assert.Equal(2, _contoso.Graph.Partners[Ids.Fabrikam].Capabilities.Count);
    }

    [Fact]
    public async Task When_the_partner_cannot_disable_its_relationship_this_side_is_enabled_again()
    {
        _fabrikam.Exchange.OnSet = (_, _) => SetFault.Refuse;
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        LegacyChangeResult change = await Run(_migration.ChangeLegacyAsync(prep, enable: false, _events, CancellationToken.None));

        Assert.True(change.Consistent);
        Assert.True(change.Local.Compensated);
        Assert.False(change.Local.Changed);
        Assert.True(change.Local.EnabledAfter);
        Assert.Equal(ErrorIds.AccessDenied, change.Partner!.Error!.ErrorId);
        Assert.True(_contoso.Exchange.EnabledOf("Fabrikam"));
        Assert.True(_fabrikam.Exchange.EnabledOf("Contoso"));
        Assert.Equal(new[] { "Set Fabrikam Enabled=False", "Set Fabrikam Enabled=True" }, _contoso.Exchange.Calls.Where(c => c.StartsWith("Set", StringComparison.Ordinal)));
        Assert.Contains(_events.Warnings, w => w.Contains("both sides are as they were", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partner_disable_whose_answer_is_lost_is_read_back_and_counts_as_done()
    {
        _fabrikam.Exchange.OnSet = (_, _) => SetFault.ApplyThenFail;
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        LegacyChangeResult change = await Run(_migration.ChangeLegacyAsync(prep, enable: false, _events, CancellationToken.None));

        Assert.True(change.Consistent);
        Assert.True(change.Partner!.Changed);
        Assert.Null(change.Partner.Error);
        Assert.False(change.Local.Compensated);
        Assert.False(_contoso.Exchange.EnabledOf("Fabrikam"));
        Assert.False(_fabrikam.Exchange.EnabledOf("Contoso"));
        Assert.Equal(1, _contoso.Exchange.Sets);
    }

    [Fact]
    public async Task A_stop_while_the_partner_is_being_disabled_enables_this_side_again()
    {
        _fabrikam.Exchange.OnSet = (_, _) => SetFault.Hang;
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        using var stop = new CancellationTokenSource();
        Task arrived = _fabrikam.Exchange.SetArrived.Task;
        Task<LegacyChangeResult> change = _migration.ChangeLegacyAsync(prep, enable: false, _events, stop.Token);
        await Clock.Within(arrived, "fabrikam's disable");
        Assert.False(_contoso.Exchange.EnabledOf("Fabrikam"));
        stop.Cancel();
        await Clock.Within(change, "the stopped cutover");
        LegacyChangeResult result = await change;

        Assert.True(result.Consistent);
        Assert.True(result.Local.Compensated);
        Assert.True(_contoso.Exchange.EnabledOf("Fabrikam"));
        Assert.True(_fabrikam.Exchange.EnabledOf("Contoso"));
    }

    [Fact]
    public async Task A_stop_after_the_partner_disable_was_applied_keeps_both_disabled()
    {
        _fabrikam.Exchange.OnSet = (_, _) => SetFault.ApplyThenHang;
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        using var stop = new CancellationTokenSource();
        Task arrived = _fabrikam.Exchange.SetArrived.Task;
        Task<LegacyChangeResult> change = _migration.ChangeLegacyAsync(prep, enable: false, _events, stop.Token);
        await Clock.Within(arrived, "fabrikam's disable");
        stop.Cancel();
        await Clock.Within(change, "the stopped cutover");
        LegacyChangeResult result = await change;

        Assert.True(result.Consistent);
        Assert.False(result.Local.Compensated);
        Assert.False(_contoso.Exchange.EnabledOf("Fabrikam"));
        Assert.False(_fabrikam.Exchange.EnabledOf("Contoso"));
    }

    [Fact]
    public async Task A_stop_before_the_cutover_changes_nothing()
    {
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _migration.ChangeLegacyAsync(prep, enable: false, _events, stop.Token));
        Assert.Equal(0, _contoso.Exchange.Sets + _fabrikam.Exchange.Sets);
    }

    [Fact]
    public async Task A_stop_during_this_sides_disable_that_was_applied_undoes_it()
    {
        _contoso.Exchange.OnSet = (_, enabled) => enabled ? SetFault.None : SetFault.ApplyThenHang;
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        using var stop = new CancellationTokenSource();
        Task arrived = _contoso.Exchange.SetArrived.Task;
        Task<LegacyChangeResult> change = _migration.ChangeLegacyAsync(prep, enable: false, _events, stop.Token);
        await Clock.Within(arrived, "contoso's disable");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Within(change, "the stopped cutover"));
        Assert.True(_contoso.Exchange.EnabledOf("Fabrikam"));
        Assert.True(_fabrikam.Exchange.EnabledOf("Contoso"));
        Assert.Equal(0, _fabrikam.Exchange.Sets);
    }

    [Fact]
    public async Task An_unlike_pair_left_by_an_earlier_run_is_finished_or_put_back()
    {
        // An earlier run was killed after disabling contoso's relationship: the pair serves nobody.
        _contoso.Exchange.Relationship("Fabrikam", new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" }, enabled: false, mailTips: "Limited", mailTipsEnabled: true);
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        _fabrikam.Exchange.OnSet = (_, _) => SetFault.Refuse;
        LegacyChangeResult failed = await Run(_migration.ChangeLegacyAsync(prep, enable: false, _events, CancellationToken.None));
        // The partner still cannot follow: contoso, disabled by the earlier run, is enabled again, so both directions work.
        Assert.True(failed.Consistent);
        Assert.True(failed.Local.Compensated);
        Assert.True(_contoso.Exchange.EnabledOf("Fabrikam"));

        _fabrikam.Exchange.OnSet = null;
        MigrationPreparation again = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(again);
        LegacyChangeResult done = await Run(_migration.ChangeLegacyAsync(again, enable: false, _events, CancellationToken.None));
        Assert.True(done.Consistent);
        Assert.False(_fabrikam.Exchange.EnabledOf("Contoso"));
    }

    [Fact]
    public async Task Rollback_enables_both_and_puts_this_side_back_when_the_partner_cannot_follow()
    {
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await GrantBoth(prep);
        await Run(_migration.ChangeLegacyAsync(prep, enable: false, _events, CancellationToken.None));

        _fabrikam.Exchange.OnSet = (_, _) => SetFault.Refuse;
        MigrationPreparation back = await Prepare(new MigrationOptions { Rollback = true });
        LegacyChangeResult refused = await Run(_migration.ChangeLegacyAsync(back, enable: true, _events, CancellationToken.None));
        Assert.True(refused.Consistent);
        Assert.True(refused.Local.Compensated);
        Assert.False(_contoso.Exchange.EnabledOf("Fabrikam"));

        _fabrikam.Exchange.OnSet = null;
        MigrationPreparation again = await Prepare(new MigrationOptions { Rollback = true });
        LegacyChangeResult rolled = await Run(_migration.ChangeLegacyAsync(again, enable: true, _events, CancellationToken.None));
        Assert.True(rolled.Local.Changed && rolled.Partner!.Changed);
        Assert.True(_contoso.Exchange.EnabledOf("Fabrikam"));
        Assert.True(_fabrikam.Exchange.EnabledOf("Contoso"));
        // The grants stay in place.
        Assert.Equal(2, _contoso.Allowed(Ids.Fabrikam).Length);
        Assert.Single(_fabrikam.Allowed(Ids.Contoso));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task One_side_alone_is_refused_unless_the_partner_is_said_to_change_its_own(bool disable, bool rollback)
    {
        var options = new MigrationOptions { DisableLegacy = disable, Rollback = rollback };
        EngineException refused = await Assert.ThrowsAsync<EngineException>(() => Prepare(options, twoSided: false));
        Assert.Equal(ErrorIds.PartnerCutoverNotAcknowledged, refused.ErrorId);
        Assert.Contains("both directions", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(refused.Message.Split(' '), w => w.StartsWith("-", StringComparison.Ordinal)); // the engine names no parameter
        Assert.Empty(_contoso.Exchange.Calls);

        options.PartnerDisablesLegacy = true;
        MigrationPreparation prep = await Prepare(options, twoSided: false);
        Assert.Null(prep.Partner);
        Assert.Null(RelationshipMigration.CheckOneSided(false, new MigrationOptions()));
    }

    [Fact]
    public async Task One_side_with_the_acknowledgement_grants_and_disables_only_this_side()
    {
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true, PartnerDisablesLegacy = true }, twoSided: false);
        Assert.Equal("fabrikam.com", prep.Local.PartnerName);
        await GrantBoth(prep);
        LegacyChangeResult change = await Run(_migration.ChangeLegacyAsync(prep, enable: false, _events, CancellationToken.None));
        Assert.True(change.Local.Changed);
        Assert.Null(change.Partner);
        Assert.False(_contoso.Exchange.EnabledOf("Fabrikam"));
        Assert.True(_fabrikam.Exchange.EnabledOf("Contoso"));
        Assert.Empty(_fabrikam.Graph.Requests);
    }

    [Fact]
    public async Task Relationships_that_carry_other_features_are_kept_and_say_how_to_split_them()
    {
        _fabrikam.Exchange.Relationship("Contoso", new[] { "contoso.com" }, features: new[] { "MailboxMoveEnabled", "PhotosEnabled" });
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        EngineException kept = prep.Sides.Select(s => s.CutoverBlocker).First(b => b != null)!;
        Assert.Equal(ErrorIds.LegacyFeaturesInUse, kept.ErrorId);
        Assert.Contains("MailboxMoveEnabled, PhotosEnabled", kept.Message, StringComparison.Ordinal);
        Assert.Null(prep.Local.CutoverBlocker);
        // The grant is still possible: only the disable is kept back.
        Assert.NotNull(prep.Partner!.Request);
    }

    [Fact]
    public async Task A_sharing_policy_rule_for_the_partner_blocks_the_cutover_and_an_address_space_only_warns()
    {
        _contoso.Exchange.SharingPolicies.Add(FakeExchange.Object(("Name", "Partners"), ("Enabled", true),
            ("Domains", new object?[] { "*:CalendarSharingFreeBusySimple", "fabrikam.com:CalendarSharingFreeBusyDetail, ContactsSharing" })));
        _contoso.Exchange.SharingPolicies.Add(FakeExchange.Object(("Name", "Off"), ("Enabled", false), ("Domains", new object?[] { "fabrikam.com:CalendarSharingFreeBusyReviewer" })));
        _fabrikam.Exchange.AddressSpaces.Add(FakeExchange.Object(("ForestName", "contoso.com"), ("AccessMethod", "OrgWideFBToken")));
        _fabrikam.Exchange.AddressSpaces.Add(FakeExchange.Object(("ForestName", "litware.com"), ("AccessMethod", "OrgWideFBToken")));
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });

        OtherLegacySharing rule = Assert.Single(prep.Local.OtherSharing);
        Assert.Equal("fabrikam.com:CalendarSharingFreeBusyDetail, ContactsSharing", rule.Detail);
        Assert.Equal(ErrorIds.LegacyFeaturesInUse, prep.Local.CutoverBlocker!.ErrorId);
        Assert.Contains("sharing policy 'Partners'", prep.Local.CutoverBlocker.Message, StringComparison.Ordinal);
        OtherLegacySharing space = Assert.Single(prep.Partner!.OtherSharing);
        Assert.False(space.BlocksCutover);
        Assert.Null(prep.Partner.CutoverBlocker);
        Assert.Contains(_events.Warnings, w => w.Contains("availability address space 'contoso.com'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Other_legacy_objects_are_not_read_unless_the_relationships_are_to_be_disabled()
    {
        await Prepare();
        Assert.DoesNotContain("Get-SharingPolicy", _contoso.Exchange.Calls);
        Assert.DoesNotContain("Get-SharingPolicy", _fabrikam.Exchange.Calls);
    }

    [Theory]
    [InlineData("O365 to On-premises - 5c4b3a2f", "fabrikam.com", "outlook.com", "hybrid")]
    [InlineData("Own", "contoso.com", "outlook.com", "hybrid")]
    [InlineData("Adatum", "fabrikam.com", null, "on-premises")]
    public async Task Hybrid_and_on_premises_relationships_are_not_migrated(string name, string domain, string? application, string reason)
    {
        _contoso.Exchange.Relationship(name, new[] { domain }, targetApplicationUri: application,
            targetAutodiscoverEpr: application == null ? "https://mail.adatum.com/autodiscover/autodiscover.svc/WSSecurity" : null);
        MigrationPreparation prep = await Prepare(identity: name);
        Assert.Equal(ErrorIds.MigrationNotApplicable, prep.Blocker!.ErrorId);
        Assert.Contains(reason, prep.Blocker.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorIds.MigrationNotApplicable, prep.Partner!.Error!.ErrorId);
        Assert.Empty(_contoso.Graph.Requests);
        Assert.Empty(_fabrikam.Graph.Requests);
        Assert.Empty(_lookup.Asked);
    }

    [Fact]
    public async Task Domains_of_two_tenants_an_unknown_domain_and_a_consumer_domain_are_clear_errors()
    {
        _contoso.Exchange.Relationship("Mixed", new[] { "fabrikam.com", "litware.com" });
        EngineException mixed = await Assert.ThrowsAsync<EngineException>(() => Prepare(identity: "Mixed", twoSided: false));
        Assert.Equal(ErrorIds.PartnerTenantMismatch, mixed.ErrorId);
        Assert.Contains("fabrikam.com -> " + Ids.Fabrikam, mixed.Message, StringComparison.Ordinal);
        Assert.Contains("litware.com -> " + Ids.Litware, mixed.Message, StringComparison.Ordinal);

        _contoso.Exchange.Relationship("Unknown", new[] { "fabrikam.com", "nowhere.example" });
        EngineException unknown = await Assert.ThrowsAsync<EngineException>(() => Prepare(identity: "Unknown", twoSided: false));
        Assert.Equal(ErrorIds.PartnerTenantNotFound, unknown.ErrorId);
        Assert.Contains("'Unknown' covers nowhere.example", unknown.Message, StringComparison.Ordinal);

        _contoso.Exchange.Relationship("Consumer", new[] { "outlook.com" });
        EngineException consumer = await Assert.ThrowsAsync<EngineException>(() => Prepare(identity: "Consumer", twoSided: false));
        Assert.Equal(ErrorIds.PartnerTenantIsConsumer, consumer.ErrorId);

        EngineException missing = await Assert.ThrowsAsync<EngineException>(() => Prepare(identity: "Nope", twoSided: false));
        Assert.Equal(ErrorIds.OrganizationRelationshipNotFound, missing.ErrorId);
        Assert.Empty(_contoso.Graph.Requests);
    }

    [Fact]
    public async Task A_partner_connection_to_another_tenant_is_a_mismatch_and_nothing_is_read_there()
    {
        using var litware = new FakeTenant("litware.onmicrosoft.com", Ids.Litware, _time, new[] { "litware.com" });
        EngineException ex = await Assert.ThrowsAsync<EngineException>(() =>
            Run(_migration.PrepareAsync(_contoso.Side, litware.Side, "Fabrikam", new MigrationOptions(), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.PartnerTenantMismatch, ex.ErrorId);
        Assert.Contains(Ids.Fabrikam, ex.Message, StringComparison.Ordinal);
        Assert.Contains(Ids.Litware, ex.Message, StringComparison.Ordinal);
        Assert.Empty(litware.Exchange.Calls);
    }

    [Fact]
    public async Task A_partner_without_a_relationship_for_this_tenant_has_nothing_to_grant_or_disable()
    {
        using var empty = new FakeTenant("fabrikam.onmicrosoft.com", Ids.Fabrikam, _time, new[] { "fabrikam.com" });
        MigrationPreparation prep = await Run(_migration.PrepareAsync(_contoso.Side, empty.Side, "Fabrikam", new MigrationOptions { DisableLegacy = true }, _events,
            CancellationToken.None));
        Assert.Null(prep.Blocker);
        Assert.Null(prep.Partner!.Relationship);
        Assert.Null(prep.Partner.Request);
        await Run(_migration.GrantAsync(prep.Local, _events, CancellationToken.None));
        LegacyChangeResult change = await Run(_migration.ChangeLegacyAsync(prep, enable: false, _events, CancellationToken.None));
        Assert.True(change.Local.Changed);
        Assert.Null(change.Partner);
        Assert.Empty(empty.Graph.Requests);
    }

    [Fact]
    public async Task A_partner_relationship_shared_with_a_third_tenant_or_split_in_two_is_not_migrated()
    {
        _fabrikam.Exchange.Relationship("Contoso", new[] { "contoso.com", "litware.com" });
        MigrationPreparation shared = await Prepare();
        Assert.Equal(ErrorIds.MigrationNotApplicable, shared.Blocker!.ErrorId);
        Assert.Contains("litware.com", shared.Blocker.Message, StringComparison.Ordinal);

        _fabrikam.Exchange.Relationship("Contoso", new[] { "contoso.com" });
        _fabrikam.Exchange.Relationship("Contoso initial", new[] { "contoso.onmicrosoft.com" });
        MigrationPreparation split = await Prepare();
        Assert.Equal(ErrorIds.MigrationNotApplicable, split.Blocker!.ErrorId);
        Assert.Contains("merge them into one", split.Blocker.Message, StringComparison.Ordinal);
        Assert.Empty(_contoso.Graph.Requests);
    }

    [Fact]
    public async Task A_missing_permission_fails_the_grant_with_the_backends_id_and_leaves_the_relationship_alone()
    {
        _fabrikam.Tokens.TokenFor = _ => Jwts.AppOnly("Policy.Read.All");
        _fabrikam.Graph.Before = r => r.Method == "POST" ? new GraphAnswer { Status = 403, Body = "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}" } : null;
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        await Run(_migration.GrantAsync(prep.Local, _events, CancellationToken.None));
        EngineException ex = await Assert.ThrowsAnyAsync<EngineException>(() => Run(_migration.GrantAsync(prep.Partner!, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.GraphPermissionMissing, ex.ErrorId);
        Assert.Contains("Policy.ReadWrite.CrossTenantAccess", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _contoso.Exchange.Sets + _fabrikam.Exchange.Sets);
    }

    [Fact]
    public async Task A_restricted_trust_is_refused_unless_replacing_it_was_asked_for()
    {
        _contoso.Graph.AddPartner(Ids.Fabrikam, "{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"a1b2c3d4-0000-4000-8000-000000000001\",\"targetType\":\"group\"}]}}");
        MigrationPreparation prep = await Prepare();
        EngineException refused = await Assert.ThrowsAnyAsync<EngineException>(() => Run(_migration.GrantAsync(prep.Local, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.CrossTenantTrustRestricted, refused.ErrorId);
        Assert.Empty(_contoso.Graph.Writes);

        MigrationPreparation forced = await Prepare(new MigrationOptions { ExistingTrust = ExistingTrustHandling.Replace });
        await Run(_migration.GrantAsync(forced.Local, _events, CancellationToken.None));
        Assert.Equal(FakeXtapGraph.AllUsersTrust, _contoso.Graph.Partners[Ids.Fabrikam].Inbound!.ToJsonString());
    }

    [Fact]
    public async Task A_grant_stopped_half_way_is_finished_by_the_next_run_without_a_duplicate()
    {
        MigrationPreparation prep = await Prepare();
        using var stop = new CancellationTokenSource();
        _contoso.Graph.Before = r =>
        {
            if (r.Method == "PATCH") stop.Cancel(); // the trust is written, then the run is stopped
            return null;
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(_migration.GrantAsync(prep.Local, _events, stop.Token)));
        Assert.Empty(_contoso.Allowed(Ids.Fabrikam));
        _contoso.Graph.Before = null;

        SideGrant finished = await Run(_migration.GrantAsync((await Prepare()).Local, _events, CancellationToken.None));
        Assert.True(finished.Changed);
        Assert.Single(_contoso.Graph.Requests, r => r.Method == "POST" && r.PathAndQuery.EndsWith("/partners", StringComparison.Ordinal));
        Assert.Equal(2, _contoso.Graph.Partners[Ids.Fabrikam].Capabilities.Count);
        Assert.Equal(2, _contoso.Graph.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Throttling_is_waited_out_and_the_grant_lands_once()
    {
        int throttled = 0;
        _fabrikam.Graph.Before = r =>
        {
            if (r.Method == "POST" && r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal) && throttled++ < 2)
            {
                return new GraphAnswer { Status = 429, Body = "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Too many requests.\"}}" };
            }
            return null;
        };
        MigrationPreparation prep = await Prepare();
        SideGrant grant = await Run(_migration.GrantAsync(prep.Partner!, _events, CancellationToken.None));
        Assert.Equal(FreeBusyAccessLevel.LimitedDetails, grant.FreeBusy);
        Assert.Equal(3, _fabrikam.Graph.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal)));
        Assert.Single(_fabrikam.Graph.Partners[Ids.Contoso].Capabilities);
    }

    [Fact]
    public async Task An_exchange_administrator_alone_is_told_the_trust_needs_a_security_or_global_administrator()
    {
        _contoso.Tokens.TokenFor = _ => Jwts.Delegated("Policy.Read.All Policy.ReadWrite.CrossTenantAccess Policy.ReadWrite.CrossTenantCapability",
            new[] { EntraRole.ExchangeAdministrator.TemplateId });
        _contoso.Graph.Before = r => r.Method == "PATCH"
            ? new GraphAnswer { Status = 403, Body = "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}" }
            : null;
        MigrationPreparation prep = await Prepare(new MigrationOptions { DisableLegacy = true });
        EngineException ex = await Assert.ThrowsAnyAsync<EngineException>(() => Run(_migration.GrantAsync(prep.Local, _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.GraphRoleMissing, ex.ErrorId);
        Assert.Contains("Security Administrator", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Global Administrator", ex.Message, StringComparison.Ordinal);
        Assert.True(_contoso.Exchange.EnabledOf("Fabrikam"));
    }

    [Fact]
    public async Task A_capability_write_that_times_out_after_it_was_applied_is_found_on_the_retry_not_created_twice()
    {
        bool hung = false;
        _fabrikam.Graph.ApplyThenHang = r =>
        {
            if (hung || r.Method != "POST" || !r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal)) return false;
            hung = true;
            return true;
        };
        MigrationPreparation prep = await Prepare();
        SideGrant grant = await Run(_migration.GrantAsync(prep.Partner!, _events, CancellationToken.None));
        Assert.True(hung);
        Assert.Equal(FreeBusyAccessLevel.LimitedDetails, grant.FreeBusy);
        Assert.Single(_fabrikam.Graph.Partners[Ids.Contoso].Capabilities);
        Assert.Equal(2, _fabrikam.Graph.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal)));
    }
}
