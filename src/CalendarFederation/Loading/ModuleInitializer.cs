using System.Management.Automation;
using System.Reflection;

namespace CalendarFederation.Loading
{
    /// <summary>
    /// Runs when the module is imported. The engine and its dependencies live in Dependencies/, where
    /// default probing never finds them: on PowerShell 7 they load in a module-private AssemblyLoadContext,
    /// on Windows PowerShell 5.1 through an AssemblyResolve handler limited to the files we ship.
    /// Nothing else happens here, so import stays cheap.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        internal static readonly bool IsCoreClr = typeof(object).Assembly.GetName().Name == "System.Private.CoreLib";

        public void OnImport()
        {
            if (IsCoreClr) CoreDependencyLoader.Register(DependencyDirectory.Path);
            else DesktopDependencyResolver.Register(DependencyDirectory.Path);
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            // The handlers stay: types already handed out by this session may still need their dependencies,
            // and re-importing registers nothing twice.
        }
    }

    internal static class DependencyDirectory
    {
        public static readonly string Path = System.IO.Path.Combine(
            System.IO.Path.GetDirectoryName(typeof(DependencyDirectory).Assembly.Location) ?? ".", "Dependencies");
    }
}
