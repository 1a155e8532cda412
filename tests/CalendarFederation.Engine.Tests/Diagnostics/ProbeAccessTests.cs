using System.Net;
using System.Text;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Availability;
using CalendarFederation.Engine.Diagnostics;
using CalendarFederation.Engine.Diagnostics.Checks;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Http;
using Microsoft.Identity.Client;
using Xunit;
using static CalendarFederation.Engine.Tests.Diagnostics.DiagnosticsWorld;

namespace CalendarFederation.Engine.Tests.Diagnostics;

/// <summary>
/// The probe's own token (issue 13, item 7): it asks exactly the permission getSchedule needs, and when the consent or
/// the permission is missing it says so as an Info (FreeBusyProbeNotRun), never as a free/busy failure.
/// </summary>
public class ProbeAccessTests
{
    private const string ExchangeClient = "fb78d390-0c51-40cd-8e17-fdbfab77341b";
    private const string AutomationApp = "c0a5e000-0000-4000-8000-000000000001";
    private const string AccessDenied = "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access is denied. Check credentials and try again.\"," +
        "\"innerError\":{\"date\":\"2026-12-03T09:00:00\",\"request-id\":\"9f0e\",\"client-request-id\":\"9f0e\"}}}";

    [Fact]
    public void The_scope_is_Calendars_ReadBasic_for_a_user_and_default_for_an_app()
    {
        var graph = new Uri("https://graph.microsoft.com/v1.0/");
        Assert.Equal("https://graph.microsoft.com/Calendars.ReadBasic", ScheduleAccess.Scope(graph, appOnly: false));
        Assert.Equal("https://graph.microsoft.com/.default", ScheduleAccess.Scope(graph, appOnly: true));
        Assert.Equal("Calendars.ReadBasic (or Calendars.Read or Calendars.ReadWrite)", ScheduleAccess.Delegated.DescribePermissions());
        Assert.Equal("Calendars.ReadBasic.All (or Calendars.Read or Calendars.ReadWrite)", ScheduleAccess.Application.DescribePermissions());
    }

    [Fact]
    public async Task A_user_without_consent_gets_an_Info_naming_the_permission_and_the_app_and_the_verdict_stands()
    {
        var tokens = new ScriptedTokens(_ => throw new SignInException("AuthenticationRequired", "The session can no longer be refreshed silently (invalid_grant).",
            new MsalUiRequiredException("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application with ID '" + ExchangeClient +
                "' named 'Microsoft Exchange REST API Based Powershell'. Send an interactive authorization request for this user and resource.\r\nTrace ID: 1")));
        var http = new ScriptedHttp(_ => throw new InvalidOperationException("getSchedule must not be asked without a token"));

        List<Finding> findings = await ProbeAsync(Session(tokens, http, appOnly: false, ExchangeClient), requester: null);

        Assert.Equal(new[] { "https://graph.microsoft.com/Calendars.ReadBasic" }, tokens.Scopes);
        Finding notRun = Assert.Single(findings, f => f.Check == CheckIds.FreeBusyProbeNotRun);
        Assert.Equal(FindingSeverity.Info, notRun.Severity);
        Assert.Equal("Probe", notRun.Side);
        Assert.Equal("The free/busy probe could not run: no Microsoft Graph token for https://graph.microsoft.com/Calendars.ReadBasic (AADSTS65001: The user or " +
            "administrator has not consented to use the application with ID '" + ExchangeClient + "' named 'Microsoft Exchange REST API Based Powershell'. Send an " +
            "interactive authorization request for this user and resource.); grant Calendars.ReadBasic to " + ExchangeClient +
            ". The other findings stand; only the live question was not asked.", notRun.Message);
        Assert.StartsWith($"Grant app {ExchangeClient} the Microsoft Graph delegated permission Calendars.ReadBasic (admin consent in contoso.onmicrosoft.com)",
            notRun.Recommendation);
        Assert.Contains("an app registration of your own", notRun.Recommendation);
        AssertNoFreeBusyVerdict(findings);
        Assert.Contains(CheckIds.NoProblemsFound, Checks(findings));
    }

    [Fact]
    public async Task An_app_refused_by_getSchedule_gets_an_Info_naming_the_application_permission()
    {
        var tokens = new ScriptedTokens(_ => new AccessTokenResult("app-token", DateTimeOffset.UtcNow.AddHours(1), ContosoId, null));
        var http = new ScriptedHttp(_ => Json(HttpStatusCode.Forbidden, AccessDenied));

        List<Finding> findings = await ProbeAsync(Session(tokens, http, appOnly: true, AutomationApp), requester: "alex@contoso.com");

        Assert.Equal(new[] { "https://graph.microsoft.com/.default" }, tokens.Scopes);
        Assert.Equal("https://graph.microsoft.com/v1.0/users/alex%40contoso.com/calendar/getSchedule", Assert.Single(http.Asked).ToString());
        Finding notRun = Assert.Single(findings, f => f.Check == CheckIds.FreeBusyProbeNotRun);
        Assert.Equal(FindingSeverity.Info, notRun.Severity);
        Assert.Equal("The free/busy probe could not run: Microsoft Graph refused getSchedule (HTTP 403: Access is denied. Check credentials and try again.); " +
            $"grant Calendars.ReadBasic.All to {AutomationApp}. The other findings stand; only the live question was not asked.", notRun.Message);
        Assert.Equal($"Grant app {AutomationApp} the Microsoft Graph application permission Calendars.ReadBasic.All (or Calendars.Read or Calendars.ReadWrite) " +
            "with admin consent in contoso.onmicrosoft.com.", notRun.Recommendation);
        AssertNoFreeBusyVerdict(findings);
        Assert.Contains(CheckIds.NoProblemsFound, Checks(findings));
    }

