using System;
using System.Globalization;

namespace CalendarFederation.Engine.Discovery
{
    /// <summary>
    /// Validates and normalises an SMTP domain before it goes anywhere near the wire:
    /// IDN to punycode, lower case, at most 253 characters, labels of 1-63 letters, digits or hyphens.
    /// </summary>
    public static class SmtpDomain
    {
        public const int MaxLength = 253;
        public const int MaxLabelLength = 63;

        private static readonly IdnMapping Idn = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false };

        /// <summary>Returns the ASCII (punycode), lower-case form, or null with a reason why the input is not a domain.</summary>
        public static string? TryNormalize(string? input, out string? error)
        {
            error = null;
            if (input == null || input.Trim().Length == 0)
            {
                error = "The domain name is empty.";
                return null;
            }

            string value = input.Trim();
            if (value.IndexOf('@') >= 0)
            {
                string hint = value.Substring(value.LastIndexOf('@') + 1);
                error = $"'{Printable(value)}' looks like a mail address, not a domain. Use the domain part, for example '{Printable(hint)}'.";
                return null;
            }
            if (value.IndexOf('*') >= 0 || value.IndexOf('?') >= 0)
            {
                error = $"'{Printable(value)}' contains a wildcard. Give one exact domain name.";
                return null;
            }
            foreach (char c in value)
            {
                if (char.IsWhiteSpace(c))
                {
                    error = $"'{Printable(value)}' contains white space. A domain name has none.";
                    return null;
                }
            }

            // One trailing dot is the fully-qualified spelling of the same name.
            if (value.EndsWith(".", StringComparison.Ordinal)) value = value.Substring(0, value.Length - 1);
            if (value.Length == 0 || value.StartsWith(".", StringComparison.Ordinal) || value.Contains(".."))
            {
                error = $"'{Printable(value)}' has an empty label. Labels are separated by single dots.";
                return null;
            }

            if (value.Length > MaxLength)
            {
                error = $"The domain name is {value.Length} characters long; the limit is {MaxLength}.";
                return null;
            }

            bool unicode = false;
            foreach (char c in value)
            {
                if (c > 0x7F)
                {
                    unicode = true;
                    continue;
                }
                // ASCII must be letters, digits, hyphens and dots: this also refuses XML and JSON metacharacters.
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
                if (!ok)
                {
                    error = $"'{Printable(value)}' contains the character '{Printable(c.ToString())}', which is not allowed in a domain name.";
                    return null;
                }
            }

            string ascii = value.ToLowerInvariant();
            if (unicode)
            {
                try
                {
                    ascii = Idn.GetAscii(value).ToLowerInvariant();
                }
                catch (ArgumentException)
                {
                    error = $"'{Printable(value)}' is not a valid internationalised domain name.";
                    return null;
                }
            }

            if (ascii.Length > MaxLength)
            {
                error = $"The domain name is {ascii.Length} characters long in its ASCII form; the limit is {MaxLength}.";
                return null;
            }

            string[] labels = ascii.Split('.');
            if (labels.Length < 2)
            {
                error = $"'{Printable(value)}' is a single label. Give the partner's full domain name, for example 'fabrikam.com'.";
                return null;
            }
            foreach (string label in labels)
            {
                if (label.Length == 0 || label.Length > MaxLabelLength)
                {
                    error = $"The label '{label}' in '{Printable(value)}' must be 1 to {MaxLabelLength} characters long.";
                    return null;
                }
                if (label[0] == '-' || label[label.Length - 1] == '-')
                {
                    error = $"The label '{label}' in '{Printable(value)}' starts or ends with a hyphen.";
                    return null;
                }
            }
            return ascii;
        }

        /// <summary>Case-insensitive comparison of two domains, whichever of Unicode or punycode each is in.</summary>
        public static bool AreEqual(string? a, string? b)
        {
            if (a == null || b == null) return false;
            if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase)) return true;
            string? na = TryNormalize(a, out _);
            string? nb = TryNormalize(b, out _);
            return na != null && string.Equals(na, nb, StringComparison.Ordinal);
        }

        // Keeps error messages on one line and free of control characters from hostile input.
        private static string Printable(string s)
        {
            var chars = s.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (char.IsControl(chars[i])) chars[i] = '?';
            }
            string result = new string(chars);
            return result.Length > 300 ? result.Substring(0, 300) + "..." : result;
        }
    }
}
