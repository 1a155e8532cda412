using System.Net;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Engine.Tests.Support;
using Xunit;
using static CalendarFederation.Engine.Tests.Fleet.FleetWorld;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>
/// The fleet reader with fake connectors and sessions: failures become the state's ReadError (never an empty state), the
/// file's tenant id is checked, and tenants are read side by side within the bound. A tenant read end to end against the
/// sandbox is covered by the hosted plan tests (tests/CalendarFederation.Tests/Fleet).
/// </summary>
public sealed class FleetStateReaderTests
{
    [Fact]
    public async Task A_connect_failure_is_the_tenants_read_error_and_the_other_tenants_are_still_read()
    {
        var connector = new FakeConnector(t => t.Name == "fabrikam"
            ? throw new EngineException(ErrorIds.FleetTenantConnectFailed, ErrorKind.AuthenticationError, "No secret in FABRIKAM_SECRET.", t.Name)
            : Session(t, FleetWorld.Tenants[t.Name].Id, HttpStatusCode.Forbidden));
        var events = new RecordingEvents();

        IReadOnlyDictionary<string, FleetTenantState> states = await FleetStateReader.ReadAllAsync(Definition(), connector, events, CancellationToken.None);

        Assert.Equal(3, states.Count);
        FleetTenantState fabrikam = states["FABRIKAM"];
        Assert.False(fabrikam.IsReadable);
        Assert.Equal(ErrorIds.FleetTenantConnectFailed, fabrikam.ReadError!.ErrorId);
        Assert.Null(fabrikam.CrossTenantAccess);
        Assert.Empty(fabrikam.Relationships);
        Assert.Equal(new[] { "contoso", "fabrikam", "tailspin" }, connector.Asked.OrderBy(n => n));
        Assert.Contains(events.ProgressUpdates, p => p.Completed && p.Status == "3 of 3 tenants read");
    }

    [Fact]
    public async Task An_admin_api_refusal_is_a_read_error_not_an_empty_tenant()
    {
        var connector = new FakeConnector(t => Session(t, FleetWorld.Tenants[t.Name].Id, HttpStatusCode.Forbidden));
        IReadOnlyDictionary<string, FleetTenantState> states = await FleetStateReader.ReadAllAsync(Definition(), connector, NullEngineEvents.Instance, CancellationToken.None);

        Assert.All(states.Values, s =>
        {
            Assert.False(s.IsReadable);
            Assert.Equal(ErrorIds.AccessDenied, s.ReadError!.ErrorId);
            Assert.NotNull(s.Session);
        });
        foreach (FleetTenantState s in states.Values) s.Session!.Dispose();
    }

    [Fact]
    public async Task A_sign_in_for_another_tenant_id_than_the_file_says_is_refused()
    {
        var connector = new FakeConnector(t => Session(t, t.Name == "contoso" ? FabrikamId : FleetWorld.Tenants[t.Name].Id, HttpStatusCode.Forbidden));
        IReadOnlyDictionary<string, FleetTenantState> states = await FleetStateReader.ReadAllAsync(Definition(), connector, NullEngineEvents.Instance, CancellationToken.None);

        EngineException error = states["contoso"].ReadError!;
        Assert.Equal(ErrorIds.FleetTenantIdMismatch, error.ErrorId);
        Assert.Contains(ContosoId, error.Message);
        Assert.Contains(FabrikamId, error.Message);
        Assert.Equal(ErrorIds.AccessDenied, states["fabrikam"].ReadError!.ErrorId);
        foreach (FleetTenantState s in states.Values) s.Session!.Dispose();
    }

    [Fact]
    public async Task No_more_tenants_than_the_bound_are_read_at_once()
    {
        var def = new FleetDefinition();
        for (int i = 0; i < 7; i++) def.Tenants.Add(new FleetTenant { Name = "t" + i, Organization = $"t{i}.onmicrosoft.com" });
        int inFlight = 0, max = 0;
        var connector = new FakeConnector(async (FleetTenant t) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            lock (def) max = Math.Max(max, now);
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
            throw new EngineException(ErrorIds.FleetTenantConnectFailed, ErrorKind.AuthenticationError, "no", t.Name);
        });

        IReadOnlyDictionary<string, FleetTenantState> states = await FleetStateReader.ReadAllAsync(def, connector, NullEngineEvents.Instance, CancellationToken.None, concurrency: 2);