    [Fact]
    public async Task Consent_errors_straight_from_MSAL_and_a_first_party_client_not_preauthorized_are_not_run_too()
    {
        foreach (MsalException error in new MsalException[]
        {
            new MsalServiceException("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application."),
            new MsalUiRequiredException("invalid_grant", "AADSTS65002: Consent between first party application and first party resource must be configured via preauthorization."),
        })
        {
            var tokens = new ScriptedTokens(_ => throw error);
            List<Finding> findings = await ProbeAsync(Session(tokens, new ScriptedHttp(_ => throw new InvalidOperationException()), appOnly: false, ExchangeClient), null);
            Assert.Equal(FindingSeverity.Info, Assert.Single(findings, f => f.Check == CheckIds.FreeBusyProbeNotRun).Severity);
            AssertNoFreeBusyVerdict(findings);
        }
    }

    [Fact]
    public async Task Other_failures_stay_a_failed_question_naming_the_permission()
    {
        var tokens = new ScriptedTokens(_ => new AccessTokenResult("app-token", DateTimeOffset.UtcNow.AddHours(1), ContosoId, null));
        var http = new ScriptedHttp(_ => Json(HttpStatusCode.InternalServerError, "{\"error\":{\"code\":\"ErrorInternalServerError\",\"message\":\"Something broke.\"}}"));

        List<Finding> findings = await ProbeAsync(Session(tokens, http, appOnly: true, AutomationApp), requester: "alex@contoso.com");

        Finding failed = Assert.Single(findings, f => f.Check == CheckIds.FreeBusyProbeFailed);
        Assert.Equal(FindingSeverity.Warning, failed.Severity);
        Assert.Equal("The probe uses Microsoft Graph getSchedule; it needs the permission Calendars.ReadBasic.All (or Calendars.Read or Calendars.ReadWrite).",
            failed.Recommendation);
        Assert.DoesNotContain(CheckIds.FreeBusyProbeNotRun, Checks(findings));
    }

    private static void AssertNoFreeBusyVerdict(List<Finding> findings)
    {
        string[] checks = Checks(findings);
        foreach (string id in new[] { CheckIds.FreeBusyNotVisible, CheckIds.FreeBusyProbeFailed, CheckIds.FreeBusyVisibleAvailabilityOnly, CheckIds.FreeBusyVisibleLimitedDetails })
        {
            Assert.DoesNotContain(id, checks);
        }
        Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Blocking || f.Severity == FindingSeverity.Warning);
    }

    private static Task<List<Finding>> ProbeAsync(TenantSession session, string? requester)
    {
        TenantSnapshot local = new(session, ContosoOrg, ContosoOrg, ContosoDomains, false, new List<AdminObject> { ContosoForFabrikam() });
        TenantSnapshot partner = Fabrikam(FabrikamForContoso());
        DiagnosticsContext context = Context(Request(local, partner, "lee@fabrikam.com", requester), local, partner);
        context.Provide(Rediscovery.Fact, Fresh("fabrikam.onmicrosoft.com"));
        context.Provide(ProbeChecks.CalendarPermission, "AvailabilityOnly");
        return RunAsync(context);
    }

    private static TenantSession Session(ITokenSource tokens, ScriptedHttp http, bool appOnly, string appId)
    {
        var request = new SignInRequest
        {
            Mode = appOnly ? SignInMode.ClientSecret : SignInMode.DeviceCode,
            Organization = ContosoOrg,
            ClientId = appId,
            Http = new HttpSettings { HandlerFactory = () => http },
        };
        var api = new AdminApiClient(new AdminApiOptions { Tenant = ContosoOrg, AnchorMailbox = "APP:probe-test@" + ContosoOrg, GateKey = "probe-test-" + Guid.NewGuid() },
            tokens, new ScriptedHttp(r => throw new InvalidOperationException("A check called the admin API: " + r.RequestUri)), disposeHandler: true);
        return new TenantSession(request, tokens, api, ContosoId, ContosoOrg, appOnly ? null : "admin@contoso.onmicrosoft.com", appId, appOnly,
            DateTimeOffset.UtcNow.AddHours(1), null);
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private sealed class ScriptedTokens : ITokenSource
    {
        private readonly Func<string?, AccessTokenResult> _answer;

        public ScriptedTokens(Func<string?, AccessTokenResult> answer) => _answer = answer;

        public List<string?> Scopes { get; } = new();

        public Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.Add(scope);
            return Task.FromResult(_answer(scope));
        }
    }

    private sealed class ScriptedHttp : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, HttpResponseMessage> _answer;

        public ScriptedHttp(Func<HttpRequestMessage, HttpResponseMessage> answer) => _answer = answer;

        public List<Uri> Asked { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Asked) Asked.Add(request.RequestUri!);
            return Task.FromResult(_answer(request));
        }
    }
}
