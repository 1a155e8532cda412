using System.Linq;
using System.Management.Automation;
using CalendarFederation.Engine.AdminApi;

namespace CalendarFederation.Infrastructure
{
    /// <summary>Admin API objects as PowerShell objects, keeping every property the server sent.</summary>
    internal static class AdminObjects
    {
        public static PSObject ToPSObject(AdminObject item, string typeName)
        {
            var pso = new PSObject();
            pso.TypeNames.Insert(0, typeName);
            foreach (var p in item.Properties) pso.Properties.Add(new PSNoteProperty(p.Key, Convert(p.Value)));
            return pso;
        }

        private static object? Convert(object? value) => value switch
        {
            AdminObject nested => ToPSObject(nested, "CalendarFederation.AdminObject"),
            object?[] items => items.Select(Convert).ToArray(),
            _ => value,
        };
    }
}
