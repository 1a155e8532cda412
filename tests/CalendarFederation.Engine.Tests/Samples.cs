namespace CalendarFederation.Engine.Tests;

/// <summary>Response shapes of docs/protocol.md §1.2 (re-typed real captures) and variations of them.</summary>
internal static class Samples
{
    public const string ExchangeOnline = """
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing">
  <s:Header>
    <a:Action s:mustUnderstand="1">http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformationResponse</a:Action>
    <h:ServerVersionInfo xmlns:h="http://schemas.microsoft.com/exchange/2010/Autodiscover" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
      <h:MajorVersion>15</h:MajorVersion><h:MinorVersion>20</h:MinorVersion>
      <h:MajorBuildNumber>6411</h:MajorBuildNumber><h:MinorBuildNumber>14</h:MinorBuildNumber>
      <h:Version>Exchange2015</h:Version>
    </h:ServerVersionInfo>
  </s:Header>
  <s:Body>
    <GetFederationInformationResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover">
      <Response xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
        <ErrorCode>NoError</ErrorCode>
        <ErrorMessage/>
        <ApplicationUri>outlook.com</ApplicationUri>
        <Domains><Domain>fabrikam.onmicrosoft.com</Domain></Domains>
        <TokenIssuers>
          <TokenIssuer>
            <Endpoint>https://login.microsoftonline.com/extSTS.srf</Endpoint>
            <Uri>urn:federation:MicrosoftOnline</Uri>
          </TokenIssuer>
        </TokenIssuers>
      </Response>
    </GetFederationInformationResponseMessage>
  </s:Body>
</s:Envelope>
""";

    /// <summary>Elements in another order, soap: prefix, no TokenIssuers (on-premises shape), mixed-case domains.</summary>
    public const string OnPremisesReordered = """
<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <ad:GetFederationInformationResponseMessage xmlns:ad="http://schemas.microsoft.com/exchange/2010/Autodiscover">
      <ad:Response>
        <ad:Domains><ad:Domain>CONTOSO18839.onmicrosoft.com</ad:Domain><ad:Domain>Contoso.com</ad:Domain></ad:Domains>
        <ad:ApplicationUri>FYDIBOHF25SPDLT.contoso.com</ad:ApplicationUri>
        <ad:ErrorMessage></ad:ErrorMessage>
        <ad:ErrorCode>NoError</ad:ErrorCode>
        <ad:Unknown><ad:Nested>ignored</ad:Nested></ad:Unknown>
      </ad:Response>
    </ad:GetFederationInformationResponseMessage>
  </soap:Body>
</soap:Envelope>
""";

    public const string Soap12 = """
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">
  <s:Body>
    <GetFederationInformationResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover">
      <Response><ErrorCode>NoError</ErrorCode><ApplicationUri>outlook.com</ApplicationUri><Domains><Domain>fabrikam.com</Domain></Domains></Response>
    </GetFederationInformationResponseMessage>
  </s:Body>
</s:Envelope>
""";

    public static string WithErrorCode(string code, string message) => $"""
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body>
    <GetFederationInformationResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover">
      <Response><ErrorCode>{code}</ErrorCode><ErrorMessage>{message}</ErrorMessage></Response>
    </GetFederationInformationResponseMessage>
  </s:Body>
</s:Envelope>
""";

    public const string Soap11Fault = """
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-US">Bad request</faultstring></s:Fault></s:Body></s:Envelope>
""";

    public const string Soap12Fault = """
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">AddressFilter mismatch</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>
""";
}
