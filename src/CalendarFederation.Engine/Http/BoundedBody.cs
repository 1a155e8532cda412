using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Http
{
    /// <summary>Reads a response body up to a byte limit, so a hostile 50 MB answer costs at most the limit.</summary>
    public static class BoundedBody
    {
        public static async Task<BodyRead> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
        {
            var buffer = new byte[Math.Min(maxBytes + 1, 16 * 1024)];
            int total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > maxBytes) return new BodyRead(buffer, total, tooLarge: true);
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxBytes + 1));
                }
                int read = await stream.ReadAsync(buffer, total, buffer.Length - total, cancellationToken).ConfigureAwait(false);
                if (read == 0) return new BodyRead(buffer, total, tooLarge: false);
                total += read;
                if (total > maxBytes) return new BodyRead(buffer, total, tooLarge: true);
            }
        }
    }

    public readonly struct BodyRead
    {
        public BodyRead(byte[] buffer, int length, bool tooLarge)
        {
            Buffer = buffer;
            Length = length;
            TooLarge = tooLarge;
        }

        public byte[] Buffer { get; }
        public int Length { get; }
        public bool TooLarge { get; }
    }
}
