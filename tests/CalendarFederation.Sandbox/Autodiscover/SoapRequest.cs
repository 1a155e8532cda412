using System.Xml;

namespace CalendarFederation.Sandbox.Autodiscover;

/// <summary>A GetFederationInformation request, checked the way the Exchange front end checks it.</summary>
public sealed class SoapRequest
{
    public const string Soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string Soap12 = "http://www.w3.org/2003/05/soap-envelope";
    public const string Addressing = "http://www.w3.org/2005/08/addressing";
    public const string AutodiscoverNs = "http://schemas.microsoft.com/exchange/2010/Autodiscover";
    public const string Action = "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation";

    public string SoapNamespace { get; private set; } = Soap11;
    public string? ActionHeader { get; private set; }
    public string? To { get; private set; }
    public string? ReplyTo { get; private set; }
    public string? MessageId { get; private set; }
    public string? Domain { get; private set; }
    public string? RequestedServerVersion { get; private set; }

    /// <summary>Parses the envelope; returns null with the fault text when it is not an acceptable SOAP request.</summary>
    public static SoapRequest? Parse(byte[] body, out string? fault)
    {
        fault = null;
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true, IgnoreComments = true };
        var request = new SoapRequest();
        try
        {
            var doc = new XmlDocument { XmlResolver = null };
            using (var reader = XmlReader.Create(new MemoryStream(body), settings)) doc.Load(reader);
            XmlElement? envelope = doc.DocumentElement;
            if (envelope == null || envelope.LocalName != "Envelope" || (envelope.NamespaceURI != Soap11 && envelope.NamespaceURI != Soap12))
            {
                fault = "The request is not a SOAP envelope.";
                return null;
            }
            request.SoapNamespace = envelope.NamespaceURI;
            var ns = new XmlNamespaceManager(doc.NameTable);
            ns.AddNamespace("s", request.SoapNamespace);
            ns.AddNamespace("a", Addressing);
            ns.AddNamespace("ad", AutodiscoverNs);
            request.ActionHeader = doc.SelectSingleNode("/s:Envelope/s:Header/a:Action", ns)?.InnerText.Trim();
            request.To = doc.SelectSingleNode("/s:Envelope/s:Header/a:To", ns)?.InnerText.Trim();
            request.ReplyTo = doc.SelectSingleNode("/s:Envelope/s:Header/a:ReplyTo/a:Address", ns)?.InnerText.Trim();
            request.MessageId = doc.SelectSingleNode("/s:Envelope/s:Header/a:MessageID", ns)?.InnerText.Trim();
            XmlNode? message = doc.SelectSingleNode("/s:Envelope/s:Body/ad:GetFederationInformationRequestMessage", ns);
            if (message == null)
            {
                fault = "The SOAP body holds no GetFederationInformationRequestMessage.";
                return null;
            }
            request.Domain = message.SelectSingleNode("ad:Request/ad:Domain", ns)?.InnerText.Trim();
            // RequestedServerVersion is optional and ignored in either namespace: check_mdi sends it as
            // a:RequestedServerVersion and Microsoft's Autodiscover answers (docs/protocol-evidence.md).
            request.RequestedServerVersion = (doc.SelectSingleNode("/s:Envelope/s:Header/ad:RequestedServerVersion", ns)
                ?? doc.SelectSingleNode("/s:Envelope/s:Header/a:RequestedServerVersion", ns))?.InnerText.Trim();
            return request;
        }
        catch (XmlException ex)
        {
            fault = "The request is not well-formed XML: " + ex.Message;
            return null;
        }
    }
}
