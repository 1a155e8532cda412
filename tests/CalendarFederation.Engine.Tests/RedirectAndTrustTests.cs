using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Http;
using Xunit;

namespace CalendarFederation.Engine.Tests;

public class RedirectAndTrustTests
{
    [Theory]
    [InlineData("mail.example.com", "mail.example.com", true)]
    [InlineData("MAIL.example.com.", "mail.example.com", true)]
    [InlineData("*.example.com", "mail.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "example.com", true)]
    [InlineData("*.example.com", "badexample.com", false)]
    [InlineData("*.example.com", "example.com.evil.net", false)]
    [InlineData("mail.example.com", "example.com", false)]
    [InlineData("example.com", "mail.example.com", false)]
    public void Trusted_hostnames_match_exactly_or_by_wildcard(string entry, string host, bool expected)
    {
        Assert.Equal(expected, new HostnameTrust(new[] { entry }).Matches(host));
    }

    [Fact]
    public void Empty_trust_matches_nothing_and_With_adds_one_host()
    {
        Assert.False(HostnameTrust.None.Matches("anything.example"));
        HostnameTrust t = HostnameTrust.None.With("mail.example.com");
        Assert.True(t.Matches("mail.example.com"));
        Assert.False(HostnameTrust.None.Matches("mail.example.com"));
    }

    [Theory]
    [InlineData("https://mail.contoso.com/some/other/path?x=1", "https://mail.contoso.com/autodiscover/autodiscover.svc")]
    [InlineData("https://mail.contoso.com:8443/x", "https://mail.contoso.com/autodiscover/autodiscover.svc")]
    [InlineData("http://127.0.0.1:5000/x", "http://127.0.0.1:5000/autodiscover/autodiscover.svc")]
    [InlineData("http://localhost:5001/", "http://localhost:5001/autodiscover/autodiscover.svc")]
    public void Rebuilds_the_endpoint_on_the_location_host(string location, string expected)
    {
        Assert.Equal(expected, RedirectRules.RebuildEndpoint(new Uri(location)).AbsoluteUri);
    }

    [Theory]
    [InlineData("/relative/path")]
    [InlineData("relative")]
    [InlineData("ftp://x.example/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("")]
    [InlineData("https://")]
    public void Malformed_locations_get_exchange_text(string location)
    {
        Assert.Null(RedirectRules.ParseLocation(location, out string? error));
        Assert.StartsWith("There's a malformed URL in Location header:", error);
    }

    [Theory]
    [InlineData("https://a.example/", "https://b.example/", true)]
    [InlineData("https://a.example/", "http://b.example/", false)]
    [InlineData("https://127.0.0.1/", "http://127.0.0.1:5000/", false)]
    [InlineData("http://127.0.0.1:5000/", "http://localhost:5001/", true)]
    [InlineData("http://127.0.0.1:5000/", "http://example.com/", false)]
    [InlineData("http://127.0.0.1:5000/", "https://example.com/", true)]
    public void Never_downgrades_and_allows_http_only_between_loopback_hosts(string from, string to, bool secure)
    {
        Assert.Equal(secure, RedirectRules.IsSecureHop(new Uri(from), new Uri(to)));
    }

    [Theory]
    [InlineData("autodiscover.com", true)]
    [InlineData("autodiscover.de", true)]
    [InlineData("autodiscover.co.uk", true)]
    [InlineData("autodiscover.com.au", true)]
    [InlineData("autodiscover.ibm.de", false)]
    [InlineData("autodiscover.contoso.com", false)]
    [InlineData("mail.autodiscover.com", false)]
    public void Recognises_autodiscover_tld_hosts(string host, bool expected)
    {
        Assert.Equal(expected, RedirectRules.IsAutodiscoverTldHost(host));
    }

    [Theory]
    [InlineData("contoso.com", "sales.contoso.com", true)]
    [InlineData("autodiscover.contoso.com", "sales.contoso.com", true)]
    [InlineData("autodiscover.sales.contoso.com", "sales.contoso.com", false)]
    [InlineData("mail.contoso.com", "sales.contoso.com", false)]
    [InlineData("contoso.com", "contoso.com", false)]
    public void Recognises_parent_domain_hosts(string host, string domain, bool expected)
    {
        Assert.Equal(expected, RedirectRules.IsParentDomainHost(host, domain));
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("localhost.example.com", false)]
    [InlineData("example.com", false)]
    public void Loopback_hosts_are_127_8_ipv6_loopback_and_localhost(string host, bool expected)
    {
        Assert.Equal(expected, Loopback.IsLoopbackHost(host));
    }
}
