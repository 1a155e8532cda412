using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CalendarFederation.Sandbox.Proxy;

/// <summary>
/// A small forward proxy on loopback, so tests prove the module's traffic really goes through a proxy. CONNECT to any
/// host on port 443 is tunnelled to the sandbox's "good" https listener (whose certificate also covers *.sandbox.test);
/// absolute-form http requests go to the sandbox's http listener with their Host kept. With credentials set, it answers
/// 407 until a request carries the right Proxy-Authorization (Basic). Every request is logged.
/// </summary>
public sealed class TestProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _httpsTarget;
    private readonly int _httpTarget;
    private Task? _loop;

    public TestProxy(int httpsTarget, int httpTarget)
    {
        _httpsTarget = httpsTarget;
        _httpTarget = httpTarget;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>"user:password" to require Basic proxy authentication; null for none.</summary>
    public string? Credentials { get; set; }

    public ConcurrentQueue<ProxyRecord> Log { get; } = new();

    public void Start()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is ObjectDisposedException || ex is SocketException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            NetworkStream down = client.GetStream();
            try
            {
                (string requestLine, List<string> headers, byte[] rest) = await ReadHeadAsync(down);
                string[] parts = requestLine.Split(' ');
                if (parts.Length < 3)
                {
                    await WriteAsync(down, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                string authorization = headers.FirstOrDefault(h => h.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))?.Substring("Proxy-Authorization:".Length).Trim() ?? "";
                var record = new ProxyRecord { Method = parts[0], Target = parts[1], HadCredentials = authorization.Length > 0 };
                Log.Enqueue(record);
                if (Credentials != null && authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Credentials)))
                {
                    record.Status = 407;
                    await WriteAsync(down, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"sandbox\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }

                using var up = new TcpClient();
                if (parts[0].Equals("CONNECT", StringComparison.OrdinalIgnoreCase))
                {
                    if (!parts[1].EndsWith(":443", StringComparison.Ordinal))
                    {
                        record.Status = 502;
                        await WriteAsync(down, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                        return;
                    }
                    await up.ConnectAsync(IPAddress.Loopback, _httpsTarget);
                    record.Status = 200;
                    await WriteAsync(down, "HTTP/1.1 200 Connection Established\r\n\r\n");
                    NetworkStream upStream = up.GetStream();
                    if (rest.Length > 0) await upStream.WriteAsync(rest);
                    await PipeAsync(down, upStream);
                    return;
                }

                // Absolute-form http: send it on in origin-form, keeping the Host header.
                if (!Uri.TryCreate(parts[1], UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp)
                {
                    record.Status = 400;
                    await WriteAsync(down, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                await up.ConnectAsync(IPAddress.Loopback, _httpTarget);
                NetworkStream target = up.GetStream();
                var head = new StringBuilder();
                head.Append(parts[0]).Append(' ').Append(uri.PathAndQuery).Append(' ').Append(parts[2]).Append("\r\n");
                foreach (string h in headers)
                {
                    if (h.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase) || h.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)) continue;
                    head.Append(h).Append("\r\n");
                }
                head.Append("Connection: close\r\n\r\n");
                await target.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
                if (rest.Length > 0) await target.WriteAsync(rest);
                record.Status = 200;
                await PipeAsync(down, target);
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException || ex is InvalidDataException)
            {
                // A client or target that went away: nothing to do.
            }
        }
    }

    private static async Task PipeAsync(Stream a, Stream b)
    {
        Task ab = a.CopyToAsync(b);
        Task ba = b.CopyToAsync(a);
        await Task.WhenAny(ab, ba);
        try
        {
            await Task.WhenAll(ab, ba).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // One side closed; the other is done too.
        }
    }

    // Reads up to the blank line; returns what came after it (the start of a body or a TLS handshake).
    private static async Task<(string, List<string>, byte[])> ReadHeadAsync(Stream stream)
    {
        var buffer = new MemoryStream();
        var one = new byte[4096];
        while (true)
        {
            int read = await stream.ReadAsync(one);
            if (read == 0) throw new InvalidDataException("closed before the request head ended");
            buffer.Write(one, 0, read);
            byte[] bytes = buffer.ToArray();
            int end = IndexOf(bytes, "\r\n\r\n"u8.ToArray());
            if (end >= 0)
            {
                string head = Encoding.ASCII.GetString(bytes, 0, end);
                string[] lines = head.Split("\r\n");
                return (lines[0], lines.Skip(1).ToList(), bytes.Skip(end + 4).ToArray());
            }
            if (buffer.Length > 64 * 1024) throw new InvalidDataException("request head too large");
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    private static Task WriteAsync(Stream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        if (_loop != null) await _loop;
    }
}

public sealed class ProxyRecord
{
    public DateTimeOffset Time { get; set; } = DateTimeOffset.UtcNow;
    public string Method { get; set; } = "";
    public string Target { get; set; } = "";
    public bool HadCredentials { get; set; }
    public int Status { get; set; }
}
