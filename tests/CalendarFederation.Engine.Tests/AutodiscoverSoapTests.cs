using System.Text;
using System.Xml;
using CalendarFederation.Engine.Discovery;
using Xunit;

namespace CalendarFederation.Engine.Tests;

public class AutodiscoverSoapTests
{
    private static AutodiscoverResponse Parse(string xml)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(xml);
        return AutodiscoverSoap.Parse(bytes, bytes.Length);
    }

    [Fact]
    public void Request_has_the_exact_wire_form()
    {
        var endpoint = new Uri("https://autodiscover.fabrikam.com/autodiscover/autodiscover.svc");
        var id = Guid.Parse("11111111-2222-3333-4444-555555555555");
        string xml = AutodiscoverSoap.BuildRequest(endpoint, "fabrikam.com", id);

        var doc = new XmlDocument();
        doc.LoadXml(xml);
        var ns = new XmlNamespaceManager(doc.NameTable);
        ns.AddNamespace("soap", "http://schemas.xmlsoap.org/soap/envelope/");
        ns.AddNamespace("a", "http://www.w3.org/2005/08/addressing");
        ns.AddNamespace("ad", "http://schemas.microsoft.com/exchange/2010/Autodiscover");

        XmlElement action = (XmlElement)doc.SelectSingleNode("/soap:Envelope/soap:Header/a:Action", ns)!;
        Assert.Equal("http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation", action.InnerText);
        Assert.Equal("1", action.GetAttribute("mustUnderstand", "http://schemas.xmlsoap.org/soap/envelope/"));
        XmlElement to = (XmlElement)doc.SelectSingleNode("/soap:Envelope/soap:Header/a:To", ns)!;
        Assert.Equal(endpoint.AbsoluteUri, to.InnerText);
        Assert.Equal("1", to.GetAttribute("mustUnderstand", "http://schemas.xmlsoap.org/soap/envelope/"));
        Assert.Equal("http://www.w3.org/2005/08/addressing/anonymous", doc.SelectSingleNode("/soap:Envelope/soap:Header/a:ReplyTo/a:Address", ns)!.InnerText);
        Assert.Equal("urn:uuid:11111111-2222-3333-4444-555555555555", doc.SelectSingleNode("/soap:Envelope/soap:Header/a:MessageID", ns)!.InnerText);
        Assert.Equal("fabrikam.com", doc.SelectSingleNode("/soap:Envelope/soap:Body/ad:GetFederationInformationRequestMessage/ad:Request/ad:Domain", ns)!.InnerText);
        // No credentials or server-version header in the addressing namespace.
        Assert.Null(doc.SelectSingleNode("//a:RequestedServerVersion", ns));
        Assert.DoesNotContain("Security", xml);
    }

    [Fact]
    public void SoapAction_header_value_includes_the_quotes()
    {
        Assert.Equal("\"http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation\"", AutodiscoverSoap.SoapActionHeader);
    }

    [Fact]
    public void Request_escapes_xml_metacharacters()
    {
        string xml = AutodiscoverSoap.BuildRequest(new Uri("https://x.example/autodiscover/autodiscover.svc?a=1&b=<2>"), "a<b>&\"'.com", Guid.Empty);
        var doc = new XmlDocument();
        doc.LoadXml(xml); // well-formed
        Assert.Contains("a&lt;b&gt;&amp;&quot;&apos;.com", xml);
        Assert.Equal("a<b>&\"'.com", doc.GetElementsByTagName("Domain")[0]!.InnerText);
    }

    [Fact]
    public void Parses_the_real_exchange_online_shape()
    {
        AutodiscoverResponse r = Parse(Samples.ExchangeOnline);
        Assert.False(r.IsFault);
        Assert.Equal("NoError", r.ErrorCode);
        Assert.Equal("", r.ErrorMessage);
        Assert.Equal("outlook.com", r.ApplicationUri);
        Assert.Equal(new[] { "fabrikam.onmicrosoft.com" }, r.Domains);
        TokenIssuer issuer = Assert.Single(r.TokenIssuers);
        Assert.Equal("urn:federation:MicrosoftOnline", issuer.Uri);
        Assert.Equal("https://login.microsoftonline.com/extSTS.srf", issuer.Endpoint);
        Assert.Equal("Exchange2015", r.ServerVersion);
        Assert.Equal("15", r.ServerMajorVersion);
    }

    [Fact]
    public void Parses_independent_of_order_and_prefix_without_token_issuers()
    {
        AutodiscoverResponse r = Parse(Samples.OnPremisesReordered);
        Assert.Equal("NoError", r.ErrorCode);
        Assert.Equal("FYDIBOHF25SPDLT.contoso.com", r.ApplicationUri);
        Assert.Equal(new[] { "CONTOSO18839.onmicrosoft.com", "Contoso.com" }, r.Domains);
        Assert.Empty(r.TokenIssuers);
        Assert.Null(r.ServerVersion);
    }

    [Fact]
    public void Parses_soap_1_2()
    {
        AutodiscoverResponse r = Parse(Samples.Soap12);
        Assert.Equal("NoError", r.ErrorCode);
        Assert.Equal(new[] { "fabrikam.com" }, r.Domains);
    }

    [Theory]
    [InlineData("NoError")]
    [InlineData("RedirectAddress")]
    [InlineData("RedirectUrl")]
    [InlineData("InvalidUser")]
    [InlineData("InvalidRequest")]
    [InlineData("InvalidSetting")]
    [InlineData("SettingIsNotAvailable")]
    [InlineData("ServerBusy")]
    [InlineData("InvalidDomain")]
    [InlineData("NotFederated")]
    [InlineData("InternalServerError")]
    public void Parses_every_error_code(string code)
    {
        AutodiscoverResponse r = Parse(Samples.WithErrorCode(code, "text for " + code));
        Assert.Equal(code, r.ErrorCode);
        Assert.Equal("text for " + code, r.ErrorMessage);
    }

    [Fact]
    public void Parses_soap_faults_in_both_versions()
    {
        AutodiscoverResponse f11 = Parse(Samples.Soap11Fault);
        Assert.True(f11.IsFault);
        Assert.Equal("s:Client", f11.FaultCode);
        Assert.Equal("Bad request", f11.FaultString);
        AutodiscoverResponse f12 = Parse(Samples.Soap12Fault);
        Assert.True(f12.IsFault);
        Assert.Equal("s:Sender", f12.FaultCode);
        Assert.Equal("AddressFilter mismatch", f12.FaultString);
    }

    [Fact]
    public void Refuses_an_internal_dtd()
    {
        string xml = "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY e \"outlook.com\">]>" + Samples.ExchangeOnline.Replace(">outlook.com<", ">&e;<");
        var ex = Assert.Throws<AutodiscoverResponseException>(() => Parse(xml));
        Assert.Contains("DTD", ex.Message);
    }

    [Fact]
    public void Refuses_an_external_entity_without_reading_it()
    {
        string secret = Path.Combine(Path.GetTempPath(), "cf-xxe-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(secret, "TOP-SECRET-CONTENT");
        try
        {
            string xml = $"<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM \"file://{secret}\">]>"
                + Samples.ExchangeOnline.Replace("<ErrorMessage/>", "<ErrorMessage>&xxe;</ErrorMessage>");
            var ex = Assert.Throws<AutodiscoverResponseException>(() => Parse(xml));
            Assert.Contains("DTD", ex.Message);
            Assert.DoesNotContain("TOP-SECRET", ex.ToString());
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void Refuses_billion_laughs_quickly()
    {
        var sb = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (int i = 1; i <= 9; i++) sb.Append($"<!ENTITY lol{i} \"" + string.Concat(Enumerable.Repeat(i == 1 ? "&lol;" : $"&lol{i - 1};", 10)) + "\">");
        sb.Append("]><lolz>&lol9;</lolz>");
        var ex = Assert.Throws<AutodiscoverResponseException>(() => Parse(sb.ToString()));
        Assert.Contains("DTD", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not xml")]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("<?xml version=\"1.0\"?><Autodiscover/>")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header/></s:Envelope>")]
    [InlineData("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><Other/></s:Body></s:Envelope>")]
    public void Rejects_bodies_that_are_not_an_answer(string xml)
    {
        Assert.Throws<AutodiscoverResponseException>(() => Parse(xml));
    }

    [Fact]
    public void Rejects_a_truncated_answer()
    {
        string half = Samples.ExchangeOnline.Substring(0, Samples.ExchangeOnline.Length / 2);
        var ex = Assert.Throws<AutodiscoverResponseException>(() => Parse(half));
        Assert.Contains("truncated", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Handles_deep_nesting_without_recursion_trouble()
    {
        var sb = new StringBuilder("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetFederationInformationResponseMessage xmlns=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\"><Response><ErrorCode>NoError</ErrorCode>");
        for (int i = 0; i < 100_000; i++) sb.Append("<x>");
        for (int i = 0; i < 100_000; i++) sb.Append("</x>");
        sb.Append("<ApplicationUri>outlook.com</ApplicationUri></Response></GetFederationInformationResponseMessage></s:Body></s:Envelope>");
        AutodiscoverResponse r = Parse(sb.ToString());
        Assert.Equal("outlook.com", r.ApplicationUri);
    }

    [Fact]
    public void Rejects_child_elements_where_text_is_expected()
    {
        string xml = Samples.ExchangeOnline.Replace("<ErrorCode>NoError</ErrorCode>", "<ErrorCode><x>NoError</x></ErrorCode>");
        Assert.Throws<AutodiscoverResponseException>(() => Parse(xml));
    }

    [Theory]
    [InlineData("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc", "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity")]
    [InlineData("https://mail.contoso.com/autodiscover/autodiscover.svc/", "https://mail.contoso.com/autodiscover/autodiscover.svc/WSSecurity")]
    [InlineData("https://mail.contoso.com/autodiscover/autodiscover.svc/wssecurity", "https://mail.contoso.com/autodiscover/autodiscover.svc/wssecurity")]
    public void TargetAutodiscoverEpr_follows_exchange_rule(string url, string expected)
    {
        Assert.Equal(expected, FederationInfo.ToWsSecurity(new Uri(url)));
    }
}
