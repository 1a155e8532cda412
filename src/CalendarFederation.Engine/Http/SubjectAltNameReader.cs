using System;
using System.Collections.Generic;
using System.Text;

namespace CalendarFederation.Engine.Http
{
    /// <summary>
    /// Reads dNSName entries from a DER-encoded subjectAltName extension. Hand-written because
    /// netstandard2.0 has no X509SubjectAlternativeNameExtension, and AsnEncodedData.Format is locale-dependent.
    /// Any encoding it does not understand yields no names, never an exception.
    /// </summary>
    internal static class SubjectAltNameReader
    {
        public static IReadOnlyList<string> ReadDnsNames(byte[] der)
        {
            var names = new List<string>();
            try
            {
                int pos = 0;
                // GeneralNames ::= SEQUENCE OF GeneralName
                if (der.Length < 2 || der[pos++] != 0x30) return names;
                int seqLen = ReadLength(der, ref pos);
                int end = Math.Min(der.Length, pos + seqLen);
                while (pos < end)
                {
                    byte tag = der[pos++];
                    int len = ReadLength(der, ref pos);
                    if (len < 0 || pos + len > end) break;
                    if (tag == 0x82) // [2] IMPLICIT IA5String dNSName
                    {
                        names.Add(Encoding.ASCII.GetString(der, pos, len));
                    }
                    pos += len;
                }
            }
            catch (IndexOutOfRangeException)
            {
                // Malformed extension: keep what was read.
            }
            return names;
        }

        private static int ReadLength(byte[] der, ref int pos)
        {
            int b = der[pos++];
            if (b < 0x80) return b;
            int count = b & 0x7F;
            if (count == 0 || count > 3) return -1;
            int len = 0;
            for (int i = 0; i < count; i++) len = (len << 8) | der[pos++];
            return len;
        }
    }
}
