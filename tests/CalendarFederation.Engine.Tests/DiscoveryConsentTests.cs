using System.Collections.Concurrent;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Tests.Support;
using CalendarFederation.Sandbox;
using CalendarFederation.Sandbox.Faults;
using Xunit;

namespace CalendarFederation.Engine.Tests;

/// <summary>
/// Discovery with alternates is one engine call: it asks the admin through IEngineEvents.ConfirmAsync and goes on with the
/// answer. adatum.com's unsecured probe redirects to mail.adatum.com, which only an approved host may be asked.
/// </summary>
public class DiscoveryConsentTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxServer _sandbox;
    private readonly RoutingHandler _routing;

    public DiscoveryConsentTests(SandboxFixture fixture)
    {
        _sandbox = fixture.Server;
        _sandbox.State.ClearFaults();
        _sandbox.State.ClearRequests();
        _routing = new RoutingHandler(_sandbox.BaseUri, SandboxFixture.VirtualHosts);
    }

    private FederationDiscoveryClient Client(params string[] trusted) =>
        new(new DiscoveryOptions { AttemptTimeout = TimeSpan.FromSeconds(10), TrustedHostnames = trusted }, _routing);

    private int PostsTo(string host) => _routing.SentList.Count(s => s.StartsWith("POST https://" + host + "/", StringComparison.Ordinal));

    [Fact]
    public async Task A_yes_goes_on_at_the_alternate_in_the_same_call()
    {
        var events = new ConsentEvents(_ => true);
        using FederationDiscoveryClient client = Client();

        DiscoveryOutcome outcome = await client.DiscoverAsync("adatum.com", events, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(CandidateKind.Alternate, outcome.Result!.Candidate);
        Assert.Equal("https://mail.adatum.com/autodiscover/autodiscover.svc", outcome.Result.AnsweredBy.AbsoluteUri);
        Assert.Equal("FYDIBOHF25SPDLT.adatum.com", outcome.Result.ApplicationUri);
        ConfirmRequest question = Assert.Single(events.Questions);
        Assert.StartsWith("The Autodiscover request for federation information sent to 'http://autodiscover.adatum.com/autodiscover/autodiscover.xml' " +
            "returned an unsecure redirect to 'https://mail.adatum.com/autodiscover/autodiscover.xml'. If you trust host name mail.adatum.com", question.Query);
        Assert.Equal("Untrusted host name", question.Caption);
        Assert.Equal("CalendarFederation.Discovery.UntrustedHost", question.Key);
        Assert.Equal(1, PostsTo("mail.adatum.com"));
        Assert.True(client.Trust.Matches("mail.adatum.com"));
        Assert.Empty(outcome.Alternates);
        Assert.Contains(events.Verbose, l => l.StartsWith("[adatum.com] Answered by https://mail.adatum.com/autodiscover/autodiscover.svc (Alternate)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_no_refuses_the_host_and_nothing_is_posted_there()
    {
        var events = new ConsentEvents(_ => false);
        using FederationDiscoveryClient client = Client();

        DiscoveryOutcome outcome = await client.DiscoverAsync("adatum.com", events, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Single(events.Questions);
        Assert.Equal(DiscoveryFailureKind.UntrustedRedirect, outcome.FailureKind);
        Assert.Equal("mail.adatum.com", Assert.Single(outcome.Alternates).Host);
        Assert.Equal(0, PostsTo("mail.adatum.com"));
        Assert.False(client.Trust.Matches("mail.adatum.com"));
        EngineException error = outcome.ToException();
        Assert.Equal(ErrorIds.UntrustedRedirect, error.ErrorId);
        Assert.StartsWith("Discovery for domain 'adatum.com' failed: not trusted: https://mail.adatum.com/autodiscover/autodiscover.svc " +
            "(reached through an unsecured http redirect to 'mail.adatum.com').", error.Message);
    }

    // What -Force (the cmdlet's FixedAnswer = false) and a host that cannot ask amount to: the untrusted host is refused.
    [Fact]
    public async Task Nobody_to_ask_means_the_host_is_refused()
    {
        using FederationDiscoveryClient client = Client();
        DiscoveryOutcome outcome = await client.DiscoverAsync("adatum.com", NullEngineEvents.Instance, CancellationToken.None);
        Assert.Equal(DiscoveryFailureKind.UntrustedRedirect, outcome.FailureKind);
        Assert.Equal(0, PostsTo("mail.adatum.com"));
    }

    [Fact]
    public async Task A_trusted_host_is_followed_without_a_question()
    {
        var events = new ConsentEvents((Func<ConfirmRequest, bool>)(_ => throw new InvalidOperationException("Nothing should be asked.")));
        using FederationDiscoveryClient client = Client("*.adatum.com");
        DiscoveryOutcome outcome = await client.DiscoverAsync("adatum.com", events, CancellationToken.None);
        Assert.True(outcome.Succeeded);
        Assert.Equal(CandidateKind.UnsecuredAutodiscoverHost, outcome.Result!.Candidate);
        Assert.Empty(events.Questions);
    }

    [Fact]
    public async Task A_host_approved_once_stays_trusted_for_the_rest_of_the_call()
    {
        var events = new ConsentEvents(_ => true);
        using FederationDiscoveryClient client = Client();

        Assert.True((await client.DiscoverAsync("adatum.com", events, CancellationToken.None)).Succeeded);
        DiscoveryOutcome again = await client.DiscoverAsync("adatum.com", events, CancellationToken.None);

        Assert.True(again.Succeeded);
        Assert.Single(events.Questions);
        // The second time the probe's redirect leads to a trusted host, so it is followed as the probe itself.
        Assert.Equal(CandidateKind.UnsecuredAutodiscoverHost, again.Result!.Candidate);
    }

    [Fact]
    public async Task A_host_refused_once_is_not_asked_about_again()
    {
        var events = new ConsentEvents(_ => false);
        using FederationDiscoveryClient client = Client();
        await client.DiscoverAsync("adatum.com", events, CancellationToken.None);
        DiscoveryOutcome again = await client.DiscoverAsync("adatum.com", events, CancellationToken.None);
        Assert.Equal(DiscoveryFailureKind.UntrustedRedirect, again.FailureKind);
        Assert.Single(events.Questions);
    }

    [Fact]
    public async Task Domains_that_reach_the_same_host_at_once_share_one_question()
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = new ConsentEvents(_ =>
        {
            asked.TrySetResult();
            return answer.Task;
        });
        using FederationDiscoveryClient client = Client();

        Task<DiscoveryOutcome>[] running = Enumerable.Range(0, 4).Select(_ => client.DiscoverAsync("adatum.com", events, CancellationToken.None)).ToArray();
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        answer.SetResult(true);
        DiscoveryOutcome[] outcomes = await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(outcomes, o => Assert.True(o.Succeeded));
        Assert.Single(events.Questions);
    }

    // "Yes to All" and "No to All" are the cmdlet's (EngineEventQueue): they cover later questions with the same key.
    [Fact]
    public async Task Every_trust_question_has_the_same_key_so_one_answer_can_cover_them_all()
    {
        _sandbox.State.AddFault(new FaultRule { Method = "GET", Host = "autodiscover.probe.example", Redirect = "https://mail.probe.example/autodiscover/autodiscover.xml" });
        var events = new ConsentEvents(_ => true);
        using FederationDiscoveryClient client = Client();

        DiscoveryOutcome adatum = await client.DiscoverAsync("adatum.com", events, CancellationToken.None);
        DiscoveryOutcome probe = await client.DiscoverAsync("probe.example", events, CancellationToken.None);

        Assert.True(adatum.Succeeded);
        Assert.True(probe.Succeeded);
        Assert.Equal(new[] { "mail.adatum.com", "mail.probe.example" }, events.Questions.Select(q => q.Query.Split("If you trust host name ")[1].Split(',')[0]));
        Assert.Single(events.Questions.Select(q => q.Key).Distinct());
    }

    // One candidate loop: an approved alternate is asked like any candidate, its redirects followed by the same rules.
    [Fact]
    public async Task An_approved_alternate_goes_through_the_same_redirect_rules()
    {
        _sandbox.State.AddFault(new FaultRule { Method = "POST", Host = "mail.adatum.com", Redirect = "http://mail.adatum.com/autodiscover/autodiscover.svc" });
        var events = new ConsentEvents(_ => true);
        using FederationDiscoveryClient client = Client();

        DiscoveryOutcome outcome = await client.DiscoverAsync("adatum.com", events, CancellationToken.None);

        Assert.Equal(DiscoveryFailureKind.InsecureRedirect, outcome.FailureKind);
        DiscoveryAttempt last = outcome.Attempts.Last();
        Assert.Equal(CandidateKind.Alternate, last.Candidate);
        Assert.Contains("isn't HTTPS: http://mail.adatum.com/", last.Result);
        Assert.DoesNotContain(_routing.SentList, s => s.StartsWith("POST http://mail.adatum.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_alternate_that_leads_to_another_is_asked_about_in_turn()
    {
        // mail.adatum.com, once approved, redirects to its parent domain's host: a second alternate, a second question.
        _sandbox.State.AddFault(new FaultRule { Method = "POST", Host = "mail.adatum.com", Redirect = "https://adatum.com/autodiscover/autodiscover.svc" });
        var events = new ConsentEvents(q => q.Query.Contains("host name mail.adatum.com", StringComparison.Ordinal));
        using FederationDiscoveryClient client = Client();

        DiscoveryOutcome outcome = await client.DiscoverAsync("sub.adatum.com", events, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal(2, events.Questions.Count);
        Assert.Contains("a parent domain of sub.adatum.com", events.Questions.Last().Query);
        Assert.Equal(AlternateKind.ParentDomainRedirect, Assert.Single(outcome.Alternates).Kind);
    }

    [Fact]
    public async Task Cancelling_while_the_question_is_open_stops_the_discovery()
    {
        var events = new ConsentEvents(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return false;
        });
        using FederationDiscoveryClient client = Client();
        using var cts = new CancellationTokenSource();
        Task<DiscoveryOutcome> running = client.DiscoverAsync("adatum.com", events, cts.Token);
        await events.FirstQuestion.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    /// <summary>Answers each question with a function of it, and records questions and verbose lines.</summary>
    private sealed class ConsentEvents : IEngineEvents
    {
        private readonly Func<ConfirmRequest, CancellationToken, Task<bool>> _answer;
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConsentEvents(Func<ConfirmRequest, bool> answer) : this((q, _) => Task.FromResult(answer(q))) { }

        public ConsentEvents(Func<ConfirmRequest, Task<bool>> answer) : this((q, _) => answer(q)) { }

        public ConsentEvents(Func<ConfirmRequest, CancellationToken, Task<bool>> answer) => _answer = answer;

        public ConcurrentQueue<ConfirmRequest> QuestionQueue { get; } = new();
        public IReadOnlyList<ConfirmRequest> Questions => QuestionQueue.ToArray();
        public ConcurrentQueue<string> VerboseQueue { get; } = new();
        public IReadOnlyList<string> Verbose => VerboseQueue.ToArray();
        public Task FirstQuestion => _first.Task;

        void IEngineEvents.Verbose(string message) => VerboseQueue.Enqueue(message);
        public void Debug(string message) { }
        public void Warning(string message) { }
        public void Prompt(string message) { }
        public void Progress(ProgressUpdate update) { }

        public Task<bool> ConfirmAsync(ConfirmRequest request, CancellationToken cancellationToken)
        {
            QuestionQueue.Enqueue(request);
            _first.TrySetResult();
            return _answer(request, cancellationToken);
        }
    }
}
