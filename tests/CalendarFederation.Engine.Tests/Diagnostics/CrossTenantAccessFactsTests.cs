using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Diagnostics.Checks;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.Tests.CrossTenantAccess;
using CalendarFederation.Engine.Tests.Graph;
using CalendarFederation.Engine.Tests.Relationships;
using CalendarFederation.Engine.Tests.Support;
using CalendarFederation.Sandbox.AdminApi;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CalendarFederation.Engine.Tests.Diagnostics;

/// <summary>
/// How the cross-tenant access facts are read: each side's policy through a stateful fake Graph (a Graph failure becomes
/// the fact's Failure, naming the missing permission or role), the mailbox against resource scopes through a scripted admin
/// API, EwsEnabled and the other legacy objects. Every wait is on the fake clock.
/// </summary>
public sealed class CrossTenantAccessFactsTests : IDisposable
{
    private const string Tid = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c22";
    private const string Lee = "f0000001-0000-4000-8000-000000000002";
    private const string GroupId = "f0000a00-0000-4000-8000-000000000001";
    private static readonly string Insufficient = "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeXtapGraph _graph;
    private readonly FakeGraphTokens _tokens = new();
    private readonly GraphClient _client;
    private readonly RecordingEvents _events = new();

    public CrossTenantAccessFactsTests()
    {
        _graph = new FakeXtapGraph(_time);
        _client = new GraphClient(new GraphClientOptions { Tenant = Jwts.TenantId, MaxRetries = 3, AttemptTimeout = TimeSpan.FromSeconds(30) },
            _tokens, _graph, disposeHandler: false, _time, new TenantGateRegistry(_time));
    }

    public void Dispose() => _client.Dispose();

    private Task<PolicyRead> Read() =>
        Clock.Run(_time, CrossTenantAccessFacts.ReadPolicyAsync(() => new CrossTenantAccessClient(_client), "contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com", Tid,
            _events, CancellationToken.None));

    [Fact]
    public async Task No_partner_configuration_is_read_as_such_in_one_request()
    {
        PolicyRead read = await Read();
        Assert.True(read.IsRead);
        Assert.False(read.HasPartner);
        Assert.False(read.Grants);
        Assert.Equal(new[] { "GET ~/partners/" + Tid }, _graph.Lines);
    }

