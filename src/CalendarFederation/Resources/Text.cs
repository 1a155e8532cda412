using System.Globalization;

namespace CalendarFederation.Resources
{
    /// <summary>Fills a resource text's numbered placeholders, in the current culture.</summary>
    internal static class Text
    {
        public static string Format(string format, params object?[] args) => string.Format(CultureInfo.CurrentCulture, format, args);
    }
}
