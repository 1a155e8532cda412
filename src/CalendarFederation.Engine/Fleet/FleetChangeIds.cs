using System;
using System.Security.Cryptography;
using System.Text;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// A change's stable id: the first 16 hex digits (lower case) of SHA-256 over "tenant|objectType|identity|action|after",
    /// lower-cased. The same change planned again (a re-run after a crash) gets the same id, so the checkpoint recognises it;
    /// a different target state (another After) is a different change.
    /// </summary>
    public static class FleetChangeIds
    {
        public const int Length = 16;

        public static string For(string tenant, FleetObjectType objectType, string identity, FleetAction action, string after)
        {
            string key = string.Join("|", tenant, objectType.ToString(), identity, action.ToString(), after).ToLowerInvariant();
            using var sha = SHA256.Create();
            byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(key));
            var text = new StringBuilder(Length);
            for (int i = 0; i < Length / 2; i++) text.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            return text.ToString();
        }

        public static string For(FleetPlanChange change) =>
            For(change.Tenant ?? throw new ArgumentException("The change has no tenant.", nameof(change)), change.ObjectType, change.Identity, change.Action, change.After);
    }
}