    [Fact]
    public async Task A_partner_with_its_own_trust_and_capabilities_is_read_without_the_default()
    {
        _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust).Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] =
            FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic);
        PolicyRead read = await Read();
        Assert.True(read.Grants);
        Assert.Equal(TrustState.AllUsers, read.EffectiveTrust!.State);
        Assert.Equal("contoso.onmicrosoft.com grants fabrikam.onmicrosoft.com AvailabilityOnly", read.DescribeGrant());
        Assert.Equal(new[] { "GET ~/partners/" + Tid, "GET ~/partners/" + Tid + "/m365Capabilities" }, _graph.Lines);
    }

    [Fact]
    public async Task An_inherited_trust_is_read_from_the_default_and_an_unset_default_counts_as_blocked()
    {
        _graph.AddPartner(Tid).Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] = FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic);
        PolicyRead unset = await Read();
        Assert.Equal(TrustState.Inherited, unset.State!.Trust.State);
        Assert.Equal(TrustState.Blocked, unset.EffectiveTrust!.State);
        Assert.False(unset.Grants);
        Assert.Contains("GET ~/default", _graph.Lines);

        _graph.DefaultInbound = System.Text.Json.Nodes.JsonNode.Parse(FakeXtapGraph.AllUsersTrust);
        PolicyRead allowed = await Read();
        Assert.Equal(TrustState.AllUsers, allowed.EffectiveTrust!.State);
        Assert.True(allowed.Grants);
    }

    [Fact]
    public async Task A_403_for_an_app_without_the_permission_becomes_a_failure_naming_it()
    {
        _tokens.TokenFor = _ => Jwts.AppOnly("Exchange.ManageAsApp");
        _graph.Before = _ => new GraphAnswer { Status = 403, Body = Insufficient };
        PolicyRead read = await Read();
        Assert.False(read.IsRead);
        Assert.Contains("does not hold the application permission Policy.Read.All (or Policy.ReadWrite.CrossTenantAccess)", read.Failure);
        Assert.StartsWith("Grant Policy.Read.All (or Policy.ReadWrite.CrossTenantAccess) to the connection's app", read.FailureRecommendation);
    }

    [Fact]
    public async Task A_403_for_an_admin_without_a_role_becomes_a_failure_naming_the_roles()
    {
        _tokens.TokenFor = _ => Jwts.Delegated("Policy.Read.All", new[] { EntraRole.ExchangeAdministrator.TemplateId });
        _graph.Before = _ => new GraphAnswer { Status = 403, Body = Insufficient };
        PolicyRead read = await Read();
        Assert.Contains("holds none of the roles", read.Failure);
        Assert.Contains("Global Reader", read.Failure);
        Assert.StartsWith("Assign the signed-in account one of the roles ", read.FailureRecommendation);
        Assert.Contains("Security Reader", read.FailureRecommendation);
    }

    [Fact]
    public async Task A_connection_without_a_Graph_token_becomes_a_failure_not_an_exception()
    {
        _tokens.Fail = new EngineException(ErrorIds.GraphTokenRequired, ErrorKind.AuthenticationError, "This connection has no way to get a Microsoft Graph token.");
        PolicyRead read = await Read();
        Assert.Equal("This connection has no way to get a Microsoft Graph token.", read.Failure);
        Assert.Contains("-GraphAccessToken", read.FailureRecommendation);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task Cancellation_is_not_turned_into_a_finding()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CrossTenantAccessFacts.ReadPolicyAsync(() => new CrossTenantAccessClient(_client),
            "contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com", Tid, _events, cancelled.Token));
    }

    // --- the mailbox against resource scopes ------------------------------------------------------

    private static string Mailbox(string address, string objectId) =>
        "{\"PrimarySmtpAddress\":\"" + address + "\",\"ExternalDirectoryObjectId\":\"" + objectId + "\"}";

    private static M365Capability Capability(string included, string excluded = "") => new(M365CapabilityNames.CalendarAvailabilityBasic, null,
        new InboundAccess(true, new ResourceScopes(Scopes(included), Scopes(excluded))), null);

    private static ResourceScope[] Scopes(string entries) =>
        entries.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(e => new ResourceScope(e.Split(':')[0], e.Split(':')[1])).ToArray();

    private static async Task<(MailboxScopeRead? Read, ScriptedExchange Exchange)> ScopeAsync(string mailbox, M365Capability capability, Action<ScriptedExchange> script,
        int limit = 10_000)
    {
        var exchange = new ScriptedExchange();
        script(exchange);
        using AdminApiClient api = Fakes.Client(exchange);
        MailboxScopeRead? read = await ScopeReader.ReadAsync(api, mailbox, new[] { capability }, limit, NullEngineEvents.Instance, CancellationToken.None);
        return (read, exchange);
    }

    [Fact]
    public async Task All_holds_every_mailbox_with_one_read()
    {
        var (read, exchange) = await ScopeAsync("lee@fabrikam.com", Capability("All:user"), e => e.Ok(Mailbox("lee@fabrikam.com", Lee)));
        Assert.Equal(ScopeOutcome.InScope, read!.Outcome);
        Assert.Equal(new[] { "Get-Mailbox" }, exchange.Sent.Select(s => s.CmdletName));
    }

    [Fact]
    public async Task A_group_scope_is_resolved_by_object_id_then_its_members_are_listed()
    {
        string group = "{\"Name\":\"FreeBusyShared\",\"ExternalDirectoryObjectId\":\"" + GroupId + "\"}";
        var (inside, sent) = await ScopeAsync("lee@fabrikam.com", Capability(GroupId + ":group"),
            e => e.Ok(Mailbox("lee@fabrikam.com", Lee)).Ok(group).Ok(Mailbox("lee@fabrikam.com", Lee)));
        Assert.Equal(ScopeOutcome.InScope, inside!.Outcome);
        Assert.Equal("lee@fabrikam.com is included (a member of 'FreeBusyShared')", inside.Detail);
        Assert.Equal(new[] { "Get-Mailbox", "Get-Group", "Get-DistributionGroupMember" }, sent.Sent.Select(s => s.CmdletName));
        Assert.Equal(GroupId, (string?)sent.Sent[1].Parameters["Identity"]);
        Assert.Equal("FreeBusyShared", (string?)sent.Sent[2].Parameters["Identity"]);
        Assert.Equal("10001", (string?)sent.Sent[2].Parameters["ResultSize"]);

        var (outside, _) = await ScopeAsync("nestor@fabrikam.com", Capability(GroupId + ":group"),
            e => e.Ok(Mailbox("nestor@fabrikam.com", "f0000001-0000-4000-8000-000000000009")).Ok(group).Ok(Mailbox("lee@fabrikam.com", Lee)));
        Assert.Equal(ScopeOutcome.OutOfScope, outside!.Outcome);
        Assert.Equal($"nestor@fabrikam.com is not among group {GroupId} (not a member of 'FreeBusyShared')", outside.Detail);
    }

    [Fact]
    public async Task Excluded_wins_and_a_group_too_large_to_list_leaves_it_undecided()
    {
        var (excluded, _) = await ScopeAsync("lee@fabrikam.com", Capability("All:user", Lee + ":user"), e => e.Ok(Mailbox("lee@fabrikam.com", Lee)));
        Assert.Equal(ScopeOutcome.OutOfScope, excluded!.Outcome);
        Assert.Equal($"lee@fabrikam.com is excluded (user {Lee})", excluded.Detail);

        string group = "{\"Name\":\"Big\"}";
        var (large, _) = await ScopeAsync("lee@fabrikam.com", Capability(GroupId + ":group"),
            e => e.Ok(Mailbox("lee@fabrikam.com", Lee)).Ok(group).Ok(Mailbox("a@fabrikam.com", "x"), Mailbox("b@fabrikam.com", "y"), Mailbox("c@fabrikam.com", "z")), limit: 2);
        Assert.Equal(ScopeOutcome.Unknown, large!.Outcome);
        Assert.Equal("'Big' has more than 2 members, too many to list", large.Detail);
    }

    [Fact]
    public async Task A_group_that_is_gone_holds_nobody_and_an_unknown_mailbox_says_nothing()
    {
        var (gone, _) = await ScopeAsync("lee@fabrikam.com", Capability(GroupId + ":group"),
            e => e.Ok(Mailbox("lee@fabrikam.com", Lee)).Fail(ExchangeErrorException.ObjectNotFound(GroupId)));
        Assert.Equal(ScopeOutcome.OutOfScope, gone!.Outcome);
        Assert.Contains($"the group {GroupId} does not exist", gone.Detail);

        var (unknown, _) = await ScopeAsync("nobody@fabrikam.com", Capability("All:user"), e => e.Fail(ExchangeErrorException.ObjectNotFound("nobody@fabrikam.com")));
        Assert.Null(unknown);
    }

    // --- EwsEnabled and the other legacy objects ---------------------------------------------------

    [Theory]
    [InlineData("{\"EwsEnabled\":null}", "NotSet")]
    [InlineData("{\"EwsEnabled\":true}", "True")]
    [InlineData("{\"EwsEnabled\":false}", "False")]
    [InlineData("{\"Name\":\"contoso\"}", "Unknown")]
    public async Task EwsEnabled_is_read_as_set_not_set_or_unknown(string config, string state)
    {
        EwsState expected = Enum.Parse<EwsState>(state);
        var exchange = new ScriptedExchange().Ok(config);
        using AdminApiClient api = Fakes.Client(exchange);
        Assert.Equal(expected, await CrossTenantAccessFacts.ReadEwsAsync(api, "contoso.onmicrosoft.com", NullEngineEvents.Instance, CancellationToken.None));
        Assert.Equal("Get-OrganizationConfig", Assert.Single(exchange.Sent).CmdletName);
    }

    [Fact]
    public async Task Address_spaces_and_sharing_rules_for_the_other_side_count_others_do_not()
    {
        var exchange = new ScriptedExchange()
            .Ok("{\"ForestName\":\"fabrikam.com\",\"AccessMethod\":\"OrgWideFBToken\"}", "{\"ForestName\":\"tailspin.com\",\"AccessMethod\":\"OrgWideFBToken\"}")
            .Ok("{\"Name\":\"Default Sharing Policy\",\"Enabled\":true,\"Domains\":[\"Anonymous:CalendarSharingFreeBusyReviewer\",\"*:CalendarSharingFreeBusySimple\"]}",
                "{\"Name\":\"Partners\",\"Enabled\":true,\"Domains\":[\"fabrikam.co.uk:CalendarSharingFreeBusyDetail, ContactsSharing\",\"fabrikam.com:ContactsSharing\"]}",
                "{\"Name\":\"Old\",\"Enabled\":false,\"Domains\":[\"fabrikam.com:CalendarSharingFreeBusySimple\"]}");
        using AdminApiClient api = Fakes.Client(exchange);
        LegacyExtras extras = await CrossTenantAccessFacts.ReadExtrasAsync(api, "contoso.onmicrosoft.com", new[] { "fabrikam.com", "fabrikam.co.uk" },
            NullEngineEvents.Instance, CancellationToken.None);
        Assert.Equal(new[] { "fabrikam.com" }, extras.AddressSpaces);
        Assert.Equal(new[] { ("Partners", "fabrikam.co.uk:CalendarSharingFreeBusyDetail, ContactsSharing") }, extras.SharingRules);
    }
}
