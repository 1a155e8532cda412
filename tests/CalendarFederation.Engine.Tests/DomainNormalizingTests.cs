using CalendarFederation.Engine.Discovery;
using Xunit;

namespace CalendarFederation.Engine.Tests;

/// <summary>SmtpDomain.Normalize: the one entry point every cmdlet uses for a domain the admin typed.</summary>
public class DomainNormalizingTests
{
    [Theory]
    [InlineData("fabrikam.com", "fabrikam.com")]
    [InlineData(" FABRIKAM.Com. ", "fabrikam.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    public void Returns_the_normalised_domain(string input, string expected)
    {
        Assert.Equal(expected, SmtpDomain.Normalize(input));
    }

    [Theory]
    [InlineData("admin@fabrikam.com", "'admin@fabrikam.com' looks like a mail address")]
    [InlineData("fab rikam.com", "'fab rikam.com' contains white space")]
    [InlineData("*.fabrikam.com", "'*.fabrikam.com' contains a wildcard")]
    [InlineData("fabrikam", "'fabrikam' is a single label")]
    [InlineData("<x>.com", "'<x>.com' contains the character '<'")]
    [InlineData("", "The domain name is empty.")]
    public void Refuses_with_InvalidDomainName_naming_the_domain_as_typed(string input, string start)
    {
        var ex = Assert.Throws<EngineException>(() => SmtpDomain.Normalize(input));
        Assert.Equal(ErrorIds.InvalidDomainName, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(input, ex.Target);
        Assert.StartsWith(start, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_too_long_is_named_by_its_start()
    {
        string domain = string.Join(".", Enumerable.Repeat(new string('a', 60), 5)) + ".com";
        var ex = Assert.Throws<EngineException>(() => SmtpDomain.Normalize(domain));
        Assert.Equal("'" + new string('a', 40) + "...' is 308 characters long; the limit is 253.", ex.Message);
    }

    [Theory]
    [InlineData("fabrikam.com", "fabrikam.com", "'fabrikam.com'")]
    [InlineData("Fabrikam.COM.", "fabrikam.com", "'Fabrikam.COM.'")]
    [InlineData("bücher.example", "xn--bcher-kva.example", "'bücher.example' (xn--bcher-kva.example)")]
    [InlineData(null, "fabrikam.com", "'fabrikam.com'")]
    public void Displays_the_domain_as_typed_with_punycode_only_when_it_differs(string? typed, string normalized, string expected)
    {
        Assert.Equal(expected, SmtpDomain.Display(typed, normalized));
    }

    [Fact]
    public void Discovery_refuses_a_bad_domain_before_sending_anything()
    {
        using var client = new FederationDiscoveryClient(new DiscoveryOptions { AutodiscoverUri = new Uri("http://127.0.0.1:9/autodiscover/autodiscover.svc") },
            new ThrowingHandler());
        var ex = Assert.ThrowsAsync<EngineException>(() => client.DiscoverAsync("admin@fabrikam.com", NullEngineEvents.Instance, CancellationToken.None)).GetAwaiter().GetResult();
        Assert.Equal(ErrorIds.InvalidDomainName, ex.ErrorId);
    }

    private sealed class ThrowingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Nothing may be sent for an invalid domain.");
    }
}
