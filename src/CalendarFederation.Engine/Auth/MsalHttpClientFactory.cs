using System.Net.Http;
using CalendarFederation.Engine.Http;
using Microsoft.Identity.Client;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>MSAL's HTTP goes through our stack, so it honours the proxy settings (and tests can trust the sandbox).</summary>
    internal sealed class MsalHttpClientFactory : IMsalHttpClientFactory
    {
        private readonly HttpClient _client;

        public MsalHttpClientFactory(HttpSettings settings)
        {
            _client = new HttpClient(settings.CreateHandler(), disposeHandler: true);
        }

        public HttpClient GetHttpClient() => _client;
    }
}
