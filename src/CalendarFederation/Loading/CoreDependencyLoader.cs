using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace CalendarFederation.Loading
{
    /// <summary>
    /// PowerShell 7: only the engine is resolved from the default context, and only after default probing
    /// has failed (it is not next to the module, so it always does). Everything the engine needs is then
    /// loaded by <see cref="DependencyLoadContext"/>, so another module's MSAL in the default context never
    /// meets ours.
    /// </summary>
    internal static class CoreDependencyLoader
    {
        private const string EngineName = "CalendarFederation.Engine";
        private static readonly object Gate = new object();
        private static DependencyLoadContext? s_context;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Register(string dependencyDirectory)
        {
            lock (Gate)
            {
                if (s_context != null) return;
                s_context = new DependencyLoadContext(dependencyDirectory);
                AssemblyLoadContext.Default.Resolving += OnResolving;
            }
        }

        private static Assembly? OnResolving(AssemblyLoadContext context, AssemblyName name)
        {
            if (!string.Equals(name.Name, EngineName, StringComparison.Ordinal)) return null;
            return s_context?.LoadFromAssemblyName(name);
        }
    }

    internal sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly string _directory;
        private Dictionary<string, AssemblyName>? _platform;

        public DependencyLoadContext(string directory)
        {
            _directory = directory;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string path = Path.Combine(_directory, assemblyName.Name + ".dll");
            if (!File.Exists(path)) return null; // framework assemblies come from PowerShell's runtime
            if (PlatformSatisfies(assemblyName)) return null; // e.g. System.Text.Json when PowerShell's copy is as new
            return LoadFromAssemblyPath(path);
        }

        // Defer to the runtime's own copy only when name, public key token and version all satisfy the request.
        private bool PlatformSatisfies(AssemblyName requested)
        {
            Dictionary<string, AssemblyName> platform = _platform ??= ReadTrustedPlatformAssemblies();
            if (!platform.TryGetValue(requested.Name!, out AssemblyName? available)) return false;
            if (requested.Version != null && (available.Version == null || available.Version < requested.Version)) return false;
            byte[]? want = requested.GetPublicKeyToken();
            byte[]? have = available.GetPublicKeyToken();
            if (want == null || want.Length == 0) return true;
            if (have == null || have.Length != want.Length) return false;
            for (int i = 0; i < want.Length; i++)
            {
                if (want[i] != have[i]) return false;
            }
            return true;
        }

        private static Dictionary<string, AssemblyName> ReadTrustedPlatformAssemblies()
        {
            var result = new Dictionary<string, AssemblyName>(StringComparer.OrdinalIgnoreCase);
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
            {
                foreach (string file in list.Split(Path.PathSeparator))
                {
                    if (file.Length == 0) continue;
                    string name = Path.GetFileNameWithoutExtension(file);
                    if (result.ContainsKey(name)) continue;
                    try
                    {
                        result[name] = AssemblyName.GetAssemblyName(file);
                    }
                    catch (Exception ex) when (ex is BadImageFormatException || ex is IOException)
                    {
                        // Not a managed assembly: never a candidate.
                    }
                }
            }
            return result;
        }
    }
}
