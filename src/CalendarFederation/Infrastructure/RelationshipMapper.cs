using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using CalendarFederation.Engine.AdminApi;

namespace CalendarFederation.Infrastructure
{
    /// <summary>Admin API relationship objects as <see cref="OrganizationRelationship"/>, keeping unknown properties as notes.</summary>
    internal static class RelationshipMapper
    {
        private static readonly Dictionary<string, PropertyInfo> Known = BuildKnown();

        private static Dictionary<string, PropertyInfo> BuildKnown()
        {
            var map = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
            foreach (PropertyInfo p in typeof(OrganizationRelationship).GetProperties()) map[p.Name] = p;
            return map;
        }

        public static OrganizationRelationship ToRelationship(AdminObject item, string organization)
        {
            var r = new OrganizationRelationship { Organization = organization };
            foreach (var p in item.Properties)
            {
                if (!Known.TryGetValue(p.Key, out PropertyInfo? property) || p.Key == nameof(OrganizationRelationship.Organization)) continue;
                object? value = Convert(p.Value, property.PropertyType);
                if (value != null || !property.PropertyType.IsValueType) property.SetValue(r, value);
            }
            return r;
        }

        public static PSObject ToPSObject(AdminObject item, string organization)
        {
            OrganizationRelationship r = ToRelationship(item, organization);
            var pso = PSObject.AsPSObject(r);
            foreach (var p in item.Properties)
            {
                if (Known.ContainsKey(p.Key) || pso.Properties[p.Key] != null) continue;
                pso.Properties.Add(new PSNoteProperty(p.Key, p.Value is object?[] items ? items : p.Value is AdminObject nested ? AdminObjects.ToPSObject(nested, "CalendarFederation.AdminObject") : p.Value));
            }
            return pso;
        }

        private static object? Convert(object? value, Type target)
        {
            if (value == null) return null;
            Type type = Nullable.GetUnderlyingType(target) ?? target;
            try
            {
                if (type == typeof(string)) return System.Convert.ToString(value, CultureInfo.InvariantCulture);
                if (type == typeof(string[]))
                {
                    return value is object?[] items
                        ? Array.ConvertAll(items, i => System.Convert.ToString(i, CultureInfo.InvariantCulture) ?? "")
                        : new[] { System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "" };
                }
                if (type == typeof(bool)) return value is bool b ? b : bool.Parse(System.Convert.ToString(value, CultureInfo.InvariantCulture)!);
                if (type.IsEnum) return Enum.Parse(type, System.Convert.ToString(value, CultureInfo.InvariantCulture)!, ignoreCase: true);
                if (type == typeof(Uri))
                {
                    string? s = System.Convert.ToString(value, CultureInfo.InvariantCulture);
                    return string.IsNullOrEmpty(s) ? null : Uri.TryCreate(s, UriKind.RelativeOrAbsolute, out Uri? u) ? u : null;
                }
                if (type == typeof(Guid)) return Guid.Parse(System.Convert.ToString(value, CultureInfo.InvariantCulture)!);
                if (type == typeof(DateTime)) return DateTime.Parse(System.Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            }
            catch (Exception ex) when (ex is FormatException || ex is ArgumentException || ex is OverflowException)
            {
                // A value in a shape we do not know: leave the typed property empty rather than fail the whole object.
                return null;
            }
            return null;
        }
    }
}
