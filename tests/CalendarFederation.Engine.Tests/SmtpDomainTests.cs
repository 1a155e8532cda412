using CalendarFederation.Engine.Discovery;
using Xunit;

namespace CalendarFederation.Engine.Tests;

public class SmtpDomainTests
{
    [Theory]
    [InlineData("fabrikam.com", "fabrikam.com")]
    [InlineData("FABRIKAM.Com", "fabrikam.com")]
    [InlineData("fabrikam.com.", "fabrikam.com")]
    [InlineData("  fabrikam.com  ", "fabrikam.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("例え.jp", "xn--r8jz45g.jp")]
    [InlineData("a-b.c-d.example", "a-b.c-d.example")]
    [InlineData("CONTOSO18839.onmicrosoft.com", "contoso18839.onmicrosoft.com")]
    public void Normalizes_valid_domains(string input, string expected)
    {
        Assert.Equal(expected, SmtpDomain.TryNormalize(input, out string? error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("fab rikam.com", "white space")]
    [InlineData("user@fabrikam.com", "mail address")]
    [InlineData("*.fabrikam.com", "wildcard")]
    [InlineData("fabrikam?.com", "wildcard")]
    [InlineData("<x>.com", "not allowed")]
    [InlineData("fab\"rikam.com", "not allowed")]
    [InlineData("fab&rikam.com", "not allowed")]
    [InlineData("{\"a\":1}.com", "not allowed")]
    [InlineData("fabrikam", "single label")]
    [InlineData("fabrikam..com", "empty label")]
    [InlineData(".fabrikam.com", "empty label")]
    [InlineData("-fabrikam.com", "hyphen")]
    [InlineData("fabrikam-.com", "hyphen")]
    [InlineData("fab_rikam.com", "not allowed")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    public void Rejects_invalid_domains_with_a_specific_reason(string input, string reason)
    {
        Assert.Null(SmtpDomain.TryNormalize(input, out string? error));
        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Rejects_a_domain_longer_than_253_characters()
    {
        string label = new string('a', 60);
        string domain = string.Join(".", Enumerable.Repeat(label, 5)) + ".com"; // 5*61 + 3 = 308
        Assert.Null(SmtpDomain.TryNormalize(domain, out string? error));
        Assert.Contains("253", error);
    }

    [Fact]
    public void Accepts_exactly_253_characters_and_rejects_a_64_character_label()
    {
        string d253 = string.Join(".", new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));
        Assert.Equal(253, d253.Length);
        Assert.Equal(d253, SmtpDomain.TryNormalize(d253, out _));
        Assert.Null(SmtpDomain.TryNormalize(new string('a', 64) + ".com", out string? error));
        Assert.Contains("63", error);
    }

    [Fact]
    public void Error_messages_do_not_carry_control_characters_from_input()
    {
        Assert.Null(SmtpDomain.TryNormalize("evil\u0007\r\ninjected@x.com", out string? error));
        Assert.False(error!.Contains('\n') || error.Contains('\r') || error.Contains('\u0007'), error);
    }

    [Theory]
    [InlineData("Fabrikam.COM", "fabrikam.com", true)]
    [InlineData("xn--bcher-kva.example", "bücher.example", true)]
    [InlineData("fabrikam.com", "fabrikam.net", false)]
    [InlineData(null, "fabrikam.com", false)]
    public void Compares_domains_case_insensitively_across_idn_forms(string? a, string b, bool equal)
    {
        Assert.Equal(equal, SmtpDomain.AreEqual(a, b));
    }
}
