using System.Text.Json.Nodes;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Graph;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.Tests.Graph;
using CalendarFederation.Engine.Tests.Relationships;
using CalendarFederation.Engine.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CalendarFederation.Engine.Tests.CrossTenantAccess;

/// <summary>
/// The backend end to end against a stateful fake of Graph's X-TAP endpoints: the wire form of every call, idempotency,
/// 409s, the replication window and its bound, verification, interrupted runs, the trust rule, and scope groups.
/// </summary>
public sealed class CrossTenantAccessServiceTests : IDisposable
{
    private const string Tid = "90e29127-71ad-49c7-9ce8-db3f41ea06f1";
    private const string Partners = "~/partners";
    private const string Partner = "~/partners/" + Tid;
    private const string Caps = Partner + "/m365Capabilities";
    private const string SalesId = "0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeXtapGraph _graph;
    private readonly FakeGraphTokens _tokens = new();
    private readonly RecordingEvents _events = new();
    private readonly GraphClient _client;
    private readonly ScriptedExchange _exchange = new();
    private readonly AdminApiClient _adminApi;

    public CrossTenantAccessServiceTests()
    {
        _graph = new FakeXtapGraph(_time);
        _client = new GraphClient(new GraphClientOptions { Tenant = Jwts.TenantId, MaxRetries = 3, AttemptTimeout = TimeSpan.FromSeconds(30) },
            _tokens, _graph, disposeHandler: false, _time, new TenantGateRegistry(_time));
        _adminApi = Fakes.Client(_exchange);
    }

    public void Dispose()
    {
        _client.Dispose();
        _adminApi.Dispose();
    }

    private CrossTenantAccessService Service(bool withGroups = false) =>
        new(new CrossTenantAccessClient(_client), withGroups ? new ScopeGroupResolver(_adminApi) : null, _time);

    private Task<T> Run<T>(Task<T> task) => Clock.Run(_time, task, TimeSpan.FromMilliseconds(500));

    private static PartnerAccessRequest FreeBusy(FreeBusyAccessLevel level = FreeBusyAccessLevel.AvailabilityOnly, params string[] scope) =>
        new(Tid) { FreeBusy = level, FreeBusyScope = scope.Length == 0 ? null : scope };

    private const string TrustBody = "{\"m365CollaborationInbound\":{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}}";
    private const string BasicForAll = "{\"@odata.type\":\"#microsoft.graph.crossTenantCalendarAvailabilityBasic\",\"inboundAccess\":{\"isAllowed\":true,"
        + "\"resourceScopes\":{\"included\":[{\"resourceId\":\"All\",\"resourceType\":\"user\"}],\"excluded\":[]}}}";

    private string[] WriteLines => _graph.Writes.Select(r => r.Method + " " + r.PathAndQuery.Replace("/v1.0/policies/crossTenantAccessPolicy", "~") + " " + r.Body).ToArray();

