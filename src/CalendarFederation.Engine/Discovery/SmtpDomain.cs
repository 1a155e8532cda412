using System;
using System.Globalization;
using System.Linq;

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

        /// <summary>
        /// THE entry point for a domain the admin gave: the ASCII (punycode), lower-case form, or an <see cref="EngineException"/>
        /// (<see cref="ErrorIds.InvalidDomainName"/>, InvalidArgument) whose message says why and names the input as typed,
        /// and whose Target is the input.
        /// </summary>
        public static string Normalize(string? input)
        {
            string? normalized = TryNormalize(input, out string? error);
            if (normalized != null) return normalized;
            throw new EngineException(ErrorIds.InvalidDomainName, ErrorKind.InvalidArgument, error!, input);
        }

        /// <summary>
        /// A domain for a headline: as typed, quoted, with its punycode in brackets when that is more than a change of case,
        /// for example "'bücher.example' (xn--bcher-kva.example)".
        /// </summary>
        public static string Display(string? asTyped, string normalized)
        {
            string typed = Printable((asTyped ?? "").Trim());
            if (typed.Length == 0) return "'" + normalized + "'";
            string bare = typed.EndsWith(".", StringComparison.Ordinal) ? typed.Substring(0, typed.Length - 1) : typed;
            if (string.Equals(bare, normalized, StringComparison.OrdinalIgnoreCase)) return "'" + typed + "'";
            return "'" + typed + "' (" + normalized + ")";
        }

        /// <summary>Returns the ASCII (punycode), lower-case form, or null with a reason why the input is not a domain.</summary>
        public static string? TryNormalize(string? input, out string? error)
        {
            if (input == null || input.Trim().Length == 0)
            {
                error = "The domain name is empty.";
                return null;
            }
            string value = input.Trim();
            error = CheckShape(value);
            if (error != null) return null;
            // One trailing dot is the fully-qualified spelling of the same name.
            if (value.EndsWith(".", StringComparison.Ordinal)) value = value.Substring(0, value.Length - 1);
            string? ascii = ToAscii(value, out error);
            if (ascii == null) return null;
            error = CheckLabels(ascii, value);
            return error == null ? ascii : null;
        }

        // What is wrong with the whole name before it is split: a mail address, a wildcard, white space, empty labels.
        private static string? CheckShape(string value)
        {
            if (value.IndexOf('@') >= 0)
            {
                string hint = value.Substring(value.LastIndexOf('@') + 1);
                return $"'{Printable(value)}' looks like a mail address, not a domain. Use the domain part, for example '{Printable(hint)}'.";
            }
            if (value.IndexOf('*') >= 0 || value.IndexOf('?') >= 0) return $"'{Printable(value)}' contains a wildcard. Give one exact domain name.";
            if (value.Any(char.IsWhiteSpace)) return $"'{Printable(value)}' contains white space. A domain name has none.";
            string bare = value.EndsWith(".", StringComparison.Ordinal) ? value.Substring(0, value.Length - 1) : value;
            if (bare.Length == 0 || bare.StartsWith(".", StringComparison.Ordinal) || bare.Contains(".."))
            {
                return $"'{Printable(bare)}' has an empty label. Labels are separated by single dots.";
            }
            return null;
        }

        // The lower-case ASCII form (IDN to punycode), or null with the reason.
        private static string? ToAscii(string value, out string? error)
        {
            error = null;
            if (value.Length > MaxLength)
            {
                error = $"'{Short(value)}' is {value.Length} characters long; the limit is {MaxLength}.";
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
                error = $"'{Short(value)}' is {ascii.Length} characters long in its ASCII form; the limit is {MaxLength}.";
                return null;
            }
            return ascii;
        }

        private static string? CheckLabels(string ascii, string value)
        {
            string[] labels = ascii.Split('.');
            if (labels.Length < 2) return $"'{Printable(value)}' is a single label. Give the partner's full domain name, for example 'fabrikam.com'.";
            foreach (string label in labels)
            {
                if (label.Length == 0 || label.Length > MaxLabelLength)
                {
                    return $"The label '{label}' in '{Printable(value)}' must be 1 to {MaxLabelLength} characters long.";
                }
                if (label[0] == '-' || label[label.Length - 1] == '-') return $"The label '{label}' in '{Printable(value)}' starts or ends with a hyphen.";
            }
            return null;
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

        private static string Short(string s)
        {
            string p = Printable(s);
            return p.Length > 40 ? p.Substring(0, 40) + "..." : p;
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
