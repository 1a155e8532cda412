using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Xml;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// The GetFederationInformation SOAP wire format ([MS-OXWSADISC] 3.1.4.2): building the anonymous
    /// request and parsing the response, independent of element order and prefixes, with DTDs prohibited.
    /// </summary>
    public static class AutodiscoverSoap
    {
        public const string Soap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/";
        public const string Soap12Namespace = "http://www.w3.org/2003/05/soap-envelope";
        public const string AddressingNamespace = "http://www.w3.org/2005/08/addressing";
        // http, although some documentation tables print https.
        public const string AutodiscoverNamespace = "http://schemas.microsoft.com/exchange/2010/Autodiscover";
        public const string Action = "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation";
        public const string SoapActionHeader = "\"" + Action + "\"";
        public const string AnonymousAddress = "http://www.w3.org/2005/08/addressing/anonymous";
        public const string ContentType = "text/xml; charset=utf-8";
        public const string UserAgent = "AutodiscoverClient";

        /// <summary>Builds the SOAP 1.1 request for one domain, addressed (a:To) to the exact URL it is posted to.</summary>
        public static string BuildRequest(Uri endpoint, string domain, Guid messageId)
        {
            if (endpoint == null) throw new ArgumentNullException(nameof(endpoint));
            if (domain == null) throw new ArgumentNullException(nameof(domain));
            var sb = new StringBuilder(900);
            sb.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            sb.Append("<soap:Envelope xmlns:soap=\"").Append(Soap11Namespace).Append("\" xmlns:a=\"").Append(AddressingNamespace).Append("\">");
            sb.Append("<soap:Header>");
            sb.Append("<a:Action soap:mustUnderstand=\"1\">").Append(Action).Append("</a:Action>");
            sb.Append("<a:To soap:mustUnderstand=\"1\">").Append(XmlEscape(endpoint.AbsoluteUri)).Append("</a:To>");
            sb.Append("<a:ReplyTo><a:Address>").Append(AnonymousAddress).Append("</a:Address></a:ReplyTo>");
            sb.Append("<a:MessageID>urn:uuid:").Append(messageId.ToString("D")).Append("</a:MessageID>");
            sb.Append("</soap:Header>");
            sb.Append("<soap:Body>");
            sb.Append("<GetFederationInformationRequestMessage xmlns=\"").Append(AutodiscoverNamespace).Append("\">");
            sb.Append("<Request><Domain>").Append(XmlEscape(domain)).Append("</Domain></Request>");
            sb.Append("</GetFederationInformationRequestMessage>");
            sb.Append("</soap:Body>");
            sb.Append("</soap:Envelope>");
            return sb.ToString();
        }

        public static string XmlEscape(string value)
        {
            var sb = new StringBuilder(value.Length + 8);
            foreach (char c in value)
            {
                switch (c)
                {
                    case '<': sb.Append("&lt;"); break;
                    case '>': sb.Append("&gt;"); break;
                    case '&': sb.Append("&amp;"); break;
                    case '"': sb.Append("&quot;"); break;
                    case '\'': sb.Append("&apos;"); break;
                    default: sb.Append(c); break;
                }
            }
            return sb.ToString();
        }

        public static XmlReaderSettings CreateReaderSettings(long maxCharacters) => new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = maxCharacters,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CloseInput = false,
        };

        /// <summary>Parses a response body. Throws <see cref="AutodiscoverResponseException"/> for anything that is not a usable SOAP answer.</summary>
        public static AutodiscoverResponse Parse(byte[] body, int length)
        {
            if (body == null || length == 0) throw new AutodiscoverResponseException("Response is empty.");
            using var stream = new MemoryStream(body, 0, length, writable: false);
            try
            {
                using var reader = XmlReader.Create(stream, CreateReaderSettings(Math.Max(1024, length * 4L)));
                return ParseEnvelope(reader);
            }
            catch (XmlException ex)
            {
                if (ContainsDoctype(body, length))
                {
                    throw new AutodiscoverResponseException("The response contains a document type definition (DTD), which is refused.", ex);
                }
                throw new AutodiscoverResponseException($"The response is truncated or is not well-formed XML: {ex.Message}", ex);
            }
        }

        private static AutodiscoverResponse ParseEnvelope(XmlReader r)
        {
            if (r.MoveToContent() != XmlNodeType.Element || r.LocalName != "Envelope"
                || (r.NamespaceURI != Soap11Namespace && r.NamespaceURI != Soap12Namespace))
            {
                throw new AutodiscoverResponseException($"The response is not a SOAP envelope (root element '{Truncate(r.LocalName)}').");
            }
            string soapNs = r.NamespaceURI;
            var result = new AutodiscoverResponse();
            bool sawBody = false;
            ReadChildren(r, child =>
            {
                if (child.NamespaceURI == soapNs && child.LocalName == "Header")
                {
                    ReadChildren(child, h =>
                    {
                        if (h.LocalName == "ServerVersionInfo" && h.NamespaceURI == AutodiscoverNamespace) ReadServerVersion(h, result);
                        else h.Skip();
                    });
                }
                else if (child.NamespaceURI == soapNs && child.LocalName == "Body")
                {
                    sawBody = true;
                    ReadChildren(child, b =>
                    {
                        if (b.NamespaceURI == soapNs && b.LocalName == "Fault") ReadFault(b, result, soapNs);
                        else if (b.NamespaceURI == AutodiscoverNamespace && b.LocalName == "GetFederationInformationResponseMessage")
                        {
                            result.HasResponseMessage = true;
                            ReadChildren(b, m =>
                            {
                                if (m.NamespaceURI == AutodiscoverNamespace && m.LocalName == "Response") ReadResponse(m, result);
                                else m.Skip();
                            });
                        }
                        else b.Skip();
                    });
                }
                else child.Skip();
            });
            if (!sawBody) throw new AutodiscoverResponseException("The SOAP envelope has no Body.");
            if (!result.IsFault && !result.HasResponseMessage)
            {
                throw new AutodiscoverResponseException("The SOAP body holds no GetFederationInformationResponseMessage.");
            }
            return result;
        }

        private static void ReadResponse(XmlReader r, AutodiscoverResponse result)
        {
            ReadChildren(r, e =>
            {
                if (e.NamespaceURI != AutodiscoverNamespace) { e.Skip(); return; }
                switch (e.LocalName)
                {
                    case "ErrorCode": result.ErrorCode = e.ReadElementContentAsString().Trim(); break;
                    case "ErrorMessage": result.ErrorMessage = e.ReadElementContentAsString().Trim(); break;
                    case "ApplicationUri": result.ApplicationUri = e.ReadElementContentAsString().Trim(); break;
                    case "Domains":
                        ReadChildren(e, d =>
                        {
                            if (d.NamespaceURI == AutodiscoverNamespace && d.LocalName == "Domain")
                            {
                                string domain = d.ReadElementContentAsString().Trim();
                                if (domain.Length > 0) result.Domains.Add(domain);
                            }
                            else d.Skip();
                        });
                        break;
                    case "TokenIssuers":
                        ReadChildren(e, t =>
                        {
                            if (t.NamespaceURI == AutodiscoverNamespace && t.LocalName == "TokenIssuer")
                            {
                                string? uri = null, endpoint = null;
                                ReadChildren(t, f =>
                                {
                                    if (f.NamespaceURI == AutodiscoverNamespace && f.LocalName == "Uri") uri = f.ReadElementContentAsString().Trim();
                                    else if (f.NamespaceURI == AutodiscoverNamespace && f.LocalName == "Endpoint") endpoint = f.ReadElementContentAsString().Trim();
                                    else f.Skip();
                                });
                                result.TokenIssuers.Add(new TokenIssuer(uri, endpoint));
                            }
                            else t.Skip();
                        });
                        break;
                    default: e.Skip(); break;
                }
            });
        }

        private static void ReadServerVersion(XmlReader r, AutodiscoverResponse result)
        {
            ReadChildren(r, v =>
            {
                if (v.LocalName == "Version") result.ServerVersion = v.ReadElementContentAsString().Trim();
                else if (v.LocalName == "MajorVersion") result.ServerMajorVersion = v.ReadElementContentAsString().Trim();
                else if (v.LocalName == "MinorVersion") result.ServerMinorVersion = v.ReadElementContentAsString().Trim();
                else v.Skip();
            });
        }

        private static void ReadFault(XmlReader r, AutodiscoverResponse result, string soapNs)
        {
            result.IsFault = true;
            ReadChildren(r, f =>
            {
                switch (f.LocalName)
                {
                    case "faultcode": result.FaultCode = f.ReadElementContentAsString().Trim(); break;
                    case "faultstring": result.FaultString = f.ReadElementContentAsString().Trim(); break;
                    case "Code":
                        ReadChildren(f, c =>
                        {
                            if (c.LocalName == "Value") result.FaultCode = c.ReadElementContentAsString().Trim();
                            else c.Skip();
                        });
                        break;
                    case "Reason":
                        ReadChildren(f, c =>
                        {
                            if (c.LocalName == "Text" && result.FaultString == null) result.FaultString = c.ReadElementContentAsString().Trim();
                            else c.Skip();
                        });
                        break;
                    default: f.Skip(); break;
                }
            });
        }

        // Visits each child element of the current element. The visitor must consume the child
        // (ReadElementContentAsString, Skip or ReadChildren); on return the reader is past the parent's end tag.
        private static void ReadChildren(XmlReader r, Action<XmlReader> visit)
        {
            if (r.IsEmptyElement)
            {
                r.Read();
                return;
            }
            int depth = r.Depth;
            r.Read();
            while (!r.EOF)
            {
                if (r.NodeType == XmlNodeType.EndElement && r.Depth == depth)
                {
                    r.Read();
                    return;
                }
                if (r.NodeType == XmlNodeType.Element)
                {
                    visit(r);
                    continue;
                }
                r.Read();
            }
            throw new AutodiscoverResponseException("The response is truncated: the XML ends inside an element.");
        }

        private static bool ContainsDoctype(byte[] body, int length)
        {
            byte[] marker = { (byte)'<', (byte)'!', (byte)'D', (byte)'O', (byte)'C', (byte)'T', (byte)'Y', (byte)'P', (byte)'E' };
            int limit = Math.Min(length, 64 * 1024) - marker.Length;
            for (int i = 0; i <= limit; i++)
            {
                int j = 0;
                while (j < marker.Length && body[i + j] == marker[j]) j++;
                if (j == marker.Length) return true;
            }
            // UTF-16 bodies: look for the same letters with zero bytes between them.
            return Encoding.Unicode.GetString(body, 0, Math.Min(length, 64 * 1024) & ~1).Contains("<!DOCTYPE");
        }

        private static string Truncate(string s) => s.Length > 100 ? s.Substring(0, 100) + "..." : s;
    }

    public sealed class AutodiscoverResponse
    {
        public bool IsFault { get; internal set; }
        public string? FaultCode { get; internal set; }
        public string? FaultString { get; internal set; }
        internal bool HasResponseMessage { get; set; }
        public string? ErrorCode { get; internal set; }
        public string? ErrorMessage { get; internal set; }
        public string? ApplicationUri { get; internal set; }
        public List<string> Domains { get; } = new List<string>();
        public List<TokenIssuer> TokenIssuers { get; } = new List<TokenIssuer>();
        public string? ServerVersion { get; internal set; }
        public string? ServerMajorVersion { get; internal set; }
        public string? ServerMinorVersion { get; internal set; }
    }

    public sealed class TokenIssuer
    {
        public TokenIssuer(string? uri, string? endpoint)
        {
            Uri = uri;
            Endpoint = endpoint;
        }

        public string? Uri { get; }
        public string? Endpoint { get; }
    }

    /// <summary>The response could not be used: empty, not XML, truncated, a DTD, or not the expected SOAP shape.</summary>
    public sealed class AutodiscoverResponseException : Exception
    {
        public AutodiscoverResponseException(string message) : base(message) { }
        public AutodiscoverResponseException(string message, Exception inner) : base(message, inner) { }
    }
}
