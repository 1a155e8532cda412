using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CalendarFederation.Sandbox.AdminApi;

/// <summary>
/// Binds cmdlet parameters the way PowerShell and Exchange's parameter types do, failing with their errors: mandatory and
/// empty values, Boolean and enum conversion, URIs, SMTP domains and addresses, and multi-valued add/remove hashtables.
/// </summary>
public static partial class ParameterReader
{
    public const string SmtpDomainType = "Microsoft.Exchange.Data.SmtpDomain";
    public const string SmtpAddressType = "Microsoft.Exchange.Data.SmtpAddress";
    public const string DomainListType = "Microsoft.Exchange.Data.MultiValuedProperty`1[Microsoft.Exchange.Data.SmtpDomain]";

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex DomainPattern();

    public static bool IsSmtpDomain(string value) => DomainPattern().IsMatch(value);

    /// <summary>A mandatory string: missing, null and empty fail as PowerShell does.</summary>
    public static string RequiredString(CmdletContext context, string name)
    {
        if (!context.Parameters.TryGetValue(name, out JsonElement v)) throw ExchangeErrorException.MissingMandatory(name);
        if (v.ValueKind == JsonValueKind.Null) throw ExchangeErrorException.NullArgument(name);
        string text = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
        if (text.Length == 0) throw ExchangeErrorException.EmptyString(name);
        return text;
    }

    /// <summary>An optional string; <paramref name="present"/> tells "not given" from "given as null".</summary>
    public static string? OptionalString(CmdletContext context, string name, out bool present)
    {
        present = context.Parameters.TryGetValue(name, out JsonElement v);
        if (!present || v.ValueKind == JsonValueKind.Null) return null;
        string text = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
        return text.Length == 0 ? null : text;
    }

