using System.Security;
using System.Text;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Autodiscover;

/// <summary>Response envelopes in the shape of real Exchange Online answers (docs/protocol.md §1.2), and hostile variants.</summary>
public static class SoapResponses
{
    public static readonly IReadOnlyDictionary<string, string> ErrorMessages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["NoError"] = "",
        ["InvalidDomain"] = "The domain is invalid.",
        ["NotFederated"] = "The organization is not federated.",
        ["InvalidRequest"] = "Invalid Request",
        ["ServerBusy"] = "The server is too busy to process the request.",
        ["InvalidUser"] = "The user is invalid.",
        ["InvalidSetting"] = "The setting is invalid.",
        ["SettingIsNotAvailable"] = "The setting is not available.",
        ["RedirectAddress"] = "Redirect address.",
        ["RedirectUrl"] = "Redirect URL.",
        ["InternalServerError"] = "An internal server error occurred.",
    };

    public sealed record Answer(string ErrorCode, string? ApplicationUri, IReadOnlyList<string> Domains, IReadOnlyList<TokenIssuerConfig> TokenIssuers);

    public static string Envelope(string soapNs, Answer answer, bool includeApplicationUri = true)
    {
        var sb = new StringBuilder(1500);
        sb.Append("<s:Envelope xmlns:s=\"").Append(soapNs).Append("\" xmlns:a=\"http://www.w3.org/2005/08/addressing\">");
        sb.Append("<s:Header>");
        sb.Append("<a:Action s:mustUnderstand=\"1\">http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformationResponse</a:Action>");
        sb.Append("<h:ServerVersionInfo xmlns:h=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">");
        sb.Append("<h:MajorVersion>15</h:MajorVersion><h:MinorVersion>20</h:MinorVersion><h:MajorBuildNumber>6411</h:MajorBuildNumber><h:MinorBuildNumber>14</h:MinorBuildNumber><h:Version>Exchange2015</h:Version>");
        sb.Append("</h:ServerVersionInfo>");
        sb.Append("</s:Header>");
        sb.Append("<s:Body>");
        sb.Append("<GetFederationInformationResponseMessage xmlns=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\">");
        sb.Append("<Response xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">");
        sb.Append("<ErrorCode>").Append(answer.ErrorCode).Append("</ErrorCode>");
        string message = ErrorMessages.TryGetValue(answer.ErrorCode, out string? m) ? m : "";
        sb.Append(message.Length == 0 ? "<ErrorMessage/>" : "<ErrorMessage>" + Escape(message) + "</ErrorMessage>");
        if (answer.ErrorCode == "NoError")
        {
            if (includeApplicationUri && answer.ApplicationUri != null) sb.Append("<ApplicationUri>").Append(Escape(answer.ApplicationUri)).Append("</ApplicationUri>");
            sb.Append("<Domains>");
            foreach (string d in answer.Domains) sb.Append("<Domain>").Append(Escape(d)).Append("</Domain>");
            sb.Append("</Domains>");
            if (answer.TokenIssuers.Count > 0)
            {
                sb.Append("<TokenIssuers>");
                foreach (TokenIssuerConfig t in answer.TokenIssuers)
                {
                    sb.Append("<TokenIssuer><Endpoint>").Append(Escape(t.Endpoint)).Append("</Endpoint><Uri>").Append(Escape(t.Uri)).Append("</Uri></TokenIssuer>");
                }
                sb.Append("</TokenIssuers>");
            }
        }
        sb.Append("</Response></GetFederationInformationResponseMessage></s:Body></s:Envelope>");
        return sb.ToString();
    }

    public static string Fault(string soapNs, string code, string text)
    {
        if (soapNs == SoapRequest.Soap12)
        {
            return $"<s:Envelope xmlns:s=\"{soapNs}\"><s:Body><s:Fault><s:Code><s:Value>s:{code}</s:Value></s:Code><s:Reason><s:Text xml:lang=\"en-US\">{Escape(text)}</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>";
        }
        return $"<s:Envelope xmlns:s=\"{soapNs}\"><s:Body><s:Fault><faultcode>s:{code}</faultcode><faultstring xml:lang=\"en-US\">{Escape(text)}</faultstring></s:Fault></s:Body></s:Envelope>";
    }

    /// <summary>The hostile or broken body for a fault rule, built around the real answer where that matters.</summary>
    public static string Hostile(FaultBody kind, string realAnswer, string soapNs)
    {
        switch (kind)
        {
            case FaultBody.Malformed: return "this is not <xml at all & never was";
            case FaultBody.Truncated: return realAnswer.Substring(0, realAnswer.Length / 2);
            case FaultBody.Dtd:
                return "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY e \"outlook.com\">]>" + realAnswer.Replace("<ApplicationUri>outlook.com</ApplicationUri>", "<ApplicationUri>&e;</ApplicationUri>");
            case FaultBody.ExternalEntity:
                return "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + realAnswer.Replace("<ErrorMessage/>", "<ErrorMessage>&xxe;</ErrorMessage>");
            case FaultBody.BillionLaughs:
            {
                var sb = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
                sb.Append("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">");
                for (int i = 2; i <= 9; i++) sb.Append($"<!ENTITY lol{i} \"" + string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10)) + "\">");
                sb.Append("]><lolz>&lol9;</lolz>");
                return sb.ToString();
            }
            case FaultBody.Empty: return "";
            case FaultBody.DeepNesting:
            {
                const int depth = 100_000;
                var sb = new StringBuilder(depth * 8);
                sb.Append($"<s:Envelope xmlns:s=\"{soapNs}\"><s:Body><GetFederationInformationResponseMessage xmlns=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\"><Response><ErrorCode>NoError</ErrorCode>");
                for (int i = 0; i < depth; i++) sb.Append("<x>");
                for (int i = 0; i < depth; i++) sb.Append("</x>");
                sb.Append("</Response></GetFederationInformationResponseMessage></s:Body></s:Envelope>");
                return sb.ToString();
            }
            case FaultBody.Html: return "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
            case FaultBody.NotSoap: return "<?xml version=\"1.0\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response/></Autodiscover>";
            case FaultBody.SoapFault: return Fault(soapNs, "Receiver", "An internal error occurred in the sandbox's Autodiscover service.");
            default: return realAnswer;
        }
    }

    public static string Escape(string s) => SecurityElement.Escape(s) ?? "";
}
