using System;
using System.Net;
using System.Net.Http;

namespace CalendarFederation.Engine.Http
{
    /// <summary>How sign-in and the admin API reach the network: the system proxy by default, or an explicit one.</summary>
    public sealed class HttpSettings
    {
        /// <summary>An explicit proxy; null means the system setting (HTTPS_PROXY/NO_PROXY on Linux and macOS, WinINet on Windows).</summary>
        public IWebProxy? Proxy { get; set; }

        /// <summary>Replaces the whole handler (tests inject one that trusts the sandbox's root). Null in production.</summary>
        public Func<HttpMessageHandler>? HandlerFactory { get; set; }

        public HttpMessageHandler CreateHandler()
        {
            if (HandlerFactory != null) return HandlerFactory();
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                MaxConnectionsPerServer = 256,
            };
            if (Proxy != null)
            {
                handler.Proxy = Proxy;
                handler.UseProxy = true;
            }
            return handler;
        }
    }
}
