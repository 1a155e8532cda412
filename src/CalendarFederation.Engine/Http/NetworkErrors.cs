using System;
using System.IO;
using System.Net.Sockets;
using System.Security.Authentication;

namespace CalendarFederation.Engine.Http
{
    /// <summary>Turns the exceptions an HTTP send can throw into one plain sentence for the admin.</summary>
    public static class NetworkErrors
    {
        public static string Describe(Exception ex)
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is SocketException se)
                {
                    switch (se.SocketErrorCode)
                    {
                        case SocketError.HostNotFound:
                        case SocketError.NoData:
                        case SocketError.TryAgain:
                            return "the host name could not be resolved";
                        case SocketError.ConnectionRefused:
                            return "the connection was refused";
                        case SocketError.ConnectionReset:
                        case SocketError.ConnectionAborted:
                            return "the connection was reset";
                        case SocketError.TimedOut:
                            return "the connection timed out";
                        case SocketError.NetworkUnreachable:
                        case SocketError.HostUnreachable:
                            return "the host is unreachable";
                    }
                    return "network error: " + se.SocketErrorCode;
                }
                if (e is AuthenticationException)
                {
                    // .NET names the reason (UntrustedRoot, NotTimeValid, RemoteCertificateNameMismatch).
                    return "the TLS handshake failed: " + OneLine(e.Message);
                }
            }
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is IOException || e is EndOfStreamException)
                {
                    return "the connection closed before the response was complete";
                }
            }
            Exception inner = ex;
            while (inner.InnerException != null) inner = inner.InnerException;
            return OneLine(inner.Message);
        }

        public static bool IsTlsFailure(Exception ex)
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is AuthenticationException) return true;
            }
            return false;
        }

        public static string OneLine(string s)
        {
            s = s.Replace("\r", " ").Replace("\n", " ");
            return s.Length > 400 ? s.Substring(0, 400) + "..." : s;
        }
    }
}