    /// <summary>A Boolean parameter: JSON true/false, "true"/"false", or a number (0 is false).</summary>
    public static bool? Bool(CmdletContext context, string name)
    {
        if (!context.Parameters.TryGetValue(name, out JsonElement v)) return null;
        switch (v.ValueKind)
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number when v.TryGetDouble(out double d): return d != 0;
            case JsonValueKind.String when bool.TryParse(v.GetString(), out bool b): return b;
        }
        string shown = v.ValueKind == JsonValueKind.String ? "System.String" : v.ValueKind == JsonValueKind.Null ? "" : v.GetRawText();
        throw ExchangeErrorException.CannotConvert(name, shown, "System.Boolean",
            "Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.");
    }

    /// <summary>An enum parameter, by name (case-insensitive) or number; the name as the enum spells it.</summary>
    public static string? Enum(CmdletContext context, string name, string typeName, IReadOnlyList<string> names)
    {
        if (!context.Parameters.TryGetValue(name, out JsonElement v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) && n >= 0 && n < names.Count) return names[n];
        string text = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.ValueKind == JsonValueKind.Null ? "" : v.GetRawText();
        string? match = names.FirstOrDefault(x => x.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase));
        return match ?? throw ExchangeErrorException.NotAnEnumValue(name, text, typeName, names);
    }

    /// <summary>A URI parameter (null clears it). <paramref name="absolute"/>: it must be an absolute URI (scheme://...).</summary>
    public static string? Uri(CmdletContext context, string name, bool absolute, out bool present)
    {
        present = context.Parameters.TryGetValue(name, out JsonElement v);
        if (!present || v.ValueKind == JsonValueKind.Null) return null;
        string text = (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).Trim();
        if (text.Length == 0) return null;
        bool looksAbsolute = text.Contains("://", StringComparison.Ordinal);
        if (looksAbsolute && !System.Uri.TryCreate(text, UriKind.Absolute, out _))
        {
            throw ExchangeErrorException.CannotConvert(name, text, "System.Uri", "Invalid URI: The hostname could not be parsed.");
        }
        if (!looksAbsolute && (text.Any(char.IsWhiteSpace) || !System.Uri.TryCreate(text, UriKind.Relative, out _)))
        {
            throw ExchangeErrorException.CannotConvert(name, text, "System.Uri", "Invalid URI: The format of the URI could not be determined.");
        }
        if (absolute && !looksAbsolute) throw ExchangeErrorException.NotAbsoluteUri(name, text);
        return text;
    }

    /// <summary>An SMTP address parameter (null clears it).</summary>
    public static string? SmtpAddress(CmdletContext context, string name, out bool present)
    {
        string? text = OptionalString(context, name, out present);
        if (text == null) return null;
        int at = text.IndexOf('@');
        if (at <= 0 || at != text.LastIndexOf('@') || !IsSmtpDomain(text.Substring(at + 1)) || text.Take(at).Any(char.IsWhiteSpace))
        {
            throw ExchangeErrorException.CannotConvert(name, text, SmtpAddressType,
                $"The email address \"{text}\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.");
        }
        return text;
    }

    /// <summary>A multi-valued string parameter: a string or an array of strings (null and absent give null).</summary>
    public static IReadOnlyList<string>? Strings(CmdletContext context, string name)
    {
        if (!context.Parameters.TryGetValue(name, out JsonElement v) || v.ValueKind == JsonValueKind.Null) return null;
        return ListOf(name, v, "System.String");
    }

    /// <summary>
    /// DomainNames: a replacement list (a string or an array), or, where <paramref name="allowChange"/>, Exchange's
    /// add/remove hashtable {"@odata.type":"#Exchange.GenericHashTable","Add":...,"Remove":...} with a string or an array
    /// under each key. Every value must be an SMTP domain. Null when the parameter is absent.
    /// </summary>
    public static DomainChange? Domains(CmdletContext context, string name, bool allowChange)
    {
        if (!context.Parameters.TryGetValue(name, out JsonElement v)) return null;
        if (v.ValueKind == JsonValueKind.Null) return new DomainChange(new List<string>(), new List<string>(), new List<string>());
        if (v.ValueKind == JsonValueKind.Object)
        {
            if (!allowChange)
            {
                throw ExchangeErrorException.CannotConvert(name, "System.Collections.Hashtable", DomainListType,
                    "A new object's multi-valued property takes a list of values, not Add or Remove.");
            }
            var add = new List<string>();
            var remove = new List<string>();
            foreach (JsonProperty p in v.EnumerateObject())
            {
                if (p.Name.Equals("@odata.type", StringComparison.OrdinalIgnoreCase)) continue;
                if (p.Name.Equals("Add", StringComparison.OrdinalIgnoreCase)) add.AddRange(DomainList(name, p.Value));
                else if (p.Name.Equals("Remove", StringComparison.OrdinalIgnoreCase)) remove.AddRange(DomainList(name, p.Value));
                else
                {
                    throw ExchangeErrorException.CannotConvert(name, "System.Collections.Hashtable", DomainListType,
                        $"The hashtable key '{p.Name}' isn't valid. Use Add or Remove.");
                }
            }
            return new DomainChange(null, Distinct(add), Distinct(remove));
        }
        return new DomainChange(Distinct(DomainList(name, v)), new List<string>(), new List<string>());
    }

    private static List<string> DomainList(string name, JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Null) return new List<string>();
        List<string> list = ListOf(name, v, DomainListType);
        foreach (string d in list)
        {
            if (!IsSmtpDomain(d)) throw ExchangeErrorException.CannotConvert(name, d, SmtpDomainType, $"\"{d}\" isn't a valid SMTP domain.");
        }
        return list;
    }

    private static List<string> ListOf(string name, JsonElement v, string type)
    {
        if (v.ValueKind == JsonValueKind.String) return new List<string> { v.GetString()!.Trim() };
        if (v.ValueKind != JsonValueKind.Array) throw ExchangeErrorException.CannotConvert(name, v.GetRawText(), type, "The value isn't a string or a list of strings.");
        var list = new List<string>();
        foreach (JsonElement e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String) throw ExchangeErrorException.CannotConvert(name, e.GetRawText(), type, "The value isn't a string.");
            list.Add(e.GetString()!.Trim());
        }
        return list;
    }

    /// <summary>Duplicates (case-insensitive) dropped, the first spelling kept.</summary>
    public static List<string> Distinct(IEnumerable<string> values)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return values.Where(seen.Add).ToList();
    }

    public static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A DomainNames value: a replacement list, or domains to add and remove.</summary>
public sealed record DomainChange(List<string>? Replace, List<string> Add, List<string> Remove)
{
    /// <summary>How many domains the request names (each becomes a subfilter of Exchange's duplicate-domain query).</summary>
    public int Count => (Replace?.Count ?? 0) + Add.Count + Remove.Count;

    /// <summary>The list after this change.</summary>
    public List<string> ApplyTo(IReadOnlyList<string> current)
    {
        if (Replace != null) return new List<string>(Replace);
        var result = current.Where(d => !Remove.Contains(d, StringComparer.OrdinalIgnoreCase)).ToList();
        foreach (string d in Add)
        {
            if (!result.Contains(d, StringComparer.OrdinalIgnoreCase)) result.Add(d);
        }
        return result;
    }
}
