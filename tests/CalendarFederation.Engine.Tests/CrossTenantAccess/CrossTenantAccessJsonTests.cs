using System.Text.Json;
using CalendarFederation.Engine.CrossTenantAccess;
using Xunit;

namespace CalendarFederation.Engine.Tests.CrossTenantAccess;

/// <summary>The X-TAP model: capability names and levels, tolerant parsing, and the exact request bodies.</summary>
public sealed class CrossTenantAccessJsonTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Theory]
    [InlineData(FreeBusyAccessLevel.AvailabilityOnly, "crossTenantCalendarAvailabilityBasic")]
    [InlineData(FreeBusyAccessLevel.LimitedDetails, "crossTenantCalendarAvailabilityLimitedDetails")]
    [InlineData(FreeBusyAccessLevel.None, null)]
    public void Free_busy_levels_map_to_the_capability_names(FreeBusyAccessLevel level, string? name)
    {
        Assert.Equal(name, M365CapabilityNames.For(level));
        if (name != null) Assert.Equal(level, M365CapabilityNames.FreeBusyLevelOf(name));
    }

    [Fact]
    public void MailTips_calendar_sharing_and_room_booking_map_too()
    {
        Assert.Equal("crossTenantMailTipsLimited", M365CapabilityNames.For(MailTipsAccessLevel.Limited));
        Assert.Equal("crossTenantMailTipsAll", M365CapabilityNames.For(MailTipsAccessLevel.All));
        Assert.Equal("crossTenantCalendarSharingFreeBusySimple", M365CapabilityNames.For(CalendarSharingAccessLevel.Simple));
        Assert.Equal("crossTenantCalendarSharingFreeBusyDetail", M365CapabilityNames.For(CalendarSharingAccessLevel.Detail));
        Assert.Equal("crossTenantCalendarSharingFreeBusyReviewer", M365CapabilityNames.For(CalendarSharingAccessLevel.Reviewer));
        Assert.Equal(new[] { "crossTenantPlacesRoomBooking" }, M365CapabilityNames.Members(CapabilityFamily.RoomBooking));
        Assert.Equal(CalendarSharingAccessLevel.Detail, M365CapabilityNames.CalendarSharingLevelOf("crossTenantCalendarSharingFreeBusyDetail"));
        Assert.Equal(MailTipsAccessLevel.All, M365CapabilityNames.MailTipsLevelOf("crossTenantMailTipsAll"));
        Assert.Equal(14, M365CapabilityNames.All.Count);
        Assert.Equal(14, M365CapabilityNames.All.Distinct().Count());
    }

    [Fact]
    public void Names_are_case_sensitive()
    {
        Assert.Equal(CapabilityFamily.FreeBusy, M365CapabilityNames.FamilyOf("crossTenantCalendarAvailabilityBasic"));
        Assert.Equal(CapabilityFamily.Other, M365CapabilityNames.FamilyOf("CrossTenantCalendarAvailabilityBasic"));
        Assert.False(M365CapabilityNames.IsKnown("AnonymousCalendarFreeBusySimple")); // the guide's misspelling (docs/cross-tenant-access.md §6.9)
        Assert.Equal("#microsoft.graph.crossTenantMailTipsAll", M365CapabilityNames.ODataTypeOf("crossTenantMailTipsAll"));
        Assert.Null(M365CapabilityNames.NameFromODataType("microsoft.graph.x"));
    }

    [Theory]
    [InlineData("{\"tenantId\":\"t\",\"m365CollaborationInbound\":null}", TrustState.Inherited)]
    [InlineData("{\"tenantId\":\"t\"}", TrustState.Inherited)]
    [InlineData("{\"tenantId\":\"t\",\"m365CollaborationInbound\":{\"users\":null}}", TrustState.Inherited)]
    [InlineData("{\"tenantId\":\"t\",\"m365CollaborationInbound\":{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}}", TrustState.AllUsers)]
    [InlineData("{\"tenantId\":\"t\",\"m365CollaborationInbound\":{\"users\":{\"accessType\":\"blocked\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}}", TrustState.Blocked)]
    [InlineData("{\"tenantId\":\"t\",\"m365CollaborationInbound\":{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10\",\"targetType\":\"group\"}]}}}", TrustState.Scoped)]
    [InlineData("{\"tenantId\":\"t\",\"m365CollaborationInbound\":{\"users\":{\"accessType\":\"blocked\",\"targets\":[{\"target\":\"0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10\",\"targetType\":\"user\"}]}}}", TrustState.Scoped)]
    [InlineData("{\"tenantId\":\"t\",\"m365CollaborationInbound\":{\"users\":{\"accessType\":\"unknownFutureValue\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}}", TrustState.Scoped)]
    public void The_trust_is_classified_and_never_guessed_wider(string json, TrustState state)
    {
        PartnerConfiguration partner = CrossTenantAccessJson.ParsePartner(Parse(json));
        Assert.Equal("t", partner.TenantId);
        Assert.Equal(state, partner.InboundTrust.State);
    }

    [Fact]
    public void A_scoped_trust_keeps_its_raw_targets_and_names_them()
    {
        CollaborationTrust trust = CrossTenantAccessJson.ParseTrust(Parse(
            "{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10\",\"targetType\":\"group\"},{\"target\":\"9a9a\",\"targetType\":\"user\"}]}}"));
        Assert.Equal("allowed", trust.AccessType);
        Assert.Equal(new[] { ("0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10", "group"), ("9a9a", "user") }, trust.Targets.Select(t => (t.Target!, t.TargetType!)));
        Assert.Equal("allowed for group 0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10, user 9a9a", trust.Describe());
    }

    [Fact]
    public void The_documented_list_response_parses()
    {
        // The v1.0 list example (G-V1LIST), values verbatim.
        string json = "{ \"value\": [" +
            "{ \"@odata.type\": \"#microsoft.graph.crossTenantOpenProfileCard\", \"name\": \"crossTenantOpenProfileCard\", \"lastModifiedDateTime\": \"2026-01-15T10:04:11.4531504Z\"," +
            " \"inboundAccess\": { \"isAllowed\": true, \"resourceScopes\": { \"included\": [ { \"resourceId\": \"ad4fc698-74dc-4f62-9e71-ba9b591e8e74\", \"resourceType\": \"group\" } ], \"excluded\": [] } } }," +
            "{ \"@odata.type\": \"#microsoft.graph.crossTenantCalendarSharingFreeBusySimple\", \"name\": \"crossTenantCalendarSharingFreeBusySimple\", \"lastModifiedDateTime\": \"2026-01-15T10:20:08.6953855Z\"," +
            " \"inboundAccess\": { \"isAllowed\": false, \"resourceScopes\": { \"included\": [ { \"resourceId\": \"ad4fc698-74dc-4f62-9e71-ba9b591e8e74\", \"resourceType\": \"group\" } ], \"excluded\": [] } } } ] }";
        M365Capability[] caps = Parse(json).GetProperty("value").EnumerateArray().Select(e => CrossTenantAccessJson.ParseCapability(e)!).ToArray();
        Assert.Equal(new[] { "crossTenantOpenProfileCard", "crossTenantCalendarSharingFreeBusySimple" }, caps.Select(c => c.Name));
        Assert.True(caps[0].IsAllowed);
        Assert.False(caps[1].IsAllowed);
        Assert.Equal(CapabilityFamily.CalendarSharing, caps[1].Family);
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 10, 4, 11, TimeSpan.Zero).AddTicks(4531504), caps[0].LastModifiedDateTime);
        ResourceScope scope = Assert.Single(caps[0].InboundAccess.Scopes.Included);
        Assert.Equal(("ad4fc698-74dc-4f62-9e71-ba9b591e8e74", "group"), (scope.ResourceId!, scope.ResourceType!));
        Assert.Empty(caps[0].InboundAccess.Scopes.Excluded);
    }

    [Fact]
    public void The_guides_empty_exclusion_is_tolerated_and_means_nothing()
    {
        M365Capability guide = CrossTenantAccessJson.ParseCapability(Parse(
            "{\"@odata.type\":\"#microsoft.graph.crossTenantCalendarAvailabilityBasic\",\"inboundAccess\":{\"isAllowed\":true,\"resourceScopes\":{\"included\":[{\"resourceId\":\"All\",\"resourceType\":\"user\"}],\"excluded\":[{}]}}}"))!;
        Assert.Equal("crossTenantCalendarAvailabilityBasic", guide.Name); // from @odata.type: there is no name
        Assert.True(Assert.Single(guide.InboundAccess.Scopes.Excluded).IsEmpty);
        Assert.True(guide.InboundAccess.SameAs(new InboundAccess(true, ResourceScopes.Everyone("user"))));
        Assert.False(guide.InboundAccess.SameAs(new InboundAccess(true, ResourceScopes.Everyone("group"))));
        Assert.False(guide.InboundAccess.SameAs(new InboundAccess(false, ResourceScopes.Everyone("user"))));
    }

    [Fact]
    public void Unknown_capabilities_are_kept_and_broken_ones_tolerated()
    {
        M365Capability future = CrossTenantAccessJson.ParseCapability(Parse("{\"@odata.type\":\"#microsoft.graph.crossTenantSomethingNew\",\"name\":\"crossTenantSomethingNew\"}"))!;
        Assert.False(future.IsKnown);
        Assert.Equal(CapabilityFamily.Other, future.Family);
        Assert.False(future.IsAllowed);
        Assert.Equal("#microsoft.graph.crossTenantSomethingNew", future.ODataType);
        Assert.Null(CrossTenantAccessJson.ParseCapability(Parse("{\"inboundAccess\":{}}")));
        Assert.Null(CrossTenantAccessJson.ParseCapability(Parse("[]")));
        M365Capability odd = CrossTenantAccessJson.ParseCapability(Parse(
            "{\"name\":\"crossTenantMailTipsAll\",\"lastModifiedDateTime\":\"yesterday\",\"inboundAccess\":{\"isAllowed\":\"yes\",\"resourceScopes\":{\"included\":[5,{\"resourceId\":\"All\"}],\"excluded\":null}}}"))!;
        Assert.False(odd.IsAllowed);
        Assert.Null(odd.LastModifiedDateTime);
        Assert.Equal(2, odd.InboundAccess.Scopes.Included.Count);
        Assert.True(odd.InboundAccess.Scopes.Included[0].IsEmpty);
        Assert.Empty(odd.InboundAccess.Scopes.Excluded);
    }

    [Fact]
    public void Scopes_compare_as_sets_ignoring_case_and_order()
    {
        var a = ResourceScopes.Groups(new[] { "0F5B2A86-3C11-4A59-9A4C-6F2C5E8D7B10", "ad4fc698-74dc-4f62-9e71-ba9b591e8e74" });
        var b = new ResourceScopes(new[] { new ResourceScope("ad4fc698-74dc-4f62-9e71-ba9b591e8e74", "Group"), new ResourceScope("0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10", "group") },
            new[] { new ResourceScope(null, null) });
        Assert.True(a.SameAs(b));
        Assert.False(a.SameAs(ResourceScopes.Groups(new[] { "ad4fc698-74dc-4f62-9e71-ba9b591e8e74" })));
    }

    [Fact]
    public void Request_bodies_are_exactly_the_documented_shapes()
    {
        Assert.Equal("{\"tenantId\":\"90e29127-71ad-49c7-9ce8-db3f41ea06f1\"}",
            CrossTenantAccessJson.CreatePartnerBody("90e29127-71ad-49c7-9ce8-db3f41ea06f1").ToJsonString());
        Assert.Equal("{\"m365CollaborationInbound\":{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}}",
            CrossTenantAccessJson.TrustBody(CollaborationTrust.AllUsersAllowed).ToJsonString());
        Assert.Equal("{\"@odata.type\":\"#microsoft.graph.crossTenantCalendarAvailabilityBasic\",\"inboundAccess\":{\"isAllowed\":true,\"resourceScopes\":"
            + "{\"included\":[{\"resourceId\":\"All\",\"resourceType\":\"user\"}],\"excluded\":[]}}}",
            CrossTenantAccessJson.CreateCapabilityBody("crossTenantCalendarAvailabilityBasic", new InboundAccess(true, ResourceScopes.Everyone("user"))).ToJsonString());
        Assert.Equal("{\"inboundAccess\":{\"isAllowed\":false,\"resourceScopes\":{\"included\":[{\"resourceId\":\"ad4fc698-74dc-4f62-9e71-ba9b591e8e74\",\"resourceType\":\"group\"}],\"excluded\":[]}}}",
            CrossTenantAccessJson.UpdateCapabilityBody(new InboundAccess(false, new ResourceScopes(
                new[] { new ResourceScope("ad4fc698-74dc-4f62-9e71-ba9b591e8e74", "group") }, new[] { new ResourceScope(null, null) }))).ToJsonString());
    }

    [Fact]
    public void Everyone_is_user_for_free_busy_mailtips_and_rooms_and_group_for_calendar_sharing()
    {
        Assert.Equal("user", XtapDecisions.EveryoneResourceType(CapabilityFamily.FreeBusy));
        Assert.Equal("user", XtapDecisions.EveryoneResourceType(CapabilityFamily.MailTips));
        Assert.Equal("user", XtapDecisions.EveryoneResourceType(CapabilityFamily.RoomBooking));
        Assert.Equal("group", XtapDecisions.EveryoneResourceType(CapabilityFamily.CalendarSharing));
    }

    [Fact]
    public void The_state_reports_the_allowed_level_of_each_family()
    {
        var state = new PartnerAccessState("90e29127-71ad-49c7-9ce8-db3f41ea06f1",
            new PartnerConfiguration("90e29127-71ad-49c7-9ce8-db3f41ea06f1", CollaborationTrust.AllUsersAllowed), new[]
            {
                new M365Capability("crossTenantCalendarAvailabilityLimitedDetails", null, new InboundAccess(true, ResourceScopes.Everyone("user")), null),
                new M365Capability("crossTenantMailTipsAll", null, new InboundAccess(false, ResourceScopes.Everyone("user")), null),
                new M365Capability("crossTenantPlacesRoomBooking", null, new InboundAccess(true, ResourceScopes.Everyone("user")), null),
            });
        Assert.Equal(FreeBusyAccessLevel.LimitedDetails, state.FreeBusy);
        Assert.Equal(MailTipsAccessLevel.None, state.MailTips);
        Assert.Equal(CalendarSharingAccessLevel.None, state.CalendarSharing);
        Assert.True(state.RoomBooking);
    }
}