        Assert.Equal(7, states.Count);
        Assert.InRange(max, 1, 2);
    }

    [Fact]
    public async Task Later_tenants_sign_in_while_earlier_ones_are_read_and_reads_stay_within_the_bound()
    {
        var def = new FleetDefinition();
        for (int i = 0; i < 4; i++) def.Tenants.Add(new FleetTenant { Name = "t" + i, Organization = $"t{i}.onmicrosoft.com" });
        var releaseFirst = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var allSignedIn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = new Dictionary<string, int>();
        int signedIn = 0, maxTenantsReading = 0;
        var readTenants = new HashSet<string>();
        var connector = new FakeConnector(t =>
        {
            var handler = new CallbackHandler(async () =>
            {
                lock (inFlight)
                {
                    inFlight[t.Name] = inFlight.TryGetValue(t.Name, out int n) ? n + 1 : 1;
                    readTenants.Add(t.Name);
                    maxTenantsReading = Math.Max(maxTenantsReading, inFlight.Count(kv => kv.Value > 0));
                }
                if (t.Name == "t0") await releaseFirst.Task;
                lock (inFlight) inFlight[t.Name]--;
            });
            TenantSession session = Session(t, null, handler);
            if (Interlocked.Increment(ref signedIn) == def.Tenants.Count) allSignedIn.TrySetResult(true);
            return session;
        });

        Task<IReadOnlyDictionary<string, FleetTenantState>> reading = FleetStateReader.ReadAllAsync(def, connector, NullEngineEvents.Instance, CancellationToken.None, concurrency: 1);
        // Every tenant signs in while the first one's read is held: a sign-in does not wait for a reading slot.
        await allSignedIn.Task.WaitAsync(TimeSpan.FromSeconds(30));
        lock (inFlight) Assert.Equal(new[] { "t0" }, readTenants.ToArray());
        releaseFirst.SetResult(true);
        IReadOnlyDictionary<string, FleetTenantState> states = await reading;

        Assert.Equal(1, maxTenantsReading);
        Assert.Equal(4, readTenants.Count);
        // The admin API read is named first, so its refusal is the one reported, however late it comes.
        Assert.All(states.Values, s => Assert.Equal(ErrorIds.AccessDenied, s.ReadError!.ErrorId));
        foreach (FleetTenantState s in states.Values) s.Session!.Dispose();
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_read_error_too_and_names_the_tenant()
    {
        var connector = new FakeConnector((FleetTenant t) => Task.FromException<TenantSession>(t.Name == "tailspin"
            ? new InvalidOperationException("The connector broke.")
            : new EngineException(ErrorIds.FleetTenantConnectFailed, ErrorKind.AuthenticationError, "no", t.Name)));
        var events = new RecordingEvents();

        IReadOnlyDictionary<string, FleetTenantState> states = await FleetStateReader.ReadAllAsync(Definition(), connector, events, CancellationToken.None);

        EngineException error = states["tailspin"].ReadError!;
        Assert.Equal(ErrorIds.UnexpectedError, error.ErrorId);
        Assert.Equal("tailspin", error.Target);
        Assert.Contains("The connector broke.", error.Message);
        Assert.Contains(events.VerboseLines, l => l.StartsWith("tailspin could not be read (UnexpectedError)", StringComparison.Ordinal));
        Assert.Contains(events.ProgressUpdates, p => p.Status.Contains("(tailspin: not readable)"));
    }

    [Fact]
    public async Task Cancellation_is_not_a_read_error()
    {
        using var cts = new CancellationTokenSource();
        var connector = new FakeConnector(t =>
        {
            cts.Cancel();
            cts.Token.ThrowIfCancellationRequested();
            return (TenantSession)null!;
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FleetStateReader.ReadAllAsync(Definition(), connector, NullEngineEvents.Instance, cts.Token, concurrency: 1));
    }

    private static TenantSession Session(FleetTenant tenant, string? tenantId, HttpStatusCode status) => Session(tenant, tenantId, new StatusHandler(status));

    private static TenantSession Session(FleetTenant tenant, string? tenantId, HttpMessageHandler handler)
    {
        var tokens = new FixedTokens();
        var request = new SignInRequest { Mode = SignInMode.ClientSecret, Organization = tenant.Organization, ClientId = "00000000-0000-4000-8000-0000000000cc" };
        var api = new AdminApiClient(new AdminApiOptions { Tenant = tenant.Organization!, AnchorMailbox = "APP:fleet-test@" + tenant.Organization, GateKey = "fleet-test-" + tenant.Name },
            tokens, handler, disposeHandler: true);
        return new TenantSession(request, tokens, api, tenantId, tenant.Organization!, null, request.ClientId, isAppOnly: true, DateTimeOffset.UtcNow.AddHours(1), null);
    }

    private sealed class FakeConnector : IFleetTenantConnector
    {
        private readonly Func<FleetTenant, Task<TenantSession>> _connect;
        public FakeConnector(Func<FleetTenant, TenantSession> connect) => _connect = t => Task.FromResult(connect(t));
        public FakeConnector(Func<FleetTenant, Task<TenantSession>> connect) => _connect = connect;
        public System.Collections.Concurrent.ConcurrentBag<string> Asked { get; } = new();

        public Task<TenantSession> ConnectAsync(FleetTenant tenant, IEngineEvents events, CancellationToken cancellationToken)
        {
            Asked.Add(tenant.Name);
            return _connect(tenant);
        }
    }

    private sealed class FixedTokens : ITokenSource
    {
        public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken) =>
            Task.FromResult(new AccessTokenResult("fleet-test-token", DateTimeOffset.UtcNow.AddHours(1), null, null));
    }

    /// <summary>Answers 403 (as <see cref="StatusHandler"/>) once the callback has run.</summary>
    private sealed class CallbackHandler : HttpMessageHandler
    {
        private readonly Func<Task> _callback;
        public CallbackHandler(Func<Task> callback) => _callback = callback;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await _callback();
            return StatusHandler.Refusal(HttpStatusCode.Forbidden);
        }
    }

    private sealed class StatusHandler : HttpMessageHandler
    {
        private readonly HttpStatusCode _status;
        public StatusHandler(HttpStatusCode status) => _status = status;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(Refusal(_status));

        public static HttpResponseMessage Refusal(HttpStatusCode status) => new HttpResponseMessage(status)
        {
            Content = new StringContent("{\"error\":{\"code\":\"Forbidden\",\"message\":\"The caller has no role.\"}}", System.Text.Encoding.UTF8, "application/json"),
        };
    }
}
