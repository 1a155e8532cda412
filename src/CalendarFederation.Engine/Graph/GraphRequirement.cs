using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.Graph
{
    /// <summary>A Microsoft Entra built-in role: its name and its template id (the value of the token's "wids" claim).</summary>
    public sealed class EntraRole
    {
        public EntraRole(string name, string templateId)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            TemplateId = templateId ?? throw new ArgumentNullException(nameof(templateId));
        }

        public string Name { get; }
        public string TemplateId { get; }

        // Template ids: Microsoft Entra built-in roles, permissions-reference.md (MicrosoftDocs/entra-docs@00fe95d6).
        public static readonly EntraRole GlobalAdministrator = new EntraRole("Global Administrator", "62e90394-69f5-4237-9190-012177145e10");
        public static readonly EntraRole GlobalReader = new EntraRole("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451");
        public static readonly EntraRole SecurityAdministrator = new EntraRole("Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d");
        public static readonly EntraRole SecurityReader = new EntraRole("Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509");
        public static readonly EntraRole ExchangeAdministrator = new EntraRole("Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de");
        public static readonly EntraRole TeamsAdministrator = new EntraRole("Teams Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8");
        public static readonly EntraRole GlobalSecureAccessAdministrator = new EntraRole("Global Secure Access Administrator", "ac434307-12b9-4fa1-a708-88bf58caabc1");

        public override string ToString() => Name;
    }

    /// <summary>
    /// What one Graph call needs, named by its call site so a 403 can say exactly what is missing: the permissions (any one
    /// suffices; the first is the least privileged) and, for a signed-in admin, the Entra roles (any one suffices).
    /// </summary>
    public sealed class GraphRequirement
    {
        public GraphRequirement(string action, IEnumerable<string> permissions, IEnumerable<EntraRole> roles)
        {
            Action = action ?? throw new ArgumentNullException(nameof(action));
            Permissions = (permissions ?? throw new ArgumentNullException(nameof(permissions))).ToArray();
            Roles = (roles ?? throw new ArgumentNullException(nameof(roles))).ToArray();
            if (Permissions.Count == 0) throw new ArgumentException("A requirement names at least one permission.", nameof(permissions));
        }

        /// <summary>What the call does, in the admin's words: "change the Microsoft 365 collaboration trust".</summary>
        public string Action { get; }

        public IReadOnlyList<string> Permissions { get; }

        public IReadOnlyList<EntraRole> Roles { get; }

        /// <summary>"Policy.Read.All (or Policy.ReadWrite.CrossTenantAccess)".</summary>
        public string DescribePermissions() =>
            Permissions.Count == 1 ? Permissions[0] : Permissions[0] + " (or " + Join(Permissions.Skip(1).ToArray(), "or") + ")";

        /// <summary>"Security Administrator or Global Administrator".</summary>
        public string DescribeRoles() => Join(Roles.Select(r => r.Name).ToArray(), "or");

        internal static string Join(IReadOnlyList<string> items, string conjunction)
        {
            if (items.Count == 0) return "";
            if (items.Count == 1) return items[0];
            return string.Join(", ", items.Take(items.Count - 1)) + " " + conjunction + " " + items[items.Count - 1];
        }

        public override string ToString() => Action + ": " + DescribePermissions() + (Roles.Count > 0 ? "; " + DescribeRoles() : "");
    }
}