    [Fact]
    public async Task A_first_apply_sends_exactly_the_documented_calls_in_order()
    {
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));

        Assert.Equal(new[]
        {
            "GET ~/default", "GET ~/default/m365Capabilities", "GET " + Partner,
            "POST " + Partners, "PATCH " + Partner, "POST " + Caps,
            "GET " + Partner, "GET " + Caps,
        }, _graph.Lines);
        Assert.Equal(new[]
        {
            "POST " + Partners + " {\"tenantId\":\"" + Tid + "\"}",
            "PATCH " + Partner + " " + TrustBody,
            "POST " + Caps + " " + BasicForAll,
        }, WriteLines);
        Assert.All(_graph.Requests, r => Assert.Equal("Bearer token-1", r.Headers["Authorization"]));
        Assert.All(_graph.Writes, r => Assert.Equal("application/json", r.Headers["Content-Type"]));
        Assert.True(result.Changed);
        Assert.Equal(new[] { PlanStepKind.CreatePartner, PlanStepKind.SetTrust, PlanStepKind.AddCapability }, result.Executed.Select(s => s.Kind));
        Assert.Equal(TrustState.AllUsers, result.State.Trust.State);
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, result.State.FreeBusy);
        Assert.Contains(_events.ProgressUpdates, p => p.Activity == "Cross-tenant access" && p.Status == "Add crossTenantCalendarAvailabilityBasic for all users");
        Assert.Contains(_events.ProgressUpdates, p => p.Completed);
    }

    [Fact]
    public async Task A_second_apply_sends_no_write()
    {
        await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        int writes = _graph.Writes.Count;
        int before = _graph.Requests.Count;
        PartnerAccessResult again = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.False(again.Changed);
        Assert.True(again.Plan.IsEmpty);
        Assert.Equal(writes, _graph.Writes.Count);
        Assert.All(_graph.Requests.Skip(before), r => Assert.Equal("GET", r.Method));
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, again.State.FreeBusy);
    }

    [Fact]
    public async Task Plan_alone_reads_and_never_writes()
    {
        PartnerAccessPlan plan = await Run(Service().PlanAsync(FreeBusy(FreeBusyAccessLevel.LimitedDetails), _events, CancellationToken.None));
        Assert.Equal(3, plan.Steps.Count);
        Assert.Empty(_graph.Writes);
    }

    [Fact]
    public async Task A_partner_created_by_someone_else_meanwhile_is_a_409_and_is_read_again_not_duplicated()
    {
        // Between our GET (404) and our POST, another admin creates the partner, with a scoped trust.
        bool raced = false;
        _graph.Before = r =>
        {
            if (!raced && r.Method == "POST" && r.PathAndQuery.EndsWith("/partners", StringComparison.Ordinal))
            {
                raced = true;
                _graph.AddPartner(Tid, "{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"" + SalesId + "\",\"targetType\":\"group\"}]}}");
            }
            return null;
        };
        var ex = await Assert.ThrowsAsync<EngineException>(() => Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.CrossTenantTrustRestricted, ex.ErrorId);
        Assert.Contains(SalesId, ex.Message);
        Assert.Equal(new[] { "POST " + Partners }, _graph.Writes.Select(w => w.Method + " " + w.PathAndQuery.Replace("/v1.0/policies/crossTenantAccessPolicy", "~")));
        Assert.Single(_graph.Partners);
    }

    [Fact]
    public async Task A_409_on_a_partner_that_is_as_wanted_continues_from_what_is_there()
    {
        _graph.Before = r =>
        {
            if (r.Method == "POST" && r.PathAndQuery.EndsWith("/partners", StringComparison.Ordinal) && !_graph.Partners.ContainsKey(Tid)) _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
            return null;
        };
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.Equal(new[] { "POST " + Partners + " {\"tenantId\":\"" + Tid + "\"}", "POST " + Caps + " " + BasicForAll }, WriteLines);
        Assert.Equal(new[] { PlanStepKind.AddCapability }, result.Executed.Select(s => s.Kind));
    }

    [Theory]
    [InlineData(409)]
    [InlineData(400)]
    public async Task A_capability_created_meanwhile_is_updated_only_if_it_differs(int duplicateStatus)
    {
        _graph.DuplicateStatus = duplicateStatus;
        _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        _graph.Before = r =>
        {
            if (r.Method == "POST" && r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal) && _graph.Partners[Tid].Capabilities.Count == 0)
            {
                _graph.Partners[Tid].Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] = FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic,
                    included: "[{\"resourceId\":\"" + SalesId + "\",\"resourceType\":\"group\"}]");
            }
            return null;
        };
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.Equal(new[] { "POST " + Caps, "PATCH " + Caps + "/crossTenantCalendarAvailabilityBasic" },
            _graph.Writes.Select(w => w.Method + " " + w.PathAndQuery.Replace("/v1.0/policies/crossTenantAccessPolicy", "~")));
        Assert.Equal(2, _graph.Writes.Count);
        Assert.Equal("PATCH", _graph.Writes[1].Method);
        Assert.Equal("{\"inboundAccess\":{\"isAllowed\":true,\"resourceScopes\":{\"included\":[{\"resourceId\":\"All\",\"resourceType\":\"user\"}],\"excluded\":[]}}}", _graph.Writes[1].Body);
        Assert.Single(_graph.Partners[Tid].Capabilities);
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, result.State.FreeBusy);
    }

    [Fact]
    public async Task A_capability_created_meanwhile_as_wanted_needs_no_further_write()
    {
        _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        _graph.Before = r =>
        {
            if (r.Method == "POST" && _graph.Partners[Tid].Capabilities.Count == 0)
            {
                _graph.Partners[Tid].Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] = FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic);
            }
            return null;
        };
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.Single(_graph.Writes);
        Assert.Empty(result.Executed);
        Assert.Single(_graph.Partners[Tid].Capabilities);
    }

    [Fact]
    public async Task Dependent_calls_wait_out_the_replication_window_on_the_clock()
    {
        _graph.ReplicationLag = 3; // PATCH trust: 404, 404, 404, then OK
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        GraphRequest[] patches = _graph.Requests.Where(r => r.Method == "PATCH").ToArray();
        Assert.Equal(4, patches.Length);
        TimeSpan[] gaps = Enumerable.Range(1, 3).Select(i => patches[i].At - patches[i - 1].At).ToArray();
        Assert.True(gaps[0] >= TimeSpan.FromSeconds(10) && gaps[0] < TimeSpan.FromSeconds(12), gaps[0].ToString());
        Assert.True(gaps[1] >= TimeSpan.FromSeconds(20) && gaps[1] < TimeSpan.FromSeconds(22), gaps[1].ToString());
        Assert.True(gaps[2] >= TimeSpan.FromSeconds(30) && gaps[2] < TimeSpan.FromSeconds(32), gaps[2].ToString());
        Assert.Contains(_events.ProgressUpdates, p => p.Status.Contains("Microsoft Graph answered 404 Request_ResourceNotFound right after the partner was configured")
            && p.Status.EndsWith("retrying in 10 s (attempt 2 of 6)", StringComparison.Ordinal));
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, result.State.FreeBusy);
        Assert.Single(_graph.Partners);
    }

    [Fact]
    public async Task A_capability_refused_with_400_right_after_the_trust_is_retried()
    {
        _graph.AddPartner(Tid); // inherited trust: this apply writes it, then the capability POST meets the window
        int refused = 0;
        _graph.Before = r => r.Method == "POST" && r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal) && refused++ < 2
            ? new GraphAnswer { Status = 400, Body = "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"The partner has no Microsoft 365 collaboration trust.\"}}" }
            : null;
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.Equal(3, _graph.Requests.Count(r => r.Method == "POST"));
        Assert.Single(_graph.Partners[Tid].Capabilities);
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, result.State.FreeBusy);
    }

    [Fact]
    public async Task The_replication_window_is_bounded()
    {
        _graph.ReplicationLag = 100;
        DateTimeOffset start = _time.GetUtcNow();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.CrossTenantAccessNotFound, ex.ErrorId);
        Assert.Equal(404, ex.Status);
        Assert.Equal(6, _graph.Requests.Count(r => r.Method == "PATCH")); // the first try and five retries
        TimeSpan elapsed = _time.GetUtcNow() - start;
        Assert.True(elapsed >= TimeSpan.FromSeconds(150) && elapsed < TimeSpan.FromSeconds(200), elapsed.ToString());
        Assert.DoesNotContain(_graph.Writes, w => w.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_create_in_this_run_a_404_is_not_waited_out()
    {
        _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust).Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] =
            FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic, allowed: false);
        _graph.Before = r => r.Method == "PATCH" ? new GraphAnswer { Status = 400, Body = "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"Invalid group.\"}}" } : null;
        DateTimeOffset start = _time.GetUtcNow();
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None)));
        Assert.Equal(400, ex.Status);
        Assert.Single(_graph.Writes);
        Assert.True(_time.GetUtcNow() - start < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_read_back_that_lags_is_waited_for_then_verified()
    {
        _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        _graph.StaleReads = 1;
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, result.State.FreeBusy);
        Assert.Contains(_events.ProgressUpdates, p => p.Status == $"Partner {Tid}: waiting 10 s for Microsoft Graph to show the change (check 2 of 6)");
        Assert.Single(_graph.Writes);
    }

    [Fact]
    public async Task A_read_back_that_never_shows_the_change_is_not_verified()
    {
        _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        _graph.StaleReads = 1000;
        var ex = await Assert.ThrowsAsync<CrossTenantAccessNotVerifiedException>(() => Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.CrossTenantAccessNotVerified, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidResult, ex.Kind);
        Assert.Equal(Tid, ex.Target);
        Assert.Contains("Add crossTenantCalendarAvailabilityBasic for all users", ex.Message);
        Assert.Equal(PlanStepKind.AddCapability, Assert.Single(ex.Outstanding).Kind);
        Assert.Equal(FreeBusyAccessLevel.None, ex.State.FreeBusy);
        Assert.Single(_graph.Writes); // it never writes again while it verifies
    }

    [Fact]
    public async Task An_apply_cancelled_after_the_capability_landed_is_finished_by_a_rerun_without_duplicates()
    {
        // The capability POST is applied by the service, but its answer never comes; the admin presses Ctrl+C.
        _graph.ApplyThenHang = r => r.Method == "POST" && r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal) && _graph.Partners[Tid].Capabilities.Count == 1
            && _graph.Requests.Count(x => x.Method == "POST" && x.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal)) == 1;
        using var cts = new CancellationTokenSource();
        Task<PartnerAccessResult> first = Service().ApplyAsync(FreeBusy(), _events, cts.Token);
        await Clock.Within(_graph.WaitForRequestsAsync(6), "the capability POST"); // GET default, GET caps, GET partner, POST partner, PATCH trust, POST capability
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Within(first, "the cancelled apply"));
        Assert.Single(_graph.Partners[Tid].Capabilities);

        _graph.ApplyThenHang = null;
        int before = _graph.Writes.Count;
        PartnerAccessResult rerun = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.Equal(before, _graph.Writes.Count); // everything was there: no POST, no PATCH
        Assert.Single(_graph.Partners);
        Assert.Single(_graph.Partners[Tid].Capabilities);
        Assert.Single(_graph.Writes, w => w.PathAndQuery.EndsWith("/partners", StringComparison.Ordinal));
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, rerun.State.FreeBusy);
    }

    [Fact]
    public async Task An_apply_cancelled_in_the_replication_wait_is_finished_by_a_rerun()
    {
        _graph.ReplicationLag = 1;
        using var cts = new CancellationTokenSource();
        Task<PartnerAccessResult> first = Service().ApplyAsync(FreeBusy(), _events, cts.Token);
        await Clock.Until(() => _events.ProgressUpdates.Any(p => p.Status.Contains("retrying in 10 s", StringComparison.Ordinal)), "the replication wait");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Within(first, "the cancelled apply"));
        Assert.Null(_graph.Partners[Tid].Inbound); // stopped before the trust was written

        PartnerAccessResult rerun = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.Equal(new[] { PlanStepKind.SetTrust, PlanStepKind.AddCapability }, rerun.Executed.Select(s => s.Kind));
        Assert.Single(_graph.Writes, w => w.PathAndQuery.EndsWith("/partners", StringComparison.Ordinal));
        Assert.Single(_graph.Partners[Tid].Capabilities);
    }

    [Fact]
    public async Task A_scoped_trust_stops_the_apply_before_any_write_and_force_replaces_it()
    {
        _graph.AddPartner(Tid, "{\"users\":{\"accessType\":\"allowed\",\"targets\":[{\"target\":\"" + SalesId + "\",\"targetType\":\"group\"}]}}");
        var ex = await Assert.ThrowsAsync<EngineException>(() => Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.CrossTenantTrustRestricted, ex.ErrorId);
        Assert.Empty(_graph.Writes);

        PartnerAccessRequest force = FreeBusy();
        force.ExistingTrust = ExistingTrustHandling.Replace;
        await Run(Service().ApplyAsync(force, _events, CancellationToken.None));
        Assert.Equal(new[] { "PATCH " + Partner + " " + TrustBody, "POST " + Caps + " " + BasicForAll }, WriteLines);
    }

    [Fact]
    public async Task Exactly_one_free_busy_level_is_left()
    {
        FakeXtapGraph.PartnerEntry p = _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        p.Capabilities[M365CapabilityNames.CalendarAvailabilityBasic] = FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityBasic);
        p.Capabilities[M365CapabilityNames.CalendarAvailabilityLimitedDetails] = FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityLimitedDetails);
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(FreeBusyAccessLevel.LimitedDetails), _events, CancellationToken.None));
        Assert.Equal(new[] { "DELETE " + Caps + "/crossTenantCalendarAvailabilityBasic " }, WriteLines);
        Assert.Equal(new[] { M365CapabilityNames.CalendarAvailabilityLimitedDetails }, p.Capabilities.Keys);
        Assert.Single(result.State.Allowed(CapabilityFamily.FreeBusy));
    }

    [Fact]
    public async Task A_level_the_default_grants_is_disabled_on_the_partner_and_the_default_is_never_written()
    {
        _graph.DefaultCapabilities[M365CapabilityNames.CalendarAvailabilityLimitedDetails] = FakeXtapGraph.Capability(M365CapabilityNames.CalendarAvailabilityLimitedDetails);
        PartnerAccessResult result = await Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None));
        Assert.Equal(new[]
        {
            "POST " + Partners + " {\"tenantId\":\"" + Tid + "\"}",
            "PATCH " + Partner + " " + TrustBody,
            "POST " + Caps + " {\"@odata.type\":\"#microsoft.graph.crossTenantCalendarAvailabilityLimitedDetails\",\"inboundAccess\":{\"isAllowed\":false,"
                + "\"resourceScopes\":{\"included\":[{\"resourceId\":\"All\",\"resourceType\":\"user\"}],\"excluded\":[]}}}",
            "POST " + Caps + " " + BasicForAll,
        }, WriteLines);
        Assert.DoesNotContain(_graph.Writes, w => w.PathAndQuery.Contains("/default", StringComparison.Ordinal));
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, result.State.FreeBusy);
        Assert.Single(_graph.DefaultCapabilities);
    }

    [Fact]
    public async Task Revoking_everything_deletes_each_feature_and_leaves_the_trust()
    {
        FakeXtapGraph.PartnerEntry p = _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        foreach (string name in new[] { M365CapabilityNames.CalendarAvailabilityBasic, M365CapabilityNames.MailTipsAll, M365CapabilityNames.CalendarSharingFreeBusyDetail,
                     M365CapabilityNames.PlacesRoomBooking, M365CapabilityNames.OpenProfileCard })
        {
            p.Capabilities[name] = FakeXtapGraph.Capability(name);
        }
        PartnerAccessResult result = await Run(Service().ApplyAsync(PartnerAccessRequest.Revoke(Tid, AccessFeatures.All), _events, CancellationToken.None));
        Assert.Equal(4, _graph.Writes.Count);
        Assert.All(_graph.Writes, w => Assert.Equal("DELETE", w.Method));
        Assert.Equal(new[] { M365CapabilityNames.OpenProfileCard }, p.Capabilities.Keys);
        Assert.Equal(FakeXtapGraph.AllUsersTrust, p.Inbound!.ToJsonString());
        Assert.Equal(FreeBusyAccessLevel.None, result.State.FreeBusy);
        Assert.False(result.State.RoomBooking);

        int before = _graph.Writes.Count;
        await Run(Service().ApplyAsync(PartnerAccessRequest.Revoke(Tid, AccessFeatures.All), _events, CancellationToken.None));
        Assert.Equal(before, _graph.Writes.Count);
    }

    [Fact]
    public async Task A_capability_already_deleted_is_not_an_error()
    {
        FakeXtapGraph.PartnerEntry p = _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        p.Capabilities[M365CapabilityNames.MailTipsAll] = FakeXtapGraph.Capability(M365CapabilityNames.MailTipsAll);
        _graph.Before = r =>
        {
            if (r.Method == "DELETE") p.Capabilities.Clear();
            return null;
        };
        PartnerAccessResult result = await Run(Service().ApplyAsync(PartnerAccessRequest.Revoke(Tid, AccessFeatures.MailTips), _events, CancellationToken.None));
        Assert.Empty(result.Executed);
        Assert.Equal(MailTipsAccessLevel.None, result.State.MailTips);
    }

    [Fact]
    public async Task Where_xtap_is_not_offered_the_error_says_so()
    {
        _graph.Before = r => r.PathAndQuery.EndsWith("/m365Capabilities", StringComparison.Ordinal)
            ? new GraphAnswer { Status = 400, Body = "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Resource not found for the segment 'm365Capabilities'.\"}}" }
            : null;
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.CrossTenantAccessNotAvailable, ex.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, ex.Kind);
        Assert.Contains("graph.microsoft.com", ex.Message);
        Assert.Empty(_graph.Writes);
    }

    [Fact]
    public async Task A_403_on_a_capability_write_names_the_exchange_or_global_administrator_role()
    {
        _tokens.TokenFor = _ => Jwts.Delegated("Policy.ReadWrite.CrossTenantCapability Policy.ReadWrite.CrossTenantAccess Policy.Read.All",
            new[] { EntraRole.SecurityAdministrator.TemplateId });
        _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        _graph.Before = r => r.Method == "POST"
            ? new GraphAnswer { Status = 403, Body = "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}" }
            : null;
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.GraphRoleMissing, ex.ErrorId);
        Assert.Equal(new[] { EntraRole.ExchangeAdministrator, EntraRole.GlobalAdministrator }, ex.MissingRoles);
        Assert.Contains("change the Microsoft 365 capability crossTenantCalendarAvailabilityBasic", ex.Message);

        var rooms = new PartnerAccessRequest(Tid) { RoomBooking = true };
        var roomEx = await Assert.ThrowsAsync<GraphException>(() => Run(Service().ApplyAsync(rooms, _events, CancellationToken.None)));
        Assert.Equal(new[] { EntraRole.GlobalAdministrator }, roomEx.MissingRoles);
    }

    [Fact]
    public async Task A_403_on_the_trust_names_security_or_global_administrator()
    {
        _tokens.TokenFor = _ => Jwts.Delegated("Policy.ReadWrite.CrossTenantCapability Policy.ReadWrite.CrossTenantAccess", new[] { EntraRole.ExchangeAdministrator.TemplateId });
        _graph.AddPartner(Tid);
        _graph.Before = r => r.Method == "PATCH"
            ? new GraphAnswer { Status = 403, Body = "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}" }
            : null;
        var ex = await Assert.ThrowsAsync<GraphException>(() => Run(Service().ApplyAsync(FreeBusy(), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.GraphRoleMissing, ex.ErrorId);
        Assert.Equal(new[] { EntraRole.SecurityAdministrator, EntraRole.GlobalAdministrator }, ex.MissingRoles);
    }

    // --- the wire client alone ------------------------------------------------------------------

    [Fact]
    public async Task Partners_are_listed_across_pages_and_a_missing_one_is_null()
    {
        _graph.PageSize = 2;
        string[] ids = Enumerable.Range(1, 5).Select(i => $"00000000-0000-4000-8000-00000000000{i}").ToArray();
        foreach (string id in ids) _graph.AddPartner(id, id.EndsWith('3') ? FakeXtapGraph.AllUsersTrust : null);
        var client = new CrossTenantAccessClient(_client);
        IReadOnlyList<PartnerConfiguration> all = await Run(client.ListPartnersAsync(_events, CancellationToken.None));
        Assert.Equal(ids, all.Select(p => p.TenantId));
        Assert.Equal(TrustState.AllUsers, all[2].InboundTrust.State);
        Assert.Equal(3, _graph.Requests.Count);
        Assert.Null(await Run(client.GetPartnerAsync(Tid, _events, CancellationToken.None)));
        PartnerAccessState absent = await Run(client.GetPartnerStateAsync(Tid.ToUpperInvariant(), _events, CancellationToken.None));
        Assert.False(absent.Exists);
        Assert.Equal(Tid, absent.PartnerTenantId);
        Assert.Equal(ErrorIds.InvalidArgument, (await Assert.ThrowsAsync<EngineException>(() => client.GetPartnerAsync("contoso.com", _events, CancellationToken.None))).ErrorId);
    }

    [Fact]
    public async Task The_default_policy_is_read_with_its_capabilities()
    {
        _graph.DefaultInbound = JsonNode.Parse("{\"users\":{\"accessType\":\"blocked\",\"targets\":[{\"target\":\"AllUsers\",\"targetType\":\"user\"}]}}");
        _graph.DefaultCapabilities[M365CapabilityNames.AnonymousCalendarSharingFreeBusySimple] = FakeXtapGraph.Capability(M365CapabilityNames.AnonymousCalendarSharingFreeBusySimple);
        CrossTenantDefaultPolicy policy = await Run(new CrossTenantAccessClient(_client).GetDefaultAsync(_events, CancellationToken.None));
        Assert.Equal(TrustState.Blocked, policy.InboundTrust.State);
        Assert.True(policy.Grants(M365CapabilityNames.AnonymousCalendarSharingFreeBusySimple));
        Assert.Equal(new[] { "GET ~/default", "GET ~/default/m365Capabilities" }, _graph.Lines);
    }

    [Fact]
    public async Task Update_and_delete_use_the_capability_name_in_the_path()
    {
        FakeXtapGraph.PartnerEntry p = _graph.AddPartner(Tid, FakeXtapGraph.AllUsersTrust);
        p.Capabilities[M365CapabilityNames.MailTipsLimited] = FakeXtapGraph.Capability(M365CapabilityNames.MailTipsLimited);
        var client = new CrossTenantAccessClient(_client);
        await Clock.Run(_time, client.UpdateCapabilityAsync(Tid, M365CapabilityNames.MailTipsLimited, new InboundAccess(false, ResourceScopes.Everyone("user")), _events, CancellationToken.None));
        await Clock.Run(_time, client.DeleteCapabilityAsync(Tid, M365CapabilityNames.MailTipsLimited, _events, CancellationToken.None));
        Assert.Equal(new[]
        {
            "PATCH " + Caps + "/crossTenantMailTipsLimited {\"inboundAccess\":{\"isAllowed\":false,\"resourceScopes\":{\"included\":[{\"resourceId\":\"All\",\"resourceType\":\"user\"}],\"excluded\":[]}}}",
            "DELETE " + Caps + "/crossTenantMailTipsLimited ",
        }, WriteLines);
        Assert.Empty(p.Capabilities);
    }

    // --- scope groups through the admin API -----------------------------------------------------

    private static string Group(string name, string? objectId, string type = "MailUniversalSecurityGroup") =>
        "{\"Name\":\"" + name + "\",\"DisplayName\":\"" + name + "\",\"PrimarySmtpAddress\":\"" + name.ToLowerInvariant() + "@contoso.com\",\"RecipientTypeDetails\":\"" + type + "\""
        + (objectId == null ? "" : ",\"ExternalDirectoryObjectId\":\"" + objectId + "\"") + ",\"Guid\":\"5d1e7c1a-0000-4000-8000-00000000abcd\"}";

    [Fact]
    public async Task A_scope_group_named_by_the_admin_is_resolved_to_its_entra_object_id()
    {
        _exchange.Ok(Group("Sales", SalesId));
        PartnerAccessResult result = await Run(Service(withGroups: true).ApplyAsync(FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, "Sales"), _events, CancellationToken.None));
        SentCommand get = Assert.Single(_exchange.Sent);
        Assert.Equal("Get-DistributionGroup", get.CmdletName);
        Assert.Equal("Sales", (string)get.Parameters["Identity"]!);
        Assert.Equal("POST " + Caps + " {\"@odata.type\":\"#microsoft.graph.crossTenantCalendarAvailabilityBasic\",\"inboundAccess\":{\"isAllowed\":true,"
            + "\"resourceScopes\":{\"included\":[{\"resourceId\":\"" + SalesId + "\",\"resourceType\":\"group\"}],\"excluded\":[]}}}", WriteLines[2]);
        Assert.Equal($"Add crossTenantCalendarAvailabilityBasic for group Sales ({SalesId})", result.Executed[2].Description);
        Assert.Equal(SalesId, Assert.Single(result.ScopeGroups).ObjectId);
        Assert.Empty(_events.Warnings);
    }

    [Fact]
    public async Task A_guid_is_checked_and_the_groups_entra_id_is_used()
    {
        const string exchangeGuid = "5d1e7c1a-0000-4000-8000-00000000abcd";
        _exchange.Ok(Group("Sales", SalesId));
        PartnerAccessPlan plan = await Run(Service(withGroups: true).PlanAsync(FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, exchangeGuid), _events, CancellationToken.None));
        Assert.Equal(exchangeGuid, (string)Assert.Single(_exchange.Sent).Parameters["Identity"]!);
        Assert.Equal(SalesId, plan.Steps.Last().Access!.Scopes.Included[0].ResourceId);
        Assert.Contains(_events.VerboseLines, l => l.Contains("whose Entra object id is " + SalesId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_entra_object_id_that_get_distributiongroup_does_not_know_is_resolved_through_get_recipient()
    {
        // Get-DistributionGroup's GUID is Exchange's; a grant's resourceScopes (and so an exported fleet file) hold the
        // Entra object id, which Get-Recipient takes.
        _exchange.Fail(Fakes.NotFound(SalesId)).Ok(Group("Sales", SalesId));
        PartnerAccessPlan plan = await Run(Service(withGroups: true).PlanAsync(FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, SalesId), _events, CancellationToken.None));
        Assert.Equal(new[] { "Get-DistributionGroup", "Get-Recipient" }, _exchange.Sent.Select(c => c.CmdletName));
        Assert.All(_exchange.Sent, c => Assert.Equal(SalesId, (string)c.Parameters["Identity"]!));
        Assert.Equal(SalesId, plan.Steps.Last().Access!.Scopes.Included[0].ResourceId);
    }

    [Fact]
    public async Task An_object_id_that_names_a_mailbox_is_not_a_scope_group()
    {
        _exchange.Fail(Fakes.NotFound(SalesId)).Ok("{\"Name\":\"alex\",\"RecipientTypeDetails\":\"UserMailbox\",\"ExternalDirectoryObjectId\":\"" + SalesId + "\"}");
        var ex = await Assert.ThrowsAsync<EngineException>(() => Run(Service(withGroups: true).PlanAsync(FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, SalesId), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.ScopeGroupNotFound, ex.ErrorId);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task A_scope_group_used_twice_is_resolved_once_and_a_distribution_list_warns()
    {
        _exchange.Ok(Group("Everyone", SalesId, "MailUniversalDistributionGroup"));
        var request = new PartnerAccessRequest(Tid) { FreeBusy = FreeBusyAccessLevel.AvailabilityOnly, FreeBusyScope = new[] { "Everyone" },
            MailTips = MailTipsAccessLevel.Limited, MailTipsScope = new[] { "everyone" } };
        await Run(Service(withGroups: true).PlanAsync(request, _events, CancellationToken.None));
        Assert.Single(_exchange.Sent);
        Assert.Contains("not a mail-enabled security group", Assert.Single(_events.Warnings));
    }

    [Theory]
    [InlineData("notfound")]
    [InlineData("none")]
    [InlineData("two")]
    [InlineData("noid")]
    [InlineData("ambiguous")]
    public async Task A_scope_group_that_does_not_resolve_stops_before_any_graph_call(string how)
    {
        switch (how)
        {
            case "notfound": _exchange.Fail(Fakes.NotFound("Nobody")); break;
            case "none": _exchange.Ok(); break;
            case "two": _exchange.Ok(Group("Nobody", SalesId), Group("Nobody2", "ad4fc698-74dc-4f62-9e71-ba9b591e8e74")); break;
            case "noid": _exchange.Ok(Group("Nobody", null)); break;
            case "ambiguous":
                _exchange.Answer(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Error executing cmdlet\",\"details\":[{\"message\":\"Ex|Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException|The operation couldn't be performed because 'Nobody' matches multiple entries.\"}]}}");
                break;
        }
        var ex = await Assert.ThrowsAsync<EngineException>(() => Run(Service(withGroups: true).ApplyAsync(FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, "Nobody"), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.ScopeGroupNotFound, ex.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
        Assert.Equal("Nobody", ex.Target);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task Without_an_admin_api_only_object_ids_are_accepted()
    {
        var ex = await Assert.ThrowsAsync<EngineException>(() => Run(Service().PlanAsync(FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, "Sales"), _events, CancellationToken.None)));
        Assert.Equal(ErrorIds.ScopeGroupNotFound, ex.ErrorId);
        PartnerAccessPlan plan = await Run(Service().PlanAsync(FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, SalesId), _events, CancellationToken.None));
        Assert.Equal(SalesId, plan.Steps.Last().Access!.Scopes.Included[0].ResourceId);
    }
}
