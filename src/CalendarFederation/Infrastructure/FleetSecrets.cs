using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Security;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Fleet;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// The secrets a fleet file names (never holds): environment variables and SecretManagement vault entries, read on the
    /// pipeline thread into SecureStrings. Failures name the variable, vault or entry, never a value.
    /// </summary>
    internal static class FleetSecrets
    {
        private const string GetSecret = "Get-Secret";

        public static SecureString FromEnvironment(FleetTenant tenant, string variable, string missingFormat)
        {
            string? value = Environment.GetEnvironmentVariable(variable.Trim());
            if (string.IsNullOrEmpty(value)) throw FleetConnector.Failed(tenant, Text.Format(missingFormat, tenant.Name, variable));
            return Secure(value!);
        }

        /// <summary>
        /// Get-Secret -Name name [-Vault vault] -AsPlainText, only when Microsoft.PowerShell.SecretManagement (or anything
        /// else that gives this session a Get-Secret command) is there; a string, SecureString or PSCredential's password.
        /// </summary>
        public static SecureString FromVault(PSCmdlet cmdlet, FleetTenant tenant, string? vault, string name)
        {
            if (cmdlet.InvokeCommand.GetCommand(GetSecret, CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias) == null)
            {
                throw FleetConnector.Failed(tenant, Text.Format(FleetMessages.ErrorConnectNoSecretManagement, tenant.Name, vault, name));
            }
            Collection<PSObject> found;
            using (PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddCommand(GetSecret).AddParameter("Name", name).AddParameter("AsPlainText").AddParameter("ErrorAction", ActionPreference.Stop);
                if (!string.IsNullOrWhiteSpace(vault)) ps.AddParameter("Vault", vault);
                try
                {
                    found = ps.Invoke();
                }
                catch (RuntimeException ex)
                {
                    throw FleetConnector.Failed(tenant, Text.Format(FleetMessages.ErrorConnectVaultFailed, tenant.Name, name, vault, ex.Message), ex);
                }
                if (ps.HadErrors && ps.Streams.Error.Count > 0)
                {
                    throw FleetConnector.Failed(tenant, Text.Format(FleetMessages.ErrorConnectVaultFailed, tenant.Name, name, vault, ps.Streams.Error[0].ToString()));
                }
            }
            object? value = found.Count == 1 ? found[0]?.BaseObject : null;
            return value switch
            {
                string text when text.Length > 0 => Secure(text),
                SecureString secure when secure.Length > 0 => secure,
                PSCredential credential when credential.Password.Length > 0 => credential.Password,
                _ => throw FleetConnector.Failed(tenant, Text.Format(FleetMessages.ErrorConnectVaultEmpty, tenant.Name, name, vault)),
            };
        }

        /// <summary>A path in the file: relative to the file's folder (or, for a definition built in memory, the current location).</summary>
        public static string ResolvePath(PSCmdlet cmdlet, FleetDefinition definition, string path)
        {
            if (System.IO.Path.IsPathRooted(path)) return path;
            string? folder = definition.SourcePath == null ? null : System.IO.Path.GetDirectoryName(definition.SourcePath);
            return folder != null ? System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, path)) : cmdlet.GetUnresolvedProviderPathFromPSPath(path);
        }

        private static SecureString Secure(string text)
        {
            var secure = new SecureString();
            foreach (char c in text.Trim()) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }
    }
}
