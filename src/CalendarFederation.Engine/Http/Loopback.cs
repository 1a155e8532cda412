using System;
using System.Net;

namespace CalendarFederation.Engine.Http
{
    /// <summary>Plain http is allowed only to loopback hosts: 127.0.0.0/8, ::1 and localhost.</summary>
    public static class Loopback
    {
        public static bool IsLoopbackHost(string? host)
        {
            if (string.IsNullOrEmpty(host)) return false;
            string h = host!.Trim('[', ']');
            if (string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
            return IPAddress.TryParse(h, out IPAddress? ip) && IPAddress.IsLoopback(ip);
        }

        public static bool IsLoopback(Uri uri) => uri.IsAbsoluteUri && IsLoopbackHost(uri.Host);

        /// <summary>https anywhere, or http to a loopback host.</summary>
        public static bool IsAllowedScheme(Uri uri)
        {
            if (!uri.IsAbsoluteUri) return false;
            if (uri.Scheme == Uri.UriSchemeHttps) return true;
            return uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri);
        }
    }
}
