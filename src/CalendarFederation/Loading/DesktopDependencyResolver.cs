using System;
using System.IO;
using System.Reflection;

namespace CalendarFederation.Loading
{
    /// <summary>
    /// Windows PowerShell 5.1 has no AssemblyLoadContext. This handler answers only for assemblies we ship
    /// in Dependencies/, and only after the runtime failed to bind them (it never overrides another module).
    /// </summary>
    internal static class DesktopDependencyResolver
    {
        private static readonly object Gate = new object();
        private static string? s_directory;

        public static void Register(string dependencyDirectory)
        {
            lock (Gate)
            {
                if (s_directory != null) return;
                s_directory = dependencyDirectory;
                AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
            }
        }

        private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
        {
            string? name = new AssemblyName(args.Name).Name;
            if (name == null || s_directory == null) return null;
            string path = Path.Combine(s_directory, name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
